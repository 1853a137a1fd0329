/* test_rrtext -- RR.String() and Msg.String() against miekg 1.1.50 texts (test/data/rr/rr-wire.txt). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/buf.h"
#include "lib/errors.h"
#include "dns/rrtext.h"
#include "dns/wire.h"
#include "testlib.h"

/* Go %q text -> bytes (the escapes that occur in our data: \t \n \" \\ \xNN). */
static void go_unquote(const char *s, size_t len, buf_t *out)
{
	assert_true(len >= 2 && s[0] == '"' && s[len - 1] == '"');
	for (size_t i = 1; i + 1 < len; i++) {
		if (s[i] != '\\') {
			buf_putc(out, s[i]);
			continue;
		}
		i++;
		switch (s[i]) {
		case 't': buf_putc(out, '\t'); break;
		case 'n': buf_putc(out, '\n'); break;
		case '"': buf_putc(out, '"'); break;
		case '\\': buf_putc(out, '\\'); break;
		case 'x':
			buf_putc(out, (char)(testlib_hexval(s[i + 1]) << 4 | testlib_hexval(s[i + 2])));
			i += 2;
			break;
		default:
			fail_msg("unexpected escape \\%c", s[i]);
		}
	}
}

typedef struct fixture {
	char kind[8];
	uint8_t wire[4096];
	size_t wlen;
	buf_t want;
} fixture_t;

/* Runs fn over every line of rr-wire.txt of the given kind; returns how many. */
static int each_fixture(const char *kind, void (*fn)(const fixture_t *, int line))
{
	FILE *f = fopen(TEST_DATA_DIR "/rr/rr-wire.txt", "r");
	assert_non_null(f);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int count = 0, lineno = 0;
	fixture_t fx;
	while ((n = getline(&line, &cap, f)) > 0) {
		lineno++;
		if (line[0] == '#')
			continue;
		while (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		char *t1 = strchr(line, '\t');
		char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
		assert_non_null(t2);
		*t1 = '\0';
		if (strcmp(line, kind) != 0)
			continue;
		memset(&fx, 0, sizeof(fx));
		*t2 = '\0';
		fx.wlen = testlib_unhex(t1 + 1, fx.wire, sizeof(fx.wire));
		go_unquote(t2 + 1, strlen(t2 + 1), &fx.want);
		fn(&fx, lineno);
		buf_free(&fx.want);
		count++;
	}
	free(line);
	fclose(f);
	return count;
}

/* Puts the wire message behind a guard page (g keeps it alive until testlib_guard_deinit) and
 * parses it into m and rrs; a parse error fails the test, named by what. */
static void parse_guarded(testlib_guard_t *g, const uint8_t *wire, size_t n, wire_rr_t *rrs,
                          size_t cap, wire_msg_t *m, const char *what)
{
	testlib_guard_init(g, n);
	const uint8_t *p = testlib_guard_put(g, wire, n);
	int rc = wire_parse(p, n, rrs, cap, m);
	if (rc != 0)
		fail_msg("%s: wire_parse %d (%s)", what, rc, m->error ? m->error : "");
}

/* One fixture line: its wire parses, and its one RR (whole_msg false: after rrtext_check accepts
 * it) or the whole message prints as the line's text. */
static void check_text(const fixture_t *fx, int lineno, bool whole_msg)
{
	char what[32];
	snprintf(what, sizeof(what), "line %d", lineno);
	testlib_guard_t g;
	wire_rr_t rrs[8];
	wire_msg_t m;
	parse_guarded(&g, fx->wire, fx->wlen, rrs, 8, &m, what);
	buf_t out = BUF_INIT;
	if (whole_msg) {
		assert_int_equal(rrtext_msg(&m, &out), 0);
	} else {
		assert_int_equal(m.count[0], 1);
		const char *why = NULL;
		if (rrtext_check(&m, &rrs[0], &why) != 0)
			fail_msg("line %d: rrtext_check: %s", lineno, why ? why : "");
		assert_int_equal(rrtext_rr(&m, &rrs[0], &out), 0);
	}
	if (strcmp(buf_str(&out), buf_str(&fx->want)) != 0)
		fail_msg("line %d:\n got: %s\nwant: %s", lineno, buf_str(&out), buf_str(&fx->want));
	buf_free(&out);
	testlib_guard_deinit(&g);
}

static void check_rr(const fixture_t *fx, int lineno)
{
	check_text(fx, lineno, false);
}

static void check_msg(const fixture_t *fx, int lineno)
{
	check_text(fx, lineno, true);
}

static void test_rr_strings(void **state)
{
	(void)state;
	/* 38 reference RRs twice (compressed and not) plus our extra cases */
	assert_true(each_fixture("RR", check_rr) >= 76 + 20);
}

static void test_msg_strings(void **state)
{
	(void)state;
	assert_true(each_fixture("MSG", check_msg) >= 10);
}

static void test_name(void **state)
{
	(void)state;
	static const uint8_t msg[] = { 0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0,
		3, 'a', '.', 'b', 2, 'C', 'd', 0, 0, 1, 0, 1 };
	testlib_guard_t g;
	wire_rr_t rrs[2];
	wire_msg_t m;
	parse_guarded(&g, msg, sizeof(msg), rrs, 2, &m, "test_name");
	buf_t out = BUF_INIT;
	assert_int_equal(rrtext_name(&m, m.question, &out), 0);
	assert_string_equal(buf_str(&out), "a\\.b.Cd.");
	buf_reset(&out);
	assert_int_equal(rrtext_name(&m, 19, &out), 0);
	assert_string_equal(buf_str(&out), ".");
	assert_int_equal(rrtext_name(&m, 21, &out), NSP_EMALFORMED);
	buf_free(&out);
	testlib_guard_deinit(&g);
}

typedef struct check_case {
	const char *name;
	uint16_t type;
	const char *rdata_hex;   /* rdata; the message is "example." q + one answer */
	const char *error;       /* NULL: accepted */
} check_case_t;

static void test_check(void **state)
{
	(void)state;
	static const check_case_t cases[] = {
		{ "A short", 1, "c00002", "dns: overflow unpacking a" },
		{ "A long", 1, "c000020101", "dns: bad rdlength" },
		{ "AAAA short", 28, "20010db8", "dns: overflow unpacking aaaa" },
		{ "A empty", 1, "", NULL },
		{ "TXT overflow", 16, "05616263", "dns: overflow unpacking txt" },
		{ "TXT empty string", 16, "00", NULL },
		{ "MX cut", 15, "00", "dns: overflow unpacking uint16" },
		{ "MX pref only", 15, "000a", NULL },
		{ "MX name cut", 15, "000a 03616263", "dns: buffer size too small" },
		{ "MX pointer back", 15, "000a c00c", NULL },
		{ "MX pointer loop", 15, "000a c027", "dns: too many compression pointers" },
		{ "NS extra octet", 2, "00 00", "dns: bad rdlength" },
		{ "SOA cut serial", 6, "00 00 000000", "dns: overflow unpacking uint32" },
		{ "HINFO cut", 13, "03637075 05", "dns: overflow unpacking txt" },
		{ "ANY with rdata", 255, "00", "dns: bad rdlength" },
		{ "unknown with rdata", 65280, "0102", NULL },
		{ "NSEC order", 47, "00 0101 40 0001 40", "dns: out of order NSEC(3) block in type bitmap" },
		{ "NSEC empty block", 47, "00 0000", "dns: empty NSEC(3) block in type bitmap" },
		{ "NSEC long block", 47, "00 0021 " "0000000000000000000000000000000000000000000000000000000000000000 00",
		  "dns: NSEC(3) block too long in type bitmap" },
		{ "NSEC overflow block", 47, "00 0002 40", "dns: overflowing NSEC(3) block in type bitmap" },
		{ "NSEC one octet", 47, "00 00", "dns: overflow unpacking NSEC(3)" },
		{ "NSEC3 salt", 50, "01 00 000a 05 abcd", "dns: overflow unpacking hex" },
		{ "NSEC3 hash", 50, "01 00 000a 00 05 0102", "dns: overflow unpacking base32" },
		{ "NSEC3 no hash length", 50, "01 00 000a 01 ab", "dns: overflow unpacking uint8" },
		{ "SVCB order", 64, "0001 00 0003 0002 0035 0003 0002 0035",
		  "dns: SVCB keys not in strictly increasing order" },
		{ "SVCB reserved key", 64, "0001 00 ffff 0000", "dns: bad SVCB key" },
		{ "SVCB port", 64, "0001 00 0003 0001 35", "dns: svcbport: port length is not exactly 2 octets" },
		{ "SVCB alpn", 64, "0001 00 0001 0002 0568", "dns: svcbalpn: alpn array overflowing" },
		{ "SVCB v6 mapped", 64, "0001 00 0006 0010 00000000000000000000ffffc0000201",
		  "dns: svcbipv6hint: expected ipv6, got ipv4" },
		{ "SVCB cut pair", 64, "0001 00 0003 00", "dns: overflow unpacking SVCB" },
		{ "APL family", 42, "0003 00 00", "dns: unrecognized APL address family" },
		{ "APL extra bits", 42, "0001 18 03 c00000", "dns: extra APL address bits" },
		{ "APL prefix", 42, "0001 21 00", "dns: APL prefix too long" },
		{ "OPT cut option", 41, "0003 00", "dns: overflow unpacking opt" },
		{ "OPT subnet family", 41, "0008 0004 0003 0000", "dns: bad address family" },
		{ "OPT subnet netmask", 41, "0008 0004 0001 2100", "dns: bad netmask" },
		{ "OPT subnet short", 41, "0008 0002 0001", "dns: buffer size too small" },
		{ "OPT ede short", 41, "000f 0001 00", "dns: buffer size too small" },
		{ "DS digest only fields", 43, "3039 0d", NULL },
		{ "LOC cut", 29, "00 00 00 00 0000", "dns: overflow unpacking uint32" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* header, question "example." A IN at 12, answer owner c00c */
		char hex[1024];
		char rd[512] = "";
		size_t k = 0;
		for (const char *s = cases[i].rdata_hex; *s; s++)
			if (*s != ' ')
				rd[k++] = *s;
		rd[k] = '\0';
		snprintf(hex, sizeof(hex), "12348180000100010000000007" "6578616d706c6500" "00010001"
		         "c00c%04x000100000000%04zx%s", cases[i].type, k / 2, rd);
		uint8_t wire[600];
		size_t n = testlib_unhex(hex, wire, sizeof(wire));
		testlib_guard_t g;
		wire_rr_t rrs[2];
		wire_msg_t m;
		parse_guarded(&g, wire, n, rrs, 2, &m, cases[i].name);
		const char *why = NULL;
		int rc = rrtext_check(&m, &rrs[0], &why);
		buf_t out = BUF_INIT;
		int rc2 = rrtext_rr(&m, &rrs[0], &out);
		if (cases[i].error) {
			if (rc != NSP_EMALFORMED || !why || strcmp(why, cases[i].error) != 0)
				fail_msg("%s: rc %d why %s", cases[i].name, rc, why ? why : "(null)");
			assert_int_equal(rc2, NSP_EMALFORMED);
			assert_int_equal(out.len, 0);
			buf_reset(&out);
			assert_int_equal(rrtext_msg(&m, &out), NSP_EMALFORMED);
		} else {
			if (rc != 0)
				fail_msg("%s: rejected: %s", cases[i].name, why ? why : "");
			assert_int_equal(rc2, 0);
		}
		buf_free(&out);
		testlib_guard_deinit(&g);
	}
}

/* A name in rdata cannot point past the end of its own rdata: miekg unpacks rdata from the message
 * cut there. Here the MX target points forward to the owner of the next RR. */
static void test_check_forward_pointer(void **state)
{
	(void)state;
	static const char hex[] = "123481800000000200000000" /* no question */
		"00000f000100000000000400 0ac01b" /* MX 10 -> offset 27 */
		"046e6578740000010001000000000004c0000201"; /* next. A at 27 */
	uint8_t wire[128];
	size_t n = testlib_unhex(hex, wire, sizeof(wire));
	testlib_guard_t g;
	wire_rr_t rrs[2];
	wire_msg_t m;
	parse_guarded(&g, wire, n, rrs, 2, &m, "test_check_forward_pointer");
	assert_int_equal(m.count[0], 2);
	uint8_t name[WIRE_MAX_NAME];
	assert_int_equal(wire_name_read(&m, 27, name, NULL), 6);
	const char *why = NULL;
	assert_int_equal(rrtext_check(&m, &rrs[0], &why), NSP_EMALFORMED);
	assert_string_equal(why, "dns: buffer size too small");
	assert_int_equal(rrtext_check(&m, &rrs[1], NULL), 0);
	testlib_guard_deinit(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rr_strings),
		cmocka_unit_test(test_msg_strings),
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_check_forward_pointer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
