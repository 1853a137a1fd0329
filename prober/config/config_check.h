/* config_check -- pass 1 of the config loader (a yaml.v3-strict walk of the libyaml document), and
 * what config.c and config_dump.c share with it: the document, its merge-resolved mappings, and the
 * schema of blackbox_exporter 0.23's config types. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

/* Field kinds, named after the Go types they stand for (the names appear in error messages). */
typedef enum cfgk {
	CFGK_STR,      /* string: any scalar */
	CFGK_BOOL,     /* bool: yaml.v3 rules (true/false words plus YAML 1.1 y/yes/on/n/no/off) */
	CFGK_INT,      /* int */
	CFGK_DUR,      /* time.Duration: a string for time.ParseDuration */
	CFGK_STRS,     /* []string */
	CFGK_INTS,     /* []int */
	CFGK_STRMAP,   /* map[string]string */
	CFGK_STRUCT,   /* a nested struct (sub) */
	CFGK_STRUCTS,  /* a list of structs (sub) */
	CFGK_TLSVER,   /* common TLSVersion: TLS10..TLS13 */
	CFGK_SECRET,   /* common Secret: a string printed as <secret> */
	CFGK_HEADER,   /* common Header: map[string][]Secret */
} cfgk_t;

enum {
	CFGF_KEEP = 1 << 0,   /* no omitempty in the yaml tag: printed even when zero */
	CFGF_PTR  = 1 << 1,   /* a pointer to a struct: printed when present, even if zero */
	CFGF_HIDE = 1 << 2,   /* accepted but never printed (http no_follow_redirects) */
};

typedef struct cfg_schema cfg_schema_t;

typedef struct cfg_field {
	const char *key;
	cfgk_t kind;
	unsigned flags;
	const cfg_schema_t *sub;   /* CFGK_STRUCT / CFGK_STRUCTS */
	const char *def;           /* default as yaml.v2 prints it ("true", "64"), NULL = zero */
} cfg_field_t;

struct cfg_schema {
	const char *go_type;       /* "config.plain", for "cannot unmarshal ... into <go_type>" */
	const char *list_type;     /* "[]config.QueryResponse" when used in a CFGK_STRUCTS */
	const cfg_field_t *fields; /* in Go struct order (that is the dump order), ended by key NULL */
};

extern const cfg_schema_t cfg_schema_module;
extern const cfg_schema_t cfg_schema_dns;

/* A mapping with `<<` merge keys resolved the way yaml.v3 3.0.1 resolves them. */
typedef struct cfg_kv {
	yaml_node_t *key, *value;
	bool explicit_key;         /* written in this mapping (not merged in) */
} cfg_kv_t;

typedef struct cfg_map {
	cfg_kv_t *kv;              /* in the order yaml.v3 first sets each key */
	size_t n, cap;
	size_t *idx, idxcap;       /* a hash index of kv (private) */
} cfg_map_t;

/* Pass-1 state: the first document, and where the first error is written. */
typedef struct cfg_check {
	yaml_document_t *doc;
	const char *path;
	char *err;
	size_t errlen;
	bool failed;
	bool oom;
	bool has_merge;            /* a `<<` key was resolved somewhere */
} cfg_check_t;

/* Resolves node's mapping (merges included) into *m (zeroed by the caller, freed with cfg_map_free).
 * is_struct selects yaml.v3's duplicate wording. Returns false after writing an error. */
bool cfg_map_build(cfg_check_t *c, yaml_node_t *node, bool is_struct, cfg_map_t *m);
void cfg_map_free(cfg_map_t *m);
/* Sorts m->kv with cmp (qsort); cfg_map_get still works afterwards. */
void cfg_map_sort(cfg_map_t *m, int (*cmp)(const void *, const void *));
/* The value under `key`, or NULL. */
yaml_node_t *cfg_map_get(const cfg_map_t *m, const char *key);

/* The scalar's text (NULL for non-scalars). */
const char *cfg_scalar(const yaml_node_t *n);
/* True for a scalar that yaml.v3 resolves to null (plain "", ~, null, Null, NULL). */
bool cfg_is_null(const yaml_node_t *n);
/* yaml.v3's reading of a bool scalar; returns false if it is not one. */
bool cfg_bool_value(const yaml_node_t *n, bool *v);

/* yaml.v2 stringv: true when the string, written plain, would read back as non-string. */
bool cfg_needs_quotes_v2(const char *s);

/* Writes "error parsing config file: <path>:<line>:<col>: <key>: <reason>" (first error wins). */
void cfg_fail(cfg_check_t *c, const yaml_mark_t *mark, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Pass 1 over the whole document: strict keys, scalar kinds, blackbox's load-time validation.
 * root may be NULL (null document). Returns false after writing an error. */
bool cfg_check_document(cfg_check_t *c, yaml_node_t *root);

/* The yaml.v2 dump of one module as blackbox 0.23's debug output prints it. node is the module's
 * value (NULL or null for a null module). Returns a malloc'd string or NULL when out of memory. */
char *cfg_dump_module(cfg_check_t *c, yaml_node_t *node);

/* Re-emits the document with merges resolved (for libcyaml, which has no merge keys). Returns a
 * malloc'd text and its length, or NULL when out of memory. */
char *cfg_emit_resolved(cfg_check_t *c, yaml_node_t *root, size_t *len);
