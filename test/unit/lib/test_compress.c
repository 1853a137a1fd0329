/* Unit tests for compress.c: promhttp's Accept-Encoding rule and a gzip round trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <zlib.h>

#include <cmocka.h>

#include "lib/compress.h"

static void test_accepted(void **state)
{
	(void)state;
	assert_true(compress_gzip_accepted("gzip"));
	assert_true(compress_gzip_accepted("deflate, gzip"));
	assert_false(compress_gzip_accepted(" gzip ;q=1"));  /* trims to "gzip ;q=1": not promhttp's form */
	assert_true(compress_gzip_accepted("gzip;q=0"));      /* promhttp ignores q-values */
	assert_true(compress_gzip_accepted("br,gzip;q=0.5,*;q=0.1"));
	assert_false(compress_gzip_accepted(NULL));
	assert_false(compress_gzip_accepted(""));
	assert_false(compress_gzip_accepted("x-gzip"));
	assert_false(compress_gzip_accepted("gzipped"));
	assert_false(compress_gzip_accepted("identity, deflate"));
}

static void test_roundtrip(void **state)
{
	(void)state;
	char in[5000];
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (char)("probe_success 1\n"[i % 16]);
	buf_t out = BUF_INIT;
	assert_int_equal(compress_gzip(in, sizeof(in), &out), 0);
	assert_true(out.len > 18 && out.len < sizeof(in));
	assert_int_equal((unsigned char)out.p[0], 0x1f);
	assert_int_equal((unsigned char)out.p[1], 0x8b);
	char back[6000];
	z_stream z;
	memset(&z, 0, sizeof(z));
	assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
	z.next_in = (Bytef *)out.p;
	z.avail_in = (uInt)out.len;
	z.next_out = (Bytef *)back;
	z.avail_out = sizeof(back);
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	assert_int_equal(z.total_out, sizeof(in));
	assert_memory_equal(back, in, sizeof(in));
	inflateEnd(&z);
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
