/* probe -- one DNS probe, step for step as blackbox_exporter 0.23's ProbeDNS (prober/dns.go) and the
 * handler around it (prober/handler.go), so that metrics appear and are set at the same stages:
 *
 *   register dns gauges → transport check → split target → resolve (registers lookup/protocol/hash)
 *   → DoT/source checks → build query → exchange → counts, query_succeeded → SOA serial → rcode
 *   → answer/authority/additional validators (those after the exchange: probe/answer)
 *
 * The probe owns everything it allocates and frees it in probe_free. Its deadline is a loop timer;
 * answer and deadline race and probe_finish runs once. */
#include "probe/probe.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/tlscreds.h"
#include "dns/dnssec.h"
#include "dns/dnstab.h"
#include "dns/target.h"
#include "dns/wire.h"
#include "lib/duration.h"
#include "lib/errors.h"
#include "lib/log.h"
#include "lib/metrics.h"
#include "net/dot.h"
#include "probe/answer.h"
#include "probe/secure.h"

/* The exchanges of a probe with dnssec.validate, in the order they are made (issue 14). */
typedef enum step {
	STEP_ANSWER = 0,   /* the probed query */
	STEP_KEYS,         /* apex DNSKEY (unless the answer is that set) */
	STEP_SOA,          /* apex SOA (unless the answer shows it) */
	STEP_DS,           /* apex DS from dnssec.ds_from's server */
	STEP_CDS,          /* apex CDS and CDNSKEY, with the parent's DS (ds or ds_from) */
	STEP_CDNSKEY,
	STEP__COUNT
} step_t;

static const struct {
	uint16_t type;
	const char *name;
} step_info[STEP__COUNT] = {
	[STEP_KEYS] = { DNS_TYPE_DNSKEY, "DNSKEY" },
	[STEP_SOA] = { DNS_TYPE_SOA, "SOA" },
	[STEP_DS] = { DNS_TYPE_DS, "DS" },
	[STEP_CDS] = { DNS_TYPE_CDS, "CDS" },
	[STEP_CDNSKEY] = { DNS_TYPE_CDNSKEY, "CDNSKEY" },
};

typedef struct fetched {
	uint8_t *buf;
	size_t len;
} fetched_t;

typedef enum probe_state {
	PROBE_RESOLVING,
	PROBE_QUERYING,
	PROBE_FINISHED,
} probe_state_t;

struct probe {
	probe_env_t env;
	config_t *cfg;                    /* one reference, released in probe_free */
	const config_module_t *mod;
	char *module_name;
	char *target;
	double timeout_s;
	probe_state_t state;
	bool success;
	double duration;             /* probe_duration_seconds, set when it finishes */
	probe_done_cb done;
	void *done_ctx;

	int64_t t_start;
	int64_t deadline;
	loop_timer_t deadline_timer;
	loop_timer_t done_timer;
	dnsclient_req_t *req;
	dot_req_t *dot_req;               /* DNS over TLS: the exchange in flight */

	plog_t log;
	metrics_t m;

	/* target and query */
	char host[256];
	char port[64];
	bool tcp;
	const char *ip_protocol;          /* "ip6" or "ip4" */
	int64_t t_resolve_start;
	target_ip_t ip;
	int64_t t_query_start, t_query_sent;
	uint8_t *query;                   /* owned; the query as sent (exact size) */
	size_t qlen;
	dnsclient_server_t server;

	/* nsprobe's extensions */
	/* dnssec.validate: the exchanges made for the answer (probe/secure judges them) */
	step_t step;                      /* the sub-exchange in flight; STEP_ANSWER: the probe's own */
	unsigned steps_needed;            /* bit per step_t */
	fetched_t fetched[STEP__COUNT];   /* owned copies: the answer, then each sub-exchange's answer */
	char *apex;                       /* owned; the zone's apex in presentation form */
	dnsclient_server_t step_server;   /* where a DS query goes (dnssec.ds_from) */
	dnssec_budget_t dnssec_budget;    /* the work every check of this probe may still do */
	secure_labels_t secure_labels;
	bool udp_truncated;               /* the UDP answer had TC set (tcp_on_truncation retried it) */
	int64_t udp_connect_ns, udp_request_ns;
	answer_labels_t labels;           /* the label values the answer's info metrics point at */
};

static void probe_finish(probe_t *p, bool success);

/* Keeps the query at its own size: thousands of probes may wait at once, and most queries are a
 * tenth of the largest possible one. Returns its length or a negative wire_query_write/NSP code. */
static int set_query(probe_t *p, const wire_query_t *q)
{
	uint8_t tmp[WIRE_MAX_QUERY];
	int len = wire_query_write(q, tmp, sizeof(tmp));
	if (len < 0)
		return len;
	uint8_t *copy = malloc((size_t)len);
	if (!copy)
		return NSP_ENOMEM;
	memcpy(copy, tmp, (size_t)len);
	free(p->query);
	p->query = copy;
	p->qlen = (size_t)len;
	return len;
}

static double secs(int64_t ns)
{
	return (double)ns / 1e9;
}

static void fmt_float(double v, char out[32])
{
	metrics_fmt_float(v, out);
}

/* Go's dial network for the probe's transport and address family, as blackbox logs it. */
static const char *net_name(const probe_t *p)
{
	if (p->tcp)
		return p->ip.family == AF_INET ? "tcp4" : "tcp6";
	return p->ip.family == AF_INET ? "udp4" : "udp6";
}

static void fmt_uint(unsigned long v, char out[32])
{
	snprintf(out, 32, "%lu", v);
}

/* ---- completion ---- */

static void on_done_timer(void *ctx)
{
	probe_t *p = ctx;
	p->done(p->done_ctx, p);
}

static void probe_finish(probe_t *p, bool success)
{
	if (p->state == PROBE_FINISHED)
		return;
	p->state = PROBE_FINISHED;
	loop_timer_stop(p->env.loop, &p->deadline_timer);
	dnsclient_cancel(p->req);
	p->req = NULL;
	dot_cancel(p->dot_req);
	p->dot_req = NULL;
	p->success = success;
	double duration = p->duration = secs(loop_now_ns() - p->t_start);
	metrics_set(&p->m, MET_DURATION, duration);
	metrics_set(&p->m, MET_SUCCESS, success ? 1 : 0);
	char d[32];
	fmt_float(duration, d);
	if (success)
		plog_line(&p->log, LOG_INFO, "Probe succeeded", "duration_seconds", d, NULL);
	else
		plog_line(&p->log, LOG_ERROR, "Probe failed", "duration_seconds", d, NULL);
	/* Deliver from the loop: the result may be known inside probe_start. */
	loop_timer_start(p->env.loop, &p->done_timer, loop_now_ns());
}

static void exchange_failed(probe_t *p, const char *err)
{
	plog_line(&p->log, LOG_ERROR, "Error while sending a DNS query", "err", err, NULL);
	probe_finish(p, false);
}

/* ---- DNSSEC: the exchanges made for the answer; probe/secure judges them ---- */

static void send_exchange(probe_t *p);
static void send_step(probe_t *p);
static void step_exchanged(probe_t *p, const dnsclient_answer_t *a);
static void on_answer(void *ctx, const dnsclient_answer_t *a);

/* Everything fetched: parse it all and let probe/secure judge. */
static void secure_finish(probe_t *p)
{
	wire_msg_t msgs[STEP__COUNT];
	wire_rr_t *rrs[STEP__COUNT] = { 0 };
	bool have[STEP__COUNT] = { 0 }, ok = true;
	for (int i = 0; i < STEP__COUNT && ok; i++) {
		if (!p->fetched[i].buf)
			continue;
		size_t cap = wire_rr_capacity(p->fetched[i].len);
		if (!(rrs[i] = calloc(cap, sizeof(*rrs[i])))) {
			plog_line(&p->log, LOG_ERROR, "DNSSEC validation failed", "err", "out of memory", NULL);
			ok = false;
		} else if (wire_parse(p->fetched[i].buf, p->fetched[i].len, rrs[i], cap, &msgs[i]) != 0) {
			plog_line(&p->log, LOG_ERROR, "DNSSEC validation failed", "err", "an answer does not parse", "type",
			          i ? step_info[i].name : "answer", "why", msgs[i].error ? msgs[i].error : "", NULL);
			ok = false;
		}
		have[i] = ok;
	}
	if (ok) {
		secure_in_t in = {
			.answer = &msgs[STEP_ANSWER],
			.keys = have[STEP_KEYS] ? &msgs[STEP_KEYS] : NULL,
			.soa = have[STEP_SOA] ? &msgs[STEP_SOA] : NULL,
			.ds = have[STEP_DS] ? &msgs[STEP_DS] : NULL,
			.cds = have[STEP_CDS] ? &msgs[STEP_CDS] : NULL,
			.cdnskey = have[STEP_CDNSKEY] ? &msgs[STEP_CDNSKEY] : NULL,
			.dns = &p->mod->dns,
			.now = loop_wall_ns() / 1000000000,
			.budget = &p->dnssec_budget,
		};
		ok = secure_judge(&in, &p->m, &p->log, &p->secure_labels);
	}
	for (int i = 0; i < STEP__COUNT; i++)
		free(rrs[i]);
	probe_finish(p, ok);
}

/* The next exchange the verdict needs, or the verdict. */
static void secure_next(probe_t *p)
{
	for (int i = STEP_KEYS; i < STEP__COUNT; i++)
		if ((p->steps_needed & (1u << i)) && !p->fetched[i].buf) {
			p->step = (step_t)i;
			send_step(p);
			return;
		}
	secure_finish(p);
}

/* The answer passed blackbox's checks (probe/answer): keep it, and fetch what its verdict needs. */
static void secure_begin(probe_t *p, const uint8_t *buf, size_t len)
{
	const config_dns_t *dns = &p->mod->dns;
	size_t cap = wire_rr_capacity(len);
	wire_rr_t *rrs = calloc(cap, sizeof(*rrs));
	uint8_t *copy = malloc(len);
	wire_msg_t m;
	buf_t apex = BUF_INIT;
	if (!rrs || !copy || wire_parse(buf, len, rrs, cap, &m) != 0) {
		plog_line(&p->log, LOG_ERROR, "DNSSEC validation failed", "err", "out of memory", NULL);
		free(rrs);
		free(copy);
		probe_finish(p, false);
		return;
	}
	memcpy(copy, buf, len);
	p->fetched[STEP_ANSWER] = (fetched_t){ copy, len };
	int r = secure_apex(&m, &apex);
	if (r == 0) {
		p->apex = buf_ok(&apex) ? strdup(buf_str(&apex)) : NULL;
		bool ds = dns->n_ds > 0 || dns->dnssec_ds_from;
		p->steps_needed = (secure_answer_is_keys(&m) ? 0 : 1u << STEP_KEYS) |
		                  (secure_apex_proven(&m) ? 0 : 1u << STEP_SOA) |
		                  (dns->dnssec_ds_from ? 1u << STEP_DS : 0) |
		                  (ds ? (1u << STEP_CDS) | (1u << STEP_CDNSKEY) : 0);
	}
	buf_free(&apex);
	free(rrs);
	if (r != 0 && r != NSP_ENOENT) {
		plog_line(&p->log, LOG_ERROR, "DNSSEC validation failed", "err", "unreadable RRSIG", NULL);
		probe_finish(p, false);
		return;
	}
	if (r == 0 && !p->apex) {
		plog_line(&p->log, LOG_ERROR, "DNSSEC validation failed", "err", "out of memory", NULL);
		probe_finish(p, false);
		return;
	}
	secure_next(p);      /* no RRSIG (NSP_ENOENT): nothing to fetch, every RRset is "missing RRSIG" */
}

/* Sends the query of p->step for the apex: to the probed server over the module's transport, or
 * for the parent's DS to dnssec.ds_from's server (the resolver: the target resolver's channel). */
static void send_step(probe_t *p)
{
	const config_dns_t *dns = &p->mod->dns;
	bool parent = p->step == STEP_DS;
	wire_query_t q = {
		.qname = p->apex,
		.qtype = step_info[p->step].type,
		.qclass = dns->query_class,
		.rd = parent ? true : dns->recursion_desired,
		.edns = true,
		.edns_udp_size = 4096,             /* key sets are large; c-ares reads up to 4096 */
		.edns_do = true,
	};
	plog_line(&p->log, LOG_INFO, "Fetching a record set for DNSSEC", "type", step_info[p->step].name, "name",
	          p->apex, "server", parent ? (dns->ds_from_resolver ? "resolver" : dns->dnssec_ds_from) : "target",
	          NULL);
	int qlen = set_query(p, &q);
	if (qlen < 0) {
		plog_line(&p->log, LOG_ERROR, "DNSSEC validation failed", "err", "the signer name cannot be queried",
		          NULL);
		probe_finish(p, false);
		return;
	}
	if (!parent) {
		send_exchange(p);
		return;
	}
	if (!dns->ds_from_resolver && !p->step_server.port)
		p->step_server = (dnsclient_server_t){ .ip = dns->ds_from_ip, .port = dns->ds_from_port };
	int64_t remaining = p->deadline - loop_now_ns();
	int r = dnsclient_query(p->env.dns, dns->ds_from_resolver ? NULL : &p->step_server, p->query, p->qlen,
	                        remaining, on_answer, p, &p->req);
	if (r != 0) {
		p->req = NULL;
		step_exchanged(p, &(dnsclient_answer_t){ .status = r, .error = nsp_strerror(r) });
	}
}

static void handle_answer(probe_t *p, const uint8_t *buf, size_t len)
{
	const char *err = NULL;
	switch (answer_check(buf, len, &p->mod->dns, p->udp_truncated, &p->m, &p->log, &p->labels, &err)) {
	case ANSWER_UNREADABLE:
		exchange_failed(p, err);
		return;
	case ANSWER_FAILED:
		probe_finish(p, false);
		return;
	case ANSWER_PASSED:
		break;
	}
	if (p->mod->dns.dnssec_validate)
		secure_begin(p, buf, len);     /* finishes the probe itself, now or after its exchanges */
	else
		probe_finish(p, true);
}

/* ---- exchange ---- */

static void set_phases(probe_t *p, int64_t connect_ns, int64_t request_ns)
{
	metrics_set(&p->m, MET_DNS_DURATION_CONNECT, secs(connect_ns));
	metrics_set(&p->m, MET_DNS_DURATION_REQUEST, secs(request_ns));
}

/* A sub-exchange came back (either transport, or the parent's server). */
static void step_exchanged(probe_t *p, const dnsclient_answer_t *a)
{
	const char *name = step_info[p->step].name;
	if (a->status != 0) {
		char what[48];
		snprintf(what, sizeof(what), "cannot fetch the %s set", name);
		plog_line(&p->log, LOG_ERROR, "DNSSEC validation failed", "err", what, "why",
		          a->error ? a->error : nsp_strerror(a->status), NULL);
		probe_finish(p, false);
		return;
	}
	bool parent = p->step == STEP_DS;
	bool tcp = parent ? p->step_server.tcp : p->server.tcp;
	if (!tcp && !(!parent && p->mod->dns.dns_over_tls) && a->len >= 4 && (a->buf[2] & 0x02) &&
	    !(parent && p->mod->dns.ds_from_resolver)) {
		plog_line(&p->log, LOG_INFO, "Truncated answer, retrying over TCP", "type", name, NULL);
		if (parent)
			p->step_server.tcp = true;
		else
			p->server.tcp = true;
		send_step(p);
		return;
	}
	uint8_t *copy = malloc(a->len ? a->len : 1);
	if (!copy) {
		plog_line(&p->log, LOG_ERROR, "DNSSEC validation failed", "err", "out of memory", NULL);
		probe_finish(p, false);
		return;
	}
	memcpy(copy, a->buf, a->len);
	p->fetched[p->step] = (fetched_t){ copy, a->len };
	secure_next(p);
}

/* The answer of either transport (c-ares or DoT). */
static void on_answer(void *ctx, const dnsclient_answer_t *a)
{
	probe_t *p = ctx;
	p->req = NULL;
	p->dot_req = NULL;
	if (p->state != PROBE_QUERYING)
		return;
	if (p->step != STEP_ANSWER) {
		step_exchanged(p, a);
		return;
	}
	set_phases(p, a->connect_ns, a->request_ns);
	bool dot = p->mod->dns.dns_over_tls;
	if (a->status != 0 && dot) {
		exchange_failed(p, a->error);      /* DoT words the whole error itself */
		return;
	}
	if (a->status != 0) {
		char err[160];
		char addr[64];
		target_join(&p->ip, p->server.port, addr, sizeof(addr));
		if (a->dial_failed)
			snprintf(err, sizeof(err), "dial %s %s: connect: %s", net_name(p), addr, a->error);
		else
			snprintf(err, sizeof(err), "read %s %s: %s", net_name(p), addr, a->error);
		exchange_failed(p, err);
		return;
	}
	if (!dot && !p->tcp && p->mod->dns.tcp_on_truncation && a->len >= 4 && (a->buf[2] & 0x02)) {
		/* TC (RFC 1035 4.1.1): ask again over TCP, as a resolver would (RFC 7766 5). */
		plog_line(&p->log, LOG_INFO, "Truncated answer, retrying over TCP", NULL);
		p->udp_truncated = true;
		p->udp_connect_ns = a->connect_ns;
		p->udp_request_ns = a->request_ns;
		p->tcp = true;
		p->server.tcp = true;
		p->t_query_start = loop_now_ns();
		send_exchange(p);
		return;
	}
	if (p->udp_truncated)          /* both exchanges count in their phases */
		set_phases(p, p->udp_connect_ns + a->connect_ns, p->udp_request_ns + a->request_ns);
	handle_answer(p, a->buf, a->len);
}

/* DNS over TLS: server_name defaults to the target host as written, an IP literal included
 * (dns.go: tlsConfig.ServerName = targetAddr). */
static void send_dot(probe_t *p)
{
	const config_tls_t *tls = &p->mod->dns.tls_config;
	dot_server_t srv = {
		.ip = p->server.ip,
		.port = p->server.port,
		.has_source = p->server.has_source,
		.source = p->server.source,
		.server_name = tls->server_name && tls->server_name[0] ? tls->server_name : p->host,
		.insecure_skip_verify = tls->insecure_skip_verify,
		.min_version = tls->min_version,
		.max_version = tls->max_version,
	};
	int r = dot_query(p->env.loop, p->mod->dns.tls_creds, &srv, p->query, p->qlen, on_answer, p, &p->dot_req);
	if (r != 0 && p->step != STEP_ANSWER) {
		p->dot_req = NULL;
		step_exchanged(p, &(dnsclient_answer_t){ .status = r, .error = nsp_strerror(r) });
		return;
	}
	if (p->step != STEP_ANSWER)
		return;
	p->t_query_sent = loop_now_ns();
	if (r != 0) {
		p->dot_req = NULL;
		set_phases(p, p->t_query_sent - p->t_query_start, 0);
		exchange_failed(p, nsp_strerror(r));
	}
}

/* Sends p->query to p->server over the module's transport; the answer comes to on_answer or
 * on_answer. */
static void send_exchange(probe_t *p)
{
	if (p->mod->dns.dns_over_tls) {
		send_dot(p);
		return;
	}
	int64_t remaining = p->deadline - loop_now_ns();
	int r = dnsclient_query(p->env.dns, &p->server, p->query, p->qlen, remaining, on_answer, p, &p->req);
	p->t_query_sent = loop_now_ns();
	if (r != 0) {
		p->req = NULL;
		if (p->step != STEP_ANSWER) {
			step_exchanged(p, &(dnsclient_answer_t){ .status = r, .error = nsp_strerror(r) });
			return;
		}
		set_phases(p, p->t_query_sent - p->t_query_start, 0);
		exchange_failed(p, nsp_strerror(r));
	}
}

static void send_query(probe_t *p)
{
	const config_dns_t *dns = &p->mod->dns;
	char target_ip[160], dial[16], qtype[32], qclass[32];
	uint16_t port = 0;

	/* ip:port with the port as written (it may be a service name), as Go's JoinHostPort. */
	{
		char a[64];
		target_ip_str(&p->ip, a, sizeof(a));
		if (p->ip.family == AF_INET6)
			snprintf(target_ip, sizeof(target_ip), "[%s]:%s", a, p->port);
		else
			snprintf(target_ip, sizeof(target_ip), "%s:%s", a, p->port);
	}
	snprintf(dial, sizeof(dial), "%s", net_name(p));

	if (dns->dns_over_tls) {
		if (!p->tcp) {
			plog_line(&p->log, LOG_ERROR, "Configuration error: Expected transport protocol tcp for DoT",
			          "protocol", "udp", NULL);
			probe_finish(p, false);
			return;
		}
		/* NewTLSConfig fails here, before the source address is parsed; the files were read with
		 * the config snapshot, and a failure kept with the credentials. */
		const char *err = tlscreds_error(dns->tls_creds);
		if (err) {
			plog_line(&p->log, LOG_ERROR, "Failed to create TLS configuration", "err", err, NULL);
			probe_finish(p, false);
			return;
		}
	}

	memset(&p->server, 0, sizeof(p->server));
	if (dns->source_ip_address && dns->source_ip_address[0]) {
		target_ip_t src;
		if (!target_parse_ip(dns->source_ip_address, &src)) {
			plog_line(&p->log, LOG_ERROR, "Error parsing source ip address", "srcIP",
			          dns->source_ip_address, NULL);
			probe_finish(p, false);
			return;
		}
		char s[64];
		target_ip_str(&src, s, sizeof(s));
		plog_line(&p->log, LOG_INFO, "Using local address", "srcIP", s, NULL);
		p->server.has_source = true;
		p->server.source = src;
	}

	fmt_uint(dns->query_type, qtype);
	fmt_uint(dns->query_class, qclass);
	{
		/* miekg dials "tcp4-tls"; the errors below name the plain network, as net.Dial's do. */
		char dial_log[24];
		snprintf(dial_log, sizeof(dial_log), "%s%s", dial, dns->dns_over_tls ? "-tls" : "");
		plog_line(&p->log, LOG_INFO, "Making DNS query", "target", target_ip, "dial_protocol", dial_log,
		          "query", dns->query_name ? dns->query_name : "", "type", qtype, "class", qclass, NULL);
	}

	p->t_query_start = loop_now_ns();
	int r = target_port(p->port, p->tcp, &port);
	if (r != 0) {
		/* Go's LookupPort: a number out of range is "address 99999: invalid port", a name that
		 * is no service "address udp/foo: unknown port" (net/lookup.go, lookupPortMap) */
		char err[160];
		if (r == NSP_ENOENT)
			snprintf(err, sizeof(err), "dial %s: address %s/%s: unknown port", dial, p->tcp ? "tcp" : "udp",
			         p->port);
		else
			snprintf(err, sizeof(err), "dial %s: address %s: invalid port", dial, p->port);
		set_phases(p, loop_now_ns() - p->t_query_start, 0);
		exchange_failed(p, err);
		return;
	}
	if (p->server.has_source && p->server.source.family != p->ip.family) {
		char err[160], s[64];
		target_join(&p->server.source, 0, s, sizeof(s));   /* Go's UDPAddr{IP: src}: "ip:0" */
		snprintf(err, sizeof(err), "dial %s: address %s: no suitable address found", dial, s);
		set_phases(p, loop_now_ns() - p->t_query_start, 0);
		exchange_failed(p, err);
		return;
	}
	wire_query_t q = {
		.qname = dns->query_name ? dns->query_name : "",
		.qtype = dns->query_type,
		.qclass = dns->query_class,
		.rd = dns->recursion_desired,
		.edns = dns->edns,
		.edns_udp_size = (uint16_t)dns->edns_udp_size,   /* 512..4096 (decode) */
		.edns_do = dns->edns_do,
		.edns_nsid = dns->edns_nsid,
	};
	int len = set_query(p, &q);
	if (len < 0) {
		set_phases(p, loop_now_ns() - p->t_query_start, 0);
		exchange_failed(p, len == NSP_ENOMEM ? "out of memory" : "dns: bad rdata");
		return;
	}
	int64_t remaining = p->deadline - loop_now_ns();
	if (remaining <= 0 || port == 0) {
		/* The deadline passed already (blackbox: "i/o timeout" at dial), or Go dials port 0 and the
		 * kernel refuses it. */
		set_phases(p, loop_now_ns() - p->t_query_start, 0);
		char err[256];
		snprintf(err, sizeof(err), "dial %s %s: %s", dial, target_ip,
		         port == 0 ? "connect: connection refused" : "i/o timeout");
		exchange_failed(p, err);
		return;
	}
	p->server.ip = p->ip;
	p->server.port = port;
	p->server.tcp = p->tcp;
	p->state = PROBE_QUERYING;
	send_exchange(p);
}

/* ---- target resolution (chooseProtocol in prober/utils.go) ---- */

static void resolved(probe_t *p, const target_ip_t *ip, int protocol)
{
	double lookup = secs(loop_now_ns() - p->t_resolve_start);
	char a[64];
	target_ip_str(ip, a, sizeof(a));
	plog_line(&p->log, LOG_INFO, "Resolved target address", "target", p->host, "ip", a, NULL);
	metrics_set(&p->m, MET_DNS_LOOKUP_TIME, lookup);
	metrics_set(&p->m, MET_IP_PROTOCOL, protocol);
	metrics_set(&p->m, MET_IP_ADDR_HASH, (double)target_ip_hash(ip));
	metrics_set(&p->m, MET_DNS_DURATION_RESOLVE, lookup);
	p->ip = *ip;
	send_query(p);
}

static void resolve_failed(probe_t *p, bool fallback, const char *err)
{
	metrics_set(&p->m, MET_DNS_LOOKUP_TIME, secs(loop_now_ns() - p->t_resolve_start));
	if (fallback)
		plog_line(&p->log, LOG_ERROR, "Resolution with IP protocol failed", "target", p->host, "err", err,
		          NULL);
	else
		plog_line(&p->log, LOG_ERROR, "Resolution with IP protocol failed", "target", p->host,
		          "ip_protocol", p->ip_protocol, "err", err, NULL);
	plog_line(&p->log, LOG_ERROR, "Error resolving address", "err", err, NULL);
	probe_finish(p, false);
}

/* Picks the address as chooseProtocol does: the first of the preferred family, else (with fallback)
 * the last one of the other family. */
static void choose(probe_t *p, const target_ip_t *ips, size_t n)
{
	const config_dns_t *dns = &p->mod->dns;
	int want = strcmp(p->ip_protocol, "ip6") == 0 ? AF_INET6 : AF_INET;
	const target_ip_t *fallback = NULL;
	for (size_t i = 0; i < n; i++) {
		if (ips[i].family == want) {
			/* LookupIP (no fallback) gives net.IP, which has no zone: "[::1%lo]" dials [::1] */
			target_ip_t ip = ips[i];
			if (!dns->ip_protocol_fallback) {
				ip.scope = 0;
				memset(ip.zone, 0, sizeof(ip.zone));
			}
			resolved(p, &ip, want == AF_INET6 ? 6 : 4);
			return;
		}
		fallback = &ips[i];
	}
	if (!dns->ip_protocol_fallback || !fallback) {
		char err[320];
		if (!dns->ip_protocol_fallback)
			snprintf(err, sizeof(err), "address %s: no suitable address found", p->host);
		else
			snprintf(err, sizeof(err), "unable to find ip; no fallback");
		/* blackbox logs the LookupIP error in the no-fallback case and only "Error resolving address"
		 * for "unable to find ip" */
		if (!dns->ip_protocol_fallback) {
			resolve_failed(p, false, err);
		} else {
			metrics_set(&p->m, MET_DNS_LOOKUP_TIME, secs(loop_now_ns() - p->t_resolve_start));
			plog_line(&p->log, LOG_ERROR, "Error resolving address", "err", err, NULL);
			probe_finish(p, false);
		}
		return;
	}
	resolved(p, fallback, want == AF_INET6 ? 4 : 6);
}

static void on_addrs(void *ctx, const dnsclient_addrs_t *a)
{
	probe_t *p = ctx;
	p->req = NULL;
	if (p->state != PROBE_RESOLVING)
		return;
	if (a->status != 0) {
		/* Go's DNSError names the server it asked ("lookup x on 127.0.0.1:53: no such host") */
		char err[400];
		if (a->status != NSP_ENOMEM && a->server && a->server[0])
			snprintf(err, sizeof(err), "lookup %s on %s: %s", p->host, a->server, a->error);
		else
			snprintf(err, sizeof(err), "lookup %s: %s", p->host, a->error);
		resolve_failed(p, p->mod->dns.ip_protocol_fallback, err);
		return;
	}
	choose(p, a->ips, a->n);
}

static void resolve_target(probe_t *p)
{
	const config_dns_t *dns = &p->mod->dns;
	const char *pref = dns->preferred_ip_protocol;
	p->ip_protocol = (!pref || !pref[0] || strcmp(pref, "ip6") == 0) ? "ip6" : "ip4";
	/* Registered at resolution, set even when it fails (a defer in chooseProtocol). */
	metrics_set(&p->m, MET_DNS_LOOKUP_TIME, 0);
	metrics_set(&p->m, MET_IP_PROTOCOL, 0);
	metrics_set(&p->m, MET_IP_ADDR_HASH, 0);
	plog_line(&p->log, LOG_INFO, "Resolving target address", "target", p->host, "ip_protocol",
	          p->ip_protocol, NULL);
	p->t_resolve_start = loop_now_ns();

	target_ip_t ip;
	if (target_parse_ip_zone(p->host, &ip)) {
		choose(p, &ip, 1);          /* an IP literal (zoned IPv6 too) resolves to itself, no lookup */
		return;
	}
	if (p->deadline <= loop_now_ns()) {
		char err[320];
		snprintf(err, sizeof(err), "lookup %s: i/o timeout", p->host);
		resolve_failed(p, dns->ip_protocol_fallback, err);
		return;
	}
	/* Go reads /etc/hosts before any DNS, with or without --target.resolver; a listed name is
	 * answered from it whatever families it has (choose() then finds no suitable address). */
	target_ip_t listed[16];
	size_t nlisted = dnsclient_hosts(p->env.dns, p->host, listed, sizeof(listed) / sizeof(listed[0]));
	if (nlisted) {
		choose(p, listed, nlisted);
		return;
	}
	if (!target_is_domain_name(p->host)) {
		/* Go's resolver refuses to look such a name up (isDomainName): "127.0.0.01" (c-ares would
		 * read it as 127.0.0.1, and "0177.0.0.1" as 177.0.0.1), names with spaces or control bytes. */
		char err[320];
		snprintf(err, sizeof(err), "lookup %s: no such host", p->host);
		resolve_failed(p, dns->ip_protocol_fallback, err);
		return;
	}
	int family = AF_UNSPEC;
	if (!dns->ip_protocol_fallback)
		family = strcmp(p->ip_protocol, "ip6") == 0 ? AF_INET6 : AF_INET;
	int r = dnsclient_resolve(p->env.dns, p->host, family, on_addrs, p, &p->req);
	if (r != 0) {
		char err[320];
		snprintf(err, sizeof(err), "lookup %s: %s", p->host, nsp_strerror(r));
		resolve_failed(p, dns->ip_protocol_fallback, err);
	}
}

/* ---- deadline ---- */

static void on_deadline(void *ctx)
{
	probe_t *p = ctx;
	int64_t now = loop_now_ns();
	if (p->state == PROBE_RESOLVING) {
		dnsclient_cancel(p->req);
		p->req = NULL;
		char err[320];
		snprintf(err, sizeof(err), "lookup %s: i/o timeout", p->host);
		resolve_failed(p, p->mod->dns.ip_protocol_fallback, err);
	} else if (p->state == PROBE_QUERYING && p->step != STEP_ANSWER) {
		/* the probe's own exchange is done and timed; only a sub-exchange ran out of time */
		dnsclient_cancel(p->req);
		p->req = NULL;
		dot_cancel(p->dot_req);
		p->dot_req = NULL;
		char what[48];
		snprintf(what, sizeof(what), "timeout fetching the %s set", step_info[p->step].name);
		plog_line(&p->log, LOG_ERROR, "DNSSEC validation failed", "err", what, NULL);
		probe_finish(p, false);
	} else if (p->state == PROBE_QUERYING && p->dot_req) {
		int64_t connect_ns, request_ns;
		char err[200];
		dot_progress(p->dot_req, now, &connect_ns, &request_ns, err, sizeof(err));
		dot_cancel(p->dot_req);
		p->dot_req = NULL;
		set_phases(p, connect_ns, request_ns);
		exchange_failed(p, err);
	} else if (p->state == PROBE_QUERYING) {
		dnsclient_cancel(p->req);
		p->req = NULL;
		set_phases(p, p->t_query_sent - p->t_query_start, now - p->t_query_sent);
		char err[200], addr[64];
		target_join(&p->ip, p->server.port, addr, sizeof(addr));
		snprintf(err, sizeof(err), "read %s %s: i/o timeout", net_name(p), addr);
		exchange_failed(p, err);
	}
}

/* ---- life ---- */

probe_t *probe_start(const probe_env_t *env, config_t *cfg, const char *module_name, const char *target,
                     double timeout_s, probe_done_cb done, void *ctx)
{
	const config_module_t *mod = config_module_get(cfg, module_name);
	probe_t *p = calloc(1, sizeof(*p));
	if (!p || !mod)
		goto oom;
	p->env = *env;
	p->cfg = config_ref(cfg);
	p->mod = mod;
	p->module_name = strdup(module_name);
	p->target = strdup(target);
	if (!p->module_name || !p->target)
		goto oom;
	p->timeout_s = timeout_s;
	p->done = done;
	p->done_ctx = ctx;
	p->state = PROBE_RESOLVING;
	loop_timer_init(&p->deadline_timer, on_deadline, p);
	loop_timer_init(&p->done_timer, on_done_timer, p);
	plog_init(&p->log, p->module_name, p->target);

	p->t_start = loop_now_ns();
	int64_t tns = 0;
	if (isfinite(timeout_s) && timeout_s > 0)
		tns = timeout_s >= 1e9 ? (int64_t)1e18 : (int64_t)(timeout_s * 1e9);
	p->deadline = p->t_start + tns;
	dnssec_budget_init(&p->dnssec_budget, p->deadline);

	char t[32];
	fmt_float(timeout_s, t);
	plog_line(&p->log, LOG_INFO, "Beginning probe", "probe", mod->prober ? mod->prober : "", "timeout_seconds",
	          t, NULL);
	if (loop_timer_start(env->loop, &p->deadline_timer, p->deadline) != 0)
		goto oom_started;

	/* The gauges ProbeDNS registers first. */
	metrics_set(&p->m, MET_DNS_DURATION_CONNECT, 0);
	metrics_set(&p->m, MET_DNS_DURATION_REQUEST, 0);
	metrics_set(&p->m, MET_DNS_DURATION_RESOLVE, 0);
	metrics_set(&p->m, MET_DNS_ANSWER_RRS, 0);
	metrics_set(&p->m, MET_DNS_AUTHORITY_RRS, 0);
	metrics_set(&p->m, MET_DNS_ADDITIONAL_RRS, 0);
	metrics_set(&p->m, MET_DNS_QUERY_SUCCEEDED, 0);

	const config_dns_t *dns = &mod->dns;
	if (dns->dnssec_validate)
		metrics_set(&p->m, MET_DNSSEC_RRSIG_VALID, 0);
	const char *proto = dns->transport_protocol ? dns->transport_protocol : "";
	if (!proto[0])
		proto = "udp";
	if (strcmp(proto, "udp") != 0 && strcmp(proto, "tcp") != 0) {
		plog_line(&p->log, LOG_ERROR, "Configuration error: Expected transport protocol udp or tcp",
		          "protocol", proto, NULL);
		probe_finish(p, false);
		return p;
	}
	p->tcp = strcmp(proto, "tcp") == 0;

	if (target_split(p->target, dns->dns_over_tls ? "853" : "53", p->host, sizeof(p->host), p->port,
	                 sizeof(p->port)) != 0) {
		/* Longer than any DNS name or port: it cannot resolve. */
		snprintf(p->host, sizeof(p->host), "%.200s", p->target);
		p->ip_protocol = "ip6";
		metrics_set(&p->m, MET_DNS_LOOKUP_TIME, 0);
		metrics_set(&p->m, MET_IP_PROTOCOL, 0);
		metrics_set(&p->m, MET_IP_ADDR_HASH, 0);
		plog_line(&p->log, LOG_ERROR, "Error resolving address", "err", "target too long", NULL);
		probe_finish(p, false);
		return p;
	}
	resolve_target(p);
	return p;

oom_started:
	probe_free(p);
	return NULL;
oom:
	if (p) {
		if (p->cfg)
			config_unref(p->cfg);
		free(p->module_name);
		free(p->target);
		free(p);
	}
	return NULL;
}

void probe_abort(probe_t *p, const char *why)
{
	if (!p || p->state == PROBE_FINISHED)
		return;
	dnsclient_cancel(p->req);
	p->req = NULL;
	dot_cancel(p->dot_req);
	p->dot_req = NULL;
	plog_line(&p->log, LOG_ERROR, "Probe aborted", "reason", why, NULL);
	probe_finish(p, false);
}

void probe_free(probe_t *p)
{
	if (!p)
		return;
	loop_timer_stop(p->env.loop, &p->deadline_timer);
	loop_timer_stop(p->env.loop, &p->done_timer);
	dnsclient_cancel(p->req);
	dot_cancel(p->dot_req);
	plog_deinit(&p->log);
	for (int i = 0; i < STEP__COUNT; i++)
		free(p->fetched[i].buf);
	free(p->apex);
	free(p->secure_labels.key_info);
	free(p->query);
	free(p->labels.nsid);
	config_unref(p->cfg);
	free(p->module_name);
	free(p->target);
	free(p);
}

bool probe_succeeded(const probe_t *p)
{
	return p->success;
}

double probe_duration(const probe_t *p)
{
	return p->duration;
}

bool probe_reason(const probe_t *p, buf_t *out)
{
	return plog_reason(&p->log, out);
}

bool probe_dnssec_budget_exhausted(const probe_t *p)
{
	return p->dnssec_budget.spent != DNSSEC_LIMIT_NONE && p->dnssec_budget.spent != DNSSEC_LIMIT_DEADLINE;
}

int probe_write_metrics(const probe_t *p, buf_t *out)
{
	return metrics_render(&p->m, out);
}

/* A record keeps the metrics as values (a few hundred bytes) and renders them when /logs asks:
 * thousands of probes finishing at once should not each hold a rendered copy. */
struct probe_record {
	plog_t log;
	metrics_t m;
	char rcode_label[16];             /* the label values m points at, copied from the probe */
	char nsid[2 * 128 + 1];
	char *key_info;                   /* owned: probe_dnssec_key_info's sample lines */
	config_t *cfg;                    /* keeps mod alive */
	const config_module_t *mod;
};

static int write_debug(const plog_t *log, const metrics_t *m, const config_module_t *mod, buf_t *out)
{
	buf_puts(out, "Logs for the probe:\n");
	plog_render(log, out);
	buf_puts(out, "\n\n\nMetrics that would have been returned:\n");
	metrics_render(m, out);
	buf_puts(out, "\n\n\nModule configuration:\n");
	if (mod->debug_yaml)
		buf_puts(out, mod->debug_yaml);
	return buf_ok(out) ? 0 : NSP_ENOMEM;
}

int probe_write_debug(const probe_t *p, buf_t *out)
{
	return write_debug(&p->log, &p->m, p->mod, out);
}

probe_record_t *probe_take_record(probe_t *p)
{
	probe_record_t *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->log = p->log;
	plog_init(&p->log, "", "");         /* the probe keeps an empty log */
	r->m = p->m;
	memcpy(r->rcode_label, p->labels.rcode, sizeof(r->rcode_label));
	if (p->labels.nsid)
		snprintf(r->nsid, sizeof(r->nsid), "%s", p->labels.nsid);
	if (r->m.label[MET_DNS_RCODE_INFO])
		r->m.label[MET_DNS_RCODE_INFO] = r->rcode_label;
	if (r->m.label[MET_DNS_NSID_INFO])
		r->m.label[MET_DNS_NSID_INFO] = r->nsid;
	if (r->m.label[MET_DNSSEC_KEY_INFO]) {
		r->key_info = p->secure_labels.key_info;      /* moved: the probe cannot render any more */
		p->secure_labels.key_info = NULL;
		r->m.label[MET_DNSSEC_KEY_INFO] = r->key_info;
	}
	r->cfg = config_ref(p->cfg);
	r->mod = p->mod;
	return r;
}

int probe_record_write_debug(const probe_record_t *r, buf_t *out)
{
	return write_debug(&r->log, &r->m, r->mod, out);
}

void probe_record_free(probe_record_t *r)
{
	if (!r)
		return;
	plog_deinit(&r->log);
	free(r->key_info);
	config_unref(r->cfg);
	free(r);
}
