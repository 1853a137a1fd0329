/* http -- libmicrohttpd 0.9.75 in external-epoll mode with suspend/resume (peers-and-libs.md B.2).
 *
 * MHD's own epoll fd sits in the worker's loop; a prepare hook runs MHD_run when something was
 * resumed and bounds the loop's sleep by MHD_get_timeout, which MHD requires in external mode.
 * MHD does not accept: its own accept path wedges on EMFILE (see listener.c). The worker's
 * listener accepts, backs off and logs as Go's server does, and hands each socket to the daemon of
 * its address (MHD_add_connection); MHD's connection notifications keep the listener's count.
 * A /probe request is handled in two calls of the access handler: the first checks the request as
 * blackbox's handler does, suspends the connection and starts the probe; the probe's completion
 * resumes it, and the second call sends the result.
 *
 * With a web config (exporter-toolkit's --web.config.file) every request first passes a gate: the
 * client certificate is judged by client_auth_type, then basic-auth credentials go to the verifier
 * pool (webauth) while the connection is suspended, as a probe does; the verdict resumes it. Every
 * response leaves through send_response, which adds the configured headers. */
#include "web/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/crypto.h"
#include "lib/errors.h"
#include "lib/log.h"
#include "lib/compress.h"
#include "config/config_show.h"
#include "web/landing.h"
#include "net/listener.h"
#include "net/mailbox.h"
#include "probe/probe.h"
#include "lib/urlquery.h"
#include "web/webauth.h"
#include "web/webconfig.h"
#include "web/webtls.h"

#define HTTP_MAX_DAEMONS 8
/* The kernel's accept queue per listening socket (capped by net.core.somaxconn): a crowd beyond the
 * connection limit waits there. */
#define HTTP_BACKLOG 4096
#define CT_METRICS "text/plain; version=0.0.4; charset=utf-8"
#define CT_TEXT_UTF8 "text/plain; charset=utf-8"

struct http_server {
	loop_t *loop;
	exporter_t *ex;
	webconfig_live_t *live;         /* borrowed; NULL: plain HTTP, no auth */
	const webconfig_t *wc;          /* the config at start (the daemons' TLS); a reference of live */
	int64_t tls_bind_warned_ns;     /* when a refused TLS connection was last logged (this loop's) */
	webauth_client_t *auth;         /* owned; NULL without a verifier pool */
	probe_env_t env;
	struct MHD_Daemon *d[HTTP_MAX_DAEMONS];
	int epfd[HTTP_MAX_DAEMONS];
	size_t n;
	listener_t *listener;           /* accepts for every daemon, daemon i from socket i */
	mailbox_t *mb;                  /* replies from other threads (reloads) come back here */
	const char *route_prefix;       /* "" or "/p" (borrowed) */
	const char *external_url;       /* borrowed */
	bool run_pending;
	bool stopping;                  /* quiesced: answers close their connections */
	size_t active;
	size_t suspended;               /* requests waiting on a probe, a verdict or a reload */
	struct http_req *requests;      /* the requests being served, for http_server_abort_probes */
};

#define HTTP_ARGS 4

/* The gate every request passes before routing: the client certificate, then basic auth. */
typedef enum http_gate {
	GATE_UNCHECKED = 0,
	GATE_PENDING,                   /* suspended while the pool checks the password */
	GATE_OPEN,
	GATE_DENIED,                    /* answer 401 */
} http_gate_t;

typedef struct http_req {
	http_server_t *srv;
	const webconfig_t *wc;          /* the web config the request started with (a reference) */
	struct MHD_Connection *conn;
	bool counted;                   /* included in srv->active */
	http_gate_t gate;
	webauth_job_t *auth_job;        /* while GATE_PENDING */
	char *query;                    /* the raw query string, as received */
	buf_t args[HTTP_ARGS];          /* decoded parameter values handed out by arg() */
	size_t nargs;
	probe_t *probe;
	bool probe_done;
	bool debug;
	buf_t body;                     /* the probe's answer, written when it finishes */
	const char *target;             /* one of args[] */
	char *module_name;
	config_t *cfg;
	exporter_module_stats_t *stats; /* while the probe runs: its module's counters (a reference) */
	int64_t probe_start_ns;
	struct reload_job *reload;      /* a POST /-/reload being parsed on its own thread */
	struct http_req *prev, *next;   /* in srv->requests */
} http_req_t;

/* A reload requested over HTTP: the config is parsed on a thread of its own (parsing must not stall
 * the probes of this loop), and the verdict comes back through the server's mailbox. */
typedef struct reload_job {
	http_req_t *req;
	exporter_t *ex;
	mailbox_t *mb;
	int rc;
	bool done;
	mailbox_msg_t msg;              /* the reply's entry in the worker's mailbox */
	char err[CONFIG_ERRLEN];
} reload_job_t;

/* Every suspend and resume goes through these: a stop waits for the suspended count to reach zero,
 * and MHD must run once after a resume (external mode has no other wake-up for it). */
static void suspend(http_req_t *r)
{
	MHD_suspend_connection(r->conn);
	r->srv->suspended++;
}

static void resume(http_req_t *r)
{
	MHD_resume_connection(r->conn);
	r->srv->suspended--;
	r->srv->run_pending = true;
}

/* ---- listen addresses ---- */

int http_listen_parse(const char *s, http_listen_t *out, size_t cap, char *err, size_t errlen)
{
	char host[256], port[64];
	const char *colon = strrchr(s, ':');
	if (!colon || cap == 0) {
		snprintf(err, errlen, "address %s: missing port in address", s);
		return NSP_EINVAL;
	}
	size_t hl = (size_t)(colon - s);
	if (hl >= sizeof(host) || strlen(colon + 1) >= sizeof(port)) {
		snprintf(err, errlen, "address %s: too long", s);
		return NSP_EINVAL;
	}
	memcpy(host, s, hl);
	host[hl] = '\0';
	snprintf(port, sizeof(port), "%s", colon + 1);
	if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
		memmove(host, host + 1, hl - 2);
		host[hl - 2] = '\0';
	}
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
	struct addrinfo *res = NULL;
	if (host[0] == '\0') {
		/* ":9115": every address, IPv6 and IPv4 (a dual-stack socket). */
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&out[0].addr;
		memset(&out[0], 0, sizeof(out[0]));
		char *end;
		long p = strtol(port, &end, 10);
		if (*end || p < 0 || p > 65535) {
			snprintf(err, errlen, "address %s: invalid port", s);
			return NSP_EINVAL;
		}
		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_any;
		a->sin6_port = htons((uint16_t)p);
		out[0].len = sizeof(*a);
		return 1;
	}
	int r = getaddrinfo(host, port, &hints, &res);
	if (r != 0) {
		snprintf(err, errlen, "address %s: %s", s, gai_strerror(r));
		return NSP_EINVAL;
	}
	size_t n = 0;
	for (struct addrinfo *a = res; a && n < cap; a = a->ai_next) {
		memset(&out[n], 0, sizeof(out[n]));
		memcpy(&out[n].addr, a->ai_addr, a->ai_addrlen);
		out[n].len = a->ai_addrlen;
		n++;
		if (a->ai_family != AF_INET && a->ai_family != AF_INET6)
			n--;
	}
	freeaddrinfo(res);
	if (n == 0) {
		snprintf(err, errlen, "address %s: no usable address", s);
		return NSP_EINVAL;
	}
	return (int)n;
}

void http_listen_name(const http_listen_t *a, char *out, size_t outlen)
{
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;
	if (a->addr.ss_family == AF_UNIX) {
		const struct sockaddr_un *u = (const struct sockaddr_un *)&a->addr;
		size_t off = offsetof(struct sockaddr_un, sun_path);
		size_t pl = a->len > off ? a->len - off : 0;
		/* An abstract name starts with NUL: Go shows it with '@'. */
		if (pl > 0 && u->sun_path[0] == '\0')
			snprintf(out, outlen, "@%.*s", (int)(pl - 1), u->sun_path + 1);
		else
			snprintf(out, outlen, "%.*s", (int)strnlen(u->sun_path, pl), u->sun_path);
	} else if (a->addr.ss_family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)&a->addr;
		inet_ntop(AF_INET, &s->sin_addr, host, sizeof(host));
		port = ntohs(s->sin_port);
		snprintf(out, outlen, "%s:%u", host, port);
	} else {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)&a->addr;
		inet_ntop(AF_INET6, &s->sin6_addr, host, sizeof(host));
		port = ntohs(s->sin6_port);
		snprintf(out, outlen, "[%s]:%u", host, port);
	}
}

int http_listen_from_fd(int fd, http_listen_t *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	out->len = sizeof(out->addr);
	if (getsockname(fd, (struct sockaddr *)&out->addr, &out->len) != 0) {
		snprintf(err, errlen, "socket activation: fd %d: getsockname: %s", fd, strerror(errno));
		return NSP_ESYSTEM;
	}
	out->fd = fd;
	return 0;
}

int http_listen_check(const http_listen_t *a, char *err, size_t errlen)
{
	int fd = socket(a->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return NSP_ESYSTEM;
	}
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&a->addr, a->len) != 0) {
		char name[80];
		int e = errno;
		http_listen_name(a, name, sizeof(name));
		snprintf(err, errlen, "listen tcp %s: bind: %s", name, strerror(e));
		close(fd);
		return NSP_ESYSTEM;
	}
	close(fd);
	return 0;
}

/* ---- replies ---- */

/* Every response leaves through here: the web config's extra headers are added (unless the handler
 * set that header itself, as Go's handler overrides the toolkit's Header().Set), then it is queued.
 * Takes the response. */
static enum MHD_Result send_response(http_req_t *r, unsigned status, struct MHD_Response *resp)
{
	const webconfig_t *wc = r->wc;
	if (r->srv->stopping)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	for (size_t i = 0; wc && i < wc->nheaders; i++)
		if (!MHD_get_response_header(resp, wc->headers[i].name))
			MHD_add_response_header(resp, wc->headers[i].name, wc->headers[i].value);
	enum MHD_Result ret = MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result reply(http_req_t *r, unsigned status, const char *ctype, const char *body, size_t len,
                             bool copy)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(
		len, (void *)body, copy ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	if (ctype)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	return send_response(r, status, resp);
}

/* Go's http.Error: text/plain; charset=utf-8, nosniff, the message and a newline. `extra_name` and
 * `extra_value` add one more header (may be NULL). */
static enum MHD_Result reply_error_hdr(http_req_t *r, unsigned status, const char *msg, const char *extra_name,
                                       const char *extra_value)
{
	buf_t b = BUF_INIT;
	buf_puts(&b, msg);
	buf_putc(&b, '\n');
	if (!buf_ok(&b))
		return MHD_NO;
	struct MHD_Response *resp = MHD_create_response_from_buffer(b.len, b.p, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		buf_free(&b);
		return MHD_NO;
	}
	if (extra_name)
		MHD_add_response_header(resp, extra_name, extra_value);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, CT_TEXT_UTF8);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	return send_response(r, status, resp);
}

static enum MHD_Result reply_error(http_req_t *r, unsigned status, const char *msg)
{
	return reply_error_hdr(r, status, msg, NULL, NULL);
}

/* Sends b's content (taking it), with a Content-Encoding when `encoding` is not NULL. */
static enum MHD_Result reply_buf_enc(http_req_t *r, unsigned status, const char *ctype, const char *encoding,
                                     buf_t *b)
{
	if (!buf_ok(b)) {
		buf_free(b);
		return reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
	}
	size_t len = b->len;
	char *p = buf_steal(b);
	if (!p)
		return MHD_NO;
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, p, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(p);
		return MHD_NO;
	}
	if (ctype)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	if (encoding)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, encoding);
	return send_response(r, status, resp);
}

static enum MHD_Result reply_buf(http_req_t *r, unsigned status, const char *ctype, buf_t *b)
{
	return reply_buf_enc(r, status, ctype, NULL, b);
}

/* A metrics exposition, gzip-compressed when the scraper accepts it (promhttp's rule). Takes b. */
static enum MHD_Result reply_metrics(http_req_t *r, buf_t *b)
{
	const char *ae = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING);
	if (!buf_ok(b) || !compress_gzip_accepted(ae))
		return reply_buf(r, MHD_HTTP_OK, CT_METRICS, b);
	buf_t z = BUF_INIT;
	if (compress_gzip(b->p ? b->p : "", b->len, &z) != 0) {
		buf_free(&z);
		return reply_buf(r, MHD_HTTP_OK, CT_METRICS, b);
	}
	buf_free(b);
	return reply_buf_enc(r, MHD_HTTP_OK, CT_METRICS, "gzip", &z);
}

/* A query parameter as blackbox reads it (Go's url.ParseQuery: first valid value; pairs with bad
 * escapes dropped), or NULL. Valid until the request completes. */
static const char *arg(http_req_t *r, const char *key)
{
	if (r->nargs == HTTP_ARGS)
		return NULL;
	buf_t *b = &r->args[r->nargs];
	if (!urlquery_get(r->query, key, b))
		return NULL;
	r->nargs++;
	/* A decoded NUL would cut the value short ("dns_soa%00x" would name dns_soa); Go keeps it, so
	 * the value must stay different: mark the byte instead (then: unknown module, or a target that
	 * does not resolve, as in blackbox). */
	for (size_t i = 0; i < b->len; i++)
		if (b->p[i] == '\0')
			b->p[i] = '\x01';
	return buf_str(b);
}

/* ---- /probe ---- */

/* Go's strconv.ParseFloat(s, 64) on a header value (which net/http has trimmed). Returns 0, or -1 with
 * Go's error text in err. */
static int go_parse_float(const char *v, double *out, char *err, size_t errlen)
{
	size_t len = strlen(v);
	while (len && (v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	while (len && (*v == ' ' || *v == '\t')) {
		v++;
		len--;
	}
	char s[128];
	bool syntax_ok = len > 0 && len < sizeof(s);
	if (syntax_ok) {
		memcpy(s, v, len);
		s[len] = '\0';
		bool hex = false, hex_p = false;
		for (size_t i = 0; i < len; i++) {
			char ch = s[i];
			if (ch == 'x' || ch == 'X')
				hex = true;
			if (ch == 'p' || ch == 'P')
				hex_p = true;
			if (ch == '(' || ch == '_' || ch == ' ' || ch == '\t')
				syntax_ok = false;
		}
		if (hex && !hex_p)
			syntax_ok = false;       /* Go wants a p exponent in hex floats */
	}
	if (syntax_ok) {
		char *end;
		errno = 0;
		double d = strtod(s, &end);
		if (*end != '\0' || end == s) {
			syntax_ok = false;
		} else if (errno == ERANGE && isinf(d)) {
			snprintf(err, errlen, "strconv.ParseFloat: parsing \"%s\": value out of range", s);
			return -1;
		} else {
			*out = d;
			return 0;
		}
	}
	snprintf(err, errlen, "strconv.ParseFloat: parsing \"%.*s\": invalid syntax", (int)(len > 200 ? 200 : len),
	         v);
	return -1;
}

static void on_probe_done(void *ctx, probe_t *p)
{
	http_req_t *r = ctx;
	r->probe_done = true;
	/* The answer is written now; then the probe's log and metrics move into the history. */
	if (r->debug)
		probe_write_debug(p, &r->body);
	else
		probe_write_metrics(p, &r->body);
	/* The facts /metrics and the landing page keep of it, from the probe itself: its outcome and
	 * duration, and for a failure the log line that says why (rendered for failures only). */
	bool ok = probe_succeeded(p);
	double dur = probe_duration(p);
	exporter_probe_end(r->srv->ex, r->stats, ok, dur, probe_dnssec_budget_exhausted(p));
	r->stats = NULL;
	buf_t why = BUF_INIT;
	if (!ok)
		probe_reason(p, &why);
	history_facts_t facts = {
		.start_ns = loop_wall_ns() - (int64_t)(dur * 1e9),
		.duration_s = dur,
		.reason = why.len && buf_ok(&why) ? buf_str(&why) : NULL,
	};
	const char *target = r->target;
	history_add(exporter_history(r->srv->ex), r->module_name, target ? target : "", probe_take_record(p), ok,
	            &facts);
	buf_free(&why);
	resume(r);
}

/* The lines after blackbox's 'Unknown module "http_2xx"' when the request named no module:
 * blackbox_exporter's default module is http_2xx (main.go), which nsprobe cannot run, and the DNS
 * modules it can. */
static void append_module_hint(buf_t *msg, const config_t *cfg)
{
	buf_puts(msg, "\nThe request has no module= parameter, so blackbox_exporter's default module, http_2xx, "
	              "was asked for; nsprobe runs DNS modules only.\n");
	const char *first = NULL;
	for (size_t i = 0; cfg && i < cfg->n_modules; i++) {
		const config_module_t *m = &cfg->modules[i];
		if (!m->prober || strcmp(m->prober, "dns") != 0)
			continue;
		buf_puts(msg, first ? ", " : "DNS modules loaded: ");
		buf_puts(msg, m->name);
		if (!first)
			first = m->name;
	}
	if (!first) {
		buf_puts(msg, "The config has no DNS module.");
		return;
	}
	buf_puts(msg, "\nAdd module=<name> to the URL, e.g. /probe?module=");
	buf_puts(msg, first);
	buf_puts(msg, "&target=<nameserver>");
}

static enum MHD_Result handle_probe(http_req_t *r)
{
	struct MHD_Connection *c = r->conn;
	exporter_t *ex = r->srv->ex;
	if (r->probe) {
		if (!r->probe_done)
			return MHD_YES;     /* spurious call while suspended */
		if (r->debug)
			return reply_buf(r, MHD_HTTP_OK, "text/plain", &r->body);
		return reply_metrics(r, &r->body);
	}

	const char *module = arg(r, "module");
	bool defaulted = !module || !module[0];
	if (defaulted)
		module = "http_2xx";
	r->cfg = exporter_config(ex);
	const config_module_t *mod = config_module_get(r->cfg, module);
	if (!mod) {
		buf_t msg = BUF_INIT;
		buf_t q = BUF_INIT;
		/* Go's %q */
		log_fmt_value(&q, module);
		buf_puts(&msg, "Unknown module ");
		if (q.len && q.p[0] == '"') {
			buf_puts(&msg, buf_str(&q));
		} else {
			buf_putc(&msg, '"');
			buf_puts(&msg, buf_str(&q));
			buf_putc(&msg, '"');
		}
		buf_free(&q);
		/* blackbox's first line, for whoever reads it; then, for the person who left module= out,
		 * what happened and which modules would do */
		if (defaulted)
			append_module_hint(&msg, r->cfg);
		exporter_count_unknown_module(ex);
		log_debug("Unknown module", "module", module);
		enum MHD_Result res = buf_ok(&msg) ? reply_error(r, MHD_HTTP_BAD_REQUEST, buf_str(&msg))
		                                   : reply_error(r, MHD_HTTP_BAD_REQUEST, "Unknown module");
		buf_free(&msg);
		return res;
	}

	double timeout = 0;
	const char *hdr = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Prometheus-Scrape-Timeout-Seconds");
	if (hdr && hdr[0]) {
		char err[300];
		if (go_parse_float(hdr, &timeout, err, sizeof(err)) != 0) {
			char msg[400];
			snprintf(msg, sizeof(msg), "Failed to parse timeout from Prometheus header: %s", err);
			return reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, msg);
		}
	}
	if (timeout == 0)
		timeout = 120;
	double max = timeout - exporter_timeout_offset(ex);
	double mod_t = (double)mod->timeout_ns / 1e9;
	if ((mod_t < max && mod_t > 0) || max < 0)
		timeout = mod_t;
	else
		timeout = max;

	const char *target = arg(r, "target");
	if (!target || !target[0])
		return reply_error(r, MHD_HTTP_BAD_REQUEST, "Target parameter is missing");
	r->target = target;

	const char *prober = mod->prober ? mod->prober : "";
	if (strcmp(prober, "dns") != 0) {
		static const char *const others[] = { "http", "tcp", "icmp", "grpc" };
		char msg[256];
		bool known = false;
		for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
			known |= strcmp(prober, others[i]) == 0;
		if (known)
			snprintf(msg, sizeof(msg), "Prober \"%s\" is not supported by nsprobe, which runs DNS probes only",
			         prober);
		else
			snprintf(msg, sizeof(msg), "Unknown prober \"%.200s\"", prober);
		return reply_error(r, MHD_HTTP_BAD_REQUEST, msg);
	}

	const char *debug = arg(r, "debug");
	r->debug = debug && strcmp(debug, "true") == 0;
	r->module_name = strdup(module);
	if (!r->module_name)
		return reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
	if (r->srv->stopping)
		return reply_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, "nsprobe is stopping");
	/* Suspend first: the probe's completion resumes the connection. */
	suspend(r);
	r->stats = exporter_probe_begin(ex, r->cfg, mod);
	r->probe_start_ns = loop_now_ns();
	r->probe = probe_start(&r->srv->env, r->cfg, module, target, timeout, on_probe_done, r);
	if (!r->probe) {
		exporter_probe_cancel(ex, r->stats);
		r->stats = NULL;
		resume(r);
		return reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
	}
	return MHD_YES;
}

/* ---- the other endpoints ---- */

static enum MHD_Result handle_landing(http_req_t *r)
{
	buf_t b = BUF_INIT;
	config_t *cfg = exporter_config(r->srv->ex);
	char why[CONFIG_ERRLEN];         /* the loader's whole error list */
	landing_reload_t reload = { .why = why };
	exporter_reload_status(r->srv->ex, &reload.ok, &reload.loaded_ns, &reload.failed_ns, why, sizeof(why));
	landing_render(&b, cfg, exporter_history(r->srv->ex), &reload, loop_wall_ns());
	config_unref(cfg);
	return reply_buf(r, MHD_HTTP_OK, "text/html; charset=utf-8", &b);
}

static enum MHD_Result handle_logs(http_req_t *r)
{
	const char *ids = arg(r, "id");
	const char *target = arg(r, "target");
	const char *module = arg(r, "module");
	bool id_ok = false;
	unsigned long long id = 0;
	if (ids && ids[0]) {
		char *end;
		errno = 0;
		id = strtoull(ids, &end, 10);
		id_ok = *end == '\0' && errno == 0 && ids[0] >= '0' && ids[0] <= '9';
	}
	if (id_ok && target && target[0])
		return reply_error(r, MHD_HTTP_BAD_REQUEST, "Probe id and target can't be defined at the same time");
	if (!id_ok && !(target && target[0]))
		return reply_error(r, MHD_HTTP_BAD_REQUEST,
		                   "Probe id or target must be defined as http query parameters");
	if (module && module[0] && !(target && target[0]))
		return reply_error(r, MHD_HTTP_BAD_REQUEST,
		                   "Probe module filter only works in conjunction with target parameter");
	char *text;
	if (target && target[0]) {
		text = history_debug_by_target(exporter_history(r->srv->ex), target, module && module[0] ? module : NULL);
		if (!text)
			return reply_error(r, MHD_HTTP_NOT_FOUND, "Probe target not found");
	} else {
		text = history_debug_by_id(exporter_history(r->srv->ex), id);
		if (!text)
			return reply_error(r, MHD_HTTP_NOT_FOUND, "Probe id not found");
	}
	buf_t b = { .p = text, .len = strlen(text), .cap = strlen(text) + 1 };
	return reply_buf(r, MHD_HTTP_OK, "text/plain", &b);
}

static void on_reload_done(void *ctx)
{
	reload_job_t *job = ctx;
	job->done = true;
	resume(job->req);
}

static void *reload_thread(void *ctx)
{
	reload_job_t *job = ctx;
	job->rc = exporter_reload(job->ex, job->err, sizeof(job->err));
	mailbox_post(job->mb, &job->msg, on_reload_done, job);
	return NULL;
}

static enum MHD_Result handle_reload(http_req_t *r, const char *method)
{
	if (strcmp(method, "POST") != 0)
		return reply_error(r, MHD_HTTP_METHOD_NOT_ALLOWED, "This endpoint requires a POST request.");
	reload_job_t *job = r->reload;
	if (!job) {
		job = calloc(1, sizeof(*job));
		if (!job)
			return reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
		job->req = r;
		job->ex = r->srv->ex;
		job->mb = r->srv->mb;
		r->reload = job;
		pthread_attr_t attr;
		pthread_t th;
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		int rc = pthread_create(&th, &attr, reload_thread, job);
		pthread_attr_destroy(&attr);
		if (rc == 0) {
			/* Its reply can only run on this loop, after we return: suspending now is in time. */
			suspend(r);
			return MHD_YES;
		}
		/* No thread to be had: parse here rather than not at all. */
		job->rc = exporter_reload(job->ex, job->err, sizeof(job->err));
		job->done = true;
	}
	if (!job->done)
		return MHD_YES;             /* spurious call while suspended */
	if (job->rc != 0) {
		char msg[sizeof job->err + 32];
		log_error("Error reloading config", "err", job->err);
		snprintf(msg, sizeof(msg), "failed to reload config: %s", job->err);
		return reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, msg);
	}
	log_info("Reloaded config file");
	return reply(r, MHD_HTTP_OK, NULL, "", 0, false);
}

static enum MHD_Result handle_config(http_req_t *r)
{
	buf_t b = BUF_INIT;
	config_t *cfg = exporter_config(r->srv->ex);
	config_show_yaml(cfg, &b);
	config_unref(cfg);
	return reply_buf(r, MHD_HTTP_OK, "text/plain", &b);
}

/* ---- the gate: client certificate, then basic auth ---- */

/* exporter-toolkit's answer to missing or wrong credentials. */
static enum MHD_Result reply_unauthorized(http_req_t *r)
{
	return reply_error_hdr(r, MHD_HTTP_UNAUTHORIZED, "Unauthorized", "WWW-Authenticate", "Basic");
}

/* Go's Request.BasicAuth (RFC 7617): "Basic " with the scheme in any case, then standard base64 (CR
 * and LF ignored, as Go's decoder does) of user:password, split at the first colon. Decodes into
 * `out` and returns true with the split position in *colon; false: no usable credentials. */
static bool parse_basic_auth(const char *h, buf_t *out, size_t *colon)
{
	if (!h || strncasecmp(h, "Basic ", 6) != 0)
		return false;
	const char *b64 = h + 6;
	size_t len = strlen(b64);
	if (buf_reserve(out, len / 4 * 3 + 3) != 0)
		return false;
	size_t n = 0;
	if (crypto_base64_decode((uint8_t *)out->p, out->cap, b64, len, "\r\n", &n) != 0)
		return false;
	out->len = n;
	const char *c = memchr(out->p, ':', n);
	if (!c)
		return false;
	*colon = (size_t)(c - out->p);
	return true;
}

static void on_auth_done(void *ctx, bool ok)
{
	http_req_t *r = ctx;
	r->auth_job = NULL;
	r->gate = ok ? GATE_OPEN : GATE_DENIED;
	resume(r);
}

/* Decides whether the request may reach the routes. Returns true to go on; otherwise *ret is what
 * the access handler returns: the request was answered (401, 500), refused (MHD_NO closes the
 * connection, as Go's handshake would fail), or suspended while the pool checks the password. */
static bool gate(http_req_t *r, enum MHD_Result *ret)
{
	http_server_t *s = r->srv;
	const webconfig_t *wc = r->wc;
	switch (r->gate) {
	case GATE_OPEN:
		return true;
	case GATE_PENDING:
		*ret = MHD_YES;          /* spurious call while suspended */
		return false;
	case GATE_DENIED:
		*ret = reply_unauthorized(r);
		return false;
	case GATE_UNCHECKED:
		break;
	}
	/* The client certificate is judged by the config its handshake used (tls_conn_open), which
	 * asked for it or not; basic auth and headers by the one the request started with. */
	const union MHD_ConnectionInfo *sc = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	const webconfig_t *conn_wc = sc && sc->socket_context ? sc->socket_context : wc;
	if (conn_wc && conn_wc->client_check) {
		/* MHD only asks GnuTLS to request a certificate; client_auth_type is applied here. */
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
		void *session = ci ? ci->tls_session : NULL;
		char why[512];
		int cr = webtls_check_client(conn_wc->client_check, session, why, sizeof(why));
		if (cr != WEBTLS_CLIENT_OK) {
			log_debug("refusing TLS client", "err", why);
			webtls_alert(session, cr);
			*ret = MHD_NO;
			return false;
		}
	}
	if (!webconfig_has_users(wc)) {
		r->gate = GATE_OPEN;
		return true;
	}
	buf_t cred = BUF_INIT;
	size_t colon = 0;
	int v = WEBAUTH_DENIED;
	if (parse_basic_auth(MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION),
	                     &cred, &colon))
		v = webauth_check(s->auth, wc, cred.p, colon, cred.p + colon + 1, cred.len - colon - 1, on_auth_done, r,
		                  &r->auth_job);
	if (cred.p)
		crypto_wipe(cred.p, cred.cap);
	buf_free(&cred);
	switch (v) {
	case WEBAUTH_ALLOWED:
		r->gate = GATE_OPEN;
		return true;
	case WEBAUTH_DENIED:
		r->gate = GATE_DENIED;
		*ret = reply_unauthorized(r);
		return false;
	case WEBAUTH_PENDING:
		/* The verdict comes back through the loop, never inside webauth_check: suspending after it
		 * is safe. */
		r->gate = GATE_PENDING;
		suspend(r);
		*ret = MHD_YES;
		return false;
	default:
		*ret = reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
		return false;
	}
}

/* ---- routing: every path, in one place ---- */

/* Go's http.Redirect: Location, and a short HTML body for GET. */
static enum MHD_Result reply_redirect(http_req_t *r, unsigned status, const char *location)
{
	buf_t b = BUF_INIT;
	buf_puts(&b, "<a href=\"");
	landing_escape(&b, location);
	buf_puts(&b, status == MHD_HTTP_FOUND ? "\">Found</a>.\n\n" : "\">Moved Permanently</a>.\n\n");
	if (!buf_ok(&b)) {
		buf_free(&b);
		return MHD_NO;
	}
	size_t len = b.len;
	char *p = buf_steal(&b);
	struct MHD_Response *resp = p ? MHD_create_response_from_buffer(len, p, MHD_RESPMEM_MUST_FREE) : NULL;
	if (!resp) {
		free(p);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, location);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/html; charset=utf-8");
	return send_response(r, status, resp);
}

/* Go's cleanPath (net/http/server.go): path.Clean, rooted, keeping a trailing slash. */
static void clean_path(const char *in, buf_t *out)
{
	size_t n = strlen(in);
	bool trailing = n > 1 && in[n - 1] == '/';
	size_t *starts = calloc(n + 1, sizeof(*starts));     /* where each kept segment begins in out */
	size_t depth = 0;
	buf_putc(out, '/');
	for (const char *p = in; *p;) {
		while (*p == '/')
			p++;
		const char *e = p;
		while (*e && *e != '/')
			e++;
		size_t len = (size_t)(e - p);
		if (len == 0 || (len == 1 && p[0] == '.')) {
			/* nothing */
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			if (depth > 0 && starts) {
				out->len = starts[--depth];
				out->p[out->len] = '\0';
			}
		} else {
			if (starts)
				starts[depth++] = out->len;
			if (out->len > 1)
				buf_putc(out, '/');
			buf_append(out, p, len);
		}
		p = e;
	}
	if (trailing && out->len > 1)
		buf_putc(out, '/');
	free(starts);
}

static enum MHD_Result route(http_req_t *r, const char *url, const char *method)
{
	/* ServeMux answers an unclean path ("//probe", "/a/../probe") with a redirect to its clean form. */
	if (url[0] == '/' && (strstr(url, "//") || strstr(url, "/./") || strstr(url, "/../") ||
	                      (strlen(url) >= 2 && strcmp(url + strlen(url) - 2, "/.") == 0) ||
	                      (strlen(url) >= 3 && strcmp(url + strlen(url) - 3, "/..") == 0))) {
		buf_t clean = BUF_INIT;
		clean_path(url, &clean);
		if (buf_ok(&clean) && strcmp(buf_str(&clean), url) != 0) {
			if (r->query && r->query[0]) {
				buf_putc(&clean, '?');
				buf_puts(&clean, r->query);
			}
			enum MHD_Result ret = buf_ok(&clean) ? reply_redirect(r, MHD_HTTP_MOVED_PERMANENTLY, buf_str(&clean))
			                                     : MHD_NO;
			buf_free(&clean);
			return ret;
		}
		buf_free(&clean);
	}
	const char *prefix = r->srv->route_prefix;
	if (prefix && prefix[0]) {
		/* blackbox main.go: "/" goes to the external URL, the bare prefix to prefix + "/" (ServeMux),
		 * anything outside the prefix is not found. */
		size_t pl = strlen(prefix);
		if (strcmp(url, "/") == 0)
			return reply_redirect(r, MHD_HTTP_FOUND, r->srv->external_url);
		if (strncmp(url, prefix, pl) != 0 || (url[pl] != '\0' && url[pl] != '/'))
			return reply_error(r, MHD_HTTP_NOT_FOUND, "404 page not found");
		if (url[pl] == '\0') {
			buf_t loc = BUF_INIT;
			buf_puts(&loc, prefix);
			buf_putc(&loc, '/');
			if (r->query && r->query[0]) {
				buf_putc(&loc, '?');
				buf_puts(&loc, r->query);
			}
			enum MHD_Result ret = buf_ok(&loc) ? reply_redirect(r, MHD_HTTP_MOVED_PERMANENTLY, buf_str(&loc))
			                                   : MHD_NO;
			buf_free(&loc);
			return ret;
		}
		url += pl;
	}
	if (strcmp(url, "/probe") == 0)
		return handle_probe(r);
	if (strcmp(url, "/metrics") == 0) {
		buf_t b = BUF_INIT;
		exporter_write_metrics(r->srv->ex, &b);
		return reply_metrics(r, &b);
	}
	if (strcmp(url, "/-/healthy") == 0)
		return reply(r, MHD_HTTP_OK, CT_TEXT_UTF8, "Healthy", 7, false);
	if (strcmp(url, "/-/reload") == 0)
		return handle_reload(r, method);
	if (strcmp(url, "/logs") == 0)
		return handle_logs(r);
	if (strcmp(url, "/config") == 0)
		return handle_config(r);
	return handle_landing(r);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_size,
                                  void **req_cls)
{
	(void)cls;
	(void)version;
	(void)upload_data;
	http_req_t *r = *req_cls;
	if (!r)
		return MHD_NO;          /* on_uri could not allocate it */
	if (!r->conn) {
		r->conn = c;
		return MHD_YES;
	}
	if (*upload_size) {             /* bodies are ignored, as blackbox reads only the URL */
		*upload_size = 0;
		return MHD_YES;
	}
	enum MHD_Result ret;
	if (!gate(r, &ret))
		return ret;
	return route(r, url, method);
}

/* Called with the raw request URI before MHD decodes it: the request starts here, so that the query
 * can be read with Go's rules instead of MHD's. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	(void)c;
	http_server_t *s = cls;
	http_req_t *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	const char *q = strchr(uri, '?');
	r->query = strdup(q ? q + 1 : "");
	if (!r->query) {
		free(r);
		return NULL;
	}
	char *hash = strchr(r->query, '#');
	if (hash)
		*hash = '\0';
	r->srv = s;
	r->wc = s->live ? webconfig_live_acquire(s->live) : NULL;
	r->counted = true;
	s->active++;
	r->next = s->requests;
	if (s->requests)
		s->requests->prev = r;
	s->requests = r;
	return r;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
	(void)c;
	(void)toe;
	http_server_t *s = cls;
	http_req_t *r = *req_cls;
	if (!r)
		return;
	webauth_cancel(r->auth_job);      /* the pool copied the hash: the config may go */
	if (r->wc)
		webconfig_live_release(s->live, r->wc);
	/* A probe still running is abandoned (the daemon is stopping): it ends here, as a failure. */
	exporter_probe_end(s->ex, r->stats, false, (double)(loop_now_ns() - r->probe_start_ns) / 1e9, false);
	probe_free(r->probe);
	config_unref(r->cfg);
	free(r->reload);                /* its thread has handed it back: the request was suspended */
	buf_free(&r->body);
	free(r->module_name);
	free(r->query);
	for (size_t i = 0; i < HTTP_ARGS; i++)
		buf_free(&r->args[i]);
	if (r->counted) {
		s->active--;
		if (r->prev)
			r->prev->next = r->next;
		else if (s->requests == r)
			s->requests = r->next;
		if (r->next)
			r->next->prev = r->prev;
	}
	free(r);
	*req_cls = NULL;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char msg[512];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	size_t n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	log_debug("libmicrohttpd", "msg", msg);
}

/* ---- loop glue ---- */

static int on_accept(void *ctx, size_t index, int fd, const struct sockaddr *peer, socklen_t peerlen)
{
	http_server_t *s = ctx;
	s->run_pending = true;          /* the new connection waits in MHD's ready list */
	/* On failure MHD has closed the socket (and balanced its notifications). */
	if (MHD_add_connection(s->d[index], fd, peer, peerlen) == MHD_YES)
		return 0;
	int err = errno;
	switch (err) {
	/* Out of memory, descriptors (MHD's ITC, TLS) or epoll watches (fs.epoll.max_user_watches gives
	 * ENOSPC): the next client would be reset too, so the listener backs off and says so. MHD's
	 * connection limit is the listener's own, so it is not what failed here. */
	case ENOMEM:
	case ENOSPC:
	case EMFILE:
	case ENFILE:
	case ENOBUFS:
		return err;
	default:
		log_debug("cannot add connection", "err", strerror(err));
		return err ? err : EIO;     /* counted as rejected; no back-off */
	}
}

/* A TLS connection takes the web config current when it opens (a reference, its socket context,
 * held until it closes) and hands its certificate, key, client CAs and priorities to the session
 * before the handshake starts: exporter-toolkit reads them per handshake, so a rotated certificate
 * needs no restart (webtls.c). A session that cannot be given them (out of memory) is refused
 * rather than served with the start-up settings: its client certificate would then be judged by a
 * config its handshake did not use. */
static void tls_conn_open(http_server_t *s, struct MHD_Connection *c, void **socket_ctx)
{
	const webconfig_t *wc = webconfig_live_acquire(s->live);
	*socket_ctx = (void *)wc;
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (wc->server && ci && webtls_server_bind(wc->server, ci->tls_session) == 0)
		return;
	/* MHD cannot be told to drop a connection here; with its socket shut, the handshake fails at
	 * once and MHD closes it. One line per 10 s per worker, as a crowd of these would flood the log. */
	const union MHD_ConnectionInfo *fd = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (fd)
		shutdown(fd->connect_fd, SHUT_RDWR);
	int64_t now = loop_now_ns();
	if (s->tls_bind_warned_ns == 0 || now - s->tls_bind_warned_ns >= INT64_C(10000000000)) {
		s->tls_bind_warned_ns = now;
		log_warn("cannot hand the current TLS settings to a new connection (out of memory?); refused it");
	}
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_ctx,
                          enum MHD_ConnectionNotificationCode toe)
{
	http_server_t *s = cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		if (s->wc && s->wc->tls)
			tls_conn_open(s, c, socket_ctx);
	} else if (*socket_ctx) {
		webconfig_live_release(s->live, *socket_ctx);
		*socket_ctx = NULL;
	}
	if (!s->listener)
		return;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
		listener_conn_opened(s->listener);
	else
		listener_conn_closed(s->listener);
}

static void on_mhd_io(void *ctx, int fd, uint32_t events)
{
	(void)fd;
	(void)events;
	http_server_t *s = ctx;
	s->run_pending = true;
}

static int64_t on_prepare(void *ctx)
{
	http_server_t *s = ctx;
	if (s->run_pending) {
		s->run_pending = false;
		for (size_t i = 0; i < s->n; i++)
			if (s->d[i])
				MHD_run(s->d[i]);
	}
	int64_t wait = -1;
	for (size_t i = 0; i < s->n; i++) {
		MHD_UNSIGNED_LONG_LONG ms;
		if (s->d[i] && MHD_get_timeout(s->d[i], &ms) == MHD_YES && (wait < 0 || (int64_t)ms < wait))
			wait = (int64_t)ms;
	}
	/* MHD keeps edge-triggered state inside: when it asks for a zero wait, run it again next round. */
	if (wait == 0)
		s->run_pending = true;
	return wait;
}

http_server_t *http_server_new(loop_t *loop, dnsclient_t *dns, exporter_t *ex, const http_listen_t *addrs,
                               size_t n, size_t max_conns, webconfig_live_t *live, webauth_pool_t *auth,
                               char *err, size_t errlen)
{
	if (n > HTTP_MAX_DAEMONS) {
		snprintf(err, errlen, "too many listen addresses (at most %d)", HTTP_MAX_DAEMONS);
		return NULL;
	}
	http_server_t *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->loop = loop;
	s->ex = ex;
	s->env.loop = loop;
	s->env.dns = dns;
	s->live = live;
	s->wc = live ? webconfig_live_acquire(live) : NULL;
	const webconfig_t *wc = s->wc;
	/* With a pool, a client even without users yet: a re-read web config may add them. */
	if (auth || webconfig_has_users(wc)) {
		s->auth = auth ? webauth_client_new(auth, loop) : NULL;
		if (!s->auth) {
			snprintf(err, errlen, "cannot start basic auth (%s)", auth ? "out of memory" : "no verifier pool");
			http_server_free(s);
			return NULL;
		}
	}
	/* TLS options go in as an array, present only when the web config asks for TLS. The PEM texts
	 * stay in wc, which outlives the daemons. Each connection is then handed the settings of the
	 * web config current when it opens (tls_conn_open); these serve MHD's own checks at start. */
	struct MHD_OptionItem tls[5];
	size_t k = 0;
	if (wc && wc->tls) {
		tls[k++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, wc->cert_pem };
		tls[k++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, wc->key_pem };
		tls[k++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_PRIORITIES, 0, wc->priorities };
		if (wc->trust_pem)
			tls[k++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_TRUST, 0, wc->trust_pem };
	}
	tls[k] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	int fds[HTTP_MAX_DAEMONS];
	for (size_t i = 0; i < n; i++) {
		char cause[160];
		if (addrs[i].fd > 0) {
			/* A socket from systemd: every worker accepts from the one queue (a connection wakes
			 * them all; the first accept4 wins, the others see EAGAIN). */
			fds[i] = fcntl(addrs[i].fd, F_DUPFD_CLOEXEC, 3);
			if (fds[i] < 0)
				snprintf(cause, sizeof(cause), "dup: %s", strerror(errno));
		} else {
			fds[i] = listener_socket((const struct sockaddr *)&addrs[i].addr, addrs[i].len, HTTP_BACKLOG,
			                         cause, sizeof(cause));
		}
		if (fds[i] < 0) {
			char name[80];
			http_listen_name(&addrs[i], name, sizeof(name));
			snprintf(err, errlen, "cannot listen on %s (%s)", name, cause);
			while (i > 0)
				close(fds[--i]);
			http_server_free(s);
			return NULL;
		}
	}
	for (size_t i = 0; i < n; i++) {
		unsigned int flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG |
		                     MHD_USE_NO_LISTEN_SOCKET;
		if (wc && wc->tls)
			flags |= MHD_USE_TLS;
		/* The listener holds the worker to max_conns over all its daemons; each daemon's own limit
		 * is the same figure, so MHD never refuses what the listener accepted. */
		s->d[i] = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
		                           MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
		                           MHD_OPTION_ARRAY, tls,
		                           MHD_OPTION_CONNECTION_LIMIT,
		                           (unsigned int)(max_conns < UINT_MAX ? max_conns : UINT_MAX),
		                           MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)300,
		                           MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)4096,
		                           MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
		                           MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
		                           MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
		                           MHD_OPTION_END);
		s->n = i + 1;
		if (!s->d[i]) {
			char name[80];
			http_listen_name(&addrs[i], name, sizeof(name));
			snprintf(err, errlen, "cannot serve %s (%s)", name, errno ? strerror(errno) : "libmicrohttpd failed");
			for (size_t j = 0; j < n; j++)
				close(fds[j]);
			http_server_free(s);
			return NULL;
		}
		const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d[i], MHD_DAEMON_INFO_EPOLL_FD);
		s->epfd[i] = di ? di->epoll_fd : -1;
		if (s->epfd[i] < 0 || loop_watch(loop, s->epfd[i], EPOLLIN, on_mhd_io, s) != 0) {
			snprintf(err, errlen, "cannot watch the HTTP daemon");
			for (size_t j = 0; j < n; j++)
				close(fds[j]);
			http_server_free(s);
			return NULL;
		}
	}
	s->mb = mailbox_new(loop);
	if (!s->mb) {
		snprintf(err, errlen, "cannot create the worker's mailbox");
		for (size_t j = 0; j < n; j++)
			close(fds[j]);
		http_server_free(s);
		return NULL;
	}
	s->listener = listener_new(loop, fds, n, max_conns, on_accept, s);
	if (!s->listener) {
		snprintf(err, errlen, "cannot watch the listening sockets");
		http_server_free(s);
		return NULL;
	}
	listener_set_stats(s->listener, exporter_listener_stats(ex));
	loop_prepare(loop, on_prepare, s);
	s->run_pending = true;
	return s;
}

void http_server_set_routes(http_server_t *s, const char *prefix, const char *external_url)
{
	s->route_prefix = prefix;
	s->external_url = external_url;
}

void http_server_quiesce(http_server_t *s)
{
	s->stopping = true;
	listener_close(s->listener);
	s->run_pending = true;
}

void http_server_abort_probes(http_server_t *s, const char *why)
{
	for (http_req_t *r = s->requests; r; r = r->next)
		if (r->probe && !r->probe_done)
			probe_abort(r->probe, why);
}

size_t http_server_active(const http_server_t *s)
{
	return s->active;
}

size_t http_server_suspended(const http_server_t *s)
{
	return s->suspended;
}

void http_server_free(http_server_t *s)
{
	if (!s)
		return;
	/* Closed before the daemons stop, freed after: stopping them reports their connections closed. */
	if (s->listener)
		listener_close(s->listener);
	for (size_t i = 0; i < s->n; i++) {
		if (!s->d[i])
			continue;
		if (s->epfd[i] >= 0)
			loop_unwatch(s->loop, s->epfd[i]);
		MHD_stop_daemon(s->d[i]);
	}
	listener_free(s->listener);
	webauth_client_free(s->auth);
	mailbox_free(s->mb);
	if (s->wc)
		webconfig_live_release(s->live, s->wc);
	free(s);
}
