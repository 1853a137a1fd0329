/* cursor -- the one reader of DNS wire bytes: bounds-checked big-endian reads with a sticky error
 * (and the two big-endian stores that go with it).
 *
 * A cursor walks buf[0..len). Every read checks the bounds first; the first read that does not fit
 * records miekg/dns 1.1.50's text for it in `err` and from then on every read returns 0 (or NULL)
 * without moving, so a caller reads a run of fields and checks once (Knot's wire_ctx, c-ares'
 * ares_buf). Names are read with miekg's UnpackDomainName rules: compression pointers may point
 * anywhere below len, forward too. Nothing here allocates or writes to buf.
 *
 * The fixed-width reads are inline: wire_parse calls them for every field of every answer. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CURSOR_MAX_NAME 255   /* octets of an uncompressed name on the wire, RFC 1035 3.1 */

typedef struct cursor {
	const uint8_t *buf;   /* borrowed */
	size_t len;
	size_t off;           /* the position: the next read starts here */
	const char *err;      /* NULL, or the static text of the first failed read */
} cursor_t;

/* A cursor at the start of buf[0..len). */
static inline cursor_t cursor_make(const uint8_t *buf, size_t len)
{
	return (cursor_t){ .buf = buf, .len = len };
}

/* A cursor over buf[0..len) positioned at off (names in it may point below off). */
static inline cursor_t cursor_at(const uint8_t *buf, size_t len, size_t off)
{
	return (cursor_t){ .buf = buf, .len = len, .off = off };
}

static inline bool cursor_ok(const cursor_t *c) { return c->err == NULL; }

/* Octets left after the position (0 once failed). */
static inline size_t cursor_left(const cursor_t *c)
{
	return c->err == NULL && c->off <= c->len ? c->len - c->off : 0;
}

static inline bool cursor_at_end(const cursor_t *c) { return c->off == c->len; }

/* Records why (if no error is recorded yet). Always returns false. */
static inline bool cursor_fail(cursor_t *c, const char *why)
{
	if (c->err == NULL)
		c->err = why;
	return false;
}

/* Whether n more octets can be read; if not, fails the cursor with why. */
static inline bool cursor_need(cursor_t *c, size_t n, const char *why)
{
	if (c->err == NULL && c->off <= c->len && c->len - c->off >= n)
		return true;
	return cursor_fail(c, why);
}

/* An unsigned big-endian number of n octets (1..8). On a short read: 0, and err is miekg's
 * "dns: overflow unpacking uint8/16/32/64", or "uint64 as uint48" for n = 6. */
static inline uint64_t cursor_uint(cursor_t *c, size_t n)
{
	static const char *const why[9] = {
		[1] = "dns: overflow unpacking uint8",  [2] = "dns: overflow unpacking uint16",
		[3] = "dns: overflow unpacking uint24", [4] = "dns: overflow unpacking uint32",
		[5] = "dns: overflow unpacking uint40", [6] = "dns: overflow unpacking uint64 as uint48",
		[7] = "dns: overflow unpacking uint56", [8] = "dns: overflow unpacking uint64",
	};
	if (n == 0 || n > 8 || !cursor_need(c, n, why[n]))
		return 0;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = v << 8 | c->buf[c->off + i];
	c->off += n;
	return v;
}

static inline uint8_t cursor_u8(cursor_t *c)
{
	if (!cursor_need(c, 1, "dns: overflow unpacking uint8"))
		return 0;
	return c->buf[c->off++];
}

static inline uint16_t cursor_u16(cursor_t *c)
{
	if (!cursor_need(c, 2, "dns: overflow unpacking uint16"))
		return 0;
	const uint8_t *p = c->buf + c->off;
	c->off += 2;
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t cursor_u32(cursor_t *c)
{
	if (!cursor_need(c, 4, "dns: overflow unpacking uint32"))
		return 0;
	const uint8_t *p = c->buf + c->off;
	c->off += 4;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Pointer to the next n octets (borrowed from buf), moving past them; NULL on a short read
 * (err "dns: buffer size too small"). n = 0 gives a valid pointer. */
static inline const uint8_t *cursor_bytes(cursor_t *c, size_t n)
{
	if (!cursor_need(c, n, "dns: buffer size too small"))
		return NULL;
	const uint8_t *p = c->buf + c->off;
	c->off += n;
	return p;
}

/* Moves past n octets (err "dns: buffer size too small" if they are not there). */
static inline void cursor_skip(cursor_t *c, size_t n)
{
	(void)cursor_bytes(c, n);
}

/* The writing side, for a buffer whose size the caller has checked: v big-endian at p. */
static inline void cursor_write_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void cursor_write_u32(uint8_t *p, uint32_t v)
{
	cursor_write_u16(p, (uint16_t)(v >> 16));
	cursor_write_u16(p + 2, (uint16_t)v);
}

/* Reads the name at the position into out (may be NULL: only checked and skipped) as
 * uncompressed wire labels, case preserved, and moves past its first occurrence. Returns the wire
 * length (1..255), or 0 on failure with err set to miekg's text ("dns: buffer size too small",
 * "dns: too many compression pointers", "dns: domain name exceeded 255 wire-format octets",
 * "dns: bad rdata" for the 0x40/0x80 label types). */
size_t cursor_name(cursor_t *c, uint8_t out[CURSOR_MAX_NAME]);

/* The same over buf[0..len) from off without a cursor, as miekg's UnpackDomainName: at most 126
 * pointers; labels with their length octets sum to < 255. Returns the wire length or NSP_EMALFORMED
 * (*why, may be NULL, gets the text); *next (may be NULL) gets the offset past the first occurrence.
 * out may be NULL. rrtext calls it with len = the end of an RR's rdata, because miekg unpacks
 * rdata from a message cut at that point. */
int cursor_name_unpack(const uint8_t *buf, size_t len, size_t off, uint8_t out[CURSOR_MAX_NAME],
                       size_t *next, const char **why);
