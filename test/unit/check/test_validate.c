/* test_validate -- blackbox validRRs and validRcode (the regexps themselves: test_regex). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/log.h"
#include "check/validate.h"

/* ---- validRRs ---- */

/* The probe log without the ts= field of each line. */
static char *log_text(plog_t *l)
{
	buf_t rendered = BUF_INIT;
	plog_render(l, &rendered);
	const char *s = buf_str(&rendered);
	char *out = malloc(strlen(s) + 1);
	assert_non_null(out);
	char *o = out;
	while (*s) {
		const char *eol = strchr(s, '\n');
		size_t len = eol ? (size_t)(eol - s + 1) : strlen(s);
		const char *sp = memchr(s, ' ', len);
		assert_true(strncmp(s, "ts=", 3) == 0 && sp);
		memcpy(o, sp + 1, len - (size_t)(sp + 1 - s));
		o += len - (size_t)(sp + 1 - s);
		s += len;
	}
	*o = '\0';
	buf_free(&rendered);
	return out;
}

typedef struct rules_spec {
	const char *matches[3];
	const char *all[3];
	const char *not_[3];
	const char *none[3];
} rules_spec_t;

static void list_from(validate_list_t *l, const char *const *p)
{
	size_t n = 0;
	while (n < 3 && p[n])
		n++;
	l->n = n;
	l->re = n ? calloc(n, sizeof(*l->re)) : NULL;
	for (size_t i = 0; i < n; i++) {
		l->re[i] = regex_new(p[i]);
		assert_non_null(l->re[i]);
	}
}

static void rules_from(validate_rules_t *v, const rules_spec_t *s)
{
	list_from(&v->fail_if_matches_regexp, s->matches);
	list_from(&v->fail_if_all_match_regexp, s->all);
	list_from(&v->fail_if_not_matches_regexp, s->not_);
	list_from(&v->fail_if_none_matches_regexp, s->none);
}

static const char *const rr_a[] = { "bb.test.\t300\tIN\tA\t192.0.2.1" };
static const char *const rr_three[] = {
	"bb.test.\t300\tIN\tA\t192.0.2.10",
	"bb.test.\t300\tIN\tA\t192.0.2.11",
	"bb.test.\t300\tIN\tA\t192.0.2.12",
};
/* upstream TestAuthoritativeDNSResponse (prober/dns_test.go) */
static const char *const rr_auth_answer[] = { "example.com.\t3600\tIN\tA\t127.0.0.1" };
static const char *const rr_auth_ns[] = {
	"example.com.\t7200\tIN\tNS\tns1.isp.net.",
	"example.com.\t7200\tIN\tNS\tns2.isp.net.",
};
static const char *const rr_auth_extra[] = {
	"ns1.isp.net.\t7200\tIN\tA\t127.0.0.1",
	"ns1.isp.net.\t7200\tIN\tAAAA\t::1",
	"ns2.isp.net.\t7200\tIN\tA\t127.0.0.2",
};

#define VRR "module=m target=t level=info msg=\"Validating RR\" rr="
#define RR_A "\"bb.test.\\t300\\tIN\\tA\\t192.0.2.1\""

static const struct {
	const char *name;
	rules_spec_t rules;
	const char *const *rrs;
	size_t n;
	bool want;
	const char *log;   /* NULL: not checked */
} rr_cases[] = {
	{ "no rules", { .matches = { 0 } }, rr_a, 1, true, VRR RR_A "\n" },
	{ "no rules, no RRs", { .matches = { 0 } }, NULL, 0, true, "" },
	{ "zero RRs with not_matches", { .not_ = { "x" } }, NULL, 0, false,
	  "module=m target=t level=error msg=\"fail_if_not_matches_regexp specified but no RRs returned\"\n" },
	{ "zero RRs with none_matches", { .none = { "x" } }, NULL, 0, false,
	  "module=m target=t level=error msg=\"fail_if_none_matches_regexp specified but no RRs returned\"\n" },
	{ "zero RRs with matches and all_match pass", { .matches = { "x" }, .all = { "x" } }, NULL, 0,
	  true, "" },
	{ "zero RRs, invalid regex not evaluated", { .matches = { "([" } }, NULL, 0, true, "" },
	{ "matches fails", { .matches = { "192\\.0\\.2\\.1$" } }, rr_a, 1, false,
	  VRR RR_A "\n"
	  "module=m target=t level=error msg=\"At least one RR matched regexp\" regexp=192\\.0\\.2\\.1$ rr=" RR_A "\n" },
	{ "not_matches fails", { .not_ = { "^zzz" } }, rr_a, 1, false,
	  VRR RR_A "\n"
	  "module=m target=t level=error msg=\"At least one RR did not match regexp\" regexp=^zzz rr=" RR_A "\n" },
	{ "invalid regex fails when evaluated", { .matches = { "([" } }, rr_a, 1, false,
	  VRR RR_A "\n"
	  "module=m target=t level=error msg=\"Error matching regexp\" regexp=([ err=\"error parsing regexp: missing closing ]: `[`\"\n" },
	{ "invalid regex in none_matches", { .none = { "a(?=b)" } }, rr_a, 1, false,
	  VRR RR_A "\n"
	  "module=m target=t level=error msg=\"Error matching regexp\" regexp=\"a(?=b)\" err=\"error parsing regexp: invalid or unsupported Perl syntax: `(?=`\"\n" },
	{ "all_match: all match passes", { .all = { "192\\.0\\.2\\.1[0-9]" } }, rr_three, 3, true, NULL },
	{ "all_match: one differs fails", { .all = { "192\\.0\\.2\\.10" } }, rr_three, 3, false,
	  VRR "\"bb.test.\\t300\\tIN\\tA\\t192.0.2.10\"\n"
	  VRR "\"bb.test.\\t300\\tIN\\tA\\t192.0.2.11\"\n"
	  VRR "\"bb.test.\\t300\\tIN\\tA\\t192.0.2.12\"\n"
	  "module=m target=t level=error msg=\"Not all RRs matched regexp\"\n" },
	{ "none_matches: one matches passes", { .none = { "192\\.0\\.2\\.12$" } }, rr_three, 3, true, NULL },
	{ "none_matches: none match fails", { .none = { "192\\.0\\.2\\.13$", "^x" } }, rr_three, 3, false,
	  VRR "\"bb.test.\\t300\\tIN\\tA\\t192.0.2.10\"\n"
	  VRR "\"bb.test.\\t300\\tIN\\tA\\t192.0.2.11\"\n"
	  VRR "\"bb.test.\\t300\\tIN\\tA\\t192.0.2.12\"\n"
	  "module=m target=t level=error msg=\"None of the RRs did matched any regexp\"\n" },
	{ "matches stops at the first RR", { .matches = { "IN" } }, rr_three, 3, false,
	  VRR "\"bb.test.\\t300\\tIN\\tA\\t192.0.2.10\"\n"
	  "module=m target=t level=error msg=\"At least one RR matched regexp\" regexp=IN rr=\"bb.test.\\t300\\tIN\\tA\\t192.0.2.10\"\n" },
	{ "(?i) owner", { .not_ = { "(?i)^BB\\.TEST\\." } }, rr_three, 3, true, NULL },
	{ "anchors against the whole RR", { .not_ = { "^192" } }, rr_a, 1, false, NULL },
	{ "tab escape", { .not_ = { "\\tA\\t192\\.0\\.2\\.1$" } }, rr_a, 1, true, NULL },
	{ "real tab", { .not_ = { "\tA\t192\\.0\\.2\\.1$" } }, rr_a, 1, true, NULL },
	{ "all four pass", { .matches = { "AAAA" }, .all = { "IN" }, .not_ = { "^bb" }, .none = { "\\.11$" } },
	  rr_three, 3, true, NULL },
	{ "match limit fails the probe", { .matches = { "^(\\w+)+$" } },
	  (const char *const[]){ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!" }, 1, false, NULL },
	/* upstream TestAuthoritativeDNSResponse */
	{ "upstream answer 3600", { .matches = { ".*3600.*" }, .not_ = { ".*3600.*" } },
	  rr_auth_answer, 1, false, NULL },
	{ "upstream answer 7200", { .matches = { ".*7200.*" }, .not_ = { ".*7200.*" } },
	  rr_auth_answer, 1, false, NULL },
	{ "upstream authority", { .not_ = { "ns.*.isp.net" } }, rr_auth_ns, 2, true, NULL },
	{ "upstream additional not_matches", { .not_ = { "^ns.*.isp" } }, rr_auth_extra, 3, true, NULL },
	{ "upstream additional matches", { .matches = { "^ns.*.isp" } }, rr_auth_extra, 3, false, NULL },
	{ "upstream additional all_match", { .all = { ".*127.0.0.*" } }, rr_auth_extra, 3, false, NULL },
	{ "upstream additional none_matches", { .none = { ".*127.0.0.3.*" } }, rr_auth_extra, 3, false, NULL },
};

static void test_validate_rrs(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rr_cases) / sizeof(rr_cases[0]); i++) {
		validate_rules_t v = { 0 };
		rules_from(&v, &rr_cases[i].rules);
		plog_t l;
		plog_init(&l, "m", "t");
		bool ok = validate_rrs(&v, rr_cases[i].rrs, rr_cases[i].n, &l);
		if (ok != rr_cases[i].want)
			fail_msg("%s: got %d\n%s", rr_cases[i].name, ok, log_text(&l));
		if (rr_cases[i].log) {
			char *got = log_text(&l);
			if (strcmp(got, rr_cases[i].log) != 0)
				fail_msg("%s: log\n%s\nwant\n%s", rr_cases[i].name, got, rr_cases[i].log);
			free(got);
		}
		plog_deinit(&l);
		validate_rules_deinit(&v);
	}
}

static void test_rules_empty(void **state)
{
	(void)state;
	validate_rules_t v = { 0 };
	assert_true(validate_rules_empty(&v));
	rules_from(&v, &(rules_spec_t){ .none = { "x" } });
	assert_false(validate_rules_empty(&v));
	validate_rules_deinit(&v);
	validate_rules_deinit(NULL);
}

/* ---- validRcode ---- */

#define RC "module=m target=t level="

static const struct {
	const char *name;
	const char *names[4];
	size_t n;
	bool present;
	uint16_t rcode;
	bool want;
	const char *log;
} rcode_cases[] = {
	{ "absent: NOERROR valid", { 0 }, 0, false, 0, true,
	  RC "info msg=\"Rcode is valid\" rcode=0 string_rcode=NOERROR\n" },
	{ "absent: NXDOMAIN invalid", { 0 }, 0, false, 3, false,
	  RC "error msg=\"Rcode is not one of the valid rcodes\" rcode=3 string_rcode=NXDOMAIN valid_rcodes=\"unsupported value type\" valid_rcodes_list=NOERROR\n" },
	{ "empty list: nothing valid", { 0 }, 0, true, 0, false,
	  RC "error msg=\"Rcode is not one of the valid rcodes\" rcode=0 string_rcode=NOERROR valid_rcodes=\"unsupported value type\" valid_rcodes_list=\n" },
	{ "REFUSED not listed: the list beside go-logfmt's text", { "NOERROR", "NXDOMAIN" }, 2, true, 5, false,
	  RC "error msg=\"Rcode is not one of the valid rcodes\" rcode=5 string_rcode=REFUSED valid_rcodes=\"unsupported value type\" valid_rcodes_list=NOERROR,NXDOMAIN\n" },
	{ "listed", { "NOERROR", "NXDOMAIN" }, 2, true, 3, true,
	  RC "info msg=\"Rcode is valid\" rcode=3 string_rcode=NXDOMAIN\n" },
	{ "lower case is unknown", { "noerror" }, 1, true, 0, false,
	  RC "error msg=\"Invalid rcode\" rcode=noerror known_rcode=\"unsupported value type\"\n" },
	{ "first unknown fails although a later one matches", { "NOERROR", "BOGUS", "REFUSED" }, 3, true, 0, false,
	  RC "error msg=\"Invalid rcode\" rcode=BOGUS known_rcode=\"unsupported value type\"\n" },
	{ "NOTIMPL alias", { "NOTIMPL" }, 1, true, 4, true,
	  RC "info msg=\"Rcode is valid\" rcode=4 string_rcode=NOTIMP\n" },
	{ "BADVERS is not a name", { "BADVERS", "BADSIG" }, 2, true, 16, false,
	  RC "error msg=\"Invalid rcode\" rcode=BADVERS known_rcode=\"unsupported value type\"\n" },
	{ "16 from OPT is BADSIG", { "BADSIG" }, 1, true, 16, true,
	  RC "info msg=\"Rcode is valid\" rcode=16 string_rcode=BADSIG\n" },
	{ "unnamed rcode 11", { 0 }, 0, false, 11, false,
	  RC "error msg=\"Rcode is not one of the valid rcodes\" rcode=11 string_rcode= valid_rcodes=\"unsupported value type\" valid_rcodes_list=NOERROR\n" },
};

static void test_validate_rcode(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rcode_cases) / sizeof(rcode_cases[0]); i++) {
		plog_t l;
		plog_init(&l, "m", "t");
		bool ok = validate_rcode(rcode_cases[i].names, rcode_cases[i].n, rcode_cases[i].present,
					 rcode_cases[i].rcode, &l);
		if (ok != rcode_cases[i].want)
			fail_msg("%s: got %d", rcode_cases[i].name, ok);
		char *got = log_text(&l);
		if (strcmp(got, rcode_cases[i].log) != 0)
			fail_msg("%s: log\n%s\nwant\n%s", rcode_cases[i].name, got, rcode_cases[i].log);
		free(got);
		plog_deinit(&l);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate_rrs),
		cmocka_unit_test(test_rules_empty),
		cmocka_unit_test(test_validate_rcode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
