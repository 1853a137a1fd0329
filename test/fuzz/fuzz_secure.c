/* fuzz_secure -- libFuzzer target: the DNSSEC verdict of a probe (probe/secure), from the answer and
 * the exchanges a validating probe makes for it (secure_finish in probe.c): every message through
 * wire_parse, then secure_judge with a module built here, then the probe's log and metrics rendered.
 *
 * Input: a flag byte, then (with bits 1 and 2) a DS, then up to six messages, each a 2-byte
 * big-endian length L and L bytes, in the order answer, keys, soa, ds, cds, cdnskey. L = 0, or the
 * input ending, leaves that one out (NULL: not fetched); an L past the end takes the rest. A message
 * that does not parse ends the run, as it fails the probe before the verdict.
 * The flag byte: bit 0 dnssec.key_info, bit 1 one listed dnssec.ds, bit 2 that DS read from the input
 * (2-byte key tag, algorithm, digest type, digest length, the digest) rather than the fixed one
 * (p256.test.'s key 34923 in test/data/dnssec/cases.txt), bit 3 dnssec.ds_from: resolver (the DS
 * answer is read when no DS is listed), bit 4 a minimum validity of three days.
 * The clock is fixed (cases.txt's capture) and the budget fresh per input, so a run is deterministic
 * and bounded. FUZZ_PRINT=1 in the environment prints the log and the metrics (to see what an input
 * reaches). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/metrics.h"
#include "dns/dnssec.h"
#include "dns/wire.h"
#include "probe/secure.h"

#define FUZZ_DNSSEC_NOW 1795780198   /* 2026-11-27 11:49:58 UTC, cases.txt's capture */

enum { N_MSG = 6 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* DS 34923 13 2 of p256.test.'s key (owner left to the apex, as a module's rdata-only DS). */
static const dnssec_ds_t fixed_ds = {
	.key_tag = 34923,
	.algorithm = 13,
	.digest_type = 2,
	.digest = { 0xc6, 0x09, 0x58, 0x35, 0x6a, 0x53, 0x53, 0x64, 0x94, 0x8e, 0x1f, 0x8a, 0xf9, 0x34, 0x63, 0x43,
	            0x44, 0xb5, 0x95, 0x8b, 0xc1, 0xd5, 0xc4, 0x56, 0x8e, 0x25, 0xbb, 0x69, 0x7f, 0xa5, 0x32, 0xc6 },
	.digest_len = 32,
};

static char resolver[] = "resolver";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t flags = data[0];
	size_t off = 1;
	dnssec_ds_t ds = fixed_ds;
	if ((flags & 6) == 6) {
		if (size - off < 5)
			return 0;
		memset(&ds, 0, sizeof(ds));
		ds.key_tag = (uint16_t)(data[off] << 8 | data[off + 1]);
		ds.algorithm = data[off + 2];
		ds.digest_type = data[off + 3];
		size_t dl = data[off + 4];
		off += 5;
		if (dl > DNSSEC_DS_MAX_DIGEST || dl > size - off)
			return 0;
		memcpy(ds.digest, data + off, dl);
		ds.digest_len = (uint8_t)dl;
		off += dl;
	}

	wire_msg_t msgs[N_MSG];
	wire_rr_t *rrs[N_MSG] = { 0 };
	const wire_msg_t *in_msg[N_MSG] = { 0 };
	bool ok = true;
	for (int i = 0; i < N_MSG && ok && size - off >= 2; i++) {
		size_t len = (size_t)data[off] << 8 | data[off + 1];
		off += 2;
		if (len > size - off)
			len = size - off;
		const uint8_t *p = data + off;
		off += len;
		if (len == 0)
			continue;
		size_t cap = wire_rr_capacity(len);
		if (!(rrs[i] = calloc(cap, sizeof(*rrs[i]))) || wire_parse(p, len, rrs[i], cap, &msgs[i]) != 0)
			ok = false;
		else
			in_msg[i] = &msgs[i];
	}

	if (ok && in_msg[0]) {
		config_dns_t dns = {
			.query_type = 1,
			.query_class = 1,
			.edns = true,
			.edns_udp_size = 1232,
			.edns_do = true,
			.dnssec_validate = true,
			.dnssec_min_validity_ns = flags & 0x10 ? 3 * 86400 * INT64_C(1000000000) : 0,
			.dnssec_key_info = flags & 1,
			.ds = flags & 2 ? &ds : NULL,
			.n_ds = flags & 2 ? 1 : 0,
			.dnssec_ds_from = flags & 8 ? resolver : NULL,
			.ds_from_resolver = flags & 8,
			.extensions = true,
		};
		dnssec_budget_t budget;
		dnssec_budget_init(&budget, 0);
		secure_in_t in = {
			.answer = in_msg[0],
			.keys = in_msg[1],
			.soa = in_msg[2],
			.ds = in_msg[3],
			.cds = in_msg[4],
			.cdnskey = in_msg[5],
			.dns = &dns,
			.now = FUZZ_DNSSEC_NOW,
			.budget = &budget,
		};
		metrics_t met;
		memset(&met, 0, sizeof(met));
		plog_t log;
		plog_init(&log, "fuzz", "target");
		secure_labels_t labels = { 0 };
		secure_judge(&in, &met, &log, &labels);
		buf_t text = BUF_INIT;
		plog_render(&log, &text);
		metrics_render(&met, &text);
		if (getenv("FUZZ_PRINT"))   /* to see what a seed or a reproducer reaches */
			fprintf(stderr, "%.*s", (int)text.len, text.p);
		buf_free(&text);
		free(labels.key_info);
		plog_deinit(&log);
	}
	for (int i = 0; i < N_MSG; i++)
		free(rrs[i]);
	return 0;
}
