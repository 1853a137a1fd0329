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
 * as it did with libmicrohttpd's own limit. A socket the daemon cannot take for want of memory,
 * descriptors or epoll watches (max_user_watches) is the same shortage one step later, and backs off
 * the same way instead of resetting every client in turn.
 *
 * The retry timer is armed for good at the start (parked far ahead while accepting), so backing
 * off only moves it and can never fail for want of memory: a listener that stayed watched on a
 * level-triggered EMFILE would spin silently.
 *
 * The warnings go through one rate limiter for the whole process, since N workers hit by one crowd
 * would otherwise write N identical lines: one line a second at most; what was folded, by any
 * worker, is counted on the next line, which a timer writes if nothing else does. */
#include "net/listener.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

#include "lib/errors.h"
#include "lib/log.h"

#define LISTENER_MAX_FDS 16
#define BACKOFF_MIN_NS (5 * 1000000LL)          /* Go: tempDelay = 5 * time.Millisecond */
#define BACKOFF_MAX_NS (1000 * 1000000LL)       /* Go: if max := 1 * time.Second; tempDelay > max */
#define WARN_EVERY_NS (1000 * 1000000LL)
#define ACCEPT_BATCH 64                         /* per readiness, so other fds of the loop get a turn */
#define RESERVE_FIXED 64
#define RESERVE_PER_WORKER 32
/* LISTENER_MAX_CONNS: each MHD connection holds ~5 KB (~20 KB with TLS); with a container's hard
 * limit of 1,048,576 or more the share would be ~262k connections, GBs pinned by one crowd. It is
 * the 16384 that MHD_OPTION_CONNECTION_LIMIT had before nsprobe accepted by itself. */
#define PARKED_NS (INT64_MAX / 2)               /* the retry timer's time while not backing off */

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
	bool retrying;                  /* backing off: the retry timer is due */
	int64_t backoff_ns;             /* the last back-off; 0 after a successful accept */
	loop_timer_t retry;             /* always armed until closed; parked at PARKED_NS */
	size_t wakeups;                 /* readiness reports from the loop */
	listener_stats_t *stats;        /* borrowed; NULL: not counted */
	char warning[192];              /* this worker's latest warning */
	bool folded;                    /* it was not written */
	loop_timer_t warn_timer;        /* writes a folded warning when the second is over */
};

/* The one process-wide rate limiter (the only state shared between workers): when a warning was
 * last written, and how many were folded since, by any worker. */
#define NEVER INT64_MIN
static _Atomic int64_t warned_ns = NEVER;
static atomic_uint warnings_folded;

/* ---- warnings ---- */

/* Writes this worker's latest warning if the second since the last line (of any worker) is over. */
static bool warn_try_emit(listener_t *l, int64_t now)
{
	int64_t last = atomic_load(&warned_ns);
	if (last != NEVER && now - last < WARN_EVERY_NS)
		return false;
	if (!atomic_compare_exchange_strong(&warned_ns, &last, now))
		return false;           /* another worker wrote one just now */
	unsigned n = atomic_exchange(&warnings_folded, 0);
	if (n) {
		char num[24];
		snprintf(num, sizeof(num), "%u", n);
		log_warn(l->warning, "suppressed", num);
	} else {
		log_warn(l->warning);
	}
	l->folded = false;
	return true;
}

static void warn_later(listener_t *l)
{
	int64_t last = atomic_load(&warned_ns);
	/* Without memory for the timer the folded line is lost; the next warning counts it. */
	(void)loop_timer_start(l->loop, &l->warn_timer, (last == NEVER ? loop_now_ns() : last) + WARN_EVERY_NS);
}

static void on_warn_timer(void *ctx)
{
	listener_t *l = ctx;
	/* Nothing folded any more: another worker's line has counted ours. */
	if (!l->folded || atomic_load(&warnings_folded) == 0) {
		l->folded = false;
		return;
	}
	if (!warn_try_emit(l, loop_now_ns()))
		warn_later(l);
}

__attribute__((format(printf, 2, 3)))
static void warn(listener_t *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(l->warning, sizeof(l->warning), fmt, ap);
	va_end(ap);
	if (warn_try_emit(l, loop_now_ns()))
		return;
	atomic_fetch_add(&warnings_folded, 1);
	l->folded = true;
	if (!loop_timer_armed(&l->warn_timer))
		warn_later(l);
}

static unsigned long long nofile_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 0;
	return (unsigned long long)rl.rlim_cur;
}

/* ENFILE is the system's table (fs.file-max), not the process's limit [Linux accept(2)]. */
static unsigned long long file_max(void)
{
	unsigned long long n = 0;
	FILE *f = fopen("/proc/sys/fs/file-max", "re");
	if (f) {
		if (fscanf(f, "%llu", &n) != 1)
			n = 0;
		fclose(f);
	}
	return n;
}

/* ---- watching ---- */

static void on_ready(void *ctx, int fd, uint32_t events);

/* Puts the sockets in the loop, or takes them out, as the state says. */
static void update_watch(listener_t *l)
{
	bool want = !l->closed && !l->full && !l->retrying;
	if (want == l->watching)
		return;
	for (size_t i = 0; i < l->n; i++) {
		if (!want) {
			loop_unwatch(l->loop, l->fds[i]);
		} else if (loop_watch(l->loop, l->fds[i], EPOLLIN, on_ready, l) != 0) {
			/* Out of memory in the loop's table: try again after a back-off (the timer is armed,
			 * so moving it cannot fail). */
			for (size_t j = 0; j < i; j++)
				loop_unwatch(l->loop, l->fds[j]);
			l->watching = false;
			l->backoff_ns = l->backoff_ns ? l->backoff_ns : BACKOFF_MIN_NS;
			l->retrying = true;
			(void)loop_timer_start(l->loop, &l->retry, loop_now_ns() + l->backoff_ns);
			return;
		}
	}
	l->watching = want;
}

static void on_retry(void *ctx)
{
	listener_t *l = ctx;
	/* The loop disarmed the timer just before this call, so its heap has room for it again. */
	if (l->closed)
		return;
	(void)loop_timer_start(l->loop, &l->retry, PARKED_NS);
	l->retrying = false;
	update_watch(l);
}

static void format_delay(int64_t ns, char *out, size_t outlen)
{
	if (ns % 1000000000LL == 0)
		snprintf(out, outlen, "%llds", (long long)(ns / 1000000000LL));
	else
		snprintf(out, outlen, "%lldms", (long long)(ns / 1000000LL));
}

/* A temporary failure of `what` (accept, or handing the socket on): leave the loop for a while,
 * doubling the pause as Go does. */
static void back_off(listener_t *l, const char *what, int err)
{
	l->backoff_ns = l->backoff_ns ? l->backoff_ns * 2 : BACKOFF_MIN_NS;
	if (l->backoff_ns > BACKOFF_MAX_NS)
		l->backoff_ns = BACKOFF_MAX_NS;
	l->retrying = true;
	(void)loop_timer_start(l->loop, &l->retry, loop_now_ns() + l->backoff_ns);   /* armed: moves */
	update_watch(l);
	char cause[128], delay[32], limit[80] = "";
	nsp_errno_text(err, cause, sizeof(cause));
	if (err == EMFILE)
		snprintf(limit, sizeof(limit), " (descriptor limit %llu)", nofile_limit());
	else if (err == ENFILE)
		snprintf(limit, sizeof(limit), " (system-wide file table full, fs.file-max %llu)", file_max());
	format_delay(l->backoff_ns, delay, sizeof(delay));
	warn(l, "%s: %s%s; retrying in %s", what, cause, limit, delay);
}

static listener_reason_t reason_of(int err)
{
	switch (err) {
	case EMFILE: return LISTENER_EMFILE;
	case ENFILE: return LISTENER_ENFILE;
	case ENOBUFS: return LISTENER_ENOBUFS;
	case ENOMEM: return LISTENER_ENOMEM;
	case ENOSPC: return LISTENER_ENOSPC;
	default: return LISTENER_OTHER;
	}
}

static void count(atomic_ulong *counters, int err)
{
	atomic_fetch_add_explicit(&counters[reason_of(err)], 1, memory_order_relaxed);
}

static void on_ready(void *ctx, int fd, uint32_t events)
{
	(void)events;
	listener_t *l = ctx;
	l->wakeups++;
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
			if (l->stats)
				atomic_fetch_add_explicit(&l->stats->limit_reached, 1, memory_order_relaxed);
			warn(l, "accept: connection limit reached (%zu per worker, descriptor limit %llu); "
			        "waiting for connections to close", l->max_conns, nofile_limit());
			return;
		}
		struct sockaddr_storage peer;
		socklen_t peerlen = sizeof(peer);
		int c = accept4(fd, (struct sockaddr *)&peer, &peerlen, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c >= 0) {
			int err = l->cb(l->ctx, index, c, (const struct sockaddr *)&peer, peerlen);
			if (l->closed)
				return;
			if (err && l->stats)
				count(l->stats->rejected, err);
			if (err && reason_of(err) != LISTENER_OTHER) {
				back_off(l, "add connection", err);
				return;
			}
			l->backoff_ns = 0;
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
			if (l->stats)
				count(l->stats->accept_errors, errno);
			back_off(l, "accept", errno);
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

#define SD_LISTEN_FDS_START 3

int listener_systemd_fds(int *fds, size_t cap, char *err, size_t errlen)
{
	const char *pid_s = getenv("LISTEN_PID"), *n_s = getenv("LISTEN_FDS");
	char *end;
	long pid = pid_s ? strtol(pid_s, &end, 10) : 0;
	bool ours = pid_s && *pid_s && !*end && pid == (long)getpid();
	long n = ours && n_s ? strtol(n_s, &end, 10) : 0;
	if (ours && n_s && (*end || n < 0))
		n = 0;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (n > (long)cap) {
		snprintf(err, errlen, "systemd passed %ld sockets, at most %zu are served", n, cap);
		return -1;
	}
	for (long i = 0; i < n; i++) {
		int fd = SD_LISTEN_FDS_START + (int)i;
		int type = 0, listening = 0;
		socklen_t tl = sizeof(type), ll = sizeof(listening);
		if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) != 0 ||
		    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &ll) != 0) {
			snprintf(err, errlen, "socket activation: fd %d: %s", fd, strerror(errno));
			return -1;
		}
		if (type != SOCK_STREAM || !listening) {
			snprintf(err, errlen, "socket activation: fd %d is not a listening stream socket", fd);
			return -1;
		}
		int fl = fcntl(fd, F_GETFL);
		if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
			snprintf(err, errlen, "socket activation: fd %d: %s", fd, strerror(errno));
			return -1;
		}
		fds[i] = fd;
	}
	return (int)n;
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
	if (loop_timer_start(loop, &l->retry, PARKED_NS) != 0) {
		listener_free(l);
		return NULL;
	}
	update_watch(l);
	if (!l->watching) {
		listener_free(l);
		return NULL;
	}
	return l;
}

const char *listener_reason_name(listener_reason_t r)
{
	switch (r) {
	case LISTENER_EMFILE: return "EMFILE";
	case LISTENER_ENFILE: return "ENFILE";
	case LISTENER_ENOBUFS: return "ENOBUFS";
	case LISTENER_ENOMEM: return "ENOMEM";
	case LISTENER_ENOSPC: return "ENOSPC";
	case LISTENER_OTHER: return "other";
	case LISTENER_REASON__COUNT: break;
	}
	return "other";
}

void listener_set_stats(listener_t *l, listener_stats_t *stats)
{
	l->stats = stats;
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
	return l->retrying ? l->backoff_ns / 1000000 : 0;
}

size_t listener_wakeups(const listener_t *l)
{
	return l->wakeups;
}

void listener_close(listener_t *l)
{
	if (l->closed)
		return;
	l->closed = true;
	l->retrying = false;
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
	if (per > LISTENER_MAX_CONNS)
		per = LISTENER_MAX_CONNS;
	return (size_t)per;
}
