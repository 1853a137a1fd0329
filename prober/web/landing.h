/* landing -- the page a person opens: what is failing, since when and why, without a click. A banner
 * when the last config reload failed, a per-module summary, blackbox_exporter's links and
 * recent-probes table (with when each ran, how long it took, and a failure's reason), and a form to
 * run a probe with a module of the loaded config. Plain HTML, no JavaScript. Pure rendering. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "lib/buf.h"
#include "config/config.h"
#include "web/history.h"

/* The config reload's outcome (exporter_reload_status), for the banner. */
typedef struct landing_reload {
	bool ok;                  /* the last reload loaded: no banner */
	int64_t loaded_ns;        /* when the running config was loaded, wall clock, ns since the epoch */
	int64_t failed_ns;        /* when the last reload failed */
	const char *why;          /* its error text */
} landing_reload_t;

/* Appends the landing page as of now_ns (wall clock, ns since the epoch; "N s ago" counts from it).
 * cfg gives the module list for the form (may be NULL); reload may be NULL (no banner). */
void landing_render(buf_t *out, const config_t *cfg, history_t *history, const landing_reload_t *reload,
                    int64_t now_ns);

/* Appends s with &, <, >, ' and " escaped (Go's html.EscapeString). */
void landing_escape(buf_t *out, const char *s);
