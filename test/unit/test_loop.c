/* Unit tests for loop.c (timer heap order, cancel, fd dispatch) and history.c (rings, order). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cmocka.h>

#include <pthread.h>

#include "web/history.h"
#include "net/loop.h"
#include "net/mailbox.h"

typedef struct order {
	loop_t *loop;
	int seen[64];
	int n;
	int stop_after;
} order_t;

typedef struct tctx {
	order_t *o;
	int id;
} tctx_t;

static void on_timer(void *ctx)
{
	tctx_t *t = ctx;
	t->o->seen[t->o->n++] = t->id;
	if (t->o->n == t->o->stop_after)
		loop_stop(t->o->loop);
}

static void test_timers_fire_in_deadline_order(void **state)
{
	(void)state;
	loop_t *l = loop_new();
	assert_non_null(l);
	order_t o = { .loop = l, .stop_after = 19 };
	loop_timer_t t[20];
	tctx_t c[20];
	int64_t now = loop_now_ns();
	/* Deadlines in the past, in a scrambled order: they must fire sorted, and #7 is cancelled. */
	for (int i = 0; i < 20; i++) {
		int id = (i * 7) % 20;
		c[i] = (tctx_t){ &o, id };
		loop_timer_init(&t[i], on_timer, &c[i]);
		assert_int_equal(loop_timer_start(l, &t[i], now - 1000000000 + id * 1000), 0);
	}
	for (int i = 0; i < 20; i++)
		if (c[i].id == 7)
			loop_timer_stop(l, &t[i]);
	assert_int_equal(loop_run(l), 0);
	assert_int_equal(o.n, 19);
	for (int i = 1; i < o.n; i++)
		assert_true(o.seen[i - 1] < o.seen[i]);
	for (int i = 0; i < o.n; i++)
		assert_int_not_equal(o.seen[i], 7);
	loop_free(l);
}

static void on_readable(void *ctx, int fd, uint32_t events)
{
	order_t *o = ctx;
	char b;
	assert_true(events & EPOLLIN);
	assert_int_equal(read(fd, &b, 1), 1);
	o->seen[o->n++] = b;
	loop_unwatch(o->loop, fd);
	loop_stop(o->loop);
}

static void test_fd_dispatch(void **state)
{
	(void)state;
	loop_t *l = loop_new();
	int p[2];
	assert_int_equal(pipe(p), 0);
	order_t o = { .loop = l };
	assert_int_equal(loop_watch(l, p[0], EPOLLIN, on_readable, &o), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(loop_run(l), 0);
	assert_int_equal(o.n, 1);
	assert_int_equal(o.seen[0], 'x');
	close(p[0]);
	close(p[1]);
	loop_free(l);
}

typedef struct rows {
	uint64_t ids[16];
	int n;
} rows_t;

static void collect(void *ctx, const history_entry_t *e)
{
	rows_t *r = ctx;
	r->ids[r->n++] = e->id;
}

static void test_history(void **state)
{
	(void)state;
	history_t *h = history_new(2);
	assert_non_null(h);
	/* ids 0 (fail), 1 (ok), 2 (ok), 3 (fail): 0 and 1 are pushed out, only the failure is kept. */
	assert_int_equal(history_add(h, "m", "t0", NULL, false), 0);
	assert_int_equal(history_add(h, "m", "t1", NULL, true), 1);
	assert_int_equal(history_add(h, "m", "t2", NULL, true), 2);
	assert_int_equal(history_add(h, "m", "t3", NULL, false), 3);
	rows_t r = {0};
	history_each(h, collect, &r);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.ids[0], 3);
	assert_int_equal(r.ids[1], 2);
	assert_int_equal(r.ids[2], 0);
	char *d = history_debug_by_id(h, 0);      /* found: an entry without a record renders empty */
	assert_non_null(d);
	assert_string_equal(d, "");
	free(d);
	assert_null(history_debug_by_id(h, 1));
	d = history_debug_by_target(h, "t3", "m");
	assert_non_null(d);
	free(d);
	assert_null(history_debug_by_target(h, "t3", "other"));
	history_free(h);
}

typedef struct mbtest {
	loop_t *loop;
	mailbox_t *mb;
	int got;
	pthread_t poster;
	mailbox_msg_t msgs[100];
} mbtest_t;

static void on_message(void *ctx)
{
	mbtest_t *t = ctx;
	if (++t->got == 100)
		loop_stop(t->loop);
}

static void *post_from_thread(void *ctx)
{
	mbtest_t *t = ctx;
	for (int i = 0; i < 100; i++)
		mailbox_post(t->mb, &t->msgs[i], on_message, t);
	return NULL;
}

static void test_mailbox_runs_on_loop(void **state)
{
	(void)state;
	mbtest_t t = { .loop = loop_new() };
	assert_non_null(t.loop);
	t.mb = mailbox_new(t.loop);
	assert_non_null(t.mb);
	assert_int_equal(pthread_create(&t.poster, NULL, post_from_thread, &t), 0);
	assert_int_equal(loop_run(t.loop), 0);
	pthread_join(t.poster, NULL);
	assert_int_equal(t.got, 100);
	mailbox_free(t.mb);
	loop_free(t.loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timers_fire_in_deadline_order),
		cmocka_unit_test(test_fd_dispatch),
		cmocka_unit_test(test_history),
		cmocka_unit_test(test_mailbox_runs_on_loop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
