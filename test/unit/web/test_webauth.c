/* test_webauth -- password checks on the verifier pool, verdicts delivered on a real loop, the cache,
 * the dummy hash for unknown users (seen through the pool's counters, never through timing), and
 * cancellation. */
#include <crypt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "lib/errors.h"
#include "net/loop.h"
#include "web/webauth.h"
#include "web/webconfig.h"

typedef struct fixture {
	loop_t *loop;
	webauth_pool_t *pool;
	webauth_client_t *client;
	webconfig_t *wc;          /* alice: bcrypt "s3cret"; bob: argon2id "hunter2"; carol: bcrypt "a:b" */
	webconfig_t *argon_only;  /* bob only */
} fixture_t;

typedef struct verdict {
	int calls;
	bool ok;
	loop_t *stop;             /* stop this loop when called */
} verdict_t;

static void on_verdict(void *ctx, bool ok)
{
	verdict_t *v = ctx;
	v->calls++;
	v->ok = ok;
	if (v->stop)
		loop_stop(v->stop);
}

static void bcrypt_hash(const char *pw, char *out, size_t outlen)
{
	struct crypt_data cd;
	memset(&cd, 0, sizeof cd);
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	assert_non_null(crypt_gensalt_rn("$2b$", 4, NULL, 0, salt, sizeof salt));
	const char *h = crypt_rn(pw, salt, &cd, sizeof cd);
	assert_non_null(h);
	assert_true(h[0] != '*');
	snprintf(out, outlen, "%s", h);
}

static webconfig_t *load(const char *text)
{
	char err[512];
	webconfig_t *wc = NULL;
	if (webconfig_load_text("web.yml", text, strlen(text), &wc, err, sizeof err) != 0)
		fail_msg("load: %s", err);
	return wc;
}

static int setup(void **state)
{
	fixture_t *f = calloc(1, sizeof(*f));
	if (!f || sodium_init() < 0)
		return -1;
	char alice[CRYPT_OUTPUT_SIZE], carol[CRYPT_OUTPUT_SIZE], bob[crypto_pwhash_STRBYTES];
	bcrypt_hash("s3cret", alice, sizeof alice);
	bcrypt_hash("a:b", carol, sizeof carol);
	if (crypto_pwhash_str(bob, "hunter2", 7, crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN) != 0)
		return -1;
	char text[1024];
	snprintf(text, sizeof text, "basic_auth_users:\n  alice: %s\n  bob: '%s'\n  carol: %s\n", alice, bob, carol);
	f->wc = load(text);
	snprintf(text, sizeof text, "basic_auth_users:\n  bob: '%s'\n", bob);
	f->argon_only = load(text);
	f->loop = loop_new();
	f->pool = webauth_pool_new(1);    /* one thread: jobs finish in the order they were queued */
	if (!f->loop || !f->pool)
		return -1;
	f->client = webauth_client_new(f->pool, f->loop);
	if (!f->client)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture_t *f = *state;
	webauth_client_free(f->client);
	webauth_pool_free(f->pool);
	loop_free(f->loop);
	webconfig_free(f->wc);
	webconfig_free(f->argon_only);
	free(f);
	return 0;
}

/* Runs one check to its verdict: WEBAUTH_ALLOWED/DENIED, from the cache or from the pool. */
static int check(fixture_t *f, const webconfig_t *wc, const char *user, size_t ulen, const char *pw, size_t plen,
                 bool *from_cache)
{
	verdict_t v = { .stop = f->loop };
	webauth_job_t *h = NULL;
	int rc = webauth_check(f->client, wc, user, ulen, pw, plen, on_verdict, &v, &h);
	*from_cache = rc != WEBAUTH_PENDING;
	if (rc != WEBAUTH_PENDING) {
		assert_null(h);
		assert_int_equal(v.calls, 0);
		return rc;
	}
	assert_non_null(h);
	assert_int_equal(v.calls, 0);    /* never from inside webauth_check */
	assert_int_equal(loop_run(f->loop), 0);
	assert_int_equal(v.calls, 1);
	return v.ok ? WEBAUTH_ALLOWED : WEBAUTH_DENIED;
}

/* Where a verdict must come from: the pool (a fresh hash), the cache, or either. */
enum { POOL, CACHE, ANY };

/* One check of user u (ulen bytes) with password p (plen bytes) ends in want, from where; a macro so
 * that a failure names the caller's line. */
#define EXPECT_N(f, wc, u, ulen, p, plen, want, where)                                   \
	do {                                                                                \
		bool cached_;                                                                   \
		assert_int_equal(check(f, wc, u, ulen, p, plen, &cached_), want);               \
		if ((where) != ANY)                                                             \
			assert_int_equal(cached_, (where) == CACHE);                                \
	} while (0)
#define EXPECT(f, wc, u, p, want, where) EXPECT_N(f, wc, u, strlen(u), p, strlen(p), want, where)

/* Since before, the pool hashed hashes times, answered hits times from its cache and hashed the dummy
 * dummies times; -1 leaves a count unchecked. */
static void expect_moved(fixture_t *f, const webauth_stats_t *before, long hashes, long hits, long dummies)
{
	webauth_stats_t after;
	webauth_pool_stats(f->pool, &after);
	if (hashes >= 0)
		assert_int_equal(after.hashes - before->hashes, hashes);
	if (hits >= 0)
		assert_int_equal(after.cache_hits - before->cache_hits, hits);
	if (dummies >= 0)
		assert_int_equal(after.dummy_hashes - before->dummy_hashes, dummies);
}

static void test_bcrypt_and_cache(void **state)
{
	fixture_t *f = *state;
	webauth_stats_t before;
	webauth_pool_stats(f->pool, &before);
	EXPECT(f, f->wc, "alice", "s3cret", WEBAUTH_ALLOWED, POOL);
	EXPECT(f, f->wc, "alice", "s3cret", WEBAUTH_ALLOWED, CACHE);
	EXPECT(f, f->wc, "alice", "wrong", WEBAUTH_DENIED, POOL);
	/* failures are not cached: guesses must not evict a scraper's cached success */
	EXPECT(f, f->wc, "alice", "wrong", WEBAUTH_DENIED, POOL);
	/* the password is everything after the first colon, so it may hold colons */
	EXPECT(f, f->wc, "carol", "a:b", WEBAUTH_ALLOWED, ANY);
	/* another user's password is not this user's */
	EXPECT(f, f->wc, "carol", "s3cret", WEBAUTH_DENIED, ANY);
	expect_moved(f, &before, 5, 1, 0);
}

static void test_argon2(void **state)
{
	fixture_t *f = *state;
	EXPECT(f, f->wc, "bob", "hunter2", WEBAUTH_ALLOWED, ANY);
	EXPECT(f, f->wc, "bob", "hunter3", WEBAUTH_DENIED, ANY);
	EXPECT(f, f->wc, "bob", "", WEBAUTH_DENIED, ANY);
}

static void test_unknown_user_uses_dummy(void **state)
{
	fixture_t *f = *state;
	webauth_stats_t before;
	webauth_pool_stats(f->pool, &before);
	/* "fakepassword" matches the dummy bcrypt hash: still denied, the user does not exist */
	EXPECT(f, f->wc, "mallory", "fakepassword", WEBAUTH_DENIED, POOL);
	EXPECT(f, f->wc, "mallory", "s3cret", WEBAUTH_DENIED, ANY);
	EXPECT(f, f->wc, "", "", WEBAUTH_DENIED, ANY);
	/* a name that differs from a known one only after a NUL byte is unknown too */
	EXPECT_N(f, f->wc, "alice\0x", 7, "s3cret", 6, WEBAUTH_DENIED, ANY);
	/* argon2-only config: the dummy is an argon2 hash */
	EXPECT(f, f->argon_only, "eve", "hunter2", WEBAUTH_DENIED, ANY);
	expect_moved(f, &before, 5, -1, 5);
	/* asked again, the unknown user is hashed again (failures are not cached), still denied */
	EXPECT(f, f->wc, "mallory", "fakepassword", WEBAUTH_DENIED, POOL);
}

static void test_nul_in_password(void **state)
{
	fixture_t *f = *state;
	/* crypt_rn sees C strings: "s3cret\0x" must not pass as "s3cret" */
	EXPECT_N(f, f->wc, "alice", 5, "s3cret\0x", 8, WEBAUTH_DENIED, ANY);
	/* argon2 takes lengths: the NUL is part of the password, which is then wrong */
	EXPECT_N(f, f->wc, "bob", 3, "hunter2\0", 8, WEBAUTH_DENIED, ANY);
}

static void test_cancel(void **state)
{
	fixture_t *f = *state;
	verdict_t cancelled[3] = { { 0 }, { 0 }, { 0 } };
	webauth_job_t *h[3];
	/* three distinct passwords, so none comes from the cache */
	static const char *const pws[3] = { "c1", "c2", "c3" };
	for (int i = 0; i < 3; i++)
		assert_int_equal(webauth_check(f->client, f->wc, "alice", 5, pws[i], 2, on_verdict, &cancelled[i], &h[i]),
		                 WEBAUTH_PENDING);
	for (int i = 0; i < 3; i++)
		webauth_cancel(h[i]);
	/* One thread, FIFO: when this one is delivered, the cancelled ones were delivered or dropped. */
	EXPECT(f, f->wc, "alice", "after-cancel", WEBAUTH_DENIED, ANY);
	for (int i = 0; i < 3; i++)
		assert_int_equal(cancelled[i].calls, 0);
	webauth_cancel(NULL);
}

static void test_client_free_with_pending(void **state)
{
	fixture_t *f = *state;
	webauth_client_t *c = webauth_client_new(f->pool, f->loop);
	assert_non_null(c);
	verdict_t v = { 0 };
	webauth_job_t *h[2];
	assert_int_equal(webauth_check(c, f->wc, "bob", 3, "p1", 2, on_verdict, &v, &h[0]), WEBAUTH_PENDING);
	assert_int_equal(webauth_check(c, f->wc, "alice", 5, "p2", 2, on_verdict, &v, &h[1]), WEBAUTH_PENDING);
	/* queued ones are dropped, a running one is waited for; no callback afterwards (ASan checks the rest) */
	webauth_client_free(c);
	assert_int_equal(v.calls, 0);
	webauth_client_free(NULL);
}

static void test_pool_edges(void **state)
{
	(void)state;
	webauth_pool_free(NULL);
	webauth_pool_t *p = webauth_pool_new(0);   /* at least one thread */
	assert_non_null(p);
	webauth_stats_t st;
	webauth_pool_stats(p, &st);
	assert_int_equal(st.hashes, 0);
	webauth_pool_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bcrypt_and_cache),
		cmocka_unit_test(test_argon2),
		cmocka_unit_test(test_unknown_user_uses_dummy),
		cmocka_unit_test(test_nul_in_password),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_client_free_with_pending),
		cmocka_unit_test(test_pool_edges),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
