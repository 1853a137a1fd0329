/* test_errors -- the texts of nsprobe's failure codes and of errno values as Go prints them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "lib/errors.h"

static void test_strerror(void **state)
{
	(void)state;
	assert_string_equal(nsp_strerror(NSP_EOK), "ok");
	assert_string_equal(nsp_strerror(NSP_ENOMEM), "out of memory");
	assert_string_equal(nsp_strerror(NSP_ECONFIG), "invalid configuration");
	assert_string_equal(nsp_strerror(12345), "unknown error");
}

/* Go's syscall.Errno texts are lowercase: "connection refused", "no such file or directory". */
static void test_errno_text(void **state)
{
	(void)state;
	char buf[64];
	assert_string_equal(nsp_errno_text(ECONNREFUSED, buf, sizeof(buf)), "connection refused");
	assert_string_equal(nsp_errno_text(ENOENT, buf, sizeof(buf)), "no such file or directory");
	assert_string_equal(nsp_errno_text(EMFILE, buf, sizeof(buf)), "too many open files");
	char small[5];
	assert_string_equal(nsp_errno_text(ENOENT, small, sizeof(small)), "no s");   /* truncated, ended */
	char none[1] = { 'x' };
	assert_ptr_equal(nsp_errno_text(ENOENT, none, 0), none);                      /* nothing written */
	assert_int_equal(none[0], 'x');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_errno_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
