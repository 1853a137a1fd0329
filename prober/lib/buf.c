/* buf -- a growable byte/string buffer with a sticky out-of-memory flag. */
#include "lib/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/errors.h"

int buf_reserve(buf_t *b, size_t extra)
{
	if (b->oom)
		return NSP_ENOMEM;
	if (extra > SIZE_MAX / 2 - b->len - 1) {
		b->oom = true;
		return NSP_ENOMEM;
	}
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return NSP_ENOMEM;
	}
	b->p = p;
	b->cap = cap;
	b->p[b->len] = '\0';      /* the content is always a C string */
	return 0;
}

int buf_append(buf_t *b, const void *data, size_t len)
{
	if (buf_reserve(b, len) != 0)
		return NSP_ENOMEM;
	if (len)
		memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
	return 0;
}

int buf_puts(buf_t *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int buf_vprintf(buf_t *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0 || buf_reserve(b, (size_t)n) != 0)
		return NSP_ENOMEM;
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int buf_printf(buf_t *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

int buf_put_u64(buf_t *b, uint64_t v)
{
	char tmp[20];
	size_t n = 0;
	do {
		tmp[sizeof(tmp) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return buf_append(b, tmp + sizeof(tmp) - n, n);
}

void buf_reset(buf_t *b)
{
	b->len = 0;
	b->oom = false;
	if (b->p)
		b->p[0] = '\0';
}

void buf_free(buf_t *b)
{
	free(b->p);
	*b = (buf_t)BUF_INIT;
}

char *buf_steal(buf_t *b)
{
	if (b->oom) {
		buf_free(b);
		return NULL;
	}
	if (!b->p && buf_reserve(b, 0) != 0)
		return NULL;
	if (!b->len)
		b->p[0] = '\0';
	char *p = b->p;
	*b = (buf_t)BUF_INIT;
	return p;
}
