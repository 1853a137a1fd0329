/* Unit tests for loop.c (timer heap order, cancel, fd dispatch). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cmocka.h>

#include "net/loop.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timers_fire_in_deadline_order),
		cmocka_unit_test(test_fd_dispatch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
