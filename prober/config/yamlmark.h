/* yamlmark -- where a libyaml mark lies in the bytes libyaml was given.
 *
 * A libyaml mark counts characters, not bytes: its reader (reader.c) decodes the input first (UTF-8,
 * or UTF-16 when the text starts with a UTF-16 byte-order mark), drops a leading byte-order mark
 * without counting it, and every later step of the scanner advances mark.index by one per character
 * (a CR LF pair counts two). mark.index is therefore a byte offset only for ASCII text without a
 * BOM. Anything that cuts or slices the original bytes at a mark must go through here. Pure. */
#pragma once

#include <stddef.h>

/* The byte offset in text[0..len) of the character whose libyaml mark.index is `index`, for text
 * that libyaml has read without a reader error up to there. Clamped to len. */
size_t yamlmark_offset(const char *text, size_t len, size_t index);
