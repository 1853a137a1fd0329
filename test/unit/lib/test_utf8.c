/* test_utf8 -- lib/utf8 against Go's utf8.DecodeRune: the size of every valid form at its edges,
 * and RuneError with size 1 for each kind of invalid or truncated sequence (size 0 when empty). Each
 * input ends at a PROT_NONE page, so reading past n crashes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lib/utf8.h"
#include "testlib.h"

typedef struct ucase {
	const char *in;
	size_t n;
	uint32_t rune;
	size_t size;
} ucase_t;

static void run(const ucase_t *c, testlib_guard_t *g)
{
	const unsigned char *p = testlib_guard_put(g, c->in, c->n);
	size_t size = 99;
	uint32_t r = utf8_decode(p, c->n, &size);
	if (r != c->rune || size != c->size)
		fail_msg("%.*s (n %zu): got U+%04X size %zu, want U+%04X size %zu", (int)c->n, c->in, c->n,
		         (unsigned)r, size, (unsigned)c->rune, c->size);
}

static void test_valid(void **state)
{
	(void)state;
	static const ucase_t cases[] = {
		{ "\x00", 1, 0, 1 }, { "a", 1, 'a', 1 }, { "\x7f", 1, 0x7f, 1 },
		{ "\xc2\x80", 2, 0x80, 2 }, { "\xc3\xa9", 2, 0xe9, 2 }, { "\xdf\xbf", 2, 0x7ff, 2 },
		{ "\xe0\xa0\x80", 3, 0x800, 3 }, { "\xe2\x82\xac", 3, 0x20ac, 3 },
		{ "\xed\x9f\xbf", 3, 0xd7ff, 3 }, { "\xee\x80\x80", 3, 0xe000, 3 },
		{ "\xef\xbf\xbd", 3, UTF8_RUNE_ERROR, 3 },   /* U+FFFD itself: size 3, not an error */
		{ "\xef\xbf\xbf", 3, 0xffff, 3 },
		{ "\xf0\x90\x80\x80", 4, 0x10000, 4 }, { "\xf0\x9f\x98\x80", 4, 0x1f600, 4 },
		{ "\xf4\x8f\xbf\xbf", 4, 0x10ffff, 4 },
		{ "ab", 2, 'a', 1 }, { "\xc3\xa9z", 3, 0xe9, 2 },   /* only the first rune */
	};
	testlib_guard_t g;
	testlib_guard_init(&g, 16);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		run(&cases[i], &g);
	testlib_guard_deinit(&g);
}

static void test_invalid(void **state)
{
	(void)state;
	static const ucase_t cases[] = {
		{ "", 0, UTF8_RUNE_ERROR, 0 },
		{ "\x80", 1, UTF8_RUNE_ERROR, 1 }, { "\xbf", 1, UTF8_RUNE_ERROR, 1 },       /* lone continuation */
		{ "\xc0\x80", 2, UTF8_RUNE_ERROR, 1 }, { "\xc1\xbf", 2, UTF8_RUNE_ERROR, 1 }, /* overlong 2 */
		{ "\xe0\x80\x80", 3, UTF8_RUNE_ERROR, 1 }, { "\xe0\x9f\xbf", 3, UTF8_RUNE_ERROR, 1 }, /* overlong 3 */
		{ "\xf0\x80\x80\x80", 4, UTF8_RUNE_ERROR, 1 }, { "\xf0\x8f\xbf\xbf", 4, UTF8_RUNE_ERROR, 1 },
		{ "\xed\xa0\x80", 3, UTF8_RUNE_ERROR, 1 }, { "\xed\xbf\xbf", 3, UTF8_RUNE_ERROR, 1 }, /* surrogates */
		{ "\xf4\x90\x80\x80", 4, UTF8_RUNE_ERROR, 1 },                              /* > U+10FFFF */
		{ "\xf5\x80\x80\x80", 4, UTF8_RUNE_ERROR, 1 }, { "\xf8\x88\x80\x80", 4, UTF8_RUNE_ERROR, 1 },
		{ "\xfe", 1, UTF8_RUNE_ERROR, 1 }, { "\xff", 1, UTF8_RUNE_ERROR, 1 },
		{ "\xc3", 1, UTF8_RUNE_ERROR, 1 }, { "\xe2\x82", 2, UTF8_RUNE_ERROR, 1 },   /* truncated */
		{ "\xf0\x9f\x98", 3, UTF8_RUNE_ERROR, 1 },
		{ "\xe2\x28\xa1", 3, UTF8_RUNE_ERROR, 1 }, { "\xe2\x82\x28", 3, UTF8_RUNE_ERROR, 1 }, /* bad cont. */
		{ "\xc3\xc3", 2, UTF8_RUNE_ERROR, 1 }, { "\xf0\x9f\x98\xc0", 4, UTF8_RUNE_ERROR, 1 },
	};
	testlib_guard_t g;
	testlib_guard_init(&g, 16);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		run(&cases[i], &g);
	testlib_guard_deinit(&g);
}

/* n bounds the read even when the bytes beyond would complete the rune. */
static void test_n_bounds_the_read(void **state)
{
	(void)state;
	static const unsigned char euro[] = "\xe2\x82\xac";
	for (size_t n = 1; n < 3; n++) {
		size_t size = 99;
		assert_int_equal(utf8_decode(euro, n, &size), UTF8_RUNE_ERROR);
		assert_int_equal(size, 1);
	}
	size_t size = 99;
	assert_int_equal(utf8_decode(euro, 0, &size), UTF8_RUNE_ERROR);
	assert_int_equal(size, 0);
}

/* A cut never splits a sequence, and an ellipsized text ends with a whole sequence and "…". */
static void test_cut(void **state)
{
	(void)state;
	const char *s = "ab\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z";   /* a b é € 😀 z */
	assert_int_equal(utf8_cut_len(s, 2), 2);
	assert_int_equal(utf8_cut_len(s, 3), 2);       /* inside é */
	assert_int_equal(utf8_cut_len(s, 4), 4);
	assert_int_equal(utf8_cut_len(s, 6), 4);       /* inside € */
	assert_int_equal(utf8_cut_len(s, 8), 7);       /* inside 😀 */
	assert_int_equal(utf8_cut_len(s, 11), 11);
	char buf[10];
	memcpy(buf, s, sizeof buf - 1);              /* as snprintf leaves it: 9 bytes, inside 😀 */
	buf[sizeof buf - 1] = '\0';
	utf8_ellipsize(buf, sizeof buf);
	assert_string_equal(buf, "ab\xc3\xa9\xe2\x80\xa6");   /* room for 6 bytes: a b é, then … */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_n_bounds_the_read),
		cmocka_unit_test(test_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
