/* schema -- blackbox_exporter 0.23's config types as tables: each section's keys in Go struct order,
 * their kinds, yaml tag flags, defaults, and where a value lands in the snapshot. Every key of every
 * section is written here once: decode walks a document against these tables (the strict check and
 * the load), config_dump prints a module from them, and decode frees what it landed by them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Field kinds, named after the Go types they stand for (the names appear in error messages). */
typedef enum schema_kind {
	SCHEMA_STR,      /* string: any scalar */
	SCHEMA_BOOL,     /* bool: yaml.v3 rules (true/false words plus YAML 1.1 y/yes/on/n/no/off) */
	SCHEMA_INT,      /* int */
	SCHEMA_DUR,      /* time.Duration: a string for time.ParseDuration */
	SCHEMA_STRS,     /* []string */
	SCHEMA_INTS,     /* []int */
	SCHEMA_STRMAP,   /* map[string]string */
	SCHEMA_STRUCT,   /* a nested struct (sub) */
	SCHEMA_STRUCTS,  /* a list of structs (sub) */
	SCHEMA_TLSVER,   /* common TLSVersion: TLS10..TLS13 */
	SCHEMA_SECRET,   /* common Secret: a string printed as <secret> */
	SCHEMA_HEADER,   /* common Header: map[string][]Secret */
} schema_kind_t;

enum {
	SCHEMA_KEEP = 1 << 0,   /* no omitempty in the yaml tag: printed even when zero */
	SCHEMA_PTR  = 1 << 1,   /* a pointer to a struct: printed when present, even if zero */
	SCHEMA_HIDE = 1 << 2,   /* accepted but never printed (http no_follow_redirects) */
	SCHEMA_REGEX = 1 << 3,  /* SCHEMA_STRS of Go regexps: lands as a validate_list_t of compiled patterns */
};

/* Where a value lands: SCHEMA_AT(type, member) is the member's offset plus one, so that 0 (a field
 * the table does not give) means "checked, not kept". The landing type follows the kind:
 *   STR, SECRET, TLSVER: char * (NULL when absent or null)   BOOL: bool   INT: int64_t
 *   DUR: int64_t nanoseconds   STRS: config_strs_t (or validate_list_t with SCHEMA_REGEX)
 *   STRUCT: the nested struct's keys land at their own offsets from there; SCHEMA_HERE lands them
 *   in the same struct as their parent's keys (nsprobe's edns: and dnssec: blocks).
 * Other kinds are checked only. */
#define SCHEMA_AT(type, member) (offsetof(type, member) + 1)
#define SCHEMA_HERE ((size_t)1)

typedef struct schema schema_t;
typedef struct yamldoc yamldoc_t;
typedef struct yaml_node_s yaml_node_t;

/* The rules blackbox's UnmarshalYAML methods add to a key beyond its kind, run after the struct's
 * keys decoded cleanly, in this order: every `must` of the struct, then every `check` in table order
 * (DNSProbe's order: query name, class, type). */
typedef struct schema_rule {
	const char *must;      /* the error when the key is absent, null or "" (NULL: optional) */
	bool (*check)(yamldoc_t *c, yaml_node_t *v, const char *key);   /* a non-null value; false
	                                                                       after writing an error */
} schema_rule_t;

typedef struct schema_field {
	const char *key;
	schema_kind_t kind;
	unsigned flags;
	const schema_t *sub;       /* SCHEMA_STRUCT / SCHEMA_STRUCTS */
	const char *def;           /* default as yaml.v2 prints it ("true", "64"), NULL = zero */
	size_t at;                 /* SCHEMA_AT(...) where the value lands, 0 = nowhere */
	size_t set_at;             /* SCHEMA_AT(...) of a bool set when the key has a non-null value */
	const schema_rule_t *rule; /* blackbox's load-time validation of the key, or NULL */
} schema_field_t;

/* Two keys of a struct that may not both be set (non-null, not ""), and blackbox's error when they
 * are (common's HTTPClientConfig.Validate). Checked after the rules, in table order. */
typedef struct schema_excl {
	const char *a, *b, *msg;
} schema_excl_t;

struct schema {
	const char *go_type;          /* "config.plain", for "cannot unmarshal ... into <go_type>"; NULL for
	                                 nsprobe's own sections (their messages name the section) */
	const char *list_type;        /* "[]config.QueryResponse" when used in a SCHEMA_STRUCTS */
	const schema_field_t *fields; /* in Go struct order (that is the dump order), ended by key NULL */
	const schema_excl_t *exclusive;   /* ended by a NULL a; NULL: none */
};

/* A module (config.Module, landing in config_module_t); and the sections decode checks with code beyond
 * their keys. */
extern const schema_t schema_module;
extern const schema_t schema_http;
extern const schema_t schema_header_match;
