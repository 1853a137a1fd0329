/* yamldoc -- a libyaml document read as yaml.v3 3.0.1 reads it: scalars resolved to yaml.v3's tags,
 * mappings with `<<` merge keys resolved, and the first error written as blackbox prints it. Shared
 * by decode (the one walk: check and load) and config_dump (the debug and /config dumps). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

/* A document being read, and where its first error is written. */
typedef struct yamldoc {
	yaml_document_t *doc;
	const char *path;
	char *err;
	size_t errlen;
	bool failed;
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

/* yaml.v3's tag of node n (a quoted scalar is !!str; a plain one is resolved from its text). */
yamldoc_tag_t yamldoc_tag(const yaml_node_t *n);

/* Resolves node's mapping (merges included) into *m (zeroed by the caller, freed with
 * yamldoc_map_free). is_struct selects yaml.v3's duplicate wording. Returns false after writing an error. */
bool yamldoc_map_build(yamldoc_t *c, yaml_node_t *node, bool is_struct, yamldoc_map_t *m);
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

/* Writes "error parsing config file: <path>:<line>:<col>: <key>: <reason>" (first error wins). */
void yamldoc_fail(yamldoc_t *c, const yaml_mark_t *mark, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* yaml.v3's terror for n under key: "cannot unmarshal !!int `5` into time.Duration" (long values cut
 * to 7 + "..."). */
void yamldoc_fail_type(yamldoc_t *c, const yaml_node_t *n, const char *key, const char *into);
