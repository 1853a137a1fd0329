/* probe -- one DNS probe's life, as blackbox_exporter's ProbeDNS: deadline, target, query, answer
 * checks, result. The blackbox quirks live here. */
#pragma once

#include <stdbool.h>

#include "lib/buf.h"
#include "config/config.h"
#include "net/dnsclient.h"
#include "net/loop.h"

typedef struct probe probe_t;

/* What a worker lends its probes. */
typedef struct probe_env {
	loop_t *loop;
	dnsclient_t *dns;
} probe_env_t;

/* Called once when the probe has a result, from the loop (never from inside probe_start). */
typedef void (*probe_done_cb)(void *ctx, probe_t *p);

/* Starts probing `target` as module `module_name` of cfg. The probe takes its own reference on cfg
 * and copies the strings. timeout_s is the handler's computed timeout (<= 0 or not finite: the
 * deadline has already passed). Returns NULL only when out of memory. */
probe_t *probe_start(const probe_env_t *env, config_t *cfg, const char *module_name, const char *target,
                     double timeout_s, probe_done_cb done, void *ctx);

/* Ends a running probe now as failed (e.g. the exporter is stopping), with a log line giving `why`;
 * `done` follows from the loop as usual. Does nothing once the probe has finished. */
void probe_abort(probe_t *p, const char *why);

/* Frees the probe; if it is still running it is abandoned and `done` will not be called. Accepts NULL. */
void probe_free(probe_t *p);

/* What stays of a finished probe for /logs and the landing page: its log and metrics, kept as data
 * and rendered only when someone asks. Independent of the probe and its loop: a record may be read
 * and freed on any thread. */
typedef struct probe_record probe_record_t;

/* After `done`: moves the probe's log and rendered metrics into a new record (the probe can no
 * longer render them; write the response first). NULL when out of memory. */
probe_record_t *probe_take_record(probe_t *p);
/* Appends the record's debug text, the same bytes probe_write_debug gave. */
int probe_record_write_debug(const probe_record_t *r, buf_t *out);
/* Accepts NULL. */
void probe_record_free(probe_record_t *r);

/* Valid after `done`: */
bool probe_succeeded(const probe_t *p);
/* Its probe_duration_seconds: start to result, as the metric says. */
double probe_duration(const probe_t *p);
/* Appends why it failed, the log line plog_reason picks (from msg= on). Returns false, appending
 * nothing, when no line gives a reason. Before probe_take_record. */
bool probe_reason(const probe_t *p, buf_t *out);
/* Its DNSSEC checks stopped because a work limit of the probe's budget ran out (verifications,
 * key tag collisions, NSEC3 iterations or hashes; not the deadline). */
bool probe_dnssec_budget_exhausted(const probe_t *p);
/* Appends the metrics exposition (text format 0.0.4). Returns 0 or NSP_ENOMEM. */
int probe_write_metrics(const probe_t *p, buf_t *out);
/* Appends blackbox's debug text: logs, metrics, module configuration. Returns 0 or NSP_ENOMEM. */
int probe_write_debug(const probe_t *p, buf_t *out);
