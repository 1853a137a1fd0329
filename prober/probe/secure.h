/* secure -- the DNSSEC verdict of one probe (dnssec.validate), from the answer and the exchanges the
 * probe made for it: what a validator with the zone's own key set (or the parent's DS) as its
 * anchor would say of the answer (RFC 4035 5, RFC 5155 8, RFC 6672), and what the parent's DS and
 * the zone's CDS/CDNSKEY say of a rollover (RFC 7344, RFC 8078).
 *
 * The checks, in order; the first failure is the probe's reason (one "DNSSEC validation failed"
 * log line), and the metrics are set as far as the data allows:
 *   1. the apex: the signer of the checked section's RRSIGs, which must own an SOA (in the answer
 *      itself, or in the SOA answer fetched for it) and, when a DS names its owner, be that owner;
 *   2. the key set: the DNSKEY RRset at the apex, signed by one of its usable keys, and with the
 *      parent's DS (listed or fetched) by a key a DS matches (probe_dnssec_ds_match);
 *   3. the signatures of every RRset of the section (dns/dnssec), DNAME synthesis included;
 *   4. the proofs: a name error or no data answer, and every wildcard expansion, proven by the
 *      authority section's NSEC or NSEC3 records (dns/denial); an Opt-Out span passes as the
 *      insecure delegation it may be;
 *   5. with the parent's DS: the zone's CDS/CDNSKEY against it (probe_dnssec_cds_pending);
 *   6. with dnssec.key_info: one probe_dnssec_key_info series per key of the set.
 *
 * Pure: it reads parsed messages, the module and a clock value handed in, writes the metrics and the
 * log it is given, and charges the probe's budget. It sends nothing. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "dns/dnssec.h"
#include "dns/wire.h"
#include "lib/log.h"
#include "lib/metrics.h"

/* What the probe fetched for the answer (NULL: not fetched). */
typedef struct secure_in {
	const wire_msg_t *answer;     /* the probed answer (passed blackbox's checks) */
	const wire_msg_t *keys;       /* the DNSKEY answer at the apex; NULL when the answer is that set */
	const wire_msg_t *soa;        /* the SOA answer at the apex, when the answer has no SOA there */
	const wire_msg_t *ds;         /* the DS answer from ds_from's server (the parent's DS) */
	const wire_msg_t *cds;        /* the zone's CDS answer and CDNSKEY answer (with the parent's DS) */
	const wire_msg_t *cdnskey;
	const config_dns_t *dns;      /* the module (dnssec.ds listed here) */
	int64_t now;                  /* unix seconds */
	dnssec_budget_t *budget;      /* the probe's */
} secure_in_t;

/* Where the label text of probe_dnssec_key_info lives (the metrics borrow it). */
typedef struct secure_labels {
	char *key_info;               /* owned (free it) */
} secure_labels_t;

/* The apex the answer's signatures name: the signer of the checked section's first RRSIG, as
 * presentation text (for the sub-queries). Returns 0, NSP_ENOENT (no RRSIG: nothing to fetch) or
 * NSP_EMALFORMED / NSP_ENOMEM. */
int secure_apex(const wire_msg_t *answer, buf_t *out);

/* Whether the answer shows its apex owns an SOA (then no SOA query is needed). */
bool secure_apex_proven(const wire_msg_t *answer);

/* Whether the answer holds the DNSKEY set itself (a DNSKEY probe at the apex). */
bool secure_answer_is_keys(const wire_msg_t *answer);

/* The verdict: true when valid. Logs each failure and the success; sets the DNSSEC metrics. */
bool secure_judge(const secure_in_t *in, metrics_t *m, plog_t *log, secure_labels_t *labels);
