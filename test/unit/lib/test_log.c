/* test_log -- go-kit/go-logfmt line formats: value quoting, timestamps, levels, json, probe logs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/buf.h"
#include "lib/errors.h"
#include "lib/log.h"

static const struct {
	const char *in;
	const char *want;
} values[] = {
	/* go-logfmt 0.5.1 writeStringValue / writeQuotedString */
	{ "", "" },
	{ "abc", "abc" },
	{ "127.0.0.61:53", "127.0.0.61:53" },
	{ "([", "([" },
	{ "192\\.0\\.2\\.1$", "192\\.0\\.2\\.1$" },   /* a backslash alone does not quote */
	{ "a b", "\"a b\"" },
	{ "a=b", "\"a=b\"" },
	{ "a\"b", "\"a\\\"b\"" },
	{ "x y\\z", "\"x y\\\\z\"" },
	{ "null", "\"null\"" },
	{ "Null", "Null" },
	{ "bb.test.\t300\tIN\tA\t192.0.2.1", "\"bb.test.\\t300\\tIN\\tA\\t192.0.2.1\"" },
	{ "\n;; OPT PSEUDOSECTION:\n; EDNS: version 0; flags: do; udp: 1232",
	  "\"\\n;; OPT PSEUDOSECTION:\\n; EDNS: version 0; flags: do; udp: 1232\"" },
	{ "a\rb", "\"a\\rb\"" },
	{ "\x01", "\"\\u0001\"" },
	{ "\x1f x", "\"\\u001f x\"" },
	{ "\x7f", "\x7f" },                          /* DEL neither quotes nor escapes */
	{ "del\x7f ", "\"del\x7f \"" },
	{ "\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9" },  /* valid UTF-8 passes raw */
	{ "\xff", "\"\\ufffd\"" },
	{ "a\xc3", "\"a\\ufffd\"" },
	{ "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"" },   /* a surrogate is three bad bytes */
	{ "\xef\xbf\xbd", "\"\\ufffd\"" },          /* U+FFFD itself quotes */
	{ "\xe2\x80\xa8", "\xe2\x80\xa8" },          /* U+2028: raw in logfmt */
	{ "error parsing regexp: missing closing ]: `[`", "\"error parsing regexp: missing closing ]: `[`\"" },
};

static void test_fmt_value(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		buf_t b = BUF_INIT;
		log_fmt_value(&b, values[i].in);
		if (strcmp(buf_str(&b), values[i].want) != 0)
			fail_msg("case %zu: got [%s] want [%s]", i, buf_str(&b), values[i].want);
		buf_free(&b);
	}
	buf_t b = BUF_INIT;
	log_fmt_value(&b, NULL);
	assert_string_equal(buf_str(&b), "null");
	buf_free(&b);
}

static void test_from_str(void **state)
{
	(void)state;
	log_level_t l;
	log_format_t f;
	assert_int_equal(log_level_from_str("debug", &l), 0);
	assert_int_equal(l, LOG_DEBUG);
	assert_int_equal(log_level_from_str("error", &l), 0);
	assert_int_equal(l, LOG_ERROR);
	assert_int_equal(log_level_from_str("warn", &l), 0);
	assert_int_equal(l, LOG_WARN);
	assert_int_equal(log_level_from_str("Info", &l), NSP_EINVAL);
	assert_int_equal(log_level_from_str("warning", &l), NSP_EINVAL);
	assert_int_equal(log_format_from_str("json", &f), 0);
	assert_int_equal(f, LOG_JSON);
	assert_int_equal(log_format_from_str("logfmt", &f), 0);
	assert_int_equal(f, LOG_LOGFMT);
	assert_int_equal(log_format_from_str("text", &f), NSP_EINVAL);
}

/* Checks an RFC 3339 UTC timestamp at s; returns its length. nano: RFC3339Nano (1-9 digits, no
 * trailing zero, or no fraction); else exactly three digits. */
static size_t check_ts(const char *s, bool nano)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	for (size_t i = 0; i < sizeof(shape) - 1; i++) {
		if (shape[i] == 'd')
			assert_true(s[i] >= '0' && s[i] <= '9');
		else
			assert_int_equal(s[i], shape[i]);
	}
	size_t i = sizeof(shape) - 1;
	size_t digits = 0;
	if (s[i] == '.') {
		i++;
		while (s[i] >= '0' && s[i] <= '9') {
			i++;
			digits++;
		}
		assert_true(digits >= 1 && digits <= 9);
		if (nano)
			assert_true(s[i - 1] != '0');
	}
	if (!nano)
		assert_int_equal(digits, 3);
	assert_int_equal(s[i], 'Z');
	return i + 1;
}

static void test_plog(void **state)
{
	(void)state;
	log_setup(LOG_INFO, LOG_LOGFMT);
	plog_t l;
	plog_init(&l, "dns_a", "127.0.0.61");
	plog_line(&l, LOG_INFO, "Validating RR", "rr", "bb.test.\t300\tIN\tA\t192.0.2.1", (const char *)NULL);
	plog_line(&l, LOG_DEBUG, "recorded too", (const char *)NULL);
	plog_line(&l, LOG_ERROR, "Rcode is not one of the valid rcodes", "rcode", "11", "string_rcode", "",
		  (const char *)NULL);
	buf_t rendered = BUF_INIT;
	plog_render(&l, &rendered);
	const char *s = buf_str(&rendered);
	const char *want[] = {
		" module=dns_a target=127.0.0.61 level=info msg=\"Validating RR\" rr=\"bb.test.\\t300\\tIN\\tA\\t192.0.2.1\"\n",
		" module=dns_a target=127.0.0.61 level=debug msg=\"recorded too\"\n",
		" module=dns_a target=127.0.0.61 level=error msg=\"Rcode is not one of the valid rcodes\" rcode=11 string_rcode=\n",
	};
	for (size_t i = 0; i < 3; i++) {
		assert_true(strncmp(s, "ts=", 3) == 0);
		s += 3;
		s += check_ts(s, true);
		assert_true(strncmp(s, want[i], strlen(want[i])) == 0);
		s += strlen(want[i]);
	}
	assert_string_equal(s, "");
	buf_free(&rendered);
	plog_deinit(&l);
	plog_deinit(NULL);
}

/* Runs fn with stderr redirected to a temporary file and returns what it wrote. */
static char *capture_stderr(void (*fn)(void))
{
	fflush(stderr);
	FILE *tmp = tmpfile();
	assert_non_null(tmp);
	int saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);
	fn();
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	buf_t b = BUF_INIT;
	rewind(tmp);
	char chunk[1024];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), tmp)) > 0)
		buf_append(&b, chunk, n);
	fclose(tmp);
	buf_putc(&b, '\0');
	return buf_steal(&b);
}

static void emit_filtered(void)
{
	log_setup(LOG_WARN, LOG_LOGFMT);
	log_info("not shown");
	log_debug("not shown");
	log_warn("cannot bind address 127.0.0.1:9115 (Address in use)", "addr", "127.0.0.1:9115");
	log_error("x", "empty", "", "eq", "a=b");
}

static void test_log_line_logfmt(void **state)
{
	(void)state;
	char *out = capture_stderr(emit_filtered);
	const char *s = out;
	assert_true(strncmp(s, "ts=", 3) == 0);
	s += 3 + check_ts(s + 3, false);
	const char *l1 = " level=warn msg=\"cannot bind address 127.0.0.1:9115 (Address in use)\" addr=127.0.0.1:9115\n";
	assert_true(strncmp(s, l1, strlen(l1)) == 0);
	s += strlen(l1);
	assert_true(strncmp(s, "ts=", 3) == 0);
	s += 3 + check_ts(s + 3, false);
	assert_string_equal(s, " level=error msg=x empty= eq=\"a=b\"\n");
	free(out);
}

static void emit_json(void)
{
	log_setup(LOG_DEBUG, LOG_JSON);
	log_info("hello \"you\"", "zeta", "1", "alpha", "tab\there", "ctl", "\x02<&>\xe2\x80\xa8");
	log_debug("dup", "msg", "later wins");
}

static void test_log_line_json(void **state)
{
	(void)state;
	char *out = capture_stderr(emit_json);
	/* keys sorted, as encoding/json writes a Go map */
	const char *a = "{\"alpha\":\"tab\\there\",\"ctl\":\"\\u0002<&>\\u2028\",\"level\":\"info\","
			"\"msg\":\"hello \\\"you\\\"\",\"ts\":\"";
	assert_true(strncmp(out, a, strlen(a)) == 0);
	const char *s = out + strlen(a);
	s += check_ts(s, false);
	const char *b = "\",\"zeta\":\"1\"}\n{\"level\":\"debug\",\"msg\":\"later wins\",\"ts\":\"";
	assert_true(strncmp(s, b, strlen(b)) == 0);
	s += strlen(b);
	s += check_ts(s, false);
	assert_string_equal(s, "\"}\n");
	free(out);
	log_setup(LOG_INFO, LOG_LOGFMT);
}

static plog_t fwd_log;

static void emit_forward_info(void)
{
	log_setup(LOG_INFO, LOG_LOGFMT);
	plog_line(&fwd_log, LOG_ERROR, "Probe failed", "duration_seconds", "0.5", (const char *)NULL);
}

static void emit_forward_debug(void)
{
	log_setup(LOG_DEBUG, LOG_LOGFMT);
	plog_line(&fwd_log, LOG_ERROR, "Probe failed", "duration_seconds", "0.5", (const char *)NULL);
	log_setup(LOG_INFO, LOG_LOGFMT);
}

/* handler.go scrapeLogger: probe lines reach the process log only at debug, rewritten to debug. */
static void test_plog_forward(void **state)
{
	(void)state;
	plog_init(&fwd_log, "dns_a", "bb.test");
	char *out = capture_stderr(emit_forward_info);
	assert_string_equal(out, "");
	free(out);
	out = capture_stderr(emit_forward_debug);
	assert_true(strncmp(out, "ts=", 3) == 0);
	const char *s = out + 3 + check_ts(out + 3, false);
	assert_string_equal(s, " module=dns_a target=bb.test level=debug msg=\"Probe failed\" duration_seconds=0.5\n");
	free(out);
	/* the buffer keeps the real level */
	buf_t rendered = BUF_INIT;
	plog_render(&fwd_log, &rendered);
	assert_non_null(strstr(buf_str(&rendered), " level=error msg=\"Probe failed\""));
	buf_free(&rendered);
	plog_deinit(&fwd_log);
}

/* plog_reason on a log of the given lines: what it appends, or "(none)" when it returns false. */
static void expect_reason(plog_t *l, const char *want)
{
	buf_t b = BUF_INIT;
	if (!plog_reason(l, &b)) {
		assert_int_equal(b.len, 0);
		buf_puts(&b, "(none)");
	}
	assert_string_equal(buf_str(&b), want);
	buf_free(&b);
	plog_deinit(l);
}

/* The reason of a failed probe: its first error line (the cause, before the closing "Probe failed"),
 * else its last warn line, rendered from msg= on as /logs renders it. */
static void test_plog_reason(void **state)
{
	(void)state;
	plog_t l;
	plog_init(&l, "dns_a", "192.0.2.1:53");
	plog_line(&l, LOG_INFO, "Beginning probe", (const char *)NULL);
	plog_line(&l, LOG_WARN, "w1", (const char *)NULL);
	plog_line(&l, LOG_ERROR, "Error while sending a DNS query", "err", "read udp4 192.0.2.1:53: i/o timeout",
	          (const char *)NULL);
	plog_line(&l, LOG_ERROR, "Probe failed", "duration_seconds", "5.0", (const char *)NULL);
	expect_reason(&l, "msg=\"Error while sending a DNS query\" err=\"read udp4 192.0.2.1:53: i/o timeout\"");

	plog_init(&l, "dns_a", "t");
	plog_line(&l, LOG_WARN, "w1", (const char *)NULL);
	plog_line(&l, LOG_INFO, "i", (const char *)NULL);
	plog_line(&l, LOG_WARN, "w2", "k", "v", (const char *)NULL);
	plog_line(&l, LOG_INFO, "j", (const char *)NULL);
	expect_reason(&l, "msg=w2 k=v");

	plog_init(&l, "dns_a", "t");
	plog_line(&l, LOG_INFO, "i", (const char *)NULL);
	plog_line(&l, LOG_DEBUG, "d", (const char *)NULL);
	expect_reason(&l, "(none)");

	plog_init(&l, "dns_a", "t");
	expect_reason(&l, "(none)");

	/* a target holding " level=error " is only a name: the levels are data */
	plog_init(&l, "m", "x level=error \" y");
	plog_line(&l, LOG_INFO, "a", (const char *)NULL);
	plog_line(&l, LOG_WARN, "b", (const char *)NULL);
	expect_reason(&l, "msg=b");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fmt_value),
		cmocka_unit_test(test_from_str),
		cmocka_unit_test(test_plog),
		cmocka_unit_test(test_log_line_logfmt),
		cmocka_unit_test(test_log_line_json),
		cmocka_unit_test(test_plog_forward),
		cmocka_unit_test(test_plog_reason),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
