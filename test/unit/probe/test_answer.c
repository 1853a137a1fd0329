/* test_answer -- the checks of an answer after the exchange, as blackbox 0.23's ProbeDNS makes
 * them: unpack errors end the exchange, the counts and serial are set before the rcode is judged,
 * and valid_rcodes and the validators decide. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/config.h"
#include "dns/dnstab.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/metrics.h"
#include "probe/answer.h"
#include "testlib.h"

typedef struct run {
	config_t *cfg;
	metrics_t m;
	plog_t log;
	answer_labels_t labels;
	const char *err;
	buf_t text;
} run_t;

/* Checks msg with module `m` of a config whose dns: block is `dns`. */
static answer_verdict_t check(run_t *r, const char *dns, const testlib_msg_t *msg, bool udp_truncated)
{
	char yaml[1024], err[256] = "";
	snprintf(yaml, sizeof yaml, "modules:\n  m:\n    prober: dns\n    dns: %s\n", dns);
	memset(r, 0, sizeof *r);
	if (config_load_text("t.yml", yaml, strlen(yaml), &r->cfg, err, sizeof err) != 0)
		fail_msg("config: %s", err);
	plog_init(&r->log, "m", "t");
	answer_verdict_t v = answer_check(msg->b, msg->len, &config_module_get(r->cfg, "m")->dns, udp_truncated,
	                                  &r->m, &r->log, &r->labels, &r->err);
	plog_render(&r->log, &r->text);
	return v;
}

static void done(run_t *r)
{
	config_unref(r->cfg);
	plog_deinit(&r->log);
	free(r->labels.nsid);
	buf_free(&r->text);
}

/* Writes the name into out (room for 255 octets); returns its length. */
static size_t put_name(uint8_t *out, const char *text)
{
	uint8_t name[255];
	size_t n = testlib_name(text, name);
	memcpy(out, name, n);
	return n;
}

static void soa_answer(testlib_msg_t *msg, uint16_t rcode, uint32_t serial)
{
	testlib_msg_init(msg, 1, TESTLIB_QR | TESTLIB_AA | rcode);
	testlib_msg_question(msg, "example.", DNS_TYPE_SOA, 1);
	uint8_t rd[2 * 255 + 20];
	size_t n = put_name(rd, "ns.example.");
	n += put_name(rd + n, "admin.example.");
	const uint8_t times[20] = { (uint8_t)(serial >> 24), (uint8_t)(serial >> 16), (uint8_t)(serial >> 8),
	                            (uint8_t)serial, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1 };
	memcpy(rd + n, times, sizeof times);
	testlib_msg_rr(msg, TESTLIB_ANSWER, "example.", DNS_TYPE_SOA, 1, 300, rd, n + sizeof times);
}

static void test_passes_and_sets_counts(void **state)
{
	(void)state;
	testlib_msg_t msg;
	soa_answer(&msg, 0, 2026120701);
	run_t r;
	assert_int_equal(check(&r, "{query_name: example., query_type: SOA}", &msg, false), ANSWER_PASSED);
	assert_true(r.m.present[MET_DNS_ANSWER_RRS]);
	assert_true(r.m.value[MET_DNS_ANSWER_RRS] == 1);
	assert_true(r.m.value[MET_DNS_SERIAL] == 2026120701.0);
	assert_true(r.m.value[MET_DNS_QUERY_SUCCEEDED] == 1);
	assert_false(r.m.present[MET_DNS_RCODE_INFO]);     /* a blackbox module: no extension facts */
	assert_non_null(strstr(buf_str(&r.text), "Got response"));
	done(&r);
}

/* The counts and serial are set before the rcode fails the probe (dns.go sets them first). */
static void test_rcode_fails_after_counts(void **state)
{
	(void)state;
	testlib_msg_t msg;
	soa_answer(&msg, 3, 7);
	run_t r;
	assert_int_equal(check(&r, "{query_name: example., query_type: SOA}", &msg, false), ANSWER_FAILED);
	assert_true(r.m.value[MET_DNS_SERIAL] == 7.0);
	assert_true(r.m.value[MET_DNS_QUERY_SUCCEEDED] == 1);
	assert_non_null(strstr(buf_str(&r.text), "Rcode is not one of the valid rcodes"));
	done(&r);
	assert_int_equal(check(&r, "{query_name: example., query_type: SOA, valid_rcodes: [NXDOMAIN]}", &msg, false),
	                 ANSWER_PASSED);
	done(&r);
}

static void test_validators_decide(void **state)
{
	(void)state;
	testlib_msg_t msg;
	soa_answer(&msg, 0, 1);
	run_t r;
	assert_int_equal(check(&r, "{query_name: example., validate_answer_rrs: {fail_if_matches_regexp: ['SOA']}}",
	                       &msg, false), ANSWER_FAILED);
	assert_non_null(strstr(buf_str(&r.text), "Answer RRs validation failed"));
	done(&r);
	assert_int_equal(check(&r, "{query_name: example., validate_authority_rrs: {fail_if_not_matches_regexp: ['x']}}",
	                       &msg, false), ANSWER_FAILED);
	assert_non_null(strstr(buf_str(&r.text), "Authority RRs validation failed"));
	done(&r);
}

/* An RR whose rdata does not fit its type ends the exchange with miekg's words. */
static void test_unreadable(void **state)
{
	(void)state;
	testlib_msg_t msg;
	testlib_msg_init(&msg, 1, TESTLIB_QR);
	testlib_msg_question(&msg, "example.", DNS_TYPE_A, 1);
	testlib_msg_rr(&msg, TESTLIB_ANSWER, "example.", DNS_TYPE_A, 1, 300, "\x01\x02\x03", 3);
	run_t r;
	assert_int_equal(check(&r, "{query_name: example., query_type: A}", &msg, false), ANSWER_UNREADABLE);
	assert_non_null(r.err);
	assert_string_equal(r.err, "dns: overflow unpacking a");
	assert_false(r.m.present[MET_DNS_QUERY_SUCCEEDED]);
	done(&r);
}

/* nsprobe's facts for modules using its keys: flags, truncation, rcode label, NSID. */
static void test_facts(void **state)
{
	(void)state;
	testlib_msg_t msg;
	soa_answer(&msg, 0, 1);
	testlib_msg_opt(&msg, 1232, 0, 0, false, "\x00\x03\x00\x03ns1", 7);
	run_t r;
	assert_int_equal(check(&r, "{query_name: example., query_type: SOA, edns: {nsid: true}}", &msg, true),
	                 ANSWER_PASSED);
	assert_true(r.m.value[MET_DNS_FLAG_AA] == 1);
	assert_true(r.m.value[MET_DNS_REPLY_TRUNCATED] == 1);
	assert_string_equal(r.labels.rcode, "NOERROR");
	assert_string_equal(r.m.label[MET_DNS_RCODE_INFO], "NOERROR");
	assert_non_null(r.labels.nsid);
	assert_string_equal(r.labels.nsid, "ns1");
	done(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_passes_and_sets_counts),
		cmocka_unit_test(test_rcode_fails_after_counts),
		cmocka_unit_test(test_validators_decide),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_facts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
