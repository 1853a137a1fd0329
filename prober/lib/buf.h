/* buf -- a growable byte/string buffer with a sticky out-of-memory flag. */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Zero-initialise (BUF_INIT) before use. p is always NUL-terminated when len > 0 or after any append.
 * On allocation failure `oom` is set, later appends do nothing and buf_ok() is false: append a run of
 * pieces, then check once. The buffer owns p; buf_free() releases it. */
typedef struct buf {
	char *p;
	size_t len;
	size_t cap;
	bool oom;
} buf_t;

#define BUF_INIT {0}

/* Each returns 0 or NSP_ENOMEM (and sets b->oom). */
int buf_append(buf_t *b, const void *data, size_t len);
int buf_puts(buf_t *b, const char *s);
int buf_printf(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(buf_t *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Appends v in decimal (without printf: number-heavy output calls this per field). */
int buf_put_u64(buf_t *b, uint64_t v);
/* Ensures room for `extra` more bytes plus the terminating NUL. */
int buf_reserve(buf_t *b, size_t extra);

/* Forgets the content but keeps the allocation (and clears oom). */
void buf_reset(buf_t *b);
/* Releases the allocation; b is BUF_INIT afterwards. Accepts a zeroed buffer. */
void buf_free(buf_t *b);
/* Hands the string to the caller (who frees it with free()); b is BUF_INIT afterwards. NULL if oom. */
char *buf_steal(buf_t *b);

/* Appends one byte; 0 or NSP_ENOMEM. Inline: escapers call it per character. */
static inline int buf_putc(buf_t *b, char c)
{
	if (!b->oom && b->len + 1 < b->cap) {
		b->p[b->len++] = c;
		b->p[b->len] = '\0';
		return 0;
	}
	return buf_append(b, &c, 1);
}

static inline bool buf_ok(const buf_t *b) { return !b->oom; }
/* The content as a C string ("" when empty). */
static inline const char *buf_str(const buf_t *b) { return b->p ? b->p : ""; }
