/* utf8 -- Go's utf8.DecodeRune (unicode/utf8/utf8.go): the same rejections, the same sizes. */
#include "lib/utf8.h"

#include <string.h>

uint32_t utf8_decode(const unsigned char *s, size_t n, size_t *size)
{
	*size = 0;
	if (n == 0)
		return UTF8_RUNE_ERROR;
	unsigned char c = s[0];
	*size = 1;
	if (c < 0x80)
		return c;
	size_t len;
	uint32_t r, min;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		r = c & 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		r = c & 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		r = c & 0x07;
		min = 0x10000;
	} else {
		return UTF8_RUNE_ERROR;
	}
	if (n < len)
		return UTF8_RUNE_ERROR;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return UTF8_RUNE_ERROR;
		r = (r << 6) | (s[i] & 0x3f);
	}
	if (r < min || r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff))
		return UTF8_RUNE_ERROR;
	*size = len;
	return r;
}

size_t utf8_cut_len(const char *s, size_t max)
{
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;          /* s[max] starts the part cut off: never split a sequence */
	return max;
}

void utf8_ellipsize(char *buf, size_t size)
{
	static const char ellipsis[] = "\xe2\x80\xa6";
	size_t n = utf8_cut_len(buf, size - sizeof ellipsis);
	memcpy(buf + n, ellipsis, sizeof ellipsis);
}
