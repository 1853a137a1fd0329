/* webauth -- basic-auth verification off the loop threads.
 *
 * A bcrypt or argon2 check costs 50-300 ms of CPU (argon2 also 64 MiB), far too long for a loop thread
 * that serves thousands of waiting probes. So a loop asks, the pool answers: webauth_check looks in the
 * verdict cache (a scrape every 15 s with the same credentials costs one hash, ever), and on a miss
 * queues a job. A verifier thread computes it, stores the verdict in the cache, puts the job on its
 * client's done list and writes the client's eventfd; the loop wakes, takes the list and runs the
 * callbacks. exporter-toolkit serialises bcrypt behind one mutex; we bound it by the pool size.
 *
 * Ownership: a job belongs to the pool's queue until a thread takes it, to that thread while it runs,
 * then to its client's done list, and the loop frees it after delivery. One mutex (the pool's) guards
 * the queue, every client's done list and counters; the cache has its own.
 *
 * The cache key is BLAKE2b keyed with a random per-process secret, so the table in memory is no faster
 * oracle for passwords than the hashes themselves. Unknown users are hashed against a dummy hash
 * (exporter-toolkit does the same) so a wrong name costs what a wrong password does. */
#include "web/webauth.h"

#include <crypt.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "lib/crypto.h"
#include "lib/errors.h"

#define WEBAUTH_KEY_LEN CRYPTO_KEYED_HASH_SIZE
#define WEBAUTH_CACHE_SLOTS 256    /* direct-mapped: a few users times a few passwords fit easily */
#define WEBAUTH_MAX_THREADS 8
#define WEBAUTH_MAX_QUEUED 1024    /* hashes waiting for a thread; beyond it, requests are refused */

typedef enum job_state {
	JOB_QUEUED,
	JOB_RUNNING,
	JOB_DONE,
} job_state_t;

struct webauth_job {
	webauth_client_t *client;
	webauth_job_t *next;
	job_state_t state;               /* under the pool lock */
	bool cancelled;                  /* loop thread only */
	bool known;                      /* the user exists */
	bool verdict;                    /* set by the verifier */
	webconfig_hash_kind_t kind;
	unsigned char key[WEBAUTH_KEY_LEN];
	char *hash;                      /* owned copy: the config may be swapped while we run */
	char *password;                  /* owned copy, wiped on free */
	size_t plen;
	webauth_cb cb;
	void *ctx;
};

typedef struct cache_slot {
	unsigned char key[WEBAUTH_KEY_LEN];
	bool used;
	bool verdict;
} cache_slot_t;

struct webauth_pool {
	pthread_mutex_t lock;
	pthread_cond_t work;             /* queue not empty, or stopping */
	pthread_cond_t idle;             /* a job finished running */
	webauth_job_t *head, *tail;      /* the queue */
	size_t queued;                   /* jobs in the queue */
	bool stopping;
	pthread_t threads[WEBAUTH_MAX_THREADS];
	unsigned nthreads;

	pthread_mutex_t cache_lock;
	cache_slot_t cache[WEBAUTH_CACHE_SLOTS];
	uint8_t secret[CRYPTO_KEYED_HASH_KEY_SIZE];

	atomic_uint_fast64_t hashes, dummy_hashes, cache_hits;
};

struct webauth_client {
	webauth_pool_t *pool;
	loop_t *loop;
	int efd;
	webauth_job_t *done;             /* under the pool lock */
	size_t running;                  /* under the pool lock */
};

static void job_free(webauth_job_t *j)
{
	if (!j)
		return;
	if (j->password) {
		crypto_wipe(j->password, j->plen + 1);
		free(j->password);
	}
	free(j->hash);
	free(j);
}

/* ---- the cache ---- */

static void cache_key(const webauth_pool_t *p, const char *user, size_t ulen, const char *hash,
                      const char *pw, size_t plen, unsigned char out[WEBAUTH_KEY_LEN])
{
	/* Length-prefixed fields, so that ("ab", "c") and ("a", "bc") differ. */
	uint64_t lens[3] = { ulen, strlen(hash), plen };
	const crypto_span_t spans[] = {
		{ lens, sizeof(lens) }, { user, ulen }, { hash, lens[1] }, { pw, plen },
	};
	crypto_keyed_hash(p->secret, spans, sizeof(spans) / sizeof(spans[0]), out);
}

static size_t cache_index(const unsigned char key[WEBAUTH_KEY_LEN])
{
	uint32_t v;
	memcpy(&v, key, sizeof(v));
	return v % WEBAUTH_CACHE_SLOTS;
}

static bool cache_get(webauth_pool_t *p, const unsigned char key[WEBAUTH_KEY_LEN], bool *verdict)
{
	cache_slot_t *s = &p->cache[cache_index(key)];
	pthread_mutex_lock(&p->cache_lock);
	bool hit = s->used && crypto_equal(s->key, key, WEBAUTH_KEY_LEN);
	if (hit)
		*verdict = s->verdict;
	pthread_mutex_unlock(&p->cache_lock);
	return hit;
}

static void cache_put(webauth_pool_t *p, const unsigned char key[WEBAUTH_KEY_LEN], bool verdict)
{
	cache_slot_t *s = &p->cache[cache_index(key)];
	pthread_mutex_lock(&p->cache_lock);
	memcpy(s->key, key, WEBAUTH_KEY_LEN);
	s->verdict = verdict;
	s->used = true;
	pthread_mutex_unlock(&p->cache_lock);
}

/* ---- the verifier threads ---- */

/* Runs the hash. `cd` is the thread's libxcrypt scratch space (about 32 KB). */
static bool verify(webauth_job_t *j, struct crypt_data *cd)
{
	if (j->kind == WEBCONFIG_HASH_ARGON2)
		return crypto_argon2_verify(j->hash, j->password, j->plen);
	/* crypt_rn takes C strings: a password with a NUL byte cannot be what was hashed. */
	if (memchr(j->password, '\0', j->plen))
		return false;
	memset(cd, 0, sizeof(*cd));
	const char *out = crypt_rn(j->password, j->hash, cd, sizeof(*cd));
	size_t hl = strlen(j->hash);
	bool ok = out && out[0] != '*' && strlen(out) == hl && crypto_equal(out, j->hash, hl);
	crypto_wipe(cd, sizeof(*cd));
	return ok;
}

static void *verifier_main(void *arg)
{
	webauth_pool_t *p = arg;
	struct crypt_data *cd = malloc(sizeof(*cd));
	for (;;) {
		pthread_mutex_lock(&p->lock);
		while (!p->stopping && !p->head)
			pthread_cond_wait(&p->work, &p->lock);
		if (!p->head) {
			pthread_mutex_unlock(&p->lock);
			break;
		}
		webauth_job_t *j = p->head;
		p->head = j->next;
		if (!p->head)
			p->tail = NULL;
		p->queued--;
		j->next = NULL;
		j->state = JOB_RUNNING;
		j->client->running++;
		pthread_mutex_unlock(&p->lock);

		/* Without scratch space the check fails closed (denied), and is not cached. */
		bool ok = cd ? verify(j, cd) : false;
		j->verdict = ok && j->known;
		atomic_fetch_add(&p->hashes, 1);
		if (!j->known)
			atomic_fetch_add(&p->dummy_hashes, 1);
		/* Only successes are cached: wrong guesses must not evict a scraper's verdict. */
		if (cd && j->verdict)
			cache_put(p, j->key, j->verdict);

		pthread_mutex_lock(&p->lock);
		webauth_client_t *c = j->client;
		j->state = JOB_DONE;
		j->next = c->done;
		c->done = j;
		c->running--;
		/* Under the lock: once running drops to 0 and we unlock, the client may be freed. */
		uint64_t one = 1;
		if (write(c->efd, &one, sizeof(one)) < 0 && errno != EAGAIN) {
			/* An eventfd write fails only on overflow (EAGAIN): the loop is woken anyway. */
		}
		pthread_cond_broadcast(&p->idle);
		pthread_mutex_unlock(&p->lock);
	}
	free(cd);
	return NULL;
}

webauth_pool_t *webauth_pool_new(unsigned threads)
{
	if (crypto_init() != 0)
		return NULL;
	if (threads < 1)
		threads = 1;
	if (threads > WEBAUTH_MAX_THREADS)
		threads = WEBAUTH_MAX_THREADS;
	webauth_pool_t *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	pthread_mutex_init(&p->lock, NULL);
	pthread_mutex_init(&p->cache_lock, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->idle, NULL);
	crypto_random(p->secret, sizeof(p->secret));
	for (unsigned i = 0; i < threads; i++) {
		if (pthread_create(&p->threads[i], NULL, verifier_main, p) != 0) {
			webauth_pool_free(p);
			return NULL;
		}
		p->nthreads++;
	}
	return p;
}

void webauth_pool_free(webauth_pool_t *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (unsigned i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	pthread_mutex_destroy(&p->lock);
	pthread_mutex_destroy(&p->cache_lock);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->idle);
	crypto_wipe(p->secret, sizeof(p->secret));
	crypto_wipe(p->cache, sizeof(p->cache));
	free(p);
}

void webauth_pool_stats(webauth_pool_t *p, webauth_stats_t *out)
{
	out->hashes = atomic_load(&p->hashes);
	out->dummy_hashes = atomic_load(&p->dummy_hashes);
	out->cache_hits = atomic_load(&p->cache_hits);
}

/* ---- clients (one per loop) ---- */

static void on_done(void *ctx, int fd, uint32_t events)
{
	(void)events;
	webauth_client_t *c = ctx;
	uint64_t v;
	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return;
	pthread_mutex_lock(&c->pool->lock);
	webauth_job_t *list = c->done;
	c->done = NULL;
	pthread_mutex_unlock(&c->pool->lock);
	while (list) {
		webauth_job_t *j = list;
		list = j->next;
		if (!j->cancelled)
			j->cb(j->ctx, j->verdict);
		job_free(j);
	}
}

webauth_client_t *webauth_client_new(webauth_pool_t *p, loop_t *loop)
{
	webauth_client_t *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->pool = p;
	c->loop = loop;
	c->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (c->efd < 0 || loop_watch(loop, c->efd, EPOLLIN, on_done, c) != 0) {
		if (c->efd >= 0)
			close(c->efd);
		free(c);
		return NULL;
	}
	return c;
}

void webauth_client_free(webauth_client_t *c)
{
	if (!c)
		return;
	webauth_pool_t *p = c->pool;
	webauth_job_t *drop = NULL;
	pthread_mutex_lock(&p->lock);
	/* Take our queued jobs out of the queue. */
	webauth_job_t **pp = &p->head;
	p->tail = NULL;
	while (*pp) {
		webauth_job_t *j = *pp;
		if (j->client == c) {
			*pp = j->next;
			j->next = drop;
			drop = j;
			p->queued--;
		} else {
			p->tail = j;
			pp = &j->next;
		}
	}
	while (c->running > 0)
		pthread_cond_wait(&p->idle, &p->lock);
	webauth_job_t *done = c->done;
	c->done = NULL;
	pthread_mutex_unlock(&p->lock);
	while (drop) {
		webauth_job_t *j = drop;
		drop = j->next;
		job_free(j);
	}
	while (done) {
		webauth_job_t *j = done;
		done = j->next;
		job_free(j);
	}
	loop_unwatch(c->loop, c->efd);
	close(c->efd);
	free(c);
}

int webauth_check(webauth_client_t *c, const webconfig_t *wc, const char *user, size_t ulen,
                  const char *password, size_t plen, webauth_cb cb, void *ctx, webauth_job_t **handle)
{
	webauth_pool_t *p = c->pool;
	*handle = NULL;
	const webconfig_user_t *u = webconfig_user_get(wc, user, ulen);
	const char *hash = u ? u->hash : wc->dummy_hash;
	unsigned char key[WEBAUTH_KEY_LEN];
	cache_key(p, user, ulen, hash, password, plen, key);
	bool verdict;
	if (cache_get(p, key, &verdict)) {
		atomic_fetch_add(&p->cache_hits, 1);
		return verdict && u ? WEBAUTH_ALLOWED : WEBAUTH_DENIED;
	}
	webauth_job_t *j = calloc(1, sizeof(*j));
	if (!j)
		return NSP_ENOMEM;
	j->client = c;
	j->known = u != NULL;
	j->kind = u ? u->kind
	            : (strncmp(hash, "$argon2", 7) == 0 ? WEBCONFIG_HASH_ARGON2 : WEBCONFIG_HASH_BCRYPT);
	memcpy(j->key, key, sizeof(key));
	j->hash = strdup(hash);
	j->password = malloc(plen + 1);      /* NUL-terminated for crypt_rn */
	if (!j->hash || !j->password) {
		job_free(j);
		return NSP_ENOMEM;
	}
	memcpy(j->password, password, plen);
	j->password[plen] = '\0';
	j->plen = plen;
	j->cb = cb;
	j->ctx = ctx;
	pthread_mutex_lock(&p->lock);
	if (p->queued >= WEBAUTH_MAX_QUEUED) {
		/* A flood of guesses: refuse rather than queue hashes without end (each costs ~0.1 s). */
		pthread_mutex_unlock(&p->lock);
		job_free(j);
		return WEBAUTH_DENIED;
	}
	p->queued++;
	j->state = JOB_QUEUED;
	if (p->tail)
		p->tail->next = j;
	else
		p->head = j;
	p->tail = j;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->lock);
	*handle = j;
	return WEBAUTH_PENDING;
}

void webauth_cancel(webauth_job_t *j)
{
	if (!j)
		return;
	webauth_pool_t *p = j->client->pool;
	pthread_mutex_lock(&p->lock);
	if (j->state == JOB_QUEUED) {
		/* Nobody has it yet: take it out and free it now. */
		webauth_job_t **pp = &p->head;
		p->tail = NULL;
		while (*pp) {
			if (*pp == j) {
				*pp = j->next;
				p->queued--;
				continue;
			}
			p->tail = *pp;
			pp = &(*pp)->next;
		}
		pthread_mutex_unlock(&p->lock);
		job_free(j);
		return;
	}
	pthread_mutex_unlock(&p->lock);
	/* Running or done: delivery on this thread will see the flag and only free it. */
	j->cancelled = true;
}
