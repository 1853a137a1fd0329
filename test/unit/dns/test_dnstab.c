/* test_dnstab -- mnemonics against the lookups recorded from miekg 1.1.50 (rr-strings-miekg-1.1.50.txt). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dns/dnstab.h"

#ifndef TEST_DATA_DIR
#define TEST_DATA_DIR "test/data"
#endif

/* The reference file's lines: `type "A" -> 1 true`, `class "IN" -> 1 true`, `rcode NOTIMPL=4`. */
static void test_reference_lookups(void **state)
{
	(void)state;
	FILE *f = fopen(TEST_DATA_DIR "/rr/rr-strings-miekg-1.1.50.txt", "r");
	assert_non_null(f);
	char line[4096];
	int types = 0, classes = 0, rcodes = 0;
	while (fgets(line, sizeof(line), f)) {
		char name[64], ok[8];
		unsigned v;
		uint16_t got = 0;
		if (sscanf(line, "type \"%63[^\"]\" -> %u %7s", name, &v, ok) == 3) {
			bool want = strcmp(ok, "true") == 0;
			if (dnstab_type_from_name(name, &got) != want || (want && got != v))
				fail_msg("type %s", name);
			if (want)
				assert_string_equal(dnstab_type_name((uint16_t)v), name);
			types++;
		} else if (sscanf(line, "class \"%63[^\"]\" -> %u %7s", name, &v, ok) == 3) {
			bool want = strcmp(ok, "true") == 0;
			if (dnstab_class_from_name(name, &got) != want || (want && got != v))
				fail_msg("class %s", name);
			if (want)
				assert_string_equal(dnstab_class_name((uint16_t)v), name);
			classes++;
		} else if (sscanf(line, "rcode %63[A-Z]=%u", name, &v) == 2) {
			if (!dnstab_rcode_from_name(name, &got) || got != v)
				fail_msg("rcode %s", name);
			rcodes++;
		} else if (sscanf(line, "num types: %u", &v) == 1) {
			unsigned n = 0;
			for (unsigned t = 0; t <= 65535; t++)
				n += dnstab_type_name((uint16_t)t) != NULL;
			assert_int_equal(n, v);
		}
	}
	fclose(f);
	assert_int_equal(types, 14);
	assert_int_equal(classes, 8);
	assert_int_equal(rcodes, 20);
}

static void test_names(void **state)
{
	(void)state;
	uint16_t v;
	assert_string_equal(dnstab_type_name(23), "NSAP-PTR");
	assert_string_equal(dnstab_type_name(0), "None");
	assert_null(dnstab_type_name(11));
	assert_null(dnstab_type_name(45));   /* IPSECKEY: not in 1.1.50 */
	assert_false(dnstab_type_from_name("IPSECKEY", &v));
	assert_false(dnstab_type_from_name("aaaa", &v));
	assert_false(dnstab_type_from_name(NULL, &v));

	assert_string_equal(dnstab_rcode_name(4), "NOTIMP");
	assert_string_equal(dnstab_rcode_name(16), "BADSIG");
	assert_null(dnstab_rcode_name(11));
	assert_null(dnstab_rcode_name(15));
	assert_false(dnstab_rcode_from_name("BADVERS", &v));
	assert_false(dnstab_rcode_from_name("noerror", &v));
	assert_false(dnstab_rcode_from_name("DSOTYPENI", &v));

	assert_false(dnstab_class_from_name("CHAOS", &v));
	assert_null(dnstab_class_name(5));

	assert_string_equal(dnstab_opcode_name(0), "QUERY");
	assert_string_equal(dnstab_opcode_name(5), "UPDATE");
	assert_null(dnstab_opcode_name(3));
	assert_null(dnstab_opcode_name(6));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_lookups),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
