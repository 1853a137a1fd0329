/* loop -- one epoll event loop per worker thread: fd watches, timers (a min-heap), prepare hooks.
 *
 * The shape is Redis' ae and c-ares' event thread: compute the next timeout from the earliest timer
 * and the prepare hooks, epoll_wait, dispatch fds, then run expired timers. Watches are kept in a
 * table indexed by fd, so an event whose fd was unwatched earlier in the same batch finds no entry
 * and is dropped instead of reaching a freed owner. */
#include "net/loop.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "lib/errors.h"

#define LOOP_MAX_PREPARE 4
#define LOOP_BATCH 256

typedef struct loop_watch_entry {
	loop_io_cb cb;
	void *ctx;
	uint32_t events;
	bool active;
} loop_watch_entry_t;

struct loop {
	int epfd;
	bool stop;
	loop_watch_entry_t *watches;   /* indexed by fd */
	size_t nwatches;
	loop_timer_t **heap;
	size_t heap_len, heap_cap;
	struct { loop_prepare_cb cb; void *ctx; } prepare[LOOP_MAX_PREPARE];
	size_t nprepare;
};

int64_t loop_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t loop_wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

loop_t *loop_new(void)
{
	loop_t *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		free(l);
		return NULL;
	}
	return l;
}

void loop_free(loop_t *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->heap_len; i++)
		l->heap[i]->heap_index = SIZE_MAX;
	close(l->epfd);
	free(l->watches);
	free(l->heap);
	free(l);
}

int loop_watch(loop_t *l, int fd, uint32_t events, loop_io_cb cb, void *ctx)
{
	if (fd < 0)
		return NSP_EINVAL;
	if ((size_t)fd >= l->nwatches) {
		size_t n = l->nwatches ? l->nwatches : 64;
		while (n <= (size_t)fd)
			n *= 2;
		loop_watch_entry_t *w = realloc(l->watches, n * sizeof(*w));
		if (!w)
			return NSP_ENOMEM;
		memset(w + l->nwatches, 0, (n - l->nwatches) * sizeof(*w));
		l->watches = w;
		l->nwatches = n;
	}
	loop_watch_entry_t *e = &l->watches[fd];
	struct epoll_event ev = { .events = events, .data.fd = fd };
	int op = e->active ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	if (!e->active || e->events != events) {
		if (epoll_ctl(l->epfd, op, fd, &ev) != 0)
			return NSP_ESYSTEM;
	}
	e->cb = cb;
	e->ctx = ctx;
	e->events = events;
	e->active = true;
	return 0;
}

void loop_unwatch(loop_t *l, int fd)
{
	if (fd < 0 || (size_t)fd >= l->nwatches || !l->watches[fd].active)
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	l->watches[fd] = (loop_watch_entry_t){0};
}

void loop_timer_init(loop_timer_t *t, loop_timer_cb cb, void *ctx)
{
	t->when_ns = 0;
	t->heap_index = SIZE_MAX;
	t->cb = cb;
	t->ctx = ctx;
}

static void heap_swap(loop_t *l, size_t a, size_t b)
{
	loop_timer_t *t = l->heap[a];
	l->heap[a] = l->heap[b];
	l->heap[b] = t;
	l->heap[a]->heap_index = a;
	l->heap[b]->heap_index = b;
}

static void heap_up(loop_t *l, size_t i)
{
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (l->heap[parent]->when_ns <= l->heap[i]->when_ns)
			break;
		heap_swap(l, parent, i);
		i = parent;
	}
}

static void heap_down(loop_t *l, size_t i)
{
	for (;;) {
		size_t left = 2 * i + 1, right = left + 1, m = i;
		if (left < l->heap_len && l->heap[left]->when_ns < l->heap[m]->when_ns)
			m = left;
		if (right < l->heap_len && l->heap[right]->when_ns < l->heap[m]->when_ns)
			m = right;
		if (m == i)
			return;
		heap_swap(l, i, m);
		i = m;
	}
}

void loop_timer_stop(loop_t *l, loop_timer_t *t)
{
	size_t i = t->heap_index;
	if (i == SIZE_MAX)
		return;
	size_t last = l->heap_len - 1;
	if (i != last) {
		heap_swap(l, i, last);
		l->heap_len--;
		heap_down(l, i);
		heap_up(l, i);
	} else {
		l->heap_len--;
	}
	t->heap_index = SIZE_MAX;
}

int loop_timer_start(loop_t *l, loop_timer_t *t, int64_t when_ns)
{
	if (t->heap_index != SIZE_MAX) {
		int64_t old = t->when_ns;
		t->when_ns = when_ns;
		if (when_ns < old)
			heap_up(l, t->heap_index);
		else
			heap_down(l, t->heap_index);
		return 0;
	}
	if (l->heap_len == l->heap_cap) {
		size_t cap = l->heap_cap ? l->heap_cap * 2 : 64;
		loop_timer_t **h = realloc(l->heap, cap * sizeof(*h));
		if (!h)
			return NSP_ENOMEM;
		l->heap = h;
		l->heap_cap = cap;
	}
	t->when_ns = when_ns;
	t->heap_index = l->heap_len;
	l->heap[l->heap_len++] = t;
	heap_up(l, t->heap_index);
	return 0;
}

int loop_prepare(loop_t *l, loop_prepare_cb cb, void *ctx)
{
	if (l->nprepare == LOOP_MAX_PREPARE)
		return NSP_ENOSPC;
	l->prepare[l->nprepare].cb = cb;
	l->prepare[l->nprepare].ctx = ctx;
	l->nprepare++;
	return 0;
}

void loop_stop(loop_t *l)
{
	l->stop = true;
}

static void run_timers(loop_t *l)
{
	int64_t now = loop_now_ns();
	/* A callback may arm new timers for "now"; bound the work per round so fds are not starved. */
	for (size_t budget = l->heap_len + 64; budget > 0 && l->heap_len > 0; budget--) {
		loop_timer_t *t = l->heap[0];
		if (t->when_ns > now)
			break;
		loop_timer_stop(l, t);
		t->cb(t->ctx);
	}
}

int loop_run(loop_t *l)
{
	struct epoll_event evs[LOOP_BATCH];
	l->stop = false;
	while (!l->stop) {
		int64_t wait_ms = -1;
		for (size_t i = 0; i < l->nprepare; i++) {
			int64_t ms = l->prepare[i].cb(l->prepare[i].ctx);
			if (ms >= 0 && (wait_ms < 0 || ms < wait_ms))
				wait_ms = ms;
		}
		if (l->stop)
			break;
		if (l->heap_len > 0) {
			int64_t d = l->heap[0]->when_ns - loop_now_ns();
			int64_t ms = d <= 0 ? 0 : (d + 999999) / 1000000;
			if (wait_ms < 0 || ms < wait_ms)
				wait_ms = ms;
		}
		if (wait_ms > INT32_MAX)
			wait_ms = INT32_MAX;
		int n = epoll_wait(l->epfd, evs, LOOP_BATCH, (int)wait_ms);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return NSP_ESYSTEM;
		}
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if ((size_t)fd >= l->nwatches || !l->watches[fd].active)
				continue;
			loop_watch_entry_t e = l->watches[fd];
			e.cb(e.ctx, fd, evs[i].events);
		}
		run_timers(l);
	}
	return 0;
}
