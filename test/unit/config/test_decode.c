/* test_decode -- the schema table drives the load: every row that says where its value lands does
 * land there, with its kind's C type, and decode_free gives all of it back (ASan's leak check). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check/validate.h"
#include "config/config.h"
#include "config/schema.h"
#include "testlib.h"

static const schema_field_t *field(const schema_t *s, const char *key)
{
	for (const schema_field_t *f = s->fields; f->key; f++)
		if (strcmp(f->key, key) == 0)
			return f;
	fail_msg("no field %s", key);
	return NULL;
}

/* A value of f's kind that differs from every default, as YAML flow text. */
static const char *sample(const schema_field_t *f)
{
	/* keys whose rules want a particular form */
	if (strcmp(f->key, "ds") == 0)
		return "['1 13 99 ab', '2 13 99 cd']";
	if (strcmp(f->key, "ds_from") == 0)
		return "'192.0.2.1:5353'";
	switch (f->kind) {
	case SCHEMA_STR:
	case SCHEMA_SECRET:
		return strcmp(f->key, "query_type") == 0 ? "MX" : strcmp(f->key, "query_class") == 0 ? "CH" : "'x'";
	case SCHEMA_TLSVER: return "TLS12";
	case SCHEMA_BOOL: return f->def && strcmp(f->def, "true") == 0 ? "false" : "true";
	case SCHEMA_INT: return "1400";
	case SCHEMA_DUR: return "7s";
	case SCHEMA_STRS: return "['a', 'b']";
	default: return NULL;
	}
}

/* The slot's value differs from a zeroed or defaulted one in the way sample() promised. */
static void expect_landed(const schema_field_t *f, const char *base, const char *path)
{
	const void *to = base + (f->at - 1);
	switch (f->kind) {
	case SCHEMA_STR:
	case SCHEMA_SECRET:
	case SCHEMA_TLSVER:
		if (!*(char *const *)to)
			fail_msg("%s: no string landed", path);
		break;
	case SCHEMA_BOOL:
		if (*(const bool *)to != (strcmp(sample(f), "true") == 0))
			fail_msg("%s: bool not landed", path);
		break;
	case SCHEMA_INT:
		if (*(const int64_t *)to != 1400)
			fail_msg("%s: int not landed", path);
		break;
	case SCHEMA_DUR:
		if (*(const int64_t *)to != 7000000000LL)
			fail_msg("%s: duration not landed", path);
		break;
	case SCHEMA_STRS:
		if ((f->flags & SCHEMA_REGEX ? ((const validate_list_t *)to)->n : ((const config_strs_t *)to)->n) != 2)
			fail_msg("%s: list not landed", path);
		break;
	default:
		fail_msg("%s: a kind that cannot land has a landing", path);
	}
}

/* Every landing row of the dns: table, and of the structs below it, one config each. */
static void land_table(const schema_t *s, const char *prefix, size_t base_at)
{
	for (const schema_field_t *f = s->fields; f->key; f++) {
		if (!f->at)
			continue;
		char path[256];
		snprintf(path, sizeof path, "%s%s", prefix, f->key);
		size_t at = base_at + (f->at - 1);
		if (f->kind == SCHEMA_STRUCT) {
			char sub[256];
			snprintf(sub, sizeof sub, "%s%s.", prefix, f->key);
			land_table(f->sub, sub, at);
			continue;
		}
		/* dns: {query_name: q, <path as nested flow maps>: sample} */
		char yaml[1024], open[256] = "", close[64] = "";
		const char *p = path;
		for (const char *dot; (dot = strchr(p, '.')); p = dot + 1) {
			strncat(open, p, (size_t)(dot - p));
			strcat(open, ": {");
			strcat(close, "}");
		}
		bool qn = strcmp(path, "query_name") == 0;
		snprintf(yaml, sizeof yaml, "modules:\n  m:\n    prober: dns\n    dns: {%s%s%s: %s%s}\n",
		         qn ? "" : "query_name: q, ", open, p, sample(f), close);
		char err[512] = "";
		config_t *c = NULL;
		if (config_load_text("t.yml", yaml, strlen(yaml), &c, err, sizeof err) != 0)
			fail_msg("%s: %s\n%s", path, err, yaml);
		const config_module_t *m = config_module_get(c, "m");
		schema_field_t at_base = *f;
		at_base.at = at + 1;
		expect_landed(&at_base, (const char *)&m->dns, path);
		config_unref(c);
	}
}

static void test_every_dns_row_lands(void **state)
{
	(void)state;
	const schema_field_t *dns = field(&schema_module, "dns");
	assert_int_equal(dns->at - 1, offsetof(config_module_t, dns));
	land_table(dns->sub, "", 0);
}

/* The module's own rows land too. */
static void test_module_rows_land(void **state)
{
	(void)state;
	const char *yaml = "modules:\n  m:\n    prober: dns\n    timeout: 7s\n    dns: {query_name: q}\n";
	char err[256] = "";
	config_t *c = NULL;
	assert_int_equal(config_load_text("t.yml", yaml, strlen(yaml), &c, err, sizeof err), 0);
	const config_module_t *m = config_module_get(c, "m");
	expect_landed(field(&schema_module, "prober"), (const char *)m, "prober");
	expect_landed(field(&schema_module, "timeout"), (const char *)m, "timeout");
	config_unref(c);
}

/* A key given by a merge and again in place lands once (the in-place value), and nothing leaks
 * when a later key fails the load. */
static void test_merge_and_failure(void **state)
{
	(void)state;
	char err[256] = "";
	config_t *c = NULL;
	const char *yaml = "modules:\n  m:\n    prober: dns\n    dns:\n      <<: {query_name: a, valid_rcodes: [NXDOMAIN, SERVFAIL]}\n"
	       "      valid_rcodes: [NOERROR]\n";
	assert_int_equal(config_load_text("t.yml", yaml, strlen(yaml), &c, err, sizeof err), 0);
	const config_module_t *m = config_module_get(c, "m");
	assert_string_equal(m->dns.query_name, "a");
	assert_int_equal(m->dns.valid_rcodes.n, 1);
	assert_string_equal(m->dns.valid_rcodes.v[0], "NOERROR");
	config_unref(c);
	yaml = "modules:\n  m:\n    prober: dns\n    dns: {query_name: a, valid_rcodes: [X], tls_config: {ca_file: f}, "
	       "validate_answer_rrs: {fail_if_matches_regexp: [x]}, query_type: NOPE}\n";
	c = NULL;
	assert_int_not_equal(config_load_text("t.yml", yaml, strlen(yaml), &c, err, sizeof err), 0);
	assert_null(c);
	assert_non_null(strstr(err, "query type 'NOPE' is not valid"));
}

/* Every mistake of a file is listed, one line each after the first, in document order; a struct's
 * rules are skipped when its keys did not decode (blackbox returns before them), but not a sibling's;
 * a mapping with a repeated key is not read further. */
static void test_every_error_listed(void **state)
{
	(void)state;
	char err[CONFIG_ERRLEN];
	config_t *c = NULL;
	const char *yaml = "modules:\n"
	                   "  a:\n    prober: dns\n    bogus1: 1\n    dns:\n      query_name: x\n      bogus2: 2\n"
	                   "  b:\n    prober: dns\n    timeout: abc\n    dns:\n      query_type: A\n"
	                   "  c:\n    prober: dns\n    dns:\n      query_type: A\n      query_name: [x]\n"
	                   "  d:\n    prober: http\n    http:\n      fail_if_body_matches_regexp: ['(?=x)', ok, '(?!y)']\n"
	                   "  e:\n    prober: dns\n    dns: {query_name: x, query_name: y, nope: 1}\n";
	assert_int_not_equal(config_load_text("t.yml", yaml, strlen(yaml), &c, err, sizeof err), 0);
	assert_null(c);
	static const char want[] =
		"error parsing config file: t.yml:4:5: bogus1: field bogus1 not found in type config.plain\n"
		"  t.yml:7:7: bogus2: field bogus2 not found in type config.plain\n"
		"  t.yml:10:14: timeout: cannot unmarshal !!str `abc` into time.Duration\n"
		"  t.yml:12:7: dns: query name must be set for DNS module\n"
		"  t.yml:17:19: query_name: cannot unmarshal !!seq into string\n"
		"  t.yml:21:37: fail_if_body_matches_regexp: \"Could not compile regular expression\" regexp=\"(?=x)\"\n"
		"  t.yml:21:50: fail_if_body_matches_regexp: \"Could not compile regular expression\" regexp=\"(?!y)\"\n"
		"  t.yml:24:26: query_name: mapping key \"query_name\" already defined at line 24";
	/* (nope is not reported: as yaml.v3, nothing of a mapping with a repeated key is read) */
	assert_string_equal(err, want);
}

/* The list stops at YAMLDOC_MAX_ERRORS, or where the caller's buffer ends, and says so. */
static void test_error_list_capped(void **state)
{
	(void)state;
	char yaml[4096] = "modules:\n  m:\n    prober: dns\n    dns:\n      query_name: x\n";
	for (int i = 0; i < 30; i++)
		snprintf(yaml + strlen(yaml), sizeof yaml - strlen(yaml), "      bogus%02d: 1\n", i);
	char err[CONFIG_ERRLEN];
	config_t *c = NULL;
	assert_int_not_equal(config_load_text("t.yml", yaml, strlen(yaml), &c, err, sizeof err), 0);
	assert_non_null(strstr(err, "bogus19 not found"));
	assert_null(strstr(err, "bogus20"));
	const char *more = strstr(err, "\n  (more errors not shown)");
	assert_non_null(more);
	assert_string_equal(more, "\n  (more errors not shown)");
	size_t lines = 0;
	for (const char *p = err; (p = strchr(p, '\n')); p++)
		lines++;
	assert_int_equal(lines, 20);    /* 20 errors on 20 lines, then the note */
	/* a small buffer: whole lines only, the first error always, then the note if it fits */
	char small[200];
	assert_int_not_equal(config_load_text("t.yml", yaml, strlen(yaml), &c, small, sizeof small), 0);
	assert_true(strncmp(small, "error parsing config file: t.yml:6:7: bogus00: field bogus00", 60) == 0);
	assert_non_null(strstr(small, "\n  (more errors not shown)"));
	assert_null(strstr(small, "bogus02"));
}

/* Keys of 400 two-byte letters: each line is cut whole-letter with "…" near 1 KB, and all 20 fit in
 * CONFIG_ERRLEN. */
static void test_long_errors_cut_whole(void **state)
{
	(void)state;
	size_t cap = 64 + 30 * 900;
	char *yaml = malloc(cap);
	assert_non_null(yaml);
	size_t n = (size_t)snprintf(yaml, cap, "modules:\n  m:\n    prober: dns\n    dns:\n      query_name: x\n");
	for (int i = 0; i < 30; i++) {
		n += (size_t)snprintf(yaml + n, cap - n, "      k%02d", i);
		for (int j = 0; j < 400; j++)
			n += (size_t)snprintf(yaml + n, cap - n, "\xc3\xa9");
		n += (size_t)snprintf(yaml + n, cap - n, ": 1\n");
	}
	char err[CONFIG_ERRLEN];
	config_t *c = NULL;
	assert_int_not_equal(config_load_text("t.yml", yaml, n, &c, err, sizeof err), 0);
	free(yaml);
	size_t lines = 0;
	for (const char *p = err; (p = strchr(p, '\n')); p++)
		lines++;
	assert_int_equal(lines, 20);                 /* 20 errors on 20 lines, then the note */
	assert_non_null(strstr(err, "k19"));
	assert_non_null(strstr(err, "\n  (more errors not shown)"));
	/* every line is whole UTF-8: no lone lead or continuation byte before a newline or "…" */
	for (const unsigned char *p = (const unsigned char *)err; *p; p++)
		if (*p == 0xc3)
			assert_true((p[1] & 0xC0) == 0x80);
	assert_non_null(strstr(err, "\xe2\x80\xa6"));
}

/* A bad merge ends the walk, as yaml.v3's failWantMap panics: later modules that merge the failing
 * one, each twice the one before (a fuzz input that ran for minutes), are not walked. */
static void test_bad_merge_stops(void **state)
{
	(void)state;
	char yaml[4096] = "modules:\n  m0: &a0 {prober: dns}\n  m1: &a1 {<<: [*a0, *a0]}\n  m2: &a2 {<<: [+a1, *a1]}\n";
	for (int i = 3; i < 12; i++)
		snprintf(yaml + strlen(yaml), sizeof yaml - strlen(yaml), "  m%d: &a%d {<<: [*a%d, *a%d]}\n", i, i, i - 1,
		         i - 1);
	char err[CONFIG_ERRLEN];
	config_t *c = NULL;
	assert_int_not_equal(config_load_text("t.yml", yaml, strlen(yaml), &c, err, sizeof err), 0);
	assert_string_equal(err, "error parsing config file: t.yml:4:17: <<: map merge requires map or sequence of "
	                         "maps as the value");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_dns_row_lands),
		cmocka_unit_test(test_module_rows_land),
		cmocka_unit_test(test_merge_and_failure),
		cmocka_unit_test(test_every_error_listed),
		cmocka_unit_test(test_error_list_capped),
		cmocka_unit_test(test_long_errors_cut_whole),
		cmocka_unit_test(test_bad_merge_stops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
