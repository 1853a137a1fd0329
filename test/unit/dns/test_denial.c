/* test_denial -- the NSEC and NSEC3 proofs over the example responses of the RFCs, each beside a
 * tampered variant that must fail with its reason.
 *
 * NSEC3: the zone of RFC 5155 Appendix A (salt aabbccdd, 12 iterations, every NSEC3 with the Opt-Out
 * flag) and the responses of its Appendix B: B.1 name error, B.2 no data, B.2.1 no data at an empty
 * non-terminal, B.3 (the DS of an unsigned delegation in an Opt-Out span), B.4 wildcard expansion,
 * B.5 wildcard no data. The owner hashes are the appendix's (and test_nsec3_hash recomputes some).
 * NSEC: the zone of RFC 4035 Appendix A and the responses of its Appendix B: B.2 name error, B.3 no
 * data, B.6 wildcard expansion, B.7 wildcard no data, plus an empty non-terminal (RFC 7129 3).
 * Messages are built with testlib's builder and parsed where they end at a PROT_NONE page. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dns/denial.h"
#include "dns/dnssec.h"
#include "dns/dnstab.h"
#include "dns/wire.h"
#include "lib/buf.h"
#include "lib/errors.h"
#include "testlib.h"

enum { T_A = 1, T_NS = 2, T_CNAME = 5, T_MX = 15, T_AAAA = 28, T_DS = 43, T_NSEC = 47, T_NSEC3 = 50,
       T_RRSIG = 46, CLASS_IN = 1, RCODE_NXDOMAIN = 3 };

/* ------------------------------------------------------------------------------------------------
 * Building the responses */

static testlib_msg_t msg;
static testlib_guard_t guard;
static wire_rr_t rrs[512];
static wire_msg_t parsed;

static void begin(const char *qname, uint16_t qtype, unsigned rcode)
{
	testlib_msg_init(&msg, 0x1234, TESTLIB_QR | TESTLIB_AA | rcode);
	testlib_msg_question(&msg, qname, qtype, CLASS_IN);
}

/* A type bitmap (RFC 4034 4.1.2) of the mnemonics in `types` ("A RRSIG NSEC"; "" for none). */
static size_t bitmap(const char *types, uint8_t *out)
{
	uint8_t map[256][32];
	size_t used[256] = {0};
	memset(map, 0, sizeof(map));
	char tmp[256];
	snprintf(tmp, sizeof(tmp), "%s", types);
	for (char *save = NULL, *t = strtok_r(tmp, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		uint16_t type;
		if (!dnstab_type_from_name(t, &type))
			fail_msg("unknown type %s", t);
		map[type >> 8][(type & 0xff) >> 3] |= (uint8_t)(0x80 >> (type & 7));
		if (((type & 0xff) >> 3) + 1u > used[type >> 8])
			used[type >> 8] = ((type & 0xff) >> 3) + 1u;
	}
	size_t n = 0;
	for (size_t w = 0; w < 256; w++) {
		if (used[w] == 0)
			continue;
		out[n++] = (uint8_t)w;
		out[n++] = (uint8_t)used[w];
		memcpy(out + n, map[w], used[w]);
		n += used[w];
	}
	return n;
}

static uint16_t nsec_class = CLASS_IN;

static void add_nsec(const char *owner, const char *next, const char *types)
{
	uint8_t rd[600];
	size_t n = testlib_name(next, rd);
	n += bitmap(types, rd + n);
	testlib_msg_rr(&msg, TESTLIB_AUTHORITY, owner, T_NSEC, nsec_class, 3600, rd, n);
}

static size_t unb32hex(const char *s, uint8_t *out)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t n = 0;
	for (; *s; s++) {
		int v = *s >= '0' && *s <= '9' ? *s - '0' : (*s | 0x20) - 'a' + 10;
		acc = acc << 5 | (uint32_t)v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	return n;
}

/* NSEC3 parameters for the next records; the appendix's by default. */
static struct {
	uint8_t alg, flags;
	unsigned iterations;
	const char *salt;
	int hash_len;       /* -1: the next hash's own length */
} n3 = { 1, 1, 12, "aabbccdd", -1 };

static void n3_default(void)
{
	n3.alg = 1;
	n3.flags = 1;
	n3.iterations = 12;
	n3.salt = "aabbccdd";
	n3.hash_len = -1;
}

static void add_nsec3_in(const char *zone, const char *hash, const char *next, const char *types)
{
	uint8_t rd[600];
	size_t n = 0;
	rd[n++] = n3.alg;
	rd[n++] = n3.flags;
	rd[n++] = (uint8_t)(n3.iterations >> 8);
	rd[n++] = (uint8_t)n3.iterations;
	size_t sl = testlib_unhex(n3.salt, rd + n + 1, 255);
	rd[n] = (uint8_t)sl;
	n += 1 + sl;
	size_t hl = unb32hex(next, rd + n + 1);
	rd[n] = (uint8_t)(n3.hash_len >= 0 ? (size_t)n3.hash_len : hl);
	n += 1 + (n3.hash_len >= 0 ? (size_t)n3.hash_len : hl);
	n += bitmap(types, rd + n);
	char owner[300];
	snprintf(owner, sizeof(owner), "%s.%s", hash, zone);
	testlib_msg_rr(&msg, TESTLIB_AUTHORITY, owner, T_NSEC3, CLASS_IN, 3600, rd, n);
}

/* The NSEC3 chain of RFC 5155 Appendix A, in hash order (the name each hash is of in brackets). */
static const struct {
	const char *hash, *next, *types;
} zone5155[] = {
	{ "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom", "2t7b4g4vsa5smi47k61mv5bv1a22bojr",
	  "MX DNSKEY NS SOA NSEC3PARAM RRSIG" },                              /* 0 example */
	{ "2t7b4g4vsa5smi47k61mv5bv1a22bojr", "2vptu5timamqttgl4luu9kg21e0aor3s", "A RRSIG" }, /* 1 ns1 */
	{ "2vptu5timamqttgl4luu9kg21e0aor3s", "35mthgpgcu1qg68fab165klnsnk3dpvl", "MX RRSIG" }, /* 2 x.y.w */
	{ "35mthgpgcu1qg68fab165klnsnk3dpvl", "b4um86eghhds6nea196smvmlo4ors995", "NS DS RRSIG" }, /* 3 a */
	{ "b4um86eghhds6nea196smvmlo4ors995", "gjeqe526plbf1g8mklp59enfd789njgi", "MX RRSIG" }, /* 4 x.w */
	{ "gjeqe526plbf1g8mklp59enfd789njgi", "ji6neoaepv8b5o6k4ev33abha8ht9fgc",
	  "A HINFO AAAA RRSIG" },                                             /* 5 ai */
	{ "ji6neoaepv8b5o6k4ev33abha8ht9fgc", "k8udemvp1j2f7eg6jebps17vp3n8i58h", "" }, /* 6 y.w (ENT) */
	{ "k8udemvp1j2f7eg6jebps17vp3n8i58h", "kohar7mbb8dc2ce8a9qvl8hon4k53uhi", "" }, /* 7 w (ENT) */
	{ "kohar7mbb8dc2ce8a9qvl8hon4k53uhi", "q04jkcevqvmu85r014c7dkba38o0ji5r", "A RRSIG" },
	                                                     /* 8 2t7b4g4vsa5smi47k61mv5bv1a22bojr */
	{ "q04jkcevqvmu85r014c7dkba38o0ji5r", "r53bq7cc2uvmubfu5ocmm6pers9tk9en", "A RRSIG" }, /* 9 ns2 */
	{ "r53bq7cc2uvmubfu5ocmm6pers9tk9en", "t644ebqk9bibcna874givr6joj62mlhv", "MX RRSIG" }, /* 10 *.w */
	{ "t644ebqk9bibcna874givr6joj62mlhv", "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom",
	  "A HINFO AAAA RRSIG" },                                             /* 11 xx */
};

static void add_n3(int i)
{
	add_nsec3_in("example.", zone5155[i].hash, zone5155[i].next, zone5155[i].types);
}

/* A list of zone5155 indices, ended by -1. */
static void add_n3s(const int *idx)
{
	for (; *idx >= 0; idx++)
		add_n3(*idx);
}

static dnssec_budget_t budget;
static bool use_budget;

static denial_result_t run_in(denial_claim_t claim, const char *name, uint16_t qtype,
                              uint8_t labels, const char *apex)
{
	const uint8_t *p = testlib_guard_put(&guard, msg.b, msg.len);
	assert_int_equal(wire_parse(p, msg.len, rrs, 512, &parsed), 0);
	uint8_t nw[255], aw[255];
	denial_query_t q = {
		.claim = claim,
		.name = nw,
		.name_len = testlib_name(name, nw),
		.qtype = qtype,
		.qclass = CLASS_IN,
		.apex = aw,
		.apex_len = testlib_name(apex, aw),
		.labels = labels,
		.budget = use_budget ? &budget : NULL,
	};
	denial_result_t r;
	assert_int_equal(denial_check(&parsed, &q, &r), 0);
	return r;
}

static denial_result_t run(denial_claim_t claim, const char *name, uint16_t qtype, uint8_t labels)
{
	return run_in(claim, name, qtype, labels, "example.");
}

/* A response for `name` `qtype` (NXDOMAIN for that claim, else NOERROR) with the zone5155 records
 * `idx`, checked against `claim`. */
static denial_result_t n3_prove(denial_claim_t claim, const char *name, uint16_t qtype,
                                uint8_t labels, const int *idx)
{
	begin(name, qtype, claim == DENIAL_CLAIM_NXDOMAIN ? RCODE_NXDOMAIN : 0);
	add_n3s(idx);
	return run(claim, name, qtype, labels);
}

/* The same with zone5155's record i alone, owned in `zone` and with the bitmap `types` instead of
 * its own. */
static denial_result_t n3_prove_as(denial_claim_t claim, const char *name, uint16_t qtype, int i,
                                   const char *zone, const char *types)
{
	begin(name, qtype, claim == DENIAL_CLAIM_NXDOMAIN ? RCODE_NXDOMAIN : 0);
	add_nsec3_in(zone, zone5155[i].hash, zone5155[i].next, types);
	return run(claim, name, qtype, 0);
}

/* The same with NSEC records, "owner next types" each, split by ';'
 * ("b.example. ns1.example. NS RRSIG NSEC; example. a.example. NS SOA"). */
static denial_result_t nsec_prove(denial_claim_t claim, const char *name, uint16_t qtype,
                                  uint8_t labels, const char *records)
{
	begin(name, qtype, claim == DENIAL_CLAIM_NXDOMAIN ? RCODE_NXDOMAIN : 0);
	char tmp[512];
	snprintf(tmp, sizeof(tmp), "%s", records);
	for (char *save = NULL, *rec = strtok_r(tmp, ";", &save); rec;
	     rec = strtok_r(NULL, ";", &save)) {
		char owner[256], next[256];
		int used = 0;
		if (sscanf(rec, " %255s %255s %n", owner, next, &used) != 2)
			fail_msg("bad NSEC record \"%s\"", rec);
		add_nsec(owner, next, rec + used);
	}
	return run(claim, name, qtype, labels);
}

static char *describe(const denial_result_t *r)
{
	static char s[1024];
	buf_t b = BUF_INIT;
	assert_int_equal(denial_describe(&parsed, r, &b), 0);
	snprintf(s, sizeof(s), "%s", buf_str(&b));
	buf_free(&b);
	return s;
}

#define expect(r, want)                                                                            \
	do {                                                                                       \
		denial_result_t r_ = (r);                                                          \
		if (r_.reason != (want))                                                           \
			fail_msg("line %d: got \"%s\", want \"%s\" (%s)", __LINE__,                \
			         denial_reason_name(r_.reason), denial_reason_name(want),         \
			         describe(&r_));                                                   \
	} while (0)

static int setup(void **state)
{
	(void)state;
	testlib_guard_init(&guard, sizeof(msg.b));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	testlib_guard_deinit(&guard);
	return 0;
}

static int each(void **state)
{
	(void)state;
	n3_default();
	use_budget = false;
	nsec_class = CLASS_IN;
	return 0;
}

/* ------------------------------------------------------------------------------------------------
 * The hash */

static void test_nsec3_hash(void **state)
{
	(void)state;
	static const struct {
		const char *name, *hash;
	} v[] = {
		{ "example.", "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom" },
		{ "a.example.", "35mthgpgcu1qg68fab165klnsnk3dpvl" },
		{ "*.w.example.", "r53bq7cc2uvmubfu5ocmm6pers9tk9en" },
		{ "X.Y.W.Example.", "2vptu5timamqttgl4luu9kg21e0aor3s" },   /* canonical: lowercased */
		{ "2t7b4g4vsa5smi47k61mv5bv1a22bojr.example.", "kohar7mbb8dc2ce8a9qvl8hon4k53uhi" },
	};
	const uint8_t salt[] = { 0xaa, 0xbb, 0xcc, 0xdd };
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint8_t w[255], h[20], want[20];
		size_t n = testlib_name(v[i].name, w);
		assert_int_equal(dnssec_nsec3_hash(w, n, salt, 4, 12, NULL, h), 0);
		assert_int_equal(unb32hex(v[i].hash, want), 20);
		assert_memory_equal(h, want, 20);
	}
	dnssec_budget_t b;
	dnssec_budget_init(&b, 0);
	uint8_t w[255], h[20];
	size_t n = testlib_name("example.", w);
	assert_int_equal(dnssec_nsec3_hash(w, n, salt, 4, 1000, &b, h), NSP_ERANGE);
	assert_int_equal(b.spent, DNSSEC_LIMIT_NSEC3_ITERATIONS);
	assert_int_equal(dnssec_nsec3_hash(NULL, n, salt, 4, 1, NULL, h), NSP_EINVAL);
	assert_int_equal(dnssec_nsec3_hash(w, 0, salt, 4, 1, NULL, h), NSP_EINVAL);
}

/* ------------------------------------------------------------------------------------------------
 * NSEC3: RFC 5155 Appendix B */

/* B.1: a.c.x.w.example: closest encloser x.w.example (b4um..), next closer c.x.w.example covered by
 * 0p9m..-2t7b.., wildcard *.x.w.example covered by 35mt..-b4um.. */
static void test_b1_name_error(void **state)
{
	(void)state;
	static const int proof[] = { 0, 4, 3, -1 };
	denial_result_t r = n3_prove(DENIAL_CLAIM_NXDOMAIN, "a.c.x.w.example.", T_A, 0, proof);
	expect(r, DENIAL_OPT_OUT);   /* the appendix's records carry Opt-Out */
	assert_int_equal(r.kind, DENIAL_KIND_NSEC3);
	assert_int_equal(r.hashes, 4);
	uint8_t ce[255];
	size_t cel = testlib_name("x.w.example.", ce);
	assert_int_equal(r.encloser_len, cel);
	assert_memory_equal(r.encloser, ce, cel);

	n3.flags = 0;   /* the same proof without Opt-Out is a proof */
	expect(n3_prove(DENIAL_CLAIM_NXDOMAIN, "a.c.x.w.example.", T_A, 0, proof), DENIAL_OK);
	expect(run(DENIAL_CLAIM_NXDOMAIN, "A.C.X.W.EXAMPLE.", T_A, 0), DENIAL_OK);

	/* tampered: without the wildcard's cover */
	static const int no_wild[] = { 0, 4, -1 };
	r = n3_prove(DENIAL_CLAIM_NXDOMAIN, "a.c.x.w.example.", T_A, 0, no_wild);
	expect(r, DENIAL_WILDCARD_NOT_DENIED);
	assert_string_equal(describe(&r), "wildcard not denied: *.x.w.example. "
	                                  "(hash 92pqneegtaue7pjatc3l3qnk738c6v5m)");
	/* without the next closer's cover */
	static const int no_nc[] = { 4, 3, -1 };
	r = n3_prove(DENIAL_CLAIM_NXDOMAIN, "a.c.x.w.example.", T_A, 0, no_nc);
	expect(r, DENIAL_NEXT_CLOSER);
	assert_string_equal(describe(&r), "next closer name not covered: c.x.w.example. "
	                                  "(hash 0va5bpr2ou0vk0lbqeeljri88laipsfh)");
	/* without any ancestor's match */
	static const int no_ce[] = { 3, 9, -1 };
	expect(n3_prove(DENIAL_CLAIM_NXDOMAIN, "a.c.x.w.example.", T_A, 0, no_ce),
	       DENIAL_NO_CLOSEST_ENCLOSER);
	/* the name exists: x.w.example matches b4um.. */
	r = n3_prove(DENIAL_CLAIM_NXDOMAIN, "x.w.example.", T_A, 0, proof);
	expect(r, DENIAL_NAME_EXISTS);
	assert_string_equal(describe(&r), "the name exists: x.w.example. "
	                                  "(hash b4um86eghhds6nea196smvmlo4ors995) "
	                                  "(NSEC3 b4um86eghhds6nea196smvmlo4ors995.example. "
	                                  "next gjeqe526plbf1g8mklp59enfd789njgi)");
	/* the wildcard exists: a.b.w.example's closest encloser w.example has *.w.example */
	static const int wild_exists[] = { 7, 9, 10, -1 };
	r = n3_prove(DENIAL_CLAIM_NXDOMAIN, "a.b.w.example.", T_A, 0, wild_exists);
	expect(r, DENIAL_WILDCARD_NOT_DENIED);
	assert_string_equal(describe(&r), "wildcard not denied: *.w.example. "
	                                  "(hash r53bq7cc2uvmubfu5ocmm6pers9tk9en) "
	                                  "(NSEC3 r53bq7cc2uvmubfu5ocmm6pers9tk9en.example. "
	                                  "next t644ebqk9bibcna874givr6joj62mlhv)");
	/* a hash equal to a record's next hash is not covered by it: a.ns2.example's next closer
	 * ns2.example (q04j..) is where koha..-q04j.. ends */
	static const int ends[] = { 0, 8, -1 };
	expect(n3_prove(DENIAL_CLAIM_NXDOMAIN, "a.ns2.example.", T_A, 0, ends), DENIAL_NEXT_CLOSER);
}

/* B.2: ns1.example MX: 2t7b.. matches with A RRSIG. */
static void test_b2_no_data(void **state)
{
	(void)state;
	static const int proof[] = { 1, -1 };
	expect(n3_prove(DENIAL_CLAIM_NODATA, "ns1.example.", T_MX, 0, proof), DENIAL_OK);
	expect(run(DENIAL_CLAIM_NODATA, "NS1.example.", T_MX, 0), DENIAL_OK);
	/* tampered: the type asked for is in the bitmap */
	denial_result_t r = run(DENIAL_CLAIM_NODATA, "ns1.example.", T_A, 0);
	expect(r, DENIAL_TYPE_PRESENT);
	assert_string_equal(describe(&r), "type present in the bitmap: ns1.example. "
	                                  "(hash 2t7b4g4vsa5smi47k61mv5bv1a22bojr) "
	                                  "(NSEC3 2t7b4g4vsa5smi47k61mv5bv1a22bojr.example. "
	                                  "next 2vptu5timamqttgl4luu9kg21e0aor3s)");
	/* a bitmap with CNAME */
	expect(n3_prove_as(DENIAL_CLAIM_NODATA, "ns1.example.", T_MX, 1, "example.", "A CNAME RRSIG"),
	       DENIAL_CNAME_PRESENT);
	/* a record of another name does not prove it (ns2.example's q04j..) */
	static const int other[] = { 9, -1 };
	expect(n3_prove(DENIAL_CLAIM_NODATA, "ns1.example.", T_MX, 0, other),
	       DENIAL_NO_CLOSEST_ENCLOSER);
	/* an unknown hash algorithm and unknown flags make the record unusable (RFC 5155 8.1, 8.2) */
	n3.alg = 2;
	expect(n3_prove(DENIAL_CLAIM_NODATA, "ns1.example.", T_MX, 0, proof), DENIAL_NO_PROOF);
	n3_default();
	n3.flags = 0x03;
	expect(n3_prove(DENIAL_CLAIM_NODATA, "ns1.example.", T_MX, 0, proof), DENIAL_NO_PROOF);
	/* records outside the zone are ignored */
	n3_default();
	expect(n3_prove_as(DENIAL_CLAIM_NODATA, "ns1.example.", T_MX, 1, "example.org.", "A RRSIG"),
	       DENIAL_NO_PROOF);
	/* and so are those of a zone below it */
	expect(n3_prove_as(DENIAL_CLAIM_NODATA, "ns1.example.", T_MX, 1, "sub.example.", "A RRSIG"),
	       DENIAL_NO_PROOF);
}

/* B.2.1: y.w.example A: ji6n.. matches with an empty bitmap. */
static void test_b21_empty_non_terminal(void **state)
{
	(void)state;
	static const int proof[] = { 6, -1 };
	expect(n3_prove(DENIAL_CLAIM_NODATA, "y.w.example.", T_A, 0, proof), DENIAL_OK);
	/* tampered: the name is claimed not to exist */
	expect(run(DENIAL_CLAIM_NXDOMAIN, "y.w.example.", T_A, 0), DENIAL_NAME_EXISTS);
	/* the bitmap lies: A */
	expect(n3_prove_as(DENIAL_CLAIM_NODATA, "y.w.example.", T_A, 6, "example.", "A"),
	       DENIAL_TYPE_PRESENT);
}

/* B.3's delegation b.example has no NSEC3 of its own: its DS is denied by the Opt-Out span
 * gjeq..-ji6n.. covering it, below the closest encloser example (RFC 5155 8.6). */
static void test_b3_ds_opt_out(void **state)
{
	(void)state;
	static const int proof[] = { 0, 5, -1 };
	expect(n3_prove(DENIAL_CLAIM_NODATA, "b.example.", T_DS, 0, proof), DENIAL_OPT_OUT);
	/* without Opt-Out the span proves b.example does not exist, not that it lacks a DS */
	n3.flags = 0;
	expect(n3_prove(DENIAL_CLAIM_NODATA, "b.example.", T_DS, 0, proof), DENIAL_NO_MATCH);
	/* a.example is a signed delegation: its NSEC3 has NS DS */
	static const int a[] = { 3, -1 };
	n3_default();
	expect(n3_prove(DENIAL_CLAIM_NODATA, "a.example.", T_DS, 0, a), DENIAL_TYPE_PRESENT);
	/* the parent's NSEC3 of the delegation proves nothing for another type */
	expect(run(DENIAL_CLAIM_NODATA, "a.example.", T_MX, 0), DENIAL_ZONE_CUT);
	/* nor for a name below it */
	static const int below[] = { 3, 4, -1 };
	expect(n3_prove(DENIAL_CLAIM_NXDOMAIN, "ns1.a.example.", T_A, 0, below), DENIAL_ZONE_CUT);
	/* without the DS bit, the DS is denied */
	expect(n3_prove_as(DENIAL_CLAIM_NODATA, "a.example.", T_DS, 3, "example.", "NS RRSIG"),
	       DENIAL_OK);
	/* the apex's record (SOA) cannot deny the apex's DS: that lives in the parent */
	static const int apex[] = { 0, -1 };
	expect(n3_prove(DENIAL_CLAIM_NODATA, "example.", T_DS, 0, apex), DENIAL_ZONE_CUT);
}

/* B.4: a.z.w.example MX from *.w.example (labels 2): the next closer z.w.example is covered by
 * q04j..-r53b.. */
static void test_b4_wildcard(void **state)
{
	(void)state;
	static const int proof[] = { 9, -1 };
	expect(n3_prove(DENIAL_CLAIM_WILDCARD, "a.z.w.example.", T_MX, 2, proof), DENIAL_OPT_OUT);
	n3.flags = 0;
	expect(n3_prove(DENIAL_CLAIM_WILDCARD, "a.z.w.example.", T_MX, 2, proof), DENIAL_OK);
	/* tampered: no proof at all */
	begin("a.z.w.example.", T_MX, 0);
	expect(run(DENIAL_CLAIM_WILDCARD, "a.z.w.example.", T_MX, 2), DENIAL_NO_PROOF);
	/* a proof of another span */
	static const int other[] = { 8, -1 };
	expect(n3_prove(DENIAL_CLAIM_WILDCARD, "a.z.w.example.", T_MX, 2, other),
	       DENIAL_NEXT_CLOSER);
	/* labels tampered to 1 (*.example): the next closer w.example (k8ud..) is not covered */
	expect(n3_prove(DENIAL_CLAIM_WILDCARD, "a.z.w.example.", T_MX, 1, proof),
	       DENIAL_NEXT_CLOSER);
	/* labels above the apex, or leaving nothing expanded */
	expect(run(DENIAL_CLAIM_WILDCARD, "a.z.w.example.", T_MX, 0), DENIAL_WILDCARD_ENCLOSER);
	expect(run(DENIAL_CLAIM_WILDCARD, "a.z.w.example.", T_MX, 4), DENIAL_WILDCARD_ENCLOSER);
	/* replayed onto a name that exists: x.w.example (b4um..) */
	static const int exists[] = { 4, 9, -1 };
	expect(n3_prove(DENIAL_CLAIM_WILDCARD, "x.w.example.", T_MX, 2, exists),
	       DENIAL_NAME_EXISTS);
	/* the last record wraps round to the first: t644..-0p9m.. covers a.c.x.w.example (06pj..), the
	 * next closer of an expansion of *.c.x.w.example (labels 4), and not z.w.example (qlu7..) */
	static const int last[] = { 11, -1 };
	n3.flags = 0;
	expect(n3_prove(DENIAL_CLAIM_WILDCARD, "a.c.x.w.example.", T_MX, 4, last), DENIAL_OK);
	expect(run(DENIAL_CLAIM_WILDCARD, "a.z.w.example.", T_MX, 2), DENIAL_NEXT_CLOSER);
	/* the wildcard itself asked for is not an expansion */
	begin("*.w.example.", T_MX, 0);
	expect(run(DENIAL_CLAIM_WILDCARD, "*.w.example.", T_MX, 2), DENIAL_OK);
}

/* B.5: a.z.w.example AAAA: closest encloser w.example (k8ud..), next closer z.w.example covered
 * (q04j..), *.w.example (r53b..) matches with MX RRSIG. */
static void test_b5_wildcard_no_data(void **state)
{
	(void)state;
	static const int proof[] = { 7, 9, 10, -1 };
	expect(n3_prove(DENIAL_CLAIM_NODATA, "a.z.w.example.", T_AAAA, 0, proof), DENIAL_OPT_OUT);
	n3.flags = 0;
	expect(n3_prove(DENIAL_CLAIM_NODATA, "a.z.w.example.", T_AAAA, 0, proof), DENIAL_OK);
	/* tampered: the wildcard has the type */
	denial_result_t r = run(DENIAL_CLAIM_NODATA, "a.z.w.example.", T_MX, 0);
	expect(r, DENIAL_TYPE_PRESENT);
	assert_string_equal(describe(&r), "type present in the bitmap: *.w.example. "
	                                  "(hash r53bq7cc2uvmubfu5ocmm6pers9tk9en) "
	                                  "(NSEC3 r53bq7cc2uvmubfu5ocmm6pers9tk9en.example. "
	                                  "next t644ebqk9bibcna874givr6joj62mlhv)");
	/* without the wildcard's record */
	static const int no_wild[] = { 7, 9, -1 };
	expect(n3_prove(DENIAL_CLAIM_NODATA, "a.z.w.example.", T_AAAA, 0, no_wild),
	       DENIAL_NO_MATCH);
}

/* The budget: 1000 iterations, and more hashes than a probe may compute. */
static void test_nsec3_budget(void **state)
{
	(void)state;
	static const int proof[] = { 1, -1 };
	n3.iterations = 1000;
	denial_result_t r = n3_prove(DENIAL_CLAIM_NODATA, "ns1.example.", T_MX, 0, proof);
	expect(r, DENIAL_WORK_LIMIT);
	assert_int_equal(r.limit, DNSSEC_LIMIT_NSEC3_ITERATIONS);
	assert_int_equal(r.hashes, 0);
	/* a name 9 labels below the zone's known names needs more than 8 hashes */
	n3_default();
	static const int b1[] = { 0, 4, 3, -1 };
	r = n3_prove(DENIAL_CLAIM_NXDOMAIN, "a.b.c.d.e.f.g.h.i.x.w.example.", T_A, 0, b1);
	expect(r, DENIAL_WORK_LIMIT);
	assert_int_equal(r.limit, DNSSEC_LIMIT_NSEC3_HASHES);
	assert_int_equal(r.hashes, DNSSEC_MAX_NSEC3_HASHES);
	assert_non_null(strstr(describe(&r), "[more than 8 NSEC3 hashes]"));
	/* the probe's budget is shared: B.1 needs 4 hashes, so the third check of one budget fails */
	use_budget = true;
	dnssec_budget_init(&budget, 0);
	expect(n3_prove(DENIAL_CLAIM_NXDOMAIN, "a.c.x.w.example.", T_A, 0, b1), DENIAL_OPT_OUT);
	expect(run(DENIAL_CLAIM_NXDOMAIN, "a.c.x.w.example.", T_A, 0), DENIAL_OPT_OUT);
	expect(run(DENIAL_CLAIM_NXDOMAIN, "a.c.x.w.example.", T_A, 0), DENIAL_WORK_LIMIT);
}

static void test_nsec3_malformed(void **state)
{
	(void)state;
	static const int proof[] = { 1, -1 };
	/* a hash of 19 octets */
	n3.hash_len = 19;
	denial_result_t r = n3_prove(DENIAL_CLAIM_NODATA, "ns1.example.", T_MX, 0, proof);
	expect(r, DENIAL_MALFORMED);
	assert_int_equal(r.rr, 0);
	/* an owner label that is not base32hex */
	n3_default();
	begin("ns1.example.", T_MX, 0);
	add_nsec3_in("example.", "2t7b4g4vsa5smi47k61mv5bv1a22bojw", zone5155[1].next, "A");
	expect(run(DENIAL_CLAIM_NODATA, "ns1.example.", T_MX, 0), DENIAL_MALFORMED);
	/* a bitmap window of length 0, and rdata cut short */
	static const uint8_t bad_bitmap[] = { 1, 0, 0, 12, 4, 0xaa, 0xbb, 0xcc, 0xdd, 20,
	                                      0x14, 0xfa, 0x3c, 0xbd, 0x62, 0x27, 0x5b, 0x9f, 0x60, 0x55,
	                                      0x3d, 0x8d, 0x25, 0xfb, 0xd6, 0x3e, 0x13, 0x34, 0xaf, 0x9b,
	                                      0, 0 };
	begin("ns1.example.", T_MX, 0);
	testlib_msg_rr(&msg, TESTLIB_AUTHORITY, "2t7b4g4vsa5smi47k61mv5bv1a22bojr.example.", T_NSEC3,
	               CLASS_IN, 3600, bad_bitmap, sizeof(bad_bitmap));
	expect(run(DENIAL_CLAIM_NODATA, "ns1.example.", T_MX, 0), DENIAL_MALFORMED);
	begin("ns1.example.", T_MX, 0);
	testlib_msg_rr(&msg, TESTLIB_AUTHORITY, "2t7b4g4vsa5smi47k61mv5bv1a22bojr.example.", T_NSEC3,
	               CLASS_IN, 3600, bad_bitmap, 20);
	expect(run(DENIAL_CLAIM_NODATA, "ns1.example.", T_MX, 0), DENIAL_MALFORMED);
	/* the same bytes with a good bitmap (A) prove it */
	uint8_t good[sizeof(bad_bitmap) + 1];
	memcpy(good, bad_bitmap, sizeof(bad_bitmap));
	good[sizeof(bad_bitmap) - 1] = 1;
	good[sizeof(bad_bitmap)] = 0x40;
	begin("ns1.example.", T_MX, 0);
	testlib_msg_rr(&msg, TESTLIB_AUTHORITY, "2t7b4g4vsa5smi47k61mv5bv1a22bojr.example.", T_NSEC3,
	               CLASS_IN, 3600, good, sizeof(good));
	expect(run(DENIAL_CLAIM_NODATA, "ns1.example.", T_MX, 0), DENIAL_OK);
}

/* ------------------------------------------------------------------------------------------------
 * NSEC: RFC 4035 Appendix B */

/* NSEC cases as data: the records of one response ("owner next types; ..."; "" for none) and the
 * checks on it, the first of which is its question. */
typedef struct {
	denial_claim_t claim;
	const char *name;
	uint16_t qtype;
	uint8_t labels;
	denial_reason_t want;
	const char *said;           /* NULL, or describe()'s text */
} check_t;

typedef struct {
	const char *records;
	check_t checks[3];          /* ended by a NULL name */
} nsec_case_t;

#define NX DENIAL_CLAIM_NXDOMAIN
#define ND DENIAL_CLAIM_NODATA
#define WC DENIAL_CLAIM_WILDCARD
#define APEX_NSEC "example. a.example. NS SOA MX RRSIG NSEC DNSKEY"

static void nsec_cases(const nsec_case_t *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (const check_t *k = c[i].checks; k < c[i].checks + 3 && k->name; k++) {
			denial_result_t r = k == c[i].checks
			        ? nsec_prove(k->claim, k->name, k->qtype, k->labels, c[i].records)
			        : run(k->claim, k->name, k->qtype, k->labels);
			if (r.reason != k->want)
				fail_msg("case %zu, %s (%s): got \"%s\", want \"%s\" (%s)", i, k->name,
				         c[i].records, denial_reason_name(r.reason),
				         denial_reason_name(k->want), describe(&r));
			if (k->said)
				assert_string_equal(describe(&r), k->said);
		}
	}
}

#define NSEC_CASES(t) nsec_cases((t), sizeof(t) / sizeof((t)[0]))

/* B.2: ml.example: b.example-ns1.example covers it; example-a.example covers *.example. */
static void test_nsec_name_error(void **state)
{
	(void)state;
	denial_result_t r = nsec_prove(NX, "ml.example.", T_A, 0,
	                               "b.example. ns1.example. NS RRSIG NSEC; " APEX_NSEC);
	expect(r, DENIAL_OK);
	assert_int_equal(r.kind, DENIAL_KIND_NSEC);
	expect(run(NX, "ML.Example.", T_A, 0), DENIAL_OK);
	static const nsec_case_t cases[] = {
		/* tampered: a signed NSEC that does not cover the name */
		{ "ns1.example. ns2.example. A RRSIG NSEC; " APEX_NSEC,
		  { { NX, "ml.example.", T_A, 0, DENIAL_NOT_COVERED,
		      "NSEC does not cover the name: ml.example." } } },
		/* without the wildcard's cover */
		{ "b.example. ns1.example. NS RRSIG NSEC",
		  { { NX, "ml.example.", T_A, 0, DENIAL_WILDCARD_NOT_DENIED,
		      "wildcard not denied: *.example." } } },
		/* the wrap from the last name to the apex: zz.example after xx.example */
		{ "xx.example. example. A HINFO AAAA RRSIG NSEC; " APEX_NSEC,
		  { { NX, "zz.example.", T_A, 0, DENIAL_OK, NULL } } },
		/* a name that exists, and an empty non-terminal (y.w.example) */
		{ "ns1.example. ns2.example. A RRSIG NSEC",
		  { { NX, "ns1.example.", T_A, 0, DENIAL_NAME_EXISTS, NULL } } },
		{ "x.w.example. x.y.w.example. MX RRSIG NSEC; " APEX_NSEC,
		  { { NX, "y.w.example.", T_A, 0, DENIAL_NAME_EXISTS, NULL } } },
		/* the wildcard at the closest encloser w.example exists */
		{ "*.w.example. x.w.example. MX RRSIG NSEC; " APEX_NSEC,
		  { { NX, "a.b.w.example.", T_A, 0, DENIAL_WILDCARD_NOT_DENIED,
		      "wildcard not denied: *.w.example. (NSEC *.w.example. next x.w.example.)" } } },
		/* below a delegation: b.example's NSEC (NS, no SOA) covers mc.b.example in order only */
		{ "b.example. ns1.example. NS RRSIG NSEC",
		  { { NX, "mc.b.example.", T_A, 0, DENIAL_ZONE_CUT, NULL } } },
		/* NSEC records outside the zone are ignored */
		{ "b.example.org. ns1.example.org. NS RRSIG NSEC",
		  { { NX, "ml.example.", T_A, 0, DENIAL_NO_PROOF, NULL } } },
	};
	NSEC_CASES(cases);
	/* and a bitmap window of length 0 is malformed */
	static const uint8_t bad[] = { 3, 'n', 's', '1', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 0 };
	begin("ml.example.", T_A, RCODE_NXDOMAIN);
	testlib_msg_rr(&msg, TESTLIB_AUTHORITY, "b.example.", T_NSEC, CLASS_IN, 3600, bad, sizeof(bad));
	expect(run(DENIAL_CLAIM_NXDOMAIN, "ml.example.", T_A, 0), DENIAL_MALFORMED);
	/* windows repeated, or out of order */
	static const uint8_t twice[] = { 3, 'n', 's', '1', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0,
	                                 0, 1, 0x40, 0, 1, 0x40 };
	static const uint8_t order[] = { 3, 'n', 's', '1', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0,
	                                 1, 1, 0x40, 0, 1, 0x40 };
	begin("ml.example.", T_A, RCODE_NXDOMAIN);
	testlib_msg_rr(&msg, TESTLIB_AUTHORITY, "b.example.", T_NSEC, CLASS_IN, 3600, twice,
	               sizeof(twice));
	expect(run(DENIAL_CLAIM_NXDOMAIN, "ml.example.", T_A, 0), DENIAL_MALFORMED);
	begin("ml.example.", T_A, RCODE_NXDOMAIN);
	testlib_msg_rr(&msg, TESTLIB_AUTHORITY, "b.example.", T_NSEC, CLASS_IN, 3600, order,
	               sizeof(order));
	expect(run(DENIAL_CLAIM_NXDOMAIN, "ml.example.", T_A, 0), DENIAL_MALFORMED);
}

/* B.3: ns1.example MX: the NSEC of ns1.example has A RRSIG NSEC. */
static void test_nsec_no_data(void **state)
{
	(void)state;
	static const nsec_case_t cases[] = {
		{ "ns1.example. ns2.example. A RRSIG NSEC",
		  { { ND, "ns1.example.", T_MX, 0, DENIAL_OK, NULL },
		    /* tampered: the type is in the bitmap, or CNAME is */
		    { ND, "ns1.example.", T_A, 0, DENIAL_TYPE_PRESENT,
		      "type present in the bitmap: ns1.example. (NSEC ns1.example. next ns2.example.)" } } },
		{ "ns1.example. ns2.example. A CNAME RRSIG NSEC",
		  { { ND, "ns1.example.", T_MX, 0, DENIAL_CNAME_PRESENT, NULL } } },
		/* an NSEC of another name */
		{ "ns2.example. *.w.example. A RRSIG NSEC",
		  { { ND, "ns1.example.", T_MX, 0, DENIAL_NO_MATCH, NULL } } },
		/* empty non-terminal (RFC 7129 3): y.w.example sorts between x.w.example and
		 * x.y.w.example, but not xa.w.example, which it covers with nothing below it */
		{ "x.w.example. x.y.w.example. MX RRSIG NSEC",
		  { { ND, "y.w.example.", T_A, 0, DENIAL_OK, NULL },
		    { ND, "xa.w.example.", T_A, 0, DENIAL_NO_MATCH, NULL } } },
		/* DS at delegations: a.example has DS, b.example has none; an apex NSEC cannot deny DS */
		{ "a.example. ai.example. NS DS RRSIG NSEC",
		  { { ND, "a.example.", T_DS, 0, DENIAL_TYPE_PRESENT, NULL } } },
		{ "b.example. ns1.example. NS RRSIG NSEC",
		  { { ND, "b.example.", T_DS, 0, DENIAL_OK, NULL },
		    { ND, "b.example.", T_A, 0, DENIAL_ZONE_CUT, NULL } } },
		{ APEX_NSEC,
		  { { ND, "example.", T_DS, 0, DENIAL_ZONE_CUT, NULL },
		    { ND, "example.", T_A, 0, DENIAL_OK, NULL } } },
	};
	NSEC_CASES(cases);
}

/* B.6: a.z.w.example MX from *.w.example: x.y.w.example-xx.example covers a.z.w.example and its
 * closest encloser is w.example, the wildcard's. */
static void test_nsec_wildcard(void **state)
{
	(void)state;
	static const nsec_case_t cases[] = {
		{ "x.y.w.example. xx.example. MX RRSIG NSEC",
		  { { WC, "a.z.w.example.", T_MX, 2, DENIAL_OK, NULL },
		    /* tampered: labels 1 claims *.example, whose closest encloser the NSEC does not
		     * show */
		    { WC, "a.z.w.example.", T_MX, 1, DENIAL_WILDCARD_ENCLOSER,
		      "wildcard closest encloser inconsistent: a.z.w.example. "
		      "(NSEC x.y.w.example. next xx.example.)" } } },
		/* no NSEC */
		{ "", { { WC, "a.z.w.example.", T_MX, 2, DENIAL_NO_PROOF, NULL } } },
		/* an NSEC that does not cover it */
		{ "ns1.example. ns2.example. A RRSIG NSEC",
		  { { WC, "a.z.w.example.", T_MX, 2, DENIAL_WILDCARD_NO_PROOF, NULL } } },
		/* replayed onto x.w.example, which exists */
		{ "x.w.example. x.y.w.example. MX RRSIG NSEC",
		  { { WC, "x.w.example.", T_MX, 2, DENIAL_NAME_EXISTS, NULL } } },
	};
	NSEC_CASES(cases);
}

/* B.7: a.z.w.example AAAA: x.y.w.example-xx.example covers it, *.w.example has MX RRSIG NSEC. */
static void test_nsec_wildcard_no_data(void **state)
{
	(void)state;
	static const nsec_case_t cases[] = {
		{ "x.y.w.example. xx.example. MX RRSIG NSEC; *.w.example. x.w.example. MX RRSIG NSEC",
		  { { ND, "a.z.w.example.", T_AAAA, 0, DENIAL_OK, NULL },
		    /* tampered: the wildcard has the type */
		    { ND, "a.z.w.example.", T_MX, 0, DENIAL_TYPE_PRESENT, NULL } } },
		/* without the wildcard's NSEC */
		{ "x.y.w.example. xx.example. MX RRSIG NSEC",
		  { { ND, "a.z.w.example.", T_AAAA, 0, DENIAL_NO_MATCH, NULL } } },
	};
	NSEC_CASES(cases);
}

/* The closest encloser from the next name (RFC 7129 5.5), and the records that are ignored. */
static void test_nsec_encloser_and_filters(void **state)
{
	(void)state;
	/* a.example-b.c.example covers a.c.example, whose closest encloser c.example (an empty
	 * non-terminal) comes from the next name; the same record covers *.c.example */
	denial_result_t r = nsec_prove(DENIAL_CLAIM_NXDOMAIN, "a.c.example.", T_A, 0,
	                               "a.example. b.c.example. A RRSIG NSEC");
	expect(r, DENIAL_OK);
	uint8_t ce[255];
	size_t cel = testlib_name("c.example.", ce);
	assert_int_equal(r.encloser_len, cel);
	assert_memory_equal(r.encloser, ce, cel);
	/* an NSEC whose next name is outside the zone is ignored */
	expect(nsec_prove(DENIAL_CLAIM_NXDOMAIN, "ml.example.", T_A, 0,
	                  "b.example. ns1.example.org. NS RRSIG NSEC; "
	                  "example. a.example. NS SOA MX RRSIG NSEC DNSKEY"), DENIAL_NOT_COVERED);
	/* so is one of another class */
	nsec_class = 3;
	expect(nsec_prove(DENIAL_CLAIM_NXDOMAIN, "ml.example.", T_A, 0,
	                  "b.example. ns1.example. NS RRSIG NSEC; "
	                  "example. a.example. NS SOA MX RRSIG NSEC DNSKEY"), DENIAL_NO_PROOF);
	nsec_class = CLASS_IN;
	/* and an NSEC3 whose parameters differ from the first usable one's: here the only record
	 * covering z.w.example (B.4's next closer) has another salt */
	n3.flags = 0;
	begin("a.z.w.example.", T_MX, 0);
	add_n3(8);
	n3.salt = "01";
	add_n3(9);
	expect(run(DENIAL_CLAIM_WILDCARD, "a.z.w.example.", T_MX, 2), DENIAL_NEXT_CLOSER);
	/* the apex bounds the zone: example.'s records say nothing for the zone w.example */
	n3_default();
	begin("x.w.example.", T_A, 0);
	add_n3(4);
	expect(run(DENIAL_CLAIM_NODATA, "x.w.example.", T_A, 0), DENIAL_OK);
	expect(run_in(DENIAL_CLAIM_NODATA, "x.w.example.", T_A, 0, "w.example."), DENIAL_NO_PROOF);
	begin("x.w.example.", T_A, 0);
	add_nsec("example.", "a.example.", "NS SOA MX RRSIG NSEC DNSKEY");
	add_nsec("x.w.example.", "x.y.w.example.", "MX RRSIG NSEC");
	expect(run_in(DENIAL_CLAIM_NODATA, "x.w.example.", T_A, 0, "w.example."), DENIAL_OK);
}

/* Every byte of B.1's and B.5's messages, and of an NSEC answer, replaced by hostile values: the
 * check reads only through the cursor (ASan and the guard page watch), and answers 0 or
 * NSP_EMALFORMED. */
static void test_hostile_bytes(void **state)
{
	(void)state;
	static const int b1[] = { 0, 4, 3, -1 }, b5[] = { 7, 9, 10, -1 };
	static const uint8_t vals[] = { 0x00, 0x01, 0x14, 0x3f, 0x40, 0xc0, 0xff };
	static testlib_msg_t base;
	size_t checked = 0;
	for (int which = 0; which < 3; which++) {
		begin("a.c.x.w.example.", T_A, RCODE_NXDOMAIN);
		if (which == 0)
			add_n3s(b1);
		else if (which == 1)
			add_n3s(b5);
		else {
			add_nsec("x.y.w.example.", "xx.example.", "MX RRSIG NSEC");
			add_nsec("*.w.example.", "x.w.example.", "MX RRSIG NSEC");
		}
		base = msg;
		for (size_t i = WIRE_HEADER_SIZE; i < base.len; i++) {
			for (size_t v = 0; v < sizeof(vals); v++) {
				memcpy(msg.b, base.b, base.len);
				msg.b[i] = vals[v];
				const uint8_t *p = testlib_guard_put(&guard, msg.b, base.len);
				if (wire_parse(p, base.len, rrs, 512, &parsed) != 0)
					continue;
				for (int c = 0; c < 3; c++) {
					uint8_t nw[255], aw[255];
					denial_query_t q = {
						.claim = (denial_claim_t)c,
						.name = nw,
						.name_len = testlib_name("a.z.w.example.", nw),
						.qtype = T_AAAA,
						.qclass = CLASS_IN,
						.apex = aw,
						.apex_len = testlib_name("example.", aw),
						.labels = 2,
					};
					denial_result_t r;
					int rc = denial_check(&parsed, &q, &r);
					assert_true(rc == 0 || rc == NSP_EMALFORMED);
					if (rc != 0)
						continue;
					checked++;
					buf_t b = BUF_INIT;
					rc = denial_describe(&parsed, &r, &b);
					assert_true(rc == 0 || rc == NSP_EMALFORMED);
					buf_free(&b);
				}
			}
		}
	}
	assert_true(checked > 1000);
}

static void test_api_edges(void **state)
{
	(void)state;
	begin("ns1.example.", T_MX, 0);
	const uint8_t *p = testlib_guard_put(&guard, msg.b, msg.len);
	assert_int_equal(wire_parse(p, msg.len, rrs, 512, &parsed), 0);
	uint8_t nw[255], aw[255];
	denial_query_t q = { .name = nw, .name_len = testlib_name("ns1.example.", nw), .apex = aw,
	                     .apex_len = testlib_name("example.org.", aw), .qclass = CLASS_IN };
	denial_result_t r;
	assert_int_equal(denial_check(&parsed, &q, &r), NSP_EINVAL);   /* name outside the apex */
	q.apex_len = testlib_name("example.", aw);
	assert_int_equal(denial_check(NULL, &q, &r), NSP_EINVAL);
	q.name_len = 3;   /* not one name */
	assert_int_equal(denial_check(&parsed, &q, &r), NSP_EINVAL);
	q.name_len = testlib_name("ns1.example.", nw);
	assert_int_equal(denial_check(&parsed, &q, &r), 0);
	assert_int_equal(r.reason, DENIAL_NO_PROOF);
	assert_int_equal(r.kind, DENIAL_KIND_NONE);
	assert_string_equal(describe(&r), "no NSEC or NSEC3 proof: ns1.example.");
	for (int i = DENIAL_OK; i <= DENIAL_MALFORMED; i++)
		assert_string_not_equal(denial_reason_name((denial_reason_t)i), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_nsec3_hash, each),
		cmocka_unit_test_setup(test_b1_name_error, each),
		cmocka_unit_test_setup(test_b2_no_data, each),
		cmocka_unit_test_setup(test_b21_empty_non_terminal, each),
		cmocka_unit_test_setup(test_b3_ds_opt_out, each),
		cmocka_unit_test_setup(test_b4_wildcard, each),
		cmocka_unit_test_setup(test_b5_wildcard_no_data, each),
		cmocka_unit_test_setup(test_nsec3_budget, each),
		cmocka_unit_test_setup(test_nsec3_malformed, each),
		cmocka_unit_test_setup(test_nsec_name_error, each),
		cmocka_unit_test_setup(test_nsec_no_data, each),
		cmocka_unit_test_setup(test_nsec_wildcard, each),
		cmocka_unit_test_setup(test_nsec_wildcard_no_data, each),
		cmocka_unit_test_setup(test_nsec_encloser_and_filters, each),
		cmocka_unit_test_setup(test_hostile_bytes, each),
		cmocka_unit_test_setup(test_api_edges, each),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
