/* exporter -- what every worker shares: the current config snapshot (swapped on reload), the probe
 * history and the exporter's own counters; and the /metrics page built from them. */
#pragma once

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/buf.h"
#include "config/config.h"
#include "web/history.h"

typedef struct exporter {
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
} exporter_t;

/* Loads the config file; on failure returns NSP_ECONFIG/NSP_ENOMEM with the message in err. */
int exporter_init(exporter_t *ex, const char *config_path, double timeout_offset, size_t history_limit,
                  char *err, size_t errlen);
void exporter_deinit(exporter_t *ex);

/* A new reference to the current snapshot (release with config_unref). */
config_t *exporter_config(exporter_t *ex);

/* Parses the config file again; swaps it in only when it loads. Updates the reload metrics. Returns 0
 * or an error with the message in err (the old config keeps serving). */
int exporter_reload(exporter_t *ex, char *err, size_t errlen);

/* Appends the /metrics exposition: blackbox_exporter_*, blackbox_module_unknown_total, process_*. */
void exporter_write_metrics(exporter_t *ex, buf_t *out);
