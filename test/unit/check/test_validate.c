/* test_validate -- Go regexp syntax and errors on PCRE2, blackbox validRRs and validRcode. */
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

/* ---- regex: Go's compile errors ---- */

static const struct {
	const char *pattern;
	const char *error;   /* NULL: compiles */
} re_errors[] = {
	/* observed from blackbox 0.23 (probe-outputs/dns_badre.debug.txt) */
	{ "([", "error parsing regexp: missing closing ]: `[`" },
	{ "[a", "error parsing regexp: missing closing ]: `[a`" },
	{ "[[:alpha:]", "error parsing regexp: missing closing ]: `[[:alpha:]`" },
	/* lookaround, atomic groups, comments, unknown flags, .NET names (Go 1.19) */
	{ "(?=x)", "error parsing regexp: invalid or unsupported Perl syntax: `(?=`" },
	{ "(?!x)", "error parsing regexp: invalid or unsupported Perl syntax: `(?!`" },
	{ "(?<=x)", "error parsing regexp: invalid or unsupported Perl syntax: `(?<`" },
	{ "(?<!x)", "error parsing regexp: invalid or unsupported Perl syntax: `(?<`" },
	{ "(?<n>x)", "error parsing regexp: invalid or unsupported Perl syntax: `(?<`" },
	{ "(?>a)", "error parsing regexp: invalid or unsupported Perl syntax: `(?>`" },
	{ "(?#c)", "error parsing regexp: invalid or unsupported Perl syntax: `(?#`" },
	{ "(?x)a", "error parsing regexp: invalid or unsupported Perl syntax: `(?x`" },
	{ "(?i", "error parsing regexp: invalid or unsupported Perl syntax: `(?i`" },
	{ "(?-)", "error parsing regexp: invalid or unsupported Perl syntax: `(?-)`" },
	{ "(?i-)", "error parsing regexp: invalid or unsupported Perl syntax: `(?i-)`" },
	{ "(?P=n)", "error parsing regexp: invalid or unsupported Perl syntax: `(?P`" },
	{ "(?P<>a)", "error parsing regexp: invalid named capture: `(?P<>`" },
	{ "(?P<a-b>a)", "error parsing regexp: invalid named capture: `(?P<a-b>`" },
	{ "(?P<a", "error parsing regexp: invalid named capture: `(?P<a`" },
	{ "(?P<1a>x)", NULL },
	{ "(?P<name>x)(?i:y)(?sm-U)z", NULL },
	/* backreferences and PCRE-only escapes */
	{ "(a)\\1", "error parsing regexp: invalid escape sequence: `\\1`" },
	{ "\\9", "error parsing regexp: invalid escape sequence: `\\9`" },
	{ "\\8", "error parsing regexp: invalid escape sequence: `\\8`" },
	{ "\\R", "error parsing regexp: invalid escape sequence: `\\R`" },
	{ "\\h", "error parsing regexp: invalid escape sequence: `\\h`" },
	{ "\\K", "error parsing regexp: invalid escape sequence: `\\K`" },
	{ "a\\Z", "error parsing regexp: invalid escape sequence: `\\Z`" },
	{ "\\C", "error parsing regexp: invalid escape sequence: `\\C`" },
	{ "\\e", "error parsing regexp: invalid escape sequence: `\\e`" },
	{ "\\g1", "error parsing regexp: invalid escape sequence: `\\g`" },
	{ "\\xZZ", "error parsing regexp: invalid escape sequence: `\\xZZ`" },
	{ "\\x1", "error parsing regexp: invalid escape sequence: `\\x1`" },
	{ "\\x{}", "error parsing regexp: invalid escape sequence: `\\x{}`" },
	{ "\\x{110000}", "error parsing regexp: invalid escape sequence: `\\x{110000`" },
	{ "[\\d-z]", NULL },
	{ "[a-\\d]", "error parsing regexp: invalid escape sequence: `\\d`" },
	{ "x\\", "error parsing regexp: trailing backslash at end of expression: ``" },
	{ "\\z\\A\\b\\B\\_\\ \\.\\-", NULL },
	{ "\\012\\0\\177\\x41\\x{10FFFF}\\a\\f\\v", NULL },
	/* verbs, possessive quantifiers, nested repetition */
	{ "(*FAIL)", "error parsing regexp: missing argument to repetition operator: `*`" },
	{ "a++", "error parsing regexp: invalid nested repetition operator: `++`" },
	{ "a*+", "error parsing regexp: invalid nested repetition operator: `*+`" },
	{ "a**", "error parsing regexp: invalid nested repetition operator: `**`" },
	{ "a*?+", "error parsing regexp: invalid nested repetition operator: `*?+`" },
	{ "a{2}{3}", "error parsing regexp: invalid nested repetition operator: `{2}{3}`" },
	{ "*a", "error parsing regexp: missing argument to repetition operator: `*`" },
	{ "a|*", "error parsing regexp: missing argument to repetition operator: `*`" },
	{ "(?i)*", "error parsing regexp: missing argument to repetition operator: `*`" },
	{ "??", "error parsing regexp: missing argument to repetition operator: `??`" },
	{ "a(?i)*", NULL },
	{ "a*(?i)*", NULL },
	{ "a*\\Q\\E*", NULL },
	{ "^*$+\\b?", NULL },
	{ "()*(|a)+", NULL },
	/* repeat counts */
	{ "a{1001}", "error parsing regexp: invalid repeat count: `{1001}`" },
	{ "a{2,1}", "error parsing regexp: invalid repeat count: `{2,1}`" },
	{ "a{1000}", NULL },
	{ "(a{10}){200}", "error parsing regexp: invalid repeat count: `{200}`" },
	{ "(a{10}|b){100}", NULL },
	{ "((a{2}){0}){1000}", NULL },
	{ "{1001}", "error parsing regexp: invalid repeat count: `{1001}`" },
	{ "{2}", "error parsing regexp: missing argument to repetition operator: `{2}`" },
	{ "a{,5}", NULL },
	{ "a{01}", NULL },
	{ "a{", NULL },
	{ "a{1,2", NULL },
	/* parentheses */
	{ "a)", "error parsing regexp: unexpected ): `a)`" },
	{ "(a", "error parsing regexp: missing closing ): `(a`" },
	{ "(a|b", "error parsing regexp: missing closing ): `(a|b`" },
	{ "x(?i:y", "error parsing regexp: missing closing ): `x(?i:y`" },
	/* classes */
	{ "[z-a]", "error parsing regexp: invalid character class range: `z-a`" },
	{ "[[:foo:]]", "error parsing regexp: invalid character class range: `[:foo:]`" },
	{ "[[:^alpha:][:word:]]", NULL },
	{ "[]a]", NULL },
	{ "[^]a]", NULL },
	{ "[a-]", NULL },
	{ "\\p{Foo}", "error parsing regexp: invalid character class range: `\\p{Foo}`" },
	{ "\\p{greek}", "error parsing regexp: invalid character class range: `\\p{greek}`" },
	{ "\\pX", "error parsing regexp: invalid character class range: `\\pX`" },
	{ "\\p{L", "error parsing regexp: invalid character class range: `\\p{L`" },
	{ "\\p", "error parsing regexp: invalid character class range: `\\p`" },
	{ "\\pL\\p{Greek}\\PN\\p{^Lu}[\\p{Han}\\PL]\\p{Any}", NULL },
	/* UTF-8 */
	{ "a\xff", "error parsing regexp: invalid UTF-8: `\xff`" },
	{ "\xc3\xa9+", NULL },
};

static void test_re_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(re_errors) / sizeof(re_errors[0]); i++) {
		validate_re_t *re = validate_re_new(re_errors[i].pattern);
		assert_non_null(re);
		const char *err = validate_re_error(re);
		if (re_errors[i].error == NULL) {
			if (err)
				fail_msg("%s: unexpected error %s", re_errors[i].pattern, err);
		} else {
			if (!err)
				fail_msg("%s: compiled, want %s", re_errors[i].pattern, re_errors[i].error);
			assert_string_equal(err, re_errors[i].error);
		}
		assert_string_equal(validate_re_source(re), re_errors[i].pattern);
		validate_re_free(re);
	}
}

/* ---- regex: Go's matching semantics ---- */

static const struct {
	const char *pattern;
	const char *subject;
	int want;
} re_matches[] = {
	/* RR strings (reference 5.3) */
	{ "^192", "bb.test.\t300\tIN\tA\t192.0.2.1", 0 },
	{ "\\t192\\.0\\.2\\.1$", "bb.test.\t300\tIN\tA\t192.0.2.1", 1 },
	{ "\t192\\.0\\.2\\.1$", "bb.test.\t300\tIN\tA\t192.0.2.1", 1 },   /* a real TAB */
	{ "^bb\\.test\\.\\t", "bb.test.\t300\tIN\tA\t192.0.2.1", 1 },
	{ "^BB\\.TEST", "bb.test.\t300\tIN\tA\t192.0.2.1", 0 },
	{ "(?i)^BB\\.TEST", "bb.test.\t300\tIN\tA\t192.0.2.1", 1 },
	{ ".*127.0.0.1", "ns1.isp.net.\t7200\tIN\tA\t127.0.0.1", 1 },
	{ "192\\.0\\.2\\.1$", "bb.test.\t300\tIN\tA\t192.0.2.10", 0 },
	/* $ is end of text only; . excludes only \n */
	{ "10$", "x 10\n", 0 },
	{ "10\\z", "x 10", 1 },
	{ "(?m)10$", "x 10\ny", 1 },
	{ "(?m)^y", "x 10\ny", 1 },
	{ "^y", "x 10\ny", 0 },
	{ "(?m)^$", "a\n", 1 },
	{ "a.b", "a\nb", 0 },
	{ "a.b", "a\rb", 1 },
	{ "(?s)a.b", "a\nb", 1 },
	{ "OPT PSEUDOSECTION", "\n;; OPT PSEUDOSECTION:\n; EDNS: version 0; flags: do; udp: 1232", 1 },
	{ "^;; OPT", "\n;; OPT PSEUDOSECTION:", 0 },
	{ "[^a]", "\n", 1 },
	/* escapes Go reads differently from PCRE2 */
	{ "\\v", "\n", 0 },
	{ "\\v", "\x0b", 1 },
	{ "\\s", "\x0b", 0 },
	{ "[\\s]", "\x0b", 0 },
	{ "\\S", "\x0b", 1 },
	{ "\\s", "\t", 1 },
	{ "[[:space:]]", "\x0b", 1 },
	{ "\\101\\x42\\x{43}", "ABC", 1 },
	{ "a\\0b", "a\0b", 0 },   /* (C string ends at the NUL) */
	{ "\\d+\\w\\W", "12a-", 1 },
	{ "\\D", "1", 0 },
	{ "[\\D]", "1", 0 },
	{ "[^\\d]", "x", 1 },
	{ "\\Q.*\\E", ".*", 1 },
	{ "\\Q.*\\E", "ab", 0 },
	{ "\\Qa.b", "a.b", 1 },
	{ "\\bIN\\b", "x\tIN\tA", 1 },
	/* repetitions */
	{ "^a{,5}$", "a{,5}", 1 },
	{ "^a{,5}$", "aa", 0 },
	{ "^a{01}$", "a{01}", 1 },
	{ "^a{2,3}$", "aaa", 1 },
	{ "^a{2,3}$", "aaaa", 0 },
	{ "^a{2,}$", "aaaa", 1 },
	{ "^a(?i)*$", "aaa", 1 },
	{ "^a(?i)*b$", "aaaB", 1 },
	{ "^a*(?i)*$", "aa", 1 },
	{ "^x{", "x{", 1 },
	{ "^*a", "a", 1 },
	/* flags */
	{ "(?i:a)b", "AB", 0 },
	{ "(?i:a)b", "Ab", 1 },
	{ "(a(?i)b|c)", "C", 1 },
	{ "((?i)a)b", "AB", 0 },
	{ "(?i)k", "\xe2\x84\xaa", 1 },   /* KELVIN SIGN folds to k */
	{ "(?U)^a+", "aaa", 1 },
	/* classes */
	{ "^[]a]+$", "]a]", 1 },
	{ "^[a-]+$", "-a", 1 },
	{ "[[:alpha:]]", "1", 0 },
	{ "[[:^alpha:]]", "1", 1 },
	{ "\\pL", "\xc3\xa9", 1 },
	{ "\\p{Greek}", "\xce\xb1", 1 },
	{ "\\PL", "a", 0 },
	{ "\\p{^L}", "a", 0 },
	{ "[\\p{Nd}x]", "7", 1 },
	{ "\\x{D800}", "a", 0 },
	{ "[\\x{D800}]", "a", 0 },
	{ "[^\\x{D800}]", "a", 1 },
	{ "[\\x{D000}-\\x{E000}]", "\xee\x80\x80", 1 },
	{ "(?P<n>a)|b", "b", 1 },
};

static void test_re_matches(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(re_matches) / sizeof(re_matches[0]); i++) {
		validate_re_t *re = validate_re_new(re_matches[i].pattern);
		assert_non_null(re);
		if (validate_re_error(re))
			fail_msg("%s: %s", re_matches[i].pattern, validate_re_error(re));
		char err[256];
		int m = validate_re_match(re, re_matches[i].subject, strlen(re_matches[i].subject), err,
					  sizeof(err));
		if (m != re_matches[i].want)
			fail_msg("/%s/ on \"%s\": got %d, want %d", re_matches[i].pattern,
				 re_matches[i].subject, m, re_matches[i].want);
		validate_re_free(re);
	}
}

static void test_re_limit(void **state)
{
	(void)state;
	validate_re_t *re = validate_re_new("^(a+)+$");
	assert_non_null(re);
	char subject[64];
	memset(subject, 'a', 40);
	subject[40] = '!';
	subject[41] = '\0';
	char err[256];
	assert_int_equal(validate_re_match(re, subject, 41, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "limit"));
	assert_int_equal(validate_re_match(re, "aaa", 3, err, sizeof(err)), 1);
	validate_re_free(re);
}

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
		l->re[i] = validate_re_new(p[i]);
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
	validate_re_free(NULL);
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
	  RC "error msg=\"Rcode is not one of the valid rcodes\" rcode=3 string_rcode=NXDOMAIN valid_rcodes=\"unsupported value type\"\n" },
	{ "empty list: nothing valid", { 0 }, 0, true, 0, false,
	  RC "error msg=\"Rcode is not one of the valid rcodes\" rcode=0 string_rcode=NOERROR valid_rcodes=\"unsupported value type\"\n" },
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
	  RC "error msg=\"Rcode is not one of the valid rcodes\" rcode=11 string_rcode= valid_rcodes=\"unsupported value type\"\n" },
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
		cmocka_unit_test(test_re_errors),
		cmocka_unit_test(test_re_matches),
		cmocka_unit_test(test_re_limit),
		cmocka_unit_test(test_validate_rrs),
		cmocka_unit_test(test_rules_empty),
		cmocka_unit_test(test_validate_rcode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
