/* test_cursor -- the wire reader: big-endian reads, the sticky error, names; inputs end at a
 * PROT_NONE page so a read one octet too far faults. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dns/cursor.h"
#include "lib/errors.h"
#include "testlib.h"

static void test_reads(void **state)
{
	(void)state;
	static const uint8_t in[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b,
	                              0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15 };
	testlib_guard_t g;
	testlib_guard_init(&g, sizeof(in));
	const uint8_t *b = testlib_guard_put(&g, in, sizeof(in));
	cursor_t c = cursor_make(b, sizeof(in));
	assert_int_equal(cursor_u8(&c), 0x01);
	assert_int_equal(cursor_u16(&c), 0x0203);
	assert_int_equal(cursor_u32(&c), 0x04050607);
	assert_true(cursor_uint(&c, 6) == 0x08090a0b0c0dULL);
	assert_true(cursor_uint(&c, 8) == 0x0e0f101112131415ULL);
	assert_true(cursor_ok(&c));
	assert_true(cursor_at_end(&c));
	assert_int_equal(cursor_left(&c), 0);
	assert_int_equal(c.off, sizeof(in));

	c = cursor_at(b, sizeof(in), 19);
	assert_int_equal(cursor_left(&c), 2);
	assert_int_equal(cursor_u16(&c), 0x1415);
	testlib_guard_deinit(&g);
}

static void test_sticky(void **state)
{
	(void)state;
	static const uint8_t in[] = { 0xAA, 0xBB, 0xCC };
	testlib_guard_t g;
	testlib_guard_init(&g, sizeof(in));
	const uint8_t *b = testlib_guard_put(&g, in, sizeof(in));
	cursor_t c = cursor_make(b, sizeof(in));
	assert_int_equal(cursor_u16(&c), 0xAABB);
	assert_int_equal(cursor_u16(&c), 0);       /* one octet left */
	assert_string_equal(c.err, "dns: overflow unpacking uint16");
	assert_int_equal(c.off, 2);                /* a failed read does not move */
	assert_int_equal(cursor_u8(&c), 0);        /* the octet is there, but the error sticks */
	assert_int_equal(cursor_u32(&c), 0);
	assert_null(cursor_bytes(&c, 0));
	assert_int_equal(cursor_name(&c, NULL), 0);
	assert_string_equal(c.err, "dns: overflow unpacking uint16");   /* the first error wins */
	assert_int_equal(cursor_left(&c), 0);
	assert_false(cursor_ok(&c));

	c = cursor_make(b, sizeof(in));
	assert_int_equal(cursor_u32(&c), 0);
	assert_string_equal(c.err, "dns: overflow unpacking uint32");
	c = cursor_make(b, sizeof(in));
	assert_true(cursor_uint(&c, 6) == 0);
	assert_string_equal(c.err, "dns: overflow unpacking uint64 as uint48");
	c = cursor_make(b, 0);
	assert_int_equal(cursor_u8(&c), 0);
	assert_string_equal(c.err, "dns: overflow unpacking uint8");
	/* a position past the end (cursor_at with a stale offset) reads nothing */
	c = cursor_at(b, sizeof(in), 7);
	assert_int_equal(cursor_left(&c), 0);
	assert_int_equal(cursor_u8(&c), 0);
	assert_false(cursor_ok(&c));
	testlib_guard_deinit(&g);
}

static void test_bytes_need(void **state)
{
	(void)state;
	static const uint8_t in[] = { 1, 2, 3, 4, 5 };
	testlib_guard_t g;
	testlib_guard_init(&g, sizeof(in));
	const uint8_t *b = testlib_guard_put(&g, in, sizeof(in));
	cursor_t c = cursor_make(b, sizeof(in));
	assert_ptr_equal(cursor_bytes(&c, 0), b);
	assert_ptr_equal(cursor_bytes(&c, 2), b);
	cursor_skip(&c, 1);
	assert_int_equal(c.off, 3);
	assert_true(cursor_need(&c, 2, "mine"));
	assert_false(cursor_need(&c, 3, "mine"));
	assert_string_equal(c.err, "mine");
	assert_false(cursor_fail(&c, "later"));
	assert_string_equal(c.err, "mine");

	c = cursor_make(b, sizeof(in));
	assert_null(cursor_bytes(&c, 6));
	assert_string_equal(c.err, "dns: buffer size too small");
	assert_int_equal(c.off, 0);
	testlib_guard_deinit(&g);
}

static void test_names(void **state)
{
	(void)state;
	/* 0: "www.example." ; 13: pointer to 4 ("example.") ; 15: a pointer loop at 15 ;
	 * 17: a 0x40 label ; 18: a label running past the end */
	static const uint8_t in[] = { 3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0,
	                              0xC0, 4, 0xC0, 15, 0x40, 9, 'x' };
	testlib_guard_t g;
	testlib_guard_init(&g, sizeof(in));
	const uint8_t *b = testlib_guard_put(&g, in, sizeof(in));
	uint8_t name[CURSOR_MAX_NAME];

	cursor_t c = cursor_make(b, sizeof(in));
	assert_int_equal(cursor_name(&c, name), 13);
	assert_memory_equal(name, in, 13);
	assert_int_equal(c.off, 13);
	assert_int_equal(cursor_name(&c, name), 9);   /* compressed: "example." */
	assert_memory_equal(name, in + 4, 9);
	assert_int_equal(c.off, 15);                   /* just past the pointer */
	assert_int_equal(cursor_name(&c, NULL), 0);
	assert_string_equal(c.err, "dns: too many compression pointers");
	assert_int_equal(c.off, 15);

	c = cursor_at(b, sizeof(in), 17);
	assert_int_equal(cursor_name(&c, NULL), 0);
	assert_string_equal(c.err, "dns: bad rdata");
	c = cursor_at(b, sizeof(in), 18);
	assert_int_equal(cursor_name(&c, NULL), 0);
	assert_string_equal(c.err, "dns: buffer size too small");

	/* a pointer may point forward, and a cut message stops a name that runs past the cut */
	static const uint8_t fwd[] = { 0xC0, 2, 1, 'a', 0 };
	const char *why = NULL;
	size_t next = 0;
	assert_int_equal(cursor_name_unpack(fwd, sizeof(fwd), 0, name, &next, &why), 3);
	assert_int_equal(next, 2);
	assert_int_equal(cursor_name_unpack(fwd, 4, 0, NULL, &next, &why), NSP_EMALFORMED);
	assert_string_equal(why, "dns: buffer size too small");
	testlib_guard_deinit(&g);
}

static void test_long_name(void **state)
{
	(void)state;
	/* four 63-octet labels: 4 * 64 + 1 = 257 octets, beyond 255 */
	uint8_t in[4 * 64 + 1];
	for (size_t i = 0; i < 4; i++) {
		in[i * 64] = 63;
		memset(in + i * 64 + 1, 'a', 63);
	}
	in[4 * 64] = 0;
	testlib_guard_t g;
	testlib_guard_init(&g, sizeof(in));
	const uint8_t *b = testlib_guard_put(&g, in, sizeof(in));
	cursor_t c = cursor_make(b, sizeof(in));
	assert_int_equal(cursor_name(&c, NULL), 0);
	assert_string_equal(c.err, "dns: domain name exceeded 255 wire-format octets");
	testlib_guard_deinit(&g);
}

static void test_write(void **state)
{
	(void)state;
	uint8_t out[6] = { 0 };
	cursor_write_u16(out, 0xBEEF);
	cursor_write_u32(out + 2, 0x01020304);
	cursor_t c = cursor_make(out, sizeof(out));
	assert_int_equal(cursor_u16(&c), 0xBEEF);
	assert_int_equal(cursor_u32(&c), 0x01020304);
	assert_true(cursor_at_end(&c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads),
		cmocka_unit_test(test_sticky),
		cmocka_unit_test(test_bytes_need),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_long_name),
		cmocka_unit_test(test_write),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
