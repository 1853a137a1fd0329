/* test_yamldoc -- the accessors and yaml.v2 2.4 readers appended in issue 13 (webconfig's reading of
 * the --web.config.file): strings, bools, the expected kinds, and a mapping's pairs with the strict
 * duplicate check, byte for byte and in one pass. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/yamldoc.h"
#include "config/yamlfile.h"
#include "testlib.h"

static yamldoc_t doc(const char *text)
{
	yamldoc_t c = { .path = "t.yml" };
	yamlfile_problem_t pr;
	if (yamlfile_load(&c, text, strlen(text), YAMLFILE_V2, &pr) != YAMLFILE_OK)
		fail_msg("%s: %s", text, pr.text);
	return c;
}

/* The value under key in the root mapping (the first pair with that key). */
static yamldoc_node_t *value(yamldoc_t *c, const char *key)
{
	yamldoc_pairs_v2_t it;
	yamldoc_pairs_v2_init(&it, c, yamldoc_root(c));
	yamldoc_node_t *k, *v, *found = NULL;
	char why[256];
	while (!found && yamldoc_pairs_v2_next(&it, &k, &v, why, sizeof why) == YAMLDOC_PAIR_NEXT)
		if (strcmp(yamldoc_scalar(k), key) == 0)
			found = v;
	yamldoc_pairs_v2_deinit(&it);
	assert_non_null(found);
	return found;
}

static void test_accessors(void **state)
{
	(void)state;
	yamldoc_t c = doc("a: x\nb:\n  - 1\n  - [2]\nc: \"n\\0ul\"\n");
	yamldoc_node_t *b = value(&c, "b");
	assert_int_equal(yamldoc_line(yamldoc_root(&c)), 1);
	assert_int_equal(yamldoc_line(b), 3);
	assert_int_equal(yamldoc_seq_len(b), 2);
	assert_string_equal(yamldoc_scalar(yamldoc_seq_get(&c, b, 0)), "1");
	assert_int_equal(yamldoc_tag(yamldoc_seq_get(&c, b, 1)), YAMLDOC_SEQ);
	assert_null(yamldoc_seq_get(&c, b, 2));
	assert_int_equal(yamldoc_seq_len(value(&c, "a")), 0);
	assert_int_equal(yamldoc_scalar_len(value(&c, "a")), 1);
	assert_int_equal(yamldoc_scalar_len(value(&c, "c")), 4);   /* n, NUL, u, l */
	assert_int_equal(yamldoc_scalar_len(b), 0);
	yamlfile_unload(&c);
}

static void test_string(void **state)
{
	(void)state;
	yamldoc_t c = doc("s: text\ni: 5\nb: yes\nn: ~\ne:\nq: \"\"\nl: [x]\nm: {x: y}\nz: \"a\\0b\"\n");
	const char *s;
	char why[256];
	assert_true(yamldoc_string_v2(value(&c, "s"), &s, why, sizeof why));
	assert_string_equal(s, "text");
	assert_true(yamldoc_string_v2(value(&c, "i"), &s, why, sizeof why));
	assert_string_equal(s, "5");                  /* yaml.v2 keeps the text of ints and bools */
	assert_true(yamldoc_string_v2(value(&c, "b"), &s, why, sizeof why));
	assert_string_equal(s, "yes");
	assert_true(yamldoc_string_v2(value(&c, "n"), &s, why, sizeof why));
	assert_string_equal(s, "");
	assert_true(yamldoc_string_v2(value(&c, "e"), &s, why, sizeof why));
	assert_string_equal(s, "");
	assert_true(yamldoc_string_v2(value(&c, "q"), &s, why, sizeof why));
	assert_string_equal(s, "");
	assert_false(yamldoc_string_v2(value(&c, "l"), &s, why, sizeof why));
	assert_null(s);
	assert_string_equal(why, "cannot unmarshal !!seq into string");
	assert_false(yamldoc_string_v2(value(&c, "m"), &s, why, sizeof why));
	assert_string_equal(why, "cannot unmarshal !!map into string");
	assert_false(yamldoc_string_v2(value(&c, "z"), &s, why, sizeof why));
	assert_string_equal(why, "NUL byte in value");
	yamlfile_unload(&c);
}

static void test_bool(void **state)
{
	(void)state;
	/* the YAML 1.1 words, plain only; null is false */
	static const struct {
		const char *text;
		bool ok, v;
		const char *why;
	} cases[] = {
		{ "y", true, true, NULL }, { "Yes", true, true, NULL }, { "ON", true, true, NULL },
		{ "true", true, true, NULL }, { "True", true, true, NULL }, { "n", true, false, NULL },
		{ "NO", true, false, NULL }, { "off", true, false, NULL }, { "FALSE", true, false, NULL },
		{ "~", true, false, NULL }, { "", true, false, NULL },
		{ "\"yes\"", false, false, "cannot unmarshal !!str `yes` into bool" },
		{ "'true'", false, false, "cannot unmarshal !!str `true` into bool" },
		{ "1", false, false, "cannot unmarshal !!str `1` into bool" },
		{ "tRue", false, false, "cannot unmarshal !!str `tRue` into bool" },
		{ "[x]", false, false, "cannot unmarshal !!seq into bool" },
		{ "{}", false, false, "cannot unmarshal !!map into bool" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char text[64], why[256] = "";
		snprintf(text, sizeof text, "v: %s\n", cases[i].text);
		yamldoc_t c = doc(text);
		bool v = !cases[i].v;
		bool ok = yamldoc_bool_v2(value(&c, "v"), &v, why, sizeof why);
		if (ok != cases[i].ok || (ok && v != cases[i].v) || (!ok && strcmp(why, cases[i].why) != 0))
			fail_msg("%s: ok %d v %d why \"%s\"", cases[i].text, ok, v, why);
		yamlfile_unload(&c);
	}
	/* the value is cut at 100 bytes in the reason */
	char text[256] = "v: ", why[256];
	memset(text + 3, 'x', 150);
	strcpy(text + 153, "\n");
	yamldoc_t c = doc(text);
	bool v;
	assert_false(yamldoc_bool_v2(value(&c, "v"), &v, why, sizeof why));
	assert_int_equal(strlen(why), strlen("cannot unmarshal !!str `` into bool") + 100);
	yamlfile_unload(&c);
}

static void test_expect(void **state)
{
	(void)state;
	yamldoc_t c = doc("m: {a: b}\nl: [a]\nn: null\ns: text\nq: \"\"\n");
	char why[256];
	assert_true(yamldoc_expect_map_v2(value(&c, "m"), "web.Config", why, sizeof why));
	assert_true(yamldoc_expect_map_v2(value(&c, "n"), "web.Config", why, sizeof why));
	assert_false(yamldoc_expect_map_v2(value(&c, "l"), "web.Config", why, sizeof why));
	assert_string_equal(why, "cannot unmarshal !!seq into web.Config");
	assert_false(yamldoc_expect_map_v2(value(&c, "s"), "web.TLSConfig", why, sizeof why));
	assert_string_equal(why, "cannot unmarshal !!str `text` into web.TLSConfig");
	assert_false(yamldoc_expect_map_v2(value(&c, "q"), "T", why, sizeof why));
	assert_string_equal(why, "cannot unmarshal !!str `` into T");
	assert_true(yamldoc_expect_seq_v2(value(&c, "l"), why, sizeof why));
	assert_true(yamldoc_expect_seq_v2(value(&c, "n"), why, sizeof why));
	assert_false(yamldoc_expect_seq_v2(value(&c, "m"), why, sizeof why));
	assert_string_equal(why, "cannot unmarshal !!map into a list");
	assert_false(yamldoc_expect_seq_v2(value(&c, "s"), why, sizeof why));
	assert_string_equal(why, "cannot unmarshal !!str into a list");
	yamlfile_unload(&c);
}

/* Walks the root mapping; returns the keys read, joined by commas, and the failure if any. */
static void walk(const char *text, const char *want_keys, const char *want_why, size_t want_line)
{
	yamldoc_t c = doc(text);
	yamldoc_pairs_v2_t it;
	yamldoc_pairs_v2_init(&it, &c, yamldoc_root(&c));
	char keys[256] = "", why[256] = "";
	yamldoc_node_t *k, *v;
	yamldoc_pair_step_t step;
	while ((step = yamldoc_pairs_v2_next(&it, &k, &v, why, sizeof why)) == YAMLDOC_PAIR_NEXT) {
		assert_non_null(v);
		snprintf(keys + strlen(keys), sizeof keys - strlen(keys), "%s%s", keys[0] ? "," : "", yamldoc_scalar(k));
	}
	assert_string_equal(keys, want_keys);
	if (want_why) {
		assert_int_equal(step, YAMLDOC_PAIR_FAIL);
		assert_string_equal(why, want_why);
		assert_int_equal(yamldoc_line(k), want_line);
		/* a failed walk stays failed */
		assert_int_equal(yamldoc_pairs_v2_next(&it, &k, &v, why, sizeof why), YAMLDOC_PAIR_FAIL);
	} else {
		assert_int_equal(step, YAMLDOC_PAIR_END);
		assert_int_equal(yamldoc_pairs_v2_next(&it, &k, &v, why, sizeof why), YAMLDOC_PAIR_END);
	}
	yamldoc_pairs_v2_deinit(&it);
	yamlfile_unload(&c);
}

static void test_pairs(void **state)
{
	(void)state;
	walk("b: 1\na: 2\nc: 3\n", "b,a,c", NULL, 0);
	walk("", "", NULL, 0);                         /* no root */
	walk("~\n", "", NULL, 0);                      /* null: no pairs */
	walk("a: 1\nb: 2\na: 3\n", "a,b", "key \"a\" already set in map", 3);
	walk("a: 1\n'a': 2\n", "a", "key \"a\" already set in map", 2);   /* the text counts, not the quotes */
	/* keys are compared byte for byte: these two differ after the NUL */
	walk("\"x\\0y\": 1\n\"x\\0z\": 2\n\"x\\0y\": 3\n", "x,x", "key \"x\" already set in map", 3);
	walk("a: 1\n[b]: 2\n", "a", "cannot unmarshal !!seq into a map key", 2);
	walk("a: 1\n? {b: c}\n: 2\n", "a", "cannot unmarshal !!map into a map key", 2);
	/* `<<` is an ordinary key here (webconfig has never merged), and may not repeat either */
	walk("m: &m {a: 1}\nx: {<<: *m}\n<<: *m\n<<: *m\n", "m,x,<<", "key \"<<\" already set in map", 4);
}

/* 100,000 keys and a repeat of the first at the end: one pass over a hash set, where comparing
 * every pair took seconds. */
static void test_pairs_many(void **state)
{
	(void)state;
	enum { N = 100000 };
	char *text = malloc((size_t)N * 16 + 32);
	assert_non_null(text);
	size_t len = 0;
	for (int i = 0; i < N; i++)
		len += (size_t)sprintf(text + len, "k%d: v\n", i);
	len += (size_t)sprintf(text + len, "k0: again\n");
	yamldoc_t c = doc(text);
	free(text);
	double t0 = testtime_cpu();
	yamldoc_pairs_v2_t it;
	yamldoc_pairs_v2_init(&it, &c, yamldoc_root(&c));
	yamldoc_node_t *k, *v;
	char why[256];
	size_t n = 0;
	yamldoc_pair_step_t step;
	while ((step = yamldoc_pairs_v2_next(&it, &k, &v, why, sizeof why)) == YAMLDOC_PAIR_NEXT)
		n++;
	double dt = testtime_cpu() - t0;
	yamldoc_pairs_v2_deinit(&it);
	assert_int_equal(n, N);
	assert_int_equal(step, YAMLDOC_PAIR_FAIL);
	assert_string_equal(why, "key \"k0\" already set in map");
	assert_int_equal(yamldoc_line(k), N + 1);
	if (dt >= 0.5 * TESTTIME_SCALE)
		fail_msg("100,000 keys took %.2f s of CPU", dt);
	yamlfile_unload(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accessors),
		cmocka_unit_test(test_string),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_expect),
		cmocka_unit_test(test_pairs),
		cmocka_unit_test(test_pairs_many),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
