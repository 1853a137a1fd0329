/* test_buf -- lib/buf's contract: always a C string, growth, the sticky out-of-memory flag, and the
 * hand-over of the string (steal) and of the allocation (reset keeps it, free drops it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/buf.h"
#include "lib/errors.h"

static void test_empty(void **state)
{
	(void)state;
	buf_t b = BUF_INIT;
	assert_true(buf_ok(&b));
	assert_string_equal(buf_str(&b), "");
	assert_int_equal(b.len, 0);
	buf_free(&b);                       /* a zeroed buffer is fine, twice too */
	buf_free(&b);
	assert_null(b.p);
}

static void test_appends_stay_a_c_string(void **state)
{
	(void)state;
	buf_t b = BUF_INIT;
	assert_int_equal(buf_append(&b, NULL, 0), 0);
	assert_non_null(b.p);
	assert_string_equal(buf_str(&b), "");
	assert_int_equal(buf_puts(&b, "ab"), 0);
	assert_int_equal(buf_putc(&b, 'c'), 0);
	assert_int_equal(buf_printf(&b, "-%d-%s", 42, "x"), 0);
	assert_int_equal(buf_append(&b, "yz\0tail", 3), 0);   /* bytes, a NUL among them */
	assert_int_equal(b.len, 11);
	assert_memory_equal(b.p, "abc-42-xyz\0", 12);   /* the terminator after the NUL byte too */
	assert_int_equal(b.p[b.len], '\0');
	assert_true(b.cap > b.len);
	buf_free(&b);
}

/* Appends one byte at a time across many doublings; each step keeps the terminator. */
static void test_growth(void **state)
{
	(void)state;
	buf_t b = BUF_INIT;
	for (size_t i = 0; i < 100000; i++) {
		assert_int_equal(buf_putc(&b, (char)('a' + i % 26)), 0);
		assert_int_equal(b.p[b.len], '\0');
	}
	assert_int_equal(b.len, 100000);
	for (size_t i = 0; i < b.len; i++)
		if (b.p[i] != (char)('a' + i % 26))
			fail_msg("byte %zu is %c", i, b.p[i]);
	/* a printf longer than what is left, and longer than the first allocation */
	char big[1000];
	memset(big, 'q', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	buf_t c = BUF_INIT;
	assert_int_equal(buf_printf(&c, "<%s>", big), 0);
	assert_int_equal(c.len, 1001);
	assert_int_equal(c.p[0], '<');
	assert_int_equal(c.p[1000], '>');
	assert_int_equal(c.p[1001], '\0');
	buf_free(&b);
	buf_free(&c);
}

static void test_reserve(void **state)
{
	(void)state;
	buf_t b = BUF_INIT;
	assert_int_equal(buf_reserve(&b, 500), 0);
	assert_true(b.cap >= 501);
	assert_int_equal(b.len, 0);
	assert_string_equal(buf_str(&b), "");
	char *p = b.p;
	for (int i = 0; i < 500; i++)               /* the room reserved: no reallocation */
		assert_int_equal(buf_putc(&b, 'x'), 0);
	assert_ptr_equal(b.p, p);
	buf_free(&b);
}

static void test_put_u64(void **state)
{
	(void)state;
	static const struct { uint64_t v; const char *s; } cases[] = {
		{ 0, "0" }, { 7, "7" }, { 10, "10" }, { 4294967296ULL, "4294967296" },
		{ UINT64_MAX, "18446744073709551615" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		buf_t b = BUF_INIT;
		assert_int_equal(buf_puts(&b, "n="), 0);
		assert_int_equal(buf_put_u64(&b, cases[i].v), 0);
		char want[32] = "n=";
		strcat(want, cases[i].s);
		assert_string_equal(buf_str(&b), want);
		assert_int_equal(b.len, strlen(want));
		buf_free(&b);
	}
}

/* A size that cannot be allocated sets the sticky flag: nothing is appended until a reset. */
static void test_oom_is_sticky(void **state)
{
	(void)state;
	buf_t b = BUF_INIT;
	assert_int_equal(buf_puts(&b, "keep"), 0);
	assert_int_equal(buf_reserve(&b, SIZE_MAX), NSP_ENOMEM);
	assert_false(buf_ok(&b));
	assert_int_equal(buf_puts(&b, "more"), NSP_ENOMEM);
	assert_int_equal(buf_putc(&b, 'x'), NSP_ENOMEM);
	assert_int_equal(buf_printf(&b, "%d", 1), NSP_ENOMEM);
	assert_int_equal(buf_put_u64(&b, 1), NSP_ENOMEM);
	assert_int_equal(buf_reserve(&b, 0), NSP_ENOMEM);
	assert_string_equal(buf_str(&b), "keep");    /* what was there stays, nothing half-written */
	buf_reset(&b);
	assert_true(buf_ok(&b));
	assert_int_equal(buf_puts(&b, "again"), 0);
	assert_string_equal(buf_str(&b), "again");
	/* the overflow check, not the allocator, refuses len + extra past SIZE_MAX / 2 */
	assert_int_equal(buf_append(&b, "", SIZE_MAX / 2), NSP_ENOMEM);
	assert_false(buf_ok(&b));
	assert_null(buf_steal(&b));                   /* oom: nothing to hand over, b is freed */
	assert_null(b.p);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	assert_true(buf_ok(&b));
}

static void test_reset_keeps_allocation(void **state)
{
	(void)state;
	buf_t b = BUF_INIT;
	assert_int_equal(buf_puts(&b, "some text"), 0);
	char *p = b.p;
	size_t cap = b.cap;
	buf_reset(&b);
	assert_ptr_equal(b.p, p);
	assert_int_equal(b.cap, cap);
	assert_int_equal(b.len, 0);
	assert_string_equal(buf_str(&b), "");
	buf_reset(&b);
	buf_t z = BUF_INIT;
	buf_reset(&z);                                /* a zeroed buffer too */
	assert_null(z.p);
	buf_free(&b);
}

static void test_steal(void **state)
{
	(void)state;
	buf_t b = BUF_INIT;
	char *s = buf_steal(&b);                      /* empty: still a string the caller frees */
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
	assert_int_equal(buf_puts(&b, "owned"), 0);
	buf_reset(&b);
	s = buf_steal(&b);                            /* reset: "" even though bytes were there */
	assert_string_equal(s, "");
	free(s);
	assert_int_equal(buf_puts(&b, "owned"), 0);
	s = buf_steal(&b);
	assert_string_equal(s, "owned");
	assert_null(b.p);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	free(s);
	assert_int_equal(buf_puts(&b, "next"), 0);    /* b is usable again */
	assert_string_equal(buf_str(&b), "next");
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_appends_stay_a_c_string),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_reserve),
		cmocka_unit_test(test_put_u64),
		cmocka_unit_test(test_oom_is_sticky),
		cmocka_unit_test(test_reset_keeps_allocation),
		cmocka_unit_test(test_steal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
