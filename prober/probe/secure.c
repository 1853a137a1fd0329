/* secure -- the DNSSEC verdict of one probe: apex, key set (and the parent's DS), signatures,
 * denial and wildcard proofs, CDS/CDNSKEY, key info. See secure.h for the order and the sources. */
#include "probe/secure.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/cursor.h"
#include "dns/denial.h"
#include "dns/dnstab.h"
#include "dns/rrtext.h"
#include "lib/buf.h"
#include "lib/duration.h"
#include "lib/errors.h"

/* ---- names ---- */

static uint8_t lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* Wire names equal, ASCII case-insensitively (RFC 4343). */
static bool name_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++)
		if (lower(a[i]) != lower(b[i]))
			return false;
	return true;
}

/* The name of rr's owner (or of its rdata's first name with rdata true). */
static int rr_name(const wire_msg_t *m, const wire_rr_t *rr, bool rdata, uint8_t out[WIRE_MAX_NAME])
{
	return wire_name_read(m, rdata ? rr->rdata : rr->owner, out, NULL);
}

/* The section whose signatures are checked: the answer, or for a negative answer (NXDOMAIN,
 * NODATA) the authority section, which carries the signed SOA and the denial records. */
static enum wire_section checked_section(const wire_msg_t *m)
{
	return m->count[WIRE_ANSWER] ? WIRE_ANSWER : WIRE_AUTHORITY;
}

/* The signer of the section's first RRSIG, in wire form. Returns its length, NSP_ENOENT or
 * NSP_EMALFORMED. */
static int signer_of(const wire_msg_t *m, enum wire_section s, uint8_t out[WIRE_MAX_NAME], size_t *off)
{
	size_t n;
	const wire_rr_t *rr = wire_section(m, s, &n);
	for (size_t i = 0; i < n; i++)
		if (rr[i].type == DNS_TYPE_RRSIG) {
			if (rr[i].rdlen < 18)
				return NSP_EMALFORMED;
			if (off)
				*off = (size_t)rr[i].rdata + 18;                      /* RFC 4034 3.1 */
			return wire_name_read(m, (size_t)rr[i].rdata + 18, out, NULL);
		}
	return NSP_ENOENT;
}

int secure_apex(const wire_msg_t *answer, buf_t *out)
{
	return dnssec_signer(answer, checked_section(answer), out);
}

/* Whether rr has `type` and is owned by name. */
static bool owned(const wire_msg_t *m, const wire_rr_t *rr, uint16_t type, const uint8_t *name, size_t len)
{
	uint8_t owner[WIRE_MAX_NAME];
	int l = rr->type == type ? rr_name(m, rr, false, owner) : -1;
	return l > 0 && name_eq(owner, (size_t)l, name, len);
}

/* Whether section s of m holds an RR of `type` owned by name. */
static bool has_rr(const wire_msg_t *m, enum wire_section s, uint16_t type, const uint8_t *name, size_t len)
{
	size_t n;
	const wire_rr_t *rr = wire_section(m, s, &n);
	for (size_t i = 0; i < n; i++)
		if (owned(m, &rr[i], type, name, len))
			return true;
	return false;
}

bool secure_apex_proven(const wire_msg_t *answer)
{
	uint8_t apex[WIRE_MAX_NAME];
	int len = signer_of(answer, checked_section(answer), apex, NULL);
	return len > 0 && (has_rr(answer, WIRE_ANSWER, DNS_TYPE_SOA, apex, (size_t)len) ||
	                   has_rr(answer, WIRE_AUTHORITY, DNS_TYPE_SOA, apex, (size_t)len));
}

bool secure_answer_is_keys(const wire_msg_t *answer)
{
	uint8_t apex[WIRE_MAX_NAME];
	int len = signer_of(answer, WIRE_ANSWER, apex, NULL);
	return answer->qtype == DNS_TYPE_DNSKEY && len > 0 &&
	       has_rr(answer, WIRE_ANSWER, DNS_TYPE_DNSKEY, apex, (size_t)len);
}

/* ---- the parent's DS: listed in the module, or read from the DS answer ---- */

typedef struct ds_set {
	dnssec_ds_t *v;
	size_t n;
} ds_set_t;

/* The records of `type` owned by apex in m's answer: DS or CDS, whose rdata is the same
 * (RFC 7344 3.1). Records whose rdata does not read are left out; empty digests are kept. */
static int ds_records(const wire_msg_t *m, uint16_t type, const uint8_t *apex, size_t apex_len, ds_set_t *out)
{
	size_t n;
	const wire_rr_t *rr = wire_section(m, WIRE_ANSWER, &n);
	out->v = calloc(n + 1, sizeof *out->v);
	if (!out->v)
		return NSP_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (!owned(m, &rr[i], type, apex, apex_len))
			continue;
		cursor_t c = cursor_at(m->buf, (size_t)rr[i].rdata + rr[i].rdlen, rr[i].rdata);
		dnssec_ds_t *d = &out->v[out->n];
		memcpy(d->owner, apex, apex_len);
		d->owner_len = (uint8_t)apex_len;
		d->key_tag = cursor_u16(&c);
		d->algorithm = cursor_u8(&c);
		d->digest_type = cursor_u8(&c);
		size_t dl = cursor_left(&c);
		const uint8_t *dig = cursor_bytes(&c, dl);
		if (!cursor_ok(&c) || dl > DNSSEC_DS_MAX_DIGEST)
			continue;
		memcpy(d->digest, dig, dl);
		d->digest_len = (uint8_t)dl;
		out->n++;
	}
	return 0;
}

/* The parent's DS records in the DS answer (a DS without a digest matches nothing: left out). */
static int ds_from_answer(const wire_msg_t *m, const uint8_t *apex, size_t apex_len, ds_set_t *out)
{
	int rc = ds_records(m, DNS_TYPE_DS, apex, apex_len, out);
	size_t k = 0;
	for (size_t i = 0; rc == 0 && i < out->n; i++)
		if (out->v[i].digest_len)
			out->v[k++] = out->v[i];
	out->n = rc == 0 ? k : 0;
	return rc;
}

/* The module's listed DS, an rdata-only one owned by the apex. */
static int ds_listed(const config_dns_t *dns, const uint8_t *apex, size_t apex_len, ds_set_t *out)
{
	out->v = calloc(dns->n_ds + 1, sizeof *out->v);
	if (!out->v)
		return NSP_ENOMEM;
	for (size_t i = 0; i < dns->n_ds; i++) {
		out->v[i] = dns->ds[i];
		if (!out->v[i].owner_len) {
			memcpy(out->v[i].owner, apex, apex_len);
			out->v[i].owner_len = (uint8_t)apex_len;
		}
	}
	out->n = dns->n_ds;
	return 0;
}

/* "<tag> <alg> <type>, ..." of a DS set, for a log line. */
static void ds_list_text(const ds_set_t *ds, buf_t *out)
{
	for (size_t i = 0; i < ds->n; i++)
		buf_printf(out, "%s%u %u %u", i ? ", " : "", ds->v[i].key_tag, ds->v[i].algorithm,
		           ds->v[i].digest_type);
	if (!ds->n)
		buf_puts(out, "none");
}

/* ---- CDS / CDNSKEY against the parent's DS (RFC 7344 4, RFC 8078) ---- */

static bool ds_same(const dnssec_ds_t *a, const dnssec_ds_t *b)
{
	return a->key_tag == b->key_tag && a->algorithm == b->algorithm && a->digest_type == b->digest_type &&
	       a->digest_len == b->digest_len && memcmp(a->digest, b->digest, a->digest_len) == 0;
}

static bool ds_in(const dnssec_ds_t *d, const ds_set_t *set)
{
	for (size_t i = 0; i < set->n; i++)
		if (ds_same(d, &set->v[i]))
			return true;
	return false;
}

/* Whether the zone asks for a DS the parent does not have (or for the removal of one it has): a
 * CDS that is not among the DS, a DS that is not among the CDS, a CDNSKEY that no DS matches
 * (by its digest of the DS's type), or the delete form (algorithm 0) while the parent has DS. */
static bool cds_pending(const wire_msg_t *cds, const wire_msg_t *cdnskey, const uint8_t *apex, size_t apex_len,
                        const ds_set_t *ds)
{
	if (cds) {
		ds_set_t c = { 0 };
		if (ds_records(cds, DNS_TYPE_CDS, apex, apex_len, &c) != 0)
			return false;
		int verdict = c.n ? 0 : -1;          /* -1: no CDS, ask the CDNSKEY records */
		for (size_t i = 0; i < c.n && verdict == 0; i++) {
			if (c.v[i].algorithm == 0)       /* delete: RFC 8078 4 */
				verdict = ds->n > 0 ? 1 : 2;
			else if (!ds_in(&c.v[i], ds))
				verdict = 1;
		}
		for (size_t j = 0; j < ds->n && verdict == 0; j++)
			if (!ds_in(&ds->v[j], &c))
				verdict = 1;
		free(c.v);
		if (verdict >= 0)
			return verdict == 1;
	}
	if (cdnskey) {
		size_t n;
		const wire_rr_t *rr = wire_section(cdnskey, WIRE_ANSWER, &n);
		for (size_t i = 0; i < n; i++) {
			if (!owned(cdnskey, &rr[i], DNS_TYPE_CDNSKEY, apex, apex_len))
				continue;
			const uint8_t *rd = cdnskey->buf + rr[i].rdata;
			if (rr[i].rdlen >= 4 && rd[3] == 0)  /* delete: algorithm 0 */
				return ds->n > 0;
			bool found = false;
			for (size_t j = 0; j < ds->n && !found; j++) {
				uint8_t dig[DNSSEC_DS_MAX_DIGEST];
				int dl = dnssec_ds_digest(apex, rd, rr[i].rdlen, ds->v[j].digest_type, dig);
				found = dl > 0 && (size_t)dl == ds->v[j].digest_len && memcmp(dig, ds->v[j].digest, (size_t)dl) == 0;
			}
			if (!found)
				return true;
		}
	}
	return false;
}

/* ---- key info: one series per DNSKEY at the apex ---- */

static int key_info(const wire_msg_t *keys, const uint8_t *apex, size_t apex_len, char **out)
{
	size_t n;
	const wire_rr_t *rr = wire_section(keys, WIRE_ANSWER, &n);
	buf_t b = BUF_INIT;
	/* client_golang sorts a family's series by their label values, in label-name order */
	char **lines = calloc(n + 1, sizeof *lines);
	size_t k = 0;
	if (!lines)
		return NSP_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (!owned(keys, &rr[i], DNS_TYPE_DNSKEY, apex, apex_len) || rr[i].rdlen < 4)
			continue;
		const uint8_t *rd = keys->buf + rr[i].rdata;
		cursor_t c = cursor_make(rd, rr[i].rdlen);
		unsigned flags = cursor_u16(&c);
		cursor_u8(&c);
		unsigned alg = cursor_u8(&c);
		uint8_t dig[DNSSEC_DS_MAX_DIGEST];
		int dl = dnssec_ds_digest(apex, rd, rr[i].rdlen, 2, dig);
		buf_t line = BUF_INIT;
		buf_printf(&line, "probe_dnssec_key_info{algorithm=\"%u\",ds_sha256=\"", alg);
		for (int j = 0; j < dl; j++)
			buf_printf(&line, "%02X", dig[j]);
		buf_printf(&line, "\",flags=\"%u\",key_tag=\"%u\"} 1\n", flags, dnssec_key_tag(rd, rr[i].rdlen));
		lines[k++] = buf_ok(&line) ? strdup(buf_str(&line)) : NULL;
		buf_free(&line);
	}
	for (size_t i = 1; i < k; i++)           /* a handful of keys: insertion sort */
		for (size_t j = i; j > 0 && lines[j] && lines[j - 1] && strcmp(lines[j - 1], lines[j]) > 0; j--) {
			char *t = lines[j];
			lines[j] = lines[j - 1];
			lines[j - 1] = t;
		}
	for (size_t i = 0; i < k; i++) {
		if (lines[i])
			buf_puts(&b, lines[i]);
		free(lines[i]);
	}
	free(lines);
	*out = buf_ok(&b) && b.len ? strdup(buf_str(&b)) : NULL;
	buf_free(&b);
	return 0;
}

/* ---- the proofs (dns/denial) ---- */

/* Follows the CNAMEs of the answer section from the question's name: the name the answer ends at. */
static size_t final_name(const wire_msg_t *m, uint8_t name[WIRE_MAX_NAME])
{
	int len = wire_name_read(m, m->question, name, NULL);
	if (len < 0)
		return 0;
	size_t n;
	const wire_rr_t *rr = wire_section(m, WIRE_ANSWER, &n);
	uint8_t owner[WIRE_MAX_NAME];
	for (size_t hops = 0; hops < n; hops++) {
		bool moved = false;
		for (size_t i = 0; i < n && !moved; i++) {
			int l = rr_name(m, &rr[i], false, owner);
			if (rr[i].type != DNS_TYPE_CNAME || l <= 0 || !name_eq(owner, (size_t)l, name, (size_t)len))
				continue;
			int t = rr_name(m, &rr[i], true, name);
			if (t <= 0)
				return 0;
			len = t;
			moved = true;
		}
		if (!moved)
			break;
	}
	return (size_t)len;
}

static bool is_below(const uint8_t *name, size_t len, const uint8_t *apex, size_t apex_len)
{
	return len >= apex_len && name_eq(name + len - apex_len, apex_len, apex, apex_len);
}

/* One proof; true when proven (or an Opt-Out span). Logs the failure. */
static bool prove(const wire_msg_t *m, denial_query_t *q, plog_t *log)
{
	denial_result_t r;
	int rc = denial_check(m, q, &r);
	if (rc != 0) {
		plog_line(log, LOG_ERROR, "DNSSEC validation failed", "reason", "the denial records do not read",
		          "err", nsp_strerror(rc), NULL);
		return false;
	}
	if (r.reason == DENIAL_OK)
		return true;
	if (q->claim == DENIAL_CLAIM_WILDCARD && r.reason == DENIAL_NO_PROOF)
		r.reason = DENIAL_WILDCARD_NO_PROOF;    /* no NSEC/NSEC3 at all: name the expansion */
	buf_t why = BUF_INIT;
	denial_describe(m, &r, &why);
	if (r.reason == DENIAL_OPT_OUT) {
		/* RFC 5155 9.2: an Opt-Out span may hide an insecure delegation; the zone is signed as its
		 * owner chose it to be */
		plog_line(log, LOG_INFO, "DNSSEC denial rests on an Opt-Out span", "proof", buf_str(&why), NULL);
		buf_free(&why);
		return true;
	}
	if (r.reason == DENIAL_WORK_LIMIT)
		plog_line(log, LOG_ERROR, "DNSSEC validation failed", "reason", "work limit reached", "limit",
		          dnssec_limit_describe(r.limit), NULL);
	else
		plog_line(log, LOG_ERROR, "DNSSEC validation failed", "reason", buf_str(&why), NULL);
	buf_free(&why);
	return false;
}

/* The records a proof rests on are signed (denial.h: its OK is worthless otherwise). With a
 * negative answer they are in the checked section; with a positive one (a wildcard expansion, a
 * CNAME chain ending in no data) they are in the authority section, which is checked here: each
 * NSEC and NSEC3 RRset of it must have a valid signature by the key set. Logs the failure. */
typedef struct proof_keys {
	enum wire_section sec;          /* the section secure_judge checked */
	const dnssec_keyset_t *ks;
	const dnssec_opts_t *opts;
	bool checked;                   /* the authority section's proof records passed */
} proof_keys_t;

static bool proof_signed(const wire_msg_t *m, proof_keys_t *pk, plog_t *log)
{
	if (pk->sec == WIRE_AUTHORITY || pk->checked)
		return true;
	size_t n;
	wire_section(m, WIRE_AUTHORITY, &n);
	dnssec_verdict_t *v = calloc(n + 1, sizeof *v);
	dnssec_result_t res = { .verdicts = v, .cap = n + 1 };
	int r = v ? dnssec_check(m, WIRE_AUTHORITY, pk->ks, pk->opts, &res) : NSP_ENOMEM;
	bool ok = false;
	if (r != 0) {
		plog_line(log, LOG_ERROR, "DNSSEC validation failed", "err", nsp_strerror(r), NULL);
	} else if (res.limit != DNSSEC_LIMIT_NONE) {
		plog_line(log, LOG_ERROR, "DNSSEC validation failed", "reason", "work limit reached", "limit",
		          dnssec_limit_describe(res.limit), NULL);
	} else {
		ok = true;
		for (size_t i = 0; i < res.n_rrsets && ok; i++) {
			if ((v[i].type != DNS_TYPE_NSEC && v[i].type != DNS_TYPE_NSEC3) || v[i].reason == DNSSEC_OK ||
			    v[i].reason == DNSSEC_EXPIRING)
				continue;
			buf_t why = BUF_INIT;
			dnssec_verdict_describe(m, &v[i], &why);
			plog_line(log, LOG_ERROR, "DNSSEC validation failed", "reason", buf_str(&why), NULL);
			buf_free(&why);
			ok = false;
		}
	}
	free(v);
	pk->checked = ok;
	return ok;
}

/* The proofs the answer needs: the name error or no data it claims, and each wildcard expansion of
 * its section's verdicts. */
static bool proofs(const wire_msg_t *m, const dnssec_verdict_t *v, size_t nv, const uint8_t *apex,
                   size_t apex_len, dnssec_budget_t *budget, proof_keys_t *pk, plog_t *log)
{
	uint8_t name[WIRE_MAX_NAME];
	size_t len = final_name(m, name);
	denial_query_t q = { .apex = apex, .apex_len = apex_len, .qclass = m->qclass, .budget = budget };
	if (len && is_below(name, len, apex, apex_len)) {
		bool answered = false;
		size_t n;
		const wire_rr_t *rr = wire_section(m, WIRE_ANSWER, &n);
		uint8_t owner[WIRE_MAX_NAME];
		for (size_t i = 0; i < n && !answered; i++) {
			int l = rr_name(m, &rr[i], false, owner);
			answered = (rr[i].type == m->qtype || m->qtype == DNS_TYPE_ANY) && l > 0 &&
			           name_eq(owner, (size_t)l, name, len);
		}
		if (m->rcode == 3) {
			q.claim = DENIAL_CLAIM_NXDOMAIN;
		} else if (m->rcode == 0 && !answered) {
			q.claim = DENIAL_CLAIM_NODATA;
			q.qtype = m->qtype;
		} else {
			len = 0;
		}
		if (len) {
			q.name = name;
			q.name_len = len;
			if (!proof_signed(m, pk, log) || !prove(m, &q, log))
				return false;
		}
	}
	/* wildcard expansions (RFC 4035 5.3.4): the RRSIG's labels below the owner's */
	for (size_t i = 0; i < nv; i++) {
		if (!v[i].wildcard || v[i].synthesized)
			continue;
		int l = wire_name_read(m, v[i].owner, name, NULL);
		if (l <= 0 || !is_below(name, (size_t)l, apex, apex_len))
			continue;
		q.claim = DENIAL_CLAIM_WILDCARD;
		q.name = name;
		q.name_len = (size_t)l;
		q.labels = v[i].labels;
		q.qtype = v[i].type;
		if (!proof_signed(m, pk, log) || !prove(m, &q, log))
			return false;
	}
	return true;
}

/* ---- the verdict ---- */

static void fail_line(plog_t *log, const char *reason)
{
	plog_line(log, LOG_ERROR, "DNSSEC validation failed", "reason", reason, NULL);
}

bool secure_judge(const secure_in_t *in, metrics_t *met, plog_t *log, secure_labels_t *labels)
{
	const config_dns_t *dns = in->dns;
	const wire_msg_t *m = in->answer;
	enum wire_section sec = checked_section(m);
	bool ds_expected = dns->n_ds > 0 || dns->dnssec_ds_from;
	bool ok = false;
	size_t n;
	wire_section(m, sec, &n);
	dnssec_verdict_t *v = calloc(n + 1, sizeof *v);
	dnssec_keyset_t *ks = malloc(sizeof *ks);
	ds_set_t ds = { 0 };
	buf_t why = BUF_INIT, keys_why = BUF_INIT;
	dnssec_result_t res = { .verdicts = v, .cap = n + 1 };
	dnssec_opts_t opts = {
		.now = in->now,
		.min_validity = dns->dnssec_min_validity_ns / 1000000000,
		.budget = in->budget,
	};
	metrics_set(met, MET_DNSSEC_RRSIG_VALID, 0);
	if (!v || !ks) {
		plog_line(log, LOG_ERROR, "DNSSEC validation failed", "err", "out of memory", NULL);
		goto out;
	}

	/* 1. the apex */
	uint8_t apex[WIRE_MAX_NAME];
	size_t apex_off = m->question;
	int apex_len = signer_of(m, sec, apex, &apex_off);
	if (apex_len == NSP_ENOENT) {
		/* no RRSIG: every RRset fails as "missing RRSIG" against the (empty) key set below */
		apex_off = m->question;
		apex_len = wire_name_read(m, m->question, apex, NULL);
	}
	if (apex_len <= 0) {
		plog_line(log, LOG_ERROR, "DNSSEC validation failed", "err", "unreadable RRSIG", NULL);
		goto out;
	}
	const wire_msg_t *keys = in->keys ? in->keys : m;
	if (ds_expected) {
		int r = dns->n_ds ? ds_listed(dns, apex, (size_t)apex_len, &ds)
		                  : in->ds ? ds_from_answer(in->ds, apex, (size_t)apex_len, &ds) : 0;
		if (r != 0) {
			plog_line(log, LOG_ERROR, "DNSSEC validation failed", "err", nsp_strerror(r), NULL);
			goto out;
		}
		metrics_set(met, MET_DNSSEC_DS_MATCH, 0);
	}

	/* 2. the key set (with the parent's DS when there is one) */
	int r = dnssec_keyset_check(keys, apex, ds.v, ds.n, &opts, ks);
	if (r == 0 && ks->limit == DNSSEC_LIMIT_NONE && !ks->valid) {
		dnssec_keyset_describe(ks, ds.v, ds.n, &keys_why);
		/* the answer's verdicts are still read against the same keys taken on trust, so that its
		 * RRSIG times are known and its own failure is named first */
		r = dnssec_keyset_anchor(keys, apex, ks);
	}
	if (r == 0 && ks->limit != DNSSEC_LIMIT_NONE)
		res.limit = ks->limit;
	else if (r == 0)
		r = dnssec_check(m, sec, ks, &opts, &res);
	if (r != 0) {
		plog_line(log, LOG_ERROR, "DNSSEC validation failed", "err", nsp_strerror(r), NULL);
		goto out;
	}
	if (res.have_times) {
		metrics_set(met, MET_DNSSEC_EARLIEST_EXPIRY, (double)res.earliest_expiry);
		metrics_set(met, MET_DNSSEC_LATEST_INCEPTION, (double)res.latest_inception);
	}
	if (res.limit != DNSSEC_LIMIT_NONE) {
		/* a hostile or broken zone (KeyTrap, CVE-2023-50387): say which bound stopped the check */
		plog_line(log, LOG_ERROR, "DNSSEC validation failed", "reason", "work limit reached", "limit",
		          dnssec_limit_describe(res.limit), NULL);
		goto out;
	}
	if (ds_expected && ds.n == 0 && keys_why.len == 0) {   /* an insecure delegation: nothing is proven */
		if (in->ds && in->ds->rcode != 0) {                 /* or no answer to say so */
			const char *rc = dnstab_rcode_name(in->ds->rcode);
			buf_printf(&keys_why, "the DS query got no DS: rcode %s", rc ? rc : "?");
		} else {
			buf_puts(&keys_why, "the parent has no DS for the zone");
		}
	}
	bool keys_ok = keys_why.len == 0;
	if (ds_expected && keys_ok && ks->ds_used >= 0)
		metrics_set(met, MET_DNSSEC_DS_MATCH, 1);
	metrics_set(met, MET_DNSSEC_RRSIG_VALID, res.valid && keys_ok ? 1 : 0);
	if (dns->dnssec_key_info) {
		free(labels->key_info);
		labels->key_info = NULL;
		if (key_info(keys, apex, (size_t)apex_len, &labels->key_info) == 0 && labels->key_info)
			metrics_set_label(met, MET_DNSSEC_KEY_INFO, labels->key_info, 1);
	}
	if (ds_expected && (in->cds || in->cdnskey))
		metrics_set(met, MET_DNSSEC_CDS_PENDING,
		            cds_pending(in->cds, in->cdnskey, apex, (size_t)apex_len, &ds) ? 1 : 0);

	/* 3. the signatures: the answer's failure first (it names the probed RRset) */
	if (res.n_rrsets == 0) {
		fail_line(log, "no RRset to check");
		goto out;
	}
	if (!res.ok) {
		char mv[32];
		duration_format(dns->dnssec_min_validity_ns, mv);
		dnssec_verdict_describe(m, &v[res.first_failure], &why);
		if (v[res.first_failure].reason == DNSSEC_EXPIRING)
			plog_line(log, LOG_ERROR, "DNSSEC validation failed", "reason", buf_str(&why), "min_validity", mv,
			          NULL);
		else
			fail_line(log, buf_str(&why));
		if (!keys_ok && res.have_times)
			fail_line(log, buf_str(&keys_why));
		goto out;
	}
	if (!keys_ok) {
		fail_line(log, buf_str(&keys_why));
		goto out;
	}
	/* the apex owns the SOA (RFC 4035 5.3.1: the signer is the zone's apex) */
	if (!secure_apex_proven(m) && !(in->soa && has_rr(in->soa, WIRE_ANSWER, DNS_TYPE_SOA, apex, (size_t)apex_len))) {
		buf_reset(&why);
		buf_puts(&why, "signer is not the zone apex: ");
		rrtext_name(m, apex_off, &why);
		buf_puts(&why, " owns no SOA");
		fail_line(log, buf_str(&why));
		/* the keys that verified are not the zone's DNSKEY set (the metric's promise) */
		metrics_set(met, MET_DNSSEC_RRSIG_VALID, 0);
		goto out;
	}

	/* 4. the proofs */
	proof_keys_t pk = { .sec = sec, .ks = ks, .opts = &opts };
	if (!proofs(m, v, res.n_rrsets, apex, (size_t)apex_len, in->budget, &pk, log))
		goto out;

	/* 5. the parent's DS said which key: log it */
	if (ds_expected) {
		buf_reset(&why);
		ds_list_text(&ds, &why);
		char tag[8];
		snprintf(tag, sizeof tag, "%u", ks->ds_key_tag);
		plog_line(log, LOG_INFO, "The parent's DS matches a key that signs the DNSKEY set", "ds", buf_str(&why),
		          "key_tag", tag, NULL);
	}
	char exp[32];
	snprintf(exp, sizeof exp, "%lld", (long long)res.earliest_expiry);
	plog_line(log, LOG_INFO, "DNSSEC signatures are valid", "earliest_expiry", exp, NULL);
	ok = true;
out:
	buf_free(&why);
	buf_free(&keys_why);
	free(ds.v);
	free(v);
	free(ks);
	return ok;
}
