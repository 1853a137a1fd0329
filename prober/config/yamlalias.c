/* yamlalias -- yaml.v3's alias rules over the parser's events; see yamlalias.h.
 *
 * The events become a flat preorder array of nodes (each knows where its subtree ends, an alias
 * knows the node its anchor named when it was read, as yaml.v3's parser resolves it). Then the walk
 * of yaml.v3 3.0.1 decode.go runs over that array as a state machine on a heap stack:
 *   unmarshal   counts one decode step (and one alias step under an alias), then checks the ratio;
 *   alias       fails when the same alias is already being expanded (d.aliases), else expands it;
 *   mapping     decodes each key, then its value unless a merge already set that key
 *               (d.mergedFields), and leaves the `<<` value for merge, after the other keys;
 *   merge       when no merge is in progress, decodes the parent's keys once more to seed
 *               mergedFields, then decodes the merged mapping(s).
 * Every mapping is walked as yaml.v3 walks a map (blackbox's struct types decode the same nodes).
 * Where yaml.v3 would stop with another error (a merge of a non-mapping, an undefined alias, a
 * syntax error) the check stops and says OK: the loader's own passes report those. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/yamlalias.h"

/* decode.go: alias_ratio_range_low/high and allowedAliasRatio */
#define RATIO_RANGE_LOW 400000.0
#define RATIO_RANGE_HIGH 4000000.0

static double allowed_alias_ratio(double decodes)
{
	if (decodes <= RATIO_RANGE_LOW)
		return 0.99;         /* 99 % may come from aliases in small and medium documents */
	if (decodes >= RATIO_RANGE_HIGH)
		return 0.10;         /* 10 % in very large ones */
	return 0.99 - 0.89 * ((decodes - RATIO_RANGE_LOW) / (RATIO_RANGE_HIGH - RATIO_RANGE_LOW));
}

/* nsprobe's own bound, in bytes. yaml.v3 counts an alias to a scalar as one step whatever its size,
 * and Go shares the string, so blackbox pays nothing for `{send: *x}` 20,000 times over a 20 KB
 * anchor; nsprobe copies what an alias stands for (the landed strings and lists, the debug dumps),
 * so each copy is charged: a scalar its length, any node
 * NODE_COST for the structure around it. Expansions may copy up to EXPAND_PER_BYTE times the file
 * or EXPAND_FLOOR, whichever is more. A real config never comes near: the files in config/ and the 62
 * public files copy at most a few KB through aliases; a thousand modules each an alias of a 4 KB
 * module come to 4 MB. What the bound lets through loads in well under a second and some 100 MB. */
#define EXPAND_FLOOR ((double)(8u << 20))
#define EXPAND_PER_BYTE 8.0
#define NODE_COST 16.0

/* ---- a string set/map (anchors to nodes; mergedFields) ---- */

typedef struct strmap {
	char **keys;
	size_t *vals;
	size_t cap, n;
} strmap_t;

static size_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603u;     /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return (size_t)h;
}

static size_t *strmap_find(const strmap_t *m, const char *k)
{
	if (!m->cap)
		return NULL;
	for (size_t i = str_hash(k) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (!m->keys[i])
			return NULL;
		if (strcmp(m->keys[i], k) == 0)
			return &m->vals[i];
	}
}

static bool strmap_put(strmap_t *m, const char *k, size_t v)
{
	size_t *old = strmap_find(m, k);
	if (old) {
		*old = v;
		return true;
	}
	if (2 * (m->n + 1) > m->cap) {
		strmap_t g = { .cap = m->cap ? 2 * m->cap : 16 };
		g.keys = calloc(g.cap, sizeof *g.keys);
		g.vals = calloc(g.cap, sizeof *g.vals);
		if (!g.keys || !g.vals) {
			free(g.keys);
			free(g.vals);
			return false;
		}
		for (size_t i = 0; i < m->cap; i++) {
			if (!m->keys[i])
				continue;
			size_t j = str_hash(m->keys[i]) & (g.cap - 1);
			while (g.keys[j])
				j = (j + 1) & (g.cap - 1);
			g.keys[j] = m->keys[i];
			g.vals[j] = m->vals[i];
		}
		g.n = m->n;
		free(m->keys);
		free(m->vals);
		*m = g;
	}
	char *dup = strdup(k);
	if (!dup)
		return false;
	size_t j = str_hash(k) & (m->cap - 1);
	while (m->keys[j])
		j = (j + 1) & (m->cap - 1);
	m->keys[j] = dup;
	m->vals[j] = v;
	m->n++;
	return true;
}

static void strmap_free(strmap_t *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	*m = (strmap_t){ 0 };
}

/* ---- the document as yaml.v3's parser builds it ---- */

typedef enum ya_kind { YA_SCALAR, YA_SEQ, YA_MAP, YA_ALIAS } ya_kind_t;

typedef struct ya_node {
	ya_kind_t kind;
	bool merge;              /* a `<<` key (decode.go isMerge) */
	bool active;             /* an alias whose expansion is being decoded (d.aliases) */
	size_t end;              /* index just past this node's subtree */
	size_t target;           /* alias: the anchored node */
	char *value;             /* scalar: its text; alias: the anchor's name */
	size_t len;              /* scalar: its length in bytes */
	yaml_mark_t mark;        /* alias: where it is */
} ya_node_t;

typedef struct ya_doc {
	ya_node_t *n;
	size_t len, cap;
} ya_doc_t;

static void doc_free(ya_doc_t *d)
{
	for (size_t i = 0; i < d->len; i++)
		free(d->n[i].value);
	free(d->n);
}

/* Makes room for one more element in *arr (len used of *cap, each size bytes), doubling from 64.
 * Returns false when out of memory (*arr is left as it was). */
static bool grow(void *arr, size_t *cap, size_t len, size_t size)
{
	if (len < *cap)
		return true;
	size_t ncap = *cap ? 2 * *cap : 64;
	void *n = ncap <= SIZE_MAX / size ? realloc(*(void **)arr, ncap * size) : NULL;
	if (!n)
		return false;
	*(void **)arr = n;
	*cap = ncap;
	return true;
}

static ya_node_t *doc_add(ya_doc_t *d, ya_kind_t kind)
{
	if (!grow(&d->n, &d->cap, d->len, sizeof *d->n))
		return NULL;
	ya_node_t *n = &d->n[d->len++];
	*n = (ya_node_t){ .kind = kind, .end = d->len };
	return n;
}

/* isMerge: a "<<" scalar that is plain and untagged, or tagged ! or !!merge. */
static bool is_merge(const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;
	const char *tag = (const char *)ev->data.scalar.tag;
	if (strcmp(v, "<<") != 0)
		return false;
	if (!tag)
		return ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	return strcmp(tag, "!") == 0 || strcmp(tag, "tag:yaml.org,2002:merge") == 0;
}

/* Reads the first document's events into d. Returns YAMLALIAS_OK with d->len == 0 when there is
 * nothing to check (no document, a parse error, an undefined alias). */
static yamlalias_verdict_t doc_read(ya_doc_t *d, const char *text, size_t len)
{
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p))
		return YAMLALIAS_NOMEM;
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	strmap_t anchors = { 0 };
	size_t *open = NULL, nopen = 0, capopen = 0;
	yamlalias_verdict_t v = YAMLALIAS_OK;
	bool done = false, bad = false;
	while (!done && !bad && v == YAMLALIAS_OK) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&p, &ev)) {
			v = p.error == YAML_MEMORY_ERROR ? YAMLALIAS_NOMEM : YAMLALIAS_OK;
			bad = true;
			break;
		}
		ya_node_t *n = NULL;
		const yaml_char_t *anchor = NULL;
		switch (ev.type) {
		case YAML_DOCUMENT_END_EVENT:
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_SCALAR_EVENT:
			if (!(n = doc_add(d, YA_SCALAR)))
				break;
			n->merge = is_merge(&ev);
			n->value = (char *)ev.data.scalar.value;     /* taken over from the event */
			n->len = ev.data.scalar.length;
			ev.data.scalar.value = NULL;
			anchor = ev.data.scalar.anchor;
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (!(n = doc_add(d, ev.type == YAML_MAPPING_START_EVENT ? YA_MAP : YA_SEQ)))
				break;
			/* yaml.v3 registers the anchor before the children: an alias inside may name it */
			anchor = ev.type == YAML_MAPPING_START_EVENT ? ev.data.mapping_start.anchor
			                                             : ev.data.sequence_start.anchor;
			if (!grow(&open, &capopen, nopen, sizeof *open)) {
				n = NULL;
				break;
			}
			open[nopen++] = d->len - 1;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (nopen)
				d->n[open[--nopen]].end = d->len;
			n = (ya_node_t *)1;      /* nothing new, not a failure */
			break;
		case YAML_ALIAS_EVENT: {
			size_t *t = strmap_find(&anchors, (const char *)ev.data.alias.anchor);
			if (!t) {
				bad = true;          /* the loader reports the undefined alias */
				n = (ya_node_t *)1;
				break;
			}
			if (!(n = doc_add(d, YA_ALIAS)))
				break;
			n->target = *t;
			n->mark = ev.start_mark;
			n->value = (char *)ev.data.alias.anchor;
			ev.data.alias.anchor = NULL;
			break;
		}
		default:
			n = (ya_node_t *)1;
			break;
		}
		if (!done && !n)
			v = YAMLALIAS_NOMEM;
		else if (anchor && !strmap_put(&anchors, (const char *)anchor, d->len - 1))
			v = YAMLALIAS_NOMEM;
		yaml_event_delete(&ev);
	}
	if (bad) {
		doc_free(d);
		*d = (ya_doc_t){ 0 };
	}
	free(open);
	strmap_free(&anchors);
	yaml_parser_delete(&p);
	return v;
}

/* ---- yaml.v3's decode walk ---- */

typedef enum ya_op { OP_DECODE, OP_ALIAS_END, OP_SEQ, OP_MAP, OP_MERGE } ya_op_t;

typedef struct ya_frame {
	ya_op_t op;
	int phase;
	size_t node, cur, key, val;
	bool has_merge;
	strmap_t *saved;         /* d.mergedFields to restore */
	strmap_t *own;           /* a mergedFields this merge made */
} ya_frame_t;

typedef struct ya_walk {
	ya_doc_t *d;
	ya_frame_t *st;
	size_t sp, cap;
	strmap_t *mf;            /* d.mergedFields */
	double decodes, aliased;
	double copied, copy_cap;  /* bytes copied through aliases, and nsprobe's bound on them */
	size_t alias_depth;
} ya_walk_t;

static bool push(ya_walk_t *w, size_t node)
{
	if (!grow(&w->st, &w->cap, w->sp, sizeof *w->st))
		return false;
	w->st[w->sp++] = (ya_frame_t){ .op = OP_DECODE, .node = node };
	return true;
}

/* The key's value as mergedFields holds it (an alias stands for its anchor's scalar). */
static const char *key_name(const ya_doc_t *d, size_t k)
{
	const ya_node_t *n = &d->n[k];
	if (n->kind == YA_ALIAS)
		n = &d->n[n->target];
	return n->kind == YA_SCALAR ? n->value : NULL;
}

static bool is_map_or_alias_to_map(const ya_doc_t *d, size_t i)
{
	const ya_node_t *n = &d->n[i];
	return n->kind == YA_MAP || (n->kind == YA_ALIAS && d->n[n->target].kind == YA_MAP);
}

/* One step of the state machine. Returns OK to go on; *stop is set when the walk is over. */
static yamlalias_verdict_t step(ya_walk_t *w, bool *stop, size_t *cycle)
{
	ya_doc_t *d = w->d;
	ya_frame_t *f = &w->st[w->sp - 1];
	ya_node_t *n = &d->n[f->node];
	switch (f->op) {
	case OP_DECODE:
		w->decodes++;
		if (w->alias_depth) {
			w->aliased++;
			w->copied += NODE_COST + (n->kind == YA_SCALAR ? (double)n->len : 0.0);
			if (w->copied > w->copy_cap)
				return YAMLALIAS_EXCESSIVE;
		}
		if (w->aliased > 100 && w->decodes > 1000 && w->aliased / w->decodes > allowed_alias_ratio(w->decodes))
			return YAMLALIAS_EXCESSIVE;
		switch (n->kind) {
		case YA_SCALAR:
			w->sp--;
			return YAMLALIAS_OK;
		case YA_ALIAS:
			if (n->active) {
				*cycle = f->node;
				return YAMLALIAS_CYCLE;
			}
			n->active = true;
			w->alias_depth++;
			f->op = OP_ALIAS_END;
			return push(w, n->target) ? YAMLALIAS_OK : YAMLALIAS_NOMEM;
		case YA_SEQ:
			f->op = OP_SEQ;
			f->cur = f->node + 1;
			return YAMLALIAS_OK;
		case YA_MAP:
			f->op = OP_MAP;
			f->phase = 0;
			f->cur = f->node + 1;
			f->saved = w->mf;
			w->mf = NULL;
			return YAMLALIAS_OK;
		}
		return YAMLALIAS_OK;
	case OP_ALIAS_END:
		n->active = false;
		w->alias_depth--;
		w->sp--;
		return YAMLALIAS_OK;
	case OP_SEQ:
		if (f->cur >= n->end) {
			w->sp--;
			return YAMLALIAS_OK;
		}
		{
			size_t c = f->cur;
			f->cur = d->n[c].end;
			return push(w, c) ? YAMLALIAS_OK : YAMLALIAS_NOMEM;
		}
	case OP_MAP:
		if (f->phase == 0) {          /* next key */
			if (f->cur >= n->end) {
				w->mf = f->saved;
				if (f->has_merge) {
					f->op = OP_MERGE;
					f->phase = 0;
				} else {
					w->sp--;
				}
				return YAMLALIAS_OK;
			}
			size_t k = f->cur, v = d->n[k].end;
			f->cur = d->n[v].end;
			if (d->n[k].kind == YA_SCALAR && d->n[k].merge) {
				f->has_merge = true;   /* the last `<<` wins, decoded after the other keys */
				f->val = v;
				return YAMLALIAS_OK;
			}
			f->key = k;        /* its value follows it: d->n[k].end */
			f->phase = 1;
			return push(w, k) ? YAMLALIAS_OK : YAMLALIAS_NOMEM;
		} else {                       /* the key is decoded: its value, unless merged over */
			f->phase = 0;
			size_t k = f->key, v = d->n[k].end;
			if (f->saved) {
				const char *name = key_name(d, k);
				if (name) {
					if (strmap_find(f->saved, name))
						return YAMLALIAS_OK;
					if (!strmap_put(f->saved, name, 1))
						return YAMLALIAS_NOMEM;
				}
			}
			return push(w, v) ? YAMLALIAS_OK : YAMLALIAS_NOMEM;
		}
	case OP_MERGE:
		switch (f->phase) {
		case 0:
			f->saved = w->mf;
			if (!w->mf) {
				f->own = calloc(1, sizeof *f->own);
				if (!f->own)
					return YAMLALIAS_NOMEM;
				w->mf = f->own;
				f->phase = 1;
				f->cur = f->node + 1;
			} else {
				f->phase = 2;
			}
			return YAMLALIAS_OK;
		case 1:                        /* the parent's keys seed mergedFields */
			if (f->cur >= n->end) {
				f->phase = 2;
				return YAMLALIAS_OK;
			}
			{
				size_t k = f->cur;
				f->cur = d->n[d->n[k].end].end;
				const char *name = key_name(d, k);
				if (name && !strmap_put(w->mf, name, 1))
					return YAMLALIAS_NOMEM;
				return push(w, k) ? YAMLALIAS_OK : YAMLALIAS_NOMEM;
			}
		case 2: {
			const ya_node_t *m = &d->n[f->val];
			if (m->kind == YA_SEQ) {
				f->phase = 3;
				f->cur = f->val + 1;
				return YAMLALIAS_OK;
			}
			if (!is_map_or_alias_to_map(d, f->val)) {
				*stop = true;          /* "map merge requires map or sequence of maps" */
				return YAMLALIAS_OK;
			}
			f->phase = 4;
			return push(w, f->val) ? YAMLALIAS_OK : YAMLALIAS_NOMEM;
		}
		case 3:
			if (f->cur >= d->n[f->val].end) {
				f->phase = 4;
				return YAMLALIAS_OK;
			}
			{
				size_t it = f->cur;
				f->cur = d->n[it].end;
				if (!is_map_or_alias_to_map(d, it)) {
					*stop = true;
					return YAMLALIAS_OK;
				}
				return push(w, it) ? YAMLALIAS_OK : YAMLALIAS_NOMEM;
			}
		default:
			w->mf = f->saved;
			strmap_free(f->own);
			free(f->own);
			w->sp--;
			return YAMLALIAS_OK;
		}
	}
	return YAMLALIAS_OK;
}

yamlalias_verdict_t yamlalias_check(const char *text, size_t len, char *anchor, size_t anchorlen,
                                    yaml_mark_t *mark)
{
	ya_doc_t d = { 0 };
	yamlalias_verdict_t v = doc_read(&d, text, len);
	if (v != YAMLALIAS_OK || d.len == 0)
		goto done;
	ya_walk_t w = { .d = &d, .decodes = 1 };    /* the document node itself */
	w.copy_cap = EXPAND_PER_BYTE * (double)len > EXPAND_FLOOR ? EXPAND_PER_BYTE * (double)len : EXPAND_FLOOR;
	size_t cycle = 0;
	bool stop = false;
	if (!push(&w, 0))
		v = YAMLALIAS_NOMEM;
	while (v == YAMLALIAS_OK && !stop && w.sp)
		v = step(&w, &stop, &cycle);
	if (v == YAMLALIAS_CYCLE) {
		if (anchorlen)
			snprintf(anchor, anchorlen, "%s", d.n[cycle].value);
		if (mark)
			*mark = d.n[cycle].mark;
	}
	for (size_t i = 0; i < w.sp; i++) {
		strmap_free(w.st[i].own);
		free(w.st[i].own);
	}
	free(w.st);
done:
	doc_free(&d);
	return v;
}
