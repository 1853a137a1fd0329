/* fuzz_denial -- libFuzzer target: the NSEC/NSEC3 proofs of an answer's authority section (dns/denial),
 * as probe/secure asks for them: wire_parse, then denial_check for each claim (name error, no data,
 * wildcard expansion) and denial_describe of every verdict.
 *
 * Input: a claim byte, a labels byte (the RRSIG labels field for the wildcard claim), a 2-byte
 * big-endian qtype, then the message. The claim byte: bits 0-1 the claim checked first (the other
 * two follow in order, 3 is taken as 0), bits 2-5 how many of the qname's last labels make the apex
 * (0: the root; more than the name has: the whole name), bit 6 the qname is a fixed name rather than
 * the question's (also when the question does not read). One dnssec_budget_t per input is shared by
 * the three checks, as one probe's budget is, so NSEC3 hashing stays bounded by DNSSEC_MAX_NSEC3_HASHES.
 *
 * Checked beyond "no crash, no leak": a verdict is one of the enum's values and its record index is
 * in the authority section; the hashes of all three checks stay within the budget; a verdict's
 * record still reads for denial_describe. FUZZ_PRINT=1 in the environment prints each verdict. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/errors.h"
#include "dns/denial.h"
#include "dns/dnssec.h"
#include "dns/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* a.c.x.w.example. (RFC 5155 B.1's qname) */
static const uint8_t fixed_name[] = "\1a\1c\1x\1w\7example";   /* with its terminating 0 */

/* The offset in name of its last `keep` labels (the whole name when it has no more). */
static size_t last_labels(const uint8_t *name, size_t len, unsigned keep)
{
	size_t offs[128], n = 0;
	for (size_t o = 0; o < len && name[o] != 0 && n < 128; o += (size_t)name[o] + 1)
		offs[n++] = o;
	return keep >= n ? 0 : offs[n - keep];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 4)
		return 0;
	uint8_t flags = data[0], labels = data[1];
	uint16_t qtype = (uint16_t)(data[2] << 8 | data[3]);
	const uint8_t *msg = data + 4;
	size_t len = size - 4;
	size_t cap = wire_rr_capacity(len);
	wire_rr_t *rrs = calloc(cap, sizeof(*rrs));
	buf_t text = BUF_INIT;
	wire_msg_t m;
	if (!rrs || wire_parse(msg, len, rrs, cap, &m) != 0)
		goto done;

	uint8_t qname[WIRE_MAX_NAME];
	int qlen = -1;
	if (!(flags & 0x40) && m.qdcount > 0)
		qlen = wire_name_read(&m, m.question, qname, NULL);
	if (qlen <= 0) {
		memcpy(qname, fixed_name, sizeof(fixed_name));
		qlen = (int)sizeof(fixed_name);
	}
	unsigned keep = (flags >> 2) & 0x0f;
	size_t apex_off = keep ? last_labels(qname, (size_t)qlen, keep) : (size_t)qlen - 1;
	size_t n_auth;
	wire_section(&m, WIRE_AUTHORITY, &n_auth);

	dnssec_budget_t budget;
	dnssec_budget_init(&budget, 0);
	unsigned hashes = 0;
	for (unsigned i = 0; i < 3; i++) {
		denial_query_t q = {
			.claim = (denial_claim_t)(((flags & 3) % 3 + i) % 3),
			.name = qname,
			.name_len = (size_t)qlen,
			.qtype = qtype,
			.qclass = 1,
			.apex = qname + apex_off,
			.apex_len = (size_t)qlen - apex_off,
			.labels = labels,
			.budget = &budget,
		};
		denial_result_t r;
		if (denial_check(&m, &q, &r) != 0)
			continue;
		if ((unsigned)r.reason > DENIAL_MALFORMED || (unsigned)r.kind > DENIAL_KIND_NSEC3)
			abort();   /* a verdict outside the enums */
		if (r.rr >= 0 && (size_t)r.rr >= n_auth)
			abort();   /* a record index outside the authority section */
		hashes += r.hashes;
		if (hashes > DNSSEC_MAX_NSEC3_HASHES)
			abort();   /* NSEC3 hashing beyond the probe's budget */
		buf_reset(&text);
		if (denial_describe(&m, &r, &text) == NSP_EMALFORMED)
			abort();   /* the record the verdict rests on no longer reads */
		if (getenv("FUZZ_PRINT"))   /* to see what a seed or a reproducer reaches */
			fprintf(stderr, "claim %d: %.*s\n", (int)q.claim, (int)text.len, text.p);
	}
done:
	buf_free(&text);
	free(rrs);
	return 0;
}
