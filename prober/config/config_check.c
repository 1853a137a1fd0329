/* config_check -- pass 1 of the loader: walks the libyaml document as yaml.v3 3.0.1 decodes it into
 * blackbox_exporter 0.23's config types (KnownFields: unknown keys are errors), and runs the
 * load-time validation of config/config.go.
 *
 * Why a walk of our own before libcyaml: libcyaml 1.3.1 is lax where yaml.v3 is strict (any word but
 * false/no/off is a true bool; integers take trailing junk), knows no `<<` merge keys, and reports the
 * value's position rather than the key's. Here every scalar is judged by yaml.v3's rules, errors carry
 * the line and column of the node yaml.v3 would blame, and the first error in document order wins
 * (yaml.v3 collects them all; blackbox prints the whole list, we print its first line). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "lib/duration.h"
#include "config/config_check.h"
#include "dns/dnstab.h"

/* ---- schema: config/config.go v0.23.0 and prometheus/common 0.39.0, fields in Go order ---- */

static const cfg_field_t tls_fields[] = {
	{ "ca_file", CFGK_STR, 0, NULL, NULL },
	{ "cert_file", CFGK_STR, 0, NULL, NULL },
	{ "key_file", CFGK_STR, 0, NULL, NULL },
	{ "server_name", CFGK_STR, 0, NULL, NULL },
	{ "insecure_skip_verify", CFGK_BOOL, CFGF_KEEP, NULL, NULL },
	{ "min_version", CFGK_TLSVER, 0, NULL, NULL },
	{ "max_version", CFGK_TLSVER, 0, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL },
};
static const cfg_schema_t tls_schema = { "config.plain", NULL, tls_fields };

static const cfg_field_t rrv_fields[] = {
	{ "fail_if_matches_regexp", CFGK_STRS, 0, NULL, NULL },
	{ "fail_if_all_match_regexp", CFGK_STRS, 0, NULL, NULL },
	{ "fail_if_not_matches_regexp", CFGK_STRS, 0, NULL, NULL },
	{ "fail_if_none_matches_regexp", CFGK_STRS, 0, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL },
};
static const cfg_schema_t rrv_schema = { "config.plain", NULL, rrv_fields };

/* nsprobe's extensions (issue #6); blackbox_exporter has none of these keys. */
static const cfg_field_t edns_fields[] = {
	{ "udp_size", CFGK_INT, 0, NULL, NULL },
	{ "do", CFGK_BOOL, 0, NULL, NULL },
	{ "nsid", CFGK_BOOL, 0, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL },
};
static const cfg_schema_t edns_schema = { "config.plain", NULL, edns_fields };

static const cfg_field_t dnssec_fields[] = {
	{ "validate", CFGK_BOOL, 0, NULL, NULL },
	{ "min_validity", CFGK_DUR, 0, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL },
};
static const cfg_schema_t dnssec_schema = { "config.plain", NULL, dnssec_fields };

static const cfg_field_t dns_fields[] = {
	{ "preferred_ip_protocol", CFGK_STR, 0, NULL, NULL },
	{ "ip_protocol_fallback", CFGK_BOOL, 0, NULL, "true" },
	{ "dns_over_tls", CFGK_BOOL, 0, NULL, NULL },
	{ "tls_config", CFGK_STRUCT, 0, &tls_schema, NULL },
	{ "source_ip_address", CFGK_STR, 0, NULL, NULL },
	{ "transport_protocol", CFGK_STR, 0, NULL, NULL },
	{ "query_class", CFGK_STR, 0, NULL, NULL },
	{ "query_name", CFGK_STR, 0, NULL, NULL },
	{ "query_type", CFGK_STR, 0, NULL, NULL },
	{ "recursion_desired", CFGK_BOOL, 0, NULL, "true" },
	{ "valid_rcodes", CFGK_STRS, 0, NULL, NULL },
	{ "validate_answer_rrs", CFGK_STRUCT, 0, &rrv_schema, NULL },
	{ "validate_authority_rrs", CFGK_STRUCT, 0, &rrv_schema, NULL },
	{ "validate_additional_rrs", CFGK_STRUCT, 0, &rrv_schema, NULL },
	{ "edns", CFGK_STRUCT, 0, &edns_schema, NULL },
	{ "dnssec", CFGK_STRUCT, 0, &dnssec_schema, NULL },
	{ "tcp_on_truncation", CFGK_BOOL, 0, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL },
};
const cfg_schema_t cfg_schema_dns = { "config.plain", NULL, dns_fields };

static const cfg_field_t basic_auth_fields[] = {
	{ "username", CFGK_STR, CFGF_KEEP, NULL, NULL },
	{ "password", CFGK_SECRET, 0, NULL, NULL },
	{ "password_file", CFGK_STR, 0, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL },
};
static const cfg_schema_t basic_auth_schema = { "config.BasicAuth", NULL, basic_auth_fields };

static const cfg_field_t authorization_fields[] = {
	{ "type", CFGK_STR, 0, NULL, NULL },
	{ "credentials", CFGK_SECRET, 0, NULL, NULL },
	{ "credentials_file", CFGK_STR, 0, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL },
};
static const cfg_schema_t authorization_schema = { "config.Authorization", NULL, authorization_fields };

static const cfg_field_t oauth2_fields[] = {
	{ "client_id", CFGK_STR, CFGF_KEEP, NULL, NULL },
	{ "client_secret", CFGK_SECRET, CFGF_KEEP, NULL, NULL },
	{ "client_secret_file", CFGK_STR, CFGF_KEEP, NULL, NULL },
	{ "scopes", CFGK_STRS, 0, NULL, NULL },
	{ "token_url", CFGK_STR, CFGF_KEEP, NULL, NULL },
	{ "endpoint_params", CFGK_STRMAP, 0, NULL, NULL },
	{ "proxy_url", CFGK_STR, 0, NULL, NULL },
	{ "tls_config", CFGK_STRUCT, 0, &tls_schema, NULL },
	{ NULL, 0, 0, NULL, NULL },
};
static const cfg_schema_t oauth2_schema = { "config.plain", NULL, oauth2_fields };

static const cfg_field_t header_match_fields[] = {
	{ "header", CFGK_STR, 0, NULL, NULL },
	{ "regexp", CFGK_STR, 0, NULL, NULL },
	{ "allow_missing", CFGK_BOOL, 0, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL },
};
static const cfg_schema_t header_match_schema = { "config.plain", "[]config.HeaderMatch",
                                                  header_match_fields };

static const cfg_field_t http_fields[] = {
	{ "valid_status_codes", CFGK_INTS, 0, NULL, NULL },
	{ "valid_http_versions", CFGK_STRS, 0, NULL, NULL },
	{ "preferred_ip_protocol", CFGK_STR, 0, NULL, NULL },
	{ "ip_protocol_fallback", CFGK_BOOL, 0, NULL, "true" },
	{ "skip_resolve_phase_with_proxy", CFGK_BOOL, 0, NULL, NULL },
	{ "no_follow_redirects", CFGK_BOOL, CFGF_HIDE, NULL, NULL },
	{ "fail_if_ssl", CFGK_BOOL, 0, NULL, NULL },
	{ "fail_if_not_ssl", CFGK_BOOL, 0, NULL, NULL },
	{ "method", CFGK_STR, 0, NULL, NULL },
	{ "headers", CFGK_STRMAP, 0, NULL, NULL },
	{ "fail_if_body_matches_regexp", CFGK_STRS, 0, NULL, NULL },
	{ "fail_if_body_not_matches_regexp", CFGK_STRS, 0, NULL, NULL },
	{ "fail_if_header_matches", CFGK_STRUCTS, 0, &header_match_schema, NULL },
	{ "fail_if_header_not_matches", CFGK_STRUCTS, 0, &header_match_schema, NULL },
	{ "body", CFGK_STR, 0, NULL, NULL },
	/* inline common HTTPClientConfig */
	{ "basic_auth", CFGK_STRUCT, CFGF_PTR, &basic_auth_schema, NULL },
	{ "authorization", CFGK_STRUCT, CFGF_PTR, &authorization_schema, NULL },
	{ "oauth2", CFGK_STRUCT, CFGF_PTR, &oauth2_schema, NULL },
	{ "bearer_token", CFGK_SECRET, 0, NULL, NULL },
	{ "bearer_token_file", CFGK_STR, 0, NULL, NULL },
	{ "proxy_url", CFGK_STR, 0, NULL, NULL },
	{ "proxy_connect_header", CFGK_HEADER, 0, NULL, NULL },
	{ "tls_config", CFGK_STRUCT, 0, &tls_schema, NULL },
	{ "follow_redirects", CFGK_BOOL, CFGF_KEEP, NULL, "true" },
	{ "enable_http2", CFGK_BOOL, CFGF_KEEP, NULL, "true" },
	/* end of inline */
	{ "compression", CFGK_STR, 0, NULL, NULL },
	{ "body_size_limit", CFGK_STR, 0, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL },
};
static const cfg_schema_t http_schema = { "config.plain", NULL, http_fields };

static const cfg_field_t query_response_fields[] = {
	{ "expect", CFGK_STR, 0, NULL, NULL },
	{ "send", CFGK_STR, 0, NULL, NULL },
	{ "starttls", CFGK_BOOL, 0, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL },
};
static const cfg_schema_t query_response_schema = { "config.plain", "[]config.QueryResponse",
                                                    query_response_fields };

static const cfg_field_t tcp_fields[] = {
	{ "preferred_ip_protocol", CFGK_STR, 0, NULL, NULL },
	{ "ip_protocol_fallback", CFGK_BOOL, 0, NULL, "true" },
	{ "source_ip_address", CFGK_STR, 0, NULL, NULL },
	{ "query_response", CFGK_STRUCTS, 0, &query_response_schema, NULL },
	{ "tls", CFGK_BOOL, 0, NULL, NULL },
	{ "tls_config", CFGK_STRUCT, 0, &tls_schema, NULL },
	{ NULL, 0, 0, NULL, NULL },
};
static const cfg_schema_t tcp_schema = { "config.plain", NULL, tcp_fields };

static const cfg_field_t icmp_fields[] = {
	{ "preferred_ip_protocol", CFGK_STR, 0, NULL, NULL },
	{ "ip_protocol_fallback", CFGK_BOOL, 0, NULL, "true" },
	{ "source_ip_address", CFGK_STR, 0, NULL, NULL },
	{ "payload_size", CFGK_INT, 0, NULL, NULL },
	{ "dont_fragment", CFGK_BOOL, 0, NULL, NULL },
	{ "ttl", CFGK_INT, 0, NULL, "64" },
	{ NULL, 0, 0, NULL, NULL },
};
static const cfg_schema_t icmp_schema = { "config.plain", NULL, icmp_fields };

static const cfg_field_t grpc_fields[] = {
	{ "service", CFGK_STR, 0, NULL, NULL },
	{ "tls", CFGK_BOOL, 0, NULL, NULL },
	{ "tls_config", CFGK_STRUCT, 0, &tls_schema, NULL },
	{ "ip_protocol_fallback", CFGK_BOOL, 0, NULL, "true" },
	{ "preferred_ip_protocol", CFGK_STR, 0, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL },
};
static const cfg_schema_t grpc_schema = { "config.plain", NULL, grpc_fields };

static const cfg_field_t module_fields[] = {
	{ "prober", CFGK_STR, 0, NULL, NULL },
	{ "timeout", CFGK_DUR, 0, NULL, NULL },
	{ "http", CFGK_STRUCT, 0, &http_schema, NULL },
	{ "tcp", CFGK_STRUCT, 0, &tcp_schema, NULL },
	{ "icmp", CFGK_STRUCT, 0, &icmp_schema, NULL },
	{ "dns", CFGK_STRUCT, 0, &cfg_schema_dns, NULL },
	{ "grpc", CFGK_STRUCT, 0, &grpc_schema, NULL },
	{ NULL, 0, 0, NULL, NULL },
};
const cfg_schema_t cfg_schema_module = { "config.plain", NULL, module_fields };

/* ---- errors ---- */

void cfg_fail(cfg_check_t *c, const yaml_mark_t *mark, const char *key, const char *fmt, ...)
{
	if (c->failed)
		return;
	c->failed = true;
	if (c->errlen == 0)
		return;
	char reason[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errlen, "error parsing config file: %s:%zu:%zu: %s: %s", c->path,
	         mark->line + 1, mark->column + 1, key, reason);
}

static void fail_oom(cfg_check_t *c)
{
	if (!c->failed && c->errlen)
		snprintf(c->err, c->errlen, "error parsing config file: %s: out of memory", c->path);
	c->failed = true;
	c->oom = true;
}

/* ---- scalars as yaml.v3 resolves them ---- */

typedef enum rtag { R_NULL, R_BOOL, R_INT, R_FLOAT, R_TIMESTAMP, R_STR, R_MAP, R_SEQ } rtag_t;

static const char *const rtag_name[] = {
	[R_NULL] = "!!null", [R_BOOL] = "!!bool", [R_INT] = "!!int", [R_FLOAT] = "!!float",
	[R_TIMESTAMP] = "!!timestamp", [R_STR] = "!!str", [R_MAP] = "!!map", [R_SEQ] = "!!seq",
};

const char *cfg_scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static bool is_digit(char ch) { return ch >= '0' && ch <= '9'; }

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

static bool digits_in(const char *s, const char *set, size_t *n)
{
	size_t i = 0;
	while (s[i] && strchr(set, s[i]))
		i++;
	*n = i;
	return i > 0 && s[i] == '\0';
}

/* Go strconv.ParseInt(s, 0, 64) syntax after yaml removed the underscores (overflow aside). */
static bool go_int_syntax(const char *s)
{
	size_t n;
	if (*s == '+' || *s == '-')
		s++;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return digits_in(s + 2, "0123456789abcdefABCDEF", &n);
	if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
		return digits_in(s + 2, "01234567", &n);
	if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
		return digits_in(s + 2, "01", &n);
	if (s[0] == '0')
		return s[1] == '\0' || digits_in(s + 1, "01234567", &n);
	return digits_in(s, "0123456789", &n);
}

/* `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$` */
static bool yaml_float_syntax(const char *s)
{
	if (*s == '+' || *s == '-')
		s++;
	if (*s == '.') {
		s++;
		if (!is_digit(*s))
			return false;
		while (is_digit(*s))
			s++;
	} else {
		if (!is_digit(*s))
			return false;
		while (is_digit(*s))
			s++;
		if (*s == '.')
			for (s++; is_digit(*s); s++)
				;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!is_digit(*s))
			return false;
		while (is_digit(*s))
			s++;
	}
	return *s == '\0';
}

/* yaml's timestamp formats all start with YYYY-M-D. */
static bool timestamp_syntax(const char *s)
{
	size_t i = 0;
	while (is_digit(s[i]))
		i++;
	if (i != 4 || s[i] != '-')
		return false;
	s += 5;
	if (!is_digit(*s))
		return false;
	while (is_digit(*s))
		s++;
	if (*s++ != '-' || !is_digit(*s))
		return false;
	while (is_digit(*s))
		s++;
	return *s == '\0' || *s == 'T' || *s == 't' || *s == ' ';
}

/* The tag yaml.v3 (decoding) or yaml.v2 (encoding, v1_1 = true) gives an untagged plain scalar. */
static rtag_t resolve_plain(const char *s, bool v1_1)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL", NULL };
	static const char *const bools12[] = { "true", "True", "TRUE", "false", "False", "FALSE", NULL };
	static const char *const bools11[] = { "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
		                               "on", "On", "ON", "off", "Off", "OFF", NULL };
	static const char *const floats[] = { ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf",
		                              "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", NULL };
	if (in_list(s, nulls))
		return R_NULL;
	if (in_list(s, bools12) || (v1_1 && in_list(s, bools11)))
		return R_BOOL;
	if (in_list(s, floats))
		return R_FLOAT;
	char c0 = s[0];
	if (c0 == '.')
		return yaml_float_syntax(s) ? R_FLOAT : R_STR;
	if (!(is_digit(c0) || c0 == '+' || c0 == '-'))
		return R_STR;
	if (timestamp_syntax(s))
		return R_TIMESTAMP;
	char plain[128];
	size_t j = 0;
	for (size_t i = 0; s[i] && j + 1 < sizeof plain; i++)
		if (s[i] != '_')
			plain[j++] = s[i];
	plain[j] = '\0';
	if (strlen(s) >= sizeof plain)
		return R_STR;
	if (go_int_syntax(plain))
		return R_INT;
	if (yaml_float_syntax(plain)) {
		/* strconv.ParseFloat fails only on overflow here */
		double d = strtod(plain, NULL);
		return (d > 1.7976931348623157e308 || d < -1.7976931348623157e308) ? R_STR : R_FLOAT;
	}
	return R_STR;
}

static rtag_t node_tag(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_MAPPING_NODE: return R_MAP;
	case YAML_SEQUENCE_NODE: return R_SEQ;
	default: break;
	}
	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE && n->data.scalar.style != YAML_ANY_SCALAR_STYLE)
		return R_STR;
	return resolve_plain((const char *)n->data.scalar.value, false);
}

bool cfg_is_null(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE && node_tag(n) == R_NULL;
}

bool cfg_bool_value(const yaml_node_t *n, bool *v)
{
	static const char *const yes[] = { "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", NULL };
	static const char *const no[] = { "n", "N", "no", "No", "NO", "off", "Off", "OFF", NULL };
	const char *s = cfg_scalar(n);
	if (!s)
		return false;
	rtag_t t = node_tag(n);
	if (t == R_BOOL) {
		*v = s[0] == 't' || s[0] == 'T';
		return true;
	}
	/* yaml.v3 decode.go: YAML 1.1 words, quoted or not, "only if explicitly attempting to unmarshal
	 * into a typed bool value" */
	if (t == R_STR && in_list(s, yes)) {
		*v = true;
		return true;
	}
	if (t == R_STR && in_list(s, no)) {
		*v = false;
		return true;
	}
	return false;
}

/* yaml.v2 stringv: quote a string when, written plain, it would read back as something else. */
bool cfg_needs_quotes_v2(const char *s)
{
	if (resolve_plain(s, true) != R_STR || strcmp(s, "<<") == 0)
		return true;
	/* isBase60Float: ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$ */
	const char *p = s;
	if (*p == '+' || *p == '-')
		p++;
	if (!is_digit(*p))
		return false;
	while (is_digit(*p) || *p == '_')
		p++;
	if (*p != ':')
		return false;
	while (*p == ':') {
		p++;
		if (!is_digit(*p))
			return false;
		if (is_digit(p[1])) {
			if (*p > '5')
				return false;
			p++;
		}
		p++;
	}
	if (*p == '.')
		for (p++; is_digit(*p) || *p == '_'; p++)
			;
	return *p == '\0';
}

/* yaml.v3 terror: "cannot unmarshal !!int `5` into time.Duration" (long values cut to 7 + "..."). */
static void fail_type(cfg_check_t *c, const yaml_node_t *n, const char *key, const char *into)
{
	rtag_t t = node_tag(n);
	if (t == R_MAP || t == R_SEQ) {
		cfg_fail(c, &n->start_mark, key, "cannot unmarshal %s into %s", rtag_name[t], into);
		return;
	}
	const char *v = cfg_scalar(n);
	if (strlen(v) > 10)
		cfg_fail(c, &n->start_mark, key, "cannot unmarshal %s `%.7s...` into %s", rtag_name[t], v,
		         into);
	else
		cfg_fail(c, &n->start_mark, key, "cannot unmarshal %s `%s` into %s", rtag_name[t], v, into);
}

/* ---- mappings, with merge keys ---- */

static bool is_merge_key(const yaml_node_t *k)
{
	return k->type == YAML_SCALAR_NODE && k->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       strcmp((const char *)k->data.scalar.value, "<<") == 0;
}

/* Key lookup by hash: a mapping can hold thousands of keys (a merge chain adds one per link), and a
 * linear search per key made resolving it quadratic per mapping. idx holds kv positions + 1. */
static size_t key_hash(const char *s)
{
	uint64_t h = 1469598103934665603u;     /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return (size_t)h;
}

static size_t *map_slot(const cfg_map_t *m, const char *key)
{
	for (size_t j = key_hash(key) & (m->idxcap - 1);; j = (j + 1) & (m->idxcap - 1))
		if (!m->idx[j] || strcmp(cfg_scalar(m->kv[m->idx[j] - 1].key), key) == 0)
			return &m->idx[j];
}

static cfg_kv_t *map_find(const cfg_map_t *m, const char *key)
{
	if (!m->idx) {                     /* small, or reordered by cfg_map_sort */
		for (size_t i = 0; i < m->n; i++)
			if (strcmp(cfg_scalar(m->kv[i].key), key) == 0)
				return &m->kv[i];
		return NULL;
	}
	size_t *j = map_slot(m, key);
	return *j ? &m->kv[*j - 1] : NULL;
}

static bool map_reindex(cfg_map_t *m, size_t cap)
{
	size_t *idx = calloc(cap, sizeof *idx);
	if (!idx)
		return false;
	free(m->idx);
	m->idx = idx;
	m->idxcap = cap;
	for (size_t i = 0; i < m->n; i++)
		*map_slot(m, cfg_scalar(m->kv[i].key)) = i + 1;
	return true;
}

/* Sets key k to v: a key already there keeps its place and takes the new key node and value. */
static bool map_set(cfg_check_t *c, cfg_map_t *m, yaml_node_t *k, yaml_node_t *v, bool explicit_key)
{
	cfg_kv_t *old = map_find(m, cfg_scalar(k));
	if (old) {
		old->key = k;
		old->value = v;
		old->explicit_key = old->explicit_key || explicit_key;
		return true;
	}
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 8;
		cfg_kv_t *kv = realloc(m->kv, cap * sizeof *kv);
		if (!kv) {
			fail_oom(c);
			return false;
		}
		m->kv = kv;
		m->cap = cap;
	}
	m->kv[m->n++] = (cfg_kv_t){ k, v, explicit_key };
	if (m->n >= 8 && 2 * m->n > m->idxcap) {
		if (!map_reindex(m, m->idxcap ? 2 * m->idxcap : 32)) {
			fail_oom(c);
			return false;
		}
	} else if (m->idx) {
		*map_slot(m, cfg_scalar(k)) = m->n;
	}
	return true;
}

/* One mapping being read while resolving: its next pair and, inside a `<<` list, the item merged
 * last (the list is read backwards). own holds the keys written in this mapping itself. */
typedef struct mb_frame {
	yaml_node_t *node;
	yaml_node_pair_t *p;
	yaml_node_item_t *it;
	cfg_map_t own;
} mb_frame_t;

/* yaml.v3 3.0.1 resolves a merge by decoding the merged mapping into the same value, after the
 * keys before it (decode.go merge): the result is the sequence of key writes of a depth-first walk
 * over the mapping and, at each `<<`, the mapping(s) it names; a later write of a key replaces the
 * value and keeps the key's place. That walk runs here on a heap stack, writing straight into *m:
 * no per-level copies (a chain of n merges, each adding a key, cost n^3 that way) and no recursion
 * (merges nest as deep as the document, yamldepth.h). Cycles were refused by yamlalias before;
 * the walk still stops if its path grows longer than the document has nodes. */
bool cfg_map_build(cfg_check_t *c, yaml_node_t *node, bool is_struct, cfg_map_t *m)
{
	yaml_document_t *d = c->doc;
	size_t nodes = (size_t)(d->nodes.top - d->nodes.start);
	mb_frame_t *st = NULL;
	size_t sp = 0, cap = 0;
	bool ok = true;
	yaml_node_t *push = node;
	while (ok) {
		if (push) {
			if (sp == cap) {
				size_t ncap = cap ? 2 * cap : 8;
				mb_frame_t *n = realloc(st, ncap * sizeof *n);
				if (!n) {
					fail_oom(c);
					ok = false;
					break;
				}
				st = n;
				cap = ncap;
			}
			st[sp++] = (mb_frame_t){ .node = push, .p = push->data.mapping.pairs.start };
			push = NULL;
		}
		if (!sp)
			break;
		mb_frame_t *f = &st[sp - 1];
		if (f->p == f->node->data.mapping.pairs.top) {
			cfg_map_free(&f->own);
			sp--;
			continue;
		}
		yaml_node_t *k = yaml_document_get_node(d, f->p->key);
		yaml_node_t *v = yaml_document_get_node(d, f->p->value);
		if (is_merge_key(k)) {
			c->has_merge = true;
			yaml_node_t *src = v;
			if (v->type == YAML_SEQUENCE_NODE) {
				/* yaml.v3 steps backwards: earlier maps take precedence */
				if (!f->it)
					f->it = v->data.sequence.items.top;
				if (f->it == v->data.sequence.items.start) {
					f->it = NULL;
					f->p++;
					continue;
				}
				f->it--;
				src = yaml_document_get_node(d, *f->it);
			} else {
				f->p++;
			}
			if (!src || src->type != YAML_MAPPING_NODE) {
				cfg_fail(c, src ? &src->start_mark : &(yaml_mark_t){ 0 }, "<<",
				         "map merge requires map or sequence of maps as the value");
				ok = false;
			} else if (sp > nodes) {
				cfg_fail(c, &src->start_mark, "<<", "map merge contains itself");
				ok = false;
			} else {
				push = src;
			}
			continue;
		}
		if (k->type != YAML_SCALAR_NODE) {
			cfg_fail(c, &k->start_mark, "?", "mapping keys must be scalars");
			ok = false;
			break;
		}
		cfg_kv_t *dup = map_find(&f->own, cfg_scalar(k));
		if (dup) {
			if (is_struct)
				cfg_fail(c, &k->start_mark, cfg_scalar(k), "field %s already set in type config.plain",
				         cfg_scalar(k));
			else
				cfg_fail(c, &k->start_mark, cfg_scalar(k), "mapping key \"%s\" already defined at line %zu",
				         cfg_scalar(k), dup->key->start_mark.line + 1);
			ok = false;
			break;
		}
		ok = map_set(c, &f->own, k, v, true) && map_set(c, m, k, v, sp == 1);
		f->p++;
	}
	for (size_t i = 0; i < sp; i++)
		cfg_map_free(&st[i].own);
	free(st);
	return ok;
}

void cfg_map_free(cfg_map_t *m)
{
	free(m->kv);
	free(m->idx);
	*m = (cfg_map_t){ 0 };
}

void cfg_map_sort(cfg_map_t *m, int (*cmp)(const void *, const void *))
{
	free(m->idx);
	m->idx = NULL;
	m->idxcap = 0;
	if (m->n)
		qsort(m->kv, m->n, sizeof *m->kv, cmp);
}

yaml_node_t *cfg_map_get(const cfg_map_t *m, const char *key)
{
	cfg_kv_t *kv = map_find(m, key);
	return kv ? kv->value : NULL;
}

/* ---- the walk ---- */

static bool check_struct(cfg_check_t *c, yaml_node_t *node, const char *key, const cfg_schema_t *s);

static bool check_str(cfg_check_t *c, yaml_node_t *v, const char *key, const char *into)
{
	if (v->type != YAML_SCALAR_NODE) {
		fail_type(c, v, key, into);
		return false;
	}
	return true;
}

static bool check_list(cfg_check_t *c, yaml_node_t *v, const char *key, const char *into,
                       bool (*item)(cfg_check_t *, yaml_node_t *, const char *, const char *),
                       const char *item_into)
{
	if (cfg_is_null(v))
		return true;
	if (v->type != YAML_SEQUENCE_NODE) {
		fail_type(c, v, key, into);
		return false;
	}
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++)
		if (!item(c, yaml_document_get_node(c->doc, *it), key, item_into))
			return false;
	return true;
}

static bool check_int(cfg_check_t *c, yaml_node_t *v, const char *key, const char *into)
{
	if (cfg_is_null(v) || (v->type == YAML_SCALAR_NODE && node_tag(v) == R_INT))
		return true;
	fail_type(c, v, key, into);
	return false;
}

static bool check_field(cfg_check_t *c, const cfg_field_t *f, yaml_node_t *v)
{
	const char *key = f->key;
	bool b;
	switch (f->kind) {
	case CFGK_STR:
	case CFGK_SECRET:
		return cfg_is_null(v) || check_str(c, v, key, "string");
	case CFGK_TLSVER:
		if (cfg_is_null(v))
			return true;
		if (!check_str(c, v, key, "string"))
			return false;
		if (strcmp(cfg_scalar(v), "TLS10") && strcmp(cfg_scalar(v), "TLS11") &&
		    strcmp(cfg_scalar(v), "TLS12") && strcmp(cfg_scalar(v), "TLS13")) {
			cfg_fail(c, &v->start_mark, key, "unknown TLS version: %s", cfg_scalar(v));
			return false;
		}
		return true;
	case CFGK_BOOL:
		if (cfg_is_null(v) || cfg_bool_value(v, &b))
			return true;
		fail_type(c, v, key, "bool");
		return false;
	case CFGK_INT:
		return check_int(c, v, key, "int");
	case CFGK_DUR: {
		if (cfg_is_null(v))
			return true;
		int64_t ns;
		if (v->type == YAML_SCALAR_NODE && node_tag(v) == R_STR &&
		    duration_parse(cfg_scalar(v), &ns) == 0)
			return true;
		fail_type(c, v, key, "time.Duration");
		return false;
	}
	case CFGK_STRS:
		return check_list(c, v, key, "[]string", check_str, "string");
	case CFGK_INTS:
		return check_list(c, v, key, "[]int", check_int, "int");
	case CFGK_STRMAP: {
		if (cfg_is_null(v))
			return true;
		if (v->type != YAML_MAPPING_NODE) {
			fail_type(c, v, key, "map[string]string");
			return false;
		}
		cfg_map_t m = { 0 };
		bool ok = cfg_map_build(c, v, false, &m);
		for (size_t i = 0; ok && i < m.n; i++)
			ok = cfg_is_null(m.kv[i].value) ||
			     check_str(c, m.kv[i].value, cfg_scalar(m.kv[i].key), "string");
		cfg_map_free(&m);
		return ok;
	}
	case CFGK_STRUCT:
		return cfg_is_null(v) || check_struct(c, v, key, f->sub);
	case CFGK_STRUCTS: {
		if (cfg_is_null(v))
			return true;
		if (v->type != YAML_SEQUENCE_NODE) {
			fail_type(c, v, key, f->sub->list_type);
			return false;
		}
		for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
			yaml_node_t *e = yaml_document_get_node(c->doc, *it);
			if (!cfg_is_null(e) && !check_struct(c, e, key, f->sub))
				return false;
		}
		return true;
	}
	case CFGK_HEADER: {
		/* yaml.v3 drops a null Secret from a list (decode.go null: false for a string kind) */
		if (cfg_is_null(v))
			return true;
		if (v->type != YAML_MAPPING_NODE) {
			fail_type(c, v, key, "config.Header");
			return false;
		}
		cfg_map_t m = { 0 };
		bool ok = cfg_map_build(c, v, false, &m);
		for (size_t i = 0; ok && i < m.n; i++) {
			yaml_node_t *l = m.kv[i].value;
			const char *name = cfg_scalar(m.kv[i].key);
			if (!cfg_is_null(l) && l->type != YAML_SEQUENCE_NODE) {
				fail_type(c, l, name, "[]config.Secret");
				ok = false;
			}
			for (yaml_node_item_t *it = l->data.sequence.items.start;
			     ok && l->type == YAML_SEQUENCE_NODE && it < l->data.sequence.items.top; it++) {
				yaml_node_t *e = yaml_document_get_node(c->doc, *it);
				if (!cfg_is_null(e) && e->type != YAML_SCALAR_NODE) {
					fail_type(c, e, name, "config.plain");     /* Secret.UnmarshalYAML's plain */
					ok = false;
				}
			}
		}
		cfg_map_free(&m);
		return ok;
	}
	}
	return true;
}

/* config.DNSProbe.UnmarshalYAML, after the fields decoded cleanly. */
static bool check_dns(cfg_check_t *c, yaml_node_t *node, const cfg_map_t *m)
{
	yaml_node_t *qn = cfg_map_get(m, "query_name");
	yaml_node_t *qc = cfg_map_get(m, "query_class");
	yaml_node_t *qt = cfg_map_get(m, "query_type");
	uint16_t u;
	if (!qn || cfg_is_null(qn) || !cfg_scalar(qn)[0]) {
		cfg_fail(c, qn ? &qn->start_mark : &node->start_mark, qn ? "query_name" : "dns",
		         "query name must be set for DNS module");
		return false;
	}
	if (qc && !cfg_is_null(qc) && cfg_scalar(qc)[0] && !dnstab_class_from_name(cfg_scalar(qc), &u)) {
		cfg_fail(c, &qc->start_mark, "query_class", "query class '%s' is not valid", cfg_scalar(qc));
		return false;
	}
	if (qt && !cfg_is_null(qt) && cfg_scalar(qt)[0] && !dnstab_type_from_name(cfg_scalar(qt), &u)) {
		cfg_fail(c, &qt->start_mark, "query_type", "query type '%s' is not valid", cfg_scalar(qt));
		return false;
	}
	yaml_node_t *edns = cfg_map_get(m, "edns");
	if (edns && edns->type == YAML_MAPPING_NODE) {
		cfg_map_t em = { 0 };
		bool ok = cfg_map_build(c, edns, true, &em);
		yaml_node_t *sz = ok ? cfg_map_get(&em, "udp_size") : NULL;
		long long v = sz && !cfg_is_null(sz) ? strtoll(cfg_scalar(sz), NULL, 0) : 1232;
		if (ok && (v < 512 || v > 4096)) {
			/* 4096: c-ares 1.18 reads UDP answers into a 4097-byte buffer (peers-and-libs.md B.1.3) */
			cfg_fail(c, &sz->start_mark, "udp_size", "edns udp_size must be between 512 and 4096, not %lld", v);
			ok = false;
		}
		cfg_map_free(&em);
		if (!ok)
			return false;
	}
	return true;
}

/* config.ICMPProbe.UnmarshalYAML */
static bool check_icmp(cfg_check_t *c, const cfg_map_t *m)
{
	yaml_node_t *ttl = cfg_map_get(m, "ttl");
	if (!ttl || cfg_is_null(ttl))
		return true;
	long long v = strtoll(cfg_scalar(ttl), NULL, 0);
	if (v < 0) {
		cfg_fail(c, &ttl->start_mark, "ttl", "\"ttl\" cannot be negative");
		return false;
	}
	if (v > 255) {
		cfg_fail(c, &ttl->start_mark, "ttl", "\"ttl\" cannot exceed 255");
		return false;
	}
	return true;
}

/* config.HeaderMatch.UnmarshalYAML */
static bool check_header_match(cfg_check_t *c, yaml_node_t *node, const cfg_map_t *m)
{
	yaml_node_t *h = cfg_map_get(m, "header"), *re = cfg_map_get(m, "regexp");
	if (!h || cfg_is_null(h) || !cfg_scalar(h)[0]) {
		cfg_fail(c, &node->start_mark, "header", "header name must be set for HTTP header matchers");
		return false;
	}
	if (!re || cfg_is_null(re) || !cfg_scalar(re)[0]) {
		cfg_fail(c, &node->start_mark, "regexp", "regexp must be set for HTTP header matchers");
		return false;
	}
	return true;
}

/* The parts of common's HTTPClientConfig.Validate that need no I/O. */
static bool check_http(cfg_check_t *c, yaml_node_t *node, const cfg_map_t *m)
{
	static const struct { const char *a, *b, *msg; } excl[] = {
		{ "bearer_token", "bearer_token_file", "at most one of bearer_token & bearer_token_file must be configured" },
		{ "basic_auth", "bearer_token", "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured" },
		{ "basic_auth", "bearer_token_file", "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured" },
		{ "basic_auth", "oauth2", "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured" },
		{ "authorization", "bearer_token", "authorization is not compatible with bearer_token & bearer_token_file" },
		{ "authorization", "bearer_token_file", "authorization is not compatible with bearer_token & bearer_token_file" },
		{ "authorization", "basic_auth", "at most one of basic_auth, oauth2 & authorization must be configured" },
		{ "authorization", "oauth2", "at most one of basic_auth, oauth2 & authorization must be configured" },
	};
	for (size_t i = 0; i < sizeof excl / sizeof excl[0]; i++) {
		yaml_node_t *a = cfg_map_get(m, excl[i].a), *b = cfg_map_get(m, excl[i].b);
		if (a && b && !cfg_is_null(a) && !cfg_is_null(b) && !(cfg_scalar(a) && !cfg_scalar(a)[0]) &&
		    !(cfg_scalar(b) && !cfg_scalar(b)[0])) {
			cfg_fail(c, &node->start_mark, "http", "%s", excl[i].msg);
			return false;
		}
	}
	/* ProxyConfig.Validate */
	yaml_node_t *pch = cfg_map_get(m, "proxy_connect_header"), *url = cfg_map_get(m, "proxy_url");
	if (pch && pch->type == YAML_MAPPING_NODE && (!url || cfg_is_null(url) || !cfg_scalar(url)[0])) {
		cfg_map_t hm = { 0 };
		bool ok = cfg_map_build(c, pch, false, &hm);
		size_t n = hm.n;
		cfg_map_free(&hm);
		if (!ok)
			return false;
		if (n) {
			cfg_fail(c, &node->start_mark, "http",
			         "if proxy_connect_header is configured proxy_url must also be configured");
			return false;
		}
	}
	return true;
}

static bool check_struct(cfg_check_t *c, yaml_node_t *node, const char *key, const cfg_schema_t *s)
{
	if (node->type != YAML_MAPPING_NODE) {
		fail_type(c, node, key, s->go_type);
		return false;
	}
	cfg_map_t m = { 0 };
	bool ok = cfg_map_build(c, node, true, &m);
	/* yaml.v3 decodes in document order: report the first bad key or value */
	for (size_t i = 0; ok && i < m.n; i++) {
		const char *k = cfg_scalar(m.kv[i].key);
		const cfg_field_t *f = s->fields;
		while (f->key && strcmp(f->key, k) != 0)
			f++;
		if (!f->key) {
			cfg_fail(c, &m.kv[i].key->start_mark, k, "field %s not found in type %s", k, s->go_type);
			ok = false;
			break;
		}
		ok = check_field(c, f, m.kv[i].value);
	}
	if (ok && s == &cfg_schema_dns)
		ok = check_dns(c, node, &m);
	else if (ok && s == &icmp_schema)
		ok = check_icmp(c, &m);
	else if (ok && s == &header_match_schema)
		ok = check_header_match(c, node, &m);
	else if (ok && s == &http_schema)
		ok = check_http(c, node, &m);
	cfg_map_free(&m);
	return ok;
}

bool cfg_check_document(cfg_check_t *c, yaml_node_t *root)
{
	if (!root || cfg_is_null(root))
		return true;
	if (root->type != YAML_MAPPING_NODE) {
		fail_type(c, root, "modules", "config.plain");
		return false;
	}
	cfg_map_t top = { 0 };
	bool ok = cfg_map_build(c, root, true, &top);
	for (size_t i = 0; ok && i < top.n; i++) {
		const char *k = cfg_scalar(top.kv[i].key);
		if (strcmp(k, "modules") != 0) {
			cfg_fail(c, &top.kv[i].key->start_mark, k, "field %s not found in type config.plain", k);
			ok = false;
		}
	}
	yaml_node_t *mods = ok ? cfg_map_get(&top, "modules") : NULL;
	if (mods && !cfg_is_null(mods)) {
		if (mods->type != YAML_MAPPING_NODE) {
			fail_type(c, mods, "modules", "map[string]config.Module");
			ok = false;
		} else {
			cfg_map_t mm = { 0 };
			ok = cfg_map_build(c, mods, false, &mm);
			for (size_t i = 0; ok && i < mm.n; i++) {
				yaml_node_t *v = mm.kv[i].value;
				if (!cfg_is_null(v))
					ok = check_struct(c, v, cfg_scalar(mm.kv[i].key), &cfg_schema_module);
			}
			cfg_map_free(&mm);
		}
	}
	cfg_map_free(&top);
	return ok;
}
