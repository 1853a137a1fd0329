/* yamlmark -- libyaml marks (characters) to byte offsets; see yamlmark.h. */
#include <stdint.h>

#include "config/yamlmark.h"

typedef enum yamlmark_enc { ENC_UTF8, ENC_UTF16LE, ENC_UTF16BE } yamlmark_enc_t;

/* libyaml reader.c yaml_parser_determine_encoding: the BOMs it recognises, and what it skips. */
static const struct {
	unsigned char bom[3];
	size_t len;
	yamlmark_enc_t enc;
} yamlmark_boms[] = {
	{ { 0xff, 0xfe }, 2, ENC_UTF16LE },
	{ { 0xfe, 0xff }, 2, ENC_UTF16BE },
	{ { 0xef, 0xbb, 0xbf }, 3, ENC_UTF8 },
};

/* Bytes of the character at p (reader.c: the width from the UTF-8 lead byte; a UTF-16 high
 * surrogate takes its low surrogate with it). */
static size_t char_width(const unsigned char *p, size_t left, yamlmark_enc_t enc)
{
	if (enc == ENC_UTF8) {
		unsigned char c = p[0];
		size_t w = (c & 0x80) == 0x00 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
		         : (c & 0xf8) == 0xf0 ? 4 : 1;
		return w < left ? w : left;
	}
	if (left < 2)
		return left;
	unsigned unit = enc == ENC_UTF16LE ? (unsigned)(p[0] | p[1] << 8) : (unsigned)(p[0] << 8 | p[1]);
	size_t w = unit >= 0xd800 && unit <= 0xdbff ? 4 : 2;
	return w < left ? w : left;
}

size_t yamlmark_offset(const char *text, size_t len, size_t index)
{
	const unsigned char *s = (const unsigned char *)text;
	yamlmark_enc_t enc = ENC_UTF8;
	size_t off = 0;
	for (size_t i = 0; i < sizeof yamlmark_boms / sizeof yamlmark_boms[0]; i++) {
		size_t n = yamlmark_boms[i].len;
		if (len >= n && s[0] == yamlmark_boms[i].bom[0] && s[1] == yamlmark_boms[i].bom[1] &&
		    (n < 3 || s[2] == yamlmark_boms[i].bom[2])) {
			enc = yamlmark_boms[i].enc;
			off = n;
			break;
		}
	}
	for (size_t i = 0; i < index && off < len; i++)
		off += char_width(s + off, len - off, enc);
	return off;
}
