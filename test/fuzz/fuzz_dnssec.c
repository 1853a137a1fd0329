/* fuzz_dnssec -- libFuzzer target: DNSSEC verification of an answer against a DNSKEY answer, as a
 * validating probe runs it (dnssec_keys_answer and dnssec_conclude in probe.c): both messages through
 * wire_parse, then the key set's check at the DNSKEY answer's question name (without and with a DS
 * made from its first key), dnssec_check of the answer section against the keys (taken on trust when
 * the key set fails, as the probe does), the signer name and a log phrase for every verdict.
 *
 * Input: a 2-byte big-endian length L, L bytes of the answer message, then the DNSKEY answer message
 * (the rest). The clock is fixed (the time test/data/dnssec/cases.txt was captured), so a run is
 * deterministic and captured signatures fall inside their validity window. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "dns/dnssec.h"
#include "dns/wire.h"

#define FUZZ_DNSSEC_NOW 1795780198   /* 2026-11-27 11:49:58 UTC, cases.txt's capture */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The key set of keys, then dnssec_check of msg against it, then every verdict described. */
static void check(const wire_msg_t *msg, const wire_msg_t *keys, buf_t *text)
{
	dnssec_opts_t opts = { .now = FUZZ_DNSSEC_NOW, .min_validity = 3 * 86400 };
	uint8_t apex[WIRE_MAX_NAME];
	dnssec_keyset_t ks;
	if (wire_name_read(keys, keys->question, apex, NULL) < 0)
		return;
	dnssec_ds_t ds = { .key_tag = 0, .digest_type = 2 };
	size_t n_ds = 0;
	size_t nk;
	const wire_rr_t *krrs = wire_section(keys, WIRE_ANSWER, &nk);
	if (nk > 0 && krrs[0].type == 48 && krrs[0].rdlen >= 4) {
		const uint8_t *rd = keys->buf + krrs[0].rdata;
		memcpy(ds.owner, apex, sizeof(apex));
		ds.key_tag = dnssec_key_tag(rd, krrs[0].rdlen);
		ds.algorithm = rd[3];
		int len = dnssec_ds_digest(apex, rd, krrs[0].rdlen, 2, ds.digest);
		if (len > 0) {
			ds.digest_len = (uint8_t)len;
			n_ds = 1;
		}
	}
	if (dnssec_keyset_check(keys, apex, &ds, n_ds, &opts, &ks) == 0)
		dnssec_keyset_describe(&ks, &ds, n_ds, text);
	if (dnssec_keyset_check(keys, apex, NULL, 0, &opts, &ks) != 0)
		return;
	buf_reset(text);
	dnssec_keyset_describe(&ks, NULL, 0, text);
	if (!ks.valid && dnssec_keyset_anchor(keys, apex, &ks) != 0)
		return;
	size_t cap = msg->count[WIRE_ANSWER] + 1;
	dnssec_result_t res = { .verdicts = calloc(cap, sizeof(dnssec_verdict_t)), .cap = cap };
	if (!res.verdicts)
		return;
	if (dnssec_check(msg, WIRE_ANSWER, &ks, &opts, &res) == 0) {
		if (res.n_rrsets > cap)
			abort();   /* the contract: the section's RR count always suffices */
		for (size_t i = 0; i < res.n_rrsets; i++) {
			buf_reset(text);
			dnssec_verdict_describe(msg, &res.verdicts[i], text);
		}
	}
	free(res.verdicts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	size_t alen = (size_t)data[0] << 8 | data[1];
	if (alen > size - 2)
		return 0;
	const uint8_t *answer = data + 2, *dnskey = data + 2 + alen;
	size_t klen = size - 2 - alen;
	size_t cap_a = wire_rr_capacity(alen), cap_k = wire_rr_capacity(klen);
	wire_rr_t *ra = calloc(cap_a, sizeof(*ra)), *rk = calloc(cap_k, sizeof(*rk));
	buf_t text = BUF_INIT;
	wire_msg_t a, k;
	if (!ra || !rk || wire_parse(answer, alen, ra, cap_a, &a) != 0)
		goto done;
	dnssec_signer(&a, WIRE_ANSWER, &text);
	if (wire_parse(dnskey, klen, rk, cap_k, &k) != 0)
		goto done;
	check(&a, &k, &text);   /* the answer's RRsets against the zone's keys */
	check(&k, &k, &text);   /* the key set's self-signature (RFC 4035 5.3.1) */
done:
	buf_free(&text);
	free(ra);
	free(rk);
	return 0;
}
