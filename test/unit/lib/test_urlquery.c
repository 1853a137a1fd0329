/* Unit tests for urlquery.c: Go's url.ParseQuery + Values.Get semantics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/urlquery.h"

static void expect(const char *raw, const char *key, const char *want)
{
	buf_t b = BUF_INIT;
	bool found = urlquery_get(raw, key, &b);
	if (!want) {
		assert_false(found);
	} else {
		assert_true(found);
		assert_string_equal(buf_str(&b), want);
	}
	buf_free(&b);
}

static void test_get(void **state)
{
	(void)state;
	expect("module=dns_a&target=127.0.0.1", "target", "127.0.0.1");
	expect("module=dns_a&target=127.0.0.1", "module", "dns_a");
	expect("target=a&target=b", "target", "a");                 /* the first value wins */
	expect("target=127.0.0.61%3A53", "target", "127.0.0.61:53");
	expect("target=127.0.0.61%2553", "target", "127.0.0.61%53");  /* decoded once (0.23) */
	expect("target=a+b", "target", "a b");
	expect("target=%zz&target=ok", "target", "ok");             /* bad escape: the pair is dropped */
	expect("target=%4", "target", NULL);
	expect("target=%", "target", NULL);
	expect("target=a;b", "target", NULL);                         /* Go 1.17+: ';' drops the pair */
	expect("a;b&target=x", "target", "x");
	expect("debug", "debug", "");
	expect("debug=true", "debug", "true");
	expect("", "target", NULL);
	expect("&&&target=x&&", "target", "x");
	expect("t%61rget=x", "target", "x");                          /* keys are decoded too */
	expect("target=", "target", "");
	expect("target==x", "target", "=x");
}

static void test_long_values(void **state)
{
	(void)state;
	char raw[20000];
	strcpy(raw, "target=");
	size_t n = strlen(raw);
	for (int i = 0; i < 3000; i++) {
		memcpy(raw + n, "%41bc", 5);
		n += 5;
	}
	raw[n] = '\0';
	buf_t b = BUF_INIT;
	assert_true(urlquery_get(raw, "target", &b));
	assert_int_equal(b.len, 9000);
	assert_int_equal(strlen(buf_str(&b)), 9000);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get),
		cmocka_unit_test(test_long_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
