/* test_yamlfile -- one document from text behind the Go decoders' limits: the depth guard for both
 * flavours, libyaml's syntax errors with their place, yaml.v3's alias rules for YAMLFILE_V3 only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/yamlfile.h"
#include "testlib.h"

/* Loads text from right before a guard page, as a parser's input should end. */
static yamlfile_status_t load(const char *text, yamlfile_flavour_t fl, yamldoc_t *c, yamlfile_problem_t *pr)
{
	testlib_guard_t g;
	size_t len = strlen(text);
	testlib_guard_init(&g, len + 1);
	const char *p = (const char *)testlib_guard_put(&g, text, len);
	*c = (yamldoc_t){ .path = "t.yml" };
	yamlfile_status_t st = yamlfile_load(c, p, len, fl, pr);
	testlib_guard_deinit(&g);
	if (st == YAMLFILE_OK)
		assert_non_null(c->doc);
	else
		assert_null(c->doc);
	assert_int_equal(pr->status, st);
	return st;
}

static char *repeat(const char *head, const char *unit, size_t n)
{
	size_t hl = strlen(head), ul = strlen(unit);
	char *s = malloc(hl + ul * n + 2);
	assert_non_null(s);
	memcpy(s, head, hl);
	for (size_t i = 0; i < n; i++)
		memcpy(s + hl + i * ul, unit, ul);
	memcpy(s + hl + ul * n, "\n", 2);
	return s;
}

static void test_ok(void **state)
{
	(void)state;
	yamldoc_t c;
	yamlfile_problem_t pr;
	/* an empty text is a document without a root; the document outlives the text it came from */
	assert_int_equal(load("", YAMLFILE_V3, &c, &pr), YAMLFILE_OK);
	assert_null(yamldoc_root(&c));
	yamlfile_unload(&c);
	assert_null(c.doc);
	yamlfile_unload(&c);
	assert_int_equal(load("# only a comment\n", YAMLFILE_V2, &c, &pr), YAMLFILE_OK);
	assert_null(yamldoc_root(&c));
	yamlfile_unload(&c);
	assert_int_equal(load("a: 1\nb: [x, y]\n", YAMLFILE_V3, &c, &pr), YAMLFILE_OK);
	assert_int_equal(yamldoc_tag(yamldoc_root(&c)), YAMLDOC_MAP);
	assert_string_equal(c.path, "t.yml");
	yamlfile_unload(&c);
	/* the first document only, as the Go decoders read it */
	assert_int_equal(load("a: 1\n---\n[", YAMLFILE_V2, &c, &pr), YAMLFILE_OK);
	assert_int_equal(yamldoc_tag(yamldoc_root(&c)), YAMLDOC_MAP);
	yamlfile_unload(&c);
}

static void test_syntax(void **state)
{
	(void)state;
	yamldoc_t c;
	yamlfile_problem_t pr;
	assert_int_equal(load("a: 1\nb: [x,\n", YAMLFILE_V2, &c, &pr), YAMLFILE_SYNTAX);
	assert_string_equal(pr.text, "did not find expected node content");
	assert_int_equal(pr.line, 3);
	assert_int_equal(pr.column, 1);
	assert_int_equal(load("a: b: c\n", YAMLFILE_V3, &c, &pr), YAMLFILE_SYNTAX);
	assert_string_equal(pr.text, "mapping values are not allowed in this context");
	assert_int_equal(pr.line, 1);
	assert_int_equal(pr.column, 5);
}

static void test_depth(void **state)
{
	(void)state;
	yamldoc_t c;
	yamlfile_problem_t pr;
	for (int fl = YAMLFILE_V3; fl <= YAMLFILE_V2; fl++) {
		char *flow = repeat("a: ", "[", 10001);
		assert_int_equal(load(flow, (yamlfile_flavour_t)fl, &c, &pr), YAMLFILE_DEPTH);
		assert_string_equal(pr.text, "exceeded max depth of 10000");
		assert_int_equal(pr.line, 1);
		assert_int_equal(pr.column, 3 + 10001);
		free(flow);
	}
	/* at the limit the guard lets it through and libyaml reports the missing `]` */
	char *edge = repeat("a: ", "[", 10000);
	assert_int_equal(load(edge, YAMLFILE_V3, &c, &pr), YAMLFILE_SYNTAX);
	free(edge);
}

/* yaml.v3's alias rules for blackbox.yml; the web config (yaml.v2) is loaded without them */
static void test_aliases(void **state)
{
	(void)state;
	yamldoc_t c;
	yamlfile_problem_t pr;
	const char *cycle = "x: 1\na: &a {b: [*a]}\n";
	assert_int_equal(load(cycle, YAMLFILE_V3, &c, &pr), YAMLFILE_ALIAS);
	assert_string_equal(pr.text, "anchor 'a' value contains itself");
	assert_int_equal(pr.line, 2);
	assert_int_equal(pr.column, 12);
	assert_int_equal(load(cycle, YAMLFILE_V2, &c, &pr), YAMLFILE_OK);
	yamlfile_unload(&c);

	char laughs[4096] = "a0: &a0 [x]\n";
	for (int i = 1; i <= 40; i++)
		snprintf(laughs + strlen(laughs), sizeof laughs - strlen(laughs), "a%d: &a%d [*a%d, *a%d]\n", i, i,
		         i - 1, i - 1);
	assert_int_equal(load(laughs, YAMLFILE_V3, &c, &pr), YAMLFILE_ALIAS);
	assert_string_equal(pr.text, "document contains excessive aliasing");
	assert_int_equal(pr.line, 0);
	assert_int_equal(load(laughs, YAMLFILE_V2, &c, &pr), YAMLFILE_OK);
	yamlfile_unload(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_aliases),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
