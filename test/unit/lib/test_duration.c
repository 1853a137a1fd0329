/* test_duration -- lib/duration against Go 1.19's own tables (time/time_test.go: parseDurationTests,
 * parseDurationErrorTests, durationTests): the units, fractions, signs, the int64 edges, and the
 * inputs Go refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/duration.h"
#include "lib/errors.h"

#define NS  1LL
#define US  (1000 * NS)
#define MS  (1000 * US)
#define SEC (1000 * MS)
#define MIN (60 * SEC)
#define HOUR (60 * MIN)

static void test_parse(void **state)
{
	(void)state;
	static const struct { const char *in; int64_t want; } cases[] = {
		{ "0", 0 }, { "5s", 5 * SEC }, { "30s", 30 * SEC }, { "1478s", 1478 * SEC },
		{ "-5s", -5 * SEC }, { "+5s", 5 * SEC }, { "-0", 0 }, { "+0", 0 },
		{ "5.0s", 5 * SEC }, { "5.6s", 5 * SEC + 600 * MS }, { "5.s", 5 * SEC }, { ".5s", 500 * MS },
		{ "1.0s", SEC }, { "1.00s", SEC }, { "1.004s", SEC + 4 * MS }, { "1.0040s", SEC + 4 * MS },
		{ "100.00100s", 100 * SEC + MS },
		{ "10ns", 10 * NS }, { "11us", 11 * US }, { "12\xc2\xb5s", 12 * US }, { "12\xce\xbcs", 12 * US },
		{ "13ms", 13 * MS }, { "14s", 14 * SEC }, { "15m", 15 * MIN }, { "16h", 16 * HOUR },
		{ "3h30m", 3 * HOUR + 30 * MIN }, { "10.5s4m", 4 * MIN + 10 * SEC + 500 * MS },
		{ "-2m3.4s", -(2 * MIN + 3 * SEC + 400 * MS) },
		{ "1h2m3s4ms5us6ns", HOUR + 2 * MIN + 3 * SEC + 4 * MS + 5 * US + 6 * NS },
		{ "39h9m14.425s", 39 * HOUR + 9 * MIN + 14 * SEC + 425 * MS },
		{ "52763797000ns", 52763797000 * NS }, { "0.3333333333333333333h", 20 * MIN },
		{ "9007199254740993ns", (1LL << 53) + 1 },
		{ "9223372036854775807ns", INT64_MAX }, { "9223372036854775.807us", INT64_MAX },
		{ "9223372036s854ms775us807ns", INT64_MAX }, { "-9223372036854775808ns", INT64_MIN },
		{ "-9223372036854775.808us", INT64_MIN }, { "-9223372036s854ms775us808ns", INT64_MIN },
		{ "0.100000000000000000000h", 6 * MIN },
		{ "0.830103483285477580700h", 49 * MIN + 48 * SEC + 372539827 * NS },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t got = 12345;
		int rc = duration_parse(cases[i].in, &got);
		if (rc != 0 || got != cases[i].want)
			fail_msg("%s: rc %d, got %lld, want %lld", cases[i].in, rc, (long long)got,
			         (long long)cases[i].want);
	}
}

static void test_parse_errors(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"", "3", "-", "s", ".", "-.", ".s", "+.s", "1d", "\x85\x85", "\xff\xff", "hello \xff\xff world",
		"5 s", "5s ", " 5s", "1.5", "1e3s", "5S", "++5s", "-+5s", "5s-1s",
		"9223372036854775808ns", "9223372036854775.808us", "9223372036854ms775us808ns",
		"-9223372036854775809ns", "18446744073709551616ns", "99999999999999999999h", "2562048h",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t got = 12345;
		int rc = duration_parse(bad[i], &got);
		if (rc != NSP_EINVAL)
			fail_msg("\"%s\": rc %d (got %lld), want NSP_EINVAL", bad[i], rc, (long long)got);
		assert_int_equal(got, 12345);            /* *ns untouched on error */
	}
	int64_t got;
	assert_int_equal(duration_parse(NULL, &got), NSP_EINVAL);
}

static void test_format(void **state)
{
	(void)state;
	static const struct { int64_t in; const char *want; } cases[] = {
		{ 0, "0s" }, { 1 * NS, "1ns" }, { 1100 * NS, "1.1\xc2\xb5s" }, { 2200 * US, "2.2ms" },
		{ 3300 * MS, "3.3s" }, { 4 * MIN + 5 * SEC, "4m5s" }, { 4 * MIN + 5001 * MS, "4m5.001s" },
		{ 5 * HOUR + 6 * MIN + 7001 * MS, "5h6m7.001s" }, { 8 * MIN + 1 * NS, "8m0.000000001s" },
		{ INT64_MAX, "2562047h47m16.854775807s" }, { INT64_MIN, "-2562047h47m16.854775808s" },
		{ -1, "-1ns" }, { 999 * NS, "999ns" }, { 1000 * NS, "1\xc2\xb5s" }, { MS, "1ms" },
		{ SEC, "1s" }, { MIN, "1m0s" }, { HOUR, "1h0m0s" }, { -90 * SEC, "-1m30s" },
		{ 1500 * US, "1.5ms" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[32];
		memset(out, 'X', sizeof out);
		duration_format(cases[i].in, out);
		if (memchr(out, '\0', sizeof out) == NULL || strcmp(out, cases[i].want) != 0)
			fail_msg("%lld: got \"%.32s\", want \"%s\"", (long long)cases[i].in, out, cases[i].want);
	}
}

/* What format writes, parse reads back to the same value (the /config dump relies on it). */
static void test_round_trip(void **state)
{
	(void)state;
	static const int64_t values[] = {
		0, 1, -1, 999, 1000, 1001, 123456789, 5 * SEC, 90 * SEC + 500 * MS, 26 * HOUR + 1,
		INT64_MAX, INT64_MIN, INT64_MIN + 1,
	};
	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
		char out[32];
		duration_format(values[i], out);
		int64_t back = 0;
		assert_int_equal(duration_parse(out, &back), 0);
		if (back != values[i])
			fail_msg("%lld -> \"%s\" -> %lld", (long long)values[i], out, (long long)back);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
