/* yamldoc -- a libyaml document as yaml.v3 3.0.1 decodes it: yaml.v3's scalar resolution (resolve.go)
 * and yaml.v2's for quoting (encode.go stringv), mappings with `<<` merges in yaml.v3's order and
 * wording (decode.go), and blackbox's "error parsing config file: <path>:<line>:<col>: <key>: <reason>". */
#include "config/yamldoc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/utf8.h"

/* ---- errors ---- */

void yamldoc_fail(yamldoc_t *c, const yaml_mark_t *mark, const char *key, const char *fmt, ...)
{
	c->failed = true;
	if (c->err_full || c->errlen == 0) {
		c->nerr++;
		return;
	}
	static const char more[] = "\n  (more errors not shown)";
	size_t used = c->nerr++ ? strlen(c->err) : 0;
	if (c->nerr > YAMLDOC_MAX_ERRORS) {
		if (used + sizeof more <= c->errlen)
			memcpy(c->err + used, more, sizeof more);
		c->err_full = true;
		return;
	}
	/* a long value or path is cut on a UTF-8 boundary with "…": the line stays valid text */
	char reason[512], line[YAMLDOC_LINE_MAX];
	va_list ap;
	va_start(ap, fmt);
	if (vsnprintf(reason, sizeof reason, fmt, ap) >= (int)sizeof reason)
		utf8_ellipsize(reason, sizeof reason);
	va_end(ap);
	int n = snprintf(line, sizeof line, "%s%s:%zu:%zu: %s: %s", used ? "\n  " : "error parsing config file: ",
	                 c->path, mark->line + 1, mark->column + 1, key, reason);
	if (n >= (int)sizeof line)
		utf8_ellipsize(line, sizeof line);
	if (!used) {
		snprintf(c->err, c->errlen, "%s", line);   /* the first error, cut to fit if it must be */
		return;
	}
	/* a later error that does not fit, with room to say so, ends the list */
	size_t len = n > 0 ? strlen(line) : 0;
	if (len && used + len + sizeof more <= c->errlen) {
		memcpy(c->err + used, line, len + 1);
	} else {
		if (used + sizeof more <= c->errlen)
			memcpy(c->err + used, more, sizeof more);
		c->err_full = true;
	}
}

static void fail_oom(yamldoc_t *c)
{
	static const char oom[] = "\n  (out of memory: more errors not shown)";
	if (!c->failed && c->errlen) {
		snprintf(c->err, c->errlen, "error parsing config file: %s: out of memory", c->path);
	} else if (c->errlen && !c->err_full) {
		size_t used = strlen(c->err);
		if (used + sizeof oom <= c->errlen)
			memcpy(c->err + used, oom, sizeof oom);
	}
	c->failed = true;
	c->err_full = true;      /* the message says out of memory; nothing is added to it */
	c->oom = true;
}

/* ---- scalars as yaml.v3 resolves them ---- */

static const char *const tag_name[] = {
	[YAMLDOC_NULL] = "!!null", [YAMLDOC_BOOL] = "!!bool", [YAMLDOC_INT] = "!!int",
	[YAMLDOC_FLOAT] = "!!float", [YAMLDOC_TIMESTAMP] = "!!timestamp", [YAMLDOC_STR] = "!!str",
	[YAMLDOC_MAP] = "!!map", [YAMLDOC_SEQ] = "!!seq",
};

const char *yamldoc_scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static bool is_digit(char ch) { return ch >= '0' && ch <= '9'; }

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

static bool digits_in(const char *s, const char *set, size_t *n)
{
	size_t i = 0;
	while (s[i] && strchr(set, s[i]))
		i++;
	*n = i;
	return i > 0 && s[i] == '\0';
}

/* Go strconv.ParseInt(s, 0, 64) syntax after yaml removed the underscores (overflow aside). */
static bool go_int_syntax(const char *s)
{
	size_t n;
	if (*s == '+' || *s == '-')
		s++;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return digits_in(s + 2, "0123456789abcdefABCDEF", &n);
	if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
		return digits_in(s + 2, "01234567", &n);
	if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
		return digits_in(s + 2, "01", &n);
	if (s[0] == '0')
		return s[1] == '\0' || digits_in(s + 1, "01234567", &n);
	return digits_in(s, "0123456789", &n);
}

/* `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$` */
static bool yaml_float_syntax(const char *s)
{
	if (*s == '+' || *s == '-')
		s++;
	if (*s == '.') {
		s++;
		if (!is_digit(*s))
			return false;
		while (is_digit(*s))
			s++;
	} else {
		if (!is_digit(*s))
			return false;
		while (is_digit(*s))
			s++;
		if (*s == '.')
			for (s++; is_digit(*s); s++)
				;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!is_digit(*s))
			return false;
		while (is_digit(*s))
			s++;
	}
	return *s == '\0';
}

/* yaml's timestamp formats all start with YYYY-M-D. */
static bool timestamp_syntax(const char *s)
{
	size_t i = 0;
	while (is_digit(s[i]))
		i++;
	if (i != 4 || s[i] != '-')
		return false;
	s += 5;
	if (!is_digit(*s))
		return false;
	while (is_digit(*s))
		s++;
	if (*s++ != '-' || !is_digit(*s))
		return false;
	while (is_digit(*s))
		s++;
	return *s == '\0' || *s == 'T' || *s == 't' || *s == ' ';
}

/* The tag yaml.v3 (decoding) or yaml.v2 (encoding, v1_1 = true) gives an untagged plain scalar. */
static yamldoc_tag_t resolve_plain(const char *s, bool v1_1)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL", NULL };
	static const char *const bools12[] = { "true", "True", "TRUE", "false", "False", "FALSE", NULL };
	static const char *const bools11[] = { "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
		                               "on", "On", "ON", "off", "Off", "OFF", NULL };
	static const char *const floats[] = { ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf",
		                              "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", NULL };
	if (in_list(s, nulls))
		return YAMLDOC_NULL;
	if (in_list(s, bools12) || (v1_1 && in_list(s, bools11)))
		return YAMLDOC_BOOL;
	if (in_list(s, floats))
		return YAMLDOC_FLOAT;
	char c0 = s[0];
	if (c0 == '.')
		return yaml_float_syntax(s) ? YAMLDOC_FLOAT : YAMLDOC_STR;
	if (!(is_digit(c0) || c0 == '+' || c0 == '-'))
		return YAMLDOC_STR;
	if (timestamp_syntax(s))
		return YAMLDOC_TIMESTAMP;
	char plain[128];
	size_t j = 0;
	for (size_t i = 0; s[i] && j + 1 < sizeof plain; i++)
		if (s[i] != '_')
			plain[j++] = s[i];
	plain[j] = '\0';
	if (strlen(s) >= sizeof plain)
		return YAMLDOC_STR;
	if (go_int_syntax(plain))
		return YAMLDOC_INT;
	if (yaml_float_syntax(plain)) {
		/* strconv.ParseFloat fails only on overflow here */
		double d = strtod(plain, NULL);
		return (d > 1.7976931348623157e308 || d < -1.7976931348623157e308) ? YAMLDOC_STR : YAMLDOC_FLOAT;
	}
	return YAMLDOC_STR;
}

yamldoc_tag_t yamldoc_tag(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_MAPPING_NODE: return YAMLDOC_MAP;
	case YAML_SEQUENCE_NODE: return YAMLDOC_SEQ;
	default: break;
	}
	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE && n->data.scalar.style != YAML_ANY_SCALAR_STYLE)
		return YAMLDOC_STR;
	return resolve_plain((const char *)n->data.scalar.value, false);
}

bool yamldoc_is_null(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE && yamldoc_tag(n) == YAMLDOC_NULL;
}

bool yamldoc_bool_value(const yaml_node_t *n, bool *v)
{
	static const char *const yes[] = { "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", NULL };
	static const char *const no[] = { "n", "N", "no", "No", "NO", "off", "Off", "OFF", NULL };
	const char *s = yamldoc_scalar(n);
	if (!s)
		return false;
	yamldoc_tag_t t = yamldoc_tag(n);
	if (t == YAMLDOC_BOOL) {
		*v = s[0] == 't' || s[0] == 'T';
		return true;
	}
	/* yaml.v3 decode.go: YAML 1.1 words, quoted or not, "only if explicitly attempting to unmarshal
	 * into a typed bool value" */
	if (t == YAMLDOC_STR && in_list(s, yes)) {
		*v = true;
		return true;
	}
	if (t == YAMLDOC_STR && in_list(s, no)) {
		*v = false;
		return true;
	}
	return false;
}

/* yaml.v2 stringv: quote a string when, written plain, it would read back as something else. */
bool yamldoc_needs_quotes_v2(const char *s)
{
	if (resolve_plain(s, true) != YAMLDOC_STR || strcmp(s, "<<") == 0)
		return true;
	/* isBase60Float: ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$ */
	const char *p = s;
	if (*p == '+' || *p == '-')
		p++;
	if (!is_digit(*p))
		return false;
	while (is_digit(*p) || *p == '_')
		p++;
	if (*p != ':')
		return false;
	while (*p == ':') {
		p++;
		if (!is_digit(*p))
			return false;
		if (is_digit(p[1])) {
			if (*p > '5')
				return false;
			p++;
		}
		p++;
	}
	if (*p == '.')
		for (p++; is_digit(*p) || *p == '_'; p++)
			;
	return *p == '\0';
}

void yamldoc_fail_type(yamldoc_t *c, const yaml_node_t *n, const char *key, const char *into)
{
	yamldoc_tag_t t = yamldoc_tag(n);
	if (t == YAMLDOC_MAP || t == YAMLDOC_SEQ) {
		yamldoc_fail(c, &n->start_mark, key, "cannot unmarshal %s into %s", tag_name[t], into);
		return;
	}
	const char *v = yamldoc_scalar(n);
	if (strlen(v) > 10)
		yamldoc_fail(c, &n->start_mark, key, "cannot unmarshal %s `%.7s...` into %s", tag_name[t], v,
		             into);
	else
		yamldoc_fail(c, &n->start_mark, key, "cannot unmarshal %s `%s` into %s", tag_name[t], v, into);
}

/* ---- mappings, with merge keys ---- */

static bool is_merge_key(const yaml_node_t *k)
{
	return k->type == YAML_SCALAR_NODE && k->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       strcmp((const char *)k->data.scalar.value, "<<") == 0;
}

/* Key lookup by hash: a mapping can hold thousands of keys (a merge chain adds one per link), and a
 * linear search per key made resolving it quadratic per mapping. idx holds kv positions + 1. */
static size_t bytes_hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603u;     /* FNV-1a */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211u;
	return (size_t)h;
}

static size_t key_hash(const char *s)
{
	return bytes_hash(s, strlen(s));
}

static size_t *map_slot(const yamldoc_map_t *m, const char *key)
{
	for (size_t j = key_hash(key) & (m->idxcap - 1);; j = (j + 1) & (m->idxcap - 1))
		if (!m->idx[j] || strcmp(yamldoc_scalar(m->kv[m->idx[j] - 1].key), key) == 0)
			return &m->idx[j];
}

static yamldoc_kv_t *map_find(const yamldoc_map_t *m, const char *key)
{
	if (!m->idx) {                     /* small, or reordered by yamldoc_map_sort */
		for (size_t i = 0; i < m->n; i++)
			if (strcmp(yamldoc_scalar(m->kv[i].key), key) == 0)
				return &m->kv[i];
		return NULL;
	}
	size_t *j = map_slot(m, key);
	return *j ? &m->kv[*j - 1] : NULL;
}

static bool map_reindex(yamldoc_map_t *m, size_t cap)
{
	size_t *idx = calloc(cap, sizeof *idx);
	if (!idx)
		return false;
	free(m->idx);
	m->idx = idx;
	m->idxcap = cap;
	for (size_t i = 0; i < m->n; i++)
		*map_slot(m, yamldoc_scalar(m->kv[i].key)) = i + 1;
	return true;
}

/* Sets key k to v: a key already there keeps its place and takes the new key node and value. */
static bool map_set(yamldoc_t *c, yamldoc_map_t *m, yaml_node_t *k, yaml_node_t *v, bool explicit_key)
{
	yamldoc_kv_t *old = map_find(m, yamldoc_scalar(k));
	if (old) {
		old->key = k;
		old->value = v;
		old->explicit_key = old->explicit_key || explicit_key;
		return true;
	}
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 8;
		yamldoc_kv_t *kv = realloc(m->kv, cap * sizeof *kv);
		if (!kv) {
			fail_oom(c);
			return false;
		}
		m->kv = kv;
		m->cap = cap;
	}
	m->kv[m->n++] = (yamldoc_kv_t){ k, v, explicit_key };
	if (m->n >= 8 && 2 * m->n > m->idxcap) {
		if (!map_reindex(m, m->idxcap ? 2 * m->idxcap : 32)) {
			fail_oom(c);
			return false;
		}
	} else if (m->idx) {
		*map_slot(m, yamldoc_scalar(k)) = m->n;
	}
	return true;
}

/* One mapping being read while resolving: its next pair and, inside a `<<` list, the item merged
 * last (the list is read backwards). */
typedef struct mb_frame {
	yaml_node_t *node;
	yaml_node_pair_t *p;
	yaml_node_item_t *it;
} mb_frame_t;

/* yaml.v3's uniqueKeys check (decode.go mapping()), made before any of the mapping is decoded: every
 * pair of equal scalar keys written in it, `<<` included, is an error, listed by the first key's
 * place and then the second's, and then nothing of the mapping is decoded. A hash finds whether
 * there is any; only then are the pairs listed (yaml.v3's quadratic walk). */
static bool unique_keys(yamldoc_t *c, yaml_node_t *node)
{
	yaml_node_pair_t *start = node->data.mapping.pairs.start, *top = node->data.mapping.pairs.top;
	yamldoc_map_t seen = { 0 };
	bool dup = false;
	for (yaml_node_pair_t *p = start; p < top && !dup; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		if (!k || k->type != YAML_SCALAR_NODE)
			continue;
		dup = map_find(&seen, yamldoc_scalar(k)) != NULL;
		if (!dup && !map_set(c, &seen, k, k, true)) {
			yamldoc_map_free(&seen);
			return false;
		}
	}
	yamldoc_map_free(&seen);
	if (!dup)
		return true;
	for (yaml_node_pair_t *i = start; i < top; i++) {
		yaml_node_t *ki = yaml_document_get_node(c->doc, i->key);
		if (!ki || ki->type != YAML_SCALAR_NODE)
			continue;
		for (yaml_node_pair_t *j = i + 1; j < top; j++) {
			yaml_node_t *kj = yaml_document_get_node(c->doc, j->key);
			if (kj && kj->type == YAML_SCALAR_NODE && strcmp(yamldoc_scalar(ki), yamldoc_scalar(kj)) == 0)
				yamldoc_fail(c, &kj->start_mark, yamldoc_scalar(kj), "mapping key \"%s\" already defined at line %zu",
				             yamldoc_scalar(kj), ki->start_mark.line + 1);
		}
	}
	return false;
}

/* yaml.v3 3.0.1 resolves a merge by decoding the merged mapping into the same value, after the
 * keys before it (decode.go merge): the result is the sequence of key writes of a depth-first walk
 * over the mapping and, at each `<<`, the mapping(s) it names; a later write of a key replaces the
 * value and keeps the key's place. That walk runs here on a heap stack, writing straight into *m:
 * no per-level copies (a chain of n merges, each adding a key, cost n^3 that way) and no recursion
 * (merges nest as deep as the document, yamldepth.h). Cycles were refused by yamlalias before;
 * the walk still stops if its path grows longer than the document has nodes. */
bool yamldoc_map_build(yamldoc_t *c, yaml_node_t *node, yamldoc_map_t *m)
{
	yaml_document_t *d = c->doc;
	size_t nodes = (size_t)(d->nodes.top - d->nodes.start);
	mb_frame_t *st = NULL;
	size_t sp = 0, cap = 0;
	bool ok = true;
	yaml_node_t *push = node;
	while (ok) {
		if (push) {
			if (sp == cap) {
				size_t ncap = cap ? 2 * cap : 8;
				mb_frame_t *n = realloc(st, ncap * sizeof *n);
				if (!n) {
					fail_oom(c);
					ok = false;
					break;
				}
				st = n;
				cap = ncap;
			}
			if (!unique_keys(c, push)) {
				ok = false;
				break;
			}
			st[sp++] = (mb_frame_t){ .node = push, .p = push->data.mapping.pairs.start };
			push = NULL;
		}
		if (!sp)
			break;
		mb_frame_t *f = &st[sp - 1];
		if (f->p == f->node->data.mapping.pairs.top) {
			sp--;
			continue;
		}
		yaml_node_t *k = yaml_document_get_node(d, f->p->key);
		yaml_node_t *v = yaml_document_get_node(d, f->p->value);
		if (is_merge_key(k)) {
			c->has_merge = true;
			yaml_node_t *src = v;
			if (v->type == YAML_SEQUENCE_NODE) {
				/* yaml.v3 steps backwards: earlier maps take precedence */
				if (!f->it)
					f->it = v->data.sequence.items.top;
				if (f->it == v->data.sequence.items.start) {
					f->it = NULL;
					f->p++;
					continue;
				}
				f->it--;
				src = yaml_document_get_node(d, *f->it);
			} else {
				f->p++;
			}
			if (!src || src->type != YAML_MAPPING_NODE) {
				yamldoc_fail(c, src ? &src->start_mark : &(yaml_mark_t){ 0 }, "<<",
				             "map merge requires map or sequence of maps as the value");
				c->fatal = true;    /* decode.go merge(): failWantMap panics */
				ok = false;
			} else if (sp > nodes) {
				yamldoc_fail(c, &src->start_mark, "<<", "map merge contains itself");
				c->fatal = true;
				ok = false;
			} else {
				push = src;
			}
			continue;
		}
		if (k->type != YAML_SCALAR_NODE) {
			yamldoc_fail(c, &k->start_mark, "?", "mapping keys must be scalars");
			ok = false;
			break;
		}
		ok = map_set(c, m, k, v, sp == 1);
		f->p++;
	}
	free(st);
	return ok;
}

void yamldoc_map_free(yamldoc_map_t *m)
{
	free(m->kv);
	free(m->idx);
	*m = (yamldoc_map_t){ 0 };
}

void yamldoc_map_sort(yamldoc_map_t *m, int (*cmp)(const void *, const void *))
{
	free(m->idx);
	m->idx = NULL;
	m->idxcap = 0;
	if (m->n)
		qsort(m->kv, m->n, sizeof *m->kv, cmp);
}

yaml_node_t *yamldoc_map_get(const yamldoc_map_t *m, const char *key)
{
	yamldoc_kv_t *kv = map_find(m, key);
	return kv ? kv->value : NULL;
}

/* ---- accessors, and yaml.v2 2.4's decoding for the web config (see yamldoc.h) ---- */

yaml_node_t *yamldoc_root(const yamldoc_t *c)
{
	return c->doc ? yaml_document_get_root_node(c->doc) : NULL;
}

size_t yamldoc_line(const yaml_node_t *n)
{
	return n->start_mark.line + 1;
}

size_t yamldoc_scalar_len(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? n->data.scalar.length : 0;
}

size_t yamldoc_seq_len(const yaml_node_t *n)
{
	if (!n || n->type != YAML_SEQUENCE_NODE)
		return 0;
	return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

yaml_node_t *yamldoc_seq_get(const yamldoc_t *c, const yaml_node_t *n, size_t i)
{
	if (i >= yamldoc_seq_len(n))
		return NULL;
	return yaml_document_get_node(c->doc, n->data.sequence.items.start[i]);
}

/* The tag the web config's reasons name: every scalar is "!!str" there (yaml.v2 would say "!!int
 * `5`" for 5; the texts predate this room and are kept as they are). */
static const char *v2_kind(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE ? "!!str" : tag_name[yamldoc_tag(n)];
}

bool yamldoc_string_v2(const yaml_node_t *n, const char **out, char *why, size_t whylen)
{
	*out = NULL;
	if (n->type != YAML_SCALAR_NODE) {
		snprintf(why, whylen, "cannot unmarshal %s into string", v2_kind(n));
		return false;
	}
	if (strlen(yamldoc_scalar(n)) != n->data.scalar.length) {
		snprintf(why, whylen, "NUL byte in value");
		return false;
	}
	*out = yamldoc_is_null(n) ? "" : yamldoc_scalar(n);
	return true;
}

bool yamldoc_bool_v2(const yaml_node_t *n, bool *out, char *why, size_t whylen)
{
	/* yaml.v2 resolve.go: the YAML 1.1 words besides 1.2's true and false, on plain scalars */
	static const char *const yes[] = { "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On",
		                           "ON", NULL };
	if (yamldoc_is_null(n)) {
		*out = false;
		return true;
	}
	if (n->type != YAML_SCALAR_NODE) {
		snprintf(why, whylen, "cannot unmarshal %s into bool", v2_kind(n));
		return false;
	}
	const char *s = yamldoc_scalar(n);
	if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && resolve_plain(s, true) == YAMLDOC_BOOL) {
		*out = in_list(s, yes);
		return true;
	}
	snprintf(why, whylen, "cannot unmarshal !!str `%.100s` into bool", s);
	return false;
}

bool yamldoc_expect_map_v2(const yaml_node_t *n, const char *gotype, char *why, size_t whylen)
{
	if (yamldoc_is_null(n) || n->type == YAML_MAPPING_NODE)
		return true;
	if (n->type == YAML_SCALAR_NODE)
		snprintf(why, whylen, "cannot unmarshal !!str `%.100s` into %s", yamldoc_scalar(n), gotype);
	else
		snprintf(why, whylen, "cannot unmarshal %s into %s", v2_kind(n), gotype);
	return false;
}

bool yamldoc_expect_seq_v2(const yaml_node_t *n, char *why, size_t whylen)
{
	if (yamldoc_is_null(n) || n->type == YAML_SEQUENCE_NODE)
		return true;
	snprintf(why, whylen, "cannot unmarshal %s into a list", v2_kind(n));
	return false;
}

void yamldoc_pairs_v2_init(yamldoc_pairs_v2_t *it, const yamldoc_t *c, const yaml_node_t *n)
{
	*it = (yamldoc_pairs_v2_t){ .c = c, .map = n && n->type == YAML_MAPPING_NODE ? n : NULL };
}

void yamldoc_pairs_v2_deinit(yamldoc_pairs_v2_t *it)
{
	free(it->seen);
	it->seen = NULL;
	it->seencap = 0;
}

static bool same_key(const yaml_node_t *a, const yaml_node_t *b)
{
	return a->data.scalar.length == b->data.scalar.length &&
	       memcmp(a->data.scalar.value, b->data.scalar.value, a->data.scalar.length) == 0;
}

/* The slot of key k in the set: the one holding an equal key, or the empty one where it goes. */
static const yaml_node_t **seen_slot(const yamldoc_pairs_v2_t *it, const yaml_node_t *k)
{
	size_t mask = it->seencap - 1;
	size_t j = bytes_hash((const char *)k->data.scalar.value, k->data.scalar.length) & mask;
	for (; it->seen[j] && !same_key(it->seen[j], k); j = (j + 1) & mask)
		;
	return &it->seen[j];
}

/* Room for n keys at most half full, so that probes stay short. */
static bool seen_reserve(yamldoc_pairs_v2_t *it, size_t n)
{
	if (2 * n <= it->seencap)
		return true;
	size_t cap = it->seencap ? 2 * it->seencap : 16;
	const yaml_node_t **old = it->seen;
	size_t oldcap = it->seencap;
	it->seen = calloc(cap, sizeof *it->seen);
	if (!it->seen) {
		it->seen = old;
		return false;
	}
	it->seencap = cap;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i])
			*seen_slot(it, old[i]) = old[i];
	free(old);
	return true;
}

yamldoc_pair_step_t yamldoc_pairs_v2_next(yamldoc_pairs_v2_t *it, yaml_node_t **k, yaml_node_t **v, char *why,
                                          size_t whylen)
{
	*k = *v = NULL;
	if (it->failed) {
		snprintf(why, whylen, "walk already failed");
		return YAMLDOC_PAIR_FAIL;
	}
	if (!it->map)
		return YAMLDOC_PAIR_END;
	const yaml_node_pair_t *p = it->map->data.mapping.pairs.start + it->next;
	if (p >= it->map->data.mapping.pairs.top)
		return YAMLDOC_PAIR_END;
	it->failed = true;                 /* until the pair proves good */
	*k = yaml_document_get_node(it->c->doc, p->key);
	*v = yaml_document_get_node(it->c->doc, p->value);
	if (!*k || !*v) {
		*k = (yaml_node_t *)it->map;
		*v = NULL;
		snprintf(why, whylen, "broken YAML document");
		return YAMLDOC_PAIR_FAIL;
	}
	if ((*k)->type != YAML_SCALAR_NODE) {
		snprintf(why, whylen, "cannot unmarshal %s into a map key", v2_kind(*k));
		return YAMLDOC_PAIR_FAIL;
	}
	if (!seen_reserve(it, it->next + 1)) {
		snprintf(why, whylen, "out of memory");
		return YAMLDOC_PAIR_FAIL;
	}
	const yaml_node_t **slot = seen_slot(it, *k);
	if (*slot) {
		snprintf(why, whylen, "key \"%.100s\" already set in map", yamldoc_scalar(*k));
		return YAMLDOC_PAIR_FAIL;
	}
	*slot = *k;
	it->next++;
	it->failed = false;
	return YAMLDOC_PAIR_NEXT;
}
