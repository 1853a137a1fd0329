/* webauth -- basic-auth password checks off the loop threads: a small verifier pool shared by the
 * process, a verdict cache, and per-loop clients through which verdicts come back. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/loop.h"
#include "web/webconfig.h"

typedef struct webauth_pool webauth_pool_t;
typedef struct webauth_client webauth_client_t;
typedef struct webauth_job webauth_job_t;

/* Called on the client's loop thread with the verdict (true: the user is known and the password
 * matches). Called once per pending check unless it was cancelled first. */
typedef void (*webauth_cb)(void *ctx, bool ok);

/* Counters for tests and logs (monotonic since the pool started). */
typedef struct webauth_stats {
	uint64_t hashes;        /* password hashes computed on the pool */
	uint64_t dummy_hashes;  /* of which, for unknown users against the dummy hash */
	uint64_t cache_hits;    /* checks answered from the cache */
} webauth_stats_t;

/* Starts `threads` verifier threads (at least 1). Calls sodium_init(). Returns NULL on failure. */
webauth_pool_t *webauth_pool_new(unsigned threads);
/* Stops the threads and frees. Every client must have been freed. Accepts NULL. */
void webauth_pool_free(webauth_pool_t *p);
void webauth_pool_stats(webauth_pool_t *p, webauth_stats_t *out);

/* A loop's door to the pool: an eventfd watched on `loop` delivers verdicts there. Returns NULL on
 * failure. */
webauth_client_t *webauth_client_new(webauth_pool_t *p, loop_t *loop);
/* From the loop's thread. Checks still queued are dropped, running ones are waited for; no callback
 * runs afterwards. Accepts NULL. */
void webauth_client_free(webauth_client_t *c);

enum {
	WEBAUTH_DENIED = 0,
	WEBAUTH_ALLOWED = 1,
	WEBAUTH_PENDING = 2,
};
/* Checks `user`:`password` (any bytes, explicit lengths) against wc's basic_auth_users. Unknown users
 * are checked against wc->dummy_hash, so they cost as much as known ones; they are always denied.
 * Verdicts are cached by a keyed BLAKE2b of (user, hash, password).
 * Returns WEBAUTH_ALLOWED or WEBAUTH_DENIED from the cache at once, or WEBAUTH_PENDING with *handle
 * set: cb(ctx, verdict) then runs later on the client's loop (never from inside this call), and
 * *handle is valid until then. Returns NSP_ENOMEM on failure. From the client's loop thread. */
int webauth_check(webauth_client_t *c, const webconfig_t *wc, const char *user, size_t ulen,
                  const char *password, size_t plen, webauth_cb cb, void *ctx, webauth_job_t **handle);
/* Cancels a pending check: its callback will not run. From the client's loop thread. */
void webauth_cancel(webauth_job_t *handle);
