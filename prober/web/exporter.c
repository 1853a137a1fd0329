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

struct exporter {
	char *config_path;             /* owned */
	double timeout_offset;         /* --timeout-offset */
	history_t *history;            /* owned */
	pthread_mutex_t lock;          /* guards cfg (the pointer swap and taking a reference) */
	pthread_mutex_t reload_lock;   /* one reload at a time: an older parse must not win the swap */
	config_t *cfg;                 /* one reference */
	atomic_ulong module_unknown_total;
	atomic_bool last_reload_ok;
	_Atomic int64_t last_reload_success_ns;   /* wall clock */
	int64_t start_wall_ns;
	uint8_t sum[CRYPTO_SHA256_SIZE];   /* of the file the current config was loaded from */
	bool have_sum;                     /* guarded by reload_lock, as sum */
	int64_t reload_failed_ns;          /* the last failed reload: when (wall clock) and why; */
	char reload_failed_why[512];       /* guarded by lock (exporter_reload_status) */
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
	pthread_mutex_lock(&ex->lock);
	config_t *old = ex->cfg;
	ex->cfg = fresh;
	pthread_mutex_unlock(&ex->lock);
	config_unref(old);       /* probes still running keep their own reference */
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
