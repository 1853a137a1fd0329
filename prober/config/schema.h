/* schema -- blackbox_exporter 0.23's config types as tables: each section's keys in Go struct order,
 * their kinds, yaml tag flags and defaults. config_check walks a document against them; config_dump
 * prints a module from them. */
#pragma once

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
};

typedef struct schema schema_t;

typedef struct schema_field {
	const char *key;
	schema_kind_t kind;
	unsigned flags;
	const schema_t *sub;       /* SCHEMA_STRUCT / SCHEMA_STRUCTS */
	const char *def;           /* default as yaml.v2 prints it ("true", "64"), NULL = zero */
} schema_field_t;

struct schema {
	const char *go_type;          /* "config.plain", for "cannot unmarshal ... into <go_type>" */
	const char *list_type;        /* "[]config.QueryResponse" when used in a SCHEMA_STRUCTS */
	const schema_field_t *fields; /* in Go struct order (that is the dump order), ended by key NULL */
};

/* A module (config.Module); and the sections config_check validates beyond their keys. */
extern const schema_t schema_module;
extern const schema_t schema_dns;
extern const schema_t schema_http;
extern const schema_t schema_header_match;
extern const schema_t schema_icmp;
