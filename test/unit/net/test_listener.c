/* Unit tests for listener.c: an accept that runs out of descriptors backs off (5 ms doubling) without
 * waking the loop in between, says so once with the descriptor limit (once for the whole process,
 * however many listeners hit it), and accepts again by itself once descriptors are free; at the
 * connection limit the next connection waits in the backlog, unwatched, until one closes; a socket
 * the callee cannot take for want of memory backs off the same way; the budget figures. Real sockets
 * on 127.0.0.1, a real loop, a real RLIMIT_NOFILE. The work is bounded by counting the loop's
 * wake-ups of the listener, since a busy retry ends the same way as a right one. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "net/listener.h"
#include "lib/log.h"
#include "net/loop.h"

#define MS 1000000LL

typedef struct world {
	loop_t *loop;
	listener_t *l;
	listener_t *l2;                 /* a second worker's listener, when a test wants one */
	int port, port2;
	int add_error;                  /* what the callback returns for the next socket (it drops it) */
	int accepted[8];
	size_t naccepted;
	size_t stop_at;                 /* loop_stop when this many were accepted */
	bool timed_out;
	loop_timer_t deadline;
	loop_timer_t phase;
	struct rlimit saved;
	int64_t backoff_seen;
	size_t accepted_at_phase;
	size_t wakeups_at_start, wakeups_seen; /* the listener's wake-ups when the phase began, ended */
	loop_timer_t poll;              /* looks for the first back-off */
	void (*on_count)(struct world *w); /* after each accept */
	listener_stats_t stats;         /* what w->l and w->l2 counted */
	FILE *err;                      /* stderr while the test runs */
	int saved_stderr;
} world_t;

static void accepted(world_t *w, listener_t *l, int fd)
{
	listener_conn_opened(l);
	if (w->naccepted < 8)
		w->accepted[w->naccepted++] = fd;
	else
		close(fd);
	if (w->on_count)
		w->on_count(w);
	if (w->naccepted == w->stop_at)
		loop_stop(w->loop);
}

static int on_accept(void *ctx, size_t index, int fd, const struct sockaddr *peer, socklen_t peerlen)
{
	(void)index;
	(void)peer;
	(void)peerlen;
	world_t *w = ctx;
	if (w->add_error) {
		int err = w->add_error;
		w->add_error = 0;
		close(fd);
		return err;
	}
	accepted(w, w->l, fd);
	return 0;
}

static int on_accept2(void *ctx, size_t index, int fd, const struct sockaddr *peer, socklen_t peerlen)
{
	(void)index;
	(void)peer;
	(void)peerlen;
	world_t *w = ctx;
	accepted(w, w->l2, fd);
	return 0;
}

static void on_deadline(void *ctx)
{
	world_t *w = ctx;
	w->timed_out = true;
	loop_stop(w->loop);
}

static int64_t last_world_end;

static int listening_socket(int *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	char err[160];
	int fd = listener_socket((struct sockaddr *)&sa, sizeof(sa), 16, err, sizeof(err));
	assert_true(fd >= 0);
	socklen_t len = sizeof(sa);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

static void world_init(world_t *w, size_t max_conns)
{
	/* The warnings' rate limiter is the process's: each test's first line comes after the last
	 * test's second is over. */
	int64_t wait = last_world_end ? last_world_end + 1050 * MS - loop_now_ns() : 0;
	if (wait > 0) {
		struct timespec ts = { .tv_sec = wait / 1000000000LL, .tv_nsec = wait % 1000000000LL };
		nanosleep(&ts, NULL);
	}
	memset(w, 0, sizeof(*w));
	w->err = tmpfile();
	assert_non_null(w->err);
	fflush(stderr);
	w->saved_stderr = dup(STDERR_FILENO);
	assert_true(w->saved_stderr >= 0);
	assert_true(dup2(fileno(w->err), STDERR_FILENO) >= 0);
	log_setup(LOG_INFO, LOG_LOGFMT);

	w->loop = loop_new();
	assert_non_null(w->loop);
	int fd = listening_socket(&w->port);
	w->l = listener_new(w->loop, &fd, 1, max_conns, on_accept, w);
	assert_non_null(w->l);
	listener_set_stats(w->l, &w->stats);
	loop_timer_init(&w->deadline, on_deadline, w);
	assert_int_equal(loop_timer_start(w->loop, &w->deadline, loop_now_ns() + 5000 * MS), 0);
}

/* Returns what was logged (the caller frees it) and frees the world. */
static char *world_deinit(world_t *w)
{
	for (size_t i = 0; i < w->naccepted; i++)
		close(w->accepted[i]);
	listener_free(w->l);
	listener_free(w->l2);
	loop_free(w->loop);
	last_world_end = loop_now_ns();
	fflush(stderr);
	assert_true(dup2(w->saved_stderr, STDERR_FILENO) >= 0);
	close(w->saved_stderr);
	long n = ftell(w->err);
	char *out = calloc(1, (size_t)(n > 0 ? n : 0) + 1);
	assert_non_null(out);
	rewind(w->err);
	if (n > 0)
		assert_int_equal(fread(out, 1, (size_t)n, w->err), (size_t)n);
	fclose(w->err);
	fprintf(stderr, "%s", out);     /* shown with the test's output */
	return out;
}

static int client(void)
{
	int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(c >= 0);
	return c;
}

static void client_connect(int c, int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
	                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	assert_int_equal(connect(c, (struct sockaddr *)&sa, sizeof(sa)), 0);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* ---- out of descriptors ---- */

#define PHASE_MS 300

static void on_descriptors_back(void *ctx)
{
	world_t *w = ctx;
	w->backoff_seen = listener_backoff_ms(w->l);
	w->wakeups_seen = listener_wakeups(w->l) + listener_wakeups(w->l2);
	w->accepted_at_phase = w->naccepted;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &w->saved), 0);
}

/* The phase starts at the first back-off, so a slow start of the thread cannot shorten it. */
static void on_poll_backoff(void *ctx)
{
	world_t *w = ctx;
	if (listener_backoff_ms(w->l) == 0) {
		assert_int_equal(loop_timer_start(w->loop, &w->poll, loop_now_ns() + 1 * MS), 0);
		return;
	}
	w->wakeups_at_start = listener_wakeups(w->l) + listener_wakeups(w->l2);
	assert_int_equal(loop_timer_start(w->loop, &w->phase, loop_now_ns() + PHASE_MS * MS), 0);
}

static void test_emfile_backs_off_and_recovers(void **state)
{
	(void)state;
	world_t w;
	world_init(&w, 100);
	/* A second worker's listener, hit by the same shortage: its warning is folded into the one line. */
	int fd2 = listening_socket(&w.port2);
	w.l2 = listener_new(w.loop, &fd2, 1, 100, on_accept2, &w);
	assert_non_null(w.l2);
	listener_set_stats(w.l2, &w.stats);
	w.stop_at = 2;
	int c = client(), c2 = client();
	loop_timer_init(&w.phase, on_descriptors_back, &w);
	loop_timer_init(&w.poll, on_poll_backoff, &w);
	assert_int_equal(loop_timer_start(w.loop, &w.poll, loop_now_ns()), 0);

	/* Every descriptor below the lowest free one is taken: a soft limit there makes accept EMFILE. */
	int lowest = dup(STDERR_FILENO);
	assert_true(lowest >= 0);
	close(lowest);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &w.saved), 0);
	struct rlimit low = { .rlim_cur = (rlim_t)lowest, .rlim_max = w.saved.rlim_max };
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	client_connect(c, w.port);
	client_connect(c2, w.port2);

	assert_int_equal(loop_run(w.loop), 0);
	assert_false(w.timed_out);
	assert_int_equal(w.naccepted, 2);               /* accepted by itself once descriptors were back */
	assert_int_equal(w.accepted_at_phase, 0);       /* ... and not before */
	/* Retries at 5, 15, 35, 75, 155 ms (and 315): 80 ms (or 40 or 160) by 300 ms. A listener left
	 * watched retries at once and doubles to 1 s within a few ms. */
	fprintf(stderr, "backoff at %d ms: %lld ms; wake-ups: %zu\n", PHASE_MS, (long long)w.backoff_seen,
	        w.wakeups_seen - w.wakeups_at_start);
	assert_in_range(w.backoff_seen, 40, 320);
	/* The work, not only the outcome: each listener wakes once per retry (6 in 300 ms), never in
	 * between; a busy one wakes thousands of times. */
	assert_in_range(w.wakeups_seen - w.wakeups_at_start, 2, 2 * 8);
	assert_int_equal(listener_backoff_ms(w.l), 0);  /* reset by the success */
	/* /metrics' counts: both listeners failed at least once (each retry that fails again counts). */
	assert_true(atomic_load(&w.stats.accept_errors[LISTENER_EMFILE]) >= 2);
	assert_int_equal(atomic_load(&w.stats.accept_errors[LISTENER_OTHER]), 0);
	assert_int_equal(atomic_load(&w.stats.rejected[LISTENER_EMFILE]), 0);
	assert_int_equal(atomic_load(&w.stats.limit_reached), 0);
	close(c);
	close(c2);
	char *log = world_deinit(&w);
	char want[128];
	snprintf(want, sizeof(want),
	         "level=warn msg=\"accept: too many open files (descriptor limit %d); retrying in 5ms\"", lowest);
	assert_non_null(strstr(log, want));
	/* Two listeners, several retries each (5, 10, 20 ms ...), and the lines are one a second for
	 * the whole process. */
	assert_int_equal(count(log, "msg=\"accept:"), 1);
	free(log);
}

/* ---- a socket the callee cannot take ---- */

static void test_add_failure_backs_off(void **state)
{
	(void)state;
	world_t w;
	world_init(&w, 100);
	w.add_error = ENOMEM;
	w.stop_at = 1;
	int c[2];
	for (int i = 0; i < 2; i++) {
		c[i] = client();
		client_connect(c[i], w.port);
	}
	int64_t start = loop_now_ns();
	assert_int_equal(loop_run(w.loop), 0);
	int64_t took = loop_now_ns() - start;
	assert_false(w.timed_out);
	/* The first was dropped; the second came in after the pause, not in the same batch. */
	assert_int_equal(w.naccepted, 1);
	assert_true(took >= 5 * MS);
	for (int i = 0; i < 2; i++)
		close(c[i]);
	char *log = world_deinit(&w);
	assert_non_null(strstr(log, "level=warn msg=\"add connection: cannot allocate memory; retrying in 5ms\""));
	free(log);
	assert_int_equal(atomic_load(&w.stats.rejected[LISTENER_ENOMEM]), 1);
	assert_int_equal(atomic_load(&w.stats.accept_errors[LISTENER_ENOMEM]), 0);
}

/* A socket dropped for another cause (MHD refused that one client) is counted, and the next is
 * taken without a pause or a warning. */
static void test_add_refusal_counts_without_backoff(void **state)
{
	(void)state;
	world_t w;
	world_init(&w, 100);
	w.add_error = ECONNREFUSED;
	w.stop_at = 1;
	int c[2];
	for (int i = 0; i < 2; i++) {
		c[i] = client();
		client_connect(c[i], w.port);
	}
	assert_int_equal(loop_run(w.loop), 0);
	assert_false(w.timed_out);
	assert_int_equal(w.naccepted, 1);
	assert_int_equal(listener_backoff_ms(w.l), 0);
	for (int i = 0; i < 2; i++)
		close(c[i]);
	char *log = world_deinit(&w);
	assert_null(strstr(log, "add connection"));
	free(log);
	assert_int_equal(atomic_load(&w.stats.rejected[LISTENER_OTHER]), 1);
	assert_int_equal(atomic_load(&w.stats.accept_errors[LISTENER_OTHER]), 0);
}

/* ---- the connection limit ---- */

static void on_limit_checked(void *ctx)
{
	world_t *w = ctx;
	w->accepted_at_phase = w->naccepted;
	w->wakeups_seen = listener_wakeups(w->l);
	/* One closes: the one waiting in the backlog comes in. */
	close(w->accepted[0]);
	w->accepted[0] = -1;
	listener_conn_closed(w->l);
	w->stop_at = 3;
}

/* After the second accept, the loop gets 100 ms to (wrongly) take the third, or to spin. */
static void on_two(world_t *w)
{
	if (w->naccepted == 2 && !loop_timer_armed(&w->phase) && w->stop_at != 3) {
		w->wakeups_at_start = listener_wakeups(w->l);
		assert_int_equal(loop_timer_start(w->loop, &w->phase, loop_now_ns() + 100 * MS), 0);
	}
}

static void test_limit_waits_in_backlog(void **state)
{
	(void)state;
	world_t w;
	world_init(&w, 2);
	w.stop_at = 99;
	int c[3];
	for (int i = 0; i < 3; i++) {
		c[i] = client();
		client_connect(c[i], w.port);
	}
	loop_timer_init(&w.phase, on_limit_checked, &w);
	w.on_count = on_two;
	assert_int_equal(loop_run(w.loop), 0);
	assert_false(w.timed_out);
	assert_int_equal(w.accepted_at_phase, 2);
	/* The third woke it once (the end of the batch that took the second), and it left the loop:
	 * a listener that stayed watched on a waiting connection wakes thousands of times. */
	fprintf(stderr, "wake-ups at the limit: %zu\n", w.wakeups_seen - w.wakeups_at_start);
	assert_in_range(w.wakeups_seen - w.wakeups_at_start, 0, 3);
	assert_int_equal(w.naccepted, 3);
	assert_int_equal(listener_conns(w.l), 2);
	assert_int_equal(atomic_load(&w.stats.limit_reached), 1);
	for (int i = 0; i < 3; i++)
		close(c[i]);
	w.accepted[0] = w.accepted[--w.naccepted];    /* the first was closed in on_limit_checked */
	char *log = world_deinit(&w);
	assert_non_null(strstr(log, "level=warn msg=\"accept: connection limit reached (2 per worker, descriptor limit "));
	free(log);
}

/* ---- the budget ---- */

static void test_budget(void **state)
{
	(void)state;
	/* 256 descriptors, 2 workers: 64 + 2 * 32 reserved, half of the rest shared by 2. */
	assert_int_equal(listener_conn_budget(256, 2), 32);
	assert_int_equal(listener_conn_budget(65536, 2), (65536 - 128) / 4);
	assert_int_equal(listener_conn_budget(1024, 1), (1024 - 96) / 2);
	assert_int_equal(listener_conn_budget(100, 4), LISTENER_MIN_CONNS);
	assert_int_equal(listener_conn_budget(1024, 0), listener_conn_budget(1024, 1));
	/* 16384 at most, whatever the limit: each connection holds memory in libmicrohttpd. */
	assert_int_equal(listener_conn_budget(65536, 1), LISTENER_MAX_CONNS);
	assert_int_equal(listener_conn_budget(1048576, 4), 16384);
	assert_int_equal(listener_conn_budget(UINT64_MAX, 1), 16384);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_emfile_backs_off_and_recovers),
		cmocka_unit_test(test_limit_waits_in_backlog),
		cmocka_unit_test(test_add_failure_backs_off),
		cmocka_unit_test(test_add_refusal_counts_without_backoff),
		cmocka_unit_test(test_budget),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
