/* log -- logfmt/json lines for the process (stderr) and for one probe (its own buffer). */
#pragma once

#include <stdbool.h>

#include "lib/buf.h"

typedef enum log_level {
	LOG_DEBUG = 0,
	LOG_INFO  = 1,
	LOG_WARN  = 2,
	LOG_ERROR = 3,
} log_level_t;

typedef enum log_format {
	LOG_LOGFMT = 0,
	LOG_JSON   = 1,
} log_format_t;

/* Process-wide settings; set once at start-up, before any thread starts. */
void log_setup(log_level_t level, log_format_t format);
/* --log.prober (blackbox 0.28): probe logs get their own threshold. Lines below it are not recorded
 * (debug=true and /logs do not show them either); the rest go to stderr at their own level,
 * whatever the process threshold. Without this call, probe logs behave as blackbox 0.23's (see
 * plog below). Call once at start-up, before any thread starts. */
void log_setup_prober(log_level_t level);
/* Parses "debug|info|warn|error" / "logfmt|json". Return 0 or NSP_EINVAL. */
int log_level_from_str(const char *s, log_level_t *out);
int log_format_from_str(const char *s, log_format_t *out);

/* Writes one line to stderr if `level` passes the threshold:
 *   ts=<RFC 3339 UTC, 3 fixed decimals, as promlog> level=<lvl> msg="<msg>" k1=v1 k2=v2 ...
 * (json: one object with the keys sorted, as go-kit's JSON logger writes a Go map).
 * The variadic part is key, value pairs of C strings ending with NULL; values are quoted and escaped
 * as go-logfmt 0.5.1 does (encoding/json-style escapes) when they need it. Thread-safe (one write(2)
 * per line). */
void log_line(log_level_t level, const char *msg, ...) __attribute__((sentinel));

#define log_error(msg, ...) log_line(LOG_ERROR, msg, ##__VA_ARGS__, (const char *)0)
#define log_warn(msg, ...)  log_line(LOG_WARN, msg, ##__VA_ARGS__, (const char *)0)
#define log_info(msg, ...)  log_line(LOG_INFO, msg, ##__VA_ARGS__, (const char *)0)
#define log_debug(msg, ...) log_line(LOG_DEBUG, msg, ##__VA_ARGS__, (const char *)0)

/* A probe's log (without log_setup_prober): every level is recorded (blackbox 0.23 records all of a probe's lines for
 * debug=true and /logs). As blackbox's scrapeLogger does, every line is also forwarded to stderr
 * rewritten to level=debug, so it appears there only when the process threshold is debug.
 *
 * Lines are kept as data (time, level, strings) and turned into text only when someone reads them
 * (plog_render): most probes' logs are never read, and formatting them was a fifth of a probe's CPU.
 * Rendered, each line is: ts=<RFC 3339 UTC, ns, trailing zeros trimmed> module=<module>
 * target=<target> level=<lvl> msg="…" k=v … (always logfmt; blackbox's `caller` field is omitted). */
typedef struct plog {
	buf_t entries;       /* owned: packed records, see log.c */
	char *names;         /* owned: "module\0target\0" */
	size_t target_off;
	size_t lines;
} plog_t;

/* Copies module and target. On out of memory the log records nothing (and renders empty). */
void plog_init(plog_t *l, const char *module, const char *target);
void plog_deinit(plog_t *l);
/* Records one line; variadic key, value C-string pairs ending with NULL (the strings are copied). */
void plog_line(plog_t *l, log_level_t level, const char *msg, ...) __attribute__((sentinel));
/* Appends the recorded lines as logfmt text. */
void plog_render(const plog_t *l, buf_t *out);
/* The line that says why a probe failed, rendered from its msg= on (no ts, module, target, level, no
 * newline): the first line at level=error, else the last at level=warn. The rule: blackbox's DNS
 * prober logs the cause at error as it happens ("Error while sending a DNS query", "Rcode is not one
 * of the valid rcodes", ...) and closes with "Probe failed", also at error, which stands in when
 * nothing else said why; a warn line is only a hint, the last nearest the end. Returns false,
 * appending nothing, when there is none. */
bool plog_reason(const plog_t *l, buf_t *out);

/* Appends `s` to `out` as a logfmt value: bare if it needs no quoting, else quoted as go-logfmt does;
 * NULL is written as null, "" as nothing. */
void log_fmt_value(buf_t *out, const char *s);
