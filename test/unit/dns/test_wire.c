/* test_wire -- the query writer and the miekg-compatible parser, inputs ending at a PROT_NONE page. */
#include <setjmp.h>
#include <stdarg.h>
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

/* Parses hex at a guard page. Returns wire_parse's result; *why gets msg.error. */
static int parse_hex(const char *hex, wire_msg_t *m, wire_rr_t *rrs, size_t cap, testlib_guard_t *g)
{
	uint8_t tmp[4096];
	size_t n = testlib_unhex(hex, tmp, sizeof(tmp));
	const uint8_t *p = testlib_guard_put(g, tmp, n);
	return wire_parse(p, n, rrs, cap, m);
}

/* ------------------------------------------------------------------------------------------------
 * Query writer */

static void test_query_example(void **state)
{
	(void)state;
	/* reference 3.7: Example.COM A IN RD, id 0x1479 */
	static const uint8_t want[] = { 0x14, 0x79, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0,
		7, 'E', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'C', 'O', 'M', 0, 0, 1, 0, 1 };
	uint8_t out[WIRE_MAX_QUERY];
	wire_query_t q = { .qname = "Example.COM", .qtype = 1, .qclass = 1, .id = 0x1479, .rd = true };
	int n = wire_query_write(&q, out, sizeof(out));
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(out, want, sizeof(want));

	q.qname = "Example.COM.";
	assert_int_equal(wire_query_write(&q, out, sizeof(out)), sizeof(want));
	assert_memory_equal(out, want, sizeof(want));

	q.rd = false;
	assert_int_equal(wire_query_write(&q, out, sizeof(out)), sizeof(want));
	assert_int_equal(out[2], 0);
	assert_int_equal(out[3], 0);
}

static void expect_name(const char *text, const uint8_t *wire, size_t wlen)
{
	uint8_t out[WIRE_MAX_QUERY];
	wire_query_t q = { .qname = text, .qtype = 255, .qclass = 3, .id = 1 };
	int n = wire_query_write(&q, out, sizeof(out));
	assert_int_equal(n, (int)(WIRE_HEADER_SIZE + wlen + 4));
	assert_memory_equal(out + WIRE_HEADER_SIZE, wire, wlen);
	assert_int_equal(out[WIRE_HEADER_SIZE + wlen + 1], 255);
	assert_int_equal(out[WIRE_HEADER_SIZE + wlen + 3], 3);
}

static void test_query_names(void **state)
{
	(void)state;
	expect_name("", (const uint8_t *)"\0", 1);
	expect_name(".", (const uint8_t *)"\0", 1);
	expect_name("a\\.b.c", (const uint8_t *)"\3a.b\1c\0", 7);
	expect_name("a\\065\\\\.", (const uint8_t *)"\3aA\\\0", 5);
	expect_name("\\000x", (const uint8_t *)"\2\0x\0", 4);
	expect_name("a\\ b", (const uint8_t *)"\3a b\0", 5);
	expect_name("x\\.", (const uint8_t *)"\2x.\0", 4);

	/* 63-octet label fits, 64 does not */
	char name[300];
	memset(name, 'a', 63);
	strcpy(name + 63, ".x");
	uint8_t out[WIRE_MAX_QUERY];
	wire_query_t q = { .qname = name, .qtype = 1, .qclass = 1 };
	assert_true(wire_query_write(&q, out, sizeof(out)) > 0);
	memset(name, 'a', 64);
	strcpy(name + 64, ".x");
	assert_int_equal(wire_query_write(&q, out, sizeof(out)), NSP_EINVAL);

	/* 255 octets on the wire fit (3 x 63 + 61 labels), 256 do not */
	memset(name, 0, sizeof(name));
	for (int i = 0; i < 3; i++) {
		memset(name + i * 64, 'b', 63);
		name[i * 64 + 63] = '.';
	}
	memset(name + 192, 'c', 61);
	assert_int_equal(wire_query_write(&q, out, sizeof(out)), WIRE_HEADER_SIZE + 255 + 4);
	name[192 + 61] = 'c';
	assert_int_equal(wire_query_write(&q, out, sizeof(out)), NSP_EINVAL);
}

static void test_query_rejects(void **state)
{
	(void)state;
	static const char *const bad[] = { "a..b", ".a", "..", "a\\", "a\\256", "a.." };
	uint8_t out[WIRE_MAX_QUERY];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		wire_query_t q = { .qname = bad[i], .qtype = 1, .qclass = 1 };
		int rc = wire_query_write(&q, out, sizeof(out));
		if (rc != NSP_EINVAL)
			fail_msg("%s: got %d", bad[i], rc);
	}
	wire_query_t q = { .qname = "example.com", .qtype = 1, .qclass = 1 };
	assert_int_equal(wire_query_write(&q, out, 20), NSP_ENOSPC);
}

static void test_query_edns(void **state)
{
	(void)state;
	uint8_t out[WIRE_MAX_QUERY];
	wire_query_t q = { .qname = ".", .qtype = 2, .qclass = 1, .id = 0xabcd, .rd = true, .edns = true,
	                   .edns_udp_size = 1232, .edns_do = true, .edns_nsid = true };
	static const uint8_t want[] = { 0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 2, 0, 1,
		0, 0, 41, 0x04, 0xd0, 0, 0, 0x80, 0, 0, 4, 0, 3, 0, 0 };
	int n = wire_query_write(&q, out, sizeof(out));
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(out, want, sizeof(want));

	q.edns_do = false;
	q.edns_nsid = false;
	n = wire_query_write(&q, out, sizeof(out));
	assert_int_equal(n, sizeof(want) - 4);
	assert_int_equal(out[24], 0);
	assert_int_equal(out[27], 0);

	/* the query parses back */
	wire_rr_t rrs[4];
	wire_msg_t m;
	assert_int_equal(wire_parse(out, (size_t)n, rrs, 4, &m), 0);
	assert_int_equal(m.id, 0xabcd);
	assert_int_equal(m.qdcount, 1);
	assert_int_equal(m.qtype, 2);
	assert_non_null(m.opt);
	assert_int_equal(m.opt->rclass, 1232);
}

/* ------------------------------------------------------------------------------------------------
 * Parser */

#define HDR(id, flags, qd, an, ns, ar) id flags qd an ns ar
#define L63 "3f" Z16 Z16 Z16 "000000000000000000000000000000"
#define Z16 "00000000000000000000000000000000"
#define Q_EX "076578616d706c650000010001"     /* example. A IN */

static void test_parse_ok(void **state)
{
	(void)state;
	testlib_guard_t g;
	testlib_guard_init(&g, 4096);
	wire_rr_t rrs[16];
	wire_msg_t m;

	/* answer with a compressed owner, an authority NS, an OPT with ext rcode 1 */
	int rc = parse_hex("1234 8180 0001 0001 0001 0001" Q_EX
	                   "c00c 0001 0001 0000012c 0004 c0000201"
	                   "c00c 0002 0001 00000e10 0002 c00c"
	                   "00 0029 04d0 01008000 0000", &m, rrs, 16, &g);
	assert_int_equal(rc, 0);
	assert_int_equal(m.id, 0x1234);
	assert_int_equal(m.opcode, 0);
	assert_int_equal(m.rcode, 16);
	assert_int_equal(m.qdcount, 1);
	assert_int_equal(m.question, 12);
	assert_int_equal(m.count[0], 1);
	assert_int_equal(m.count[1], 1);
	assert_int_equal(m.count[2], 1);
	assert_non_null(m.opt);
	assert_int_equal(m.rrs[0].ttl, 300);
	assert_int_equal(m.rrs[0].rdlen, 4);

	size_t n;
	const wire_rr_t *ns = wire_section(&m, WIRE_AUTHORITY, &n);
	assert_int_equal(n, 1);
	assert_int_equal(ns->type, 2);
	uint8_t name[WIRE_MAX_NAME];
	size_t next;
	assert_int_equal(wire_name_read(&m, ns->rdata, name, &next), 9);
	assert_memory_equal(name, "\7example\0", 9);
	assert_int_equal(next, ns->rdata + 2);

	/* header only: counts are ignored (msg.go "return *just* the header") */
	rc = parse_hex("0001 8183 0005 0005 0005 0005", &m, rrs, 16, &g);
	assert_int_equal(rc, 0);
	assert_int_equal(m.rcode, 3);
	assert_int_equal(m.qdcount + m.count[0] + m.count[1] + m.count[2], 0);

	/* counts that lie: ANCOUNT 5 with one RR present; sections after it are empty */
	rc = parse_hex("0001 8180 0001 0005 0003 0002" Q_EX "c00c 0001 0001 0000012c 0004 c0000201",
	               &m, rrs, 16, &g);
	assert_int_equal(rc, 0);
	assert_int_equal(m.count[0], 1);
	assert_int_equal(m.count[1], 0);
	assert_int_equal(m.count[2], 0);

	/* QDCOUNT 0 with an answer; QR=0 accepted */
	rc = parse_hex("0001 0000 0000 0001 0000 0000 076578616d706c6500 0001 0001 00000000 0000",
	               &m, rrs, 16, &g);
	assert_int_equal(rc, 0);
	assert_int_equal(m.qdcount, 0);
	assert_int_equal(m.count[0], 1);

	/* a question cut after its name, or after its type, is kept with zero type/class */
	rc = parse_hex("0001 8180 0001 0000 0000 0000 076578616d706c6500", &m, rrs, 16, &g);
	assert_int_equal(rc, 0);
	assert_int_equal(m.qdcount, 1);
	assert_int_equal(m.qtype, 0);
	rc = parse_hex("0001 8180 0001 0000 0000 0000 076578616d706c6500 0001", &m, rrs, 16, &g);
	assert_int_equal(rc, 0);
	assert_int_equal(m.qtype, 1);
	assert_int_equal(m.qclass, 0);
	/* ... and one stray byte where the class would be is dropped (unpackQuestion) */
	rc = parse_hex("0001 8180 0001 0000 0000 0000 076578616d706c6500 0001 00", &m, rrs, 16, &g);
	assert_int_equal(rc, 0);
	assert_int_equal(m.qclass, 0);

	/* forward pointers are allowed: the root here is the first octet of the question's own type */
	rc = parse_hex("0001 8180 0001 0000 0000 0000 c00e 0001 0001", &m, rrs, 16, &g);
	assert_int_equal(rc, 0);
	assert_int_equal(m.qtype, 1);
	assert_int_equal(m.qclass, 1);

	/* the only OPT counted is the last one of the additional section */
	rc = parse_hex("0001 8180 0000 0000 0000 0002 00 0029 0200 02000000 0000 00 0029 0200 03000000 0000",
	               &m, rrs, 16, &g);
	assert_int_equal(rc, 0);
	assert_ptr_equal(m.opt, &rrs[1]);
	assert_int_equal(m.rcode, 0x30);

	/* not enough room for the RRs */
	rc = parse_hex("0001 8180 0000 0002 0000 0000 00 0001 0001 00000000 0000 00 0001 0001 00000000 0000",
	               &m, rrs, 1, &g);
	assert_int_equal(rc, NSP_ENOSPC);
	testlib_guard_deinit(&g);
}

static void test_parse_pointer_chain(void **state)
{
	(void)state;
	testlib_guard_t g;
	testlib_guard_init(&g, 4096);
	uint8_t msg[12 + 2 * 130 + 1 + 4];
	wire_rr_t rrs[4];
	wire_msg_t m;

	/* question name = pointer chain of k pointers to the root at the end */
	for (int k = 125; k <= 127; k++) {
		memset(msg, 0, sizeof(msg));
		msg[5] = 1; /* QDCOUNT 1 */
		size_t root = 12 + 2 * (size_t)k;
		for (int i = 0; i < k; i++) {
			size_t at = 12 + 2 * (size_t)i;
			size_t to = i + 1 < k ? at + 2 : root;
						msg[at] = (uint8_t)(0xC0 | to >> 8);
			msg[at + 1] = (uint8_t)to;
		}
		msg[root] = 0;
		size_t len = root + 1;
		const uint8_t *p = testlib_guard_put(&g, msg, len);
		int rc = wire_parse(p, len, rrs, 4, &m);
		/* after the name (2 bytes) the type reads the next pointer's bytes: fine for the walk */
		if (k <= 126) {
			assert_int_equal(rc, 0);
		} else {
			assert_int_equal(rc, NSP_EMALFORMED);
			assert_string_equal(m.error, "dns: too many compression pointers");
		}
	}
	testlib_guard_deinit(&g);
}

typedef struct bad_case {
	const char *hex;
	const char *error;
} bad_case_t;

static void test_parse_malformed(void **state)
{
	(void)state;
	static const bad_case_t cases[] = {
		{ "", "dns: short read" },
		{ "00", "dns: short read" },
		{ "1234 8180 0001 0000 0000", "dns: short read" },
		/* truncated names */
		{ "1234 8180 0001 0000 0000 0000 07 6578616d", "dns: buffer size too small" },
		{ "1234 8180 0001 0000 0000 0000 07 6578616d706c65", "dns: buffer size too small" },
		{ "1234 8180 0001 0000 0000 0000 c0", "dns: buffer size too small" },
		/* self pointer, two-pointer loop */
		{ "1234 8180 0001 0000 0000 0000 c00c", "dns: too many compression pointers" },
		{ "1234 8180 0001 0000 0000 0000 c00e c00c", "dns: too many compression pointers" },
		/* pointer past the end, pointer into the header (to the bytes 0x80 -> reserved) */
		{ "1234 8180 0001 0000 0000 0000 c0ff", "dns: buffer size too small" },
		{ "1234 8180 0001 0000 0000 0000 c002", "dns: bad rdata" },
		/* reserved label types 0x40 and 0x80 */
		{ "1234 8180 0001 0000 0000 0000 41 00", "dns: bad rdata" },
		{ "1234 8180 0001 0000 0000 0000 80 00", "dns: bad rdata" },
		/* a name longer than 255 octets: 4 labels of 63 */
		{ "1234 8180 0001 0000 0000 0000" L63 L63 L63 L63 "00 0001 0001", "dns: domain name exceeded 255 wire-format octets" },
		/* question type cut in half */
		{ "1234 8180 0001 0000 0000 0000 00 00", "dns: overflow unpacking uint16" },
		/* QDCOUNT 2 with one question that ends the message */
		{ "1234 8180 0002 0000 0000 0000 00 0001 0001", "dns: buffer size too small" },
		/* RR header cut */
		{ "1234 8180 0000 0001 0000 0000 00 0001", "dns: overflow unpacking uint16" },
		{ "1234 8180 0000 0001 0000 0000 00 0001 0001 0000", "dns: overflow unpacking uint32" },
		{ "1234 8180 0000 0001 0000 0000 00 0001 0001 00000000 00", "dns: overflow unpacking uint16" },
		/* rdlength past the end (what a 512-byte UDP read of a larger answer gives) */
		{ "1234 8180 0000 0001 0000 0000 00 0001 0001 00000000 0004 c00002", "dns: overflowing header size" },
		{ "1234 8180 0000 0002 0000 0000 00 0001 0001 00000000 0000 00 0010 0001 00000000 ffff 00",
		  "dns: overflowing header size" },
		/* an owner in the additional section that loops */
		{ "1234 8180 0000 0000 0000 0001 c00c", "dns: too many compression pointers" },
	};
	testlib_guard_t g;
	testlib_guard_init(&g, 4096);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		wire_rr_t rrs[8];
		wire_msg_t m;
		int rc = parse_hex(cases[i].hex, &m, rrs, 8, &g);
		if (rc != NSP_EMALFORMED || !m.error || strcmp(m.error, cases[i].error) != 0)
			fail_msg("case %zu: rc %d error %s, want %s", i, rc, m.error ? m.error : "(null)",
			         cases[i].error);
	}
	testlib_guard_deinit(&g);
}

/* On a fault, the RRs parsed before it are kept so that a caller can find miekg's first error. */
static void test_parse_partial(void **state)
{
	(void)state;
	testlib_guard_t g;
	testlib_guard_init(&g, 4096);
	wire_rr_t rrs[8];
	wire_msg_t m;
	/* answer 1: A with a 3-octet rdata (miekg: "overflow unpacking a"), answer 2: cut header */
	int rc = parse_hex("1234 8180 0000 0002 0000 0000 00 0001 0001 00000000 0003 c00002 00 0001",
	                   &m, rrs, 8, &g);
	assert_int_equal(rc, NSP_EMALFORMED);
	assert_string_equal(m.error, "dns: overflow unpacking uint16");
	assert_int_equal(m.count[0], 1);
	const char *why = NULL;
	assert_int_equal(rrtext_check(&m, &rrs[0], &why), NSP_EMALFORMED);
	assert_string_equal(why, "dns: overflow unpacking a");
	testlib_guard_deinit(&g);
}

/* Deterministic mutations of a valid answer: nothing may crash or read past the end. */
static void test_parse_mutations(void **state)
{
	(void)state;
	uint8_t base[512];
	size_t blen = testlib_unhex("1234 8580 0001 0003 0001 0002" "026262 0474657374 00 0001 0001"
	                    "c00c 0001 0001 0000012c 0004 c0000201"
	                    "c00c 0010 0001 0000012c 000c 0568656c6c6f 05776f726c64"
	                    "c00c 000f 0001 0000012c 0009 000a 046d61696c c00c"
	                    "c00c 0006 0001 00000e10 0027 036e7331c00c 0a686f73746d6173746572c00c"
	                    "78a3f175 00001c20 00000e10 00127500 0000012c"
	                    "c00c 002e 0001 0000012c 0016 0001 0d 02 0000012c 6a000000 69000000 2384 c00c 0102"
	                    "00 0029 04d0 00008000 0008 0003 0004 61626364",
	                    base, sizeof(base));
	testlib_guard_t g;
	testlib_guard_init(&g, sizeof(base));
	wire_rr_t rrs[64];
	wire_msg_t m;
	const uint8_t *p = testlib_guard_put(&g, base, blen);
	assert_int_equal(wire_parse(p, blen, rrs, 64, &m), 0);
	buf_t out = BUF_INIT;
	assert_int_equal(rrtext_msg(&m, &out), 0);
	assert_non_null(strstr(buf_str(&out), "bb.test.\t300\tIN\tMX\t10 mail.bb.test."));

	uint32_t seed = 12345;
	unsigned parsed = 0;
	for (int iter = 0; iter < 20000; iter++) {
		uint8_t tmp[512];
		memcpy(tmp, base, blen);
		size_t len = blen;
		int edits = 1 + iter % 4;
		for (int e = 0; e < edits; e++) {
			seed = seed * 1103515245u + 12345u;
			uint32_t r = seed >> 8;
			size_t at = r % len;
			switch (r >> 24 & 3) {
			case 0: tmp[at] ^= (uint8_t)(1u << (r >> 16 & 7)); break;
			case 1: tmp[at] = (uint8_t)(r >> 12); break;
			case 2: tmp[at] = (r & 0x100) ? 0xC0 : (uint8_t)(r >> 4 & 0x3F); break;
			default: len = at + 1; break;
			}
		}
		p = testlib_guard_put(&g, tmp, len);
		if (wire_parse(p, len, rrs, 64, &m) != 0)
			continue;
		parsed++;
		buf_reset(&out);
		size_t total = m.count[0] + m.count[1] + m.count[2];
		for (size_t i = 0; i < total; i++)
			if (rrtext_rr(&m, &rrs[i], &out) == 0)
				buf_putc(&out, '\n');
		buf_reset(&out);
		(void)rrtext_msg(&m, &out);
	}
	assert_true(parsed > 1000);
	buf_free(&out);
	testlib_guard_deinit(&g);
}

/* ------------------------------------------------------------------------------------------------
 * Error answers that may leave out the question (dnsclient takes them as the answer) */

static void test_error_without_question(void **state)
{
	(void)state;
	static const struct { const char *hex; bool want; } cases[] = {
		{ "1234 8185 0000 0000 0000 0000", true },     /* header-only REFUSED, the case */
		{ "1234 8182 0000 0000 0000 0000", true },     /* SERVFAIL */
		{ "1234 8184 0000 0000 0000 0000", true },     /* NOTIMP */
		{ "1234 8181 0000 0000 0000 0000", true },     /* FORMERR */
		{ "1234 810b 0000 0000 0000 0000", true },     /* rcode 11, unassigned: still an error */
		{ "1234 8185 0000 0000 0000 0001 00 0029 04d0 00000000 0000", true },   /* with an OPT */
		{ "1234 8180 0000 0000 0000 0000", false },    /* NOERROR must echo the question */
		{ "1234 8183 0000 0000 0000 0000", false },    /* NXDOMAIN */
		{ "1234 8186 0000 0000 0000 0000", false },    /* YXDOMAIN */
		{ "1234 0105 0000 0000 0000 0000", false },    /* QR clear: not an answer */
		{ "1234 8185 0001 0000 0000 0000" Q_EX, false },  /* has a question: matched as usual */
		{ "1234 8185 0000 0000 0000 00", false },      /* 11 bytes: no header */
	};
	testlib_guard_t g;
	testlib_guard_init(&g, 64);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t tmp[64];
		size_t n = testlib_unhex(cases[i].hex, tmp, sizeof(tmp));
		const uint8_t *p = testlib_guard_put(&g, tmp, n);
		if (wire_is_error_without_question(p, n) != cases[i].want)
			fail_msg("case %zu (%s): want %d", i, cases[i].hex, cases[i].want);
	}
	testlib_guard_deinit(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_example),
		cmocka_unit_test(test_query_names),
		cmocka_unit_test(test_query_rejects),
		cmocka_unit_test(test_query_edns),
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_pointer_chain),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_parse_partial),
		cmocka_unit_test(test_parse_mutations),
		cmocka_unit_test(test_error_without_question),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
