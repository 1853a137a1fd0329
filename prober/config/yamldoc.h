/* yamldoc -- a libyaml document read as yaml.v3 3.0.1 reads it: scalars resolved to yaml.v3's tags,
 * mappings with `<<` merge keys resolved, and the first error written as blackbox prints it. Shared
 * by decode (the one walk: check and load) and config_dump (the debug and /config dumps). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

/* At most this many errors of one file are listed; then one line says more were found. Each line is
 * at most YAMLDOC_LINE_MAX - 1 bytes (a longer one is cut with "…"). */
#define YAMLDOC_MAX_ERRORS 20
#define YAMLDOC_LINE_MAX 1024

/* A document being read, and where its errors are written. */
typedef struct yamldoc {
	yaml_document_t *doc;
	const char *path;
	char *err;
	size_t errlen;
	bool failed;               /* an error was written (nerr > 0, or out of memory) */
	bool fatal;                /* an error yaml.v3 stops at (a bad merge): nothing more is read */
	size_t nerr;               /* errors met so far, listed or not */
	bool err_full;             /* err says "more errors not shown" (private) */
	bool oom;
	bool has_merge;            /* a `<<` key was resolved somewhere */
} yamldoc_t;

/* A mapping with `<<` merge keys resolved the way yaml.v3 3.0.1 resolves them. */
typedef struct yamldoc_kv {
	yaml_node_t *key, *value;
	bool explicit_key;         /* written in this mapping (not merged in) */
} yamldoc_kv_t;

typedef struct yamldoc_map {
	yamldoc_kv_t *kv;          /* in the order yaml.v3 first sets each key */
	size_t n, cap;
	size_t *idx, idxcap;       /* a hash index of kv (private) */
} yamldoc_map_t;

/* The tag yaml.v3 resolves a node to. */
typedef enum yamldoc_tag {
	YAMLDOC_NULL, YAMLDOC_BOOL, YAMLDOC_INT, YAMLDOC_FLOAT, YAMLDOC_TIMESTAMP, YAMLDOC_STR, YAMLDOC_MAP,
	YAMLDOC_SEQ,
} yamldoc_tag_t;

/* True when the walk must stop: out of memory, or an error yaml.v3 stops the whole decode at (its
 * failf: a merge of something that is not a mapping). Other errors are listed and the walk goes on;
 * stopping here also bounds the work a document of merges of a failing merge could cost. */
static inline bool yamldoc_stopped(const yamldoc_t *c)
{
	return c->oom || c->fatal;
}

/* yaml.v3's tag of node n (a quoted scalar is !!str; a plain one is resolved from its text). */
yamldoc_tag_t yamldoc_tag(const yaml_node_t *n);

/* Resolves node's mapping (merges included) into *m (zeroed by the caller, freed with
 * yamldoc_map_free). Returns false after writing the errors: keys written twice in one mapping (all
 * pairs, yaml.v3's uniqueKeys check: then nothing of it is read), a bad merge, a non-scalar key. */
bool yamldoc_map_build(yamldoc_t *c, yaml_node_t *node, yamldoc_map_t *m);
void yamldoc_map_free(yamldoc_map_t *m);
/* Sorts m->kv with cmp (qsort); yamldoc_map_get still works afterwards. */
void yamldoc_map_sort(yamldoc_map_t *m, int (*cmp)(const void *, const void *));
/* The value under `key`, or NULL. */
yaml_node_t *yamldoc_map_get(const yamldoc_map_t *m, const char *key);

/* The scalar's text (NULL for non-scalars). */
const char *yamldoc_scalar(const yaml_node_t *n);
/* True for a scalar that yaml.v3 resolves to null (plain "", ~, null, Null, NULL). */
bool yamldoc_is_null(const yaml_node_t *n);
/* yaml.v3's reading of a bool scalar; returns false if it is not one. */
bool yamldoc_bool_value(const yaml_node_t *n, bool *v);

/* yaml.v2 stringv: true when the string, written plain, would read back as non-string. */
bool yamldoc_needs_quotes_v2(const char *s);

/* Writes "error parsing config file: <path>:<line>:<col>: <key>: <reason>"; each later error adds a
 * line "\n  <path>:<line>:<col>: <key>: <reason>" (yaml.v3's layout of its error list), up to
 * YAMLDOC_MAX_ERRORS or what err holds, and then one line saying the rest are not shown. Callers go on
 * after an error wherever yaml.v3 would (decode.c says where), so one run names every mistake. */
void yamldoc_fail(yamldoc_t *c, const yaml_mark_t *mark, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* yaml.v3's terror for n under key: "cannot unmarshal !!int `5` into time.Duration" (long values cut
 * to 7 + "..."). */
void yamldoc_fail_type(yamldoc_t *c, const yaml_node_t *n, const char *key, const char *into);

/* ---- Appended in issue 13 (the functions above keep their behaviour) ----
 * Node accessors for rooms above config/, which hold nodes only as yamldoc_node_t handles and never
 * include <yaml.h> nor read libyaml's fields themselves; and yaml.v2 2.4's decoding, which
 * exporter-toolkit 0.8.2 applies to the --web.config.file (UnmarshalStrict) where it differs from
 * yaml.v3's above: null and the YAML 1.1 bool words are resolved on plain scalars only, a mapping's
 * pairs are read as written (no `<<` merge: webconfig has never resolved one, and issue 13 changes
 * no behaviour), keys are compared byte for byte, and the reasons are the web config's texts
 * ("file:line: key: reason" is the caller's). */

/* A node, to be handed back to yamldoc_* only. */
typedef yaml_node_t yamldoc_node_t;

/* The document's root node, or NULL for an empty document. */
yaml_node_t *yamldoc_root(const yamldoc_t *c);
/* The 1-based line where n starts. */
size_t yamldoc_line(const yaml_node_t *n);
/* The scalar's length in bytes: its text may hold NUL bytes ("\0" in double quotes); 0 for
 * non-scalars. */
size_t yamldoc_scalar_len(const yaml_node_t *n);
/* The number of items of a sequence node (0 for other nodes), and item i of it (NULL past the end). */
size_t yamldoc_seq_len(const yaml_node_t *n);
yaml_node_t *yamldoc_seq_get(const yamldoc_t *c, const yaml_node_t *n, size_t i);

/* yaml.v2 into a Go string: any scalar (yaml.v2 keeps the text of ints and bools), null as "".
 * Returns false with *out NULL and the reason in why: "cannot unmarshal !!seq into string", or "NUL
 * byte in value" (a C string cannot carry it). *out is borrowed from the document. */
bool yamldoc_string_v2(const yaml_node_t *n, const char **out, char *why, size_t whylen);
/* yaml.v2 into a Go bool: null is false; a plain scalar takes the YAML 1.1 and 1.2 words (y, yes,
 * on, true and their n/no/off/false twins, in three cases). Returns false with the reason in why
 * ("cannot unmarshal !!str `maybe` into bool"). */
bool yamldoc_bool_v2(const yaml_node_t *n, bool *out, char *why, size_t whylen);
/* yaml.v2 into a Go struct or map named gotype: true for a mapping or null (no pairs); else false
 * with the reason in why ("cannot unmarshal !!seq into web.Config"). */
bool yamldoc_expect_map_v2(const yaml_node_t *n, const char *gotype, char *why, size_t whylen);
/* yaml.v2 into a Go slice: true for a sequence or null (no items); else false with the reason. */
bool yamldoc_expect_seq_v2(const yaml_node_t *n, char *why, size_t whylen);

/* A mapping's pairs in the order written, as UnmarshalStrict meets them: each key must be a scalar
 * and must not repeat an earlier one. Keys are kept in a hash set, so a mapping of 100,000 users
 * costs one pass, not a comparison of every pair. */
typedef struct yamldoc_pairs_v2 {
	const yamldoc_t *c;
	const yaml_node_t *map;    /* NULL: no pairs (a null node) */
	size_t next;
	bool failed;
	const yaml_node_t **seen;  /* open-addressing set of the keys read so far (private) */
	size_t seencap;
} yamldoc_pairs_v2_t;

typedef enum yamldoc_pair_step {
	YAMLDOC_PAIR_END = 0,      /* no more pairs */
	YAMLDOC_PAIR_NEXT,         /* *k and *v are the next pair */
	YAMLDOC_PAIR_FAIL,         /* why says what; *k is the key at fault, or the mapping itself */
} yamldoc_pair_step_t;

/* Starts a walk over n, a mapping or null (see yamldoc_expect_map_v2); ends with _deinit. */
void yamldoc_pairs_v2_init(yamldoc_pairs_v2_t *it, const yamldoc_t *c, const yaml_node_t *n);
/* The next pair. On FAIL why holds "key \"x\" already set in map", "cannot unmarshal !!map into a
 * map key", "out of memory" or "broken YAML document"; later calls return FAIL again. */
yamldoc_pair_step_t yamldoc_pairs_v2_next(yamldoc_pairs_v2_t *it, yaml_node_t **k, yaml_node_t **v, char *why,
                                          size_t whylen);
void yamldoc_pairs_v2_deinit(yamldoc_pairs_v2_t *it);
