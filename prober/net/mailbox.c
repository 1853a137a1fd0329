/* mailbox -- a mutex-guarded queue plus an eventfd that wakes the owning loop. Messages are rare
 * (reloads), so a lock is fine; the loop drains the whole queue per wake-up. The eventfd is written
 * under the lock, so a message that has run cannot be followed by a write to a freed mailbox. */
#include "net/mailbox.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "lib/errors.h"

struct mailbox {
	loop_t *loop;
	int efd;
	pthread_mutex_t lock;
	mailbox_msg_t *head, *tail;
};

static void on_wake(void *ctx, int fd, uint32_t events)
{
	(void)events;
	mailbox_t *mb = ctx;
	uint64_t v;
	pthread_mutex_lock(&mb->lock);
	if (read(fd, &v, sizeof(v)) < 0) {
		/* EAGAIN: an earlier wake-up drained it */
	}
	mailbox_msg_t *m = mb->head;
	mb->head = mb->tail = NULL;
	pthread_mutex_unlock(&mb->lock);
	while (m) {
		mailbox_msg_t *next = m->next;   /* m may be freed by its own function */
		m->fn(m->ctx);
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
	pthread_mutex_lock(&mb->lock);      /* a poster still inside mailbox_post finishes first */
	pthread_mutex_unlock(&mb->lock);
	close(mb->efd);
	pthread_mutex_destroy(&mb->lock);
	free(mb);
}

void mailbox_post(mailbox_t *mb, mailbox_msg_t *msg, mailbox_fn fn, void *ctx)
{
	msg->fn = fn;
	msg->ctx = ctx;
	msg->next = NULL;
	pthread_mutex_lock(&mb->lock);
	if (mb->tail)
		mb->tail->next = msg;
	else
		mb->head = msg;
	mb->tail = msg;
	uint64_t one = 1;
	if (write(mb->efd, &one, sizeof(one)) < 0) {
		/* EAGAIN only when the counter is saturated: the loop is awake anyway */
	}
	pthread_mutex_unlock(&mb->lock);
}
