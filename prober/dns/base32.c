/* base32 -- see base32.h. */
#include "dns/base32.h"

void base32hex_put(buf_t *out, const uint8_t *p, size_t n, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEFGHIJKLMNOPQRSTUV" : "0123456789abcdefghijklmnopqrstuv";
	uint32_t acc = 0;
	unsigned bits = 0;
	for (size_t i = 0; i < n; i++) {
		acc = acc << 8 | p[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			buf_putc(out, digits[(acc >> bits) & 31]);
		}
		acc &= (1u << bits) - 1;
	}
	if (bits > 0)
		buf_putc(out, digits[(acc << (5 - bits)) & 31]);
}

/* The value 0..31 of base32hex digit ch (either case), or -1. */
static int digit_value(uint8_t ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'v')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'V')
		return ch - 'A' + 10;
	return -1;
}

bool base32hex_decode(const uint8_t *s, size_t n, uint8_t *out, size_t len)
{
	if (n != (8 * len + 4) / 5)
		return false;
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		int v = digit_value(s[i]);
		if (v < 0)
			return false;
		acc = acc << 5 | (uint32_t)v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	return o == len && acc == 0;
}
