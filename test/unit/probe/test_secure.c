/* test_secure -- the DNSSEC verdict of a probe (probe/secure) over the messages of
 * test/data/dnssec/secure.txt (written by secure_gen.py, signed by fixed-seed Ed25519 keys): the
 * apex proven by an SOA, the parent's DS (listed or fetched), CDS/CDNSKEY, key info, the NSEC and
 * NSEC3 proofs, and the metrics each path sets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/config.h"
#include "dns/dnssec.h"
#include "dns/wire.h"
#include "lib/buf.h"
#include "lib/errors.h"
#include "lib/log.h"
#include "lib/metrics.h"
#include "probe/secure.h"
#include "testlib.h"

/* ---- the fixture file ---- */

enum { MAX_ITEMS = 128 };
static struct item {
	char kind[8];
	char name[40];
	char *value;
} items[MAX_ITEMS];
static size_t n_items;
static int64_t now;
static char *file;

static int load(void **state)
{
	(void)state;
	file = testlib_load_data("dnssec/secure.txt", NULL);
	for (char *line = strtok(file, "\n"); line; line = strtok(NULL, "\n")) {
		if (line[0] == '#')
			continue;
		if (strncmp(line, "now ", 4) == 0) {
			now = strtoll(line + 4, NULL, 10);
			continue;
		}
		struct item *it = &items[n_items];
		int used = 0;
		if (n_items == MAX_ITEMS || sscanf(line, "%7s %39s %n", it->kind, it->name, &used) != 2 || !used)
			return -1;
		it->value = line + used;
		n_items++;
	}
	return now ? 0 : -1;
}

static int unload(void **state)
{
	(void)state;
	free(file);
	return 0;
}

static const char *item(const char *kind, const char *name)
{
	for (size_t i = 0; i < n_items; i++)
		if (strcmp(items[i].kind, kind) == 0 && strcmp(items[i].name, name) == 0)
			return items[i].value;
	fail_msg("secure.txt has no %s %s", kind, name);
	return NULL;
}

static const char *text(const char *name)
{
	return item("text", name);
}

/* The `line` items of name, each ended by a newline. */
static void lines(const char *name, buf_t *out)
{
	for (size_t i = 0; i < n_items; i++)
		if (strcmp(items[i].kind, "line") == 0 && strcmp(items[i].name, name) == 0)
			buf_printf(out, "%s\n", items[i].value);
}

/* ---- parsed messages ---- */

typedef struct pmsg {
	wire_msg_t m;
	wire_rr_t *rrs;
	uint8_t *buf;
} pmsg_t;

static const wire_msg_t *parse(pmsg_t *p, const char *name)
{
	if (!name)
		return NULL;
	size_t len;
	p->buf = testlib_unhex_new(item("msg", name), &len);
	size_t cap = wire_rr_capacity(len);
	p->rrs = calloc(cap, sizeof *p->rrs);
	assert_non_null(p->rrs);
	if (wire_parse(p->buf, len, p->rrs, cap, &p->m) != 0)
		fail_msg("%s does not parse: %s", name, p->m.error);
	return &p->m;
}

static void pmsg_free(pmsg_t *p)
{
	free(p->rrs);
	free(p->buf);
	memset(p, 0, sizeof *p);
}

/* ---- one verdict ---- */

/* The messages of a probe, by name in secure.txt (NULL: not fetched). */
typedef struct spec {
	const char *answer, *keys, *soa, *ds, *cds, *cdnskey;
} spec_t;

typedef struct run {
	config_t *cfg;
	metrics_t m;
	plog_t log;
	secure_labels_t labels;
	dnssec_budget_t budget;
	pmsg_t msgs[6];
	buf_t text;
	bool ok;
} run_t;

/* Judges s with a module whose dnssec: block is `dnssec` (a YAML flow mapping). */
static bool judge(run_t *r, const char *dnssec, spec_t s)
{
	char yaml[2048], err[256] = "";
	snprintf(yaml, sizeof yaml, "modules:\n  m:\n    prober: dns\n    dns: {query_name: www.sr.test., dnssec: %s}\n",
	         dnssec);
	memset(r, 0, sizeof *r);
	if (config_load_text("t.yml", yaml, strlen(yaml), &r->cfg, err, sizeof err) != 0)
		fail_msg("config: %s", err);
	plog_init(&r->log, "m", "t");
	dnssec_budget_init(&r->budget, 0);
	secure_in_t in = {
		.answer = parse(&r->msgs[0], s.answer),
		.keys = parse(&r->msgs[1], s.keys),
		.soa = parse(&r->msgs[2], s.soa),
		.ds = parse(&r->msgs[3], s.ds),
		.cds = parse(&r->msgs[4], s.cds),
		.cdnskey = parse(&r->msgs[5], s.cdnskey),
		.dns = &config_module_get(r->cfg, "m")->dns,
		.now = now,
		.budget = &r->budget,
	};
	r->ok = secure_judge(&in, &r->m, &r->log, &r->labels);
	plog_render(&r->log, &r->text);
	return r->ok;
}

static void done(run_t *r)
{
	config_unref(r->cfg);
	plog_deinit(&r->log);
	free(r->labels.key_info);
	for (size_t i = 0; i < 6; i++)
		pmsg_free(&r->msgs[i]);
	buf_free(&r->text);
}

static bool logged(const run_t *r, const char *s)
{
	return strstr(buf_str(&r->text), s) != NULL;
}

#define assert_logged(r, s)                                                                         \
	do {                                                                                            \
		if (!logged(r, s))                                                                          \
			fail_msg("log lacks \"%s\":\n%s", s, buf_str(&(r)->text));                                \
	} while (0)
#define assert_metric(r, id, v)                                                                     \
	do {                                                                                            \
		assert_true((r)->m.present[id]);                                                            \
		if ((r)->m.value[id] != (double)(v))                                                        \
			fail_msg(#id " is %g, not %g; log:\n%s", (r)->m.value[id], (double)(v), buf_str(&(r)->text)); \
	} while (0)
#define assert_passes(r, dnssec, ...)                                                               \
	do {                                                                                            \
		if (!judge(r, dnssec, (spec_t){ __VA_ARGS__ }))                                             \
			fail_msg("fails:\n%s", buf_str(&(r)->text));                                            \
	} while (0)
#define assert_fails(r, dnssec, ...)                                                                \
	do {                                                                                            \
		if (judge(r, dnssec, (spec_t){ __VA_ARGS__ }))                                              \
			fail_msg("passes:\n%s", buf_str(&(r)->text));                                           \
	} while (0)

#define V "{validate: true}"
static const int64_t INCEPTION = -86400, EXPIRATION = 30 * 86400;   /* sigrules_gen's INC, EXP */

/* ---- the helpers probe.c asks before fetching ---- */

static void test_helpers(void **state)
{
	(void)state;
	pmsg_t p = { 0 };
	buf_t apex = BUF_INIT;
	assert_int_equal(secure_apex(parse(&p, "www"), &apex), 0);
	assert_string_equal(buf_str(&apex), "sr.test.");
	assert_false(secure_apex_proven(&p.m));           /* the SOA must be fetched */
	assert_false(secure_answer_is_keys(&p.m));
	pmsg_free(&p);
	buf_reset(&apex);
	assert_int_equal(secure_apex(parse(&p, "sub-a"), &apex), 0);
	assert_string_equal(buf_str(&apex), "sub.sr.test.");
	assert_false(secure_apex_proven(&p.m));
	pmsg_free(&p);
	assert_true(secure_apex_proven(parse(&p, "www-auth-soa")));    /* SOA in the authority section */
	pmsg_free(&p);
	assert_true(secure_apex_proven(parse(&p, "soa")));             /* SOA in the answer */
	pmsg_free(&p);
	assert_true(secure_apex_proven(parse(&p, "nx-nsec")));         /* a negative answer's SOA */
	pmsg_free(&p);
	assert_true(secure_apex_proven(parse(&p, "sub-soa")));         /* NODATA: sr.test.'s signed SOA */
	pmsg_free(&p);
	assert_true(secure_answer_is_keys(parse(&p, "keys-probe")));
	pmsg_free(&p);
	assert_false(secure_answer_is_keys(parse(&p, "sub-a")));
	pmsg_free(&p);
	buf_reset(&apex);
	assert_int_equal(secure_apex(parse(&p, "ds-answer-empty"), &apex), NSP_ENOENT);   /* no RRSIG */
	pmsg_free(&p);
	buf_free(&apex);
}

/* ---- 1. the apex ---- */

static void test_apex_soa_in_answer(void **state)
{
	(void)state;
	run_t r;
	assert_passes(&r, V, .answer = "www-auth-soa", .keys = "keys");
	assert_metric(&r, MET_DNSSEC_RRSIG_VALID, 1);
	assert_metric(&r, MET_DNSSEC_EARLIEST_EXPIRY, now + EXPIRATION);
	assert_metric(&r, MET_DNSSEC_LATEST_INCEPTION, now + INCEPTION);
	assert_false(r.m.present[MET_DNSSEC_DS_MATCH]);           /* no parent's DS: no chain metrics */
	assert_false(r.m.present[MET_DNSSEC_CDS_PENDING]);
	assert_false(r.m.present[MET_DNSSEC_KEY_INFO]);
	assert_logged(&r, "DNSSEC signatures are valid");
	done(&r);
	/* the SOA answer itself (its own apex) */
	assert_passes(&r, V, .answer = "soa", .keys = "keys");
	done(&r);
	/* the DNSKEY answer is its own key set */
	assert_passes(&r, V, .answer = "keys-probe", .soa = "soa");
	assert_metric(&r, MET_DNSSEC_RRSIG_VALID, 1);
	done(&r);
	/* ... whose apex owns an SOA only the SOA answer shows */
	assert_fails(&r, V, .answer = "keys-probe");
	assert_logged(&r, "signer is not the zone apex: sr.test. owns no SOA");
	done(&r);
}

static void test_apex_soa_answer(void **state)
{
	(void)state;
	run_t r;
	assert_passes(&r, V, .answer = "www", .keys = "keys", .soa = "soa");
	assert_metric(&r, MET_DNSSEC_RRSIG_VALID, 1);
	done(&r);
	/* without it nothing shows sr.test. owns an SOA */
	assert_fails(&r, V, .answer = "www", .keys = "keys");
	assert_logged(&r, "signer is not the zone apex: sr.test. owns no SOA");
	done(&r);
}

/* A key published at sub.sr.test., which is no zone: its SOA answer shows sr.test.'s SOA. */
static void test_apex_not_apex(void **state)
{
	(void)state;
	run_t r;
	assert_fails(&r, V, .answer = "sub-a", .keys = "sub-keys", .soa = "sub-soa");
	assert_logged(&r, "signer is not the zone apex: sub.sr.test. owns no SOA");
	/* the signatures verify with the published key, but that key is not the zone's DNSKEY set */
	assert_metric(&r, MET_DNSSEC_RRSIG_VALID, 0);
	done(&r);
	/* the real apex's SOA answer does not help either: sub.sr.test. is not its owner */
	assert_fails(&r, V, .answer = "sub-a", .keys = "sub-keys", .soa = "soa");
	assert_logged(&r, "signer is not the zone apex: sub.sr.test. owns no SOA");
	done(&r);
}

/* ---- 2. the parent's DS ---- */

static void dnssec_ds(char *out, size_t cap, const char *ds1, const char *ds2)
{
	if (ds2)
		snprintf(out, cap, "{validate: true, ds: [\"%s\", \"%s\"]}", ds1, ds2);
	else
		snprintf(out, cap, "{validate: true, ds: [\"%s\"]}", ds1);
}

static void test_ds_listed(void **state)
{
	(void)state;
	char d[1024];
	run_t r;
	const char *forms[] = { text("ds-ksk"), text("ds-ksk-rdata") };   /* owner written, owner-less */
	for (size_t i = 0; i < 2; i++) {
		dnssec_ds(d, sizeof d, forms[i], NULL);
		assert_passes(&r, d, .answer = "www-auth-soa", .keys = "keys");
		assert_metric(&r, MET_DNSSEC_DS_MATCH, 1);
		assert_metric(&r, MET_DNSSEC_RRSIG_VALID, 1);
		assert_false(r.m.present[MET_DNSSEC_CDS_PENDING]);     /* no CDS/CDNSKEY answer */
		assert_logged(&r, "The parent's DS matches a key that signs the DNSKEY set");
		assert_logged(&r, text("ksk-tag"));
		done(&r);
	}
	/* the old DS and the new: a rollover at the parent */
	dnssec_ds(d, sizeof d, text("ds-old"), text("ds-ksk-rdata"));
	assert_passes(&r, d, .answer = "www-auth-soa", .keys = "keys");
	assert_metric(&r, MET_DNSSEC_DS_MATCH, 1);
	done(&r);
}

/* After a KSK change without a DS update: the log names the DS and the keys present. */
static void test_ds_mismatch(void **state)
{
	(void)state;
	char d[1024], want[128];
	run_t r;
	dnssec_ds(d, sizeof d, text("ds-old"), NULL);
	assert_fails(&r, d, .answer = "www-auth-soa", .keys = "keys");
	assert_metric(&r, MET_DNSSEC_DS_MATCH, 0);
	assert_metric(&r, MET_DNSSEC_RRSIG_VALID, 0);
	assert_logged(&r, "no DS matches a key");
	snprintf(want, sizeof want, "DS %s 15 2", text("old-tag"));
	assert_logged(&r, want);
	snprintf(want, sizeof want, "%s flags 257 algorithm 15", text("ksk-tag"));
	assert_logged(&r, want);
	snprintf(want, sizeof want, "%s flags 256 algorithm 15", text("zsk-tag"));
	assert_logged(&r, want);
	/* the answer's signatures were still read: their times are known */
	assert_metric(&r, MET_DNSSEC_EARLIEST_EXPIRY, now + EXPIRATION);
	done(&r);
	/* a DS of the ZSK, which does not sign the key set */
	dnssec_ds(d, sizeof d, text("ds-zsk"), NULL);
	assert_fails(&r, d, .answer = "www-auth-soa", .keys = "keys");
	assert_metric(&r, MET_DNSSEC_DS_MATCH, 0);
	assert_logged(&r, "the key matching the DS does not sign the DNSKEY set");
	done(&r);
}

#define FROM "{validate: true, ds_from: resolver}"

static void test_ds_from(void **state)
{
	(void)state;
	run_t r;
	assert_passes(&r, FROM, .answer = "www-auth-soa", .keys = "keys", .ds = "ds-answer");
	assert_metric(&r, MET_DNSSEC_DS_MATCH, 1);
	assert_logged(&r, text("ksk-tag"));
	done(&r);
	assert_fails(&r, FROM, .answer = "www-auth-soa", .keys = "keys", .ds = "ds-answer-old");
	assert_metric(&r, MET_DNSSEC_DS_MATCH, 0);
	assert_logged(&r, "no DS matches a key");
	assert_logged(&r, text("old-tag"));
	done(&r);
	/* the parent has no DS: an insecure delegation proves nothing */
	assert_fails(&r, FROM, .answer = "www-auth-soa", .keys = "keys", .ds = "ds-answer-empty");
	assert_logged(&r, "the parent has no DS for the zone");
	assert_metric(&r, MET_DNSSEC_DS_MATCH, 0);
	assert_metric(&r, MET_DNSSEC_RRSIG_VALID, 0);
	done(&r);
	/* the DS answer did not come (the fetch failed): the same */
	assert_fails(&r, FROM, .answer = "www-auth-soa", .keys = "keys");
	assert_logged(&r, "the parent has no DS for the zone");
	done(&r);
}

/* ---- 5. CDS / CDNSKEY against the parent's DS ---- */

static void cds_case(const char *cds, const char *cdnskey, double pending)
{
	char d[1024];
	run_t r;
	dnssec_ds(d, sizeof d, text("ds-ksk"), NULL);
	assert_passes(&r, d, .answer = "www-auth-soa", .keys = "keys", .cds = cds, .cdnskey = cdnskey);
	if (!r.m.present[MET_DNSSEC_CDS_PENDING] || r.m.value[MET_DNSSEC_CDS_PENDING] != pending)
		fail_msg("cds %s, cdnskey %s: probe_dnssec_cds_pending is not %g", cds ? cds : "-",
		         cdnskey ? cdnskey : "-", pending);
	assert_metric(&r, MET_DNSSEC_DS_MATCH, 1);
	done(&r);
}

static void test_cds(void **state)
{
	(void)state;
	cds_case("cds-same", NULL, 0);
	cds_case("cds-same", "cdnskey-same", 0);
	cds_case("cds-new", NULL, 1);
	cds_case("cds-new", "cdnskey-new", 1);
	cds_case("cds-delete", NULL, 1);                  /* RFC 8078 4: remove the DS the parent has */
	cds_case("cds-empty", "cdnskey-same", 0);         /* CDNSKEY only, for the DS's key */
	cds_case(NULL, "cdnskey-same", 0);
	cds_case("cds-empty", "cdnskey-new", 1);          /* CDNSKEY only, for another key */
	cds_case(NULL, "cdnskey-new", 1);
	cds_case("cds-empty", NULL, 0);                   /* the zone asks for nothing */

	/* without the parent's DS there is nothing to compare with */
	run_t r;
	assert_passes(&r, V, .answer = "www-auth-soa", .keys = "keys", .cds = "cds-new", .cdnskey = "cdnskey-new");
	assert_false(r.m.present[MET_DNSSEC_CDS_PENDING]);
	assert_false(r.m.present[MET_DNSSEC_DS_MATCH]);
	done(&r);
	/* the DS fetched from the parent counts as listed */
	assert_passes(&r, FROM, .answer = "www-auth-soa", .keys = "keys", .ds = "ds-answer", .cds = "cds-new");
	assert_metric(&r, MET_DNSSEC_CDS_PENDING, 1);
	done(&r);
	/* the delete form while the parent has no DS: nothing pending (the probe fails on the DS) */
	assert_fails(&r, FROM, .answer = "www-auth-soa", .keys = "keys", .ds = "ds-answer-empty", .cds = "cds-delete");
	assert_metric(&r, MET_DNSSEC_CDS_PENDING, 0);
	done(&r);
}

/* ---- 6. key info ---- */

static void test_key_info(void **state)
{
	(void)state;
	run_t r;
	buf_t want = BUF_INIT;
	lines("keyinfo3", &want);
	assert_passes(&r, "{validate: true, key_info: true}", .answer = "www-auth-soa", .keys = "keys3");
	assert_true(r.m.present[MET_DNSSEC_KEY_INFO]);
	assert_non_null(r.m.label[MET_DNSSEC_KEY_INFO]);
	assert_string_equal(r.m.label[MET_DNSSEC_KEY_INFO], buf_str(&want));
	/* the KSK's SHA-256 DS digest, as hashlib computed it */
	assert_non_null(strstr(r.m.label[MET_DNSSEC_KEY_INFO], text("ksk-sha256")));
	/* three series, sorted: algorithm 15 before 16 */
	const char *l = r.m.label[MET_DNSSEC_KEY_INFO];
	const char *a16 = strstr(l, "algorithm=\"16\"");
	assert_non_null(a16);
	assert_null(strstr(a16 + 1, "algorithm=\"15\""));
	done(&r);
	/* the DNSKEY answer as the probed answer */
	assert_passes(&r, "{validate: true, key_info: true}", .answer = "keys-probe", .soa = "soa");
	assert_non_null(strstr(r.m.label[MET_DNSSEC_KEY_INFO], text("ksk-sha256")));
	done(&r);
	/* off unless asked */
	assert_passes(&r, V, .answer = "www-auth-soa", .keys = "keys3");
	assert_false(r.m.present[MET_DNSSEC_KEY_INFO]);
	assert_null(r.labels.key_info);
	done(&r);
	buf_free(&want);
}

/* ---- 4. the proofs ---- */

static void test_nxdomain_nsec(void **state)
{
	(void)state;
	run_t r;
	assert_passes(&r, V, .answer = "nx-nsec", .keys = "keys");
	assert_metric(&r, MET_DNSSEC_RRSIG_VALID, 1);
	done(&r);
	assert_fails(&r, V, .answer = "nx-nsec-gap", .keys = "keys");
	assert_logged(&r, "NSEC does not cover the name: nx.sr.test.");
	/* the records are signed: only the proof fails */
	assert_metric(&r, MET_DNSSEC_RRSIG_VALID, 1);
	done(&r);
}

static void test_nodata_nsec(void **state)
{
	(void)state;
	run_t r;
	assert_passes(&r, V, .answer = "nodata-nsec", .keys = "keys");
	done(&r);
	assert_fails(&r, V, .answer = "nodata-nsec-lies", .keys = "keys");
	assert_logged(&r, "type present in the bitmap");
	done(&r);
}

static void test_wildcard(void **state)
{
	(void)state;
	run_t r;
	assert_passes(&r, V, .answer = "wild-nsec", .keys = "keys", .soa = "soa");
	done(&r);
	assert_fails(&r, V, .answer = "wild-bare", .keys = "keys", .soa = "soa");
	assert_logged(&r, "wildcard expansion without proof: foo.sr.test.");
	assert_metric(&r, MET_DNSSEC_RRSIG_VALID, 1);
	done(&r);
	/* an NSEC that does not cover foo.sr.test. */
	assert_fails(&r, V, .answer = "wild-nsec-gap", .keys = "keys", .soa = "soa");
	assert_logged(&r, "wildcard expansion without proof: foo.sr.test.");
	done(&r);
}

/* The NSEC that proves the expansion must itself be signed (denial.h: its OK is worthless
 * otherwise). */
static void test_wildcard_proof_signed(void **state)
{
	(void)state;
	run_t r;
	assert_fails(&r, V, .answer = "wild-nsec-unsigned", .keys = "keys", .soa = "soa");
	assert_logged(&r, "a.sr.test. IN NSEC: missing rrsig");
	done(&r);
	assert_fails(&r, V, .answer = "wild-nsec-forged", .keys = "keys", .soa = "soa");
	assert_logged(&r, "a.sr.test. IN NSEC: bad signature");
	done(&r);
}

static void test_nsec3(void **state)
{
	(void)state;
	run_t r;
	assert_passes(&r, V, .answer = "nx-nsec3", .keys = "keys");
	assert_false(logged(&r, "Opt-Out"));
	done(&r);
	assert_passes(&r, V, .answer = "nx-nsec3-optout", .keys = "keys");
	assert_logged(&r, "DNSSEC denial rests on an Opt-Out span");
	assert_logged(&r, "level=info");
	assert_metric(&r, MET_DNSSEC_RRSIG_VALID, 1);
	done(&r);
}

/* ---- the metrics before anything can be judged ---- */

static void test_no_rrsig(void **state)
{
	(void)state;
	run_t r;
	/* an unsigned answer: no key set to fetch, every RRset "missing rrsig" */
	assert_fails(&r, V, .answer = "ds-answer-empty");
	assert_metric(&r, MET_DNSSEC_RRSIG_VALID, 0);
	assert_false(r.m.present[MET_DNSSEC_EARLIEST_EXPIRY]);
	done(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_helpers),
		cmocka_unit_test(test_apex_soa_in_answer),
		cmocka_unit_test(test_apex_soa_answer),
		cmocka_unit_test(test_apex_not_apex),
		cmocka_unit_test(test_ds_listed),
		cmocka_unit_test(test_ds_mismatch),
		cmocka_unit_test(test_ds_from),
		cmocka_unit_test(test_cds),
		cmocka_unit_test(test_key_info),
		cmocka_unit_test(test_nxdomain_nsec),
		cmocka_unit_test(test_nodata_nsec),
		cmocka_unit_test(test_wildcard),
		cmocka_unit_test(test_wildcard_proof_signed),
		cmocka_unit_test(test_nsec3),
		cmocka_unit_test(test_no_rrsig),
	};
	return cmocka_run_group_tests(tests, load, unload);
}
