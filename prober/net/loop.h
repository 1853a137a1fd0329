/* loop -- one epoll event loop per worker thread: fd watches, timers (a min-heap), prepare hooks. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct loop loop_t;

/* Called with the epoll events (EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP) that fired for the fd. */
typedef void (*loop_io_cb)(void *ctx, int fd, uint32_t events);
typedef void (*loop_timer_cb)(void *ctx);
/* Called before each wait; returns the longest the loop may sleep in ms (-1: no limit). */
typedef int64_t (*loop_prepare_cb)(void *ctx);

/* A timer lives in its owner's storage (loop_timer_init), so arming one never allocates. */
typedef struct loop_timer {
	int64_t when_ns;      /* monotonic deadline */
	size_t heap_index;    /* private: position in the heap, SIZE_MAX when not armed */
	loop_timer_cb cb;
	void *ctx;
} loop_timer_t;

/* Returns a new loop or NULL (out of memory, or epoll_create failed). */
loop_t *loop_new(void);
/* Frees the loop; watches and timers still registered are forgotten (their owners must not use them). */
void loop_free(loop_t *l);

/* Watches fd for `events` (EPOLLIN/EPOLLOUT), replacing an earlier watch of the same fd.
 * Returns 0, NSP_ENOMEM or NSP_ESYSTEM. */
int loop_watch(loop_t *l, int fd, uint32_t events, loop_io_cb cb, void *ctx);
/* Stops watching fd (call before closing it). Unknown fds are ignored. */
void loop_unwatch(loop_t *l, int fd);

void loop_timer_init(loop_timer_t *t, loop_timer_cb cb, void *ctx);
/* Arms (or re-arms) t to fire at monotonic time when_ns. Returns 0 or NSP_ENOMEM. */
int loop_timer_start(loop_t *l, loop_timer_t *t, int64_t when_ns);
/* Disarms t; harmless if it is not armed. */
void loop_timer_stop(loop_t *l, loop_timer_t *t);
static inline bool loop_timer_armed(const loop_timer_t *t) { return t->heap_index != SIZE_MAX; }

/* Adds a hook run before every wait (at most 4 per loop). Returns 0 or NSP_ENOSPC. */
int loop_prepare(loop_t *l, loop_prepare_cb cb, void *ctx);

/* Runs until loop_stop. Returns 0, or NSP_ESYSTEM if epoll_wait fails. */
int loop_run(loop_t *l);
/* Makes loop_run return after the current iteration. Only from the loop's own thread. */
void loop_stop(loop_t *l);

/* CLOCK_MONOTONIC in nanoseconds. */
int64_t loop_now_ns(void);
/* CLOCK_REALTIME in nanoseconds. */
int64_t loop_wall_ns(void);
