/* Unit tests for listener.c: an accept that runs out of descriptors backs off (5 ms doubling), says
 * so once with the descriptor limit, and accepts again by itself once descriptors are free; at the
 * connection limit the next connection waits in the backlog until one closes; the budget figures.
 * Real sockets on 127.0.0.1, a real loop, a real RLIMIT_NOFILE. */
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
#include <unistd.h>

#include <cmocka.h>

#include "listener.h"
#include "log.h"
#include "loop.h"

#define MS 1000000LL

typedef struct world {
	loop_t *loop;
	listener_t *l;
	int port;
	int accepted[8];
	size_t naccepted;
	size_t stop_at;                 /* loop_stop when this many were accepted */
	bool timed_out;
	loop_timer_t deadline;
	loop_timer_t phase;
	struct rlimit saved;
	int64_t backoff_seen;
	size_t accepted_at_phase;
	void (*on_count)(struct world *w); /* after each accept */
	FILE *err;                      /* stderr while the test runs */
	int saved_stderr;
} world_t;

static void on_accept(void *ctx, size_t index, int fd, const struct sockaddr *peer, socklen_t peerlen)
{
	(void)index;
	(void)peer;
	(void)peerlen;
	world_t *w = ctx;
	listener_conn_opened(w->l);
	if (w->naccepted < 8)
		w->accepted[w->naccepted++] = fd;
	else
		close(fd);
	if (w->on_count)
		w->on_count(w);
	if (w->naccepted == w->stop_at)
		loop_stop(w->loop);
}

static void on_deadline(void *ctx)
{
	world_t *w = ctx;
	w->timed_out = true;
	loop_stop(w->loop);
}

static void world_init(world_t *w, size_t max_conns)
{
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
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	char err[160];
	int fd = listener_socket((struct sockaddr *)&sa, sizeof(sa), 16, err, sizeof(err));
	assert_true(fd >= 0);
	socklen_t len = sizeof(sa);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	w->port = ntohs(sa.sin_port);
	w->l = listener_new(w->loop, &fd, 1, max_conns, on_accept, w);
	assert_non_null(w->l);
	loop_timer_init(&w->deadline, on_deadline, w);
	assert_int_equal(loop_timer_start(w->loop, &w->deadline, loop_now_ns() + 5000 * MS), 0);
}

/* Returns what was logged (the caller frees it) and frees the world. */
static char *world_deinit(world_t *w)
{
	for (size_t i = 0; i < w->naccepted; i++)
		close(w->accepted[i]);
	listener_free(w->l);
	loop_free(w->loop);
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

static void on_descriptors_back(void *ctx)
{
	world_t *w = ctx;
	w->backoff_seen = listener_backoff_ms(w->l);
	w->accepted_at_phase = w->naccepted;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &w->saved), 0);
}

static void test_emfile_backs_off_and_recovers(void **state)
{
	(void)state;
	world_t w;
	world_init(&w, 100);
	w.stop_at = 1;
	int c = client();
	loop_timer_init(&w.phase, on_descriptors_back, &w);
	assert_int_equal(loop_timer_start(w.loop, &w.phase, loop_now_ns() + 300 * MS), 0);

	/* Every descriptor below the lowest free one is taken: a soft limit there makes accept EMFILE. */
	int lowest = dup(STDERR_FILENO);
	assert_true(lowest >= 0);
	close(lowest);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &w.saved), 0);
	struct rlimit low = { .rlim_cur = (rlim_t)lowest, .rlim_max = w.saved.rlim_max };
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	client_connect(c, w.port);

	assert_int_equal(loop_run(w.loop), 0);
	assert_false(w.timed_out);
	assert_int_equal(w.naccepted, 1);               /* accepted by itself once descriptors were back */
	assert_int_equal(w.accepted_at_phase, 0);       /* ... and not before */
	assert_true(w.backoff_seen >= 10);              /* backed off, doubling from 5 ms */
	assert_true(w.backoff_seen <= 1000);            /* up to 1 s, as Go */
	assert_int_equal(listener_backoff_ms(w.l), 0);  /* reset by the success */
	close(c);
	char *log = world_deinit(&w);
	char want[128];
	snprintf(want, sizeof(want),
	         "level=warn msg=\"accept: too many open files (descriptor limit %d); retrying in 5ms\"", lowest);
	assert_non_null(strstr(log, want));
	/* Several retries failed (5, 10, 20 ms ...), but the lines are one a second at most. */
	assert_in_range(count(log, "msg=\"accept:"), 1, 2);
	free(log);
}

/* ---- the connection limit ---- */

static void on_limit_checked(void *ctx)
{
	world_t *w = ctx;
	w->accepted_at_phase = w->naccepted;
	/* One closes: the one waiting in the backlog comes in. */
	close(w->accepted[0]);
	w->accepted[0] = -1;
	listener_conn_closed(w->l);
	w->stop_at = 3;
}

/* After the second accept, the loop gets 100 ms to (wrongly) take the third. */
static void on_two(world_t *w)
{
	if (w->naccepted == 2 && !loop_timer_armed(&w->phase) && w->stop_at != 3)
		assert_int_equal(loop_timer_start(w->loop, &w->phase, loop_now_ns() + 100 * MS), 0);
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
	assert_int_equal(w.naccepted, 3);
	assert_int_equal(listener_conns(w.l), 2);
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
	assert_int_equal(listener_conn_budget(UINT64_MAX, 1), 1u << 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_emfile_backs_off_and_recovers),
		cmocka_unit_test(test_limit_waits_in_backlog),
		cmocka_unit_test(test_budget),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
