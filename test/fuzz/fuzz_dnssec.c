/* fuzz_dnssec -- libFuzzer target: DNSSEC verification of an answer against a DNSKEY answer, as a
 * validating probe runs it (dnssec_keys_answer and dnssec_conclude in probe.c): both messages through
 * wire_parse, then dnssec_check of the answer section against the keys, the keys' self-signature
 * check, the signer name and a log phrase for every verdict.
 *
 * Input: a 2-byte big-endian length L, L bytes of the answer message, then the DNSKEY answer message
 * (the rest). The clock is fixed (the time test/data/dnssec/cases.txt was captured), so a run is
 * deterministic and captured signatures fall inside their validity window. */
#include <stdint.h>
#include <stdlib.h>

#include "lib/buf.h"
#include "dns/dnssec.h"
#include "dns/wire.h"

#define FUZZ_DNSSEC_NOW 1795780198   /* 2026-11-27 11:49:58 UTC, cases.txt's capture */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* dnssec_check of `section` of msg against keys, then every verdict described. */
static void check(const wire_msg_t *msg, const wire_msg_t *keys, buf_t *text)
{
	dnssec_opts_t opts = { .now = FUZZ_DNSSEC_NOW, .min_validity = 3 * 86400 };
	size_t cap = msg->count[WIRE_ANSWER] + 1;
	dnssec_result_t res = { .verdicts = calloc(cap, sizeof(dnssec_verdict_t)), .cap = cap };
	if (!res.verdicts)
		return;
	if (dnssec_check(msg, WIRE_ANSWER, keys, &opts, &res) == 0) {
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
