/* test_regex -- Go regexp syntax and errors on PCRE2: Go's compile errors, Go's matching semantics
 * and the match limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "check/regex.h"

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
		regex_pattern_t *re = regex_new(re_errors[i].pattern);
		assert_non_null(re);
		const char *err = regex_error(re);
		if (re_errors[i].error == NULL) {
			if (err)
				fail_msg("%s: unexpected error %s", re_errors[i].pattern, err);
		} else {
			if (!err)
				fail_msg("%s: compiled, want %s", re_errors[i].pattern, re_errors[i].error);
			assert_string_equal(err, re_errors[i].error);
		}
		assert_string_equal(regex_source(re), re_errors[i].pattern);
		regex_free(re);
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
		regex_pattern_t *re = regex_new(re_matches[i].pattern);
		assert_non_null(re);
		if (regex_error(re))
			fail_msg("%s: %s", re_matches[i].pattern, regex_error(re));
		char err[256];
		int m = regex_match(re, re_matches[i].subject, strlen(re_matches[i].subject), err,
		                    sizeof(err));
		if (m != re_matches[i].want)
			fail_msg("/%s/ on \"%s\": got %d, want %d", re_matches[i].pattern,
				 re_matches[i].subject, m, re_matches[i].want);
		regex_free(re);
	}
}

static void test_re_limit(void **state)
{
	(void)state;
	regex_pattern_t *re = regex_new("^(a+)+$");
	assert_non_null(re);
	char subject[64];
	memset(subject, 'a', 40);
	subject[40] = '!';
	subject[41] = '\0';
	char err[256];
	assert_int_equal(regex_match(re, subject, 41, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "limit"));
	assert_int_equal(regex_match(re, "aaa", 3, err, sizeof(err)), 1);
	regex_free(re);
}

static void test_re_free_null(void **state)
{
	(void)state;
	regex_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_re_errors),
		cmocka_unit_test(test_re_matches),
		cmocka_unit_test(test_re_limit),
		cmocka_unit_test(test_re_free_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
