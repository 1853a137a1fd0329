/* metrics -- Prometheus text exposition (format 0.0.4) of a probe's gauges, and a generic writer.
 *
 * Numbers are written as client_golang's expfmt writes them: strconv.FormatFloat(v, 'g', -1, 64),
 * with "+Inf", "-Inf" and "NaN". Go's shortest mode picks the fewest significant digits that parse
 * back to the same double; we find that length by asking printf for 1..17 digits and checking each
 * with strtod (both are correctly rounded in glibc), then lay the digits out as Go's fmtE/fmtF do. */
#include "lib/metrics.h"

#include <math.h>
#include <float.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/errors.h"

typedef struct metric_def {
	const char *name;
	const char *labels;     /* preformatted, or NULL */
	const char *label_key;  /* a label whose value is set at run time (metrics_set_label) */
	const char *help;
	bool raw;               /* the run-time label is the family's sample lines, written as they are
	                           (a family of several series, each with several labels) */
} metric_def_t;

/* blackbox_exporter 0.23: prober/dns.go, prober/utils.go, prober/handler.go. */
static const metric_def_t metric_defs[MET__COUNT] = {
	[MET_DNS_ADDITIONAL_RRS] = {
		.name = "probe_dns_additional_rrs",
		.help = "Returns number of entries in the additional resource record list",
	},
	[MET_DNS_ANSWER_RRS] = {
		.name = "probe_dns_answer_rrs",
		.help = "Returns number of entries in the answer resource record list",
	},
	[MET_DNS_AUTHORITY_RRS] = {
		.name = "probe_dns_authority_rrs",
		.help = "Returns number of entries in the authority resource record list",
	},
	[MET_DNS_DURATION_CONNECT] = {
		.name = "probe_dns_duration_seconds",
		.labels = "phase=\"connect\"",
		.help = "Duration of DNS request by phase",
	},
	[MET_DNS_DURATION_REQUEST] = {
		.name = "probe_dns_duration_seconds",
		.labels = "phase=\"request\"",
		.help = "Duration of DNS request by phase",
	},
	[MET_DNS_DURATION_RESOLVE] = {
		.name = "probe_dns_duration_seconds",
		.labels = "phase=\"resolve\"",
		.help = "Duration of DNS request by phase",
	},
	/* nsprobe's extensions: present only in modules that ask for them (config_dns_t.extensions) */
	[MET_DNS_FLAG_AA] = {
		.name = "probe_dns_flag_aa",
		.help = "Whether the answer had the AA (authoritative answer) flag set",
	},
	[MET_DNS_FLAG_AD] = {
		.name = "probe_dns_flag_ad",
		.help = "Whether the answer had the AD (authenticated data) flag set",
	},
	[MET_DNS_NSID_INFO] = {
		.name = "probe_dns_nsid_info",
		.label_key = "nsid",
		.help = "The name server identifier (NSID, RFC 5001) the server returned",
	},
	[MET_DNS_RCODE_INFO] = {
		.name = "probe_dns_rcode_info",
		.label_key = "rcode",
		.help = "The response code of the answer, as a label",
	},
	[MET_DNS_REPLY_TRUNCATED] = {
		.name = "probe_dns_reply_truncated",
		.help = "Whether the answer had the TC (truncated) flag set",
	},
	[MET_DNS_RESPONSE_SIZE] = {
		.name = "probe_dns_response_size_bytes",
		.help = "Size of the DNS answer message in bytes",
	},
	[MET_DNSSEC_CDS_PENDING] = {
		.name = "probe_dnssec_cds_pending",
		.help = "Whether the zone publishes CDS or CDNSKEY records the parent's DS does not match yet "
		        "(a key rollover waiting for the parent)",
	},
	[MET_DNSSEC_DS_MATCH] = {
		.name = "probe_dnssec_ds_match",
		.help = "Whether a DS record of the parent matches a key that signs the zone's DNSKEY set",
	},
	[MET_DNSSEC_KEY_INFO] = {
		.name = "probe_dnssec_key_info",
		.help = "The zone's DNSSEC keys: key tag, algorithm, flags and the SHA-256 digest of the DS "
		        "record for each",
		.raw = true,
	},
	[MET_DNSSEC_EARLIEST_EXPIRY] = {
		.name = "probe_dnssec_earliest_rrsig_expiry",
		.help = "Returns earliest RRSIG expiration of the answer in unixtime",
	},
	[MET_DNSSEC_LATEST_INCEPTION] = {
		.name = "probe_dnssec_latest_rrsig_inception",
		.help = "Returns latest RRSIG inception of the answer in unixtime",
	},
	[MET_DNSSEC_RRSIG_VALID] = {
		.name = "probe_dnssec_rrsig_valid",
		.help = "Whether every answer RRset has a valid RRSIG from the zone's DNSKEY set",
	},
	[MET_DNS_LOOKUP_TIME] = {
		.name = "probe_dns_lookup_time_seconds",
		.help = "Returns the time taken for probe dns lookup in seconds",
	},
	[MET_DNS_QUERY_SUCCEEDED] = {
		.name = "probe_dns_query_succeeded",
		.help = "Displays whether or not the query was executed successfully",
	},
	[MET_DNS_SERIAL] = {
		.name = "probe_dns_serial",
		.help = "Returns the serial number of the zone",
	},
	[MET_DURATION] = {
		.name = "probe_duration_seconds",
		.help = "Returns how long the probe took to complete in seconds",
	},
	[MET_IP_ADDR_HASH] = {
		.name = "probe_ip_addr_hash",
		.help = "Specifies the hash of IP address. It's useful to detect if the IP address changes.",
	},
	[MET_IP_PROTOCOL] = {
		.name = "probe_ip_protocol",
		.help = "Specifies whether probe ip protocol is IP4 or IP6",
	},
	[MET_SUCCESS] = {
		.name = "probe_success",
		.help = "Displays whether or not the probe was a success",
	},
};

int metrics_render(const metrics_t *m, buf_t *out)
{
	buf_reserve(out, 2047);           /* a probe's exposition is ~1.5 KB: one 2 KB block, not six steps */
	const char *family = NULL;
	for (size_t i = 0; i < MET__COUNT; i++) {
		if (!m->present[i])
			continue;
		const metric_def_t *d = &metric_defs[i];
		if (!family || strcmp(family, d->name) != 0) {
			metrics_family(out, d->name, d->help, "gauge");
			family = d->name;
		}
		if (d->raw) {
			buf_puts(out, m->label[i] ? m->label[i] : "");
		} else if (d->label_key) {
			buf_t l = BUF_INIT;
			buf_puts(&l, d->label_key);
			buf_puts(&l, "=\"");
			metrics_label_value(&l, m->label[i] ? m->label[i] : "");
			buf_putc(&l, '"');
			metrics_sample(out, d->name, buf_str(&l), m->value[i]);
			if (!buf_ok(&l))
				out->oom = true;
			buf_free(&l);
		} else {
			metrics_sample(out, d->name, d->labels, m->value[i]);
		}
	}
	return buf_ok(out) ? 0 : NSP_ENOMEM;
}

/* HELP text escaping in format 0.0.4: backslash and newline. */
static void metrics_help_text(buf_t *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			buf_puts(out, "\\\\");
		else if (*s == '\n')
			buf_puts(out, "\\n");
		else
			buf_putc(out, *s);
	}
}

void metrics_family(buf_t *out, const char *name, const char *help, const char *type)
{
	buf_puts(out, "# HELP ");
	buf_puts(out, name);
	buf_putc(out, ' ');
	if (strpbrk(help, "\\\n"))
		metrics_help_text(out, help);
	else
		buf_puts(out, help);        /* the common case: nothing to escape, no per-byte work */
	buf_puts(out, "\n# TYPE ");
	buf_puts(out, name);
	buf_putc(out, ' ');
	buf_puts(out, type);
	buf_putc(out, '\n');
}

void metrics_sample(buf_t *out, const char *name, const char *labels, double v)
{
	char num[32];
	buf_puts(out, name);
	if (labels && *labels) {
		buf_putc(out, '{');
		buf_puts(out, labels);
		buf_putc(out, '}');
	}
	buf_putc(out, ' ');
	buf_append(out, num, metrics_fmt_float(v, num));
	buf_putc(out, '\n');
}

void metrics_label_value(buf_t *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			buf_puts(out, "\\\\");
		else if (*s == '"')
			buf_puts(out, "\\\"");
		else if (*s == '\n')
			buf_puts(out, "\\n");
		else
			buf_putc(out, *s);
	}
}

void metrics_histogram(buf_t *out, const char *name, const char *labels, const double *bounds,
                       const uint64_t *counts, size_t n, double sum)
{
	buf_t series = BUF_INIT, l = BUF_INIT;
	buf_puts(&series, name);
	size_t base = series.len;
	uint64_t total = 0;
	for (size_t i = 0; i <= n; i++) {
		total += counts[i];
		char le[32];
		if (i < n)
			metrics_fmt_float(bounds[i], le);
		else
			snprintf(le, sizeof(le), "+Inf");
		buf_reset(&l);
		if (labels && *labels) {
			buf_puts(&l, labels);
			buf_putc(&l, ',');
		}
		buf_puts(&l, "le=\"");
		buf_puts(&l, le);
		buf_putc(&l, '"');
		series.len = base;
		buf_puts(&series, "_bucket");
		metrics_sample(out, buf_str(&series), buf_str(&l), (double)total);
	}
	series.len = base;
	buf_puts(&series, "_sum");
	metrics_sample(out, buf_str(&series), labels, sum);
	series.len = base;
	buf_puts(&series, "_count");
	metrics_sample(out, buf_str(&series), labels, (double)total);
	if (!buf_ok(&series) || !buf_ok(&l))
		out->oom = true;
	buf_free(&series);
	buf_free(&l);
}

/* Adds delta (+1 or -1) to the last digit of the decimal digit string d[0..n). Returns false if
 * the result would need another digit or go below 1 (those never beat the rounded candidate). */
static bool metrics_digits_step(char *d, size_t n, int delta)
{
	for (size_t i = n; i-- > 0;) {
		int c = d[i] - '0' + delta;
		if (c >= 0 && c <= 9) {
			d[i] = (char)('0' + c);
			return d[0] != '0';
		}
		d[i] = delta > 0 ? '0' : '9';
	}
	return false;
}

static bool metrics_digits_roundtrip(const char *d, size_t n, int exp10, double v)
{
	char s[48];
	snprintf(s, sizeof(s), "%c.%.*se%d", d[0], (int)(n - 1), d + 1, exp10);
	return strtod(s, NULL) == v;
}

/* The correctly rounded `prec`-digit decimal of v into d; returns the digit count, *exp10 its exponent. */
static size_t metrics_round_digits(double v, int prec, char d[24], int *exp10)
{
	char s[40];
	snprintf(s, sizeof(s), "%.*e", prec - 1, v);
	size_t n = 0;
	const char *p = s;
	for (; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			d[n++] = *p;
	*exp10 = atoi(p + 1);
	return n;
}

/* Shortest digits of |v| > 0: d (no leading or trailing zeros), n digits, decimal point after
 * *dp digits (Go's decimalSlice nd and dp).
 *
 * Why three tries are enough: at 15 significant digits or fewer the decimal spacing is at least
 * 4.5 ulp, so if any such decimal round-trips, the correctly rounded 15-digit one does too and,
 * stripped of trailing zeros, it is the shortest (a shorter one padded with zeros is the same
 * number). At 16 digits the spacing can drop under an ulp, so near a power of two a neighbour of
 * the correctly rounded decimal may be the one inside the round-trip interval, as Go would pick.
 * 17 digits always round-trip. */
/* True when v is exactly the double nearest to n/1e9 for an integer n with at most 15 digits. */
static bool nanos_exact(double v, uint64_t *n)
{
	double scaled = v * 1e9;
	if (!(scaled >= 1 && scaled < 1e15))
		return false;
	uint64_t k = (uint64_t)llround(scaled);
	if ((double)k / 1e9 != v)
		return false;
	*n = k;
	return true;
}

/* The decimal digits of u (at least one) into d; returns how many. */
static size_t u64_digits(uint64_t u, char d[24])
{
	char s[24];
	size_t len = 0;
	do {
		s[sizeof(s) - 1 - len++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	memcpy(d, s + sizeof(s) - len, len);
	return len;
}

static size_t metrics_shortest(double v, char d[24], int *dp)
{
	int exp10 = 0;
	size_t n = 0;
	uint64_t nanos = 0;
	/* Integers below 2^53 are exact: their digits, without trailing zeros, are the answer. */
	if (v < 9007199254740992.0 && v == (double)(uint64_t)v) {
		n = u64_digits((uint64_t)v, d);
		exp10 = (int)n - 1;
	} else if (v < 1e6 && nanos_exact(v, &nanos)) {
		/* n/1e9 (every duration we measure): the decimal n·10⁻⁹ parses back to v, and with at most
		 * 15 digits no shorter decimal can lie within half an ulp of v, so it is the shortest. */
		n = u64_digits(nanos, d);
		exp10 = (int)n - 1 - 9;
	} else {
		bool ok = false;
		/* Subnormals have fewer significant bits: there the argument fails, so search from 1. */
		int first = v < DBL_MIN ? 1 : 15;
		for (int prec = first; prec <= 17 && !ok; prec++) {
			n = metrics_round_digits(v, prec, d, &exp10);
			ok = prec == 17 || metrics_digits_roundtrip(d, n, exp10, v);
			for (int delta = -1; !ok && (prec == 16 || first == 1) && delta <= 1; delta += 2) {
				char alt[24];
				memcpy(alt, d, n);
				if (metrics_digits_step(alt, n, delta) && metrics_digits_roundtrip(alt, n, exp10, v)) {
					memcpy(d, alt, n);
					ok = true;
				}
			}
		}
	}
	while (n > 1 && d[n - 1] == '0')
		n--;
	*dp = exp10 + 1;
	return n;
}

size_t metrics_fmt_float(double v, char out[32])
{
	if (isnan(v))
		return (size_t)snprintf(out, 32, "NaN");
	if (isinf(v))
		return (size_t)snprintf(out, 32, v > 0 ? "+Inf" : "-Inf");
	size_t o = 0;
	if (signbit(v)) {
		out[o++] = '-';
		v = -v;
	}
	if (v == 0) {
		out[o++] = '0';
		out[o] = '\0';
		return o;
	}
	char d[24];
	int dp = 0;
	size_t nd = metrics_shortest(v, d, &dp);
	int exp = dp - 1;
	if (exp < -4 || exp >= 6) {
		/* %e: d[.ddd]e±XX */
		out[o++] = d[0];
		if (nd > 1) {
			out[o++] = '.';
			memcpy(out + o, d + 1, nd - 1);
			o += nd - 1;
		}
		o += (size_t)snprintf(out + o, 32 - o, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
		return o;
	}
	/* %f with max(nd-dp, 0) decimals */
	if (dp <= 0) {
		out[o++] = '0';
		out[o++] = '.';
		for (int i = 0; i < -dp; i++)
			out[o++] = '0';
		memcpy(out + o, d, nd);
		o += nd;
	} else {
		for (int i = 0; i < dp; i++)
			out[o++] = (size_t)i < nd ? d[i] : '0';
		if ((size_t)dp < nd) {
			out[o++] = '.';
			memcpy(out + o, d + dp, nd - (size_t)dp);
			o += nd - (size_t)dp;
		}
	}
	out[o] = '\0';
	return o;
}
