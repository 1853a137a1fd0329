/* test_testlib -- the shared test library checks itself: the message builder's bytes against a
 * hand-written packet, and against wire_parse (OPT included); hex and name edge cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dns/wire.h"
#include "testlib.h"

static void test_builder_bytes(void **state)
{
	(void)state;
	testlib_msg_t m;
	testlib_msg_init(&m, 0x1234, TESTLIB_QR | TESTLIB_RD | TESTLIB_RA);
	testlib_msg_question(&m, "example.", 1, 1);
	static const uint8_t a[4] = { 192, 0, 2, 1 };
	testlib_msg_rr(&m, TESTLIB_ANSWER, "example.", 1, 1, 300, a, sizeof a);
	testlib_msg_opt(&m, 1232, 0, 0, true, NULL, 0);
	uint8_t want[128];
	size_t n = testlib_unhex("1234 8180 0001 0001 0000 0001"
	                         "076578616d706c6500 0001 0001"
	                         "076578616d706c6500 0001 0001 0000012c 0004 c0000201"
	                         "00 0029 04d0 00008000 0000", want, sizeof want);
	assert_int_equal(m.len, n);
	assert_memory_equal(m.b, want, n);
}

static void test_builder_parses(void **state)
{
	(void)state;
	testlib_msg_t m;
	testlib_msg_init(&m, 7, TESTLIB_QR | 3);                       /* NXDOMAIN */
	testlib_msg_question(&m, "www.example.org", 28, 1);
	uint8_t soa[2 * 255 + 20], name[255];
	size_t k = testlib_name("ns.example.org.", name);
	memcpy(soa, name, k);
	size_t r = testlib_name(".", name);
	memcpy(soa + k, name, r);
	k += r;
	memset(soa + k, 0, 20);
	testlib_msg_rr(&m, TESTLIB_AUTHORITY, "example.org.", 6, 1, 60, soa, k + 20);
	static const uint8_t opt[] = { 0, 3, 0, 0 };                    /* NSID, empty */
	testlib_msg_opt(&m, 4096, 1, 0, false, opt, sizeof opt);
	testlib_guard_t g;
	testlib_guard_init(&g, m.len);
	const uint8_t *p = testlib_guard_put(&g, m.b, m.len);
	wire_rr_t rrs[4];
	wire_msg_t w;
	assert_int_equal(wire_parse(p, m.len, rrs, 4, &w), 0);
	assert_int_equal(w.id, 7);
	assert_int_equal(w.qtype, 28);
	assert_int_equal(w.count[WIRE_ANSWER], 0);
	assert_int_equal(w.count[WIRE_AUTHORITY], 1);
	assert_int_equal(w.count[WIRE_ADDITIONAL], 1);
	assert_non_null(w.opt);
	assert_int_equal(w.opt->rclass, 4096);
	assert_int_equal(w.rcode, 3 | 1 << 4);                          /* extended rcode BADVERS */
	assert_int_equal(w.opt->rdlen, sizeof opt);
	testlib_guard_deinit(&g);
}

static void test_hex_and_names(void **state)
{
	(void)state;
	uint8_t b[4];
	assert_int_equal(testlib_unhex("", b, sizeof b), 0);
	assert_int_equal(testlib_unhex(" aB 0f ", b, sizeof b), 2);
	assert_int_equal(b[0], 0xab);
	assert_int_equal(b[1], 0x0f);
	size_t n;
	uint8_t *p = testlib_unhex_new("", &n);
	assert_int_equal(n, 0);
	free(p);
	uint8_t w[255];
	assert_int_equal(testlib_name(".", w), 1);
	assert_int_equal(w[0], 0);
	assert_int_equal(testlib_name("a.bc", w), 6);
	assert_memory_equal(w, "\1a\2bc", 6);
	assert_int_equal(testlib_name("a.bc.", w), 6);
	char *text = testlib_load_data("config/empty.yml", &n);
	assert_int_equal(strlen(text), n);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builder_bytes),
		cmocka_unit_test(test_builder_parses),
		cmocka_unit_test(test_hex_and_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
