/* answer -- the checks blackbox_exporter 0.23's ProbeDNS makes of the answer once the exchange is
 * over (prober/dns.go): miekg's unpack errors, the "Got response" log, the section counts and
 * query_succeeded, the SOA serial, nsprobe's facts about the answer (for modules using its keys),
 * valid_rcodes and the answer/authority/additional validators.
 *
 * Pure: it reads the answer bytes and the module, writes into the metrics and the log it is handed,
 * and keeps nothing; the probe decides what follows (DNSSEC, the result). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "lib/log.h"
#include "lib/metrics.h"

typedef enum answer_verdict {
	ANSWER_UNREADABLE,   /* the answer does not unpack: the exchange failed after all (*err says
	                        why, in miekg's words, or "out of memory") */
	ANSWER_FAILED,       /* the rcode or a validator refused it (the log says which) */
	ANSWER_PASSED,
} answer_verdict_t;

/* Where the label values of the answer's info metrics live: the metrics borrow them, so the caller
 * keeps this as long as it keeps the metrics. */
typedef struct answer_labels {
	char rcode[16];      /* probe_dns_rcode_info's rcode */
	char *nsid;          /* probe_dns_nsid_info's nsid, when the server sent one; owned (free it) */
} answer_labels_t;

/* Checks the answer buf[0..len) as module `dns` does. udp_truncated: the answer came over TCP after
 * a truncated UDP one (tcp_on_truncation), which probe_dns_reply_truncated reports. */
answer_verdict_t answer_check(const uint8_t *buf, size_t len, const config_dns_t *dns, bool udp_truncated,
                              metrics_t *m, plog_t *log, answer_labels_t *labels, const char **err);
