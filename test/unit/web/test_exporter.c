/* test_exporter -- nsprobe's own counters on /metrics: probes by module and result, in flight, the
 * duration histogram, DNSSEC budgets, only for the loaded config's modules; kept across a reload
 * that keeps the module, dropped with it; exact under threads (four workers counting at once). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/buf.h"
#include "web/exporter.h"

static const char two_modules[] =
	"modules:\n"
	"  soa:\n"
	"    prober: dns\n"
	"    dns: {query_name: example.com, query_type: SOA}\n"
	"  secure:\n"
	"    prober: dns\n"
	"    dns:\n"
	"      query_name: example.com\n"
	"      query_type: SOA\n"
	"      dnssec: {validate: true}\n";

/* soa kept, secure dropped, fresh added */
static const char reloaded[] =
	"modules:\n"
	"  fresh:\n"
	"    prober: dns\n"
	"    dns: {query_name: example.org}\n"
	"  soa:\n"
	"    prober: dns\n"
	"    dns: {query_name: example.com, query_type: SOA}\n";

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

typedef struct fixture {
	char path[64];
	exporter_t *ex;
} fixture_t;

static int setup(void **state)
{
	static fixture_t f;
	snprintf(f.path, sizeof(f.path), "/tmp/nsprobe-test-exporter-XXXXXX");
	int fd = mkstemp(f.path);
	if (fd < 0)
		return -1;
	close(fd);
	write_file(f.path, two_modules);
	char err[512];
	if (exporter_new(&f.ex, f.path, 0.5, 10, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	fixture_t *f = *state;
	exporter_free(f->ex);
	unlink(f->path);
	return 0;
}

/* The /metrics text (caller frees). */
static char *scrape(exporter_t *ex)
{
	buf_t b = BUF_INIT;
	exporter_write_metrics(ex, &b);
	assert_true(buf_ok(&b));
	return buf_steal(&b);
}

/* The probe of module `name` in the current config: begin, then end. */
static void probe(exporter_t *ex, const char *name, bool ok, double seconds, bool budget)
{
	config_t *cfg = exporter_config(ex);
	const config_module_t *m = config_module_get(cfg, name);
	assert_non_null(m);
	exporter_module_stats_t *s = exporter_probe_begin(ex, cfg, m);
	assert_non_null(s);
	exporter_probe_end(ex, s, ok, seconds, budget);
	config_unref(cfg);
}

#define HAS(text, line) assert_non_null(strstr(text, line "\n"))
#define HASNT(text, part) assert_null(strstr(text, part))

static void test_counts(void **state)
{
	fixture_t *f = *state;
	char *t = scrape(f->ex);
	/* Every module of the config is there from the start, at 0; the budget only where it validates. */
	HAS(t, "nsprobe_probes_total{module=\"soa\",result=\"failure\"} 0");
	HAS(t, "nsprobe_probes_total{module=\"secure\",result=\"success\"} 0");
	HAS(t, "nsprobe_dnssec_budget_exhausted_total{module=\"secure\"} 0");
	HASNT(t, "nsprobe_dnssec_budget_exhausted_total{module=\"soa\"}");
	HAS(t, "# TYPE nsprobe_probe_duration_seconds histogram");
	HAS(t, "nsprobe_probes_in_flight 0");
	HAS(t, "nsprobe_http_connection_limit_reached_total 0");
	HAS(t, "nsprobe_http_accept_errors_total{reason=\"EMFILE\"} 0");
	HAS(t, "nsprobe_http_connections_rejected_total{reason=\"ENOSPC\"} 0");
	free(t);

	probe(f->ex, "soa", true, 0.003, false);
	probe(f->ex, "soa", true, 0.005, false);     /* on the bound: in its bucket (le is <=) */
	probe(f->ex, "soa", false, 0.7, false);
	probe(f->ex, "soa", false, 30, false);       /* above the last bound: +Inf only */
	probe(f->ex, "secure", false, 0.2, true);
	config_t *cfg = exporter_config(f->ex);
	exporter_module_stats_t *running = exporter_probe_begin(f->ex, cfg, config_module_get(cfg, "secure"));
	t = scrape(f->ex);
	HAS(t, "nsprobe_probes_total{module=\"soa\",result=\"failure\"} 2");
	HAS(t, "nsprobe_probes_total{module=\"soa\",result=\"success\"} 2");
	HAS(t, "nsprobe_probes_total{module=\"secure\",result=\"failure\"} 1");
	HAS(t, "nsprobe_dnssec_budget_exhausted_total{module=\"secure\"} 1");
	HAS(t, "nsprobe_probes_in_flight 1");
	HAS(t, "nsprobe_probe_duration_seconds_bucket{module=\"soa\",le=\"0.005\"} 2");
	HAS(t, "nsprobe_probe_duration_seconds_bucket{module=\"soa\",le=\"0.5\"} 2");
	HAS(t, "nsprobe_probe_duration_seconds_bucket{module=\"soa\",le=\"1\"} 3");
	HAS(t, "nsprobe_probe_duration_seconds_bucket{module=\"soa\",le=\"10\"} 3");
	HAS(t, "nsprobe_probe_duration_seconds_bucket{module=\"soa\",le=\"+Inf\"} 4");
	HAS(t, "nsprobe_probe_duration_seconds_sum{module=\"soa\"} 30.708");
	HAS(t, "nsprobe_probe_duration_seconds_count{module=\"soa\"} 4");
	HAS(t, "nsprobe_probe_duration_seconds_bucket{module=\"secure\",le=\"0.1\"} 0");
	HAS(t, "nsprobe_probe_duration_seconds_bucket{module=\"secure\",le=\"0.25\"} 1");
	free(t);
	exporter_probe_end(f->ex, running, true, 0.001, false);
	config_unref(cfg);
	t = scrape(f->ex);
	HAS(t, "nsprobe_probes_in_flight 0");
	HAS(t, "nsprobe_probes_total{module=\"secure\",result=\"success\"} 1");
	free(t);
	/* Nothing to count: a no-op. */
	exporter_probe_end(f->ex, NULL, true, 1, true);
}

/* A reload keeps the counters of the modules it keeps, drops the others from the page, and a probe
 * still running on a dropped module ends without harm. */
static void test_reload(void **state)
{
	fixture_t *f = *state;
	probe(f->ex, "soa", true, 0.01, false);
	probe(f->ex, "secure", true, 0.01, false);
	config_t *old = exporter_config(f->ex);
	exporter_module_stats_t *dropped = exporter_probe_begin(f->ex, old, config_module_get(old, "secure"));
	assert_non_null(dropped);

	write_file(f->path, reloaded);
	char err[512];
	assert_int_equal(exporter_reload(f->ex, err, sizeof(err)), 0);
	char *t = scrape(f->ex);
	HAS(t, "nsprobe_probes_total{module=\"soa\",result=\"success\"} 1");
	HAS(t, "nsprobe_probes_total{module=\"fresh\",result=\"success\"} 0");
	HASNT(t, "module=\"secure\"");
	HAS(t, "nsprobe_probes_in_flight 1");
	free(t);
	exporter_probe_end(f->ex, dropped, false, 0.1, true);

	/* A request that took its snapshot before the reload: soa is counted by name; secure, gone, is
	 * not counted at all. */
	exporter_module_stats_t *s = exporter_probe_begin(f->ex, old, config_module_get(old, "soa"));
	assert_non_null(s);
	exporter_probe_end(f->ex, s, true, 0.01, false);
	assert_null(exporter_probe_begin(f->ex, old, config_module_get(old, "secure")));
	config_unref(old);
	probe(f->ex, "fresh", false, 0.01, false);
	t = scrape(f->ex);
	HAS(t, "nsprobe_probes_total{module=\"soa\",result=\"success\"} 2");
	HAS(t, "nsprobe_probes_total{module=\"fresh\",result=\"failure\"} 1");
	HAS(t, "nsprobe_probes_in_flight 0");
	HASNT(t, "module=\"secure\"");
	free(t);

	/* A reload that fails keeps everything. */
	write_file(f->path, "modules: [\n");
	assert_int_not_equal(exporter_reload(f->ex, err, sizeof(err)), 0);
	t = scrape(f->ex);
	HAS(t, "nsprobe_probes_total{module=\"soa\",result=\"success\"} 2");
	free(t);
	write_file(f->path, two_modules);
}

/* ---- four workers at once ---- */

#define THREADS 4
#define PER_THREAD 20000

static void *worker(void *arg)
{
	exporter_t *ex = arg;
	for (int i = 0; i < PER_THREAD; i++) {
		config_t *cfg = exporter_config(ex);
		exporter_module_stats_t *s = exporter_probe_begin(ex, cfg, config_module_get(cfg, "soa"));
		exporter_probe_end(ex, s, i % 2 == 0, 1.0, false);      /* 1 s: _sum is _count exactly */
		config_unref(cfg);
	}
	return NULL;
}

static void *reloader(void *arg)
{
	fixture_t *f = arg;
	char err[512];
	for (int i = 0; i < 50; i++)
		if (exporter_reload(f->ex, err, sizeof(err)) != 0)
			return f;           /* non-NULL: failed */
	return NULL;
}

/* Scrapes while the workers run: in each, the histogram's _sum (1 s per probe) equals its _count and
 * its +Inf bucket, as client_golang's histograms agree within a scrape. */
static atomic_bool workers_done;

static void *scraper(void *arg)
{
	fixture_t *f = arg;
	int scrapes = 0;
	while (!atomic_load(&workers_done) || scrapes == 0) {
		char *t = scrape(f->ex);
		const char *c = strstr(t, "nsprobe_probe_duration_seconds_count{module=\"soa\"} ");
		const char *sum = strstr(t, "nsprobe_probe_duration_seconds_sum{module=\"soa\"} ");
		const char *inf = strstr(t, "nsprobe_probe_duration_seconds_bucket{module=\"soa\",le=\"+Inf\"} ");
		bool ok = c && sum && inf;
		if (ok) {
			double nc = strtod(strchr(c, '}') + 2, NULL), ns = strtod(strchr(sum, '}') + 2, NULL);
			double ni = strtod(strchr(inf, '}') + 2, NULL);
			ok = nc == ns && nc == ni;
		}
		free(t);
		if (!ok)
			return f;           /* non-NULL: a scrape that disagrees */
		scrapes++;
	}
	return NULL;
}

static void test_threads(void **state)
{
	fixture_t *f = *state;
	pthread_t th[THREADS + 1], sc;
	atomic_store(&workers_done, false);
	assert_int_equal(pthread_create(&sc, NULL, scraper, f), 0);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, worker, f->ex), 0);
	/* Reloads meanwhile (the same module set): no count may be lost across the swaps. */
	assert_int_equal(pthread_create(&th[THREADS], NULL, reloader, f), 0);
	for (int i = 0; i <= THREADS; i++) {
		void *ret;
		assert_int_equal(pthread_join(th[i], &ret), 0);
		assert_null(ret);
	}
	atomic_store(&workers_done, true);
	void *disagreed;
	assert_int_equal(pthread_join(sc, &disagreed), 0);
	assert_null(disagreed);
	char *t = scrape(f->ex);
	char want[128];
	snprintf(want, sizeof(want), "nsprobe_probes_total{module=\"soa\",result=\"success\"} %d\n",
	         THREADS * PER_THREAD / 2);
	assert_non_null(strstr(t, want));
	snprintf(want, sizeof(want), "nsprobe_probe_duration_seconds_count{module=\"soa\"} %d\n",
	         THREADS * PER_THREAD);
	assert_non_null(strstr(t, want));
	HAS(t, "nsprobe_probes_in_flight 0");
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
