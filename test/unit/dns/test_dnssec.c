/* test_dnssec -- RRSIG checks replayed over answers captured from Knot (test/data/dnssec/gen.py),
 * judged beforehand by ldns-verify-zone and delv, plus hand-made broken variants of them. Every
 * message is parsed where it ends at a PROT_NONE page. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/buf.h"
#include "dns/dnssec.h"
#include "dns/dnstab.h"
#include "lib/errors.h"
#include "dns/rrtext.h"
#include "dns/wire.h"
#include "testlib.h"

#define CASES_FILE TEST_DATA_DIR "/dnssec/cases.txt"
#define MAX_CASES  128
#define MAX_RRSETS 8

/* ------------------------------------------------------------------------------------------------
 * The captured cases */

typedef struct exp_rrset {
	char owner[256];
	char type[16];
	char reason[32];
	unsigned key_tag, algorithm;
	int64_t inception, expiration;
	int wildcard;
} exp_rrset_t;

typedef struct tcase {
	char id[64];
	int64_t now, min_validity;
	uint8_t *msg, *keys;
	size_t msg_len, keys_len;
	int valid, ok;
	size_t n_rrsets;
	int64_t earliest, latest;
	exp_rrset_t rr[MAX_RRSETS];
	size_t n_rr;
} tcase_t;

static tcase_t cases[MAX_CASES];
static size_t n_cases;

static int load_cases(void **state)
{
	(void)state;
	FILE *f = fopen(CASES_FILE, "r");
	if (!f) {
		fprintf(stderr, "cannot open %s\n", CASES_FILE);
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	tcase_t *c = NULL;
	while ((got = getline(&line, &cap, f)) > 0) {
		if (got > 0 && line[got - 1] == '\n')
			line[--got] = '\0';
		if (strncmp(line, "case ", 5) == 0) {
			if (n_cases >= MAX_CASES)
				return -1;
			c = &cases[n_cases++];
			if (sscanf(line, "case %63s %ld %ld", c->id, &c->now, &c->min_validity) != 3)
				return -1;
		} else if (c && strncmp(line, "msg ", 4) == 0) {
			c->msg = testlib_unhex_new(line + 4, &c->msg_len);
		} else if (c && strncmp(line, "keys ", 5) == 0) {
			c->keys = testlib_unhex_new(line + 5, &c->keys_len);
		} else if (c && strncmp(line, "expect ", 7) == 0) {
			if (sscanf(line, "expect %d %d %zu %ld %ld", &c->valid, &c->ok, &c->n_rrsets,
			           &c->earliest, &c->latest) != 5)
				return -1;
		} else if (c && strncmp(line, "rrset ", 6) == 0) {
			if (c->n_rr >= MAX_RRSETS)
				return -1;
			exp_rrset_t *r = &c->rr[c->n_rr++];
			if (sscanf(line, "rrset %255s %15s %31s %u %u %ld %ld %d", r->owner, r->type,
			           r->reason, &r->key_tag, &r->algorithm, &r->inception, &r->expiration,
			           &r->wildcard) != 8)
				return -1;
			for (char *p = r->reason; *p; p++)
				if (*p == '_')
					*p = ' ';
		}
	}
	free(line);
	fclose(f);
	return n_cases > 0 ? 0 : -1;
}

static void sr_free(void);

static int free_cases(void **state)
{
	(void)state;
	sr_free();
	for (size_t i = 0; i < n_cases; i++) {
		free(cases[i].msg);
		free(cases[i].keys);
	}
	return 0;
}

static const tcase_t *find_case(const char *id)
{
	for (size_t i = 0; i < n_cases; i++)
		if (strcmp(cases[i].id, id) == 0)
			return &cases[i];
	fail_msg("no case %s", id);
	return NULL;
}

/* ------------------------------------------------------------------------------------------------
 * A parsed message whose bytes end just before an inaccessible page (picohttpparser's trick). */

typedef struct pmsg {
	testlib_guard_t g;
	wire_rr_t *rrs;   /* wire_rr_capacity(len) of them: the traps hold thousands */
	wire_msg_t m;
} pmsg_t;

static void pmsg_parse(pmsg_t *p, const uint8_t *bytes, size_t len)
{
	testlib_guard_init(&p->g, len);
	const uint8_t *at = testlib_guard_put(&p->g, bytes, len);
	p->rrs = calloc(wire_rr_capacity(len), sizeof(*p->rrs));
	assert_non_null(p->rrs);
	assert_int_equal(wire_parse(at, len, p->rrs, wire_rr_capacity(len), &p->m), 0);
}

static void pmsg_free(pmsg_t *p)
{
	testlib_guard_deinit(&p->g);
	free(p->rrs);
}

/* An answer and the key set it is checked against, each parsed behind its guard page. */
static void pair_parse(pmsg_t *m, const uint8_t *msg, size_t msg_len, pmsg_t *k, const uint8_t *keys,
                       size_t keys_len)
{
	pmsg_parse(m, msg, msg_len);
	pmsg_parse(k, keys, keys_len);
}

/* The captured case id, its answer parsed. */
static const tcase_t *answer_parse(const char *id, pmsg_t *m)
{
	const tcase_t *c = find_case(id);
	pmsg_parse(m, c->msg, c->msg_len);
	return c;
}

/* The captured case id, its answer and key set parsed. */
static const tcase_t *case_parse(const char *id, pmsg_t *m, pmsg_t *k)
{
	const tcase_t *c = answer_parse(id, m);
	pmsg_parse(k, c->keys, c->keys_len);
	return c;
}

static void pair_free(pmsg_t *m, pmsg_t *k)
{
	pmsg_free(m);
	pmsg_free(k);
}

/* The keys of k at its question name, taken on trust: the RRSIG rules tested on their own (the key
 * set's checks have their tests below). */
static dnssec_keyset_t anchor(const wire_msg_t *k)
{
	uint8_t apex[WIRE_MAX_NAME];
	assert_true(wire_name_read(k, k->question, apex, NULL) > 0);
	dnssec_keyset_t ks;
	assert_int_equal(dnssec_keyset_anchor(k, apex, &ks), 0);
	assert_true(ks.valid);
	assert_true(ks.anchor);
	return ks;
}

static int check(const wire_msg_t *m, const wire_msg_t *k, int64_t now, int64_t minv,
                 dnssec_verdict_t *v, size_t cap, dnssec_result_t *res)
{
	dnssec_opts_t o = { .now = now, .min_validity = minv };
	*res = (dnssec_result_t){ .verdicts = v, .cap = cap };
	dnssec_keyset_t ks = anchor(k);
	return dnssec_check(m, WIRE_ANSWER, &ks, &o, res);
}

/* The key set of k at its question name checked on its own (no DS) at now. */
static dnssec_keyset_t keyset(const wire_msg_t *k, int64_t now)
{
	uint8_t apex[WIRE_MAX_NAME];
	assert_true(wire_name_read(k, k->question, apex, NULL) > 0);
	dnssec_opts_t o = { .now = now };
	dnssec_keyset_t ks;
	assert_int_equal(dnssec_keyset_check(k, apex, NULL, 0, &o, &ks), 0);
	return ks;
}

/* ------------------------------------------------------------------------------------------------
 * Replay of every captured case */

static void test_captured(void **state)
{
	(void)state;
	for (size_t i = 0; i < n_cases; i++) {
		const tcase_t *c = &cases[i];
		pmsg_t m, k;
		pair_parse(&m, c->msg, c->msg_len, &k, c->keys, c->keys_len);
		dnssec_verdict_t v[16];
		dnssec_result_t res;
		print_message("case %s\n", c->id);
		assert_int_equal(check(&m.m, &k.m, c->now, c->min_validity, v, 16, &res), 0);
		assert_int_equal(res.valid, c->valid);
		assert_int_equal(res.ok, c->ok);
		assert_int_equal(res.n_rrsets, c->n_rrsets);
		assert_int_equal(res.n_rrsets, c->n_rr);
		assert_true(res.have_times);
		assert_int_equal(res.earliest_expiry, c->earliest);
		assert_int_equal(res.latest_inception, c->latest);
		for (size_t j = 0; j < c->n_rr; j++) {
			const exp_rrset_t *e = &c->rr[j];
			buf_t owner = BUF_INIT;
			assert_int_equal(rrtext_name(&m.m, v[j].owner, &owner), 0);
			assert_int_equal(strcasecmp(buf_str(&owner), e->owner), 0);
			buf_free(&owner);
			assert_string_equal(dnstab_type_name(v[j].type), e->type);
			assert_string_equal(dnssec_reason_name(v[j].reason), e->reason);
			assert_int_equal(v[j].key_tag, e->key_tag);
			assert_int_equal(v[j].algorithm, e->algorithm);
			assert_int_equal(v[j].inception, e->inception);
			assert_int_equal(v[j].expiration, e->expiration);
			assert_int_equal(v[j].wildcard, e->wildcard);
			assert_int_equal(v[j].n_rrsigs >= 1, 1);
		}
		assert_int_equal(res.first_failure, res.ok ? res.n_rrsets : 0);

		/* the signer is the zone whose DNSKEY answer was captured */
		buf_t signer = BUF_INIT, qname = BUF_INIT;
		assert_int_equal(dnssec_signer(&m.m, WIRE_ANSWER, &signer), 0);
		assert_int_equal(rrtext_name(&k.m, k.m.question, &qname), 0);
		assert_string_equal(buf_str(&signer), buf_str(&qname));
		buf_free(&signer);
		buf_free(&qname);

		/* a key set whose zone validates also validates itself (RFC 4035 5.3.1), checked as a
		 * key set and as an answer against itself */
		dnssec_keyset_t ks = keyset(&k.m, c->now);
		if (c->valid) {
			assert_true(ks.valid);
			assert_int_equal(ks.verdict.type, 48);
			assert_true(ks.n_keys >= 1);
			assert_int_equal(check(&k.m, &k.m, c->now, 0, v, 16, &res), 0);
			assert_true(res.valid);
			assert_int_equal(v[0].type, 48);
		}
		/* the zones broken on purpose: expired and notyet are so in their DNSKEY RRset too;
		 * bogus flipped the RRSIG of www only; nokey dropped the ZSK from the DNSKEY RRset after
		 * signing, so the KSK's RRSIG over it no longer verifies */
		if (strncmp(c->id, "expired-", 8) == 0)
			assert_int_equal(ks.verdict.reason, DNSSEC_EXPIRED);
		else if (strncmp(c->id, "notyet-", 7) == 0)
			assert_int_equal(ks.verdict.reason, DNSSEC_NOT_YET_VALID);
		else if (strncmp(c->id, "nokey-", 6) == 0)
			assert_int_equal(ks.verdict.reason, DNSSEC_BAD_SIGNATURE);
		else
			assert_true(ks.valid);
		pair_free(&m, &k);
	}
}

/* The same answers, other clocks: RRSIG times are serial numbers relative to now (RFC 4034 3.1.5). */
static void test_clock(void **state)
{
	(void)state;
	pmsg_t m, k;
	const tcase_t *c = case_parse("ed-www-A", &m, &k);
	const int64_t inc = c->rr[0].inception, exp = c->rr[0].expiration, wrap = INT64_C(1) << 32;
	enum { EXP, INC, WRAP };   /* the RRSIG's expiration, its inception, the capture's now + 2^32 */
	enum { NONE, LEFT };       /* min_validity: none, or the time left from inception to expiration */
	static const struct {
		int now;
		int64_t add;        /* to now */
		int minv;
		int64_t add_minv;   /* to min_validity */
		dnssec_reason_t reason;
		bool valid, ok;
	} at[] = {
		{ EXP, 0, NONE, 0, DNSSEC_OK, true, true },   /* now == expiration is still valid */
		{ EXP, 1, NONE, 0, DNSSEC_EXPIRED, false, false },
		{ INC, 0, NONE, 0, DNSSEC_OK, true, true },
		{ INC, -1, NONE, 0, DNSSEC_NOT_YET_VALID, false, false },
		/* min_validity: exactly the time left passes, one second more does not */
		{ INC, 0, LEFT, 0, DNSSEC_OK, true, true },
		{ INC, 0, LEFT, 1, DNSSEC_EXPIRING, true, false },
		/* 2^32 s later the same 32-bit values name instants 2^32 s later */
		{ WRAP, 0, NONE, 0, DNSSEC_OK, true, true },
	};
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		int64_t now = (at[i].now == EXP ? exp : at[i].now == INC ? inc : c->now + wrap) + at[i].add;
		int64_t minv = at[i].minv == LEFT ? exp - inc + at[i].add_minv : 0;
		dnssec_verdict_t v[4];
		dnssec_result_t res;
		print_message("clock row %zu\n", i);
		assert_int_equal(check(&m.m, &k.m, now, minv, v, 4, &res), 0);
		assert_int_equal(v[0].reason, at[i].reason);
		assert_int_equal(res.valid, at[i].valid);
		assert_int_equal(res.ok, at[i].ok);
		if (at[i].now == WRAP) {
			assert_int_equal(res.earliest_expiry, exp + wrap);
			assert_int_equal(res.latest_inception, inc + wrap);
		}
	}
	pair_free(&m, &k);
}

/* ------------------------------------------------------------------------------------------------
 * Hand-made variants: a message rebuilt RR by RR (names uncompressed), with edits. */

typedef testlib_msg_t mb_t;

/* Header and question of the original; no RRs yet. */
static void mb_start(mb_t *b, const wire_msg_t *orig)
{
	uint8_t q[WIRE_MAX_NAME];
	int n = wire_name_read(orig, orig->question, q, NULL);
	assert_true(n > 0);
	testlib_msg_init(b, orig->id, orig->flags);
	testlib_msg_question_wire(b, q, (size_t)n, orig->qtype, orig->qclass);
}

/* Appends an answer RR: owner as wire name, rdata bytes given. */
static void mb_rr_raw(mb_t *b, const uint8_t *owner, size_t olen, uint16_t type, uint16_t rclass,
                      uint32_t ttl, const uint8_t *rdata, size_t rdlen)
{
	testlib_msg_rr_wire(b, TESTLIB_ANSWER, owner, olen, type, rclass, ttl, rdata, rdlen);
}

/* Appends rr of m (rdata copied as is: only for types whose rdata holds no compressed names). */
static void mb_rr(mb_t *b, const wire_msg_t *m, const wire_rr_t *rr, const uint8_t *rdata,
                  size_t rdlen)
{
	uint8_t owner[WIRE_MAX_NAME];
	int n = wire_name_read(m, rr->owner, owner, NULL);
	assert_true(n > 0);
	mb_rr_raw(b, owner, (size_t)n, rr->type, rr->rclass, rr->ttl,
	          rdata ? rdata : m->buf + rr->rdata, rdata ? rdlen : rr->rdlen);
}

/* Copies every answer RR of m, calling edit (may be NULL) with a copy of each rdata it may change;
 * edit returns the new rdata length, or 0 to drop the RR. */
typedef size_t (*edit_fn)(const wire_rr_t *rr, uint8_t *rdata, size_t len, void *ctx);

static void mb_copy(mb_t *b, const wire_msg_t *m, edit_fn edit, void *ctx)
{
	mb_start(b, m);
	size_t n;
	const wire_rr_t *rrs = wire_section(m, WIRE_ANSWER, &n);
	for (size_t i = 0; i < n; i++) {
		uint8_t rd[4096];
		size_t len = rrs[i].rdlen;
		assert_true(len <= sizeof(rd) - 64);
		memcpy(rd, m->buf + rrs[i].rdata, len);
		if (edit) {
			len = edit(&rrs[i], rd, len, ctx);
			if (len == 0)
				continue;
		}
		mb_rr(b, m, &rrs[i], rd, len);
	}
}

/* Runs one check of b against keys; returns the first verdict. */
static dnssec_verdict_t run(const mb_t *b, const uint8_t *keys, size_t keys_len, int64_t now,
                            dnssec_result_t *res)
{
	pmsg_t m, k;
	pair_parse(&m, b->b, b->len, &k, keys, keys_len);
	dnssec_verdict_t v[8];
	assert_int_equal(check(&m.m, &k.m, now, 0, v, 8, res), 0);
	dnssec_verdict_t first = v[0];
	pair_free(&m, &k);
	return first;
}

/* b checked against the keys of case c at its time; returns the first verdict. */
static dnssec_verdict_t run_case(const tcase_t *c, const mb_t *b, dnssec_result_t *res)
{
	return run(b, c->keys, c->keys_len, c->now, res);
}

/* The same, for a b that must validate: the first verdict (returned) and the answer are ok. */
static dnssec_verdict_t run_ok(const tcase_t *c, const mb_t *b)
{
	dnssec_result_t res;
	dnssec_verdict_t v = run_case(c, b, &res);
	assert_int_equal(v.reason, DNSSEC_OK);
	assert_true(res.ok);
	return v;
}

/* m (the answer of c) copied RR by RR through edit into b, checked as run_case does. */
static dnssec_verdict_t run_edited(const tcase_t *c, const pmsg_t *m, edit_fn edit, void *ctx,
                                   mb_t *b, dnssec_result_t *res)
{
	mb_copy(b, &m->m, edit, ctx);
	return run_case(c, b, res);
}

static size_t edit_rrsig_len(const wire_rr_t *rr, uint8_t *rd, size_t len, void *ctx)
{
	(void)rd;
	return rr->type == 46 ? *(size_t *)ctx : len;
}

static void test_truncated_rrsig(void **state)
{
	(void)state;
	pmsg_t m;
	const tcase_t *c = answer_parse("ed-www-A", &m);
	/* cut inside the fixed fields, inside the signer name, and right after it (no signature) */
	size_t cuts[] = { 1, 10, 17, 18, 21, 18 + 9 };
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		mb_t b;
		dnssec_result_t res;
		dnssec_verdict_t v = run_edited(c, &m, edit_rrsig_len, &cuts[i], &b, &res);
		/* a 1-byte rdata has no whole type covered: it covers nothing */
		assert_int_equal(v.reason, cuts[i] < 2 ? DNSSEC_MISSING_RRSIG : DNSSEC_MALFORMED);
		assert_false(res.have_times);
		assert_false(res.valid);
	}
	pmsg_free(&m);
}

static size_t drop_rrsig(const wire_rr_t *rr, uint8_t *rd, size_t len, void *ctx)
{
	(void)rd;
	(void)ctx;
	return rr->type == 46 ? 0 : len;
}

static void test_missing_rrsig(void **state)
{
	(void)state;
	pmsg_t m;
	const tcase_t *c = answer_parse("p256-www-A", &m);
	mb_t b;
	dnssec_result_t res;
	dnssec_verdict_t v = run_edited(c, &m, drop_rrsig, NULL, &b, &res);
	assert_int_equal(v.reason, DNSSEC_MISSING_RRSIG);
	assert_int_equal(v.n_rrs, 3);
	assert_int_equal(v.n_rrsigs, 0);
	assert_false(res.have_times);
	assert_false(res.valid);
	buf_t t = BUF_INIT;
	pmsg_t p;
	pmsg_parse(&p, b.b, b.len);
	assert_int_equal(dnssec_verdict_describe(&p.m, &v, &t), 0);
	assert_string_equal(buf_str(&t), "wWw.p256.TeSt. IN A: missing rrsig");
	assert_int_equal(dnssec_signer(&p.m, WIRE_ANSWER, &t), NSP_ENOENT);
	buf_free(&t);
	pmsg_free(&p);
	pmsg_free(&m);
}

/* RRSIG edits: byte offset and value */
typedef struct poke {
	size_t off;
	uint8_t val;
	uint16_t type;   /* RR type to edit */
	int only;        /* edit only the n-th RR of that type (0: all) */
	int seen;
} poke_t;

static size_t edit_poke(const wire_rr_t *rr, uint8_t *rd, size_t len, void *ctx)
{
	poke_t *p = ctx;
	if (rr->type != p->type)
		return len;
	p->seen++;
	if ((p->only == 0 || p->seen == p->only) && p->off < len)
		rd[p->off] = p->val;
	return len;
}

static void test_unknown_algorithm(void **state)
{
	(void)state;
	pmsg_t m;
	const tcase_t *c = answer_parse("ed-www-A", &m);
	poke_t p = { .off = 2, .val = 253, .type = 46 };
	mb_t b;
	dnssec_result_t res;
	dnssec_verdict_t v = run_edited(c, &m, edit_poke, &p, &b, &res);
	assert_int_equal(v.reason, DNSSEC_UNSUPPORTED_ALG);
	assert_int_equal(v.algorithm, 253);
	assert_int_equal(v.key_tag, c->rr[0].key_tag);
	assert_true(res.have_times);   /* the times of an RRSIG we cannot check still count */
	assert_int_equal(res.earliest_expiry, c->earliest);
	assert_false(dnssec_algorithm_supported(253));
	assert_null(dnssec_algorithm_name(253));
	assert_string_equal(dnssec_algorithm_name(13), "ECDSAP256SHA256");
	pmsg_free(&m);
}

static void test_labels(void **state)
{
	(void)state;
	pmsg_t m;
	const tcase_t *c = answer_parse("ed-www-A", &m);
	dnssec_result_t res;
	mb_t b;
	/* more labels than the owner has: inconsistent (RFC 4035 5.3.1) */
	poke_t p = { .off = 3, .val = 4, .type = 46 };
	assert_int_equal(run_edited(c, &m, edit_poke, &p, &b, &res).reason, DNSSEC_BAD_RRSIG);
	/* fewer: checked as a wildcard expansion of *.ed.test, which was not what was signed */
	p = (poke_t){ .off = 3, .val = 2, .type = 46 };
	dnssec_verdict_t v = run_edited(c, &m, edit_poke, &p, &b, &res);
	assert_int_equal(v.reason, DNSSEC_BAD_SIGNATURE);
	assert_true(v.wildcard);
	pmsg_free(&m);
}

/* Owner rename: the signature of a wildcard expansion holds for any name the wildcard covers. */
static void test_wildcard(void **state)
{
	(void)state;
	const char *ids[] = { "p256-wildcard", "rsa-wildcard", "ed448-wildcard" };
	for (size_t i = 0; i < 3; i++) {
		pmsg_t m;
		const tcase_t *c = answer_parse(ids[i], &m);
		assert_int_equal(c->rr[0].wildcard, 1);
		size_t n;
		const wire_rr_t *rrs = wire_section(&m.m, WIRE_ANSWER, &n);
		uint8_t name[WIRE_MAX_NAME];
		int nl = wire_name_read(&m.m, rrs[0].owner, name, NULL);
		assert_true(nl > 4);
		/* "\3foo\4wild..." becomes "\1a\3Bar\4wild..." */
		uint8_t other[WIRE_MAX_NAME];
		memcpy(other, "\001a\003Bar", 6);
		memcpy(other + 6, name + 4, (size_t)nl - 4);
		mb_t b;
		mb_start(&b, &m.m);
		for (size_t j = 0; j < n; j++)
			mb_rr_raw(&b, other, (size_t)nl + 2, rrs[j].type, rrs[j].rclass, rrs[j].ttl,
			          m.m.buf + rrs[j].rdata, rrs[j].rdlen);
		dnssec_verdict_t v = run_ok(c, &b);
		assert_true(v.wildcard);
		pmsg_free(&m);
	}
}

/* The key set, edited: one DNSKEY's rdata replaced; the RRSIG key tag follows it, so that the key
 * is found by tag and rejected for what it is. */
typedef struct keyedit {
	uint16_t tag;                  /* key to edit */
	size_t (*fn)(uint8_t *rd, size_t len);
	uint16_t new_tag;
} keyedit_t;

static size_t edit_key(const wire_rr_t *rr, uint8_t *rd, size_t len, void *ctx)
{
	keyedit_t *e = ctx;
	if (rr->type != 48 || dnssec_key_tag(rd, len) != e->tag)
		return len;
	len = e->fn(rd, len);
	e->new_tag = dnssec_key_tag(rd, len);
	return len;
}

static size_t edit_tag(const wire_rr_t *rr, uint8_t *rd, size_t len, void *ctx)
{
	if (rr->type == 46) {
		uint16_t t = *(uint16_t *)ctx;
		rd[16] = (uint8_t)(t >> 8);
		rd[17] = (uint8_t)t;
	}
	return len;
}

static dnssec_verdict_t run_keyedit(const char *id, size_t (*fn)(uint8_t *, size_t),
                                    dnssec_result_t *res)
{
	pmsg_t m, k;
	const tcase_t *c = case_parse(id, &m, &k);
	keyedit_t e = { .tag = (uint16_t)c->rr[0].key_tag, .fn = fn };
	mb_t kb, mb;
	mb_copy(&kb, &k.m, edit_key, &e);
	assert_true(e.new_tag != 0 || fn == NULL);
	mb_copy(&mb, &m.m, edit_tag, &e.new_tag);
	dnssec_verdict_t v = run(&mb, kb.b, kb.len, c->now, res);
	assert_int_equal(v.key_tag, e.new_tag);
	pair_free(&m, &k);
	return v;
}

/* RFC 3110 2: the exponent length octet 0 announces two length octets; a length of 0 is no key */
static size_t zero_exponent(uint8_t *rd, size_t len)
{
	assert_int_equal(rd[4], 3);   /* Knot's keys: e = 65537 in 3 octets */
	memmove(rd + 4 + 3, rd + 4 + 4, len - 8);
	rd[4] = rd[5] = rd[6] = 0;
	return len - 1;
}

static size_t protocol_2(uint8_t *rd, size_t len)
{
	rd[2] = 2;
	return len;
}

static size_t no_zone_flag(uint8_t *rd, size_t len)
{
	rd[0] &= (uint8_t)~0x01;
	return len;
}

static size_t revoked(uint8_t *rd, size_t len)
{
	rd[1] |= 0x80;
	return len;
}

static size_t short_key(uint8_t *rd, size_t len)
{
	(void)rd;
	return len - 1;
}

static void test_bad_keys(void **state)
{
	(void)state;
	dnssec_result_t res;
	assert_int_equal(run_keyedit("rsa-www-A", zero_exponent, &res).reason, DNSSEC_BAD_KEY);
	assert_int_equal(run_keyedit("rsa512-www-A", zero_exponent, &res).reason, DNSSEC_BAD_KEY);
	assert_int_equal(run_keyedit("p256-www-A", protocol_2, &res).reason, DNSSEC_NO_KEY);
	assert_int_equal(run_keyedit("ed-www-A", no_zone_flag, &res).reason, DNSSEC_NO_KEY);
	assert_int_equal(run_keyedit("ed-www-A", revoked, &res).reason, DNSSEC_NO_KEY);
	assert_int_equal(run_keyedit("p256-www-A", short_key, &res).reason, DNSSEC_BAD_KEY);
	assert_int_equal(run_keyedit("p384-www-A", short_key, &res).reason, DNSSEC_BAD_KEY);
	assert_int_equal(run_keyedit("ed448-www-A", short_key, &res).reason, DNSSEC_BAD_KEY);
	/* a revoked key still signs its own DNSKEY RRset (RFC 5011 2.1): found, then the changed
	 * key set no longer matches the signature */
	assert_int_equal(run_keyedit("ed-DNSKEY", revoked, &res).reason, DNSSEC_BAD_SIGNATURE);
	assert_false(res.valid);
}

/* A point not on the curve: the last octet of y changed */
static size_t off_curve(uint8_t *rd, size_t len)
{
	rd[len - 1] ^= 1;
	return len;
}

static void test_off_curve(void **state)
{
	(void)state;
	dnssec_result_t res;
	assert_int_equal(run_keyedit("p256-www-A", off_curve, &res).reason, DNSSEC_BAD_KEY);
	assert_int_equal(run_keyedit("p384-www-A", off_curve, &res).reason, DNSSEC_BAD_KEY);
}

static void test_keys_of_other_zone(void **state)
{
	(void)state;
	pmsg_t m;
	const tcase_t *c = answer_parse("ed-www-A", &m), *o = find_case("p256-DNSKEY");
	mb_t b;
	mb_copy(&b, &m.m, NULL, NULL);
	dnssec_result_t res;
	assert_int_equal(run(&b, o->keys, o->keys_len, c->now, &res).reason, DNSSEC_NO_KEY);
	pmsg_free(&m);
}

/* Duplicates are dropped, the TTL of the RRs is not the signed one, owner case does not matter. */
static void test_duplicates_ttl(void **state)
{
	(void)state;
	pmsg_t m;
	const tcase_t *c = answer_parse("rsa-www-A", &m);
	size_t n;
	const wire_rr_t *rrs = wire_section(&m.m, WIRE_ANSWER, &n);
	mb_t b;
	mb_start(&b, &m.m);
	/* RRSIG first, RRs reversed with a duplicate, TTLs changed, owner in capitals */
	for (size_t i = n; i-- > 0;) {
		uint8_t owner[WIRE_MAX_NAME];
		int nl = wire_name_read(&m.m, rrs[i].owner, owner, NULL);
		for (int j = 0; j < nl; j++)
			if (owner[j] >= 'a' && owner[j] <= 'z')
				owner[j] = (uint8_t)(owner[j] - 32);
		int times = rrs[i].type == 1 && i == 0 ? 2 : 1;
		while (times--)
			mb_rr_raw(&b, owner, (size_t)nl, rrs[i].type, rrs[i].rclass, 17,
			          m.m.buf + rrs[i].rdata, rrs[i].rdlen);
	}
	dnssec_verdict_t v = run_ok(c, &b);
	assert_int_equal(v.n_rrs, 4);
	pmsg_free(&m);
}

/* Names inside MX and SOA rdata, rewritten uncompressed and in capitals: the canonical form
 * lowercases and uncompresses them (RFC 4034 6.2 item 3), so the signatures still hold. */
static size_t upper_name(const wire_msg_t *m, size_t end, size_t *pos, uint8_t *out)
{
	size_t next;
	int n = cursor_name_unpack(m->buf, end, *pos, out, &next, NULL);
	assert_true(n > 0);
	for (int i = 0; i < n; i++)
		if (out[i] >= 'a' && out[i] <= 'z')
			out[i] = (uint8_t)(out[i] - 32);
	*pos = next;
	return (size_t)n;
}

static void test_rdata_names(void **state)
{
	(void)state;
	const char *ids[] = { "p256-MX", "rsa-SOA", "ed448-cname", "p384-NS" };
	for (size_t t = 0; t < sizeof(ids) / sizeof(ids[0]); t++) {
		pmsg_t m;
		const tcase_t *c = answer_parse(ids[t], &m);
		size_t n;
		const wire_rr_t *rrs = wire_section(&m.m, WIRE_ANSWER, &n);
		mb_t b;
		mb_start(&b, &m.m);
		int changed = 0;
		for (size_t i = 0; i < n; i++) {
			uint8_t rd[1024];
			size_t len = 0, pos = rrs[i].rdata, end = pos + rrs[i].rdlen;
			switch (rrs[i].type) {
			case 15:   /* MX */
				memcpy(rd, m.m.buf + pos, 2);
				pos += 2;
				len = 2 + upper_name(&m.m, end, &pos, rd + 2);
				break;
			case 6:    /* SOA */
				len = upper_name(&m.m, end, &pos, rd);
				len += upper_name(&m.m, end, &pos, rd + len);
				memcpy(rd + len, m.m.buf + pos, 20);
				len += 20;
				break;
			case 2:    /* NS */
			case 5:    /* CNAME */
				len = upper_name(&m.m, end, &pos, rd);
				break;
			default:   /* A and RRSIG hold no compressed names */
				mb_rr(&b, &m.m, &rrs[i], NULL, 0);
				continue;
			}
			changed++;
			mb_rr(&b, &m.m, &rrs[i], rd, len);
		}
		assert_true(changed > 0);
		run_ok(c, &b);
		pmsg_free(&m);
	}
}

/* Several RRSIGs: any valid one passes; without one, the closest failure is reported. */
static void test_several_rrsigs(void **state)
{
	(void)state;
	pmsg_t m;
	const tcase_t *c = answer_parse("p256-www-A", &m);
	size_t n;
	const wire_rr_t *rrs = wire_section(&m.m, WIRE_ANSWER, &n);
	const wire_rr_t *sig = NULL;
	for (size_t i = 0; i < n; i++)
		if (rrs[i].type == 46)
			sig = &rrs[i];
	assert_non_null(sig);
	uint8_t bad[512], unsup[512];
	assert_true(sig->rdlen <= sizeof(bad));
	memcpy(bad, m.m.buf + sig->rdata, sig->rdlen);
	bad[sig->rdlen - 5] ^= 0x40;   /* one bit of s */
	memcpy(unsup, m.m.buf + sig->rdata, sig->rdlen);
	unsup[2] = 253;

	mb_t b;
	dnssec_result_t res;
	/* bad, unsupported, then the good one */
	mb_copy(&b, &m.m, drop_rrsig, NULL);
	mb_rr(&b, &m.m, sig, bad, sig->rdlen);
	mb_rr(&b, &m.m, sig, unsup, sig->rdlen);
	mb_rr(&b, &m.m, sig, NULL, 0);
	dnssec_verdict_t v = run_case(c, &b, &res);
	assert_int_equal(v.reason, DNSSEC_OK);
	assert_int_equal(v.n_rrsigs, 3);
	assert_int_equal(v.algorithm, 13);
	/* unsupported and bad: the bad signature says more */
	mb_copy(&b, &m.m, drop_rrsig, NULL);
	mb_rr(&b, &m.m, sig, unsup, sig->rdlen);
	mb_rr(&b, &m.m, sig, bad, sig->rdlen);
	v = run_case(c, &b, &res);
	assert_int_equal(v.reason, DNSSEC_BAD_SIGNATURE);
	assert_int_equal(v.algorithm, 13);
	assert_false(res.valid);
	pmsg_free(&m);
}

static void test_signer_outside(void **state)
{
	(void)state;
	pmsg_t m;
	const tcase_t *c = answer_parse("ed-www-A", &m);
	size_t n;
	const wire_rr_t *rrs = wire_section(&m.m, WIRE_ANSWER, &n);
	mb_t b;
	mb_copy(&b, &m.m, drop_rrsig, NULL);
	for (size_t i = 0; i < n; i++) {
		if (rrs[i].type != 46)
			continue;
		uint8_t rd[512];
		memcpy(rd, m.m.buf + rrs[i].rdata, 18);
		memcpy(rd + 18, "\007example\000", 9);
		memcpy(rd + 27, m.m.buf + rrs[i].rdata + 18 + 9, rrs[i].rdlen - 27u);
		mb_rr(&b, &m.m, &rrs[i], rd, rrs[i].rdlen);
	}
	dnssec_result_t res;
	assert_int_equal(run_case(c, &b, &res).reason, DNSSEC_BAD_RRSIG);
	pmsg_free(&m);
}

static void test_api_edges(void **state)
{
	(void)state;
	pmsg_t m, k;
	const tcase_t *c = case_parse("ed-cname", &m, &k);
	dnssec_verdict_t v[2];
	dnssec_result_t res;
	assert_int_equal(check(&m.m, &k.m, c->now, 0, v, 1, &res), NSP_ENOSPC);
	assert_int_equal(res.n_rrsets, 2);
	assert_int_equal(check(&m.m, &k.m, c->now, 0, v, 2, &res), 0);
	assert_true(res.ok);
	/* the additional section holds only the OPT record: no RRset */
	dnssec_opts_t o = { .now = c->now };
	res = (dnssec_result_t){ .verdicts = v, .cap = 2 };
	dnssec_keyset_t ks = anchor(&k.m);
	assert_int_equal(dnssec_check(&m.m, WIRE_ADDITIONAL, &ks, &o, &res), 0);
	assert_int_equal(res.n_rrsets, 0);
	assert_false(res.valid);
	assert_int_equal(dnssec_check(NULL, WIRE_ANSWER, &ks, &o, &res), NSP_EINVAL);
	/* a key set that did not validate is no key set */
	ks.valid = false;
	assert_int_equal(dnssec_check(&m.m, WIRE_ANSWER, &ks, &o, &res), NSP_EINVAL);
	assert_int_equal(dnssec_keyset_check(&k.m, NULL, NULL, 0, &o, &ks), NSP_EINVAL);
	assert_int_equal(dnssec_keyset_check(&k.m, (const uint8_t *)"\100x", NULL, 0, &o, &ks), NSP_EINVAL);

	buf_t t = BUF_INIT;
	assert_int_equal(dnssec_verdict_describe(&m.m, &v[1], &t), 0);
	assert_non_null(strstr(buf_str(&t), "www.ed.test. IN A: ok (key tag "));
	assert_non_null(strstr(buf_str(&t), "algorithm 15 ED25519, valid 20"));
	buf_free(&t);
	pair_free(&m, &k);
}

/* Every single-byte change and every truncation of real answers: no crash, no sanitizer report. */
static void test_mutations(void **state)
{
	(void)state;
	const char *ids[] = { "ed-www-A", "rsa-SOA", "p384-MX", "ed448-cname", "rsa-DNSKEY" };
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		const tcase_t *c = find_case(ids[i]);
		uint8_t *copy = malloc(c->msg_len);
		assert_non_null(copy);
		pmsg_t k;
		pmsg_parse(&k, c->keys, c->keys_len);
		for (size_t pos = 0; pos < c->msg_len; pos += 3) {
			memcpy(copy, c->msg, c->msg_len);
			copy[pos] ^= (uint8_t)(0x5A + pos);
			for (int cut = 0; cut < 2; cut++) {
				size_t len = cut ? pos + 1 : c->msg_len;
				wire_rr_t rrs[128];
				wire_msg_t m;
				if (wire_parse(copy, len, rrs, 128, &m) != 0)
					continue;
				dnssec_verdict_t v[128];
				dnssec_result_t res = { .verdicts = v, .cap = 128 };
				dnssec_opts_t o = { .now = c->now };
				dnssec_keyset_t ks = anchor(&k.m);
				int rc = dnssec_check(&m, WIRE_ANSWER, &ks, &o, &res);
				assert_true(rc == 0 || rc == NSP_EMALFORMED);
				/* the mutated message as a key set: checked, then taken on trust */
				uint8_t apex[WIRE_MAX_NAME];
				if (wire_name_read(&m, m.question, apex, NULL) < 0)
					continue;
				rc = dnssec_keyset_check(&m, apex, NULL, 0, &o, &ks);
				assert_true(rc == 0 || rc == NSP_EMALFORMED);
				if (dnssec_keyset_anchor(&m, apex, &ks) != 0)
					continue;
				rc = dnssec_check(&k.m, WIRE_ANSWER, &ks, &o, &res);
				assert_true(rc == 0 || rc == NSP_EMALFORMED);
			}
		}
		pmsg_free(&k);
		free(copy);
	}
}

static void test_key_tag(void **state)
{
	(void)state;
	/* RFC 4034 Appendix B over a tiny rdata: 0x0101 + 0x0300 + ... */
	const uint8_t rd[] = { 0x01, 0x01, 0x03, 0x08, 0x01, 0x02, 0x03 };
	/* ac = 0x0101 + 0x0308 + 0x0102 + 0x0300 = 0x080B */
	assert_int_equal(dnssec_key_tag(rd, sizeof(rd)), 0x080B);
	assert_string_equal(dnssec_reason_name(DNSSEC_NO_KEY), "no matching key");
}

/* ------------------------------------------------------------------------------------------------
 * Work limits (KeyTrap, CVE-2023-50387; issue 12) */

#define LIMITS_FILE TEST_DATA_DIR "/dnssec/limits.txt"
#define CORPUS TEST_DATA_DIR "/../fuzz/corpus/dnssec/"
#define KEYTRAP_SEED CORPUS "keytrap-cve-2023-50387"
#define NAMETRAP_SEED CORPUS "nametrap-key-owners"
#define VERIFY_SEED CORPUS "verify-cap-rsa2048"

/* A pair of test/fakes/keytrap.py in the fuzz corpus form (2-byte length, answer, keys). */
static void seed_load(const char *path, pmsg_t *m, pmsg_t *k)
{
	size_t n;
	uint8_t *b = (uint8_t *)testlib_load(path, &n);
	assert_true(n > 2);
	size_t l = b[0] * 256u + b[1];
	assert_true(2 + l < n);
	pair_parse(m, b + 2, l, k, b + 2 + l, n - 2 - l);
	free(b);
}

/* The KeyTrap pair of test/fakes/keytrap.py: 20 RRSIGs of tag 4711, 4 RSA keys of that tag with
 * 10,000-octet exponents. */
static void keytrap_load(pmsg_t *m, pmsg_t *k)
{
	seed_load(KEYTRAP_SEED, m, k);
}

#define TRAP_NOW 1800000000   /* the seeds' RRSIGs are checked at this time */

/* A fresh budget: deadline as dnssec_budget_init takes it; collisions and verifications left
 * raised to these when not 0. */
static dnssec_budget_t budget(int64_t deadline_ns, unsigned collisions, unsigned verifications)
{
	dnssec_budget_t b;
	dnssec_budget_init(&b, deadline_ns);
	if (collisions)
		b.collisions = collisions;
	if (verifications)
		b.verifications = verifications;
	return b;
}

/* One check of m against k at now, drawing on b (NULL: a fresh one of its own) with room for 4
 * verdicts; returns the limit that stopped it. */
static dnssec_limit_t spend(const pmsg_t *m, const pmsg_t *k, int64_t now, dnssec_budget_t *b,
                            dnssec_verdict_t v[4], dnssec_result_t *res)
{
	dnssec_opts_t o = { .now = now, .budget = b };
	*res = (dnssec_result_t){ .verdicts = v, .cap = 4 };
	dnssec_keyset_t ks = anchor(&k->m);
	assert_int_equal(dnssec_check(&m->m, WIRE_ANSWER, &ks, &o, res), 0);
	return res->limit;
}

static void test_keytrap_collisions(void **state)
{
	(void)state;
	pmsg_t m, k;
	keytrap_load(&m, &k);
	dnssec_verdict_t v[4];
	dnssec_result_t res;
	/* the first RRSIG's 4 candidates (3 collisions) are tried, each refused for its exponent;
	 * the second RRSIG brings the collisions to 6 > 4 and is stopped before any try */
	dnssec_budget_t b = budget(0, 0, 0);
	assert_int_equal(spend(&m, &k, TRAP_NOW, &b, v, &res), DNSSEC_LIMIT_COLLISIONS);
	assert_int_equal(b.spent, DNSSEC_LIMIT_COLLISIONS);
	assert_int_equal(b.verifications, DNSSEC_MAX_VERIFICATIONS - 4);
	assert_false(res.valid);
	assert_false(res.ok);
	assert_string_equal(dnssec_limit_describe(res.limit), "more than 4 key-tag collisions");
	/* without a budget of its own, a call gets a fresh one and stops the same way */
	assert_int_equal(spend(&m, &k, TRAP_NOW, NULL, v, &res), DNSSEC_LIMIT_COLLISIONS);
	pair_free(&m, &k);
}

static void test_keytrap_verifications(void **state)
{
	(void)state;
	pmsg_t m, k;
	keytrap_load(&m, &k);
	dnssec_verdict_t v[4];
	dnssec_result_t res;
	/* collisions allowed: 20 RRSIGs x 4 keys want 80 verifications; 32 are made */
	dnssec_budget_t b = budget(0, 1000, 0);
	assert_int_equal(spend(&m, &k, TRAP_NOW, &b, v, &res), DNSSEC_LIMIT_VERIFICATIONS);
	assert_int_equal(b.verifications, 0);
	assert_false(res.valid);
	/* the budget is the probe's: a later check of the same probe stops at once */
	assert_int_equal(spend(&k, &k, TRAP_NOW, &b, v, &res), DNSSEC_LIMIT_VERIFICATIONS);
	/* with room for all 80, every key is refused for its 80,000-bit exponent, before any
	 * arithmetic (before the limits each try was a modular exponentiation of seconds) */
	b = budget(0, 1000, 1000);
	assert_int_equal(spend(&m, &k, TRAP_NOW, &b, v, &res), DNSSEC_LIMIT_NONE);
	assert_int_equal(b.verifications, 1000 - 80);
	assert_int_equal(res.n_rrsets, 1);
	assert_int_equal(v[0].reason, DNSSEC_BAD_KEY);
	assert_int_equal(v[0].key_tag, 4711);
	pair_free(&m, &k);
}

/* The name trap of test/fakes/keytrap.py: ~1,300 RRSIGs of one tag and ~3,500 copies of a key of
 * that tag owned by a 254-octet name that is not the signer. No key is a candidate, so nothing is
 * charged; the check must still be cheap (it decompressed each key's owner for each RRSIG, twice:
 * 3.7 s in a Release build) and must still see the deadline (it was asked only before a
 * verification, so a check that verifies nothing never stopped). */
static void test_name_trap(void **state)
{
	(void)state;
	pmsg_t m, k;
	seed_load(NAMETRAP_SEED, &m, &k);
	size_t n_sigs = m.m.count[WIRE_ANSWER] - 1, n_keys = k.m.count[WIRE_ANSWER];
	assert_true(n_sigs > 1000);
	assert_true(n_keys > 3000);
	dnssec_verdict_t v[4];
	dnssec_result_t res;
	/* a deadline long past: stopped before the first RRSIG, though none would be verified */
	dnssec_budget_t b = budget(1, 0, 0);
	assert_int_equal(spend(&m, &k, TRAP_NOW, &b, v, &res), DNSSEC_LIMIT_DEADLINE);
	assert_false(res.valid);
	/* no deadline: every RRSIG looked at, no key matches, nothing charged, and cheaply (the bound
	 * is ~100 times what it takes; a sanitizer build gets TESTTIME_SCALE times more) */
	b = budget(0, 0, 0);
	double t0 = testtime_cpu();
	dnssec_limit_t limit = spend(&m, &k, TRAP_NOW, &b, v, &res);
	double took = testtime_cpu() - t0;
	print_message("name trap: %zu RRSIGs, %zu keys, %.3f s CPU\n", n_sigs, n_keys, took);
	assert_int_equal(limit, DNSSEC_LIMIT_NONE);
	assert_int_equal(res.n_rrsets, 1);
	assert_int_equal(v[0].n_rrsigs, n_sigs);
	assert_int_equal(v[0].reason, DNSSEC_NO_KEY);
	assert_int_equal(b.verifications, DNSSEC_MAX_VERIFICATIONS);
	assert_int_equal(b.collisions, DNSSEC_MAX_KEYTAG_COLLISIONS);
	assert_true(took < 0.5 * TESTTIME_SCALE);
	pair_free(&m, &k);
}

/* 40 RRSIGs, each with one valid-sized candidate key (RSA-2048, exponent 65537) and a signature
 * below its modulus: each costs a real verification, and the 33rd is refused. */
static void test_verification_cap(void **state)
{
	(void)state;
	pmsg_t m, k;
	seed_load(VERIFY_SEED, &m, &k);
	dnssec_verdict_t v[4];
	dnssec_result_t res;
	dnssec_budget_t b = budget(0, 0, 0);
	assert_int_equal(spend(&m, &k, TRAP_NOW, &b, v, &res), DNSSEC_LIMIT_VERIFICATIONS);
	assert_int_equal(b.verifications, 0);
	assert_int_equal(b.collisions, DNSSEC_MAX_KEYTAG_COLLISIONS);
	assert_string_equal(dnssec_limit_describe(res.limit), "more than 32 signature verifications");
	/* with room for every one, each fails as a bad signature (the key is read, not refused) */
	b = budget(0, 0, 1000);
	assert_int_equal(spend(&m, &k, TRAP_NOW, &b, v, &res), DNSSEC_LIMIT_NONE);
	assert_int_equal(b.verifications, 1000 - 40);
	assert_int_equal(v[0].n_rrsigs, 40);
	assert_int_equal(v[0].reason, DNSSEC_BAD_SIGNATURE);
	pair_free(&m, &k);
}

/* RRsets interleaved with one another and with their RRSIGs, an RR of another class at the same
 * owner, and an RRSIG covering a type that is not there: grouped by owner, class and type, in
 * order of first appearance, each with its own RRSIGs. */
static void test_grouping(void **state)
{
	(void)state;
	const tcase_t *ca = find_case("p256-www-A"), *ct = find_case("p256-TXT");
	pmsg_t *ma = calloc(1, sizeof(*ma)), *mt = calloc(1, sizeof(*mt));
	assert_non_null(ma);
	assert_non_null(mt);
	pmsg_parse(ma, ca->msg, ca->msg_len);
	pmsg_parse(mt, ct->msg, ct->msg_len);
	size_t na, nt;
	const wire_rr_t *ra = wire_section(&ma->m, WIRE_ANSWER, &na);
	const wire_rr_t *rt = wire_section(&mt->m, WIRE_ANSWER, &nt);
	mb_t b;
	mb_start(&b, &ma->m);
	for (size_t i = 0; i < nt; i++)
		if (rt[i].type == 46)
			mb_rr(&b, &mt->m, &rt[i], NULL, 0);
	size_t n_a = 0;
	for (size_t i = 0; i < na; i++)
		if (ra[i].type == 1) {
			mb_rr(&b, &ma->m, &ra[i], NULL, 0);
			n_a++;
		}
	static const uint8_t www[] = "\3WWW\4p256\4test";
	static const uint8_t addr[4] = { 192, 0, 2, 9 };
	mb_rr_raw(&b, www, sizeof(www), 1, 3, 300, addr, sizeof(addr));   /* class CH */
	for (size_t i = 0; i < nt; i++)
		if (rt[i].type != 46)
			mb_rr(&b, &mt->m, &rt[i], NULL, 0);
	for (size_t i = 0; i < na; i++)
		if (ra[i].type == 46) {
			uint8_t rd[1024];
			assert_true(ra[i].rdlen <= sizeof(rd));
			memcpy(rd, ma->m.buf + ra[i].rdata, ra[i].rdlen);
			rd[1] = 28;   /* covers AAAA: nothing here */
			mb_rr(&b, &ma->m, &ra[i], rd, ra[i].rdlen);
			mb_rr(&b, &ma->m, &ra[i], NULL, 0);
		}
	pmsg_t m, k;
	pair_parse(&m, b.b, b.len, &k, ca->keys, ca->keys_len);
	dnssec_verdict_t v[8];
	dnssec_result_t res;
	assert_int_equal(check(&m.m, &k.m, ca->now, 0, v, 8, &res), 0);
	assert_int_equal(res.n_rrsets, 3);
	assert_int_equal(v[0].type, 1);
	assert_int_equal(v[0].rclass, 1);
	assert_int_equal(v[0].n_rrs, n_a);
	assert_int_equal(v[0].n_rrsigs, 1);
	assert_int_equal(v[0].reason, DNSSEC_OK);
	assert_int_equal(v[1].type, 1);
	assert_int_equal(v[1].rclass, 3);
	assert_int_equal(v[1].reason, DNSSEC_MISSING_RRSIG);
	assert_int_equal(v[2].type, 16);
	assert_int_equal(v[2].n_rrsigs, 1);
	assert_int_equal(v[2].reason, DNSSEC_OK);
	assert_false(res.valid);
	assert_int_equal(res.first_failure, 1);
	pair_free(&m, &k);
	pmsg_free(ma);
	pmsg_free(mt);
	free(ma);
	free(mt);
}

static void test_deadline(void **state)
{
	(void)state;
	pmsg_t m, k;
	const tcase_t *c = case_parse("p256-www-A", &m, &k);
	dnssec_verdict_t v[4];
	dnssec_result_t res;
	dnssec_budget_t b = budget(1, 0, 0);   /* a monotonic instant long past */
	assert_int_equal(spend(&m, &k, c->now, &b, v, &res), DNSSEC_LIMIT_DEADLINE);
	assert_int_equal(b.verifications, DNSSEC_MAX_VERIFICATIONS);
	assert_false(res.valid);
	/* the same answer with time left verifies, with one verification */
	b = budget(0, 0, 0);
	assert_int_equal(spend(&m, &k, c->now, &b, v, &res), DNSSEC_LIMIT_NONE);
	assert_true(res.ok);
	assert_int_equal(b.verifications, DNSSEC_MAX_VERIFICATIONS - 1);
	pair_free(&m, &k);
}

static void test_key_sizes(void **state)
{
	(void)state;
	FILE *f = fopen(LIMITS_FILE, "r");
	assert_non_null(f);
	char *line = NULL;
	size_t cap = 0, seen = 0;
	ssize_t got;
	char id[64] = "", reason[32] = "";
	long now = 0;
	uint8_t *msg = NULL, *keys = NULL;
	size_t msg_len = 0, keys_len = 0;
	while ((got = getline(&line, &cap, f)) > 0) {
		if (line[got - 1] == '\n')
			line[--got] = '\0';
		if (strncmp(line, "case ", 5) == 0) {
			assert_int_equal(sscanf(line, "case %63s %ld %31s", id, &now, reason), 3);
			for (char *p = reason; *p; p++)
				if (*p == '_')
					*p = ' ';
		} else if (strncmp(line, "msg ", 4) == 0) {
			msg = testlib_unhex_new(line + 4, &msg_len);
		} else if (strncmp(line, "keys ", 5) == 0) {
			keys = testlib_unhex_new(line + 5, &keys_len);
		} else if (strcmp(line, "end") == 0) {
			pmsg_t m, k;
			pair_parse(&m, msg, msg_len, &k, keys, keys_len);
			dnssec_verdict_t v[4];
			dnssec_result_t res;
			print_message("case %s\n", id);
			assert_int_equal(check(&m.m, &k.m, now, 0, v, 4, &res), 0);
			assert_int_equal(res.n_rrsets, 1);
			assert_string_equal(dnssec_reason_name(v[0].reason), reason);
			pair_free(&m, &k);
			free(msg);
			free(keys);
			msg = keys = NULL;
			seen++;
		}
	}
	free(line);
	fclose(f);
	assert_int_equal(seen, 4);
}

static void test_nsec3_budget(void **state)
{
	(void)state;
	dnssec_budget_t b;
	dnssec_budget_init(&b, 0);
	assert_true(dnssec_budget_nsec3(&b, 150, 0));     /* BIND 9.18's and Unbound 1.17's limit */
	assert_true(dnssec_budget_nsec3(&b, 74, 45));     /* 75 iterations x 2 SHA-1 blocks */
	assert_int_equal(b.nsec3_hashes, DNSSEC_MAX_NSEC3_HASHES - 2);
	assert_false(dnssec_budget_nsec3(&b, 75, 45));
	assert_int_equal(b.spent, DNSSEC_LIMIT_NSEC3_ITERATIONS);
	/* the log names the price, not the iteration count (75 iterations with a long salt cost 152) */
	assert_string_equal(dnssec_limit_describe(b.spent), "an NSEC3 hash of more than 151 SHA-1 blocks "
	                    "((iterations + 1) x blocks of salt and hash)");
	dnssec_budget_init(&b, 0);
	assert_false(dnssec_budget_nsec3(&b, 151, 0));
	dnssec_budget_init(&b, 0);
	for (int i = 0; i < DNSSEC_MAX_NSEC3_HASHES; i++)
		assert_true(dnssec_budget_nsec3(&b, 0, 8));
	assert_false(dnssec_budget_nsec3(&b, 0, 8));
	assert_int_equal(b.spent, DNSSEC_LIMIT_NSEC3_HASHES);
	assert_string_equal(dnssec_limit_describe(b.spent), "more than 8 NSEC3 hashes");
}

/* ------------------------------------------------------------------------------------------------
 * Signature rules of issue 14 (test/data/dnssec/sigrules_gen.py): the key set, the DS, the apex,
 * the labels, DNAME, algorithm rollover */

#define SIGRULES_FILE TEST_DATA_DIR "/dnssec/sigrules.txt"
#define SR_MAX 64

typedef struct srcase {
	char id[64];
	int64_t now;
	uint8_t apex[WIRE_MAX_NAME];
	uint8_t *msg, *keys;
	size_t msg_len, keys_len;
	dnssec_ds_t ds[4];
	size_t n_ds;
	char expect[8][64];   /* the key set's reason, then each RRset's */
	size_t n_expect;
} srcase_t;

static srcase_t *sr;
static size_t n_sr;

/* "sr.test." to wire form. */
static void text_name(const char *t, uint8_t out[WIRE_MAX_NAME])
{
	size_t o = 0;
	while (*t && strcmp(t, ".") != 0) {
		const char *dot = strchr(t, '.');
		size_t l = dot ? (size_t)(dot - t) : strlen(t);
		assert_true(l > 0 && l < 64 && o + l + 2 <= WIRE_MAX_NAME);
		out[o++] = (uint8_t)l;
		memcpy(out + o, t, l);
		o += l;
		t += l + (dot ? 1 : 0);
	}
	out[o] = 0;
}

static void sr_load(void)
{
	if (sr)
		return;
	sr = calloc(SR_MAX, sizeof(*sr));
	assert_non_null(sr);
	FILE *f = fopen(SIGRULES_FILE, "r");
	assert_non_null(f);
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	srcase_t *c = NULL;
	while ((got = getline(&line, &cap, f)) > 0) {
		if (line[got - 1] == '\n')
			line[--got] = '\0';
		char a[256], b[256];
		if (strncmp(line, "case ", 5) == 0) {
			assert_true(n_sr < SR_MAX);
			c = &sr[n_sr++];
			assert_int_equal(sscanf(line, "case %63s %ld %255s", c->id, &c->now, a), 3);
			text_name(a, c->apex);
		} else if (c && strncmp(line, "msg ", 4) == 0) {
			c->msg = testlib_unhex_new(line + 4, &c->msg_len);
		} else if (c && strncmp(line, "keys ", 5) == 0) {
			c->keys = testlib_unhex_new(line + 5, &c->keys_len);
		} else if (c && strncmp(line, "ds ", 3) == 0) {
			assert_true(c->n_ds < 4);
			dnssec_ds_t *d = &c->ds[c->n_ds++];
			unsigned tag, alg, dt;
			assert_int_equal(sscanf(line, "ds %255s %u %u %u %255s", a, &tag, &alg, &dt, b), 5);
			text_name(a, d->owner);
			d->owner_len = (uint8_t)(strlen(a) + 1);
			d->key_tag = (uint16_t)tag;
			d->algorithm = (uint8_t)alg;
			d->digest_type = (uint8_t)dt;
			d->digest_len = (uint8_t)testlib_unhex(b, d->digest, sizeof(d->digest));
		} else if (c && strncmp(line, "expect ", 7) == 0) {
			char *save = NULL;
			for (char *w = strtok_r(line + 7, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
				assert_true(c->n_expect < 8);
				snprintf(c->expect[c->n_expect], sizeof(c->expect[0]), "%s", w);
				for (char *q = c->expect[c->n_expect]; *q; q++)
					if (*q == '_')
						*q = ' ';
				c->n_expect++;
			}
		}
	}
	free(line);
	fclose(f);
	assert_true(n_sr >= 30);
}

static const srcase_t *sr_find(const char *id)
{
	sr_load();
	for (size_t i = 0; i < n_sr; i++)
		if (strcmp(sr[i].id, id) == 0)
			return &sr[i];
	fail_msg("no sigrules case %s", id);
	return NULL;
}

/* The key set of case c (with its DS) into *ks; if valid, the answer checked against it into
 * v[0..8) and *res. */
static void sr_run(const srcase_t *c, pmsg_t *m, pmsg_t *k, dnssec_keyset_t *ks, dnssec_verdict_t v[8],
                   dnssec_result_t *res)
{
	pair_parse(m, c->msg, c->msg_len, k, c->keys, c->keys_len);
	dnssec_opts_t o = { .now = c->now };
	assert_int_equal(dnssec_keyset_check(&k->m, c->apex, c->ds, c->n_ds, &o, ks), 0);
	*res = (dnssec_result_t){ .verdicts = v, .cap = 8 };
	if (ks->valid)
		assert_int_equal(dnssec_check(&m->m, WIRE_ANSWER, ks, &o, res), 0);
}

/* Every case: the key set's reason, then each RRset's; every verdict describes itself with its
 * reason's name. */
static void test_sigrules(void **state)
{
	(void)state;
	sr_load();
	for (size_t i = 0; i < n_sr; i++) {
		const srcase_t *c = &sr[i];
		print_message("sigrules %s\n", c->id);
		pmsg_t m, k;
		dnssec_keyset_t ks;
		dnssec_verdict_t v[8];
		dnssec_result_t res;
		sr_run(c, &m, &k, &ks, v, &res);
		buf_t t = BUF_INIT;
		assert_int_equal(dnssec_keyset_describe(&ks, c->ds, c->n_ds, &t), 0);
		print_message("  key set: %s\n", buf_str(&t));
		assert_string_equal(dnssec_reason_name(ks.verdict.reason), c->expect[0]);
		assert_non_null(strstr(buf_str(&t), c->expect[0]));
		assert_int_equal(ks.valid, strcmp(c->expect[0], "ok") == 0);
		assert_int_equal(ks.limit, DNSSEC_LIMIT_NONE);
		if (ks.valid) {
			assert_int_equal(res.n_rrsets, c->n_expect - 1);
			bool all_ok = true;
			for (size_t j = 0; j + 1 < c->n_expect; j++) {
				buf_reset(&t);
				assert_int_equal(dnssec_verdict_describe(&m.m, &v[j], &t), 0);
				print_message("  %s\n", buf_str(&t));
				assert_string_equal(dnssec_reason_name(v[j].reason), c->expect[j + 1]);
				assert_non_null(strstr(buf_str(&t), c->expect[j + 1]));
				all_ok = all_ok && v[j].reason == DNSSEC_OK;
			}
			assert_int_equal(res.ok, all_ok);
			assert_int_equal(res.valid, all_ok);
		}
		buf_free(&t);
		pair_free(&m, &k);
	}
}

/* The key set's report: the keys present, which DS matched which key, the DS used. */
static void test_keyset_report(void **state)
{
	(void)state;
	pmsg_t m, k;
	dnssec_keyset_t ks;
	dnssec_verdict_t v[8];
	dnssec_result_t res;
	/* two DS, the old key's first: the second matches the KSK, which signs */
	const srcase_t *c = sr_find("ds-old-and-new");
	sr_run(c, &m, &k, &ks, v, &res);
	assert_true(ks.valid);
	assert_int_equal(ks.n_keys, 2);
	assert_int_equal(ks.n_ds, 2);
	assert_int_equal(ks.ds_used, 1);
	assert_int_equal(ks.ds_key_tag, c->ds[1].key_tag);
	assert_int_equal(ks.keys[0].tag, c->ds[1].key_tag);
	assert_int_equal(ks.keys[0].flags, 257);
	assert_int_equal(ks.keys[0].ds, 1);
	assert_true(ks.keys[0].signs);
	assert_true(ks.keys[0].usable);
	assert_int_equal(ks.keys[1].flags, 256);
	assert_int_equal(ks.keys[1].ds, -1);
	assert_false(ks.keys[1].signs);
	assert_false(ks.anchor);
	pair_free(&m, &k);

	/* no DS matches: the log names the DS and the keys present */
	c = sr_find("ds-old-key");
	sr_run(c, &m, &k, &ks, v, &res);
	assert_false(ks.valid);
	assert_int_equal(ks.ds_used, -1);
	buf_t t = BUF_INIT;
	assert_int_equal(dnssec_keyset_describe(&ks, c->ds, c->n_ds, &t), 0);
	char want[256];
	snprintf(want, sizeof(want), "sr.test. IN DNSKEY: no DS matches a key (DS %u 15 2; keys %u flags 257 "
	         "algorithm 15, %u flags 256 algorithm 15)", c->ds[0].key_tag, ks.keys[0].tag, ks.keys[1].tag);
	assert_string_equal(buf_str(&t), want);
	pair_free(&m, &k);

	/* the DS matches the ZSK, which does not sign the set */
	c = sr_find("ds-matches-zsk-only");
	sr_run(c, &m, &k, &ks, v, &res);
	assert_int_equal(ks.verdict.reason, DNSSEC_DS_KEY_NOT_SIGNING);
	assert_int_equal(ks.keys[1].ds, 0);
	buf_reset(&t);
	assert_int_equal(dnssec_keyset_describe(&ks, c->ds, c->n_ds, &t), 0);
	assert_non_null(strstr(buf_str(&t), "flags 256 algorithm 15 matches DS 1)"));
	buf_free(&t);
	pair_free(&m, &k);

	/* a revoked KSK that signs: listed, not usable, signing */
	c = sr_find("keyset-revoked-and-new");
	sr_run(c, &m, &k, &ks, v, &res);
	assert_true(ks.valid);
	assert_int_equal(ks.n_keys, 3);
	assert_int_equal(ks.keys[0].flags, 257 | 0x80);
	assert_false(ks.keys[0].usable);
	assert_true(ks.keys[0].signs);
	assert_true(ks.keys[1].signs);
	pair_free(&m, &k);
}

/* dnssec_ds_digest against the digests Python's hashlib made (the DS lines of the fixtures). */
static void test_ds_digest(void **state)
{
	(void)state;
	const char *ids[] = { "ds-sha1", "ds-sha256", "ds-sha384" };
	const int lens[] = { 20, 32, 48 };
	for (size_t i = 0; i < 3; i++) {
		const srcase_t *c = sr_find(ids[i]);
		pmsg_t k;
		pmsg_parse(&k, c->keys, c->keys_len);
		size_t n;
		const wire_rr_t *rrs = wire_section(&k.m, WIRE_ANSWER, &n);
		assert_int_equal(rrs[0].type, 48);
		uint8_t d[DNSSEC_DS_MAX_DIGEST];
		/* the owner in capitals: hashed in canonical form */
		const uint8_t owner[] = "\002SR\004TeST";
		assert_int_equal(dnssec_ds_digest(owner, k.m.buf + rrs[0].rdata, rrs[0].rdlen,
		                                  c->ds[0].digest_type, d), lens[i]);
		assert_int_equal(c->ds[0].digest_len, lens[i]);
		assert_memory_equal(d, c->ds[0].digest, (size_t)lens[i]);
		assert_int_equal(dnssec_ds_digest(owner, k.m.buf + rrs[0].rdata, rrs[0].rdlen, 3, d), NSP_ENOENT);
		assert_int_equal(dnssec_ds_digest((const uint8_t *)"\100", k.m.buf, 4, 2, d), NSP_EINVAL);
		pmsg_free(&k);
	}
}

/* The labels of the accepted RRSIG (for the wildcard proof), the DNAME's synthesis, the key set's
 * verifications charged to the budget. */
static void test_sigrules_details(void **state)
{
	(void)state;
	pmsg_t m, k;
	dnssec_keyset_t ks;
	dnssec_verdict_t v[8];
	dnssec_result_t res;
	sr_run(sr_find("labels-wildcard-ok"), &m, &k, &ks, v, &res);
	assert_true(v[0].wildcard);
	assert_int_equal(v[0].labels, 2);   /* *.sr.test. */
	pair_free(&m, &k);
	sr_run(sr_find("keyset-ok"), &m, &k, &ks, v, &res);
	assert_false(v[0].wildcard);
	assert_int_equal(v[0].labels, 3);
	assert_int_equal(ks.verdict.labels, 2);
	pair_free(&m, &k);

	/* the synthesized CNAME takes the DNAME's signature */
	sr_run(sr_find("dname-ok"), &m, &k, &ks, v, &res);
	assert_int_equal(v[0].type, 39);
	assert_int_equal(v[1].type, 5);
	assert_true(v[1].synthesized);
	assert_false(v[0].synthesized);
	assert_int_equal(v[1].n_rrsigs, 0);
	assert_int_equal(v[1].key_tag, v[0].key_tag);
	assert_int_equal(v[1].expiration, v[0].expiration);
	pair_free(&m, &k);
	sr_run(sr_find("dname-wrong-target"), &m, &k, &ks, v, &res);
	assert_false(v[1].synthesized);
	buf_t t = BUF_INIT;
	assert_int_equal(dnssec_verdict_describe(&m.m, &v[1], &t), 0);
	assert_non_null(strstr(buf_str(&t), "x.d.sr.test. IN CNAME: CNAME is not the DNAME's synthesis (key tag "));
	assert_int_equal(res.first_failure, 1);
	buf_free(&t);
	pair_free(&m, &k);

	/* the key set's verifications draw on the budget: none left, the check says so */
	const srcase_t *c = sr_find("keyset-ok");
	pair_parse(&m, c->msg, c->msg_len, &k, c->keys, c->keys_len);
	dnssec_budget_t b = budget(0, 0, 0);
	dnssec_opts_t o = { .now = c->now, .budget = &b };
	assert_int_equal(dnssec_keyset_check(&k.m, c->apex, NULL, 0, &o, &ks), 0);
	assert_true(ks.valid);
	assert_int_equal(b.verifications, DNSSEC_MAX_VERIFICATIONS - 1);
	b.verifications = 0;
	assert_int_equal(dnssec_keyset_check(&k.m, c->apex, NULL, 0, &o, &ks), 0);
	assert_false(ks.valid);
	assert_int_equal(ks.limit, DNSSEC_LIMIT_VERIFICATIONS);
	b = budget(1, 0, 0);   /* a deadline long past */
	assert_int_equal(dnssec_keyset_check(&k.m, c->apex, NULL, 0, &o, &ks), 0);
	assert_int_equal(ks.limit, DNSSEC_LIMIT_DEADLINE);
	/* with DS, a key set whose DS names no key costs no verification */
	const srcase_t *d = sr_find("ds-old-key");
	b = budget(0, 0, 0);
	assert_int_equal(dnssec_keyset_check(&k.m, c->apex, d->ds, d->n_ds, &o, &ks), 0);
	assert_int_equal(ks.verdict.reason, DNSSEC_NO_DS_MATCH);
	assert_int_equal(b.verifications, DNSSEC_MAX_VERIFICATIONS);
	/* no DNSKEY at the apex asked for */
	b = budget(0, 0, 0);
	assert_int_equal(dnssec_keyset_check(&k.m, (const uint8_t *)"\003www\002sr\004test", NULL, 0, &o,
	                                     &ks), 0);
	assert_int_equal(ks.verdict.reason, DNSSEC_NO_KEY);
	assert_int_equal(ks.n_keys, 0);
	pair_free(&m, &k);
}

/* Each signature rule, mutated away from a valid answer: the same answer fails with the rule's
 * reason, and only that. */
static void test_sigrules_mutations(void **state)
{
	(void)state;
	pmsg_t m, k;
	dnssec_keyset_t ks;
	dnssec_verdict_t v[8];
	dnssec_result_t res;
	const srcase_t *c = sr_find("keyset-ok");
	/* a key set with a flipped signature octet no longer validates */
	uint8_t *keys = malloc(c->keys_len);
	assert_non_null(keys);
	memcpy(keys, c->keys, c->keys_len);
	keys[c->keys_len - 1] ^= 1;
	pair_parse(&m, c->msg, c->msg_len, &k, keys, c->keys_len);
	dnssec_opts_t o = { .now = c->now };
	assert_int_equal(dnssec_keyset_check(&k.m, c->apex, NULL, 0, &o, &ks), 0);
	assert_int_equal(ks.verdict.reason, DNSSEC_BAD_SIGNATURE);
	pair_free(&m, &k);
	free(keys);
	/* the valid answer of labels-wildcard-ok with its RRSIG's labels lowered to 1: the signer
	 * rule fires before the signature is even tried */
	c = sr_find("labels-wildcard-ok");
	sr_run(c, &m, &k, &ks, v, &res);
	assert_int_equal(v[0].reason, DNSSEC_OK);
	mb_t b;
	poke_t p = { .off = 3, .val = 1, .type = 46 };
	mb_copy(&b, &m.m, edit_poke, &p);
	pmsg_t m2;
	pmsg_parse(&m2, b.b, b.len);
	res = (dnssec_result_t){ .verdicts = v, .cap = 8 };
	dnssec_budget_t bud = budget(0, 0, 0);
	o.budget = &bud;
	assert_int_equal(dnssec_check(&m2.m, WIRE_ANSWER, &ks, &o, &res), 0);
	assert_int_equal(v[0].reason, DNSSEC_LABELS_BELOW_SIGNER);
	assert_int_equal(bud.verifications, DNSSEC_MAX_VERIFICATIONS);
	pmsg_free(&m2);
	/* the same answer checked against a key set anchored at www.sr.test.: the signer sr.test. is
	 * now above the apex, not the apex */
	dnssec_keyset_t www;
	assert_int_equal(dnssec_keyset_anchor(&k.m, (const uint8_t *)"\001b\002sr\004test", &www), 0);
	res = (dnssec_result_t){ .verdicts = v, .cap = 8 };
	assert_int_equal(dnssec_check(&m.m, WIRE_ANSWER, &www, &o, &res), 0);
	assert_int_equal(v[0].reason, DNSSEC_SIGNER_NOT_APEX);
	pair_free(&m, &k);
}

static void sr_free(void)
{
	for (size_t i = 0; i < n_sr; i++) {
		free(sr[i].msg);
		free(sr[i].keys);
	}
	free(sr);
	sr = NULL;
	n_sr = 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_tag),
		cmocka_unit_test(test_captured),
		cmocka_unit_test(test_clock),
		cmocka_unit_test(test_truncated_rrsig),
		cmocka_unit_test(test_missing_rrsig),
		cmocka_unit_test(test_unknown_algorithm),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_wildcard),
		cmocka_unit_test(test_bad_keys),
		cmocka_unit_test(test_off_curve),
		cmocka_unit_test(test_keys_of_other_zone),
		cmocka_unit_test(test_duplicates_ttl),
		cmocka_unit_test(test_several_rrsigs),
		cmocka_unit_test(test_rdata_names),
		cmocka_unit_test(test_signer_outside),
		cmocka_unit_test(test_api_edges),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_keytrap_collisions),
		cmocka_unit_test(test_keytrap_verifications),
		cmocka_unit_test(test_deadline),
		cmocka_unit_test(test_name_trap),
		cmocka_unit_test(test_verification_cap),
		cmocka_unit_test(test_grouping),
		cmocka_unit_test(test_key_sizes),
		cmocka_unit_test(test_nsec3_budget),
		cmocka_unit_test(test_sigrules),
		cmocka_unit_test(test_keyset_report),
		cmocka_unit_test(test_ds_digest),
		cmocka_unit_test(test_sigrules_details),
		cmocka_unit_test(test_sigrules_mutations),
	};
	return cmocka_run_group_tests(tests, load_cases, free_cases);
}
