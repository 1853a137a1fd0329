/* test_config -- config loading against blackbox_exporter 0.23's observed behaviour
 * (reference/blackbox-dns.md 1.3, 1.4, 1.10, 3.4) and its real debug dumps. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "config/config.h"
#include "lib/duration.h"
#include "lib/errors.h"
#include "testlib.h"

#define REF_DATA TEST_DATA_DIR "/blackbox-0.23"

/* Loads `yaml`; returns the config, or NULL with the error in err. */
static config_t *load(const char *yaml, char *err, size_t errlen)
{
	config_t *c = NULL;
	int rc = config_load_text("t.yml", yaml, strlen(yaml), &c, err, errlen);
	if (rc != 0)
		assert_null(c);
	return c;
}

/* One module `m` whose dns: block is `dns` (flow or block text after "dns:"). */
static config_t *load_dns(const char *dns, char *err, size_t errlen)
{
	char yaml[1024];
	snprintf(yaml, sizeof yaml, "modules:\n  m:\n    prober: dns\n    dns: %s\n", dns);
	return load(yaml, err, errlen);
}

static void expect_error(const char *yaml, const char *want)
{
	char err[512];
	config_t *c = load(yaml, err, sizeof err);
	if (c || !strstr(err, want))
		fail_msg("yaml:\n%s\nwant error containing \"%s\", got \"%s\"", yaml, want, c ? "(loaded)" : err);
	config_unref(c);
}

static void expect_ok(const char *yaml)
{
	char err[512];
	config_t *c = load(yaml, err, sizeof err);
	if (!c)
		fail_msg("yaml:\n%s\nunexpected error: %s", yaml, err);
	config_unref(c);
}

/* ---- 1.3 durations ---- */

static void test_duration_parse(void **state)
{
	(void)state;
	static const struct { const char *s; int64_t ns; } ok[] = {
		{ "5s", 5000000000LL }, { "1.5s", 1500000000LL }, { "1500us", 1500000LL },
		{ "1500\xc2\xb5s", 1500000LL }, { "1m30s500ms", 90500000000LL }, { "-1s", -1000000000LL },
		{ "0", 0 }, { "+0", 0 }, { "0s", 0 }, { ".5s", 500000000LL }, { "1.s", 1000000000LL },
		{ "2h45m", 9900000000000LL }, { "1ns", 1 }, { "9223372036854775807ns", INT64_MAX },
		{ "-9223372036854775808ns", INT64_MIN }, { "1.0000000001s", 1000000000LL },
	};
	static const char *const bad[] = {
		"5", "1d", "1w", "", "s", ".s", "1", "-", "1.5", "5 s", "5S", "9223372036854775808ns", "3000000h",
		"1s5", "1.2.3s",
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		int64_t ns = 42;
		if (duration_parse(ok[i].s, &ns) != 0 || ns != ok[i].ns)
			fail_msg("parse \"%s\": got %lld", ok[i].s, (long long)ns);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t ns;
		if (duration_parse(bad[i], &ns) != NSP_EINVAL)
			fail_msg("parse \"%s\" should fail", bad[i]);
	}
}

static void test_duration_format(void **state)
{
	(void)state;
	static const struct { int64_t ns; const char *s; } t[] = {
		{ 0, "0s" }, { 1, "1ns" }, { 1500, "1.5\xc2\xb5s" }, { 1500000, "1.5ms" }, { 5000000000LL, "5s" },
		{ 90500000000LL, "1m30.5s" }, { -1000000000LL, "-1s" }, { 3600000000000LL, "1h0m0s" },
		{ 9900000000000LL, "2h45m0s" }, { 1000000001LL, "1.000000001s" },
		{ INT64_MAX, "2562047h47m16.854775807s" }, { INT64_MIN, "-2562047h47m16.854775808s" },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char out[32];
		duration_format(t[i].ns, out);
		assert_string_equal(out, t[i].s);
	}
}

static void test_timeout_table_1_3(void **state)
{
	(void)state;
	static const struct { const char *v; int64_t ns; const char *err; } t[] = {
		{ "5s", 5000000000LL, NULL },
		{ "1.5s", 1500000000LL, NULL },
		{ "1500us", 1500000LL, NULL },
		{ "1m30s500ms", 90500000000LL, NULL },
		{ "-1s", -1000000000LL, NULL },
		{ "5", 0, "timeout: cannot unmarshal !!int `5` into time.Duration" },
		{ "0", 0, "timeout: cannot unmarshal !!int `0` into time.Duration" },
		{ "\"5\"", 0, "timeout: cannot unmarshal !!str `5` into time.Duration" },
		{ "1d", 0, "timeout: cannot unmarshal !!str `1d` into time.Duration" },
		{ "1w", 0, "timeout: cannot unmarshal !!str `1w` into time.Duration" },
		{ "100000000000", 0, "cannot unmarshal !!int `1000000...` into time.Duration" },
		{ "", 0, NULL },   /* null: left at 0 */
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char yaml[256], err[512];
		snprintf(yaml, sizeof yaml, "modules:\n  m:\n    prober: dns\n    timeout: %s\n", t[i].v);
		if (t[i].err) {
			expect_error(yaml, t[i].err);
			continue;
		}
		config_t *c = load(yaml, err, sizeof err);
		if (!c)
			fail_msg("timeout %s: %s", t[i].v, err);
		assert_int_equal(c->modules[0].timeout_ns, t[i].ns);
		config_unref(c);
	}
}

/* ---- bools (yaml.v3) ---- */

static void test_bools(void **state)
{
	(void)state;
	static const struct { const char *v; int want; } t[] = {
		{ "true", 1 }, { "True", 1 }, { "TRUE", 1 }, { "false", 0 }, { "False", 0 }, { "FALSE", 0 },
		{ "y", 1 }, { "Y", 1 }, { "yes", 1 }, { "Yes", 1 }, { "YES", 1 }, { "on", 1 }, { "On", 1 },
		{ "ON", 1 }, { "n", 0 }, { "N", 0 }, { "no", 0 }, { "No", 0 }, { "NO", 0 }, { "off", 0 },
		{ "Off", 0 }, { "OFF", 0 }, { "\"yes\"", 1 }, { "'off'", 0 }, { "", 1 /* null: default */ },
		{ "\"true\"", -1 }, { "1", -1 }, { "0", -1 }, { "flase", -1 }, { "tRUE", -1 }, { "yES", -1 },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char dns[128], err[512];
		snprintf(dns, sizeof dns, "\n      query_name: x\n      recursion_desired: %s", t[i].v);
		config_t *c = load_dns(dns, err, sizeof err);
		if (t[i].want < 0) {
			if (c || !strstr(err, "recursion_desired: cannot unmarshal !!"))
				fail_msg("bool %s should fail, got %s", t[i].v, c ? "(loaded)" : err);
			if (strstr(err, "into bool") == NULL)
				fail_msg("bool %s: %s", t[i].v, err);
			continue;
		}
		if (!c)
			fail_msg("bool %s: %s", t[i].v, err);
		if (c->modules[0].dns.recursion_desired != (t[i].want == 1))
			fail_msg("bool %s read as %d", t[i].v, c->modules[0].dns.recursion_desired);
		config_unref(c);
	}
	expect_error("modules:\n  m:\n    dns: {query_name: x, dns_over_tls: \"true\"}\n",
	             "dns_over_tls: cannot unmarshal !!str `true` into bool");
	expect_error("modules:\n  m:\n    dns: {query_name: x, dns_over_tls: 1}\n",
	             "dns_over_tls: cannot unmarshal !!int `1` into bool");
}

/* ---- 1.10 ---- */

static void test_table_1_10(void **state)
{
	(void)state;
	static const struct { const char *dns; const char *err; } t[] = {
		{ "{}", "dns: query name must be set for DNS module" },
		{ "{query_name: \"\"}", "query name must be set for DNS module" },
		{ "{query_name: x, query_type: a}", "query_type: query type 'a' is not valid" },
		{ "{query_name: x, query_type: TYPE65280}", "query type 'TYPE65280' is not valid" },
		{ "{query_name: x, query_type: None}", NULL },
		{ "{query_name: x, query_type: NSAP-PTR}", NULL },
		{ "{query_name: x, query_class: CHAOS}", "query_class: query class 'CHAOS' is not valid" },
		{ "{query_name: x, query_class: in}", "query class 'in' is not valid" },
		{ "{query_name: x, query_class: CLASS1}", "query class 'CLASS1' is not valid" },
		{ "{query_name: x, query_class: ANY}", NULL },
		{ "{query_name: x, recursion_desired: yes}", NULL },
		{ "{query_name: x, recursion_desired: True}", NULL },
		{ "{query_name: x, recursion_desired: y}", NULL },
		{ "{query_name: x, recursion_desired: \"yes\"}", NULL },
		{ "{query_name: x, ip_protocol_fallback: off}", NULL },
		{ "{query_name: x, dns_over_tls: \"true\"}", "cannot unmarshal !!str `true` into bool" },
		{ "{query_name: x, dns_over_tls: 1}", "cannot unmarshal !!int `1` into bool" },
		{ "\n      query_name: x\n      valid_rcodes: NOERROR",
		  "t.yml:6:21: valid_rcodes: cannot unmarshal !!str `NOERROR` into []string" },
		{ "{query_name: x, validate_answer_rrs: {fail_if_matches_regexp: ['([']}}", NULL },
		{ "{query_name: x, validate_answer_rrs: {fail_if_foo: [a]}}",
		  "fail_if_foo: field fail_if_foo not found in type config.plain" },
		{ "{query_name: x, validate_answer_rrs: {fail_if_matches_regexp: foo}}",
		  "cannot unmarshal !!str `foo` into []string" },
		{ "{query_name: x, tls_config: {bogus: 1}}", "bogus: field bogus not found in type config.plain" },
		{ "{query_name: x, tls_config: {ca: x}}", "field ca not found" },
		{ "{query_name: x, tls_config: {max_version: TLS13}}", NULL },
		{ "{query_name: x, tls_config: {min_version: TLS99}}", "min_version: unknown TLS version: TLS99" },
		{ "{Query_Name: x}", "Query_Name: field Query_Name not found in type config.plain" },
		{ "{query_name: x, transport_protocol: sctp}", NULL },
		{ "{query_name: x, source_ip_address: notanip}", NULL },
		{ "{query_name: x, dns_over_tls: true}", NULL },
		{ "{query_name: x, query_name: y}", "query_name: mapping key \"query_name\" already defined at line 4" },
		{ "[a]", "dns: cannot unmarshal !!seq into config.plain" },
		{ "{query_name: {a: b}}", "query_name: cannot unmarshal !!map into string" },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char yaml[512];
		snprintf(yaml, sizeof yaml, "modules:\n  m:\n    prober: dns\n    dns: %s\n", t[i].dns);
		if (t[i].err)
			expect_error(yaml, t[i].err);
		else
			expect_ok(yaml);
	}
	expect_ok("modules:\n  m:\n    prober: dnsx\n");
	expect_ok("modules:\n  m:\n    timeout: 5s\n");
	expect_ok("modules:\n  m:\n    prober: dns\n    dns:\n");
	expect_ok("modules:\n  m: {prober: dns, dns: ~}\n");
	expect_error("modules:\n  m:\n    prober: icmp\n    icmp: {ttl: 300}\n", "ttl: \"ttl\" cannot exceed 255");
	expect_error("modules:\n  m:\n    prober: icmp\n    icmp: {ttl: -1}\n", "\"ttl\" cannot be negative");
	expect_error("modules:\n  m:\n    prober: icmp\n    icmp: {ttl: 5x}\n", "cannot unmarshal !!str `5x` into int");
}

static void test_file_level(void **state)
{
	(void)state;
	char err[512];
	expect_error("", "error parsing config file: t.yml: EOF");
	expect_error("# only a comment\n", "EOF");
	expect_error("bogus: 1\nmodules: {}\n", "t.yml:1:1: bogus: field bogus not found in type config.plain");
	expect_error("base: &b {query_name: x}\nmodules:\n  a: {prober: dns, dns: *b}\n", "field base not found");
	expect_error("modules:\n  a:\n    prober: dns\n  a:\n    prober: tcp\n",
	             "t.yml:4:3: a: mapping key \"a\" already defined at line 2");
	expect_error("modules:\n  a:\n    prober: dns\n    prober: tcp\n",
	             "t.yml:4:5: prober: mapping key \"prober\" already defined at line 3");
	expect_error("modules:\n\ta: {}\n", "t.yml:2:1: yaml: found character that cannot start any token");
	expect_error("modules:\n  a:\n    prober: dns\n    httpx: {}\n", "httpx: field httpx not found");
	expect_error("modules:\n  a:\n    http: {bogus: 1}\n", "bogus: field bogus not found");
	expect_error("modules:\n  a:\n    tcp: {query_response: [{expekt: x}]}\n", "expekt: field expekt not found");
	expect_error("modules:\n  a:\n    grpc: {service: x, tls_config: {nope: 1}}\n", "nope: field nope not found");
	expect_error("modules:\n  a:\n    http: {fail_if_header_matches: [{regexp: x}]}\n",
	             "header name must be set for HTTP header matchers");
	expect_error("modules:\n  a:\n    http: {bearer_token: a, bearer_token_file: b}\n",
	             "at most one of bearer_token & bearer_token_file must be configured");
	expect_error("modules: [a]\n", "cannot unmarshal !!seq into map[string]config.Module");

	config_t *c = load("modules:\n", err, sizeof err);
	assert_non_null(c);
	assert_int_equal(c->n_modules, 0);
	config_unref(c);
	c = load("modules: {}\n", err, sizeof err);
	assert_non_null(c);
	assert_int_equal(c->n_modules, 0);
	config_unref(c);
	/* only the first document counts, even if the second does not parse */
	c = load("modules:\n  a: {prober: dns, dns: {query_name: x}}\n---\njunk: [\n", err, sizeof err);
	assert_non_null(c);
	assert_int_equal(c->n_modules, 1);
	config_unref(c);
	/* anchors and aliases */
	c = load("modules:\n  a: &a {prober: dns, dns: {query_name: x, query_type: MX}}\n  b: *a\n", err,
	         sizeof err);
	assert_non_null(c);
	assert_int_equal(c->n_modules, 2);
	assert_int_equal(c->modules[1].dns.query_type, 15);
	config_unref(c);
}

static void test_typo_file(void **state)
{
	(void)state;
	char err[512];
	config_t *c = NULL;
	assert_int_equal(config_load(TEST_DATA_DIR "/config/typo.yml", &c, err, sizeof err), NSP_ECONFIG);
	assert_null(c);
	assert_string_equal(err, "error parsing config file: " TEST_DATA_DIR
	                         "/config/typo.yml:6:7: qeury_type: field qeury_type not found in type config.plain");
	assert_int_equal(config_load(TEST_DATA_DIR "/config/nope.yml", &c, err, sizeof err), NSP_ECONFIG);
	assert_string_equal(err, "error reading config file: open " TEST_DATA_DIR
	                         "/config/nope.yml: no such file or directory");
	assert_int_equal(config_load(TEST_DATA_DIR "/config/empty.yml", &c, err, sizeof err), NSP_ECONFIG);
	assert_non_null(strstr(err, "EOF"));
	assert_int_equal(config_load(TEST_DATA_DIR "/config/bad-ttl.yml", &c, err, sizeof err), NSP_ECONFIG);
	assert_non_null(strstr(err, "bad-ttl.yml:5:12: ttl: \"ttl\" cannot exceed 255"));
	assert_int_equal(config_load(TEST_DATA_DIR "/config/tabs.yml", &c, err, sizeof err), NSP_ECONFIG);
	assert_non_null(strstr(err, "tabs.yml:2:1: yaml: found character that cannot start any token"));
}

static void test_real_configs(void **state)
{
	(void)state;
	static const struct { const char *path; size_t n; } t[] = {
		{ TEST_DATA_DIR "/config/upstream-example.yml", 16 },
		{ TEST_DATA_DIR "/config/debian-blackbox.yml", 10 },
		{ TEST_DATA_DIR "/../../config/blackbox.yml", 15 },
		{ TEST_DATA_DIR "/config/multidoc.yml", 1 },
		{ REF_DATA "/test-modules.yml", 71 },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char err[512];
		config_t *c = NULL;
		if (config_load(t[i].path, &c, err, sizeof err) != 0)
			fail_msg("%s: %s", t[i].path, err);
		if (c->n_modules != t[i].n)
			fail_msg("%s: %zu modules", t[i].path, c->n_modules);
		config_unref(c);
	}
	char err[512];
	config_t *c = NULL;
	assert_int_equal(config_load(TEST_DATA_DIR "/config/upstream-example.yml", &c, err, sizeof err), 0);
	const config_module_t *m = config_module_get(c, "dns_udp_example");
	assert_non_null(m);
	assert_string_equal(m->prober, "dns");
	assert_int_equal(m->timeout_ns, 5000000000LL);
	assert_string_equal(m->dns.query_name, "www.prometheus.io");
	assert_int_equal(m->dns.query_type, 1);
	assert_true(m->dns.valid_rcodes_set);
	assert_int_equal(m->dns.valid_rcodes.n, 1);
	assert_string_equal(m->dns.valid_rcodes.v[0], "NOERROR");
	assert_int_equal(m->dns.validate_answer_rrs.fail_if_matches_regexp.n, 1);
	assert_int_equal(m->dns.validate_answer_rrs.fail_if_all_match_regexp.n, 1);
	assert_int_equal(m->dns.validate_answer_rrs.fail_if_not_matches_regexp.n, 1);
	assert_string_equal(regex_source(m->dns.validate_answer_rrs.fail_if_not_matches_regexp.re[0]),
	                    "www.prometheus.io.\t300\tIN\tA\t127.0.0.1");
	assert_int_equal(m->dns.validate_answer_rrs.fail_if_none_matches_regexp.n, 1);
	assert_int_equal(m->dns.validate_authority_rrs.fail_if_matches_regexp.n, 1);
	assert_int_equal(m->dns.validate_additional_rrs.fail_if_matches_regexp.n, 1);
	m = config_module_get(c, "dns_tcp_example");
	assert_string_equal(m->dns.transport_protocol, "tcp");
	assert_string_equal(m->dns.preferred_ip_protocol, "ip4");
	assert_int_equal(m->dns.query_type, 255);
	assert_null(m->dns.query_type_name);
	assert_null(config_module_get(c, "nope"));
	config_unref(c);
}

static void test_dns_fields(void **state)
{
	(void)state;
	char err[512];
	config_t *c = load("modules:\n"
	                   "  none:\n    prober: dns\n"
	                   "  nul:\n    prober: dns\n    dns:\n"
	                   "  empty_rc:\n    dns: {query_name: x, valid_rcodes: []}\n"
	                   "  null_rc:\n    dns: {query_name: x, valid_rcodes: ~, transport_protocol: ~}\n"
	                   "  full:\n    dns:\n      query_name: \"null\"\n      query_type: AAAA\n"
	                   "      query_class: CH\n      recursion_desired: no\n      ip_protocol_fallback: n\n"
	                   "      dns_over_tls: on\n      transport_protocol: tcp\n"
	                   "      preferred_ip_protocol: ip4\n      source_ip_address: 127.0.0.1\n"
	                   "      tls_config: {ca_file: /ca, cert_file: /c, key_file: /k, server_name: s,\n"
	                   "                   insecure_skip_verify: yes, min_version: TLS12, max_version: TLS13}\n"
	                   "  zero:\n",
	                   err, sizeof err);
	if (!c)
		fail_msg("%s", err);
	assert_int_equal(c->n_modules, 6);
	const config_module_t *m = config_module_get(c, "none");
	assert_null(m->dns.query_name);
	assert_int_equal(m->dns.query_type, 255);
	assert_int_equal(m->dns.query_class, 1);
	assert_true(m->dns.recursion_desired);
	assert_true(m->dns.ip_protocol_fallback);
	assert_false(m->dns.valid_rcodes_set);
	assert_int_equal(m->timeout_ns, 0);
	m = config_module_get(c, "nul");
	assert_null(m->dns.query_name);
	assert_true(m->dns.recursion_desired);
	m = config_module_get(c, "empty_rc");
	assert_true(m->dns.valid_rcodes_set);
	assert_int_equal(m->dns.valid_rcodes.n, 0);
	assert_null(m->prober);
	m = config_module_get(c, "null_rc");
	assert_false(m->dns.valid_rcodes_set);
	assert_null(m->dns.transport_protocol);
	m = config_module_get(c, "full");
	assert_string_equal(m->dns.query_name, "null");
	assert_int_equal(m->dns.query_type, 28);
	assert_string_equal(m->dns.query_type_name, "AAAA");
	assert_int_equal(m->dns.query_class, 3);
	assert_string_equal(m->dns.query_class_name, "CH");
	assert_false(m->dns.recursion_desired);
	assert_false(m->dns.ip_protocol_fallback);
	assert_true(m->dns.dns_over_tls);
	assert_string_equal(m->dns.transport_protocol, "tcp");
	assert_string_equal(m->dns.preferred_ip_protocol, "ip4");
	assert_string_equal(m->dns.source_ip_address, "127.0.0.1");
	assert_string_equal(m->dns.tls_config.ca_file, "/ca");
	assert_string_equal(m->dns.tls_config.cert_file, "/c");
	assert_string_equal(m->dns.tls_config.key_file, "/k");
	assert_string_equal(m->dns.tls_config.server_name, "s");
	assert_true(m->dns.tls_config.insecure_skip_verify);
	assert_string_equal(m->dns.tls_config.min_version, "TLS12");
	assert_string_equal(m->dns.tls_config.max_version, "TLS13");
	/* tls_config prints insecure_skip_verify always and versions as Go's uint16 (pointer receiver) */
	assert_non_null(strstr(m->debug_yaml, "  tls_config:\n    ca_file: /ca\n    cert_file: /c\n    key_file: /k\n"
	                                      "    server_name: s\n    insecure_skip_verify: true\n"
	                                      "    min_version: 771\n    max_version: 772\n"));
	assert_non_null(strstr(m->debug_yaml, "  query_name: \"null\"\n"));
	m = config_module_get(c, "zero");
	assert_string_equal(m->debug_yaml, "{}\n");
	assert_false(m->dns.recursion_desired);

	/* reference counting */
	assert_ptr_equal(config_ref(c), c);
	config_unref(c);
	config_unref(c);
	config_unref(NULL);
}

static void test_merge_keys(void **state)
{
	(void)state;
	char err[512];
	config_t *c = NULL;
	if (config_load(TEST_DATA_DIR "/config/merge.yml", &c, err, sizeof err) != 0)
		fail_msg("%s", err);
	assert_int_equal(c->n_modules, 3);
	const config_module_t *m = config_module_get(c, "derived");
	assert_string_equal(m->prober, "dns");
	assert_int_equal(m->timeout_ns, 7000000000LL);
	assert_string_equal(m->dns.query_name, "example.com");
	assert_int_equal(m->dns.query_type, 1);
	m = config_module_get(c, "listmerge");
	assert_string_equal(m->prober, "dns");
	assert_int_equal(m->timeout_ns, 3000000000LL);
	assert_string_equal(m->dns.query_name, "other.example");
	assert_int_equal(m->dns.query_type, 255);
	config_unref(c);
	/* errors after a merge still point into the original text */
	expect_error("modules:\n  a: &a {prober: dns}\n  b:\n    <<: *a\n    dns: {query_name: x, bad: 1}\n",
	             "t.yml:5:26: bad: field bad not found");
	expect_error("modules:\n  a:\n    <<: 5\n", "map merge requires map or sequence of maps as the value");
}

/* ---- 3.4: debug_yaml against the real 0.23 dumps ---- */

static void test_debug_yaml_golden(void **state)
{
	(void)state;
	char err[512];
	config_t *c = NULL;
	if (config_load(REF_DATA "/test-modules.yml", &c, err, sizeof err) != 0)
		fail_msg("%s", err);
	DIR *dir = opendir(REF_DATA "/probe-outputs");
	assert_non_null(dir);
	size_t checked = 0;
	struct dirent *de;
	while ((de = readdir(dir))) {
		const char *f = de->d_name;
		size_t len = strlen(f);
		if (len < 5 || strcmp(f + len - 4, ".txt") != 0)
			continue;
		/* dns_a.debug.txt -> dns_a; f_soa_5410.txt -> f_soa */
		char mod[128];
		if (len > 10 && strcmp(f + len - 10, ".debug.txt") == 0)
			snprintf(mod, sizeof mod, "%.*s", (int)(len - 10), f);
		else
			snprintf(mod, sizeof mod, "%.*s", (int)(strrchr(f, '_') - f), f);
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", REF_DATA "/probe-outputs", f);
		char *text = testlib_load(path, NULL);
		assert_non_null(text);
		const char *want = strstr(text, "\nModule configuration:\n");
		assert_non_null(want);
		want += strlen("\nModule configuration:\n");
		const config_module_t *m = config_module_get(c, mod);
		if (!m)
			fail_msg("module %s (from %s) not loaded", mod, f);
		if (strcmp(m->debug_yaml, want) != 0)
			fail_msg("%s: debug_yaml differs:\n--- want\n%s--- got\n%s", f, want, m->debug_yaml);
		free(text);
		checked++;
	}
	closedir(dir);
	assert_true(checked >= 6);
	config_unref(c);
}

static void test_debug_yaml_quoting(void **state)
{
	(void)state;
	char err[512];
	config_t *c = load("modules:\n  m:\n    prober: dns\n    timeout: 1500ms\n    dns:\n"
	                   "      query_name: \"yes\"\n      query_type: \"A\"\n"
	                   "      valid_rcodes: [\"123\", \"1:30\", \"2001-12-14\", \"\", '.5', '~', x y, \"a: b\", '- x']\n",
	                   err, sizeof err);
	if (!c)
		fail_msg("%s", err);
	const char *want = "dns:\n  ip_protocol_fallback: true\n  query_name: \"yes\"\n  query_type: A\n"
	                   "  recursion_desired: true\n  valid_rcodes:\n  - \"123\"\n  - \"1:30\"\n"
	                   "  - \"2001-12-14\"\n  - \"\"\n  - \".5\"\n  - \"~\"\n  - x y\n  - 'a: b'\n  - '- x'\n";
	const char *got = strstr(c->modules[0].debug_yaml, "dns:\n");
	assert_non_null(got);
	assert_string_equal(got, want);
	assert_non_null(strstr(c->modules[0].debug_yaml, "timeout: 1.5s\n"));
	config_unref(c);
}

/* nsprobe's dnssec.ds / ds_from / key_info (issue 14): read at load, errors with their position */
static void test_dnssec_ds(void **state)
{
	(void)state;
	char err[512];
	config_t *c = load_dns("{query_name: example., dnssec: {validate: true, key_info: true, ds: ["
	                       "'example. 3600 IN DS 2371 13 2 1F987CC6583E92DF0890718C42 1B6BC3B7A1C2D4E5F6A7B8C9D0E1F2A3B4C5AB',"
	                       "'2371 13 1 0123456789abcdef0123456789ABCDEF01234567', '7 8 99 abcd']}}", err, sizeof err);
	if (!c)
		fail_msg("%s", err);
	const config_dns_t *d = &config_module_get(c, "m")->dns;
	assert_int_equal(d->n_ds, 3);
	assert_true(d->dnssec_key_info);
	assert_int_equal(d->ds[0].key_tag, 2371);
	assert_int_equal(d->ds[0].algorithm, 13);
	assert_int_equal(d->ds[0].digest_type, 2);
	assert_int_equal(d->ds[0].digest_len, 32);
	assert_int_equal(d->ds[0].digest[0], 0x1f);
	assert_int_equal(d->ds[0].owner_len, 9);          /* \007example\000 */
	assert_int_equal(d->ds[1].owner_len, 0);
	assert_int_equal(d->ds[1].digest_len, 20);
	assert_int_equal(d->ds[2].digest_type, 99);       /* unknown types are kept (they never match) */
	config_unref(c);

	expect_error("modules:\n  m:\n    dns:\n      query_name: x\n      dnssec:\n        ds: ['1 13 2 abcd']\n",
	             "t.yml:6:14: ds: cannot read the DS record \"1 13 2 abcd\": a SHA-256 digest (type 2) has 32 octets");
	expect_error("modules:\n  m:\n    dns: {query_name: x, dnssec: {ds: ['example. IN DS 1 13 2 zz']}}\n",
	             "the digest is not hex");
	expect_error("modules:\n  m:\n    dns: {query_name: x, dnssec: {ds: ['example. CH DS 1 13 2 ab']}}\n",
	             "only class IN is supported");
	expect_error("modules:\n  m:\n    dns: {query_name: x, dnssec: {ds: ['70000 13 2 ab']}}\n",
	             "the key tag is not a number from 0 to 65535");
}

static void test_dnssec_ds_from(void **state)
{
	(void)state;
	char err[512];
	config_t *c = load_dns("{query_name: x, dnssec: {ds_from: '[::1]:5353'}}", err, sizeof err);
	if (!c)
		fail_msg("%s", err);
	const config_dns_t *d = &config_module_get(c, "m")->dns;
	assert_false(d->ds_from_resolver);
	assert_int_equal(d->ds_from_ip.family, AF_INET6);
	assert_int_equal(d->ds_from_port, 5353);
	config_unref(c);
	c = load_dns("{query_name: x, dnssec: {ds_from: resolver}}", err, sizeof err);
	assert_non_null(c);
	assert_true(config_module_get(c, "m")->dns.ds_from_resolver);
	config_unref(c);
	c = load_dns("{query_name: x, dnssec: {ds_from: 192.0.2.53}}", err, sizeof err);
	assert_non_null(c);
	assert_int_equal(config_module_get(c, "m")->dns.ds_from_port, 53);
	config_unref(c);
	expect_error("modules:\n  m:\n    dns: {query_name: x, dnssec: {ds_from: ns.example.}}\n",
	             "t.yml:3:44: ds_from: ds_from must be \"resolver\" or an IP address with an optional port");
	expect_error("modules:\n  m:\n    dns: {query_name: x, dnssec: {ds_from: resolver, ds: ['1 13 99 ab']}}\n",
	             "dnssec.ds and dnssec.ds_from are exclusive");
	/* nsprobe's own sections name themselves, not a Go type (issue 15) */
	expect_error("modules:\n  m:\n    dns: {query_name: x, edns: {bogus: 1}}\n", "t.yml:3:33: bogus: field bogus not found in edns");
	expect_error("modules:\n  m:\n    dns: {query_name: x, dnssec: [1]}\n", "dnssec: cannot unmarshal !!seq into a mapping");
}

/* ---- the other probers' sections: blackbox 0.23's load-time rules (config/config.go, common 0.39) ---- */

static void test_other_probers_rules(void **state)
{
	(void)state;
	/* config.Regexp: Go's syntax, blamed on the pattern */
	expect_error("modules:\n  m:\n    http:\n      fail_if_body_matches_regexp: [ok, \"(?=x)\"]\n",
	             "t.yml:4:41: fail_if_body_matches_regexp: \"Could not compile regular expression\" regexp=\"(?=x)\"");
	expect_error("modules:\n  m:\n    http: {fail_if_body_not_matches_regexp: [\"a{1001}\"]}\n", "regexp=\"a{1001}\"");
	expect_error("modules:\n  m:\n    http: {fail_if_header_matches: [{header: X, regexp: \"[\"}]}\n",
	             "regexp: \"Could not compile regular expression\" regexp=\"[\"");
	/* the pattern is unmarshalled before HeaderMatch's own checks */
	expect_error("modules:\n  m:\n    http: {fail_if_header_not_matches: [{regexp: \"(\"}]}\n", "regexp=\"(\"");
	expect_error("modules:\n  m:\n    tcp: {query_response: [{send: x}, {expect: \"(?!x)\"}]}\n", "regexp=\"(?!x)\"");
	expect_ok("modules:\n  m:\n    tcp: {query_response: [{expect: \"\"}, {expect: \"^SSH-2.0-\"}]}\n"
	          "    http: {fail_if_body_matches_regexp: [null, \"\\\\p{Greek}+\"]}\n");
	/* units.Base2Bytes: "KiB" units, then "KB" ones, whose error wins */
	expect_error("modules:\n  m:\n    http: {body_size_limit: 10}\n", "body_size_limit: units: unknown unit  in 10");
	expect_error("modules:\n  m:\n    http: {body_size_limit: 1KiB1KB}\n", "units: unknown unit KiB in 1KiB1KB");
	expect_error("modules:\n  m:\n    http: {body_size_limit: 9EB}\n", "units: overflow parsing unit");
	expect_error("modules:\n  m:\n    http: {body_size_limit: 99999999999999999999B}\n",
	             "units: invalid 99999999999999999999B");
	expect_error("modules:\n  m:\n    http: {body_size_limit: true}\n", "units: invalid true");
	expect_ok("modules:\n  m:\n    http: {body_size_limit: 7EB}\n  n:\n    http: {body_size_limit: -1.5MiB}\n"
	          "  o:\n    http: {body_size_limit: \"+0\"}\n  p:\n    http: {body_size_limit: .5KB}\n");
	/* common's URL: url.Parse's text */
	expect_error("modules:\n  m:\n    http: {proxy_url: \"http://[::1]x\"}\n",
	             "proxy_url: parse \"http://[::1]x\": invalid port \"x\" after host");
	expect_error("modules:\n  m:\n    http: {proxy_url: \"http://a%2fb\"}\n", "invalid URL escape \"%2f\"");
	expect_error("modules:\n  m:\n    http: {proxy_url: \"http://[fe80::1%25%2f]:80/\"}\n", "invalid URL escape \"%2f\"");
	expect_error("modules:\n  m:\n    http: {proxy_url: \"http://h\\\\x\"}\n", "invalid character \"\\\\\" in host name");
	expect_error("modules:\n  m:\n    http: {proxy_url: \"10.0.0.1:3128\"}\n",
	             "first path segment in URL cannot contain colon");
	expect_error("modules:\n  m:\n    http: {proxy_url: \"x\\ty#%g\"}\n",
	             "parse \"x\\ty\": net/url: invalid control character in URL");
	expect_error("modules:\n  m:\n    http: {proxy_url: \"x#%g\"}\n", "parse \"x#%g\": invalid URL escape \"%g\"");
	expect_error("modules:\n  m:\n    http: {oauth2: {client_id: a, client_secret: b, token_url: c, "
	             "proxy_url: \":x\"}}\n",
	             "parse \":x\": missing protocol scheme");
	expect_ok("modules:\n  m:\n    http: {proxy_url: \"http://[fe80::1%25%41]:8080/\"}\n"
	          "  n:\n    http: {proxy_url: \"*\"}\n"
	          "  o:\n    http: {proxy_url: \"a:b:%\"}\n  p:\n    http: {proxy_url: \"///h:x\"}\n"
	          "  q:\n    http: {proxy_url: \"http://h?%zz\"}\n  r:\n    http: {proxy_url: \"http://a%c3%a9\"}\n");
	/* HTTPClientConfig.Validate, in its order */
	expect_error("modules:\n  m:\n    http: {basic_auth: {}, bearer_token: x}\n",
	             "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured");
	expect_ok("modules:\n  m:\n    http: {basic_auth: null, bearer_token: x}\n");
	expect_error("modules:\n  m:\n    http: {basic_auth: {username: u}, oauth2: {client_id: a}}\n",
	             "http: at most one of basic_auth, oauth2 & authorization must be configured");
	expect_error("modules:\n  m:\n    http: {basic_auth: {password: p, password_file: f}}\n",
	             "at most one of basic_auth password & password_file must be configured");
	expect_error("modules:\n  m:\n    http: {authorization: {credentials: a, credentials_file: b}}\n",
	             "at most one of authorization credentials & credentials_file must be configured");
	expect_error("modules:\n  m:\n    http: {authorization: {type: \" BASIC\\t\"}}\n",
	             "authorization type cannot be set to \"basic\", use \"basic_auth\" instead");
	expect_error("modules:\n  m:\n    http: {oauth2: {}}\n", "oauth2 client_id must be configured");
	expect_error("modules:\n  m:\n    http: {oauth2: {client_id: a}}\n",
	             "either oauth2 client_secret or client_secret_file must be configured");
	expect_error("modules:\n  m:\n    http: {oauth2: {client_id: a, client_secret_file: b}}\n",
	             "oauth2 token_url must be configured");
	expect_error("modules:\n  m:\n    http: {oauth2: {client_id: a, client_secret: b, client_secret_file: c, "
	             "token_url: d}}\n",
	             "at most one of oauth2 client_secret & client_secret_file must be configured");
	/* compression vs Accept-Encoding: q rounded to 1/1000, best first, "*" for any */
	expect_error("modules:\n  m:\n    http: {compression: gzip, headers: {accept-encoding: \"gzip;q=0.0004\"}}\n",
	             "accept-encoding: invalid configuration \"accept-encoding: gzip;q=0.0004\", \"compression: gzip\"");
	expect_error("modules:\n  m:\n    http: {compression: gzip, headers: {Accept-Encoding: \"gzip;q=0x1\"}}\n",
	             "invalid configuration");
	expect_error("modules:\n  m:\n    http: {compression: gzip, headers: {Accept-Encoding: \"gzip;q=1;x=2\"}}\n",
	             "invalid configuration");
	expect_ok("modules:\n  m:\n    http: {compression: gzip, headers: {Accept-Encoding: \"gzip;q=0.0005\"}}\n"
	          "  n:\n    http: {compression: gzip, headers: {Accept-Encoding: \"*;q=0.5, gzip;q=0\"}}\n"
	          "  o:\n    http: {compression: gzip, headers: {Accept-Encoding: \"gzip;q=0x1p-2\"}}\n"
	          "  p:\n    http: {compression: gzip, headers: {Accept Encoding: br, Accept-Encoding: \"\"}}\n"
	          "  q:\n    http: {headers: {Accept-Encoding: br}}\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration_parse),
		cmocka_unit_test(test_duration_format),
		cmocka_unit_test(test_timeout_table_1_3),
		cmocka_unit_test(test_bools),
		cmocka_unit_test(test_table_1_10),
		cmocka_unit_test(test_file_level),
		cmocka_unit_test(test_typo_file),
		cmocka_unit_test(test_real_configs),
		cmocka_unit_test(test_dns_fields),
		cmocka_unit_test(test_merge_keys),
		cmocka_unit_test(test_debug_yaml_golden),
		cmocka_unit_test(test_debug_yaml_quoting),
		cmocka_unit_test(test_dnssec_ds),
		cmocka_unit_test(test_dnssec_ds_from),
		cmocka_unit_test(test_other_probers_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
