/* dot -- DNS over TLS (RFC 7858) as miekg/dns's "tcp4-tls" client does it for blackbox_exporter:
 * a new TCP connection per query, a TLS handshake verified against tls_config (or the system trust
 * store), the query with its 2-byte length prefix (RFC 1035 4.2.2), one framed answer, close.
 *
 * Everything runs on the worker's loop: the connect is nonblocking (EINPROGRESS, then SO_ERROR on
 * EPOLLOUT), the TLS session (lib/tls) is non-blocking and tells us with tls_wants_write whether
 * it waits to read or to write. A request ends once (finish): the socket and session are released
 * at once and the result is delivered from a zero-delay timer, so dot_query never calls back.
 *
 * Credentials come built with the config snapshot (config/tlscreds): the files are read at start-up
 * or on the reload thread, never here on a loop. Credentials are read-only once built and may be
 * shared by sessions on any thread. */
#include "net/dot.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns/cursor.h"
#include "lib/crypto.h"
#include "lib/errors.h"
#include "lib/tls.h"

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
	tls_session_t *session;            /* NULL until connected, and after finish */
	int fd;
	dot_state_t state;
	dot_answer_cb cb;
	void *ctx;
	int64_t t_start, t_connected, t_sent, t_end;
	char addr[64];                     /* "127.0.0.1:853", "[::1]:853" */
	const char *net;                   /* "tcp4" / "tcp6" */
	char name[256];                    /* server_name: SNI and verification */
	uint8_t name_ip[16];               /* server_name as an address, when it is one */
	size_t name_ip_len;                /* 0: server_name is a host name */
	bool verify;
	int min_version, max_version;      /* tlscreds_version indexes; -1: Go's default */
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
		tls_session_free(r->session);
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
		tls_close(r->session);   /* best effort close_notify; never waits */
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
	watch(r, tls_wants_write(r->session) ? EPOLLOUT : EPOLLIN);
}

static void do_read(dot_req_t *r)
{
	for (;;) {
		ssize_t n;
		if (r->hdr_got < 2)
			n = tls_recv(r->session, r->hdr + r->hdr_got, 2 - r->hdr_got);
		else
			n = tls_recv(r->session, r->in + r->in_got, r->in_len - r->in_got);
		if (n == TLS_E_AGAIN) {
			watch_tls(r);
			return;
		}
		if (n == 0) {
			fail(r, NSP_EMALFORMED, "read %s %s: %s", r->net, r->addr,
			     r->hdr_got == 0 ? "EOF" : "unexpected EOF");
			return;
		}
		if (n < 0) {
			char why[160];
			tls_error_text(r->session, (int)n, why, sizeof(why));
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
		ssize_t n = tls_send(r->session, r->out + r->out_off, r->out_len - r->out_off);
		if (n == TLS_E_AGAIN) {
			watch_tls(r);
			return;
		}
		if (n < 0) {
			fail(r, NSP_ESYSTEM, "write %s %s: tls: %s", r->net, r->addr, tls_strerror((int)n));
			return;
		}
		r->out_off += (size_t)n;
	}
	r->state = DOT_READING;
	do_read(r);
}

static void do_handshake(dot_req_t *r)
{
	int n = tls_handshake(r->session);
	if (n == TLS_E_AGAIN) {
		watch_tls(r);
		return;
	}
	if (n == TLS_E_VERIFY) {
		char why[300];
		tls_verify_text(r->session, why, sizeof(why));
		fail(r, NSP_EINVAL, "tls: certificate verification failed: %s", why);
		return;
	}
	if (n < 0) {
		char why[160];
		tls_error_text(r->session, n, why, sizeof(why));
		fail(r, NSP_EINVAL, "tls: handshake with %s failed: %s", r->addr, why);
		return;
	}
	r->t_connected = r->t_sent = loop_now_ns();
	r->state = DOT_SENDING;
	do_send(r);
}

static void start_tls(dot_req_t *r)
{
	const tls_client_opts_t o = {
		.fd = r->fd,
		.cred = tlscreds_cred(r->creds),
		.server_name = r->name,
		.server_ip = r->name_ip_len ? r->name_ip : NULL,
		.server_ip_len = r->name_ip_len,
		.verify = r->verify,
		.min_version = r->min_version,
		.max_version = r->max_version,
	};
	char why[sizeof(r->error)];
	int e = tls_client_new(&o, &r->session, why, sizeof(why));
	if (e != 0) {
		fail(r, e, "%s", why);
		return;
	}
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
		r->name_ip_len = nip.family == AF_INET ? 4 : 16;
		memcpy(r->name_ip, nip.addr, r->name_ip_len);
	}
	r->verify = !srv->insecure_skip_verify;
	r->min_version = tlscreds_version(srv->min_version);
	r->max_version = tlscreds_version(srv->max_version);

	uint8_t idb[2];
	crypto_random(idb, sizeof(idb));
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
