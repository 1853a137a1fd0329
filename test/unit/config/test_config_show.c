/* Unit test for config_show.c: /config output equals blackbox_exporter 0.23's for the same file
 * (the expected texts were taken from `prometheus-blackbox-exporter`'s /config). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/config.h"
#include "config/config_show.h"
#include "testlib.h"

static void compare(const char *config, const char *expected)
{
	char err[1024];
	config_t *c = NULL;
	assert_int_equal(config_load(config, &c, err, sizeof(err)), 0);
	buf_t out = BUF_INIT;
	assert_int_equal(config_show_yaml(c, &out), 0);
	char *want = testlib_load(expected, NULL);
	assert_non_null(want);
	if (strcmp(buf_str(&out), want) != 0) {
		/* show the first differing line */
		const char *a = buf_str(&out), *b = want;
		int line = 1;
		while (*a && *a == *b) {
			if (*a == '\n')
				line++;
			a++;
			b++;
		}
		fprintf(stderr, "first difference at line %d:\n got: %.80s\nwant: %.80s\n", line, a, b);
		fail();
	}
	free(want);
	buf_free(&out);
	config_unref(c);
}

static void test_example(void **state)
{
	(void)state;
	compare(TEST_DATA_DIR "/config/show/example.yml", TEST_DATA_DIR "/config/show/example.blackbox-0.23.txt");
}

static void test_reference_modules(void **state)
{
	(void)state;
	compare(TEST_DATA_DIR "/blackbox-0.23/test-modules.yml",
	        TEST_DATA_DIR "/config/show/test-modules.blackbox-0.23.txt");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_reference_modules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
