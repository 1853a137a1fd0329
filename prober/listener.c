/* listener -- a worker's listening sockets, accepted as Go's net/http Server.Serve does.
 *
 * libmicrohttpd 0.9.75 accepts by itself, and in external epoll mode an EMFILE wedges it: with
 * connections open it sets `at_limit` and takes the listening socket out of its epoll set; the flag
 * is cleared when a connection is cleaned up at the end of MHD_run, but the socket goes back into
 * the set only at the start of the next MHD_run, and nothing asks for one (MHD_get_timeout knows
 * no timeout with no connections left, and the set it would wake on no longer holds the socket).
 * With no connection of its own open, a worker instead retried accept at once, busily, while
 * another held the descriptors. Its messages went to the debug log only [src daemon.c
 * MHD_accept_connection, MHD_epoll, MHD_cleanup_connections].
 *
 * So nsprobe accepts, and hands each socket to the daemon (MHD_add_connection). Go's Serve, on a
 * temporary accept error, logs "http: Accept error: %v; retrying in %v" and sleeps 5 ms, doubling
 * up to 1 s, reset by the next success [net/http/server.go Serve]. A loop must not sleep: the
 * sockets leave the loop and a timer brings them back. At the connection limit the sockets leave
 * the loop too, and come back when a connection closes; the crowd waits in the kernel's backlog,
 * as it did with libmicrohttpd's own limit. The warnings go through one rate limiter per worker
 * (one line a second at most; what was folded is counted on the next line, which a timer writes
 * if nothing else does). */
#include "listener.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

#include "errors.h"
#include "log.h"

#define LISTENER_MAX_FDS 16
#define BACKOFF_MIN_NS (5 * 1000000LL)          /* Go: tempDelay = 5 * time.Millisecond */
#define BACKOFF_MAX_NS (1000 * 1000000LL)       /* Go: if max := 1 * time.Second; tempDelay > max */
#define WARN_EVERY_NS (1000 * 1000000LL)
#define ACCEPT_BATCH 64                         /* per readiness, so other fds of the loop get a turn */
#define RESERVE_FIXED 64
#define RESERVE_PER_WORKER 32
#define MAX_CONNS_PER_WORKER (1u << 20)         /* libmicrohttpd's limit is an unsigned int */

struct listener {
	loop_t *loop;
	int fds[LISTENER_MAX_FDS];
	size_t n;
	listener_accept_cb cb;
	void *ctx;
	size_t conns, max_conns;
	bool watching;                  /* the fds are in the loop */
	bool full;                      /* a connection waited while conns was at max_conns */
	bool closed;
	int64_t backoff_ns;             /* the last back-off; 0 after a successful accept */
	loop_timer_t retry;             /* armed while backing off */
	bool warned;
	int64_t warned_ns;              /* when the last warning was written */
	unsigned folded;                /* warnings since then, not written */
	char warning[192];              /* the latest warning */
	loop_timer_t warn_timer;        /* writes a folded warning when its second is over */
};

/* ---- warnings ---- */

static void warn_emit(listener_t *l, int64_t now)
{
	char n[24];
	if (l->folded) {
		snprintf(n, sizeof(n), "%u", l->folded);
		log_warn(l->warning, "suppressed", n);
	} else {
		log_warn(l->warning);
	}
	l->warned = true;
	l->warned_ns = now;
	l->folded = 0;
}

static void on_warn_timer(void *ctx)
{
	listener_t *l = ctx;
	if (l->folded)
		warn_emit(l, loop_now_ns());
}

__attribute__((format(printf, 2, 3)))
static void warn(listener_t *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(l->warning, sizeof(l->warning), fmt, ap);
	va_end(ap);
	int64_t now = loop_now_ns();
	if (!l->warned || now - l->warned_ns >= WARN_EVERY_NS) {
		warn_emit(l, now);
		return;
	}
	l->folded++;
	if (!loop_timer_armed(&l->warn_timer))
		loop_timer_start(l->loop, &l->warn_timer, l->warned_ns + WARN_EVERY_NS);
}

static unsigned long long nofile_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 0;
	return (unsigned long long)rl.rlim_cur;
}

/* ---- watching ---- */

static void on_ready(void *ctx, int fd, uint32_t events);

/* Puts the sockets in the loop, or takes them out, as the state says. */
static void update_watch(listener_t *l)
{
	bool want = !l->closed && !l->full && !loop_timer_armed(&l->retry);
	if (want == l->watching)
		return;
	for (size_t i = 0; i < l->n; i++) {
		if (!want) {
			loop_unwatch(l->loop, l->fds[i]);
		} else if (loop_watch(l->loop, l->fds[i], EPOLLIN, on_ready, l) != 0) {
			/* Out of memory in the loop's table: try again after a back-off. */
			for (size_t j = 0; j < i; j++)
				loop_unwatch(l->loop, l->fds[j]);
			l->watching = false;
			l->backoff_ns = l->backoff_ns ? l->backoff_ns : BACKOFF_MIN_NS;
			loop_timer_start(l->loop, &l->retry, loop_now_ns() + l->backoff_ns);
			return;
		}
	}
	l->watching = want;
}

static void on_retry(void *ctx)
{
	update_watch(ctx);
}

static void format_delay(int64_t ns, char *out, size_t outlen)
{
	if (ns % 1000000000LL == 0)
		snprintf(out, outlen, "%llds", (long long)(ns / 1000000000LL));
	else
		snprintf(out, outlen, "%lldms", (long long)(ns / 1000000LL));
}

/* A temporary failure: leave the loop for a while, doubling the pause as Go does. */
static void back_off(listener_t *l, int err)
{
	l->backoff_ns = l->backoff_ns ? l->backoff_ns * 2 : BACKOFF_MIN_NS;
	if (l->backoff_ns > BACKOFF_MAX_NS)
		l->backoff_ns = BACKOFF_MAX_NS;
	if (loop_timer_start(l->loop, &l->retry, loop_now_ns() + l->backoff_ns) != 0)
		return;                 /* no timer: stay in the loop rather than never come back */
	update_watch(l);
	char cause[128], delay[32], limit[64] = "";
	snprintf(cause, sizeof(cause), "%s", strerror(err));
	if (cause[0] >= 'A' && cause[0] <= 'Z')
		cause[0] = (char)(cause[0] - 'A' + 'a');
	if (err == EMFILE || err == ENFILE)
		snprintf(limit, sizeof(limit), " (descriptor limit %llu)", nofile_limit());
	format_delay(l->backoff_ns, delay, sizeof(delay));
	warn(l, "accept: %s%s; retrying in %s", cause, limit, delay);
}

static void on_ready(void *ctx, int fd, uint32_t events)
{
	(void)events;
	listener_t *l = ctx;
	size_t index = 0;
	while (index < l->n && l->fds[index] != fd)
		index++;
	if (index == l->n)
		return;
	for (int k = 0; k < ACCEPT_BATCH; k++) {
		if (l->conns >= l->max_conns) {
			/* Only when someone waits: a readiness says so. Within a batch nobody may be left,
			 * so stay in the loop, which wakes us again if someone is. */
			if (k > 0)
				return;
			l->full = true;
			update_watch(l);
			warn(l, "accept: connection limit reached (%zu per worker, descriptor limit %llu); "
			        "waiting for connections to close", l->max_conns, nofile_limit());
			return;
		}
		struct sockaddr_storage peer;
		socklen_t peerlen = sizeof(peer);
		int c = accept4(fd, (struct sockaddr *)&peer, &peerlen, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c >= 0) {
			l->backoff_ns = 0;
			l->cb(l->ctx, index, c, (const struct sockaddr *)&peer, peerlen);
			if (l->closed)
				return;
			continue;
		}
		switch (errno) {
		case EAGAIN:
#if EWOULDBLOCK != EAGAIN
		case EWOULDBLOCK:
#endif
			return;
		/* Gone before it was accepted, or a network error passed on by accept (Linux accept(2):
		 * "treat them like EAGAIN by retrying"); Go's poll.FD.Accept skips ECONNABORTED too. */
		case EINTR:
		case ECONNABORTED:
		case EPROTO:
		case EPERM:
		case ENETDOWN:
		case ENOPROTOOPT:
		case EHOSTDOWN:
		case ENONET:
		case EHOSTUNREACH:
		case EOPNOTSUPP:
		case ENETUNREACH:
			continue;
		default:
			/* EMFILE, ENFILE, ENOBUFS, ENOMEM, and anything unforeseen: never give up, never
			 * spin. */
			back_off(l, errno);
			return;
		}
	}
}

/* ---- public ---- */

int listener_socket(const struct sockaddr *addr, socklen_t len, int backlog, char *err, size_t errlen)
{
	int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	int one = 1, zero = 0;
	const char *what = "setsockopt";
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0)
		goto fail;
	/* ":9115" is one IPv6 socket for both families, as libmicrohttpd's MHD_USE_DUAL_STACK made it. */
	if (addr->sa_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) != 0)
		goto fail;
	what = "bind";
	if (bind(fd, addr, len) != 0)
		goto fail;
	what = "listen";
	if (listen(fd, backlog) != 0)
		goto fail;
	return fd;
fail:
	snprintf(err, errlen, "%s: %s", what, strerror(errno));
	close(fd);
	return -1;
}

listener_t *listener_new(loop_t *loop, const int *fds, size_t n, size_t max_conns, listener_accept_cb cb,
                         void *ctx)
{
	listener_t *l = n <= LISTENER_MAX_FDS ? calloc(1, sizeof(*l)) : NULL;
	if (!l) {
		for (size_t i = 0; i < n; i++)
			close(fds[i]);
		return NULL;
	}
	l->loop = loop;
	memcpy(l->fds, fds, n * sizeof(*fds));
	l->n = n;
	l->cb = cb;
	l->ctx = ctx;
	l->max_conns = max_conns ? max_conns : 1;
	loop_timer_init(&l->retry, on_retry, l);
	loop_timer_init(&l->warn_timer, on_warn_timer, l);
	update_watch(l);
	if (!l->watching) {
		listener_free(l);
		return NULL;
	}
	return l;
}

void listener_conn_opened(listener_t *l)
{
	l->conns++;
}

void listener_conn_closed(listener_t *l)
{
	if (l->conns > 0)
		l->conns--;
	if (l->full && l->conns < l->max_conns) {
		l->full = false;
		update_watch(l);
	}
}

size_t listener_conns(const listener_t *l)
{
	return l->conns;
}

int64_t listener_backoff_ms(const listener_t *l)
{
	return loop_timer_armed(&l->retry) ? l->backoff_ns / 1000000 : 0;
}

void listener_close(listener_t *l)
{
	if (l->closed)
		return;
	l->closed = true;
	loop_timer_stop(l->loop, &l->retry);
	update_watch(l);
	for (size_t i = 0; i < l->n; i++)
		close(l->fds[i]);
}

void listener_free(listener_t *l)
{
	if (!l)
		return;
	listener_close(l);
	loop_timer_stop(l->loop, &l->warn_timer);
	free(l);
}

size_t listener_conn_budget(uint64_t nofile, size_t workers)
{
	if (workers == 0)
		workers = 1;
	uint64_t reserve = RESERVE_FIXED + (uint64_t)RESERVE_PER_WORKER * workers;
	uint64_t per = nofile > reserve ? (nofile - reserve) / 2 / workers : 0;
	if (per < LISTENER_MIN_CONNS)
		per = LISTENER_MIN_CONNS;
	if (per > MAX_CONNS_PER_WORKER)
		per = MAX_CONNS_PER_WORKER;
	return (size_t)per;
}
