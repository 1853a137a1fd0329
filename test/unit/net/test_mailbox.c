/* test_mailbox -- net/mailbox's contract: messages posted from any thread run on the loop that owns
 * the mailbox, each exactly once, in each sender's order; a message may free itself; a message may
 * post another; mailbox_free drops what is still queued without running it. A loop timer is the
 * watchdog (a lost wake-up would hang loop_run), not a timing assertion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <pthread.h>

#include "net/loop.h"
#include "net/mailbox.h"

#define POSTERS 4
#define PER_POSTER 500

typedef struct hub {
	loop_t *loop;
	mailbox_t *mb;
	pthread_t loop_thread;
	loop_timer_t watchdog;
	bool timed_out;
	int got, want;
	bool wrong_thread;
	int last[POSTERS];          /* the last sequence number seen per poster */
	bool out_of_order;
} hub_t;

typedef struct note {
	mailbox_msg_t msg;
	hub_t *hub;
	int poster, seq;
} note_t;

static void on_watchdog(void *ctx)
{
	hub_t *h = ctx;
	h->timed_out = true;
	loop_stop(h->loop);
}

static void hub_init(hub_t *h, int want)
{
	memset(h, 0, sizeof(*h));
	h->loop = loop_new();
	assert_non_null(h->loop);
	h->mb = mailbox_new(h->loop);
	assert_non_null(h->mb);
	h->loop_thread = pthread_self();
	h->want = want;
	for (int i = 0; i < POSTERS; i++)
		h->last[i] = -1;
	loop_timer_init(&h->watchdog, on_watchdog, h);
	assert_int_equal(loop_timer_start(h->loop, &h->watchdog, loop_now_ns() + 30 * 1000000000LL), 0);
}

static void hub_run(hub_t *h)
{
	assert_int_equal(loop_run(h->loop), 0);
	loop_timer_stop(h->loop, &h->watchdog);
	if (h->timed_out)
		fail_msg("the loop ran %d of %d messages and then none for 30 s", h->got, h->want);
}

static void hub_deinit(hub_t *h)
{
	mailbox_free(h->mb);
	loop_free(h->loop);
}

/* Runs on the loop: checks the thread and each poster's order, and frees the note (a message may
 * free its own storage). */
static void on_note(void *ctx)
{
	note_t *n = ctx;
	hub_t *h = n->hub;
	if (!pthread_equal(pthread_self(), h->loop_thread))
		h->wrong_thread = true;
	if (n->seq != h->last[n->poster] + 1)
		h->out_of_order = true;
	h->last[n->poster] = n->seq;
	free(n);
	if (++h->got == h->want)
		loop_stop(h->loop);
}

typedef struct poster {
	hub_t *hub;
	int id;
	pthread_t thread;
} poster_t;

static void *post_all(void *ctx)
{
	poster_t *p = ctx;
	for (int i = 0; i < PER_POSTER; i++) {
		note_t *n = calloc(1, sizeof(*n));
		if (!n)
			abort();
		n->hub = p->hub;
		n->poster = p->id;
		n->seq = i;
		mailbox_post(p->hub->mb, &n->msg, on_note, n);
	}
	return NULL;
}

static void test_cross_thread_hand_off(void **state)
{
	(void)state;
	hub_t h;
	hub_init(&h, POSTERS * PER_POSTER);
	poster_t p[POSTERS];
	for (int i = 0; i < POSTERS; i++) {
		p[i] = (poster_t){ .hub = &h, .id = i };
		assert_int_equal(pthread_create(&p[i].thread, NULL, post_all, &p[i]), 0);
	}
	hub_run(&h);
	for (int i = 0; i < POSTERS; i++)
		pthread_join(p[i].thread, NULL);
	assert_int_equal(h.got, POSTERS * PER_POSTER);
	assert_false(h.wrong_thread);
	assert_false(h.out_of_order);
	for (int i = 0; i < POSTERS; i++)
		assert_int_equal(h.last[i], PER_POSTER - 1);
	hub_deinit(&h);
}

/* Nothing runs inside mailbox_post, even on the loop's own thread: only the loop runs messages. */
typedef struct chain {
	hub_t *hub;
	mailbox_msg_t msg;
	int runs;
	bool nested;
	bool inside;
} chain_t;

static void on_chain(void *ctx)
{
	chain_t *c = ctx;
	if (c->inside)
		c->nested = true;
	c->inside = true;
	if (++c->runs < 3)
		mailbox_post(c->hub->mb, &c->msg, on_chain, c);   /* the same storage, posted again */
	else
		loop_stop(c->hub->loop);
	c->inside = false;
}

static void test_post_from_the_loop(void **state)
{
	(void)state;
	hub_t h;
	hub_init(&h, 3);
	chain_t c = { .hub = &h };
	mailbox_post(h.mb, &c.msg, on_chain, &c);
	assert_int_equal(c.runs, 0);               /* not run by post */
	hub_run(&h);
	assert_int_equal(c.runs, 3);
	assert_false(c.nested);
	hub_deinit(&h);
}

static void stop_loop(void *ctx)
{
	loop_stop(ctx);
}

static void count(void *ctx)
{
	(*(int *)ctx)++;
}

static void test_free_drops_queued(void **state)
{
	(void)state;
	loop_t *l = loop_new();
	assert_non_null(l);
	mailbox_t *mb = mailbox_new(l);
	assert_non_null(mb);
	int runs = 0;
	mailbox_msg_t m[3];
	for (int i = 0; i < 3; i++)
		mailbox_post(mb, &m[i], count, &runs);
	mailbox_free(mb);
	mailbox_free(NULL);
	/* the loop no longer watches the eventfd: a run that only a timer ends sees no message */
	loop_timer_t t;
	loop_timer_init(&t, stop_loop, l);
	assert_int_equal(loop_timer_start(l, &t, loop_now_ns()), 0);
	assert_int_equal(loop_run(l), 0);
	assert_int_equal(runs, 0);
	loop_free(l);
}

/* Two mailboxes on one loop keep their messages apart. */
typedef struct pair {
	loop_t *loop;
	int a, b;
} pair_t;

static void on_a(void *ctx)
{
	pair_t *p = ctx;
	if (++p->a + p->b == 3)
		loop_stop(p->loop);
}

static void on_b(void *ctx)
{
	pair_t *p = ctx;
	if (p->a + ++p->b == 3)
		loop_stop(p->loop);
}

static void test_two_mailboxes(void **state)
{
	(void)state;
	hub_t h;
	hub_init(&h, 0);
	mailbox_t *other = mailbox_new(h.loop);
	assert_non_null(other);
	pair_t p = { .loop = h.loop };
	mailbox_msg_t m[3];
	mailbox_post(h.mb, &m[0], on_a, &p);
	mailbox_post(other, &m[1], on_b, &p);
	mailbox_post(other, &m[2], on_b, &p);
	hub_run(&h);
	assert_int_equal(p.a, 1);
	assert_int_equal(p.b, 2);
	mailbox_free(other);
	hub_deinit(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cross_thread_hand_off),
		cmocka_unit_test(test_post_from_the_loop),
		cmocka_unit_test(test_free_drops_queued),
		cmocka_unit_test(test_two_mailboxes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
