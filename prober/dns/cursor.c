/* cursor -- the out-of-line part of the wire reader: names, with miekg/dns 1.1.50's rules. */
#include "dns/cursor.h"

#include <string.h>

#include "lib/errors.h"

/* miekg msg.go: maxCompressionPointers = (maxDomainNameWireOctets+1)/2 - 2 */
#define MAX_POINTERS ((CURSOR_MAX_NAME + 1) / 2 - 2)

#define E_BUF       "dns: buffer size too small"
#define E_LONG      "dns: domain name exceeded 255 wire-format octets"
#define E_POINTERS  "dns: too many compression pointers"
#define E_RDATA     "dns: bad rdata"

int cursor_name_unpack(const uint8_t *buf, size_t len, size_t off, uint8_t out[CURSOR_MAX_NAME],
                       size_t *next, const char **why)
{
	uint8_t scratch[CURSOR_MAX_NAME];
	if (out == NULL)
		out = scratch;
	const char *err = NULL;
	size_t w = 0;          /* octets written to out */
	int budget = CURSOR_MAX_NAME;
	int pointers = 0;
	size_t after = 0;      /* offset after the first pointer */

	for (;;) {
		if (off >= len) {
			err = E_BUF;
			goto fail;
		}
		uint8_t c = buf[off++];
		switch (c & 0xC0) {
		case 0x00:
			if (c == 0)
				goto done;
			if (c > len - off) {
				err = E_BUF;
				goto fail;
			}
			budget -= c + 1;
			if (budget <= 0) {
				err = E_LONG;
				goto fail;
			}
			/* budget > 0 keeps w + c + 1 below CURSOR_MAX_NAME - 1 */
			out[w++] = c;
			memcpy(out + w, buf + off, c);
			w += c;
			off += c;
			break;
		case 0xC0:
			if (off >= len) {
				err = E_BUF;
				goto fail;
			}
			uint8_t c1 = buf[off++];
			if (pointers == 0)
				after = off;
			if (++pointers > MAX_POINTERS) {
				err = E_POINTERS;
				goto fail;
			}
			off = (size_t)(c & 0x3F) << 8 | c1;
			break;
		default:
			err = E_RDATA;
			goto fail;
		}
	}
done:
	out[w++] = 0;
	if (next)
		*next = pointers ? after : off;
	return (int)w;
fail:
	if (why)
		*why = err;
	return NSP_EMALFORMED;
}

size_t cursor_name(cursor_t *c, uint8_t out[CURSOR_MAX_NAME])
{
	size_t next = 0;
	if (c->err)
		return 0;
	int n = cursor_name_unpack(c->buf, c->len, c->off, out, &next, &c->err);
	if (n < 0)
		return 0;
	c->off = next;
	return (size_t)n;
}
