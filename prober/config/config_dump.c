/* config_dump -- a module as blackbox_exporter 0.23 prints it under "Module configuration:" in debug
 * output: yaml.v2 2.4.0's Marshal of config.Module, with the defaults of config.DefaultModule and the
 * omitempty rules of its yaml tags.
 *
 * yaml.v2's emitter is a Go port of libyaml's, so libyaml's emitter (same 2-space indent, 80-column
 * width, indentless sequences in mappings) prints the same bytes once each scalar asks for the style
 * yaml.v2 would ask for (encode.go stringv: plain unless it would read back as non-string, then
 * double-quoted; literal when it holds a newline). */
#include "config/config_dump.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/schema.h"
#include "config/yamldoc.h"
#include "lib/buf.h"
#include "lib/duration.h"

typedef struct dump {
	yamldoc_t *c;
	yaml_emitter_t em;
	buf_t out;
	bool bad;
} dump_t;

static int write_cb(void *ctx, unsigned char *p, size_t n)
{
	buf_t *b = ctx;
	return buf_append(b, p, n) == 0;
}

static void emit(dump_t *d, yaml_event_t *ev)
{
	if (d->bad) {
		yaml_event_delete(ev);
		return;
	}
	if (!yaml_emitter_emit(&d->em, ev))
		d->bad = true;
}

static void em_scalar_style(dump_t *d, const char *s, yaml_scalar_style_t style)
{
	yaml_event_t ev;
	if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1, style)) {
		d->bad = true;
		return;
	}
	emit(d, &ev);
}

/* yaml.v2 stringv */
static void em_string(dump_t *d, const char *s)
{
	yaml_scalar_style_t style = YAML_PLAIN_SCALAR_STYLE;
	if (strchr(s, '\n'))
		style = YAML_LITERAL_SCALAR_STYLE;
	else if (yamldoc_needs_quotes_v2(s))
		style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	em_scalar_style(d, s, style);
}

static void em_plain(dump_t *d, const char *s) { em_scalar_style(d, s, YAML_PLAIN_SCALAR_STYLE); }

/* A block mapping or sequence opens or closes (yaml.v2 writes blocks only). */
static void em_collection(dump_t *d, bool map, bool start)
{
	yaml_event_t ev;
	int ok = !start ? (map ? yaml_mapping_end_event_initialize(&ev) : yaml_sequence_end_event_initialize(&ev))
	         : map  ? yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE)
	                : yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
	if (!ok) {
		d->bad = true;
		return;
	}
	emit(d, &ev);
}

static void em_map_start(dump_t *d) { em_collection(d, true, true); }
static void em_map_end(dump_t *d) { em_collection(d, true, false); }
static void em_seq_start(dump_t *d) { em_collection(d, false, true); }
static void em_seq_end(dump_t *d) { em_collection(d, false, false); }

static bool dump_begin(dump_t *d, yamldoc_t *c)
{
	*d = (dump_t){ .c = c };
	if (!yaml_emitter_initialize(&d->em))
		return false;
	yaml_emitter_set_output(&d->em, write_cb, &d->out);
	yaml_emitter_set_unicode(&d->em, 1);
	yaml_event_t ev;
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	emit(d, &ev);
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	emit(d, &ev);
	return true;
}

static char *dump_end(dump_t *d)
{
	yaml_event_t ev;
	yaml_document_end_event_initialize(&ev, 1);
	emit(d, &ev);
	yaml_stream_end_event_initialize(&ev);
	emit(d, &ev);
	yaml_emitter_delete(&d->em);
	if (d->bad || !buf_ok(&d->out)) {
		buf_free(&d->out);
		return NULL;
	}
	if (d->out.len == 0)
		buf_puts(&d->out, "");
	return buf_steal(&d->out);
}

/* ---- values with yaml.v3's decoding and Go's zero values ---- */

static yaml_node_t *item(dump_t *d, yaml_node_item_t i) { return yaml_document_get_node(d->c->doc, i); }

static bool bool_of(const yaml_node_t *v, const char *def)
{
	bool b;
	if (v && !yamldoc_is_null(v) && yamldoc_bool_value(v, &b))
		return b;
	return def && strcmp(def, "true") == 0;
}

static long long int_of(const yaml_node_t *v, const char *def)
{
	const char *s = v && !yamldoc_is_null(v) ? yamldoc_scalar(v) : def;
	if (!s)
		return 0;
	char plain[64];
	size_t j = 0;
	for (; *s && j + 1 < sizeof plain; s++)
		if (*s != '_')
			plain[j++] = *s;
	plain[j] = '\0';
	const char *p = plain;
	bool neg = *p == '-';
	if (*p == '-' || *p == '+')
		p++;
	long long r;
	if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O'))
		r = strtoll(p + 2, NULL, 8);
	else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B'))
		r = strtoll(p + 2, NULL, 2);
	else
		r = strtoll(p, NULL, 0);
	return neg ? -r : r;
}

static bool present(const yaml_node_t *v) { return v && !yamldoc_is_null(v); }

static bool struct_zero(dump_t *d, const schema_t *s, yaml_node_t *node, bool defaults);

static bool field_zero(dump_t *d, const schema_field_t *f, yaml_node_t *v, bool defaults)
{
	const char *def = defaults ? f->def : NULL;
	if (f->flags & SCHEMA_HIDE)
		return true;
	switch (f->kind) {
	case SCHEMA_STR:
	case SCHEMA_SECRET:
		return !present(v) || yamldoc_scalar(v)[0] == '\0';
	case SCHEMA_TLSVER:
		return !present(v);
	case SCHEMA_BOOL:
		return !bool_of(v, def);
	case SCHEMA_INT:
		return int_of(v, def) == 0;
	case SCHEMA_DUR: {
		int64_t ns = 0;
		return !present(v) || duration_parse(yamldoc_scalar(v), &ns) != 0 || ns == 0;
	}
	case SCHEMA_STRS:
	case SCHEMA_INTS:
	case SCHEMA_STRUCTS:
		return !present(v) || v->data.sequence.items.top == v->data.sequence.items.start;
	case SCHEMA_STRMAP:
	case SCHEMA_HEADER:
		return !present(v) || v->data.mapping.pairs.top == v->data.mapping.pairs.start;
	case SCHEMA_STRUCT:
		if (f->flags & SCHEMA_PTR)
			return !present(v);
		return struct_zero(d, f->sub, present(v) ? v : NULL, defaults);
	}
	return true;
}

static bool struct_zero(dump_t *d, const schema_t *s, yaml_node_t *node, bool defaults)
{
	yamldoc_map_t m = { 0 };
	if (node && !yamldoc_map_build(d->c, node, &m))
		d->bad = true;
	bool zero = true;
	for (const schema_field_t *f = s->fields; zero && f->key; f++)
		zero = field_zero(d, f, yamldoc_map_get(&m, f->key), defaults);
	yamldoc_map_free(&m);
	return zero;
}

/* ---- emitting ---- */

static void em_struct(dump_t *d, const schema_t *s, yaml_node_t *node, bool defaults);

/* yaml.v2 sorter.go keyList.Less, for ASCII keys */
static bool is_letter(unsigned char ch) { return (ch | 0x20) >= 'a' && (ch | 0x20) <= 'z'; }
static bool is_dig(unsigned char ch) { return ch >= '0' && ch <= '9'; }

static int key_cmp(const void *pa, const void *pb)
{
	const unsigned char *a = (const unsigned char *)yamldoc_scalar(((const yamldoc_kv_t *)pa)->key);
	const unsigned char *b = (const unsigned char *)yamldoc_scalar(((const yamldoc_kv_t *)pb)->key);
	size_t la = strlen((const char *)a), lb = strlen((const char *)b);
	for (size_t i = 0; i < la && i < lb; i++) {
		if (a[i] == b[i])
			continue;
		bool al = is_letter(a[i]), bl = is_letter(b[i]);
		if (al && bl)
			return a[i] < b[i] ? -1 : 1;
		if (al || bl)
			return bl ? -1 : 1;
		long long an = 0, bn = 0;
		size_t ai, bi;
		if (a[i] == '0' || b[i] == '0')
			for (size_t j = i; j-- > 0 && is_dig(a[j]);)
				if (a[j] != '0') {
					an = 1;
					bn = 1;
					break;
				}
		for (ai = i; ai < la && is_dig(a[ai]); ai++)
			an = an * 10 + (a[ai] - '0');
		for (bi = i; bi < lb && is_dig(b[bi]); bi++)
			bn = bn * 10 + (b[bi] - '0');
		if (an != bn)
			return an < bn ? -1 : 1;
		if (ai != bi)
			return ai < bi ? -1 : 1;
		return a[i] < b[i] ? -1 : 1;
	}
	return la < lb ? -1 : la > lb;
}

/* Opens the mapping v with its keys sorted as yaml.v2 sorts them (*m: zeroed by the caller, freed
 * by it after em_map_end). */
static void sorted_map(dump_t *d, yaml_node_t *v, yamldoc_map_t *m)
{
	if (!yamldoc_map_build(d->c, v, m))
		d->bad = true;
	yamldoc_map_sort(m, key_cmp);
	em_map_start(d);
}

static void em_any(dump_t *d, yaml_node_t *v)
{
	if (!v || yamldoc_is_null(v)) {
		em_plain(d, "null");
	} else if (v->type == YAML_SCALAR_NODE) {
		em_string(d, yamldoc_scalar(v));
	} else if (v->type == YAML_SEQUENCE_NODE) {
		em_seq_start(d);
		for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++)
			em_any(d, item(d, *it));
		em_seq_end(d);
	} else {
		yamldoc_map_t m = { 0 };
		sorted_map(d, v, &m);
		for (size_t i = 0; i < m.n; i++) {
			em_string(d, yamldoc_scalar(m.kv[i].key));
			em_any(d, m.kv[i].value);
		}
		em_map_end(d);
		yamldoc_map_free(&m);
	}
}

/* common Header (map[string][]Secret): keys sorted as yaml.v2 sorts them, each Secret "<secret>",
 * an empty one null (Secret.MarshalYAML); null items were dropped when decoding. */
static void em_header(dump_t *d, yaml_node_t *v)
{
	yamldoc_map_t m = { 0 };
	sorted_map(d, v, &m);
	for (size_t i = 0; i < m.n; i++) {
		yaml_node_t *l = m.kv[i].value;
		em_string(d, yamldoc_scalar(m.kv[i].key));
		em_seq_start(d);
		for (yaml_node_item_t *it = l->data.sequence.items.start;
		     l->type == YAML_SEQUENCE_NODE && it < l->data.sequence.items.top; it++) {
			yaml_node_t *e = item(d, *it);
			if (present(e))
				em_plain(d, yamldoc_scalar(e)[0] ? "<secret>" : "null");
		}
		em_seq_end(d);
	}
	em_map_end(d);
	yamldoc_map_free(&m);
}

static void em_field(dump_t *d, const schema_field_t *f, yaml_node_t *v, bool defaults)
{
	const char *def = defaults ? f->def : NULL;
	char num[32] = "0";
	switch (f->kind) {
	case SCHEMA_STR:
		em_string(d, present(v) ? yamldoc_scalar(v) : "");
		break;
	case SCHEMA_SECRET:
		em_string(d, present(v) && yamldoc_scalar(v)[0] ? "<secret>" : "");
		break;
	case SCHEMA_TLSVER: {
		/* TLSVersion's MarshalYAML has a pointer receiver, so yaml.v2 prints the uint16 */
		static const char *const names[] = { "TLS10", "TLS11", "TLS12", "TLS13" };
		for (int i = 0; i < 4; i++)
			if (strcmp(yamldoc_scalar(v), names[i]) == 0)
				snprintf(num, sizeof num, "%d", 0x0301 + i);
		em_plain(d, num);
		break;
	}
	case SCHEMA_BOOL:
		em_plain(d, bool_of(v, def) ? "true" : "false");
		break;
	case SCHEMA_INT:
		snprintf(num, sizeof num, "%lld", int_of(v, def));
		em_plain(d, num);
		break;
	case SCHEMA_DUR: {
		int64_t ns = 0;
		duration_parse(yamldoc_scalar(v), &ns);
		duration_format(ns, num);
		em_string(d, num);
		break;
	}
	case SCHEMA_STRS:
	case SCHEMA_INTS:
		em_seq_start(d);
		for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
			yaml_node_t *e = item(d, *it);
			if (f->kind == SCHEMA_INTS) {
				snprintf(num, sizeof num, "%lld", int_of(e, NULL));
				em_plain(d, num);
			} else {
				em_string(d, present(e) ? yamldoc_scalar(e) : "");
			}
		}
		em_seq_end(d);
		break;
	case SCHEMA_STRMAP:
		em_any(d, v);
		break;
	case SCHEMA_HEADER:
		em_header(d, v);
		break;
	case SCHEMA_STRUCT:
		em_struct(d, f->sub, present(v) ? v : NULL, defaults);
		break;
	case SCHEMA_STRUCTS:
		em_seq_start(d);
		for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
			yaml_node_t *e = item(d, *it);
			em_struct(d, f->sub, present(e) ? e : NULL, false);
		}
		em_seq_end(d);
		break;
	}
}

static void em_struct(dump_t *d, const schema_t *s, yaml_node_t *node, bool defaults)
{
	yamldoc_map_t m = { 0 };
	if (node && !yamldoc_map_build(d->c, node, &m))
		d->bad = true;
	em_map_start(d);
	for (const schema_field_t *f = s->fields; f->key; f++) {
		yaml_node_t *v = yamldoc_map_get(&m, f->key);
		/* config.HTTPProbe.UnmarshalYAML: no_follow_redirects overrides follow_redirects */
		yaml_node_t *nofollow = strcmp(f->key, "follow_redirects") == 0 ? yamldoc_map_get(&m, "no_follow_redirects")
		                                                                 : NULL;
		if (present(nofollow)) {
			em_string(d, f->key);
			em_plain(d, bool_of(nofollow, NULL) ? "false" : "true");
			continue;
		}
		if (f->flags & SCHEMA_HIDE)
			continue;
		if (!(f->flags & SCHEMA_KEEP) && field_zero(d, f, v, defaults))
			continue;
		em_string(d, f->key);
		/* a nested struct given as a mapping starts from its own defaults (its UnmarshalYAML) */
		em_field(d, f, v, defaults);
	}
	em_map_end(d);
	yamldoc_map_free(&m);
}

char *config_dump_module(yamldoc_t *c, yaml_node_t *node)
{
	dump_t d;
	if (!dump_begin(&d, c))
		return NULL;
	if (!node || yamldoc_is_null(node)) {
		/* yaml.v3 leaves a null module at Go's zero value: no defaults at all */
		em_map_start(&d);
		em_map_end(&d);
	} else {
		/* config.DefaultModule: http, tcp, icmp and dns defaults always; grpc only when written */
		yamldoc_map_t m = { 0 };
		if (!yamldoc_map_build(c, node, &m))
			d.bad = true;
		em_map_start(&d);
		for (const schema_field_t *f = schema_module.fields; f->key; f++) {
			yaml_node_t *v = yamldoc_map_get(&m, f->key);
			bool defaults = f->kind == SCHEMA_STRUCT && (strcmp(f->key, "grpc") != 0 || present(v));
			if (field_zero(&d, f, v, defaults))
				continue;
			em_string(&d, f->key);
			em_field(&d, f, v, defaults);
		}
		em_map_end(&d);
		yamldoc_map_free(&m);
	}
	return dump_end(&d);
}
