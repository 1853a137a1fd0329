/* schema -- the tables of blackbox_exporter 0.23's config types (config/config.go v0.23.0 and
 * prometheus/common 0.39.0), fields in Go order, with where the DNS prober's values land.
 *
 * Why these tables and not libcyaml's field tables (libcyaml 1.3.1, reference/peers-and-libs.md B.3):
 * a cyaml_schema_field_t carries a key, a C type and an offset, and this table needs those and more.
 * libcyaml cannot do what yaml.v3 does with the same file, so using it meant a second parse that had
 * to be corrected by the first:
 *  - scalars: its bool is true for any word but false/no/off ("flase" loads as true), its ints take
 *    trailing junk ("1232bytes"); yaml.v3 refuses both, and a quoted "null" is a string there;
 *  - `<<` merge keys are unknown to it, and it reads text, not a parsed document, so merges had to be
 *    resolved and the document re-emitted for it (the non-ASCII bug of issue 12 was born there);
 *  - errors point at the enclosing value, not the key yaml.v3 blames, and come as a log backtrace;
 *  - no defaults, no Go type names for "cannot unmarshal … into …", no yaml.v2 dump flags;
 *  - map keys chosen by the user (`modules:`) need a schema built at run time.
 * So decode walks libyaml's document (libyaml is what libcyaml itself parses with) against this one
 * table, judging, landing and freeing each key from the same row. */
#include "config/schema.h"

#include <stddef.h>

#include <stdint.h>
#include <stdlib.h>

#include "check/validate.h"
#include "config/config.h"
#include "config/yamldoc.h"
#include "dns/dnstab.h"
#include "dns/ds.h"

/* where each DNS key lands (schema.h, SCHEMA_AT) */
#define TLS(member) SCHEMA_AT(config_tls_t, member)
#define RRV(member) SCHEMA_AT(validate_rules_t, member)
#define DNS(member) SCHEMA_AT(config_dns_t, member)
#define MOD(member) SCHEMA_AT(config_module_t, member)

/* ---- blackbox's load-time rules (UnmarshalYAML) ---- */

/* config.DNSProbe.UnmarshalYAML: the class and type must be names miekg/dns knows ("" is allowed). */
static bool check_mnemonic(yamldoc_t *c, yaml_node_t *v, const char *key, const char *what,
                           bool (*known)(const char *name, uint16_t *out))
{
	uint16_t u;
	if (!yamldoc_scalar(v)[0] || known(yamldoc_scalar(v), &u))
		return true;
	yamldoc_fail(c, &v->start_mark, key, "query %s '%s' is not valid", what, yamldoc_scalar(v));
	return false;
}

static bool check_query_class(yamldoc_t *c, yaml_node_t *v, const char *key)
{
	return check_mnemonic(c, v, key, "class", dnstab_class_from_name);
}

static bool check_query_type(yamldoc_t *c, yaml_node_t *v, const char *key)
{
	return check_mnemonic(c, v, key, "type", dnstab_type_from_name);
}

/* An int in [lo, hi]; the reasons are formats that may print the value (%lld). */
static bool check_range(yamldoc_t *c, yaml_node_t *v, const char *key, long long lo, long long hi,
                        const char *below, const char *above)
{
	long long n = strtoll(yamldoc_scalar(v), NULL, 0);
	if (n >= lo && n <= hi)
		return true;
	yamldoc_fail(c, &v->start_mark, key, n < lo ? below : above, n);
	return false;
}

/* nsprobe's edns.udp_size. 4096: c-ares 1.18 reads UDP answers into a 4097-byte buffer
 * (peers-and-libs.md B.1.3). */
static bool check_udp_size(yamldoc_t *c, yaml_node_t *v, const char *key)
{
	const char *why = "edns udp_size must be between 512 and 4096, not %lld";
	return check_range(c, v, key, 512, 4096, why, why);
}

/* config.ICMPProbe.UnmarshalYAML */
static bool check_ttl(yamldoc_t *c, yaml_node_t *v, const char *key)
{
	return check_range(c, v, key, 0, 255, "\"ttl\" cannot be negative", "\"ttl\" cannot exceed 255");
}

/* dnssec.ds: each item a DS record as registrars print it (dns/ds). */
static bool check_ds(yamldoc_t *c, yaml_node_t *v, const char *key)
{
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *e = yaml_document_get_node(c->doc, *it);
		ds_record_t ds;
		const char *why = NULL;
		if (!yamldoc_is_null(e) && ds_parse(yamldoc_scalar(e), &ds, &why) != 0) {
			yamldoc_fail(c, &e->start_mark, key, "cannot read the DS record \"%s\": %s", yamldoc_scalar(e), why);
			return false;
		}
	}
	return true;
}

/* dnssec.ds_from: "resolver" (--target.resolver, else the system's), or a server of the parent
 * zone as an IP address with an optional port. */
static bool check_ds_from(yamldoc_t *c, yaml_node_t *v, const char *key)
{
	config_dns_t d = { .dnssec_ds_from = (char *)yamldoc_scalar(v) };
	if (config_ds_from(&d))
		return true;
	yamldoc_fail(c, &v->start_mark, key, "ds_from must be \"resolver\" or an IP address with an optional port, "
	             "not \"%s\"", yamldoc_scalar(v));
	return false;
}

static const schema_rule_t ds_rule = { NULL, check_ds };
static const schema_rule_t ds_from_rule = { NULL, check_ds_from };
static const schema_rule_t query_name_rule = { "query name must be set for DNS module", NULL };
static const schema_rule_t query_class_rule = { NULL, check_query_class };
static const schema_rule_t query_type_rule = { NULL, check_query_type };
static const schema_rule_t udp_size_rule = { NULL, check_udp_size };
static const schema_rule_t ttl_rule = { NULL, check_ttl };

static const schema_field_t tls_fields[] = {
	{ "ca_file", SCHEMA_STR, 0, NULL, NULL, TLS(ca_file), 0, NULL },
	{ "cert_file", SCHEMA_STR, 0, NULL, NULL, TLS(cert_file), 0, NULL },
	{ "key_file", SCHEMA_STR, 0, NULL, NULL, TLS(key_file), 0, NULL },
	{ "server_name", SCHEMA_STR, 0, NULL, NULL, TLS(server_name), 0, NULL },
	{ "insecure_skip_verify", SCHEMA_BOOL, SCHEMA_KEEP, NULL, NULL, TLS(insecure_skip_verify), 0, NULL },
	{ "min_version", SCHEMA_TLSVER, 0, NULL, NULL, TLS(min_version), 0, NULL },
	{ "max_version", SCHEMA_TLSVER, 0, NULL, NULL, TLS(max_version), 0, NULL },
	{ NULL, 0, 0, NULL, NULL, 0, 0, NULL },
};
static const schema_t tls_schema = { "config.plain", NULL, tls_fields, NULL };

static const schema_field_t rrv_fields[] = {
	{ "fail_if_matches_regexp", SCHEMA_STRS, SCHEMA_REGEX, NULL, NULL, RRV(fail_if_matches_regexp), 0, NULL },
	{ "fail_if_all_match_regexp", SCHEMA_STRS, SCHEMA_REGEX, NULL, NULL, RRV(fail_if_all_match_regexp), 0, NULL },
	{ "fail_if_not_matches_regexp", SCHEMA_STRS, SCHEMA_REGEX, NULL, NULL, RRV(fail_if_not_matches_regexp), 0, NULL },
	{ "fail_if_none_matches_regexp", SCHEMA_STRS, SCHEMA_REGEX, NULL, NULL, RRV(fail_if_none_matches_regexp), 0, NULL },
	{ NULL, 0, 0, NULL, NULL, 0, 0, NULL },
};
static const schema_t rrv_schema = { "config.plain", NULL, rrv_fields, NULL };

/* nsprobe's extensions (issue #6); blackbox_exporter has none of these keys. */
static const schema_field_t edns_fields[] = {
	{ "udp_size", SCHEMA_INT, 0, NULL, NULL, DNS(edns_udp_size), 0, &udp_size_rule },
	{ "do", SCHEMA_BOOL, 0, NULL, NULL, DNS(edns_do), 0, NULL },
	{ "nsid", SCHEMA_BOOL, 0, NULL, NULL, DNS(edns_nsid), 0, NULL },
	{ NULL, 0, 0, NULL, NULL, 0, 0, NULL },
};
static const schema_t edns_schema = { "config.plain", NULL, edns_fields, NULL };

static const schema_field_t dnssec_fields[] = {
	{ "validate", SCHEMA_BOOL, 0, NULL, NULL, DNS(dnssec_validate), 0, NULL },
	{ "min_validity", SCHEMA_DUR, 0, NULL, NULL, DNS(dnssec_min_validity_ns), 0, NULL },
	{ "ds", SCHEMA_STRS, 0, NULL, NULL, DNS(dnssec_ds), 0, &ds_rule },
	{ "ds_from", SCHEMA_STR, 0, NULL, NULL, DNS(dnssec_ds_from), 0, &ds_from_rule },
	{ "key_info", SCHEMA_BOOL, 0, NULL, NULL, DNS(dnssec_key_info), 0, NULL },
	{ NULL, 0, 0, NULL, NULL, 0, 0, NULL },
};
static const schema_excl_t dnssec_exclusive[] = {
	{ "ds", "ds_from", "dnssec.ds and dnssec.ds_from are exclusive: list the parent's DS or fetch it" },
	{ NULL, NULL, NULL },
};
static const schema_t dnssec_schema = { "config.plain", NULL, dnssec_fields, dnssec_exclusive };

static const schema_field_t dns_fields[] = {
	{ "preferred_ip_protocol", SCHEMA_STR, 0, NULL, NULL, DNS(preferred_ip_protocol), 0, NULL },
	{ "ip_protocol_fallback", SCHEMA_BOOL, 0, NULL, "true", DNS(ip_protocol_fallback), 0, NULL },
	{ "dns_over_tls", SCHEMA_BOOL, 0, NULL, NULL, DNS(dns_over_tls), 0, NULL },
	{ "tls_config", SCHEMA_STRUCT, 0, &tls_schema, NULL, DNS(tls_config), 0, NULL },
	{ "source_ip_address", SCHEMA_STR, 0, NULL, NULL, DNS(source_ip_address), 0, NULL },
	{ "transport_protocol", SCHEMA_STR, 0, NULL, NULL, DNS(transport_protocol), 0, NULL },
	{ "query_class", SCHEMA_STR, 0, NULL, NULL, DNS(query_class_name), 0, &query_class_rule },
	{ "query_name", SCHEMA_STR, 0, NULL, NULL, DNS(query_name), 0, &query_name_rule },
	{ "query_type", SCHEMA_STR, 0, NULL, NULL, DNS(query_type_name), 0, &query_type_rule },
	{ "recursion_desired", SCHEMA_BOOL, 0, NULL, "true", DNS(recursion_desired), 0, NULL },
	{ "valid_rcodes", SCHEMA_STRS, 0, NULL, NULL, DNS(valid_rcodes), DNS(valid_rcodes_set), NULL },
	{ "validate_answer_rrs", SCHEMA_STRUCT, 0, &rrv_schema, NULL, DNS(validate_answer_rrs), 0, NULL },
	{ "validate_authority_rrs", SCHEMA_STRUCT, 0, &rrv_schema, NULL, DNS(validate_authority_rrs), 0, NULL },
	{ "validate_additional_rrs", SCHEMA_STRUCT, 0, &rrv_schema, NULL, DNS(validate_additional_rrs), 0, NULL },
	{ "edns", SCHEMA_STRUCT, 0, &edns_schema, NULL, SCHEMA_HERE, DNS(edns), NULL },
	{ "dnssec", SCHEMA_STRUCT, 0, &dnssec_schema, NULL, SCHEMA_HERE, 0, NULL },
	{ "tcp_on_truncation", SCHEMA_BOOL, 0, NULL, NULL, DNS(tcp_on_truncation), 0, NULL },
	{ NULL, 0, 0, NULL, NULL, 0, 0, NULL },
};
static const schema_t dns_schema = { "config.plain", NULL, dns_fields, NULL };

static const schema_field_t basic_auth_fields[] = {
	{ "username", SCHEMA_STR, SCHEMA_KEEP, NULL, NULL, 0, 0, NULL },
	{ "password", SCHEMA_SECRET, 0, NULL, NULL, 0, 0, NULL },
	{ "password_file", SCHEMA_STR, 0, NULL, NULL, 0, 0, NULL },
	{ NULL, 0, 0, NULL, NULL, 0, 0, NULL },
};
static const schema_t basic_auth_schema = { "config.BasicAuth", NULL, basic_auth_fields, NULL };

static const schema_field_t authorization_fields[] = {
	{ "type", SCHEMA_STR, 0, NULL, NULL, 0, 0, NULL },
	{ "credentials", SCHEMA_SECRET, 0, NULL, NULL, 0, 0, NULL },
	{ "credentials_file", SCHEMA_STR, 0, NULL, NULL, 0, 0, NULL },
	{ NULL, 0, 0, NULL, NULL, 0, 0, NULL },
};
static const schema_t authorization_schema = { "config.Authorization", NULL, authorization_fields, NULL };

static const schema_field_t oauth2_fields[] = {
	{ "client_id", SCHEMA_STR, SCHEMA_KEEP, NULL, NULL, 0, 0, NULL },
	{ "client_secret", SCHEMA_SECRET, SCHEMA_KEEP, NULL, NULL, 0, 0, NULL },
	{ "client_secret_file", SCHEMA_STR, SCHEMA_KEEP, NULL, NULL, 0, 0, NULL },
	{ "scopes", SCHEMA_STRS, 0, NULL, NULL, 0, 0, NULL },
	{ "token_url", SCHEMA_STR, SCHEMA_KEEP, NULL, NULL, 0, 0, NULL },
	{ "endpoint_params", SCHEMA_STRMAP, 0, NULL, NULL, 0, 0, NULL },
	{ "proxy_url", SCHEMA_STR, 0, NULL, NULL, 0, 0, NULL },
	{ "tls_config", SCHEMA_STRUCT, 0, &tls_schema, NULL, 0, 0, NULL },
	{ NULL, 0, 0, NULL, NULL, 0, 0, NULL },
};
static const schema_t oauth2_schema = { "config.plain", NULL, oauth2_fields, NULL };

static const schema_field_t header_match_fields[] = {
	{ "header", SCHEMA_STR, 0, NULL, NULL, 0, 0, NULL },
	{ "regexp", SCHEMA_STR, 0, NULL, NULL, 0, 0, NULL },
	{ "allow_missing", SCHEMA_BOOL, 0, NULL, NULL, 0, 0, NULL },
	{ NULL, 0, 0, NULL, NULL, 0, 0, NULL },
};
const schema_t schema_header_match = { "config.plain", "[]config.HeaderMatch",
                                                  header_match_fields, NULL };

static const schema_field_t http_fields[] = {
	{ "valid_status_codes", SCHEMA_INTS, 0, NULL, NULL, 0, 0, NULL },
	{ "valid_http_versions", SCHEMA_STRS, 0, NULL, NULL, 0, 0, NULL },
	{ "preferred_ip_protocol", SCHEMA_STR, 0, NULL, NULL, 0, 0, NULL },
	{ "ip_protocol_fallback", SCHEMA_BOOL, 0, NULL, "true", 0, 0, NULL },
	{ "skip_resolve_phase_with_proxy", SCHEMA_BOOL, 0, NULL, NULL, 0, 0, NULL },
	{ "no_follow_redirects", SCHEMA_BOOL, SCHEMA_HIDE, NULL, NULL, 0, 0, NULL },
	{ "fail_if_ssl", SCHEMA_BOOL, 0, NULL, NULL, 0, 0, NULL },
	{ "fail_if_not_ssl", SCHEMA_BOOL, 0, NULL, NULL, 0, 0, NULL },
	{ "method", SCHEMA_STR, 0, NULL, NULL, 0, 0, NULL },
	{ "headers", SCHEMA_STRMAP, 0, NULL, NULL, 0, 0, NULL },
	{ "fail_if_body_matches_regexp", SCHEMA_STRS, 0, NULL, NULL, 0, 0, NULL },
	{ "fail_if_body_not_matches_regexp", SCHEMA_STRS, 0, NULL, NULL, 0, 0, NULL },
	{ "fail_if_header_matches", SCHEMA_STRUCTS, 0, &schema_header_match, NULL, 0, 0, NULL },
	{ "fail_if_header_not_matches", SCHEMA_STRUCTS, 0, &schema_header_match, NULL, 0, 0, NULL },
	{ "body", SCHEMA_STR, 0, NULL, NULL, 0, 0, NULL },
	/* inline common HTTPClientConfig */
	{ "basic_auth", SCHEMA_STRUCT, SCHEMA_PTR, &basic_auth_schema, NULL, 0, 0, NULL },
	{ "authorization", SCHEMA_STRUCT, SCHEMA_PTR, &authorization_schema, NULL, 0, 0, NULL },
	{ "oauth2", SCHEMA_STRUCT, SCHEMA_PTR, &oauth2_schema, NULL, 0, 0, NULL },
	{ "bearer_token", SCHEMA_SECRET, 0, NULL, NULL, 0, 0, NULL },
	{ "bearer_token_file", SCHEMA_STR, 0, NULL, NULL, 0, 0, NULL },
	{ "proxy_url", SCHEMA_STR, 0, NULL, NULL, 0, 0, NULL },
	{ "proxy_connect_header", SCHEMA_HEADER, 0, NULL, NULL, 0, 0, NULL },
	{ "tls_config", SCHEMA_STRUCT, 0, &tls_schema, NULL, 0, 0, NULL },
	{ "follow_redirects", SCHEMA_BOOL, SCHEMA_KEEP, NULL, "true", 0, 0, NULL },
	{ "enable_http2", SCHEMA_BOOL, SCHEMA_KEEP, NULL, "true", 0, 0, NULL },
	/* end of inline */
	{ "compression", SCHEMA_STR, 0, NULL, NULL, 0, 0, NULL },
	{ "body_size_limit", SCHEMA_STR, 0, NULL, NULL, 0, 0, NULL },
	{ NULL, 0, 0, NULL, NULL, 0, 0, NULL },
};
/* common's HTTPClientConfig.Validate (prometheus/common 0.39.0 config/http_config.go) */
static const schema_excl_t http_exclusive[] = {
	{ "bearer_token", "bearer_token_file", "at most one of bearer_token & bearer_token_file must be configured" },
	{ "basic_auth", "bearer_token",
	  "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured" },
	{ "basic_auth", "bearer_token_file",
	  "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured" },
	{ "basic_auth", "oauth2",
	  "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured" },
	{ "authorization", "bearer_token", "authorization is not compatible with bearer_token & bearer_token_file" },
	{ "authorization", "bearer_token_file",
	  "authorization is not compatible with bearer_token & bearer_token_file" },
	{ "authorization", "basic_auth", "at most one of basic_auth, oauth2 & authorization must be configured" },
	{ "authorization", "oauth2", "at most one of basic_auth, oauth2 & authorization must be configured" },
	{ NULL, NULL, NULL },
};
const schema_t schema_http = { "config.plain", NULL, http_fields, http_exclusive };

static const schema_field_t query_response_fields[] = {
	{ "expect", SCHEMA_STR, 0, NULL, NULL, 0, 0, NULL },
	{ "send", SCHEMA_STR, 0, NULL, NULL, 0, 0, NULL },
	{ "starttls", SCHEMA_BOOL, 0, NULL, NULL, 0, 0, NULL },
	{ NULL, 0, 0, NULL, NULL, 0, 0, NULL },
};
static const schema_t query_response_schema = { "config.plain", "[]config.QueryResponse",
                                                    query_response_fields, NULL };

static const schema_field_t tcp_fields[] = {
	{ "preferred_ip_protocol", SCHEMA_STR, 0, NULL, NULL, 0, 0, NULL },
	{ "ip_protocol_fallback", SCHEMA_BOOL, 0, NULL, "true", 0, 0, NULL },
	{ "source_ip_address", SCHEMA_STR, 0, NULL, NULL, 0, 0, NULL },
	{ "query_response", SCHEMA_STRUCTS, 0, &query_response_schema, NULL, 0, 0, NULL },
	{ "tls", SCHEMA_BOOL, 0, NULL, NULL, 0, 0, NULL },
	{ "tls_config", SCHEMA_STRUCT, 0, &tls_schema, NULL, 0, 0, NULL },
	{ NULL, 0, 0, NULL, NULL, 0, 0, NULL },
};
static const schema_t tcp_schema = { "config.plain", NULL, tcp_fields, NULL };

static const schema_field_t icmp_fields[] = {
	{ "preferred_ip_protocol", SCHEMA_STR, 0, NULL, NULL, 0, 0, NULL },
	{ "ip_protocol_fallback", SCHEMA_BOOL, 0, NULL, "true", 0, 0, NULL },
	{ "source_ip_address", SCHEMA_STR, 0, NULL, NULL, 0, 0, NULL },
	{ "payload_size", SCHEMA_INT, 0, NULL, NULL, 0, 0, NULL },
	{ "dont_fragment", SCHEMA_BOOL, 0, NULL, NULL, 0, 0, NULL },
	{ "ttl", SCHEMA_INT, 0, NULL, "64", 0, 0, &ttl_rule },
	{ NULL, 0, 0, NULL, NULL, 0, 0, NULL },
};
static const schema_t icmp_schema = { "config.plain", NULL, icmp_fields, NULL };

static const schema_field_t grpc_fields[] = {
	{ "service", SCHEMA_STR, 0, NULL, NULL, 0, 0, NULL },
	{ "tls", SCHEMA_BOOL, 0, NULL, NULL, 0, 0, NULL },
	{ "tls_config", SCHEMA_STRUCT, 0, &tls_schema, NULL, 0, 0, NULL },
	{ "ip_protocol_fallback", SCHEMA_BOOL, 0, NULL, "true", 0, 0, NULL },
	{ "preferred_ip_protocol", SCHEMA_STR, 0, NULL, NULL, 0, 0, NULL },
	{ NULL, 0, 0, NULL, NULL, 0, 0, NULL },
};
static const schema_t grpc_schema = { "config.plain", NULL, grpc_fields, NULL };

static const schema_field_t module_fields[] = {
	{ "prober", SCHEMA_STR, 0, NULL, NULL, MOD(prober), 0, NULL },
	{ "timeout", SCHEMA_DUR, 0, NULL, NULL, MOD(timeout_ns), 0, NULL },
	{ "http", SCHEMA_STRUCT, 0, &schema_http, NULL, 0, 0, NULL },
	{ "tcp", SCHEMA_STRUCT, 0, &tcp_schema, NULL, 0, 0, NULL },
	{ "icmp", SCHEMA_STRUCT, 0, &icmp_schema, NULL, 0, 0, NULL },
	{ "dns", SCHEMA_STRUCT, 0, &dns_schema, NULL, MOD(dns), 0, NULL },
	{ "grpc", SCHEMA_STRUCT, 0, &grpc_schema, NULL, 0, 0, NULL },
	{ NULL, 0, 0, NULL, NULL, 0, 0, NULL },
};
const schema_t schema_module = { "config.plain", NULL, module_fields, NULL };

