/* history -- recent probe results (two bounded rings), as blackbox's ResultHistory. */
#include "web/history.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "lib/utf8.h"

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

/* A copy of reason cut to HISTORY_REASON_MAX bytes on a UTF-8 boundary, with "…" when longer (/logs
 * has it whole). NULL when out of memory. */
static char *cut_reason(const char *reason)
{
	size_t n = strlen(reason);
	if (n <= HISTORY_REASON_MAX)
		return strdup(reason);
	n = utf8_cut_len(reason, HISTORY_REASON_MAX);
	static const char ellipsis[] = "\xe2\x80\xa6";      /* U+2026 HORIZONTAL ELLIPSIS */
	char *out = malloc(n + sizeof ellipsis);
	if (out) {
		memcpy(out, reason, n);
		memcpy(out + n, ellipsis, sizeof ellipsis);
	}
	return out;
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
		.reason = facts && facts->reason ? cut_reason(facts->reason) : NULL,
	};
	/* a reason that could not be copied is left out; the entry and its log are kept */
	pthread_mutex_lock(&h->lock);
	uint64_t id = e.id = h->next_id++;
	if (!e.module || !e.target) {
		pthread_mutex_unlock(&h->lock);
		entry_free(&e);
		return id;
	}
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
