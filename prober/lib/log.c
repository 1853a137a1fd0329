/* log -- logfmt/json lines for the process (stderr) and for one probe (its own buffer).
 *
 * The output copies what blackbox_exporter 0.23 writes through go-kit/log 0.2.1 and go-logfmt 0.5.1:
 *
 * - Process lines (promlog, prometheus/common 0.37 promlog/log.go): `ts` has three fixed decimals
 *   ("2006-01-02T15:04:05.000Z07:00"), then `caller` (which we omit), then the call's pairs, `level`
 *   first.
 * - A probe's buffer (prober/handler.go newScrapeLogger): `ts` is RFC3339Nano (trailing zeros trimmed,
 *   no fraction when zero), then `caller` (omitted), `module`, `target`, then the call's pairs.
 * - scrapeLogger.Log also forwards every probe line to the process logger with its level rewritten
 *   to debug, so with the default --log.level=info a probe writes nothing to stderr.
 * - Values (go-logfmt encode.go writeStringValue): bare unless a rune is <= ' ', '=', '"' or
 *   invalid UTF-8 (or U+FFFD); "null" is always quoted; an empty value is written as nothing.
 *   Quoting (jsonstring.go) is encoding/json's: \\ \" \n \r \t, other controls as \u00XX, invalid
 *   UTF-8 as \ufffd; DEL and other printable-or-not runes pass through raw.
 * - JSON (go-kit json_logger.go): one object per line from a Go map, so keys come out sorted and a
 *   repeated key keeps its last value; strings escaped as encoding/json with SetEscapeHTML(false). */
#include "lib/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/errors.h"
#include "lib/utf8.h"

static log_level_t log_threshold = LOG_INFO;
static log_format_t log_format = LOG_LOGFMT;
static int prober_threshold = -1;       /* --log.prober; -1: not given (blackbox 0.23's probe logs) */

static const char *const log_level_names[] = {
	[LOG_DEBUG] = "debug",
	[LOG_INFO] = "info",
	[LOG_WARN] = "warn",
	[LOG_ERROR] = "error",
};

static const char *const log_format_names[] = {
	[LOG_LOGFMT] = "logfmt",
	[LOG_JSON] = "json",
};

void log_setup(log_level_t level, log_format_t format)
{
	log_threshold = level;
	log_format = format;
}

void log_setup_prober(log_level_t level)
{
	prober_threshold = (int)level;
}

int log_level_from_str(const char *s, log_level_t *out)
{
	for (size_t i = 0; i < sizeof(log_level_names) / sizeof(log_level_names[0]); i++) {
		if (s && strcmp(s, log_level_names[i]) == 0) {
			*out = (log_level_t)i;
			return 0;
		}
	}
	return NSP_EINVAL;
}

int log_format_from_str(const char *s, log_format_t *out)
{
	for (size_t i = 0; i < sizeof(log_format_names) / sizeof(log_format_names[0]); i++) {
		if (s && strcmp(s, log_format_names[i]) == 0) {
			*out = (log_format_t)i;
			return 0;
		}
	}
	return NSP_EINVAL;
}

static bool log_needs_quote(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		size_t size;
		uint32_t r = utf8_decode(p + i, n - i, &size);
		if (r <= ' ' || r == '=' || r == '"' || r == 0xfffd)
			return true;
		i += size;
	}
	return false;
}

/* encoding/json's string body (go-logfmt's copy of it is the same minus U+2028/2029). */
static void log_quote(buf_t *out, const char *s, bool json)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	size_t start = 0;
	buf_putc(out, '"');
	for (size_t i = 0; i < n;) {
		unsigned char b = p[i];
		if (b < 0x80) {
			if (b >= 0x20 && b != '\\' && b != '"') {
				i++;
				continue;
			}
			buf_append(out, p + start, i - start);
			switch (b) {
			case '\\':
			case '"':
				buf_putc(out, '\\');
				buf_putc(out, (char)b);
				break;
			case '\n':
				buf_puts(out, "\\n");
				break;
			case '\r':
				buf_puts(out, "\\r");
				break;
			case '\t':
				buf_puts(out, "\\t");
				break;
			default:
				buf_puts(out, "\\u00");
				buf_putc(out, hex[b >> 4]);
				buf_putc(out, hex[b & 0xf]);
				break;
			}
			start = ++i;
			continue;
		}
		size_t size;
		uint32_t r = utf8_decode(p + i, n - i, &size);
		if (r == 0xfffd) {
			buf_append(out, p + start, i - start);
			buf_puts(out, "\\ufffd");
			i += size;
			start = i;
			continue;
		}
		if (json && (r == 0x2028 || r == 0x2029)) {
			buf_append(out, p + start, i - start);
			buf_puts(out, r == 0x2028 ? "\\u2028" : "\\u2029");
			i += size;
			start = i;
			continue;
		}
		i += size;
	}
	buf_append(out, p + start, n - start);
	buf_putc(out, '"');
}

void log_fmt_value(buf_t *out, const char *s)
{
	if (!s) {
		buf_puts(out, "null");   /* go-logfmt writes a nil value as null */
		return;
	}
	if (strcmp(s, "null") == 0)
		buf_puts(out, "\"null\"");
	else if (log_needs_quote(s))
		log_quote(out, s, false);
	else
		buf_puts(out, s);
}

/* go-logfmt keyRuneFilter: drops runes <= ' ', '=', '"' and invalid UTF-8 from keys. */
static void log_fmt_key(buf_t *out, const char *k)
{
	const unsigned char *p = (const unsigned char *)k;
	size_t n = strlen(k);
	for (size_t i = 0; i < n;) {
		size_t size;
		uint32_t r = utf8_decode(p + i, n - i, &size);
		if (!(r <= ' ' || r == '=' || r == '"' || r == 0xfffd))
			buf_append(out, p + i, size);
		i += size;
	}
}

/* RFC 3339 UTC: nano = true gives Go's RFC3339Nano (up to nine digits, trailing zeros and a bare
 * "." dropped); false gives promlog's fixed ".000" milliseconds. */
static void log_format_time(const struct timespec *tsp, char out[40], bool nano)
{
	/* gmtime_r + strftime cost more than the rest of a line; the seconds part changes once a
	 * second, so each thread keeps the last one it formatted. */
	static _Thread_local time_t cached_sec = -1;
	static _Thread_local char cached[24];
	static _Thread_local size_t cached_len;
	struct timespec ts = *tsp;
	if (ts.tv_sec != cached_sec) {
		struct tm tm;
		gmtime_r(&ts.tv_sec, &tm);
		cached_len = strftime(cached, sizeof(cached), "%Y-%m-%dT%H:%M:%S", &tm);
		cached_sec = ts.tv_sec;
	}
	memcpy(out, cached, cached_len);
	size_t n = cached_len;
	long ns = (long)ts.tv_nsec;
	if (nano) {
		if (ns != 0) {
			char frac[10];
			for (int i = 8; i >= 0; i--) {
				frac[i] = (char)('0' + ns % 10);
				ns /= 10;
			}
			size_t fl = 9;
			while (fl > 0 && frac[fl - 1] == '0')
				fl--;
			out[n++] = '.';
			memcpy(out + n, frac, fl);
			n += fl;
		}
	} else {
		long ms = ns / 1000000;
		out[n++] = '.';
		out[n++] = (char)('0' + ms / 100);
		out[n++] = (char)('0' + ms / 10 % 10);
		out[n++] = (char)('0' + ms % 10);
	}
	memcpy(out + n, "Z", 2);
}

static void log_timestamp(char out[40], bool nano)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	log_format_time(&ts, out, nano);
}

typedef struct log_kv {
	const char *k;
	const char *v;
} log_kv_t;

/* Collects the fixed pairs, then the caller's (key, value) pairs up to the NULL key. Returns the
 * number of pairs, or 0 when out of memory (there is always at least one fixed pair). */
static size_t log_collect(log_kv_t **out, const log_kv_t *fixed, size_t nfixed, va_list ap)
{
	va_list aq;
	va_copy(aq, ap);
	size_t n = nfixed;
	while (va_arg(aq, const char *) != NULL) {
		(void)va_arg(aq, const char *);
		n++;
	}
	va_end(aq);
	log_kv_t *kv = calloc(n, sizeof(*kv));
	if (!kv)
		return 0;
	memcpy(kv, fixed, nfixed * sizeof(*kv));
	for (size_t i = nfixed; i < n; i++) {
		kv[i].k = va_arg(ap, const char *);
		kv[i].v = va_arg(ap, const char *);
	}
	*out = kv;
	return n;
}

static void log_render_logfmt(buf_t *out, const log_kv_t *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_putc(out, ' ');
		log_fmt_key(out, kv[i].k);
		buf_putc(out, '=');
		log_fmt_value(out, kv[i].v);
	}
	buf_putc(out, '\n');
}

static int log_kv_cmp(const void *a, const void *b)
{
	const log_kv_t *x = a, *y = b;
	return strcmp(x->k, y->k);
}

/* A Go map marshalled by encoding/json: later duplicates win, keys sorted bytewise. */
static void log_render_json(buf_t *out, log_kv_t *kv, size_t n)
{
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		bool later = false;
		for (size_t j = i + 1; j < n && !later; j++)
			later = strcmp(kv[i].k, kv[j].k) == 0;
		if (!later)
			kv[w++] = kv[i];
	}
	qsort(kv, w, sizeof(*kv), log_kv_cmp);
	buf_putc(out, '{');
	for (size_t i = 0; i < w; i++) {
		if (i)
			buf_putc(out, ',');
		log_quote(out, kv[i].k, true);
		buf_putc(out, ':');
		if (kv[i].v)
			log_quote(out, kv[i].v, true);
		else
			buf_puts(out, "null");
	}
	buf_puts(out, "}\n");
}

static void log_write_stderr(const buf_t *b)
{
	if (!buf_ok(b))
		return;
	const char *p = buf_str(b);
	size_t left = b->len;
	while (left > 0) {
		ssize_t w = write(STDERR_FILENO, p, left);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		p += w;
		left -= (size_t)w;
	}
}

static void log_emit(log_format_t format, log_kv_t *kv, size_t n)
{
	buf_t line = BUF_INIT;
	if (format == LOG_JSON)
		log_render_json(&line, kv, n);
	else
		log_render_logfmt(&line, kv, n);
	log_write_stderr(&line);
	buf_free(&line);
}

void log_line(log_level_t level, const char *msg, ...)
{
	if (level < log_threshold)
		return;
	char ts[40];
	log_timestamp(ts, false);
	const log_kv_t fixed[] = {
		{ "ts", ts },
		{ "level", log_level_names[level] },
		{ "msg", msg },
	};
	va_list ap;
	va_start(ap, msg);
	log_kv_t *kv = NULL;
	size_t n = log_collect(&kv, fixed, 3, ap);
	va_end(ap);
	if (n)
		log_emit(log_format, kv, n);
	free(kv);
}

/* A record in plog.entries: the header, then msg, k1, v1, … as NUL-terminated strings. */
typedef struct plog_rec {
	int64_t sec;
	int32_t nsec;
	uint16_t level;
	uint16_t nkv;
} plog_rec_t;

void plog_init(plog_t *l, const char *module, const char *target)
{
	memset(l, 0, sizeof(*l));
	size_t ml = strlen(module), tl = strlen(target);
	l->names = malloc(ml + tl + 2);
	if (!l->names) {
		l->entries.oom = true;
		return;
	}
	memcpy(l->names, module, ml + 1);
	memcpy(l->names + ml + 1, target, tl + 1);
	l->target_off = ml + 1;
	buf_reserve(&l->entries, 1023);  /* most probes' lines fit in one 1 KB block */
}

void plog_deinit(plog_t *l)
{
	if (!l)
		return;
	buf_free(&l->entries);
	free(l->names);
	l->names = NULL;
}

static void plog_put_str(buf_t *b, const char *s)
{
	buf_append(b, s ? s : "", strlen(s ? s : "") + 1);
}

void plog_line(plog_t *l, log_level_t level, const char *msg, ...)
{
	if (!l->names || (int)level < prober_threshold)
		return;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	size_t mark = l->entries.len;
	plog_rec_t rec = { .sec = now.tv_sec, .nsec = (int32_t)now.tv_nsec, .level = (uint16_t)level };
	buf_append(&l->entries, &rec, sizeof(rec));
	plog_put_str(&l->entries, msg);
	va_list ap;
	va_start(ap, msg);
	uint16_t nkv = 0;
	for (const char *k; (k = va_arg(ap, const char *)) != NULL;) {
		const char *v = va_arg(ap, const char *);
		plog_put_str(&l->entries, k);
		plog_put_str(&l->entries, v);
		nkv++;
	}
	va_end(ap);
	if (!buf_ok(&l->entries))
		return;
	memcpy(&rec, l->entries.p + mark, sizeof(rec));
	rec.nkv = nkv;
	memcpy(l->entries.p + mark, &rec, sizeof(rec));
	l->lines++;

	/* blackbox 0.23's scrapeLogger.Log: the process copy is rewritten to level=debug, with promlog's
	 * timestamp. 0.28's with --log.prober: every recorded line, at its own level. */
	bool own = prober_threshold >= 0;
	if (own || log_threshold <= LOG_DEBUG) {
		char ts[40];
		log_timestamp(ts, false);
		const char *p = l->entries.p + mark + sizeof(rec);
		log_kv_t *kv = calloc(5 + nkv, sizeof(*kv));
		if (kv) {
			kv[0] = (log_kv_t){ "ts", ts };
			kv[1] = (log_kv_t){ "module", l->names };
			kv[2] = (log_kv_t){ "target", l->names + l->target_off };
			kv[3] = (log_kv_t){ "level", log_level_names[own ? level : LOG_DEBUG] };
			kv[4] = (log_kv_t){ "msg", p };
			p += strlen(p) + 1;
			for (uint16_t i = 0; i < nkv; i++) {
				kv[5 + i].k = p;
				p += strlen(p) + 1;
				kv[5 + i].v = p;
				p += strlen(p) + 1;
			}
			log_emit(log_format, kv, 5 + (size_t)nkv);
			free(kv);
		}
	}
}

/* Appends the record's msg= and its pairs from p (just after its header); returns the next record. */
static const char *plog_render_body(buf_t *out, const char *p, uint16_t nkv)
{
	buf_puts(out, "msg=");
	log_fmt_value(out, p);
	p += strlen(p) + 1;
	for (uint16_t i = 0; i < nkv; i++) {
		buf_putc(out, ' ');
		log_fmt_key(out, p);
		p += strlen(p) + 1;
		buf_putc(out, '=');
		log_fmt_value(out, p);
		p += strlen(p) + 1;
	}
	return p;
}

/* The record after the one whose body starts at p. */
static const char *plog_skip_body(const char *p, uint16_t nkv)
{
	for (unsigned i = 0; i < 1u + 2u * nkv; i++)
		p += strlen(p) + 1;
	return p;
}

bool plog_reason(const plog_t *l, buf_t *out)
{
	if (!l->names || !buf_ok(&l->entries))
		return false;
	const char *p = l->entries.p, *end = l->entries.p + l->entries.len, *pick = NULL;
	uint16_t pick_nkv = 0;
	while (p + sizeof(plog_rec_t) <= end) {
		plog_rec_t rec;
		memcpy(&rec, p, sizeof(rec));
		p += sizeof(rec);
		if (rec.level == LOG_ERROR || rec.level == LOG_WARN) {
			pick = p;
			pick_nkv = rec.nkv;
			if (rec.level == LOG_ERROR)
				break;
		}
		p = plog_skip_body(p, rec.nkv);
	}
	if (!pick)
		return false;
	plog_render_body(out, pick, pick_nkv);
	return true;
}

void plog_render(const plog_t *l, buf_t *out)
{
	if (!l->names || !buf_ok(&l->entries))
		return;
	const char *p = l->entries.p, *end = l->entries.p + l->entries.len;
	while (p && p + sizeof(plog_rec_t) <= end) {
		plog_rec_t rec;
		memcpy(&rec, p, sizeof(rec));
		p += sizeof(rec);
		char ts[40];
		struct timespec t = { .tv_sec = (time_t)rec.sec, .tv_nsec = rec.nsec };
		log_format_time(&t, ts, true);
		buf_puts(out, "ts=");
		log_fmt_value(out, ts);
		buf_puts(out, " module=");
		log_fmt_value(out, l->names);
		buf_puts(out, " target=");
		log_fmt_value(out, l->names + l->target_off);
		buf_puts(out, " level=");
		buf_puts(out, log_level_names[rec.level]);
		buf_putc(out, ' ');
		p = plog_render_body(out, p, rec.nkv);
		buf_putc(out, '\n');
	}
}
