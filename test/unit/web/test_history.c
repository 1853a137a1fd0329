/* test_history -- web/history's contract (blackbox's ResultHistory): ids in order, newest first,
 * `limit` recent results, failures pushed out kept in a second ring of the same size, the lookups
 * by id and by target (preserved failures first, then recent oldest first), and records owned and
 * freed (ASan's leak check sees a record dropped or freed twice). The records come from real probes
 * whose deadline has already passed: their debug text names their target and module. Also what the
 * landing page shows of each result (start, duration, reason), kept as the result is added, and the
 * readers that take them from the text a probe wrote. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/config.h"
#include "net/dnsclient.h"
#include "net/loop.h"
#include "probe/probe.h"
#include "web/history.h"

typedef struct fixture {
	loop_t *loop;
	dnsclient_t *dns;
	config_t *cfg;
} fixture_t;

static int setup(void **state)
{
	static fixture_t f;
	char err[512];
	if (dnsclient_global_init() != 0)
		return -1;
	f.loop = loop_new();
	f.dns = f.loop ? dnsclient_new(f.loop, "127.0.0.1:53", err, sizeof err) : NULL;
	if (!f.dns || config_load(TEST_DATA_DIR "/blackbox-0.23/test-modules.yml", &f.cfg, err, sizeof err) != 0)
		return -1;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	fixture_t *f = *state;
	config_unref(f->cfg);
	dnsclient_free(f->dns);
	loop_free(f->loop);
	dnsclient_global_cleanup();
	return 0;
}

static void on_done(void *ctx, probe_t *p)
{
	(void)p;
	loop_stop(ctx);
}

/* A finished probe's record: module `module` of test-modules.yml, `target`, timed out at once. */
static probe_record_t *record(fixture_t *f, const char *module, const char *target)
{
	probe_env_t env = { .loop = f->loop, .dns = f->dns };
	probe_t *p = probe_start(&env, f->cfg, module, target, 0.0, on_done, f->loop);
	assert_non_null(p);
	assert_int_equal(loop_run(f->loop), 0);
	probe_record_t *r = probe_take_record(p);
	assert_non_null(r);
	probe_free(p);
	return r;
}

/* Whether the debug text of `got` came from a probe of target and module (and frees got). */
static bool from(char *got, const char *target, const char *module)
{
	assert_non_null(got);
	char t[128], m[128];
	snprintf(t, sizeof t, "target=%s", target);
	snprintf(m, sizeof m, "module=%s", module);
	bool yes = strstr(got, t) && strstr(got, m);
	free(got);
	return yes;
}

typedef struct rows {
	uint64_t ids[16];
	bool success[16];
	char target[16][32];
	int n;
} rows_t;

static void collect(void *ctx, const history_entry_t *e)
{
	rows_t *r = ctx;
	assert_true(r->n < 16);
	r->ids[r->n] = e->id;
	r->success[r->n] = e->success;
	snprintf(r->target[r->n], sizeof r->target[0], "%s", e->target);
	r->n++;
}

static void test_record_text(void **state)
{
	fixture_t *f = *state;
	probe_record_t *r = record(f, "dns_a", "192.0.2.1:53");
	buf_t b = BUF_INIT;
	assert_int_equal(probe_record_write_debug(r, &b), 0);
	char *s = buf_steal(&b);
	if (!from(s, "192.0.2.1:53", "dns_a"))
		fail_msg("a record's debug text does not name its probe");
	probe_record_free(r);
}

static void test_ids_order_and_limit(void **state)
{
	(void)state;
	history_t *h = history_new(3);
	assert_non_null(h);
	for (uint64_t i = 0; i < 5; i++) {
		char t[16];
		snprintf(t, sizeof t, "t%u", (unsigned)i);
		assert_int_equal(history_add(h, "m", t, NULL, true, NULL), i);
	}
	rows_t r = {0};
	history_each(h, collect, &r);
	assert_int_equal(r.n, 3);                 /* the limit; successes pushed out are gone */
	assert_int_equal(r.ids[0], 4);
	assert_int_equal(r.ids[1], 3);
	assert_int_equal(r.ids[2], 2);
	assert_string_equal(r.target[0], "t4");
	assert_null(history_debug_by_id(h, 1));
	assert_null(history_debug_by_id(h, 99));  /* never given */
	char *d = history_debug_by_id(h, 2);      /* an entry without a record renders empty */
	assert_non_null(d);
	assert_string_equal(d, "");
	free(d);
	history_free(h);
	history_free(NULL);
}

static void test_zero_limit_keeps_one(void **state)
{
	(void)state;
	history_t *h = history_new(0);
	assert_non_null(h);
	history_add(h, "m", "a", NULL, true, NULL);
	history_add(h, "m", "b", NULL, true, NULL);
	rows_t r = {0};
	history_each(h, collect, &r);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.target[0], "b");
	history_free(h);
}

/* Failures pushed out of the recent ring are preserved, newest first after the recent ones; the
 * preserved ring has the same limit and drops its oldest. */
static void test_failures_preserved(void **state)
{
	(void)state;
	history_t *h = history_new(2);
	assert_non_null(h);
	/* 0 fail, 1 ok, 2 fail, 3 fail, 4 ok, 5 ok: 0..3 pushed out; failures 0, 2, 3 preserved, 0 dropped */
	static const bool ok[] = { false, true, false, false, true, true };
	for (uint64_t i = 0; i < 6; i++)
		assert_int_equal(history_add(h, "m", "t", NULL, ok[i], NULL), i);
	rows_t r = {0};
	history_each(h, collect, &r);
	assert_int_equal(r.n, 4);
	static const uint64_t want[] = { 5, 4, 3, 2 };
	for (int i = 0; i < 4; i++)
		assert_int_equal(r.ids[i], want[i]);
	assert_true(r.success[0] && r.success[1]);
	assert_false(r.success[2] || r.success[3]);
	assert_null(history_debug_by_id(h, 0));   /* the oldest failure, dropped */
	assert_null(history_debug_by_id(h, 1));   /* a success pushed out */
	for (uint64_t id = 2; id < 6; id++)
		free(history_debug_by_id(h, id));
	history_free(h);
}

/* By target: the oldest preserved failure first, else the oldest recent result; a module narrows it. */
static void test_debug_by_target(void **state)
{
	fixture_t *f = *state;
	history_t *h = history_new(2);
	assert_non_null(h);
	history_add(h, "dns_a", "x:53", record(f, "dns_a", "x:53"), true, NULL);
	history_add(h, "dns_soa", "x:53", record(f, "dns_soa", "x:53"), true, NULL);
	/* recent oldest first: dns_a's */
	assert_true(from(history_debug_by_target(h, "x:53", NULL), "x:53", "dns_a"));
	assert_true(from(history_debug_by_target(h, "x:53", "dns_soa"), "x:53", "dns_soa"));
	assert_null(history_debug_by_target(h, "x:53", "dns_nx"));
	assert_null(history_debug_by_target(h, "y:53", NULL));
	/* a failure of dns_nx pushed into the preserved ring wins over the recent ones */
	history_add(h, "dns_nx", "x:53", record(f, "dns_nx", "x:53"), false, NULL);    /* pushes out dns_a */
	history_add(h, "dns_a", "y:53", record(f, "dns_a", "y:53"), true, NULL);       /* pushes out dns_soa */
	history_add(h, "dns_a", "y:53", record(f, "dns_a", "y:53"), true, NULL);       /* dns_nx: preserved */
	assert_true(from(history_debug_by_target(h, "x:53", NULL), "x:53", "dns_nx"));
	assert_null(history_debug_by_target(h, "x:53", "dns_soa"));               /* pushed out, ok */
	history_add(h, "dns_soa", "x:53", record(f, "dns_soa", "x:53"), true, NULL);   /* x in both rings */
	assert_true(from(history_debug_by_target(h, "x:53", NULL), "x:53", "dns_nx"));
	assert_true(from(history_debug_by_target(h, "x:53", "dns_soa"), "x:53", "dns_soa"));
	assert_true(from(history_debug_by_target(h, "y:53", "dns_a"), "y:53", "dns_a"));
	/* the record of an entry is freed with it (ASan's leak check), the recent ring turning over */
	history_free(h);
}

/* A NULL record is allowed, and by-id text follows the entry's own record. */
static void test_debug_by_id(void **state)
{
	fixture_t *f = *state;
	history_t *h = history_new(4);
	assert_non_null(h);
	uint64_t a = history_add(h, "dns_a", "a:53", record(f, "dns_a", "a:53"), true, NULL);
	uint64_t b = history_add(h, "dns_soa", "b:53", record(f, "dns_soa", "b:53"), false, NULL);
	uint64_t c = history_add(h, "dns_a", "c:53", NULL, true, NULL);
	assert_true(from(history_debug_by_id(h, a), "a:53", "dns_a"));
	assert_true(from(history_debug_by_id(h, b), "b:53", "dns_soa"));
	char *d = history_debug_by_id(h, c);
	assert_string_equal(d, "");
	free(d);
	/* the copy is the caller's: the history may drop the entry meanwhile */
	d = history_debug_by_id(h, a);
	for (int i = 0; i < 4; i++)
		history_add(h, "m", "z", NULL, true, NULL);
	assert_null(history_debug_by_id(h, a));
	assert_true(from(d, "a:53", "dns_a"));
	history_free(h);
}

typedef struct facts_rows {
	int n;
	history_entry_t e[2];       /* the scalars; the strings are copied below */
	char reason[2][128];
} facts_rows_t;

static void collect_facts(void *ctx, const history_entry_t *e)
{
	facts_rows_t *g = ctx;
	assert_true(g->n < 2);
	g->e[g->n] = *e;
	snprintf(g->reason[g->n], sizeof g->reason[0], "%s", e->reason ? e->reason : "(none)");
	g->n++;
}

/* The facts are copied in with the result, and NULL facts mean unknown. */
static void test_facts_kept(void **state)
{
	(void)state;
	history_t *h = history_new(2);
	assert_non_null(h);
	char why[] = "msg=\"Error while sending a DNS query\" err=\"connection refused\"";
	history_facts_t f = { .start_ns = 1796679201123456789, .duration_s = 0.0123, .reason = why };
	history_add(h, "dns_a", "a:53", NULL, false, &f);
	why[0] = 'X';                               /* the history has its own copy */
	history_add(h, "dns_a", "b:53", NULL, true, NULL);
	facts_rows_t g = {0};
	history_each(h, collect_facts, &g);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.e[0].start_ns, 0);       /* newest first: b, without facts */
	assert_true(g.e[0].duration_s < 0);
	assert_string_equal(g.reason[0], "(none)");
	assert_int_equal(g.e[1].start_ns, 1796679201123456789);
	assert_true(g.e[1].duration_s > 0.0122 && g.e[1].duration_s < 0.0124);
	assert_string_equal(g.reason[1], "msg=\"Error while sending a DNS query\" err=\"connection refused\"");
	history_free(h);
}

/* A long reason is cut on a UTF-8 boundary, with an ellipsis (/logs has it whole). */
static void test_reason_cut(void **state)
{
	(void)state;
	char long_reason[HISTORY_REASON_MAX + 200] = "msg=x";
	size_t n = 5;
	while (n < HISTORY_REASON_MAX + 100) {
		memcpy(long_reason + n, "\xc3\xa9", 2);   /* é, two bytes, so one cut in two would split it */
		n += 2;
	}
	long_reason[n] = '\0';
	history_t *h = history_new(2);
	assert_non_null(h);
	history_facts_t f = { .duration_s = 1, .reason = long_reason };
	history_add(h, "dns_a", "a:53", NULL, false, &f);
	f.reason = "msg=short";
	history_add(h, "dns_a", "b:53", NULL, false, &f);
	facts_rows_t g = {0};
	history_each(h, collect_facts, &g);
	assert_string_equal(g.reason[0], "msg=short");
	/* "msg=x" then é from byte 5 on: byte HISTORY_REASON_MAX (even) is the second of an é, so the
	 * cut backs up one byte and keeps whole é's only */
	const char *got = g.e[1].reason;
	assert_non_null(got);
	size_t len = strlen(got);
	assert_int_equal(len, HISTORY_REASON_MAX - 1 + 3);
	assert_memory_equal(got, "msg=x\xc3\xa9", 7);
	assert_memory_equal(got + len - 3, "\xe2\x80\xa6", 3);
	assert_memory_equal(got + len - 5, "\xc3\xa9", 2);
	history_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_text),
		cmocka_unit_test(test_ids_order_and_limit),
		cmocka_unit_test(test_zero_limit_keeps_one),
		cmocka_unit_test(test_failures_preserved),
		cmocka_unit_test(test_debug_by_target),
		cmocka_unit_test(test_debug_by_id),
		cmocka_unit_test(test_facts_kept),
		cmocka_unit_test(test_reason_cut),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
