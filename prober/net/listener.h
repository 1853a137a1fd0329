/* listener -- a worker's listening sockets on its loop, accepted as Go's net/http Server.Serve does:
 * an accept error is never the end. Out of descriptors or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM),
 * it stops watching, retries after 5 ms doubling to 1 s, and logs a rate-limited warning that names
 * the descriptor limit (one line a second for the whole process); a connection lost before it was
 * accepted is skipped. A socket the callee cannot take for want of a resource backs off the same way.
 * At its connection limit it stops accepting and the crowd waits in the kernel's backlog until a
 * connection closes. */
#pragma once

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "net/loop.h"

typedef struct listener listener_t;

/* Hands over one accepted socket (non-blocking, close-on-exec): the callee owns it from now on.
 * `index` is the position of the listening socket in the array given to listener_new. The callee
 * reports the connection's life with listener_conn_opened/closed (it may do so inside this call).
 * Returns 0, or an errno when it dropped the socket (counted as rejected); for want of a resource
 * (ENOMEM, ENOSPC, EMFILE, ENFILE, ENOBUFS) the listener then backs off and warns as for an accept
 * error. */
typedef int (*listener_accept_cb)(void *ctx, size_t index, int fd, const struct sockaddr *peer,
                                  socklen_t peerlen);

/* Opens a non-blocking TCP socket listening on addr with `backlog`, with SO_REUSEADDR and
 * SO_REUSEPORT (each worker has its own socket on the shared address); an IPv6 socket accepts IPv4
 * too. Returns the fd, or -1 with the cause in err. */
int listener_socket(const struct sockaddr *addr, socklen_t len, int backlog, char *err, size_t errlen);

/* The sockets systemd passed (socket activation), found as sd_listen_fds(3) and go-systemd's
 * activation.Files do: when LISTEN_PID is this process, LISTEN_FDS descriptors from fd 3 on. The
 * variables are unset either way (a child must not take them for its own), and each socket is made
 * close-on-exec and non-blocking. Each must be a listening stream socket. Fills up to cap fds and
 * returns how many (0: none passed to this process), or -1 with the cause in err. */
int listener_systemd_fds(int *fds, size_t cap, char *err, size_t errlen);

/* Why a connection was not served, as /metrics counts it. */
typedef enum listener_reason {
	LISTENER_EMFILE = 0,
	LISTENER_ENFILE,
	LISTENER_ENOBUFS,
	LISTENER_ENOMEM,
	LISTENER_ENOSPC,                /* epoll watches (fs.epoll.max_user_watches); handing on only */
	LISTENER_OTHER,
	LISTENER_REASON__COUNT
} listener_reason_t;

/* Counts every worker's listener adds to, for /metrics: the caller owns the storage (zeroed) and
 * reads it from any thread. */
typedef struct listener_stats {
	atomic_ulong accept_errors[LISTENER_REASON__COUNT];   /* accept4 failed and the listener backed
	                                                          off (not the skipped ECONNABORTED kind) */
	atomic_ulong rejected[LISTENER_REASON__COUNT];        /* accepted, but the callee dropped the
	                                                          socket (any errno; "other" for those
	                                                          that are not a resource) */
	atomic_ulong limit_reached;     /* the listener stopped accepting at its connection limit with a
	                                   client waiting (who then waits in the backlog) */
} listener_stats_t;

/* "EMFILE", ..., "other". */
const char *listener_reason_name(listener_reason_t r);

/* Starts accepting on fds[0..n) on `loop` (ownership of the fds moves in, also on failure), with at
 * most max_conns connections open at once. Returns NULL when out of memory or the loop refuses. */
listener_t *listener_new(loop_t *loop, const int *fds, size_t n, size_t max_conns, listener_accept_cb cb,
                         void *ctx);
/* From now on, counts into *stats (borrowed: it must outlive the listener; NULL: stop counting). */
void listener_set_stats(listener_t *l, listener_stats_t *stats);
/* Count the connections the callee holds. A close below the limit resumes accepting (on the next
 * loop round, never inside this call, so it is safe from within a library's cleanup). */
void listener_conn_opened(listener_t *l);
void listener_conn_closed(listener_t *l);
/* Connections counted as open. */
size_t listener_conns(const listener_t *l);
/* The current back-off after an accept error, in ms (0: accepting normally). */
int64_t listener_backoff_ms(const listener_t *l);
/* How often the loop reported a listening socket ready: what a test bounds to see a busy loop. */
size_t listener_wakeups(const listener_t *l);
/* Stops accepting for good and closes the sockets (connections still queued in the kernel are
 * reset); the counts go on. */
void listener_close(listener_t *l);
/* Closes (if still open) and frees. Accepts NULL. */
void listener_free(listener_t *l);

/* Each worker's connection limit for a process allowed `nofile` descriptors (the caller subtracts
 * those already open at start, inherited or passed by systemd): what is left after a
 * fixed reserve (stdio, the main loop and signals, config reads, password verifier threads) and a
 * per-worker one (its loops, eventfds, listening sockets, c-ares channels, DoT sessions), halved
 * because a probe's connection may hold a socket to its nameserver while it waits, and shared
 * between the workers. At least LISTENER_MIN_CONNS, at most LISTENER_MAX_CONNS (each connection
 * holds ~5 KB of memory in libmicrohttpd, ~20 KB with TLS). */
#define LISTENER_MAX_CONNS 16384
#define LISTENER_MIN_CONNS 4
size_t listener_conn_budget(uint64_t nofile, size_t workers);
