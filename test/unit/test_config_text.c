/* test_config_text -- a config is read exactly as written (issue 12 section 1): a byte-order mark,
 * non-ASCII comments and strings, CRLF line ends and UTF-16 load to exactly the snapshot of the
 * file's ASCII twin; alias bombs are refused with yaml.v3's texts, quickly.
 *
 * The non-ASCII variants are built so that a loader that takes libyaml's character count for a byte
 * length (as 3f17941 did) cuts the text given to its second pass just before the value of the last
 * key: the last module's query_type "A" would be read as absent (ANY), its valid_rcodes as an empty
 * list, or the file refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "buf.h"
#include "config.h"
#include "errors.h"

static config_t *load_n(const char *text, size_t len, char *err, size_t errlen)
{
	config_t *c = NULL;
	int rc = config_load_text("t.yml", text, len, &c, err, errlen);
	if (rc != 0)
		assert_null(c);
	return c;
}

static void same_str(const char *what, const char *a, const char *b)
{
	if ((a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0))
		fail_msg("%s: \"%s\" vs \"%s\"", what, a ? a : "(null)", b ? b : "(null)");
}

static void same_rules(const validate_rules_t *a, const validate_rules_t *b)
{
	const validate_list_t *la[] = { &a->fail_if_matches_regexp, &a->fail_if_all_match_regexp,
	                                &a->fail_if_not_matches_regexp, &a->fail_if_none_matches_regexp };
	const validate_list_t *lb[] = { &b->fail_if_matches_regexp, &b->fail_if_all_match_regexp,
	                                &b->fail_if_not_matches_regexp, &b->fail_if_none_matches_regexp };
	for (int i = 0; i < 4; i++) {
		assert_int_equal(la[i]->n, lb[i]->n);
		for (size_t j = 0; j < la[i]->n; j++)
			same_str("regexp", validate_re_source(la[i]->re[j]), validate_re_source(lb[i]->re[j]));
	}
}

/* Every field of every module the probe reads, and /config, are the same. */
static void same_snapshot(const config_t *a, const config_t *b)
{
	assert_int_equal(a->n_modules, b->n_modules);
	for (size_t i = 0; i < a->n_modules; i++) {
		const config_module_t *x = &a->modules[i], *y = &b->modules[i];
		same_str("name", x->name, y->name);
		same_str("prober", x->prober, y->prober);
		assert_int_equal(x->timeout_ns, y->timeout_ns);
		same_str("debug", x->debug_yaml, y->debug_yaml);
		const config_dns_t *p = &x->dns, *q = &y->dns;
		same_str("query_name", p->query_name, q->query_name);
		if (p->query_type != q->query_type)
			fail_msg("module %s: query_type %u vs %u", x->name, p->query_type, q->query_type);
		assert_int_equal(p->query_class, q->query_class);
		same_str("query_type_name", p->query_type_name, q->query_type_name);
		same_str("query_class_name", p->query_class_name, q->query_class_name);
		assert_int_equal(p->recursion_desired, q->recursion_desired);
		same_str("transport_protocol", p->transport_protocol, q->transport_protocol);
		assert_int_equal(p->dns_over_tls, q->dns_over_tls);
		same_str("server_name", p->tls_config.server_name, q->tls_config.server_name);
		same_str("preferred_ip_protocol", p->preferred_ip_protocol, q->preferred_ip_protocol);
		assert_int_equal(p->ip_protocol_fallback, q->ip_protocol_fallback);
		same_str("source_ip_address", p->source_ip_address, q->source_ip_address);
		assert_int_equal(p->valid_rcodes_set, q->valid_rcodes_set);
		if (p->n_valid_rcodes != q->n_valid_rcodes)
			fail_msg("module %s: %zu valid_rcodes vs %zu", x->name, p->n_valid_rcodes, q->n_valid_rcodes);
		for (size_t j = 0; j < p->n_valid_rcodes; j++)
			same_str("valid_rcodes", p->valid_rcodes[j], q->valid_rcodes[j]);
		same_rules(&p->validate_answer_rrs, &q->validate_answer_rrs);
		same_rules(&p->validate_authority_rrs, &q->validate_authority_rrs);
		same_rules(&p->validate_additional_rrs, &q->validate_additional_rrs);
		assert_int_equal(p->edns, q->edns);
		assert_int_equal(p->edns_udp_size, q->edns_udp_size);
		assert_int_equal(p->dnssec_validate, q->dnssec_validate);
		assert_int_equal(p->tcp_on_truncation, q->tcp_on_truncation);
	}
	buf_t ya = BUF_INIT, yb = BUF_INIT;
	assert_int_equal(config_write_yaml(a, &ya), 0);
	assert_int_equal(config_write_yaml(b, &yb), 0);
	same_str("/config", buf_str(&ya), buf_str(&yb));
	buf_free(&ya);
	buf_free(&yb);
}

static void expect_twins(const char *variant, size_t vlen, const char *twin)
{
	char err[512], err2[512];
	config_t *a = load_n(variant, vlen, err, sizeof err);
	if (!a)
		fail_msg("variant refused: %s", err);
	config_t *b = load_n(twin, strlen(twin), err2, sizeof err2);
	if (!b)
		fail_msg("twin refused: %s", err2);
	same_snapshot(a, b);
	config_unref(a);
	config_unref(b);
}

/* bytes - characters as libyaml counts them (a leading UTF-8 BOM is skipped uncounted). */
static size_t shortfall(const char *s, size_t len)
{
	size_t n = 0, chars = 0;
	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		n = 3;
	for (; n < len; n++)
		if (((unsigned char)s[n] & 0xc0) != 0x80)
			chars++;
	return len - chars;
}

/* A BOM and a first-line comment with non-ASCII letters, before `body`, sized so that the bytes
 * minus characters of the whole file equal `cut`. The twin has the same comment in ASCII. */
static void make_pair(const char *body, const char *twin_body, size_t cut, buf_t *v, buf_t *t)
{
	size_t have = 3 + 1 + shortfall(body, strlen(body));   /* BOM, "é" */
	assert_true(cut >= have);
	buf_puts(v, "\xef\xbb\xbf# caf\xc3\xa9");
	buf_puts(t, "# cafe");
	if (cut - have >= 2) {
		buf_puts(v, " \xe2\x80\x94");                      /* an em dash: 3 bytes, 1 character */
		buf_puts(t, " -");
		have += 2;
	}
	for (; have < cut; have++) {
		buf_puts(v, "\xc3\xbc");                            /* ü */
		buf_puts(t, "u");
	}
	buf_puts(v, " first line\n");
	buf_puts(t, " first line\n");
	buf_puts(v, body);
	buf_puts(t, twin_body);
	assert_int_equal(shortfall(v->p, v->len), cut);
}

#define MODULES_HEAD \
	"modules:\n" \
	"  soa:\n" \
	"    prober: dns\n" \
	"    dns:\n" \
	"      query_name: bb.test\n" \
	"      query_type: SOA\n"

/* The last module's query_type "A": cut 4 bytes and pass 2 reads `query_type: ` (ANY). */
static void test_bom_comment_query_type(void **state)
{
	(void)state;
	const char *body = MODULES_HEAD "  last:\n    prober: dns\n    dns:\n      query_name: bb.test\n"
	                                "      query_type: \"A\"\n";
	buf_t v = BUF_INIT, t = BUF_INIT;
	make_pair(body, body, 4, &v, &t);
	expect_twins(v.p, v.len, t.p);
	char err[256];
	config_t *c = load_n(v.p, v.len, err, sizeof err);
	assert_non_null(c);
	assert_int_equal(config_module_get(c, "last")->dns.query_type, 1);
	config_unref(c);
	buf_free(&v);
	buf_free(&t);
}

/* valid_rcodes: [NOERROR] last: cut 10 bytes and pass 2 reads an empty list (every probe fails). */
static void test_bom_comment_valid_rcodes(void **state)
{
	(void)state;
	const char *body = MODULES_HEAD "  last:\n    prober: dns\n    dns:\n      query_name: bb.test\n"
	                                "      valid_rcodes: [NOERROR]\n";
	buf_t v = BUF_INIT, t = BUF_INIT;
	make_pair(body, body, 10, &v, &t);
	expect_twins(v.p, v.len, t.p);
	char err[256];
	config_t *c = load_n(v.p, v.len, err, sizeof err);
	assert_non_null(c);
	assert_int_equal(config_module_get(c, "last")->dns.n_valid_rcodes, 1);
	config_unref(c);
	buf_free(&v);
	buf_free(&t);
}

/* A BOM alone cuts 3 bytes: an open quote, "found unexpected end of stream" on a valid file. */
static void test_bom_only(void **state)
{
	(void)state;
	const char *body = MODULES_HEAD "  last:\n    prober: dns\n    dns:\n      query_name: bb.test\n"
	                                "      query_type: \"A\"\n";
	buf_t v = BUF_INIT;
	buf_puts(&v, "\xef\xbb\xbf");
	buf_puts(&v, body);
	expect_twins(v.p, v.len, body);
	buf_free(&v);
}

/* CRLF line ends and quoted non-ASCII strings (twin: the same strings as \u escapes), no BOM. */
static void test_crlf_quoted_non_ascii(void **state)
{
	(void)state;
	const char *body =
		"modules:\r\n"
		"  \"caf\xc3\xa9\":\r\n"
		"    prober: dns\r\n"
		"    dns:\r\n"
		"      query_name: bb.test\r\n"
		"      query_type: SOA\r\n"
		"      validate_answer_rrs:\r\n"
		"        fail_if_matches_regexp: [\"\xe2\x80\x94 \xc3\xbcml\xc3\xa4ut\", '\xe6\x97\xa5\xe6\x9c\xac']\r\n"
		"  last:\r\n"
		"    prober: dns\r\n"
		"    dns:\r\n"
		"      query_name: bb.test\r\n"
		"      query_type: \"A\"\r\n";
	const char *twin =
		"modules:\r\n"
		"  \"caf\\u00e9\":\r\n"
		"    prober: dns\r\n"
		"    dns:\r\n"
		"      query_name: bb.test\r\n"
		"      query_type: SOA\r\n"
		"      validate_answer_rrs:\r\n"
		"        fail_if_matches_regexp: [\"\\u2014 \\u00fcml\\u00e4ut\", \"\\u65e5\\u672c\"]\r\n"
		"  last:\r\n"
		"    prober: dns\r\n"
		"    dns:\r\n"
		"      query_name: bb.test\r\n"
		"      query_type: \"A\"\r\n";
	/* the strings alone make the file 10 bytes longer than its characters: plain, then with a BOM
	 * and a non-ASCII comment on top */
	expect_twins(body, strlen(body), twin);
	buf_t v = BUF_INIT, t = BUF_INIT;
	make_pair(body, twin, shortfall(body, strlen(body)) + 4, &v, &t);
	expect_twins(v.p, v.len, t.p);
	buf_free(&v);
	buf_free(&t);
}

/* UTF-16 with a BOM, which libyaml and yaml.v3 both read: two or four bytes per character. */
static void test_utf16(void **state)
{
	(void)state;
	const char *ascii = MODULES_HEAD "  last:\n    prober: dns\n    dns:\n      query_name: bb.test\n"
	                                 "      valid_rcodes: [NOERROR]\n";
	for (int be = 0; be < 2; be++) {
		buf_t v = BUF_INIT;
		buf_append(&v, be ? "\xfe\xff" : "\xff\xfe", 2);
		for (const char *p = ascii; *p; p++) {
			char u[2] = { be ? 0 : *p, be ? *p : 0 };
			buf_append(&v, u, 2);
		}
		expect_twins(v.p, v.len, ascii);
		buf_free(&v);
	}
}

/* The error positions stay character columns on the right line after a BOM and non-ASCII text. */
static void test_error_position(void **state)
{
	(void)state;
	const char *yaml = "\xef\xbb\xbf# \xe2\x80\x94\nmodules:\n  m:\n    prober: dns\n    dns: {query_name: \xc3\xa9, qeury_type: A}\n";
	char err[512];
	config_t *c = load_n(yaml, strlen(yaml), err, sizeof err);
	assert_null(c);
	if (!strstr(err, "t.yml:5:26: qeury_type: field qeury_type not found"))
		fail_msg("got %s", err);
}

/* ---- alias bombs ---- */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void expect_refused_fast(const char *yaml, const char *want)
{
	char err[512];
	double t0 = now_s();
	config_t *c = load_n(yaml, strlen(yaml), err, sizeof err);
	double dt = now_s() - t0;
	if (c || !strstr(err, want))
		fail_msg("want \"%s\", got \"%s\"", want, c ? "(loaded)" : err);
	if (dt >= 1.0)
		fail_msg("took %.2f s", dt);
}

static void test_alias_self(void **state)
{
	(void)state;
	expect_refused_fast("modules: {m: &a {<<: *a}}\n",
	                    "error parsing config file: t.yml:1:22: yaml: anchor 'a' value contains itself");
	/* through a value and through a merge list, deeper down */
	expect_refused_fast("modules:\n  m:\n    prober: http\n    http:\n      headers: &h {x: [*h]}\n",
	                    "yaml: anchor 'h' value contains itself");
	expect_refused_fast("modules:\n  b: &b {prober: dns}\n  m: &m\n    <<: [*b, {dns: &d {<<: *m}}]\n",
	                    "yaml: anchor 'm' value contains itself");
}

static void test_alias_billion_laughs(void **state)
{
	(void)state;
	buf_t b = BUF_INIT;
	buf_puts(&b, "modules:\n  m0: &a0 {prober: dns}\n");
	for (int i = 1; i <= 40; i++)
		buf_printf(&b, "  m%d: &a%d {<<: [*a%d, *a%d]}\n", i, i, i - 1, i - 1);
	expect_refused_fast(buf_str(&b), "error parsing config file: t.yml: yaml: document contains excessive aliasing");
	buf_free(&b);
	/* the same with plain value aliases in a list nobody checks the type of first */
	buf_t s = BUF_INIT;
	buf_puts(&s, "modules:\n  m:\n    prober: http\n    http:\n      headers:\n        a0: &a0 [x]\n");
	for (int i = 1; i <= 40; i++)
		buf_printf(&s, "        a%d: &a%d [*a%d, *a%d]\n", i, i, i - 1, i - 1);
	expect_refused_fast(buf_str(&s), "yaml: document contains excessive aliasing");
	buf_free(&s);
}

/* What yaml.v3 allows still loads: nine doublings (blackbox accepts them, ten it refuses), and a
 * base module merged into many. */
static void test_alias_allowed(void **state)
{
	(void)state;
	char err[512];
	buf_t b = BUF_INIT;
	buf_puts(&b, "modules:\n  m0: &a0 {prober: dns}\n");
	for (int i = 1; i <= 9; i++)
		buf_printf(&b, "  m%d: &a%d {<<: [*a%d, *a%d]}\n", i, i, i - 1, i - 1);
	config_t *c = load_n(buf_str(&b), b.len, err, sizeof err);
	if (!c)
		fail_msg("nine doublings refused: %s", err);
	config_unref(c);
	buf_printf(&b, "  m10: &a10 {<<: [*a9, *a9]}\n");
	c = load_n(buf_str(&b), b.len, err, sizeof err);
	assert_null(c);
	assert_non_null(strstr(err, "excessive aliasing"));
	buf_free(&b);

	buf_t m = BUF_INIT;
	buf_puts(&m, "modules:\n  base: &base\n    prober: dns\n    timeout: 3s\n    dns: {query_name: bb.test, query_type: SOA}\n");
	for (int i = 0; i < 500; i++)
		buf_printf(&m, "  m%d: {<<: *base, timeout: %ds}\n", i, 1 + i % 9);
	c = load_n(buf_str(&m), m.len, err, sizeof err);
	if (!c)
		fail_msg("500 merges of a base refused: %s", err);
	assert_int_equal(c->n_modules, 501);
	assert_string_equal(config_module_get(c, "m499")->dns.query_name, "bb.test");
	config_unref(c);
	buf_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bom_comment_query_type),
		cmocka_unit_test(test_bom_comment_valid_rcodes),
		cmocka_unit_test(test_bom_only),
		cmocka_unit_test(test_crlf_quoted_non_ascii),
		cmocka_unit_test(test_utf16),
		cmocka_unit_test(test_error_position),
		cmocka_unit_test(test_alias_self),
		cmocka_unit_test(test_alias_billion_laughs),
		cmocka_unit_test(test_alias_allowed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
