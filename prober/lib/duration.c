/* duration -- Go's time.ParseDuration and Duration.String (Go 1.19), as blackbox's config uses them. */
#include "lib/duration.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lib/errors.h"


static const struct { const char *unit; uint64_t ns; } duration_units[] = {
	{ "ns", 1 },
	{ "us", 1000 },
	{ "\xc2\xb5s", 1000 },   /* U+00B5 micro sign */
	{ "\xce\xbcs", 1000 },   /* U+03BC Greek mu */
	{ "ms", 1000000 },
	{ "s", 1000000000 },
	{ "m", 60000000000ULL },
	{ "h", 3600000000000ULL },
};

int duration_parse(const char *s, int64_t *ns)
{
	const uint64_t limit = 1ULL << 63;
	uint64_t d = 0;
	bool neg = false;
	if (!s)
		return NSP_EINVAL;
	if (*s == '-' || *s == '+') {
		neg = *s == '-';
		s++;
	}
	if (strcmp(s, "0") == 0) {
		*ns = 0;
		return 0;
	}
	if (*s == '\0')
		return NSP_EINVAL;
	while (*s) {
		uint64_t v = 0, f = 0;
		double scale = 1;
		if (!(*s == '.' || (*s >= '0' && *s <= '9')))
			return NSP_EINVAL;
		const char *start = s;
		for (; *s >= '0' && *s <= '9'; s++) {
			if (v > limit / 10)
				return NSP_EINVAL;
			v = v * 10 + (uint64_t)(*s - '0');
			if (v > limit)
				return NSP_EINVAL;
		}
		bool pre = s != start, post = false;
		if (*s == '.') {
			s++;
			start = s;
			bool overflow = false;
			for (; *s >= '0' && *s <= '9'; s++) {
				if (overflow)
					continue;
				if (f > (limit - 1) / 10) {
					overflow = true;
					continue;
				}
				uint64_t y = f * 10 + (uint64_t)(*s - '0');
				if (y > limit) {
					overflow = true;
					continue;
				}
				f = y;
				scale *= 10;
			}
			post = s != start;
		}
		if (!pre && !post)
			return NSP_EINVAL;
		size_t ul = 0;
		while (s[ul] && s[ul] != '.' && !(s[ul] >= '0' && s[ul] <= '9'))
			ul++;
		if (ul == 0)
			return NSP_EINVAL;
		uint64_t unit = 0;
		for (size_t i = 0; i < sizeof duration_units / sizeof duration_units[0]; i++)
			if (strlen(duration_units[i].unit) == ul && memcmp(s, duration_units[i].unit, ul) == 0)
				unit = duration_units[i].ns;
		if (!unit)
			return NSP_EINVAL;
		s += ul;
		if (v > limit / unit)
			return NSP_EINVAL;
		v *= unit;
		if (f > 0) {
			v += (uint64_t)((double)f * ((double)unit / scale));
			if (v > limit)
				return NSP_EINVAL;
		}
		d += v;
		if (d > limit)
			return NSP_EINVAL;
	}
	if (neg) {
		*ns = d == limit ? INT64_MIN : -(int64_t)d;
		return 0;
	}
	if (d > limit - 1)
		return NSP_EINVAL;
	*ns = (int64_t)d;
	return 0;
}

static size_t fmt_frac(char *buf, size_t w, uint64_t *v, int prec)
{
	bool print = false;
	for (int i = 0; i < prec; i++) {
		unsigned digit = (unsigned)(*v % 10);
		print = print || digit != 0;
		if (print)
			buf[--w] = (char)('0' + digit);
		*v /= 10;
	}
	if (print)
		buf[--w] = '.';
	return w;
}

static size_t fmt_int(char *buf, size_t w, uint64_t v)
{
	if (v == 0)
		buf[--w] = '0';
	for (; v > 0; v /= 10)
		buf[--w] = (char)('0' + v % 10);
	return w;
}

void duration_format(int64_t ns, char out[32])
{
	char buf[32];
	size_t w = sizeof buf;
	bool neg = ns < 0;
	uint64_t u = neg ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
	if (u < 1000000000ULL) {
		int prec = 0;
		buf[--w] = 's';
		if (u == 0) {
			memcpy(out, "0s", 3);
			return;
		} else if (u < 1000) {
			buf[--w] = 'n';
		} else if (u < 1000000) {
			prec = 3;
			buf[--w] = '\xb5';
			buf[--w] = '\xc2';
		} else {
			prec = 6;
			buf[--w] = 'm';
		}
		w = fmt_frac(buf, w, &u, prec);
		w = fmt_int(buf, w, u);
	} else {
		buf[--w] = 's';
		w = fmt_frac(buf, w, &u, 9);
		w = fmt_int(buf, w, u % 60);
		u /= 60;
		if (u > 0) {
			buf[--w] = 'm';
			w = fmt_int(buf, w, u % 60);
			u /= 60;
			if (u > 0) {
				buf[--w] = 'h';
				w = fmt_int(buf, w, u);
			}
		}
	}
	if (neg)
		buf[--w] = '-';
	memcpy(out, buf + w, sizeof buf - w);
	out[sizeof buf - w] = '\0';
}
