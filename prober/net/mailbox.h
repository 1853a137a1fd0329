/* mailbox -- hands work to another thread's loop: any thread posts a message, the loop that owns
 * the mailbox runs its function. The one way threads talk (reload requests, their replies). */
#pragma once

#include "net/loop.h"

typedef struct mailbox mailbox_t;
typedef void (*mailbox_fn)(void *ctx);

/* A message lives in its sender's storage (so posting cannot fail); it must stay valid until its
 * function has run. */
typedef struct mailbox_msg {
	mailbox_fn fn;
	void *ctx;
	struct mailbox_msg *next;
} mailbox_msg_t;

/* A mailbox whose messages run on `loop` (its eventfd is watched there). NULL on failure. */
mailbox_t *mailbox_new(loop_t *loop);
/* Unwatches and frees; messages still queued are dropped without running. Accepts NULL. */
void mailbox_free(mailbox_t *mb);

/* Queues fn(ctx) to run on the mailbox's loop, using msg as the queue entry. Safe from any thread. */
void mailbox_post(mailbox_t *mb, mailbox_msg_t *msg, mailbox_fn fn, void *ctx);
