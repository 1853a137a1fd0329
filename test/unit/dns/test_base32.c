/* test_base32 -- base32hex (RFC 4648 7) both ways: the RFC's test vectors, an NSEC3 hash, and
 * the inputs the decoder refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dns/base32.h"
#include "lib/buf.h"

static const struct {
	const char *octets;
	const char *digits;   /* RFC 4648 10, "BASE32-HEX" without the "=" padding */
} vectors[] = {
	{ "", "" },
	{ "f", "CO" },
	{ "fo", "CPNG" },
	{ "foo", "CPNMU" },
	{ "foob", "CPNMUOG" },
	{ "fooba", "CPNMUOJ1" },
	{ "foobar", "CPNMUOJ1E8" },
};

static void test_put(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		buf_t up = BUF_INIT, low = BUF_INIT;
		const uint8_t *in = (const uint8_t *)vectors[i].octets;
		size_t n = strlen(vectors[i].octets);
		base32hex_put(&up, in, n, true);
		base32hex_put(&low, in, n, false);
		assert_int_equal(up.len, strlen(vectors[i].digits));
		assert_memory_equal(up.p ? up.p : "", vectors[i].digits, up.len);
		for (size_t k = 0; k < low.len; k++)
			assert_int_equal(low.p[k], vectors[i].digits[k] >= 'A' ? vectors[i].digits[k] + 32
			                                                         : vectors[i].digits[k]);
		buf_free(&up);
		buf_free(&low);
	}
}

static void test_decode(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		uint8_t out[8];
		const char *d = vectors[i].digits;
		size_t len = strlen(vectors[i].octets);
		assert_true(base32hex_decode((const uint8_t *)d, strlen(d), out, len));
		assert_memory_equal(out, vectors[i].octets, len);
	}
	/* an NSEC3 hash (RFC 5155 appendix A: H(example) = 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom), either case */
	static const char hash[] = "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom";
	static const char upper[] = "0P9MHAVEQVM6T7VBL5LOP2U3T2RP3TOM";
	uint8_t a[20], b[20];
	assert_true(base32hex_decode((const uint8_t *)hash, 32, a, sizeof(a)));
	assert_true(base32hex_decode((const uint8_t *)upper, 32, b, sizeof(b)));
	assert_memory_equal(a, b, sizeof(a));
	buf_t back = BUF_INIT;
	base32hex_put(&back, a, sizeof(a), false);
	assert_int_equal(back.len, 32);
	assert_memory_equal(back.p, hash, 32);
	buf_free(&back);
}

static void test_refuse(void **state)
{
	(void)state;
	uint8_t out[20];
	/* a digit past "v", padding, a space */
	assert_false(base32hex_decode((const uint8_t *)"CW", 2, out, 1));
	assert_false(base32hex_decode((const uint8_t *)"CO==", 4, out, 1));
	assert_false(base32hex_decode((const uint8_t *)"C ", 2, out, 1));
	/* too few or too many digits for the length */
	assert_false(base32hex_decode((const uint8_t *)"C", 1, out, 1));
	assert_false(base32hex_decode((const uint8_t *)"COO", 3, out, 1));
	assert_false(base32hex_decode((const uint8_t *)"0p9mhaveqvm6t7vbl5lop2u3t2rp3to", 31, out, 20));
	/* bits past the last octet that are not 0: "CP" would be "f" and a stray 1 bit */
	assert_false(base32hex_decode((const uint8_t *)"CP", 2, out, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_refuse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
