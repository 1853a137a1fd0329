/* base32 -- the base32 "extended hex" alphabet of RFC 4648 7, without padding: how NSEC3 writes a
 * hashed owner (RFC 5155 3.3). A room of its own because two rooms of dns/ use it and neither owns
 * it: rrtext prints an NSEC3's next hashed owner (upper case, as miekg does) and denial reads the
 * hash back out of an NSEC3's owner label and names hashes in its verdicts (lower case, as owners
 * are compared). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"

/* Appends the n octets at p as base32hex digits, no padding ("0".."9", then "A".."V", or
 * "a".."v" when upper is false). Out-of-memory is left to out's sticky state, as buf_putc does. */
void base32hex_put(buf_t *out, const uint8_t *p, size_t n, bool upper);

/* Decodes exactly len octets into out from s[0..n): n must be the (8 * len + 4) / 5 digits that
 * encode them (either case), and the bits past the last octet must be 0. Returns false on anything
 * else (out is then undefined). */
bool base32hex_decode(const uint8_t *s, size_t n, uint8_t *out, size_t len);
