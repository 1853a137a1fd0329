/* mailbox -- hands work to another thread's loop: any thread posts a function, the loop that owns
 * the mailbox runs it. The one way threads talk (reload requests, their replies). */
#pragma once

#include "loop.h"

typedef struct mailbox mailbox_t;
typedef void (*mailbox_fn)(void *ctx);

/* A mailbox whose messages run on `loop` (its eventfd is watched there). NULL on failure. */
mailbox_t *mailbox_new(loop_t *loop);
/* Unwatches and frees; messages still queued are dropped without running. Accepts NULL. */
void mailbox_free(mailbox_t *mb);

/* Queues fn(ctx) to run on the mailbox's loop. Safe from any thread. Returns 0 or NSP_ENOMEM. */
int mailbox_post(mailbox_t *mb, mailbox_fn fn, void *ctx);
