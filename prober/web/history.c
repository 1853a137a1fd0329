/* history -- recent probe results (two bounded rings), as blackbox's ResultHistory. */
#include "web/history.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct ring {
	history_entry_t *e;     /* e[(start + i) % cap], i < len; oldest first */
	size_t start, len, cap;
} ring_t;

struct history {
	pthread_mutex_t lock;
	uint64_t next_id;
	ring_t recent;
	ring_t preserved;
};

static void entry_free(history_entry_t *e)
{
	free(e->module);
	free(e->target);
	free(e->reason);
	probe_record_free(e->record);
	memset(e, 0, sizeof(*e));
}

history_t *history_new(size_t limit)
{
	history_t *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	if (limit == 0)
		limit = 1;
	h->recent.cap = h->preserved.cap = limit;
	h->recent.e = calloc(limit, sizeof(history_entry_t));
	h->preserved.e = calloc(limit, sizeof(history_entry_t));
	if (!h->recent.e || !h->preserved.e) {
		free(h->recent.e);
		free(h->preserved.e);
		free(h);
		return NULL;
	}
	pthread_mutex_init(&h->lock, NULL);
	return h;
}

static void ring_clear(ring_t *r)
{
	for (size_t i = 0; i < r->len; i++)
		entry_free(&r->e[(r->start + i) % r->cap]);
	free(r->e);
}

void history_free(history_t *h)
{
	if (!h)
		return;
	ring_clear(&h->recent);
	ring_clear(&h->preserved);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

/* Appends e (moved in); if full, the oldest is moved out into *evicted (or freed if evicted is NULL). */
static void ring_push(ring_t *r, history_entry_t *e, history_entry_t *evicted)
{
	if (r->len == r->cap) {
		history_entry_t *old = &r->e[r->start];
		if (evicted)
			*evicted = *old;
		else
			entry_free(old);
		memset(old, 0, sizeof(*old));
		r->start = (r->start + 1) % r->cap;
		r->len--;
	}
	r->e[(r->start + r->len) % r->cap] = *e;
	r->len++;
}

uint64_t history_add(history_t *h, const char *module, const char *target, probe_record_t *record,
                     bool success, const history_facts_t *facts)
{
	history_entry_t e = {
		.module = strdup(module),
		.target = strdup(target),
		.record = record,
		.success = success,
		.start_ns = facts ? facts->start_ns : 0,
		.duration_s = facts ? facts->duration_s : -1,
		.reason = facts && facts->reason ? strdup(facts->reason) : NULL,
	};
	bool reason_lost = facts && facts->reason && !e.reason;
	pthread_mutex_lock(&h->lock);
	e.id = h->next_id++;
	if (!e.module || !e.target || reason_lost) {
		pthread_mutex_unlock(&h->lock);
		entry_free(&e);
		return e.id;
	}
	uint64_t id = e.id;
	history_entry_t out = {0};
	ring_push(&h->recent, &e, &out);
	if (out.module) {
		if (!out.success)
			ring_push(&h->preserved, &out, NULL);
		else
			entry_free(&out);
	}
	pthread_mutex_unlock(&h->lock);
	return id;
}

void history_each(history_t *h, void (*fn)(void *ctx, const history_entry_t *e), void *ctx)
{
	pthread_mutex_lock(&h->lock);
	for (size_t i = h->recent.len; i-- > 0;)
		fn(ctx, &h->recent.e[(h->recent.start + i) % h->recent.cap]);
	for (size_t i = h->preserved.len; i-- > 0;)
		fn(ctx, &h->preserved.e[(h->preserved.start + i) % h->preserved.cap]);
	pthread_mutex_unlock(&h->lock);
}

static const history_entry_t *ring_find_id(const ring_t *r, uint64_t id)
{
	for (size_t i = 0; i < r->len; i++) {
		const history_entry_t *e = &r->e[(r->start + i) % r->cap];
		if (e->id == id)
			return e;
	}
	return NULL;
}

/* The entry's debug text, malloc'd (NULL if none or out of memory). */
static char *render(const history_entry_t *e)
{
	if (!e)
		return NULL;
	buf_t b = BUF_INIT;
	if (e->record)
		probe_record_write_debug(e->record, &b);
	else
		buf_puts(&b, "");
	return buf_steal(&b);
}

char *history_debug_by_id(history_t *h, uint64_t id)
{
	char *out = NULL;
	pthread_mutex_lock(&h->lock);
	const history_entry_t *e = ring_find_id(&h->recent, id);
	if (!e)
		e = ring_find_id(&h->preserved, id);
	out = render(e);
	pthread_mutex_unlock(&h->lock);
	return out;
}

static const history_entry_t *ring_find_target(const ring_t *r, const char *target, const char *module)
{
	for (size_t i = 0; i < r->len; i++) {
		const history_entry_t *e = &r->e[(r->start + i) % r->cap];
		if (strcmp(e->target, target) == 0 && (!module || strcmp(e->module, module) == 0))
			return e;
	}
	return NULL;
}

char *history_debug_by_target(history_t *h, const char *target, const char *module)
{
	char *out = NULL;
	pthread_mutex_lock(&h->lock);
	const history_entry_t *e = ring_find_target(&h->preserved, target, module);
	if (!e)
		e = ring_find_target(&h->recent, target, module);
	out = render(e);
	pthread_mutex_unlock(&h->lock);
	return out;
}

/* ---- reading what a probe wrote ---- */

/* The line starting at p, without its newline. */
static const char *line_end(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	return nl ? nl : end;
}

double history_duration_from_text(const char *text, size_t len)
{
	static const char name[] = "probe_duration_seconds ";
	const char *end = text + len;
	/* Log lines start with ts= and the module's YAML comes after the metrics: the first line that
	 * starts with the name is the sample. */
	for (const char *p = text; text && p < end;) {
		const char *e = line_end(p, end);
		size_t n = (size_t)(e - p);
		if (n > sizeof(name) - 1 && n < 64 && memcmp(p, name, sizeof(name) - 1) == 0) {
			char v[64];
			memcpy(v, p + sizeof(name) - 1, n - (sizeof(name) - 1));
			v[n - (sizeof(name) - 1)] = '\0';
			char *stop;
			double d = strtod(v, &stop);
			return *stop == '\0' && d >= 0 ? d : -1;
		}
		p = e + 1;
	}
	return -1;
}

/* The end of the logfmt value at p: bare up to a space, or quoted with backslash escapes, as
 * log_fmt_value writes it. */
static const char *value_end(const char *p, const char *end)
{
	if (p < end && *p == '"') {
		for (p++; p < end && *p != '"'; p++)
			if (*p == '\\')
				p++;
		return p < end ? p + 1 : end;
	}
	while (p < end && *p != ' ')
		p++;
	return p;
}

/* The level of a rendered log line (ts= module= target= level= msg= ...) and where its msg starts;
 * values are skipped as logfmt, so a target holding " level=error " does not count. */
static const char *line_level(const char *p, const char *end, const char **rest)
{
	while (p < end) {
		const char *eq = memchr(p, '=', (size_t)(end - p));
		if (!eq)
			return NULL;
		const char *v = eq + 1, *ve = value_end(v, end);
		if (eq - p == 5 && memcmp(p, "level", 5) == 0) {
			*rest = ve < end ? ve + 1 : end;
			size_t n = (size_t)(ve - v);
			if (n == 5 && memcmp(v, "error", 5) == 0)
				return "error";
			if (n == 4 && memcmp(v, "warn", 4) == 0)
				return "warn";
			return "";
		}
		p = ve < end ? ve + 1 : end;
	}
	return NULL;
}

/* The rule: blackbox's DNS prober logs the cause of a failure at level=error as it happens
 * (prober/dns.go: "Error while sending a DNS query", "Rcode is not one of the valid rcodes",
 * "At least one RR did not match regexp", ...) and then closes with "Probe failed", also at error;
 * so the first error line is the cause, and the closing one stands in when nothing else said why.
 * A warn line is only a hint (no failure path warns today); of those the last, nearest the end. */
bool history_reason_from_debug(const char *text, size_t len, buf_t *out)
{
	if (!text)
		return false;
	static const char head[] = "Logs for the probe:\n";
	const char *p = text, *end = text + len;
	if (len >= sizeof(head) - 1 && memcmp(text, head, sizeof(head) - 1) == 0)
		p += sizeof(head) - 1;
	const char *pick = NULL, *pick_end = NULL;
	/* The log lines run up to the first line that is not one (the blank lines before the metrics). */
	while (p < end && end - p >= 3 && memcmp(p, "ts=", 3) == 0) {
		const char *e = line_end(p, end), *rest = NULL;
		const char *level = line_level(p, e, &rest);
		if (level && strcmp(level, "error") == 0) {
			pick = rest;
			pick_end = e;
			break;
		}
		if (level && strcmp(level, "warn") == 0) {
			pick = rest;
			pick_end = e;
		}
		p = e + 1;
	}
	if (!pick || pick >= pick_end)
		return false;
	size_t n = (size_t)(pick_end - pick);
	if (n <= HISTORY_REASON_MAX) {
		buf_append(out, pick, n);
		return true;
	}
	n = HISTORY_REASON_MAX;
	while (n > 0 && ((unsigned char)pick[n] & 0xC0) == 0x80)
		n--;        /* pick[n] starts the cut-off part: never split a UTF-8 sequence */
	buf_append(out, pick, n);
	buf_puts(out, "\xe2\x80\xa6");      /* U+2026 HORIZONTAL ELLIPSIS */
	return true;
}
