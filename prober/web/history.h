/* history -- the recent probe results and their debug text, for the landing page and /logs
 * (blackbox's prober/history.go). Thread-safe: one short mutex. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "probe/probe.h"

typedef struct history history_t;

typedef struct history_entry {
	uint64_t id;
	char *module;
	char *target;
	probe_record_t *record;   /* the probe's log and metrics, rendered on demand */
	bool success;
	int64_t start_ns;         /* when the probe began, wall clock, ns since the epoch; 0: unknown */
	double duration_s;        /* its probe_duration_seconds; < 0: unknown */
	char *reason;             /* a failure's reason line (probe_reason), cut to HISTORY_REASON_MAX bytes;
	                             NULL: none */
} history_entry_t;

/* What the landing page shows of a result beside its outcome, captured when it is added so that
 * rendering reads no logs under the lock. */
#define HISTORY_REASON_MAX 600

typedef struct history_facts {
	int64_t start_ns;         /* wall clock, ns since the epoch; 0: unknown */
	double duration_s;        /* < 0: unknown */
	const char *reason;       /* copied, and cut to HISTORY_REASON_MAX bytes on a UTF-8 boundary with "…"
	                             when longer (/logs has it whole); NULL: none */
} history_facts_t;

/* limit: how many recent results to keep; failures pushed out are kept in a second list of the same
 * size. Returns NULL when out of memory. */
history_t *history_new(size_t limit);
void history_free(history_t *h);

/* Adds a result; takes ownership of `record` (freed even on failure; may be NULL, then /logs shows
 * nothing for it). facts may be NULL (all unknown). Returns its id. */
uint64_t history_add(history_t *h, const char *module, const char *target, probe_record_t *record,
                     bool success, const history_facts_t *facts);

/* Calls fn for each entry in landing-page order (recent newest first, then preserved failures newest
 * first) while holding the lock: fn must be quick and must not call back into history. */
void history_each(history_t *h, void (*fn)(void *ctx, const history_entry_t *e), void *ctx);

/* A malloc'd copy of the debug text of entry `id`, or NULL if it is gone (or out of memory). */
char *history_debug_by_id(history_t *h, uint64_t id);
/* The oldest stored entry for target (and module, if not NULL): preserved failures first, then recent
 * results oldest first, as blackbox 0.25+ does. A malloc'd copy, or NULL. */
char *history_debug_by_target(history_t *h, const char *target, const char *module);

