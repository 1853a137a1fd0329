/* dot -- DNS over TLS (RFC 7858) as miekg/dns's "tcp4-tls" client does it for blackbox_exporter:
 * a new TCP connection per query, a TLS handshake verified against tls_config (or the system trust
 * store), the query with its 2-byte length prefix (RFC 1035 4.2.2), one framed answer, close.
 *
 * Everything runs on the worker's loop: the connect is nonblocking (EINPROGRESS, then SO_ERROR on
 * EPOLLOUT), GnuTLS runs with GNUTLS_NONBLOCK and tells us with gnutls_record_get_direction whether
 * it waits to read or to write. A request ends once (finish): the socket and session are released
 * at once and the result is delivered from a zero-delay timer, so dot_query never calls back.
 *
 * Credentials come built with the config snapshot (config/tlscreds): the files are read at start-up
 * or on the reload thread, never here on a loop. GnuTLS credentials are read-only once built and
 * may be shared by sessions on any thread. */
#include "net/dot.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include "dns/cursor.h"
#include "lib/errors.h"

/* Go's net/os error texts are the lowercase strerror ("connect: connection refused"). */
/* ---- one exchange ---- */

typedef enum dot_state {
	DOT_CONNECTING,
	DOT_HANDSHAKE,
	DOT_SENDING,
	DOT_READING,
	DOT_DONE,
} dot_state_t;

struct dot_req {
	loop_t *loop;
	tlscreds_t *creds;                 /* one reference */
	gnutls_session_t session;          /* NULL until connected, and after finish */
	int fd;
	dot_state_t state;
	dot_answer_cb cb;
	void *ctx;
	int64_t t_start, t_connected, t_sent, t_end;
	char addr[64];                     /* "127.0.0.1:853", "[::1]:853" */
	const char *net;                   /* "tcp4" / "tcp6" */
	char name[256];                    /* server_name: SNI and verification */
	gnutls_typed_vdata_st vdata;       /* what the peer certificate is verified against */
	uint8_t name_ip[16];
	bool verify;
	char priority[128];
	uint16_t id;
	uint8_t *out;                      /* length prefix + query */
	size_t out_len, out_off;
	uint8_t hdr[2];
	size_t hdr_got;
	uint8_t *in;                       /* the answer */
	size_t in_len, in_got;
	int status;
	char error[320];
	loop_timer_t defer;
};

static void on_io(void *ctx, int fd, uint32_t events);

static void release_conn(dot_req_t *r)
{
	if (r->fd >= 0) {
		loop_unwatch(r->loop, r->fd);
		close(r->fd);
		r->fd = -1;
	}
	if (r->session) {
		gnutls_deinit(r->session);
		r->session = NULL;
	}
}

static void finish(dot_req_t *r, int status)
{
	if (r->state == DOT_DONE)
		return;
	r->t_end = loop_now_ns();
	if (r->state < DOT_SENDING)
		r->t_connected = r->t_sent = r->t_end;    /* a dial/handshake failure: all of it is connect */
	r->state = DOT_DONE;
	r->status = status;
	if (r->session && status == 0)
		(void)gnutls_bye(r->session, GNUTLS_SHUT_WR);   /* best effort close_notify; never waits */
	release_conn(r);
	if (loop_timer_start(r->loop, &r->defer, loop_now_ns()) != 0) {
		/* Without a timer the callback cannot run; the caller's deadline will cancel us. */
		r->status = NSP_ENOMEM;
	}
}

static void fail(dot_req_t *r, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(dot_req_t *r, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
	finish(r, status);
}

static void req_free(dot_req_t *r)
{
	loop_timer_stop(r->loop, &r->defer);
	release_conn(r);
	tlscreds_unref(r->creds);
	free(r->out);
	free(r->in);
	free(r);
}

static void on_defer(void *ctx)
{
	dot_req_t *r = ctx;
	dot_answer_t a = {
		.status = r->status,
		.error = r->status ? (r->error[0] ? r->error : nsp_strerror(r->status)) : NULL,
		.buf = r->status ? NULL : r->in,
		.len = r->status ? 0 : r->in_len,
		.connect_ns = r->t_connected - r->t_start,
		.request_ns = r->t_end - r->t_sent,
	};
	dot_answer_cb cb = r->cb;
	void *cctx = r->ctx;
	cb(cctx, &a);
	req_free(r);
}

static void watch(dot_req_t *r, uint32_t events)
{
	if (loop_watch(r->loop, r->fd, events, on_io, r) != 0)
		fail(r, NSP_ESYSTEM, "cannot watch the connection to %s", r->addr);
}

/* Waits for what GnuTLS asked for: to read, or to write. */
static void watch_tls(dot_req_t *r)
{
	watch(r, gnutls_record_get_direction(r->session) ? EPOLLOUT : EPOLLIN);
}

/* Why the peer certificate was rejected, worded after what Go's x509 checks. */
static void verify_text(dot_req_t *r, unsigned status, char *out, size_t outlen)
{
	static const struct { unsigned flag; const char *text; } reasons[] = {
		{ GNUTLS_CERT_SIGNER_NOT_FOUND, "signer not found" },
		{ GNUTLS_CERT_SIGNER_NOT_CA, "signer is not a CA" },
		{ GNUTLS_CERT_SIGNATURE_FAILURE, "signature verification failed" },
		{ GNUTLS_CERT_INSECURE_ALGORITHM, "insecure signature algorithm" },
		{ GNUTLS_CERT_EXPIRED, "certificate has expired" },
		{ GNUTLS_CERT_NOT_ACTIVATED, "certificate is not yet valid" },
		{ GNUTLS_CERT_REVOKED, "certificate is revoked" },
		{ GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE, "signer constraints violated" },
		{ GNUTLS_CERT_PURPOSE_MISMATCH, "certificate is not for TLS server authentication" },
		{ GNUTLS_CERT_UNKNOWN_CRIT_EXTENSIONS, "unknown critical extension" },
		{ GNUTLS_CERT_UNEXPECTED_OWNER, "certificate name does not match " },
	};
	size_t len = 0;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		if (!(status & reasons[i].flag) || len >= outlen)
			continue;
		int n = snprintf(out + len, outlen - len, "%s%s%s", len ? ", " : "", reasons[i].text,
		                 reasons[i].flag == GNUTLS_CERT_UNEXPECTED_OWNER ? r->name : "");
		if (n > 0)
			len += (size_t)n;
	}
	if (!out[0])
		snprintf(out, outlen, "certificate is not trusted");
}

/* A GnuTLS error as text; for an alert from the peer, which one (Go: "remote error: tls: …"). */
static void tls_error_text(dot_req_t *r, int e, char *out, size_t outlen)
{
	const char *alert = NULL;
	if (e == GNUTLS_E_FATAL_ALERT_RECEIVED || e == GNUTLS_E_WARNING_ALERT_RECEIVED)
		alert = gnutls_alert_get_name(gnutls_alert_get(r->session));
	if (alert)
		snprintf(out, outlen, "remote error: tls: %s", alert);
	else
		snprintf(out, outlen, "tls: %s", gnutls_strerror(e));
}

static void do_read(dot_req_t *r)
{
	for (;;) {
		ssize_t n;
		if (r->hdr_got < 2)
			n = gnutls_record_recv(r->session, r->hdr + r->hdr_got, 2 - r->hdr_got);
		else
			n = gnutls_record_recv(r->session, r->in + r->in_got, r->in_len - r->in_got);
		if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED) {
			watch_tls(r);
			return;
		}
		if (n == 0 || n == GNUTLS_E_PREMATURE_TERMINATION) {
			fail(r, NSP_EMALFORMED, "read %s %s: %s", r->net, r->addr,
			     r->hdr_got == 0 ? "EOF" : "unexpected EOF");
			return;
		}
		if (n < 0) {
			if (!gnutls_error_is_fatal((int)n))
				continue;      /* a warning alert or a TLS 1.3 ticket: keep reading */
			char why[160];
			tls_error_text(r, (int)n, why, sizeof(why));
			fail(r, NSP_EMALFORMED, "read %s %s: %s", r->net, r->addr, why);
			return;
		}
		if (r->hdr_got < 2) {
			r->hdr_got += (size_t)n;
			if (r->hdr_got < 2)
				continue;
			cursor_t pre = cursor_make(r->hdr, 2);
			r->in_len = cursor_u16(&pre);
			r->in = malloc(r->in_len ? r->in_len : 1);
			if (!r->in) {
				fail(r, NSP_ENOMEM, "out of memory");
				return;
			}
		} else {
			r->in_got += (size_t)n;
		}
		if (r->hdr_got == 2 && r->in_got == r->in_len)
			break;
	}
	/* miekg checks the ID after unpacking; a message too short for a header is left to the
	 * caller's parser, which reports it as miekg would. */
	cursor_t hdr = cursor_make(r->in, r->in_len);
	if (r->in_len >= 12 && cursor_u16(&hdr) != r->id) {
		fail(r, NSP_EMALFORMED, "dns: id mismatch");
		return;
	}
	finish(r, 0);
}

static void do_send(dot_req_t *r)
{
	while (r->out_off < r->out_len) {
		ssize_t n = gnutls_record_send(r->session, r->out + r->out_off, r->out_len - r->out_off);
		if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED) {
			watch_tls(r);
			return;
		}
		if (n < 0) {
			fail(r, NSP_ESYSTEM, "write %s %s: tls: %s", r->net, r->addr, gnutls_strerror((int)n));
			return;
		}
		r->out_off += (size_t)n;
	}
	r->state = DOT_READING;
	do_read(r);
}

static void do_handshake(dot_req_t *r)
{
	int n;
	do {
		n = gnutls_handshake(r->session);
	} while (n < 0 && n != GNUTLS_E_AGAIN && !gnutls_error_is_fatal(n));
	if (n == GNUTLS_E_AGAIN) {
		watch_tls(r);
		return;
	}
	if (n == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR) {
		char why[300];
		verify_text(r, gnutls_session_get_verify_cert_status(r->session), why, sizeof(why));
		fail(r, NSP_EINVAL, "tls: certificate verification failed: %s", why);
		return;
	}
	if (n < 0) {
		char why[160];
		tls_error_text(r, n, why, sizeof(why));
		fail(r, NSP_EINVAL, "tls: handshake with %s failed: %s", r->addr, why);
		return;
	}
	r->t_connected = r->t_sent = loop_now_ns();
	r->state = DOT_SENDING;
	do_send(r);
}

static void start_tls(dot_req_t *r)
{
	int e = gnutls_init(&r->session, GNUTLS_CLIENT | GNUTLS_NONBLOCK);
	if (e < 0) {
		r->session = NULL;
		fail(r, NSP_ELIB, "tls: %s", gnutls_strerror(e));
		return;
	}
	const char *where = NULL;
	if ((e = gnutls_priority_set_direct(r->session, r->priority, &where)) < 0) {
		fail(r, NSP_EINVAL, "tls: %s (%s)", gnutls_strerror(e), r->priority);
		return;
	}
	if ((e = gnutls_credentials_set(r->session, GNUTLS_CRD_CERTIFICATE, tlscreds_gnutls(r->creds))) < 0) {
		fail(r, NSP_ELIB, "tls: %s", gnutls_strerror(e));
		return;
	}
	/* RFC 6066 3: no SNI for an IP literal (Go sends none either). */
	if (r->vdata.type == GNUTLS_DT_DNS_HOSTNAME &&
	    (e = gnutls_server_name_set(r->session, GNUTLS_NAME_DNS, r->name, strlen(r->name))) < 0) {
		fail(r, NSP_ELIB, "tls: %s", gnutls_strerror(e));
		return;
	}
	/* Verified inside the handshake, as Go does: a rejected peer gets an alert, not our query. */
	if (r->verify)
		gnutls_session_set_verify_cert2(r->session, &r->vdata, 1, 0);
	gnutls_handshake_set_timeout(r->session, 0);      /* the caller's deadline rules */
	gnutls_transport_set_int(r->session, r->fd);
	r->state = DOT_HANDSHAKE;
	do_handshake(r);
}

static void on_io(void *ctx, int fd, uint32_t events)
{
	dot_req_t *r = ctx;
	(void)fd;
	(void)events;
	switch (r->state) {
	case DOT_CONNECTING: {
		int soerr = 0;
		socklen_t sl = sizeof(soerr);
		if (getsockopt(r->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
			soerr = errno;
		if (soerr == EINPROGRESS || soerr == EALREADY)
			return;
		if (soerr != 0) {
			char why[128];
			nsp_errno_text(soerr, why, sizeof(why));
			fail(r, NSP_ESYSTEM, "dial %s %s: connect: %s", r->net, r->addr, why);
			return;
		}
		start_tls(r);
		return;
	}
	case DOT_HANDSHAKE:
		do_handshake(r);
		return;
	case DOT_SENDING:
		do_send(r);
		return;
	case DOT_READING:
		do_read(r);
		return;
	case DOT_DONE:
		return;
	}
}

/* Go's defaults for a client: TLS 1.2 up to TLS 1.3 (crypto/tls, Go >= 1.18). */
static void build_priority(const dot_server_t *srv, char *out, size_t outlen)
{
	static const char *const vers[] = { "+VERS-TLS1.0", "+VERS-TLS1.1", "+VERS-TLS1.2", "+VERS-TLS1.3" };
	int lo = tlscreds_version(srv->min_version), hi = tlscreds_version(srv->max_version);
	if (lo < 0)
		lo = 2;
	if (hi < 0)
		hi = 3;
	size_t len = (size_t)snprintf(out, outlen, "NORMAL:-VERS-ALL");
	for (int i = lo; i <= hi && len < outlen; i++)
		len += (size_t)snprintf(out + len, outlen - len, ":%s", vers[i]);
}

int dot_query(loop_t *loop, tlscreds_t *creds, const dot_server_t *srv, uint8_t *query, size_t len,
              dot_answer_cb cb, void *ctx, dot_req_t **reqp)
{
	if (len < 2 || len > 65535)
		return NSP_EINVAL;
	dot_req_t *r = calloc(1, sizeof(*r));
	if (!r)
		return NSP_ENOMEM;
	r->out = malloc(len + 2);
	if (!r->out) {
		free(r);
		return NSP_ENOMEM;
	}
	r->loop = loop;
	r->fd = -1;
	r->cb = cb;
	r->ctx = ctx;
	r->state = DOT_CONNECTING;
	r->t_start = loop_now_ns();
	loop_timer_init(&r->defer, on_defer, r);
	r->creds = tlscreds_ref(creds);
	target_join(&srv->ip, srv->port, r->addr, sizeof(r->addr));
	r->net = srv->ip.family == AF_INET ? "tcp4" : "tcp6";
	snprintf(r->name, sizeof(r->name), "%s", srv->server_name ? srv->server_name : "");
	target_ip_t nip;
	if (target_parse_ip(r->name, &nip)) {
		size_t n = nip.family == AF_INET ? 4 : 16;
		memcpy(r->name_ip, nip.addr, n);
		r->vdata = (gnutls_typed_vdata_st){ .type = GNUTLS_DT_IP_ADDRESS, .data = r->name_ip,
		                                    .size = (unsigned)n };
	} else {
		r->vdata = (gnutls_typed_vdata_st){ .type = GNUTLS_DT_DNS_HOSTNAME,
		                                    .data = (unsigned char *)r->name, .size = 0 };
	}
	r->verify = !srv->insecure_skip_verify;
	build_priority(srv, r->priority, sizeof(r->priority));

	uint8_t idb[2];
	gnutls_rnd(GNUTLS_RND_NONCE, idb, sizeof(idb));
	query[0] = idb[0];
	query[1] = idb[1];
	cursor_t idc = cursor_make(idb, sizeof(idb));
	r->id = cursor_u16(&idc);
	cursor_write_u16(r->out, (uint16_t)len);
	memcpy(r->out + 2, query, len);
	r->out_len = len + 2;
	*reqp = r;

	/* From here on every failure is delivered through the callback (from the defer timer). */
	char why[128];
	r->fd = socket(srv->ip.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (r->fd < 0) {
		nsp_errno_text(errno, why, sizeof(why));
		fail(r, NSP_ESYSTEM, "dial %s %s: socket: %s", r->net, r->addr, why);
		return 0;
	}
	if (srv->has_source) {
		struct sockaddr_storage ss;
		socklen_t sl = target_sockaddr(&srv->source, 0, &ss);
		if (bind(r->fd, (struct sockaddr *)&ss, sl) != 0) {
			char src[64];
			nsp_errno_text(errno, why, sizeof(why));
			target_join(&srv->source, 0, src, sizeof(src));
			fail(r, NSP_ESYSTEM, "dial %s %s: bind %s: %s", r->net, r->addr, src, why);
			return 0;
		}
	}
	struct sockaddr_storage ss;
	socklen_t sl = target_sockaddr(&srv->ip, srv->port, &ss);
	if (connect(r->fd, (struct sockaddr *)&ss, sl) == 0) {
		start_tls(r);
		return 0;
	}
	if (errno != EINPROGRESS) {
		nsp_errno_text(errno, why, sizeof(why));
		fail(r, NSP_ESYSTEM, "dial %s %s: connect: %s", r->net, r->addr, why);
		return 0;
	}
	watch(r, EPOLLOUT);
	return 0;
}

void dot_progress(const dot_req_t *r, int64_t now, int64_t *connect_ns, int64_t *request_ns, char *err,
                  size_t errlen)
{
	switch (r->state) {
	case DOT_CONNECTING:
		*connect_ns = now - r->t_start;
		*request_ns = 0;
		snprintf(err, errlen, "dial %s %s: i/o timeout", r->net, r->addr);
		return;
	case DOT_HANDSHAKE:
		*connect_ns = now - r->t_start;
		*request_ns = 0;
		snprintf(err, errlen, "tls: handshake with %s: i/o timeout", r->addr);
		return;
	case DOT_SENDING:
	case DOT_READING:
		*connect_ns = r->t_connected - r->t_start;
		*request_ns = now - r->t_sent;
		snprintf(err, errlen, "read %s %s: i/o timeout", r->net, r->addr);
		return;
	case DOT_DONE:
		*connect_ns = r->t_connected - r->t_start;
		*request_ns = r->t_end - r->t_sent;
		snprintf(err, errlen, "%s", r->status ? r->error : "i/o timeout");
		return;
	}
}

void dot_cancel(dot_req_t *r)
{
	if (r)
		req_free(r);
}
