/* utf8 -- one UTF-8 decoding step with Go's utf8.DecodeRune semantics (the logger quotes and the
 * regex translator reads as Go does). Pure; ground floor. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define UTF8_RUNE_ERROR 0xfffdu

/* Decodes the rune at s[0..n). Returns it and its length in *size; an invalid or truncated sequence
 * (overlong, surrogate, > U+10FFFF) gives UTF8_RUNE_ERROR with *size 1; n == 0 gives
 * UTF8_RUNE_ERROR with *size 0. */
uint32_t utf8_decode(const unsigned char *s, size_t n, size_t *size);

/* The length to cut the string s (of at least max bytes) to so that it keeps at most max bytes and
 * no sequence is split: max, moved back over the continuation bytes of the sequence s[max] is in. */
size_t utf8_cut_len(const char *s, size_t max);

/* Cuts the NUL-terminated text in buf[0..size) that was cut short at size - 1 bytes (snprintf's
 * return was >= size) to a whole sequence, and ends it with "…" (U+2026). size must be > 4. */
void utf8_ellipsize(char *buf, size_t size);
