/* landing -- the page a person opens: blackbox_exporter's links and recent-probes table, plus a form
 * to run a probe with a module of the loaded config. Plain HTML, no JavaScript. Pure rendering. */
#pragma once

#include "lib/buf.h"
#include "config/config.h"
#include "web/history.h"

/* Appends the landing page. cfg gives the module list for the form (may be NULL). */
void landing_render(buf_t *out, const config_t *cfg, history_t *history);

/* Appends s with &, <, >, ' and " escaped (Go's html.EscapeString). */
void landing_escape(buf_t *out, const char *s);
