/* exporter -- what every worker shares: the current config snapshot (swapped on reload), the probe
 * history and the exporter's own counters; and the /metrics page built from them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "config/config.h"
#include "net/listener.h"
#include "web/history.h"

typedef struct exporter exporter_t;

/* Loads the config file and returns a new exporter in *out. On failure returns NSP_ECONFIG/NSP_ENOMEM
 * with the message in err, and *out is NULL. */
int exporter_new(exporter_t **out, const char *config_path, double timeout_offset, size_t history_limit,
                 char *err, size_t errlen);
/* Frees the exporter and its config reference; accepts NULL. */
void exporter_free(exporter_t *ex);

/* A new reference to the current snapshot (release with config_unref). */
config_t *exporter_config(exporter_t *ex);

/* Parses the config file again; swaps it in only when it loads. Updates the reload metrics. Returns 0
 * or an error with the message in err (the old config keeps serving). */
int exporter_reload(exporter_t *ex, char *err, size_t errlen);

/* --config.enable-auto-reload (blackbox 0.28): reloads as exporter_reload when the file's SHA-256
 * differs from that of the config last loaded (by any reload: SIGHUP and POST /-/reload too).
 * The same file: nothing is parsed, no metric changes, *changed is false and 0 is returned. A file
 * that cannot be read counts as changed (the reload then reports why). */
int exporter_reload_if_changed(exporter_t *ex, bool *changed, char *err, size_t errlen);

/* Appends the /metrics exposition: blackbox_exporter_*, blackbox_module_unknown_total, nsprobe_*
 * (the exporter's own health), process_*. */
void exporter_write_metrics(exporter_t *ex, buf_t *out);

/* A module's probe counters (nsprobe_probes_total, _probe_duration_seconds, ...). They belong to
 * the module's name: a reload that keeps the module keeps them; one that drops it drops them from
 * /metrics. */
typedef struct exporter_module_stats exporter_module_stats_t;

/* Counts a probe of module `mod` (of cfg, a snapshot from exporter_config) as in flight. Returns
 * the module's counters for exporter_probe_end (a reference the caller must give back there or to
 * exporter_probe_cancel), or NULL when a reload has dropped the module meanwhile: then nothing was
 * counted and exporter_probe_end(ex, NULL, ...) is a no-op. */
exporter_module_stats_t *exporter_probe_begin(exporter_t *ex, const config_t *cfg,
                                              const config_module_t *mod);
/* Gives back s for a probe that never ran (it could not be started): no longer in flight, and not
 * counted as finished. Accepts NULL. */
void exporter_probe_cancel(exporter_t *ex, exporter_module_stats_t *s);
/* Counts the probe begun with s as finished after `seconds`, successful or not, and whether it
 * ran out of DNSSEC work budget; gives back the reference. Any thread. */
void exporter_probe_end(exporter_t *ex, exporter_module_stats_t *s, bool success, double seconds,
                        bool dnssec_budget_exhausted);
/* The listeners' counts (owned by the exporter, for listener_set_stats). */
listener_stats_t *exporter_listener_stats(exporter_t *ex);

/* The probe history (owned by the exporter; thread-safe, see history.h). */
history_t *exporter_history(exporter_t *ex);
/* --timeout-offset, in seconds. */
double exporter_timeout_offset(const exporter_t *ex);
/* Counts one probe request for a module the config does not have (blackbox_module_unknown_total). */
void exporter_count_unknown_module(exporter_t *ex);

/* The last reload's outcome, for the landing page: *ok whether it loaded; *loaded_ns when the running
 * config was loaded (wall clock, ns since the epoch); *failed_ns when a reload last failed (0: never)
 * and, while *ok is false, why its error text (cut to whylen; "" otherwise). */
void exporter_reload_status(exporter_t *ex, bool *ok, int64_t *loaded_ns, int64_t *failed_ns, char *why,
                            size_t whylen);
