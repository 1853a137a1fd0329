/* exporter -- shared state of the workers, the reload swap and the /metrics page. */
#include "web/exporter.h"

#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "lib/crypto.h"
#include "lib/errors.h"
#include "net/loop.h"
#include "lib/metrics.h"

/* nsprobe_probe_duration_seconds' upper bounds: a DNS answer on a LAN takes a millisecond, across
 * the world 100-300 ms, a retry over TCP or a DNSSEC chain a few round trips; 10 s is past any
 * sensible module timeout. */
static const double duration_bounds[] = { .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10 };
#define N_BOUNDS (sizeof(duration_bounds) / sizeof(duration_bounds[0]))

/* One module's counters. The tallies are relaxed atomics, each on its own: a scrape that sees one
 * probe in the histogram but not yet in nsprobe_probes_total is a scrape a moment early. The
 * histogram is one observation, though: its buckets, _count and _sum must agree within a scrape (as
 * client_golang's do), so they change and are read together, under hist_lock. */
struct exporter_module_stats {
	atomic_uint refs;               /* the tables that list it, and the probes in flight */
	atomic_ulong probes[2];         /* [0] failed, [1] succeeded */
	atomic_ulong budget_exhausted;
	pthread_mutex_t hist_lock;      /* guards buckets and sum_ns */
	uint64_t buckets[N_BOUNDS + 1]; /* not cumulative; the last is above 10 s */
	uint64_t sum_ns;
	char name[];
};

/* The counters of one config snapshot's modules, in its module order, so that a probe of the
 * current snapshot finds its module's slot by index. Rebuilt on each reload, sharing the slots of
 * the modules the new config keeps (by name). */
typedef struct stats_table {
	atomic_uint refs;               /* the exporter's, and each /metrics being written */
	const config_t *cfg;            /* the snapshot it mirrors: compared, never dereferenced */
	size_t n;
	struct stats_slot {
		exporter_module_stats_t *s; /* one reference */
		bool validates;             /* dnssec.validate: it has a budget series */
	} slot[];
} stats_table_t;

struct exporter {
	char *config_path;             /* owned */
	double timeout_offset;         /* --timeout-offset */
	history_t *history;            /* owned */
	pthread_mutex_t lock;          /* guards cfg (the pointer swap and taking a reference) */
	pthread_mutex_t reload_lock;   /* one reload at a time: an older parse must not win the swap */
	config_t *cfg;                 /* one reference */
	atomic_ulong module_unknown_total;
	stats_table_t *stats;          /* one reference; swapped with cfg, under both locks */
	atomic_long in_flight;
	listener_stats_t listener_stats;
	atomic_bool last_reload_ok;
	_Atomic int64_t last_reload_success_ns;   /* wall clock */
	int64_t start_wall_ns;
	uint8_t sum[CRYPTO_SHA256_SIZE];   /* of the file the current config was loaded from */
	bool have_sum;                     /* guarded by reload_lock, as sum */
	int64_t reload_failed_ns;          /* the last failed reload: when (wall clock) and why; */
	char reload_failed_why[CONFIG_ERRLEN]; /* guarded by lock (exporter_reload_status) */
};

/* The file's SHA-256 (blackbox 0.28 GenerateChecksum). Returns false when it cannot be read. */
static bool file_sum(const char *path, uint8_t out[CRYPTO_SHA256_SIZE])
{
	FILE *f = fopen(path, "rbe");
	if (!f)
		return false;
	buf_t b = BUF_INIT;
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	bool ok = !ferror(f) && buf_ok(&b);
	fclose(f);
	if (ok)
		crypto_sha256(out, b.p ? (const void *)b.p : "", b.len);
	buf_free(&b);
	return ok;
}

static void module_stats_unref(exporter_module_stats_t *s)
{
	if (s && atomic_fetch_sub(&s->refs, 1) == 1) {
		pthread_mutex_destroy(&s->hist_lock);
		free(s);
	}
}

static void stats_table_unref(stats_table_t *t)
{
	if (!t || atomic_fetch_sub(&t->refs, 1) != 1)
		return;
	for (size_t i = 0; i < t->n; i++)
		module_stats_unref(t->slot[i].s);
	free(t);
}

/* The table for cfg: the slots of `old` (may be NULL) for the modules it names, fresh ones for the
 * others. NULL when out of memory. */
static stats_table_t *stats_table_new(const config_t *cfg, const stats_table_t *old)
{
	if (cfg->n_modules > (SIZE_MAX - sizeof(stats_table_t)) / sizeof(struct stats_slot))
		return NULL;
	stats_table_t *t = calloc(1, sizeof(*t) + cfg->n_modules * sizeof(t->slot[0]));
	if (!t)
		return NULL;
	atomic_init(&t->refs, 1);
	t->cfg = cfg;
	for (size_t i = 0; i < cfg->n_modules; i++) {
		const config_module_t *m = &cfg->modules[i];
		exporter_module_stats_t *s = NULL;
		for (size_t j = 0; old && j < old->n && !s; j++)
			if (strcmp(old->slot[j].s->name, m->name) == 0)
				s = old->slot[j].s;
		if (s) {
			atomic_fetch_add(&s->refs, 1);
		} else {
			size_t len = strlen(m->name);
			s = calloc(1, sizeof(*s) + len + 1);
			if (!s) {
				stats_table_unref(t);       /* frees the slots filled so far */
				return NULL;
			}
			atomic_init(&s->refs, 1);
			pthread_mutex_init(&s->hist_lock, NULL);
			memcpy(s->name, m->name, len + 1);
		}
		t->slot[i] = (struct stats_slot){ .s = s, .validates = m->dns.dnssec_validate };
		t->n = i + 1;
	}
	return t;
}

int exporter_new(exporter_t **out, const char *config_path, double timeout_offset, size_t history_limit,
                 char *err, size_t errlen)
{
	*out = NULL;
	exporter_t *ex = calloc(1, sizeof(*ex));
	if (!ex) {
		snprintf(err, errlen, "out of memory");
		return NSP_ENOMEM;
	}
	ex->timeout_offset = timeout_offset;
	ex->start_wall_ns = loop_wall_ns();
	ex->config_path = strdup(config_path);
	ex->history = history_new(history_limit);
	if (!ex->config_path || !ex->history) {
		snprintf(err, errlen, "out of memory");
		exporter_free(ex);
		return NSP_ENOMEM;
	}
	pthread_mutex_init(&ex->lock, NULL);
	pthread_mutex_init(&ex->reload_lock, NULL);
	/* Taken before the parse: an edit in between makes the next check reload once more. */
	ex->have_sum = file_sum(ex->config_path, ex->sum);
	int r = config_load(ex->config_path, &ex->cfg, err, errlen);
	if (r == 0 && !(ex->stats = stats_table_new(ex->cfg, NULL))) {
		snprintf(err, errlen, "out of memory");
		config_unref(ex->cfg);
		r = NSP_ENOMEM;
	}
	if (r != 0) {
		pthread_mutex_destroy(&ex->lock);
		pthread_mutex_destroy(&ex->reload_lock);
		free(ex->config_path);
		history_free(ex->history);
		free(ex);
		return r;
	}
	atomic_store(&ex->last_reload_ok, true);
	atomic_store(&ex->last_reload_success_ns, loop_wall_ns());
	*out = ex;
	return 0;
}

void exporter_free(exporter_t *ex)
{
	if (!ex)
		return;
	if (ex->cfg) {
		stats_table_unref(ex->stats);
		config_unref(ex->cfg);
		pthread_mutex_destroy(&ex->lock);
		pthread_mutex_destroy(&ex->reload_lock);
	}
	history_free(ex->history);
	free(ex->config_path);
	free(ex);
}

config_t *exporter_config(exporter_t *ex)
{
	pthread_mutex_lock(&ex->lock);
	config_t *c = config_ref(ex->cfg);
	pthread_mutex_unlock(&ex->lock);
	return c;
}

/* The reload itself, under reload_lock; sum is the file's, taken before the parse (or NULL). */
static int reload_locked(exporter_t *ex, const uint8_t *sum, char *err, size_t errlen)
{
	config_t *fresh = NULL;
	int r = config_load(ex->config_path, &fresh, err, errlen);
	if (r != 0) {
		pthread_mutex_lock(&ex->lock);
		ex->reload_failed_ns = loop_wall_ns();
		snprintf(ex->reload_failed_why, sizeof(ex->reload_failed_why), "%s", errlen ? err : "");
		pthread_mutex_unlock(&ex->lock);
		atomic_store(&ex->last_reload_ok, false);
		return r;
	}
	/* ex->stats changes only under reload_lock, which we hold: read without ex->lock. */
	stats_table_t *table = stats_table_new(fresh, ex->stats);
	if (!table) {
		snprintf(err, errlen, "out of memory");
		config_unref(fresh);
		atomic_store(&ex->last_reload_ok, false);
		return NSP_ENOMEM;
	}
	pthread_mutex_lock(&ex->lock);
	config_t *old = ex->cfg;
	stats_table_t *old_table = ex->stats;
	ex->cfg = fresh;
	ex->stats = table;
	pthread_mutex_unlock(&ex->lock);
	config_unref(old);       /* probes still running keep their own reference */
	stats_table_unref(old_table);   /* ... and of their module's counters */
	atomic_store(&ex->last_reload_ok, true);
	atomic_store(&ex->last_reload_success_ns, loop_wall_ns());
	ex->have_sum = sum != NULL;
	if (sum)
		memcpy(ex->sum, sum, sizeof(ex->sum));
	return 0;
}

int exporter_reload(exporter_t *ex, char *err, size_t errlen)
{
	uint8_t sum[CRYPTO_SHA256_SIZE];
	pthread_mutex_lock(&ex->reload_lock);
	bool have = file_sum(ex->config_path, sum);
	int r = reload_locked(ex, have ? sum : NULL, err, errlen);
	pthread_mutex_unlock(&ex->reload_lock);
	return r;
}

int exporter_reload_if_changed(exporter_t *ex, bool *changed, char *err, size_t errlen)
{
	uint8_t sum[CRYPTO_SHA256_SIZE];
	pthread_mutex_lock(&ex->reload_lock);
	bool have = file_sum(ex->config_path, sum);
	*changed = !have || !ex->have_sum || !crypto_equal(sum, ex->sum, sizeof(sum));
	int r = *changed ? reload_locked(ex, have ? sum : NULL, err, errlen) : 0;
	pthread_mutex_unlock(&ex->reload_lock);
	return r;
}

history_t *exporter_history(exporter_t *ex)
{
	return ex->history;
}

double exporter_timeout_offset(const exporter_t *ex)
{
	return ex->timeout_offset;
}

void exporter_count_unknown_module(exporter_t *ex)
{
	atomic_fetch_add(&ex->module_unknown_total, 1);
}

/* ---- nsprobe's own health ---- */

exporter_module_stats_t *exporter_probe_begin(exporter_t *ex, const config_t *cfg,
                                              const config_module_t *mod)
{
	exporter_module_stats_t *s = NULL;
	pthread_mutex_lock(&ex->lock);
	stats_table_t *t = ex->stats;
	if (t->cfg == cfg) {
		s = t->slot[mod - cfg->modules].s;
	} else {
		/* A reload came between exporter_config and now: the module's slot by name, if kept. */
		for (size_t i = 0; i < t->n && !s; i++)
			if (strcmp(t->slot[i].s->name, mod->name) == 0)
				s = t->slot[i].s;
	}
	if (s)
		atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
	pthread_mutex_unlock(&ex->lock);
	if (s)
		atomic_fetch_add_explicit(&ex->in_flight, 1, memory_order_relaxed);
	return s;
}

void exporter_probe_cancel(exporter_t *ex, exporter_module_stats_t *s)
{
	if (!s)
		return;
	atomic_fetch_sub_explicit(&ex->in_flight, 1, memory_order_relaxed);
	module_stats_unref(s);
}

void exporter_probe_end(exporter_t *ex, exporter_module_stats_t *s, bool success, double seconds,
                        bool dnssec_budget_exhausted)
{
	if (!s)
		return;
	atomic_fetch_sub_explicit(&ex->in_flight, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->probes[success ? 1 : 0], 1, memory_order_relaxed);
	if (dnssec_budget_exhausted)
		atomic_fetch_add_explicit(&s->budget_exhausted, 1, memory_order_relaxed);
	if (!(seconds >= 0))
		seconds = 0;            /* NaN too */
	size_t b = 0;
	while (b < N_BOUNDS && seconds > duration_bounds[b])
		b++;
	uint64_t ns = seconds < 1e9 ? (uint64_t)(seconds * 1e9) : UINT64_C(1000000000000000000);
	pthread_mutex_lock(&s->hist_lock);
	s->buckets[b]++;
	s->sum_ns += ns;
	pthread_mutex_unlock(&s->hist_lock);
	module_stats_unref(s);
}

listener_stats_t *exporter_listener_stats(exporter_t *ex)
{
	return &ex->listener_stats;
}

static void module_label(buf_t *l, const char *module)
{
	buf_reset(l);
	buf_puts(l, "module=\"");
	metrics_label_value(l, module);
	buf_putc(l, '"');
}

/* The nsprobe_* families (by name, as client_golang sorts them), after nsprobe_build_info. */
static void health_metrics(exporter_t *ex, buf_t *out)
{
	pthread_mutex_lock(&ex->lock);
	stats_table_t *t = ex->stats;
	atomic_fetch_add(&t->refs, 1);
	pthread_mutex_unlock(&ex->lock);
	buf_t l = BUF_INIT;

	/* A family without a series is left out, as client_golang leaves out an empty vector. */
	bool validates = false;
	for (size_t i = 0; i < t->n; i++)
		validates = validates || t->slot[i].validates;
	if (validates)
		metrics_family(out, "nsprobe_dnssec_budget_exhausted_total",
		               "Probes of a module with dnssec.validate whose DNSSEC checks stopped because the "
		               "probe's work budget ran out (signature verifications, key tag collisions, NSEC3 "
		               "iterations or hashes; not the deadline). Such a probe fails.",
		               "counter");
	for (size_t i = 0; i < t->n; i++) {
		if (!t->slot[i].validates)
			continue;
		module_label(&l, t->slot[i].s->name);
		metrics_sample(out, "nsprobe_dnssec_budget_exhausted_total", buf_str(&l),
		               (double)atomic_load(&t->slot[i].s->budget_exhausted));
	}

	const listener_stats_t *ls = &ex->listener_stats;
	buf_t r = BUF_INIT;
	metrics_family(out, "nsprobe_http_accept_errors_total",
	               "Failed accept(2) calls on the HTTP listening sockets that made a worker stop "
	               "accepting for a while (5 ms, doubling up to 1 s), by errno. Connections lost before "
	               "they were accepted (ECONNABORTED and the like) are skipped and not counted.",
	               "counter");
	for (int i = 0; i < LISTENER_REASON__COUNT; i++) {
		if (i == LISTENER_ENOSPC)
			continue;           /* accept(2) never says ENOSPC */
		buf_reset(&r);
		buf_printf(&r, "reason=\"%s\"", listener_reason_name((listener_reason_t)i));
		metrics_sample(out, "nsprobe_http_accept_errors_total", buf_str(&r),
		               (double)atomic_load(&ls->accept_errors[i]));
	}
	metrics_family(out, "nsprobe_http_connection_limit_reached_total",
	               "Times a worker had as many connections open as its limit allows with another "
	               "client waiting, and stopped accepting until one closed. The waiting clients queue "
	               "in the kernel's accept backlog; they are not refused.",
	               "counter");
	metrics_sample(out, "nsprobe_http_connection_limit_reached_total", NULL,
	               (double)atomic_load(&ls->limit_reached));
	metrics_family(out, "nsprobe_http_connections_rejected_total",
	               "Accepted HTTP connections closed at once because libmicrohttpd could not take them "
	               "(MHD_add_connection failed), by errno: out of memory or descriptors, ENOSPC for "
	               "epoll watches (fs.epoll.max_user_watches), or other. The client sees the connection "
	               "reset.",
	               "counter");
	for (int i = 0; i < LISTENER_REASON__COUNT; i++) {
		buf_reset(&r);
		buf_printf(&r, "reason=\"%s\"", listener_reason_name((listener_reason_t)i));
		metrics_sample(out, "nsprobe_http_connections_rejected_total", buf_str(&r),
		               (double)atomic_load(&ls->rejected[i]));
	}
	buf_free(&r);

	metrics_family(out, "nsprobe_probe_duration_seconds",
	               "How long /probe requests of a module took, from the start of the probe to its "
	               "result (success or failure), in seconds.",
	               "histogram");
	for (size_t i = 0; i < t->n; i++) {
		exporter_module_stats_t *s = t->slot[i].s;
		uint64_t counts[N_BOUNDS + 1], sum_ns;
		pthread_mutex_lock(&s->hist_lock);
		memcpy(counts, s->buckets, sizeof counts);
		sum_ns = s->sum_ns;
		pthread_mutex_unlock(&s->hist_lock);
		module_label(&l, s->name);
		metrics_histogram(out, "nsprobe_probe_duration_seconds", buf_str(&l), duration_bounds, counts,
		                  N_BOUNDS, (double)sum_ns / 1e9);
	}
	metrics_family(out, "nsprobe_probes_in_flight",
	               "Probes started and not yet finished, over all workers and modules.", "gauge");
	metrics_sample(out, "nsprobe_probes_in_flight", NULL, (double)atomic_load(&ex->in_flight));
	metrics_family(out, "nsprobe_probes_total",
	               "Probes finished, by module of the loaded config and result: \"success\" when "
	               "probe_success was 1, else \"failure\". Requests for an unknown module count in "
	               "blackbox_module_unknown_total instead.",
	               "counter");
	static const char *const results[2] = { "failure", "success" };
	for (size_t i = 0; i < t->n; i++) {
		for (int k = 0; k < 2; k++) {
			module_label(&l, t->slot[i].s->name);
			buf_printf(&l, ",result=\"%s\"", results[k]);
			metrics_sample(out, "nsprobe_probes_total", buf_str(&l),
			               (double)atomic_load(&t->slot[i].s->probes[k]));
		}
	}
	if (!buf_ok(&l))
		out->oom = true;
	buf_free(&l);
	stats_table_unref(t);
}

/* ---- process_* as the Prometheus client libraries export them from /proc ---- */

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;     /* the directory's own fd */
}

static void process_metrics(exporter_t *ex, buf_t *out)
{
	long ticks = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	unsigned long utime = 0, stime = 0, vsize = 0;
	long rss = 0;
	FILE *f = fopen("/proc/self/stat", "r");
	if (f) {
		char line[1024];
		if (fgets(line, sizeof(line), f)) {
			char *p = strrchr(line, ')');
			if (p && sscanf(p + 2,
			                "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu %*d %*d %*d %*d %*d %*d "
			                "%*u %lu %ld",
			                &utime, &stime, &vsize, &rss) != 4) {
				utime = stime = vsize = 0;
				rss = 0;
			}
		}
		fclose(f);
	}
	struct rlimit rl;
	double maxfds = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? (double)rl.rlim_cur : 0;

	metrics_family(out, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
	               "counter");
	metrics_sample(out, "process_cpu_seconds_total", NULL, (double)(utime + stime) / (double)ticks);
	metrics_family(out, "process_max_fds", "Maximum number of open file descriptors.", "gauge");
	metrics_sample(out, "process_max_fds", NULL, maxfds);
	metrics_family(out, "process_open_fds", "Number of open file descriptors.", "gauge");
	metrics_sample(out, "process_open_fds", NULL, count_fds());
	metrics_family(out, "process_resident_memory_bytes", "Resident memory size in bytes.", "gauge");
	metrics_sample(out, "process_resident_memory_bytes", NULL, (double)rss * (double)page);
	metrics_family(out, "process_start_time_seconds",
	               "Start time of the process since unix epoch in seconds.", "gauge");
	metrics_sample(out, "process_start_time_seconds", NULL, (double)(ex->start_wall_ns / 1000000000));
	metrics_family(out, "process_virtual_memory_bytes", "Virtual memory size in bytes.", "gauge");
	metrics_sample(out, "process_virtual_memory_bytes", NULL, (double)vsize);
}

void exporter_write_metrics(exporter_t *ex, buf_t *out)
{
	metrics_family(out, "blackbox_exporter_build_info",
	               "A metric with a constant '1' value labeled by version, revision, branch, goversion "
	               "from which blackbox_exporter was built, and the goos and goarch for the build.",
	               "gauge");
	metrics_sample(out, "blackbox_exporter_build_info",
	               "branch=\"\",goarch=\"amd64\",goos=\"linux\",goversion=\"nsprobe\",revision=\"\","
	               "version=\"" NSPROBE_VERSION "\"",
	               1);
	metrics_family(out, "blackbox_exporter_config_last_reload_success_timestamp_seconds",
	               "Timestamp of the last successful configuration reload.", "gauge");
	metrics_sample(out, "blackbox_exporter_config_last_reload_success_timestamp_seconds", NULL,
	               (double)atomic_load(&ex->last_reload_success_ns) / 1e9);
	metrics_family(out, "blackbox_exporter_config_last_reload_successful",
	               "Blackbox exporter config loaded successfully.", "gauge");
	metrics_sample(out, "blackbox_exporter_config_last_reload_successful", NULL,
	               atomic_load(&ex->last_reload_ok) ? 1 : 0);
	metrics_family(out, "blackbox_module_unknown_total", "Count of unknown modules requested by probes",
	               "counter");
	metrics_sample(out, "blackbox_module_unknown_total", NULL,
	               (double)atomic_load(&ex->module_unknown_total));
	metrics_family(out, "nsprobe_build_info",
	               "A metric with a constant '1' value labeled by the nsprobe version.", "gauge");
	metrics_sample(out, "nsprobe_build_info", "version=\"" NSPROBE_VERSION "\"", 1);
	health_metrics(ex, out);
	process_metrics(ex, out);
}

/* ---- the reload's outcome, for the landing page's banner ---- */

void exporter_reload_status(exporter_t *ex, bool *ok, int64_t *loaded_ns, int64_t *failed_ns, char *why,
                            size_t whylen)
{
	*ok = atomic_load(&ex->last_reload_ok);
	*loaded_ns = atomic_load(&ex->last_reload_success_ns);
	pthread_mutex_lock(&ex->lock);
	*failed_ns = ex->reload_failed_ns;
	if (whylen)
		snprintf(why, whylen, "%s", *ok ? "" : ex->reload_failed_why);
	pthread_mutex_unlock(&ex->lock);
}
