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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/regex.h"
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
		dnssec_ds_t ds;
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

/* config.Regexp.UnmarshalYAML: the pattern must compile as a Go regexp (check/regex speaks RE2's
 * syntax and limits: no lookarounds, repeats up to 1000). blackbox's text names no line. */
static bool check_regexp(yamldoc_t *c, yaml_node_t *v, const char *key)
{
	regex_pattern_t *re = regex_new(yamldoc_scalar(v));
	if (!re) {
		c->oom = true;
		return false;
	}
	bool ok = regex_error(re) == NULL;
	regex_free(re);
	if (!ok)
		yamldoc_fail(c, &v->start_mark, key, "\"Could not compile regular expression\" regexp=\"%s\"",
		             yamldoc_scalar(v));
	return ok;
}

/* []config.Regexp: each item (yaml.v3 calls no unmarshaler for a null item); blackbox stops at the
 * first bad one, every one is reported here */
static bool check_regexps(yamldoc_t *c, yaml_node_t *v, const char *key)
{
	bool ok = true;
	for (yaml_node_item_t *it = v->data.sequence.items.start; !yamldoc_stopped(c) && it < v->data.sequence.items.top;
	     it++) {
		yaml_node_t *e = yaml_document_get_node(c->doc, *it);
		if (!yamldoc_is_null(e))
			ok &= check_regexp(c, e, key);
	}
	return ok;
}

/* alecthomas/units ParseUnit (b94a6e3): [-+]?([0-9]*(\.[0-9]*)?[unit])+ with the units of one map;
 * NULL when s parses, else the error's text (in buf when it names s). */
static const char *parse_unit(const char *s, const char *const *units, char *buf, size_t len)
{
	static const double scale[] = { 1, 1024.0, 1048576.0, 1073741824.0, 1099511627776.0,
	                                1125899906842624.0, 1152921504606846976.0 };
	const char *orig = s;
	double f = 0;
	bool neg = false;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (strcmp(s, "0") == 0)
		return NULL;
	snprintf(buf, len, "units: invalid %s", orig);
	if (!*s)
		return buf;
	while (*s) {
		if (*s != '.' && (*s < '0' || *s > '9'))
			return buf;
		double g = 0;
		int64_t x = 0;
		const char *p = s;
		for (; *s >= '0' && *s <= '9'; s++) {
			if (x >= (INT64_MAX - 10) / 10)
				return buf;
			x = x * 10 + (*s - '0');
		}
		g = (double)x;
		bool pre = s != p, post = false;
		if (*s == '.') {
			p = ++s;
			double sc = 1;
			for (x = 0; *s >= '0' && *s <= '9'; s++, sc *= 10) {
				if (x >= (INT64_MAX - 10) / 10)
					return buf;
				x = x * 10 + (*s - '0');
			}
			g += (double)x / sc;
			post = s != p;
		}
		if (!pre && !post)
			return buf;
		p = s;
		while (*s && *s != '.' && (*s < '0' || *s > '9'))
			s++;
		size_t i = 0;
		while (units[i] && (strlen(units[i]) != (size_t)(s - p) || strncmp(units[i], p, (size_t)(s - p))))
			i++;
		if (!units[i]) {
			snprintf(buf, len, "units: unknown unit %.*s in %s", (int)(s - p), p, orig);
			return buf;
		}
		f += g * scale[i];
	}
	if (neg)
		f = -f;
	if (f < -9223372036854775808.0 || f > 9223372036854775808.0)
		return "units: overflow parsing unit";
	return NULL;
}

/* HTTPProbe.body_size_limit, a units.Base2Bytes: yaml.v3 hands any scalar's text to its UnmarshalText
 * (ParseBase2Bytes: the "KiB" units, then the "KB" ones, whose error is the one returned). */
static bool check_base2bytes(yamldoc_t *c, yaml_node_t *v, const char *key)
{
	static const char *const ib[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", NULL };
	static const char *const b[] = { "B", "KB", "MB", "GB", "TB", "PB", "EB", NULL };
	char buf[2][256];
	const char *why = parse_unit(yamldoc_scalar(v), ib, buf[0], sizeof buf[0]);
	if (why)
		why = parse_unit(yamldoc_scalar(v), b, buf[1], sizeof buf[1]);
	if (why)
		yamldoc_fail(c, &v->start_mark, key, "%s", why);
	return !why;
}

/* ---- common's URL.UnmarshalYAML: Go 1.19's net/url.Parse, for its errors only ---- */

/* strconv.Quote, close enough for a URL: ASCII escapes; UTF-8 kept as is. */
static void go_quote(char *out, size_t len, const char *s, size_t n)
{
	size_t o = 0;
	out[o++] = '"';
	for (size_t i = 0; i < n && o + 6 < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		const char *esc = ch == '"' ? "\\\"" : ch == '\\' ? "\\\\" : ch == '\a' ? "\\a" : ch == '\b' ? "\\b" :
		                  ch == '\f' ? "\\f" : ch == '\n' ? "\\n" : ch == '\r' ? "\\r" : ch == '\t' ? "\\t" :
		                  ch == '\v' ? "\\v" : NULL;
		if (esc)
			o += (size_t)snprintf(out + o, len - o, "%s", esc);
		else if (ch < 0x20 || ch == 0x7f)
			o += (size_t)snprintf(out + o, len - o, "\\x%02x", ch);
		else
			out[o++] = (char)ch;
	}
	out[o++] = '"';
	out[o] = '\0';
}

static bool is_hex(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

static int unhex(char ch)
{
	return ch <= '9' ? ch - '0' : (ch | 0x20) - 'a' + 10;
}

enum { URL_OTHER, URL_HOST, URL_ZONE };

/* shouldEscape(ch, encodeHost) is false */
static bool host_byte(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       (ch && strchr("!$&'()*+,;=:[]<>\"-_.~", ch));
}

/* unescape(s[0..n), mode): NULL, or the error in buf */
static const char *url_unescape(const char *s, size_t n, int mode, char *buf, size_t len)
{
	char q[64];
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '%') {
			if (i + 2 >= n || !is_hex(s[i + 1]) || !is_hex(s[i + 2])) {
				go_quote(q, sizeof q, s + i, n - i > 3 ? 3 : n - i);
				snprintf(buf, len, "invalid URL escape %s", q);
				return buf;
			}
			int v = unhex(s[i + 1]) << 4 | unhex(s[i + 2]);
			bool pct25 = s[i + 1] == '2' && s[i + 2] == '5';
			if ((mode == URL_HOST && unhex(s[i + 1]) < 8 && !pct25) ||
			    (mode == URL_ZONE && !pct25 && v != ' ' && !host_byte((unsigned char)v))) {
				go_quote(q, sizeof q, s + i, 3);
				snprintf(buf, len, "invalid URL escape %s", q);
				return buf;
			}
			i += 2;
		} else if (mode != URL_OTHER && ch < 0x80 && !host_byte(ch)) {
			go_quote(q, sizeof q, s + i, 1);
			snprintf(buf, len, "invalid character %s in host name", q);
			return buf;
		}
	}
	return NULL;
}

/* validOptionalPort: "" or ":" and digits */
static bool url_port_ok(const char *p, size_t n)
{
	if (n == 0)
		return true;
	if (*p != ':')
		return false;
	for (size_t i = 1; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return true;
}

static const char *url_bad_port(const char *p, size_t n, char *buf, size_t len)
{
	char q[128];
	go_quote(q, sizeof q, p, n);
	snprintf(buf, len, "invalid port %s after host", q);
	return buf;
}

/* parseHost */
static const char *url_host(const char *h, size_t n, char *buf, size_t len)
{
	if (n && h[0] == '[') {
		size_t i = n;
		while (i > 0 && h[i - 1] != ']')
			i--;
		if (i == 0)
			return "missing ']' in host";
		i--;
		if (!url_port_ok(h + i + 1, n - i - 1))
			return url_bad_port(h + i + 1, n - i - 1, buf, len);
		for (size_t z = 0; z + 3 <= i; z++)
			if (strncmp(h + z, "%25", 3) == 0) {
				const char *why = url_unescape(h, z, URL_HOST, buf, len);
				if (!why)
					why = url_unescape(h + z, i - z, URL_ZONE, buf, len);
				return why ? why : url_unescape(h + i, n - i, URL_HOST, buf, len);
			}
	} else {
		size_t i = n;
		while (i > 0 && h[i - 1] != ':')
			i--;
		if (i > 0 && !url_port_ok(h + i - 1, n - i + 1))
			return url_bad_port(h + i - 1, n - i + 1, buf, len);
	}
	return url_unescape(h, n, URL_HOST, buf, len);
}

/* parseAuthority */
static const char *url_authority(const char *a, size_t n, char *buf, size_t len)
{
	size_t at = n;
	while (at > 0 && a[at - 1] != '@')
		at--;
	const char *why = at ? url_host(a + at, n - at, buf, len) : url_host(a, n, buf, len);
	if (why || !at)
		return why;
	at--;   /* the userinfo is a[0..at) */
	for (size_t i = 0; i < at; i++) {
		unsigned char ch = (unsigned char)a[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		      (ch && strchr("-._:~!$&'()*+,;=%@", ch))))
			return "net/url: invalid userinfo";
	}
	return url_unescape(a, at, URL_OTHER, buf, len);
}

/* parse(rawURL, false) */
static const char *url_parse(const char *u, size_t n, char *buf, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)u[i] < 0x20 || u[i] == 0x7f)
			return "net/url: invalid control character in URL";
	if (n == 1 && u[0] == '*')
		return NULL;
	/* getScheme */
	const char *rest = u;
	bool scheme = false;
	for (size_t i = 0; i < n; i++) {
		char ch = u[i];
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))
			continue;
		if ((ch >= '0' && ch <= '9') || ch == '+' || ch == '-' || ch == '.') {
			if (i == 0)
				break;
			continue;
		}
		if (ch == ':') {
			if (i == 0)
				return "missing protocol scheme";
			rest = u + i + 1;
			scheme = true;
		}
		break;
	}
	size_t rn = (size_t)(u + n - rest);
	const char *qm = memchr(rest, '?', rn);
	if (qm)
		rn = (size_t)(qm - rest);   /* the query is not checked */
	if (!(rn && rest[0] == '/')) {
		if (scheme)
			return NULL;   /* opaque */
		const char *slash = memchr(rest, '/', rn);
		if (memchr(rest, ':', slash ? (size_t)(slash - rest) : rn))
			return "first path segment in URL cannot contain colon";
	}
	if ((scheme || !(rn >= 3 && strncmp(rest, "///", 3) == 0)) && rn >= 2 && strncmp(rest, "//", 2) == 0) {
		const char *a = rest + 2, *slash = memchr(a, '/', rn - 2);
		size_t an = slash ? (size_t)(slash - a) : rn - 2;
		const char *why = url_authority(a, an, buf, len);
		if (why)
			return why;
		rn -= 2 + an;
		rest = a + an;
	}
	return url_unescape(rest, rn, URL_OTHER, buf, len);
}

/* common's URL.UnmarshalYAML: url.Parse's error, returned as is ("parse \"...\": ...") */
static bool check_url(yamldoc_t *c, yaml_node_t *v, const char *key)
{
	const char *raw = yamldoc_scalar(v), *hash = strchr(raw, '#');
	size_t n = hash ? (size_t)(hash - raw) : strlen(raw);
	char buf[256], q[1024];
	const char *why = url_parse(raw, n, buf, sizeof buf);
	if (why) {
		go_quote(q, sizeof q, raw, n);
	} else if (hash && (why = url_unescape(hash + 1, strlen(hash + 1), URL_OTHER, buf, sizeof buf))) {
		go_quote(q, sizeof q, raw, strlen(raw));
	}
	if (why)
		yamldoc_fail(c, &v->start_mark, key, "parse %s: %s", q, why);
	return !why;
}

static const schema_rule_t regexp_rule = { NULL, check_regexp };
static const schema_rule_t url_rule = { NULL, check_url };
static const schema_rule_t regexps_rule = { NULL, check_regexps };
static const schema_rule_t base2bytes_rule = { NULL, check_base2bytes };
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
static const schema_t edns_schema = { NULL, NULL, edns_fields, NULL };   /* nsprobe's: no Go type */

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
static const schema_t dnssec_schema = { NULL, NULL, dnssec_fields, dnssec_exclusive };   /* nsprobe's */

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
	{ "proxy_url", SCHEMA_STR, 0, NULL, NULL, 0, 0, &url_rule },
	{ "tls_config", SCHEMA_STRUCT, 0, &tls_schema, NULL, 0, 0, NULL },
	{ NULL, 0, 0, NULL, NULL, 0, 0, NULL },
};
static const schema_t oauth2_schema = { "config.plain", NULL, oauth2_fields, NULL };

static const schema_field_t header_match_fields[] = {
	{ "header", SCHEMA_STR, 0, NULL, NULL, 0, 0, NULL },
	{ "regexp", SCHEMA_STR, 0, NULL, NULL, 0, 0, &regexp_rule },
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
	{ "fail_if_body_matches_regexp", SCHEMA_STRS, 0, NULL, NULL, 0, 0, &regexps_rule },
	{ "fail_if_body_not_matches_regexp", SCHEMA_STRS, 0, NULL, NULL, 0, 0, &regexps_rule },
	{ "fail_if_header_matches", SCHEMA_STRUCTS, 0, &schema_header_match, NULL, 0, 0, NULL },
	{ "fail_if_header_not_matches", SCHEMA_STRUCTS, 0, &schema_header_match, NULL, 0, 0, NULL },
	{ "body", SCHEMA_STR, 0, NULL, NULL, 0, 0, NULL },
	/* inline common HTTPClientConfig */
	{ "basic_auth", SCHEMA_STRUCT, SCHEMA_PTR, &basic_auth_schema, NULL, 0, 0, NULL },
	{ "authorization", SCHEMA_STRUCT, SCHEMA_PTR, &authorization_schema, NULL, 0, 0, NULL },
	{ "oauth2", SCHEMA_STRUCT, SCHEMA_PTR, &oauth2_schema, NULL, 0, 0, NULL },
	{ "bearer_token", SCHEMA_SECRET, 0, NULL, NULL, 0, 0, NULL },
	{ "bearer_token_file", SCHEMA_STR, 0, NULL, NULL, 0, 0, NULL },
	{ "proxy_url", SCHEMA_STR, 0, NULL, NULL, 0, 0, &url_rule },
	{ "proxy_connect_header", SCHEMA_HEADER, 0, NULL, NULL, 0, 0, NULL },
	{ "tls_config", SCHEMA_STRUCT, 0, &tls_schema, NULL, 0, 0, NULL },
	{ "follow_redirects", SCHEMA_BOOL, SCHEMA_KEEP, NULL, "true", 0, 0, NULL },
	{ "enable_http2", SCHEMA_BOOL, SCHEMA_KEEP, NULL, "true", 0, 0, NULL },
	/* end of inline */
	{ "compression", SCHEMA_STR, 0, NULL, NULL, 0, 0, NULL },
	{ "body_size_limit", SCHEMA_STR, 0, NULL, NULL, 0, 0, &base2bytes_rule },
	{ NULL, 0, 0, NULL, NULL, 0, 0, NULL },
};
/* common's HTTPClientConfig.Validate and the Accept-Encoding check: decode.c check_http */
const schema_t schema_http = { "config.plain", NULL, http_fields, NULL };

static const schema_field_t query_response_fields[] = {
	{ "expect", SCHEMA_STR, 0, NULL, NULL, 0, 0, &regexp_rule },
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

