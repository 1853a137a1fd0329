/* config -- blackbox.yml into an immutable, reference-counted snapshot, validated as
 * blackbox_exporter 0.23 validates it, with errors that name file, line, column and key. */
#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "check/validate.h"
#include "config/tlscreds.h"
#include "dns/ds.h"
#include "dns/target.h"

/* A []string as written. */
typedef struct config_strs {
	char **v;
	size_t n;
} config_strs_t;

/* prometheus/common TLSConfig as blackbox 0.23 accepts it (used by dns_over_tls). */
typedef struct config_tls {
	char *ca_file, *cert_file, *key_file, *server_name;   /* NULL when absent */
	bool insecure_skip_verify;
	char *min_version, *max_version;                       /* "TLS10".."TLS13" or NULL */
} config_tls_t;

typedef struct config_dns {
	char *query_name;            /* as written (NULL when the dns: block was absent or null) */
	uint16_t query_type;         /* default ANY (255) */
	uint16_t query_class;        /* default IN (1) */
	char *query_type_name;       /* as written, NULL when defaulted */
	char *query_class_name;      /* as written, NULL when defaulted */
	bool recursion_desired;      /* default true */
	char *transport_protocol;    /* as written, NULL when absent (probe: "" -> udp; else must be udp|tcp) */
	bool dns_over_tls;
	config_tls_t tls_config;
	tlscreds_t *tls_creds;       /* with dns_over_tls: tls_config's credentials, built at load (one
	                                reference; shared by modules naming the same files); it holds
	                                blackbox's reason when they could not be built. Else NULL. */
	char *preferred_ip_protocol; /* as written, NULL when absent ("" or ip6 -> ip6; anything else ip4) */
	bool ip_protocol_fallback;   /* default true */
	char *source_ip_address;     /* as written, NULL when absent (checked at probe time) */
	config_strs_t valid_rcodes;  /* as written */
	bool valid_rcodes_set;       /* false when absent or null: then only NOERROR is valid */
	validate_rules_t validate_answer_rrs;
	validate_rules_t validate_authority_rrs;
	validate_rules_t validate_additional_rrs;
	/* nsprobe's extensions (absent in blackbox configs, so their output stays blackbox's) */
	bool edns;                   /* send an OPT record (an `edns:` block, or dnssec.validate) */
	int64_t edns_udp_size;       /* 512..4096, default 1232 */
	bool edns_do;                /* DO bit (implied by dnssec.validate) */
	bool edns_nsid;              /* ask for the server's NSID */
	bool dnssec_validate;        /* check the answer's RRSIGs against the zone's DNSKEY set */
	int64_t dnssec_min_validity_ns;  /* fail when the earliest RRSIG expires sooner than this */
	config_strs_t dnssec_ds;     /* dnssec.ds as written: the parent's DS records */
	char *dnssec_ds_from;        /* dnssec.ds_from as written: "resolver" or ip[:port]; NULL */
	bool dnssec_key_info;        /* dnssec.key_info: one probe_dnssec_key_info series per key */
	dnssec_ds_t *ds;             /* dnssec.ds read (n_ds of them); owned */
	size_t n_ds;
	bool ds_from_resolver;       /* ds_from: resolver */
	target_ip_t ds_from_ip;      /* ds_from: ip[:port] */
	uint16_t ds_from_port;
	bool tcp_on_truncation;      /* retry over TCP when the UDP answer has TC set */
	bool extensions;             /* any of the above: the module gets nsprobe's extra metrics */
} config_dns_t;

typedef struct config_module {
	char *name;
	char *prober;                /* as written; NULL when absent (0.23 does not validate it) */
	int64_t timeout_ns;          /* 0 when absent */
	config_dns_t dns;
	char *debug_yaml;            /* the module as blackbox 0.23's debug output prints it (yaml.v2 dump
	                                with defaults: prober, timeout, http, tcp, icmp, dns blocks) */
} config_module_t;

typedef struct config {
	atomic_uint refs;
	char *path;
	config_module_t *modules;    /* in file order */
	size_t n_modules;
} config_t;

/* Loads and validates `path`. On success *out is a new snapshot with one reference. On failure returns
 * NSP_ECONFIG (or NSP_ENOMEM) and writes one message into err[0..errlen) in the form
 *   "error parsing config file: <path>:<line>:<column>: <key>: <reason>"
 * (blackbox's prefix, then where and what: e.g. "…: blackbox.yml:6:7: qeury_type: field not found";
 * reasons use blackbox's wording where it has one: "query name must be set for DNS module",
 * "query type 'a' is not valid", "cannot unmarshal !!str `5` into time.Duration", ...), or
 * "error reading config file: open <path>: No such file or directory". A file with several mistakes
 * gets one such "<path>:<line>:<column>: <key>: <reason>" line per mistake, each after "\n  ", in
 * document order, up to 20 and as many as err holds, then "\n  (more errors not shown)". A line is at
 * most 1 KB (a longer one is cut on a UTF-8 boundary with "…"), so CONFIG_ERRLEN holds all 20. */
#define CONFIG_ERRLEN (20 * 1024 + 64)
int config_load(const char *path, config_t **out, char *err, size_t errlen);

/* Same, from text in memory; `name` is used in messages. */
int config_load_text(const char *name, const char *text, size_t len, config_t **out, char *err,
                     size_t errlen);

/* Reads d->dnssec_ds_from into d->ds_from_resolver or d->ds_from_ip and _port (53 when not
 * written). Returns false when it is neither "resolver" nor an IP address with an optional port. */
bool config_ds_from(config_dns_t *d);

/* The module called `name`, or NULL. Valid while the caller holds a reference. */
const config_module_t *config_module_get(const config_t *c, const char *name);

/* Reference counting; safe from any thread. config_unref frees at zero and accepts NULL. */
config_t *config_ref(config_t *c);
void config_unref(config_t *c);
