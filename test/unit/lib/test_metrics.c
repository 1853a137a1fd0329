/* test_metrics -- Go's float formatting and the probe exposition, byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/buf.h"
#include "lib/metrics.h"
#include "testlib.h"


static const struct {
	double v;
	const char *want;
} floats[] = {
	/* reference 2.4, verified with Go */
	{ 0, "0" },
	{ 7, "7" },
	{ 119.5, "119.5" },
	{ 123456, "123456" },
	{ 999999, "999999" },
	{ 1e6, "1e+06" },
	{ 1234567, "1.234567e+06" },
	{ 2024010101, "2.024010101e+09" },
	{ 4294967295, "4.294967295e+09" },
	{ 0.0001, "0.0001" },
	{ 0.000099, "9.9e-05" },
	{ 4.5979e-05, "4.5979e-05" },
	{ 1795776034.2891338, "1.7957760342891338e+09" },
	/* probe outputs */
	{ 5.4391e-05, "5.4391e-05" },
	{ 0.000122147, "0.000122147" },
	{ 2662261369, "2.662261369e+09" },
	{ 1.999924673, "1.999924673" },
	/* Go strconv FormatFloat(x, 'g', -1, 64) */
	{ -0.0, "-0" },
	{ -1, "-1" },
	{ 0.1, "0.1" },
	{ 0.3, "0.3" },
	{ 0.1 + 0.2, "0.30000000000000004" },
	{ 100, "100" },
	{ 100000, "100000" },
	{ 123456.7, "123456.7" },
	{ 1234567.8, "1.2345678e+06" },
	{ 1e21, "1e+21" },
	{ 1e100, "1e+100" },
	{ 1.5e-7, "1.5e-07" },
	{ 0.00012, "0.00012" },
	{ 0.000012, "1.2e-05" },
	{ 5e-324, "5e-324" },
	{ 2.2250738585072014e-308, "2.2250738585072014e-308" },
	{ DBL_MAX, "1.7976931348623157e+308" },
	{ -DBL_MAX, "-1.7976931348623157e+308" },
	{ 9007199254740993.0, "9.007199254740992e+15" },
	{ 1.0 / 3, "0.3333333333333333" },
	{ 2.0 / 3, "0.6666666666666666" },
	{ 5e-05, "5e-05" },
	{ 123456789, "1.23456789e+08" },
	{ 9.999999999999999e22, "1e+23" },
	{ 8.41e21, "8.41e+21" },
	{ 0.000001, "1e-06" },
	{ 1.0e-5, "1e-05" },
	{ 12345.6789, "12345.6789" },
};

static void test_fmt_float_table(void **state)
{
	(void)state;
	char out[32];
	for (size_t i = 0; i < sizeof(floats) / sizeof(floats[0]); i++) {
		size_t n = metrics_fmt_float(floats[i].v, out);
		if (strcmp(out, floats[i].want) != 0)
			fail_msg("%.17g: got %s, want %s", floats[i].v, out, floats[i].want);
		assert_int_equal(n, strlen(out));
	}
	metrics_fmt_float(NAN, out);
	assert_string_equal(out, "NaN");
	metrics_fmt_float(INFINITY, out);
	assert_string_equal(out, "+Inf");
	metrics_fmt_float(-INFINITY, out);
	assert_string_equal(out, "-Inf");
}

/* Does any d-significant-digit decimal round-trip to v? (correctly rounded or its neighbours) */
static bool some_digits_roundtrip(double v, int d)
{
	char s[64];
	snprintf(s, sizeof(s), "%.*e", d - 1, v);
	if (strtod(s, NULL) == v)
		return true;
	/* the neighbours: step the last mantissa digit through the decimal value directly */
	char *e = strchr(s, 'e');
	int exp10 = atoi(e + 1);
	double m = strtod(s, NULL);
	(void)m;
	char digits[32];
	size_t n = 0;
	for (char *p = s; p < e; p++)
		if (*p >= '0' && *p <= '9')
			digits[n++] = *p;
	digits[n] = '\0';
	long long mant = atoll(digits);
	for (int delta = -1; delta <= 1; delta += 2) {
		char t[64];
		snprintf(t, sizeof(t), "%lld", mant + delta);
		if ((int)strlen(t) != d)
			continue;
		char u[80];
		snprintf(u, sizeof(u), "%c.%se%d", t[0], t + 1, exp10);
		if (strtod(u, NULL) == v)
			return true;
	}
	return false;
}

/* Checks out against the rules of Go's shortest 'g' formatting, independently of metrics.c. */
static void check_go_rule(double v, const char *out)
{
	/* round trip */
	if (strtod(out, NULL) != v)
		fail_msg("%a: %s does not round-trip", v, out);
	/* split sign, digits, decimal exponent */
	const char *p = out;
	bool neg = *p == '-';
	if (neg)
		p++;
	if (neg != (signbit(v) != 0))
		fail_msg("%a: sign of %s", v, out);
	const char *e = strchr(p, 'e');
	char digits[32];
	size_t nd = 0;
	int point = -1;   /* digits before the point in the written mantissa */
	const char *q = p;
	for (; *q && q != e; q++) {
		if (*q == '.')
			point = (int)nd;
		else
			digits[nd++] = *q;
	}
	if (point < 0)
		point = (int)nd;
	/* strip leading zeros (fixed form 0.000ddd) */
	size_t lead = 0;
	while (lead < nd - 1 && digits[lead] == '0')
		lead++;
	int exp = e ? atoi(e + 1) : point - 1 - (int)lead;
	size_t sig = nd - lead;
	if (e) {
		/* exponent form: one digit before the point, sign and >= 2 exponent digits */
		if (!(exp < -4 || exp >= 6))
			fail_msg("%a: %s should be fixed", v, out);
		if (point != 1 || (e[1] != '+' && e[1] != '-') || strlen(e + 2) < 2)
			fail_msg("%a: bad exponent form %s", v, out);
		if (strlen(e + 2) > 2 && e[2] == '0')
			fail_msg("%a: padded exponent %s", v, out);
	} else {
		if (exp < -4 || exp >= 6)
			fail_msg("%a: %s should use an exponent", v, out);
		/* significant digits end at the last nonzero digit when there is a fraction */
		if (point < (int)nd) {
			size_t z = nd;
			while (z > lead + 1 && digits[z - 1] == '0')
				z--;
			if (z != nd)
				fail_msg("%a: trailing zeros in %s", v, out);
		} else {
			/* integer: trailing zeros are padding, not significant */
			while (sig > 1 && digits[lead + sig - 1] == '0')
				sig--;
		}
	}
	if (e && digits[nd - 1] == '0' && nd > 1)
		fail_msg("%a: trailing zero in mantissa %s", v, out);
	/* shortest: no decimal with one digit fewer round-trips */
	if (sig > 1 && some_digits_roundtrip(v, (int)sig - 1))
		fail_msg("%a: %s is not shortest", v, out);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng_next(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static void test_fmt_float_random(void **state)
{
	(void)state;
	char out[32];
	for (int i = 0; i < 60000; i++) {
		double v;
		uint64_t bits = rng_next();
		switch (i % 4) {
		case 0:   /* any finite double */
			memcpy(&v, &bits, sizeof(v));
			if (!isfinite(v))
				continue;
			break;
		case 1:   /* durations: nanoseconds to days, at nanosecond resolution (the n/1e9 fast path) */
			v = (double)(bits % ((i & 8) ? 10000000000u : 1000000000000000u)) / 1e9;
			break;
		case 2:   /* 32-bit hashes and serials */
			v = (double)(uint32_t)bits;
			break;
		default:  /* around the fixed/exponent boundaries */
			v = ldexp((double)(bits >> 11), -53) * pow(10, (double)((int)(bits % 16) - 8));
			break;
		}
		size_t n = metrics_fmt_float(v, out);
		assert_int_equal(n, strlen(out));
		assert_true(n < 32);
		check_go_rule(v, out);
	}
}

/* The exposition part of a blackbox debug=true output. */
static char *debug_metrics(const char *file)
{
	char *all = testlib_load(file, NULL);
	const char *head = "Metrics that would have been returned:\n";
	char *start = strstr(all, head);
	assert_non_null(start);
	start += strlen(head);
	char *stop = strstr(start, "\n\n\nModule configuration:");
	assert_non_null(stop);
	stop[0] = '\0';   /* the exposition's own final newline is just before */
	char *out = strdup(start);
	free(all);
	return out;
}

static void test_render_dns_a(void **state)
{
	(void)state;
	metrics_t m = { 0 };
	/* set in blackbox's order, not the exposition's */
	metrics_set(&m, MET_SUCCESS, 1);
	metrics_set(&m, MET_DURATION, 0.000463422);
	metrics_set(&m, MET_DNS_DURATION_CONNECT, 5.2875e-05);
	metrics_set(&m, MET_DNS_DURATION_REQUEST, 0.000114327);
	metrics_set(&m, MET_DNS_DURATION_RESOLVE, 2.0168e-05);
	metrics_set(&m, MET_DNS_ANSWER_RRS, 1);
	metrics_set(&m, MET_DNS_AUTHORITY_RRS, 0);
	metrics_set(&m, MET_DNS_ADDITIONAL_RRS, 0);
	metrics_set(&m, MET_DNS_QUERY_SUCCEEDED, 1);
	metrics_set(&m, MET_DNS_LOOKUP_TIME, 2.0168e-05);
	metrics_set(&m, MET_IP_PROTOCOL, 4);
	metrics_set(&m, MET_IP_ADDR_HASH, 2662261369.0);
	buf_t out = BUF_INIT;
	assert_int_equal(metrics_render(&m, &out), 0);
	char *want = debug_metrics(TEST_DATA_DIR "/blackbox-0.23/probe-outputs/dns_a.debug.txt");
	assert_string_equal(buf_str(&out), want);
	free(want);

	/* dns_soa adds probe_dns_serial between query_succeeded and duration */
	metrics_set(&m, MET_DNS_SERIAL, 2024010101);
	buf_reset(&out);
	assert_int_equal(metrics_render(&m, &out), 0);
	const char *serial = "probe_dns_query_succeeded 1\n"
			     "# HELP probe_dns_serial Returns the serial number of the zone\n"
			     "# TYPE probe_dns_serial gauge\n"
			     "probe_dns_serial 2.024010101e+09\n"
			     "# HELP probe_duration_seconds";
	assert_non_null(strstr(buf_str(&out), serial));
	buf_free(&out);
}

static void test_render_partial(void **state)
{
	(void)state;
	/* bad transport_protocol: no lookup/protocol/hash family (reference 2.2) */
	metrics_t m = { 0 };
	metrics_set(&m, MET_DNS_DURATION_REQUEST, 0);
	metrics_set(&m, MET_SUCCESS, 0);
	buf_t out = BUF_INIT;
	assert_int_equal(metrics_render(&m, &out), 0);
	assert_string_equal(buf_str(&out),
			    "# HELP probe_dns_duration_seconds Duration of DNS request by phase\n"
			    "# TYPE probe_dns_duration_seconds gauge\n"
			    "probe_dns_duration_seconds{phase=\"request\"} 0\n"
			    "# HELP probe_success Displays whether or not the probe was a success\n"
			    "# TYPE probe_success gauge\n"
			    "probe_success 0\n");
	buf_reset(&out);
	metrics_t empty = { 0 };
	assert_int_equal(metrics_render(&empty, &out), 0);
	assert_string_equal(buf_str(&out), "");
	buf_free(&out);
}

static void test_generic_writer(void **state)
{
	(void)state;
	buf_t out = BUF_INIT;
	metrics_family(&out, "x_total", "A \\ help\nline", "counter");
	buf_t labels = BUF_INIT;
	buf_puts(&labels, "a=\"");
	metrics_label_value(&labels, "q\"b\\s\nn");
	buf_puts(&labels, "\"");
	metrics_sample(&out, "x_total", buf_str(&labels), 1e6);
	metrics_sample(&out, "x_total", NULL, -0.0);
	metrics_sample(&out, "x_total", "", NAN);
	assert_string_equal(buf_str(&out),
			    "# HELP x_total A \\\\ help\\nline\n"
			    "# TYPE x_total counter\n"
			    "x_total{a=\"q\\\"b\\\\s\\nn\"} 1e+06\n"
			    "x_total -0\n"
			    "x_total NaN\n");
	buf_free(&labels);
	buf_free(&out);
}

/* A histogram as client_golang writes one: cumulative buckets with "le" after the other labels,
 * +Inf, then _sum and _count (the +Inf bucket's count). */
static void test_histogram(void **state)
{
	(void)state;
	static const double bounds[] = { 0.005, 0.5, 10 };
	const uint64_t counts[] = { 2, 0, 1, 3 };
	buf_t out = BUF_INIT;
	metrics_histogram(&out, "d_seconds", "module=\"m\"", bounds, counts, 3, 61.25);
	metrics_histogram(&out, "e_seconds", NULL, bounds, (const uint64_t[]){ 0, 0, 0, 0 }, 3, 0);
	assert_string_equal(buf_str(&out),
			    "d_seconds_bucket{module=\"m\",le=\"0.005\"} 2\n"
			    "d_seconds_bucket{module=\"m\",le=\"0.5\"} 2\n"
			    "d_seconds_bucket{module=\"m\",le=\"10\"} 3\n"
			    "d_seconds_bucket{module=\"m\",le=\"+Inf\"} 6\n"
			    "d_seconds_sum{module=\"m\"} 61.25\n"
			    "d_seconds_count{module=\"m\"} 6\n"
			    "e_seconds_bucket{le=\"0.005\"} 0\n"
			    "e_seconds_bucket{le=\"0.5\"} 0\n"
			    "e_seconds_bucket{le=\"10\"} 0\n"
			    "e_seconds_bucket{le=\"+Inf\"} 0\n"
			    "e_seconds_sum 0\n"
			    "e_seconds_count 0\n");
	buf_free(&out);
}

/* The catalogue's order is the exposition's: families sorted by name (Go's registry gathers them
 * sorted), so rendering never sorts. Every family appears once. */
static void test_catalogue_sorted(void **state)
{
	(void)state;
	metrics_t m = {0};
	for (int i = 0; i < MET__COUNT; i++)
		metrics_set(&m, (metric_id_t)i, 1);
	metrics_set_label(&m, MET_DNS_RCODE_INFO, "NOERROR", 1);
	metrics_set_label(&m, MET_DNS_NSID_INFO, "ns1 \"x\"", 1);
	const char *keys = "probe_dnssec_key_info{key_tag=\"1\"} 1\nprobe_dnssec_key_info{key_tag=\"2\"} 1\n";
	metrics_set_label(&m, MET_DNSSEC_KEY_INFO, keys, 1);
	buf_t out = BUF_INIT;
	assert_int_equal(metrics_render(&m, &out), 0);
	char prev[128] = "";
	int families = 0;
	for (const char *line = buf_str(&out); (line = strstr(line, "# HELP ")); line++) {
		char name[128];
		assert_int_equal(sscanf(line, "# HELP %127s", name), 1);
		assert_true(strcmp(prev, name) < 0);
		snprintf(prev, sizeof(prev), "%s", name);
		families++;
	}
	assert_int_equal(families, 23);
	/* a raw family's samples are its label text, under one HELP and TYPE */
	assert_non_null(strstr(buf_str(&out), "# TYPE probe_dnssec_key_info gauge\n"
	                                      "probe_dnssec_key_info{key_tag=\"1\"} 1\nprobe_dnssec_key_info"));
	assert_non_null(strstr(buf_str(&out), "probe_dns_rcode_info{rcode=\"NOERROR\"} 1\n"));
	assert_non_null(strstr(buf_str(&out), "probe_dns_nsid_info{nsid=\"ns1 \\\"x\\\"\"} 1\n"));
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalogue_sorted),
		cmocka_unit_test(test_fmt_float_table),
		cmocka_unit_test(test_fmt_float_random),
		cmocka_unit_test(test_render_dns_a),
		cmocka_unit_test(test_render_partial),
		cmocka_unit_test(test_generic_writer),
		cmocka_unit_test(test_histogram),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
