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
