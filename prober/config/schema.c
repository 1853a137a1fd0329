/* schema -- the tables of blackbox_exporter 0.23's config types (config/config.go v0.23.0 and
 * prometheus/common 0.39.0), fields in Go order. */
#include "config/schema.h"

#include <stddef.h>

static const schema_field_t tls_fields[] = {
	{ "ca_file", SCHEMA_STR, 0, NULL, NULL },
	{ "cert_file", SCHEMA_STR, 0, NULL, NULL },
	{ "key_file", SCHEMA_STR, 0, NULL, NULL },
	{ "server_name", SCHEMA_STR, 0, NULL, NULL },
	{ "insecure_skip_verify", SCHEMA_BOOL, SCHEMA_KEEP, NULL, NULL },
	{ "min_version", SCHEMA_TLSVER, 0, NULL, NULL },
	{ "max_version", SCHEMA_TLSVER, 0, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL },
};
static const schema_t tls_schema = { "config.plain", NULL, tls_fields };

static const schema_field_t rrv_fields[] = {
	{ "fail_if_matches_regexp", SCHEMA_STRS, 0, NULL, NULL },
	{ "fail_if_all_match_regexp", SCHEMA_STRS, 0, NULL, NULL },
	{ "fail_if_not_matches_regexp", SCHEMA_STRS, 0, NULL, NULL },
	{ "fail_if_none_matches_regexp", SCHEMA_STRS, 0, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL },
};
static const schema_t rrv_schema = { "config.plain", NULL, rrv_fields };

/* nsprobe's extensions (issue #6); blackbox_exporter has none of these keys. */
static const schema_field_t edns_fields[] = {
	{ "udp_size", SCHEMA_INT, 0, NULL, NULL },
	{ "do", SCHEMA_BOOL, 0, NULL, NULL },
	{ "nsid", SCHEMA_BOOL, 0, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL },
};
static const schema_t edns_schema = { "config.plain", NULL, edns_fields };

static const schema_field_t dnssec_fields[] = {
	{ "validate", SCHEMA_BOOL, 0, NULL, NULL },
	{ "min_validity", SCHEMA_DUR, 0, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL },
};
static const schema_t dnssec_schema = { "config.plain", NULL, dnssec_fields };

static const schema_field_t dns_fields[] = {
	{ "preferred_ip_protocol", SCHEMA_STR, 0, NULL, NULL },
	{ "ip_protocol_fallback", SCHEMA_BOOL, 0, NULL, "true" },
	{ "dns_over_tls", SCHEMA_BOOL, 0, NULL, NULL },
	{ "tls_config", SCHEMA_STRUCT, 0, &tls_schema, NULL },
	{ "source_ip_address", SCHEMA_STR, 0, NULL, NULL },
	{ "transport_protocol", SCHEMA_STR, 0, NULL, NULL },
	{ "query_class", SCHEMA_STR, 0, NULL, NULL },
	{ "query_name", SCHEMA_STR, 0, NULL, NULL },
	{ "query_type", SCHEMA_STR, 0, NULL, NULL },
	{ "recursion_desired", SCHEMA_BOOL, 0, NULL, "true" },
	{ "valid_rcodes", SCHEMA_STRS, 0, NULL, NULL },
	{ "validate_answer_rrs", SCHEMA_STRUCT, 0, &rrv_schema, NULL },
	{ "validate_authority_rrs", SCHEMA_STRUCT, 0, &rrv_schema, NULL },
	{ "validate_additional_rrs", SCHEMA_STRUCT, 0, &rrv_schema, NULL },
	{ "edns", SCHEMA_STRUCT, 0, &edns_schema, NULL },
	{ "dnssec", SCHEMA_STRUCT, 0, &dnssec_schema, NULL },
	{ "tcp_on_truncation", SCHEMA_BOOL, 0, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL },
};
const schema_t schema_dns = { "config.plain", NULL, dns_fields };

static const schema_field_t basic_auth_fields[] = {
	{ "username", SCHEMA_STR, SCHEMA_KEEP, NULL, NULL },
	{ "password", SCHEMA_SECRET, 0, NULL, NULL },
	{ "password_file", SCHEMA_STR, 0, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL },
};
static const schema_t basic_auth_schema = { "config.BasicAuth", NULL, basic_auth_fields };

static const schema_field_t authorization_fields[] = {
	{ "type", SCHEMA_STR, 0, NULL, NULL },
	{ "credentials", SCHEMA_SECRET, 0, NULL, NULL },
	{ "credentials_file", SCHEMA_STR, 0, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL },
};
static const schema_t authorization_schema = { "config.Authorization", NULL, authorization_fields };

static const schema_field_t oauth2_fields[] = {
	{ "client_id", SCHEMA_STR, SCHEMA_KEEP, NULL, NULL },
	{ "client_secret", SCHEMA_SECRET, SCHEMA_KEEP, NULL, NULL },
	{ "client_secret_file", SCHEMA_STR, SCHEMA_KEEP, NULL, NULL },
	{ "scopes", SCHEMA_STRS, 0, NULL, NULL },
	{ "token_url", SCHEMA_STR, SCHEMA_KEEP, NULL, NULL },
	{ "endpoint_params", SCHEMA_STRMAP, 0, NULL, NULL },
	{ "proxy_url", SCHEMA_STR, 0, NULL, NULL },
	{ "tls_config", SCHEMA_STRUCT, 0, &tls_schema, NULL },
	{ NULL, 0, 0, NULL, NULL },
};
static const schema_t oauth2_schema = { "config.plain", NULL, oauth2_fields };

static const schema_field_t header_match_fields[] = {
	{ "header", SCHEMA_STR, 0, NULL, NULL },
	{ "regexp", SCHEMA_STR, 0, NULL, NULL },
	{ "allow_missing", SCHEMA_BOOL, 0, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL },
};
const schema_t schema_header_match = { "config.plain", "[]config.HeaderMatch",
                                                  header_match_fields };

static const schema_field_t http_fields[] = {
	{ "valid_status_codes", SCHEMA_INTS, 0, NULL, NULL },
	{ "valid_http_versions", SCHEMA_STRS, 0, NULL, NULL },
	{ "preferred_ip_protocol", SCHEMA_STR, 0, NULL, NULL },
	{ "ip_protocol_fallback", SCHEMA_BOOL, 0, NULL, "true" },
	{ "skip_resolve_phase_with_proxy", SCHEMA_BOOL, 0, NULL, NULL },
	{ "no_follow_redirects", SCHEMA_BOOL, SCHEMA_HIDE, NULL, NULL },
	{ "fail_if_ssl", SCHEMA_BOOL, 0, NULL, NULL },
	{ "fail_if_not_ssl", SCHEMA_BOOL, 0, NULL, NULL },
	{ "method", SCHEMA_STR, 0, NULL, NULL },
	{ "headers", SCHEMA_STRMAP, 0, NULL, NULL },
	{ "fail_if_body_matches_regexp", SCHEMA_STRS, 0, NULL, NULL },
	{ "fail_if_body_not_matches_regexp", SCHEMA_STRS, 0, NULL, NULL },
	{ "fail_if_header_matches", SCHEMA_STRUCTS, 0, &schema_header_match, NULL },
	{ "fail_if_header_not_matches", SCHEMA_STRUCTS, 0, &schema_header_match, NULL },
	{ "body", SCHEMA_STR, 0, NULL, NULL },
	/* inline common HTTPClientConfig */
	{ "basic_auth", SCHEMA_STRUCT, SCHEMA_PTR, &basic_auth_schema, NULL },
	{ "authorization", SCHEMA_STRUCT, SCHEMA_PTR, &authorization_schema, NULL },
	{ "oauth2", SCHEMA_STRUCT, SCHEMA_PTR, &oauth2_schema, NULL },
	{ "bearer_token", SCHEMA_SECRET, 0, NULL, NULL },
	{ "bearer_token_file", SCHEMA_STR, 0, NULL, NULL },
	{ "proxy_url", SCHEMA_STR, 0, NULL, NULL },
	{ "proxy_connect_header", SCHEMA_HEADER, 0, NULL, NULL },
	{ "tls_config", SCHEMA_STRUCT, 0, &tls_schema, NULL },
	{ "follow_redirects", SCHEMA_BOOL, SCHEMA_KEEP, NULL, "true" },
	{ "enable_http2", SCHEMA_BOOL, SCHEMA_KEEP, NULL, "true" },
	/* end of inline */
	{ "compression", SCHEMA_STR, 0, NULL, NULL },
	{ "body_size_limit", SCHEMA_STR, 0, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL },
};
const schema_t schema_http = { "config.plain", NULL, http_fields };

static const schema_field_t query_response_fields[] = {
	{ "expect", SCHEMA_STR, 0, NULL, NULL },
	{ "send", SCHEMA_STR, 0, NULL, NULL },
	{ "starttls", SCHEMA_BOOL, 0, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL },
};
static const schema_t query_response_schema = { "config.plain", "[]config.QueryResponse",
                                                    query_response_fields };

static const schema_field_t tcp_fields[] = {
	{ "preferred_ip_protocol", SCHEMA_STR, 0, NULL, NULL },
	{ "ip_protocol_fallback", SCHEMA_BOOL, 0, NULL, "true" },
	{ "source_ip_address", SCHEMA_STR, 0, NULL, NULL },
	{ "query_response", SCHEMA_STRUCTS, 0, &query_response_schema, NULL },
	{ "tls", SCHEMA_BOOL, 0, NULL, NULL },
	{ "tls_config", SCHEMA_STRUCT, 0, &tls_schema, NULL },
	{ NULL, 0, 0, NULL, NULL },
};
static const schema_t tcp_schema = { "config.plain", NULL, tcp_fields };

static const schema_field_t icmp_fields[] = {
	{ "preferred_ip_protocol", SCHEMA_STR, 0, NULL, NULL },
	{ "ip_protocol_fallback", SCHEMA_BOOL, 0, NULL, "true" },
	{ "source_ip_address", SCHEMA_STR, 0, NULL, NULL },
	{ "payload_size", SCHEMA_INT, 0, NULL, NULL },
	{ "dont_fragment", SCHEMA_BOOL, 0, NULL, NULL },
	{ "ttl", SCHEMA_INT, 0, NULL, "64" },
	{ NULL, 0, 0, NULL, NULL },
};
const schema_t schema_icmp = { "config.plain", NULL, icmp_fields };

static const schema_field_t grpc_fields[] = {
	{ "service", SCHEMA_STR, 0, NULL, NULL },
	{ "tls", SCHEMA_BOOL, 0, NULL, NULL },
	{ "tls_config", SCHEMA_STRUCT, 0, &tls_schema, NULL },
	{ "ip_protocol_fallback", SCHEMA_BOOL, 0, NULL, "true" },
	{ "preferred_ip_protocol", SCHEMA_STR, 0, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL },
};
static const schema_t grpc_schema = { "config.plain", NULL, grpc_fields };

static const schema_field_t module_fields[] = {
	{ "prober", SCHEMA_STR, 0, NULL, NULL },
	{ "timeout", SCHEMA_DUR, 0, NULL, NULL },
	{ "http", SCHEMA_STRUCT, 0, &schema_http, NULL },
	{ "tcp", SCHEMA_STRUCT, 0, &tcp_schema, NULL },
	{ "icmp", SCHEMA_STRUCT, 0, &schema_icmp, NULL },
	{ "dns", SCHEMA_STRUCT, 0, &schema_dns, NULL },
	{ "grpc", SCHEMA_STRUCT, 0, &grpc_schema, NULL },
	{ NULL, 0, 0, NULL, NULL },
};
const schema_t schema_module = { "config.plain", NULL, module_fields };

