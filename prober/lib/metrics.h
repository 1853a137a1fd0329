/* metrics -- Prometheus text exposition: a probe's fixed catalogue of gauges, and a generic writer. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"

/* Every series a DNS probe can emit, in the order the exposition sorts them (family name, then label
 * value), so rendering needs no sort. The HELP texts are blackbox_exporter's, byte for byte. */
typedef enum metric_id {
	MET_DNS_ADDITIONAL_RRS = 0,
	MET_DNS_ANSWER_RRS,
	MET_DNS_AUTHORITY_RRS,
	MET_DNS_DURATION_CONNECT,   /* probe_dns_duration_seconds{phase="connect"} */
	MET_DNS_DURATION_REQUEST,
	MET_DNS_DURATION_RESOLVE,
	MET_DNS_FLAG_AA,            /* nsprobe's extensions (issue #6) from here ... */
	MET_DNS_FLAG_AD,
	MET_DNS_LOOKUP_TIME,
	MET_DNS_NSID_INFO,          /* labelled: nsid="<server's NSID>" */
	MET_DNS_QUERY_SUCCEEDED,
	MET_DNS_RCODE_INFO,         /* labelled: rcode="<name>" */
	MET_DNS_REPLY_TRUNCATED,
	MET_DNS_RESPONSE_SIZE,
	MET_DNS_SERIAL,
	MET_DNSSEC_CDS_PENDING,
	MET_DNSSEC_DS_MATCH,
	MET_DNSSEC_EARLIEST_EXPIRY,
	MET_DNSSEC_KEY_INFO,        /* raw: label holds the family's sample lines (several series) */
	MET_DNSSEC_LATEST_INCEPTION,
	MET_DNSSEC_RRSIG_VALID,     /* ... to here, interleaved by name */
	MET_DURATION,
	MET_IP_ADDR_HASH,
	MET_IP_PROTOCOL,
	MET_SUCCESS,
	MET__COUNT
} metric_id_t;

/* A probe's registry: which series are present and their values. Zero-initialise; no allocation. */
typedef struct metrics {
	bool present[MET__COUNT];
	double value[MET__COUNT];
	const char *label[MET__COUNT];   /* value of the series' one dynamic label; borrowed */
} metrics_t;

static inline void metrics_set(metrics_t *m, metric_id_t id, double v)
{
	m->present[id] = true;
	m->value[id] = v;
}

/* Sets a series whose label value is known only at run time (MET_DNS_RCODE_INFO, MET_DNS_NSID_INFO).
 * `label` is borrowed: it must outlive the render. */
static inline void metrics_set_label(metrics_t *m, metric_id_t id, const char *label, double v)
{
	metrics_set(m, id, v);
	m->label[id] = label;
}

/* Appends the exposition of the present series: "# HELP", "# TYPE" once per family, then samples.
 * Returns 0 or NSP_ENOMEM. */
int metrics_render(const metrics_t *m, buf_t *out);

/* Generic writer (used by /metrics): one family header, then its samples. */
void metrics_family(buf_t *out, const char *name, const char *help, const char *type);
/* labels: NULL or a preformatted `a="x",b="y"` (see metrics_label_value for escaping). */
void metrics_sample(buf_t *out, const char *name, const char *labels, double v);
/* Appends a label value escaped as the text format requires (\\, \", \n). */
void metrics_label_value(buf_t *out, const char *s);
/* One histogram's samples (the family header is the caller's): name_bucket for each upper bound
 * bounds[0..n) (ascending) and +Inf, cumulative, then name_sum and name_count. counts[0..n] are the
 * observations per bucket, not cumulative: counts[i] fell in (bounds[i-1], bounds[i]], counts[n]
 * above bounds[n-1]. labels: NULL or preformatted as for metrics_sample; "le" is appended. */
void metrics_histogram(buf_t *out, const char *name, const char *labels, const double *bounds,
                       const uint64_t *counts, size_t n, double sum);

/* Go's strconv.FormatFloat(v, 'g', -1, 64) with Prometheus' +Inf/-Inf/NaN: shortest round-trip
 * digits; exponent form when the decimal exponent is < -4 or >= 6 (Go's shortest mode), with a sign
 * and at least two exponent digits (2024010101 -> "2.024010101e+09", 4.5979e-05, 119.5, 1e+06).
 * Writes a NUL-terminated string into out (32 bytes is always enough) and returns its length. */
size_t metrics_fmt_float(double v, char out[32]);
