/* answer -- the checks of one DNS answer as blackbox_exporter 0.23's ProbeDNS makes them, in its
 * order (prober/dns.go, after the exchange). */
#include "probe/answer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/validate.h"
#include "dns/cursor.h"
#include "dns/dnstab.h"
#include "dns/rrtext.h"
#include "dns/wire.h"
#include "lib/buf.h"
#include "lib/errors.h"

static uint32_t soa_serial(const wire_msg_t *m, const wire_rr_t *rr, bool *ok)
{
	/* the names may point anywhere in the message, as wire_name_read reads them */
	cursor_t c = cursor_at(m->buf, m->len, rr->rdata);
	cursor_name(&c, NULL);   /* MNAME */
	cursor_name(&c, NULL);   /* RNAME */
	*ok = false;
	if (!cursor_ok(&c) || c.off + 4 > (size_t)rr->rdata + rr->rdlen)
		return 0;
	uint32_t serial = cursor_u32(&c);
	*ok = cursor_ok(&c);
	return serial;
}

static bool check_section(plog_t *log, const wire_msg_t *m, enum wire_section s,
                          const validate_rules_t *rules, const char *name, const char *const *texts)
{
	char msg[64];
	snprintf(msg, sizeof(msg), "Validating %s RRs", name);
	plog_line(log, LOG_INFO, msg, NULL);
	size_t off = 0, n;
	for (int i = 0; i < (int)s; i++)
		off += m->count[i];
	wire_section(m, s, &n);
	if (!validate_rrs(rules, texts + off, n, log)) {
		snprintf(msg, sizeof(msg), "%s RRs validation failed", name);
		plog_line(log, LOG_ERROR, msg, NULL);
		return false;
	}
	return true;
}

/* The NSID option (RFC 5001) of the answer's OPT record as label text: printable ASCII as is (what
 * servers put there), anything else as hex. */
static void nsid_label(const wire_msg_t *m, char *out, size_t outlen)
{
	out[0] = '\0';
	if (!m->opt)
		return;
	cursor_t c = cursor_make(m->buf + m->opt->rdata, m->opt->rdlen);
	while (cursor_left(&c) >= 4) {
		uint16_t code = cursor_u16(&c);
		size_t len = cursor_u16(&c);
		const uint8_t *v = cursor_bytes(&c, len);
		if (!v)
			return;
		if (code == 3) {
			bool printable = len > 0;
			for (size_t i = 0; i < len; i++)
				printable &= v[i] >= 0x20 && v[i] < 0x7f;
			size_t o = 0;
			for (size_t i = 0; i < len && o + 3 <= outlen; i++) {
				if (printable)
					out[o++] = (char)v[i];
				else
					o += (size_t)snprintf(out + o, outlen - o, "%02x", v[i]);
			}
			out[o < outlen ? o : outlen - 1] = '\0';
			return;
		}
	}
}

/* The facts about the answer that nsprobe adds for modules using its keys (issue #6). */
static void answer_facts(const wire_msg_t *m, size_t len, const config_dns_t *dns, bool udp_truncated,
                         metrics_t *met, answer_labels_t *labels)
{
	metrics_set(met, MET_DNS_FLAG_AA, (m->flags & WIRE_FLAG_AA) ? 1 : 0);
	metrics_set(met, MET_DNS_FLAG_AD, (m->flags & WIRE_FLAG_AD) ? 1 : 0);
	metrics_set(met, MET_DNS_REPLY_TRUNCATED, (udp_truncated || (m->flags & WIRE_FLAG_TC)) ? 1 : 0);
	metrics_set(met, MET_DNS_RESPONSE_SIZE, (double)len);
	const char *name = dnstab_rcode_name(m->rcode);
	if (name)
		snprintf(labels->rcode, sizeof(labels->rcode), "%s", name);
	else
		snprintf(labels->rcode, sizeof(labels->rcode), "RCODE%u", m->rcode);
	metrics_set_label(met, MET_DNS_RCODE_INFO, labels->rcode, 1);
	if (dns->edns_nsid) {
		char nsid[2 * 128 + 1];
		nsid_label(m, nsid, sizeof(nsid));
		free(labels->nsid);
		if (nsid[0] && (labels->nsid = strdup(nsid)))
			metrics_set_label(met, MET_DNS_NSID_INFO, labels->nsid, 1);
	}
}

answer_verdict_t answer_check(const uint8_t *buf, size_t len, const config_dns_t *dns, bool udp_truncated,
                              metrics_t *met, plog_t *log, answer_labels_t *labels, const char **err)
{
	answer_verdict_t verdict = ANSWER_UNREADABLE;
	size_t cap = wire_rr_capacity(len);
	wire_rr_t *rrs = calloc(cap, sizeof(*rrs));
	const char **texts = NULL;
	buf_t text = BUF_INIT, resp = BUF_INIT;
	size_t *offs = NULL;
	if (!rrs) {
		*err = "out of memory";
		goto done;
	}
	/* As miekg unpacks: the first record whose rdata does not fit its type is the error, else the
	 * structural one. */
	wire_msg_t m;
	int pr = wire_parse(buf, len, rrs, cap, &m);
	if (pr != 0 && pr != NSP_EMALFORMED) {
		*err = nsp_strerror(pr);
		goto done;
	}
	size_t total = m.count[0] + m.count[1] + m.count[2];
	for (size_t i = 0; i < total; i++) {
		const char *why = NULL;
		if (rrtext_check(&m, &rrs[i], &why) != 0) {
			*err = why ? why : "dns: bad rdata";
			goto done;
		}
	}
	if (pr != 0) {
		*err = m.error ? m.error : "dns: bad message";
		goto done;
	}
	/* The text of every RR, as the regexes see it (NUL-separated in one buffer). */
	offs = calloc(total + 1, sizeof(*offs));
	texts = calloc(total + 1, sizeof(*texts));
	if (!offs || !texts) {
		*err = "out of memory";
		goto done;
	}
	for (size_t i = 0; i < total; i++) {
		offs[i] = text.len;
		if (rrtext_rr(&m, &rrs[i], &text) != 0 || buf_putc(&text, '\0') != 0) {
			*err = buf_ok(&text) ? "dns: bad rdata" : "out of memory";
			goto done;
		}
	}
	for (size_t i = 0; i < total; i++)
		texts[i] = text.p + offs[i];

	if (rrtext_msg(&m, &resp) == 0)
		plog_line(log, LOG_INFO, "Got response", "response", buf_str(&resp), NULL);

	metrics_set(met, MET_DNS_ANSWER_RRS, (double)m.count[WIRE_ANSWER]);
	metrics_set(met, MET_DNS_AUTHORITY_RRS, (double)m.count[WIRE_AUTHORITY]);
	metrics_set(met, MET_DNS_ADDITIONAL_RRS, (double)m.count[WIRE_ADDITIONAL]);
	metrics_set(met, MET_DNS_QUERY_SUCCEEDED, 1);
	if (dns->extensions)
		answer_facts(&m, len, dns, udp_truncated, met, labels);

	if (dns->query_type == DNS_TYPE_SOA) {            /* the last SOA in the answer wins */
		double serial = 0;
		size_t n;
		const wire_rr_t *ans = wire_section(&m, WIRE_ANSWER, &n);
		for (size_t i = 0; i < n; i++) {
			bool sok;
			uint32_t s;
			if (ans[i].type == DNS_TYPE_SOA && (s = soa_serial(&m, &ans[i], &sok), sok))
				serial = (double)s;
		}
		metrics_set(met, MET_DNS_SERIAL, serial);
	}

	verdict = ANSWER_FAILED;
	if (!validate_rcode((const char *const *)dns->valid_rcodes.v, dns->valid_rcodes.n,
	                    dns->valid_rcodes_set, m.rcode, log))
		goto done;
	if (!check_section(log, &m, WIRE_ANSWER, &dns->validate_answer_rrs, "Answer", texts))
		goto done;
	if (!check_section(log, &m, WIRE_AUTHORITY, &dns->validate_authority_rrs, "Authority", texts))
		goto done;
	if (!check_section(log, &m, WIRE_ADDITIONAL, &dns->validate_additional_rrs, "Additional", texts))
		goto done;
	verdict = ANSWER_PASSED;
done:
	free(rrs);
	free(offs);
	free(texts);
	buf_free(&text);
	buf_free(&resp);
	return verdict;
}
