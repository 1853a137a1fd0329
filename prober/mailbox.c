/* mailbox -- a mutex-guarded queue plus an eventfd that wakes the owning loop. Messages are rare
 * (reloads), so a lock is fine; the loop drains the whole queue per wake-up. */
#include "mailbox.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "errors.h"

typedef struct msg {
	mailbox_fn fn;
	void *ctx;
	struct msg *next;
} msg_t;

struct mailbox {
	loop_t *loop;
	int efd;
	pthread_mutex_t lock;
	msg_t *head, *tail;
};

static void on_wake(void *ctx, int fd, uint32_t events)
{
	(void)events;
	mailbox_t *mb = ctx;
	uint64_t v;
	if (read(fd, &v, sizeof(v)) < 0) {
		/* EAGAIN: another wake-up already drained it */
	}
	pthread_mutex_lock(&mb->lock);
	msg_t *m = mb->head;
	mb->head = mb->tail = NULL;
	pthread_mutex_unlock(&mb->lock);
	while (m) {
		msg_t *next = m->next;
		m->fn(m->ctx);
		free(m);
		m = next;
	}
}

mailbox_t *mailbox_new(loop_t *loop)
{
	mailbox_t *mb = calloc(1, sizeof(*mb));
	if (!mb)
		return NULL;
	mb->loop = loop;
	mb->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (mb->efd < 0 || loop_watch(loop, mb->efd, EPOLLIN, on_wake, mb) != 0) {
		if (mb->efd >= 0)
			close(mb->efd);
		free(mb);
		return NULL;
	}
	pthread_mutex_init(&mb->lock, NULL);
	return mb;
}

void mailbox_free(mailbox_t *mb)
{
	if (!mb)
		return;
	loop_unwatch(mb->loop, mb->efd);
	close(mb->efd);
	for (msg_t *m = mb->head; m;) {
		msg_t *next = m->next;
		free(m);
		m = next;
	}
	pthread_mutex_destroy(&mb->lock);
	free(mb);
}

int mailbox_post(mailbox_t *mb, mailbox_fn fn, void *ctx)
{
	msg_t *m = malloc(sizeof(*m));
	if (!m)
		return NSP_ENOMEM;
	m->fn = fn;
	m->ctx = ctx;
	m->next = NULL;
	pthread_mutex_lock(&mb->lock);
	if (mb->tail)
		mb->tail->next = m;
	else
		mb->head = m;
	mb->tail = m;
	pthread_mutex_unlock(&mb->lock);
	uint64_t one = 1;
	if (write(mb->efd, &one, sizeof(one)) < 0) {
		/* EAGAIN only when the counter is saturated: the loop is awake anyway */
	}
	return 0;
}
