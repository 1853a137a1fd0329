/* wire -- the query we send, and a bounds-checked parse of the answer with miekg/dns 1.1.50 rules.
 *
 * blackbox_exporter 0.23 unpacks answers with miekg/dns 1.1.50 (msg.go Msg.Unpack), and whether that
 * succeeds decides probe_dns_query_succeeded. So the parser copies its rules, quirks included:
 *  - a message of exactly 12 bytes is a header only, whatever its counts say;
 *  - a question cut after its name (or after its type) is kept with zero type/class;
 *  - an RR that would start at the end of the message ends its section silently (counts that lie);
 *  - compression pointers may point anywhere, forward too; at most 126 are followed per name;
 *  - the rdata of an RR is unpacked from the message cut at the end of that rdata, so a name in
 *    rdata cannot point past its own RR (rrtext does that part, with wire_name_unpack).
 * Every read goes through a cursor with a sticky error (Knot's wire_ctx); nothing here allocates.
 */
#include "dns/wire.h"

#include <string.h>

#include "lib/errors.h"

/* miekg msg.go: maxCompressionPointers = (maxDomainNameWireOctets+1)/2 - 2 */
#define MAX_POINTERS ((WIRE_MAX_NAME + 1) / 2 - 2)

#define E_SHORT     "dns: short read"
#define E_BUF       "dns: buffer size too small"
#define E_LONG      "dns: domain name exceeded 255 wire-format octets"
#define E_POINTERS  "dns: too many compression pointers"
#define E_RDATA     "dns: bad rdata"
#define E_U16       "dns: overflow unpacking uint16"
#define E_U32       "dns: overflow unpacking uint32"
#define E_OVERFLOW  "dns: overflowing header size"

/* A read cursor over buf[0..len). After the first failure `err` holds miekg's text and every later
 * read returns 0 without moving. */
typedef struct cursor {
	const uint8_t *buf;
	size_t len;
	size_t off;
	const char *err;
} cursor_t;

static bool cur_has(const cursor_t *c, size_t n)
{
	return c->err == NULL && c->off <= c->len && c->len - c->off >= n;
}

static uint16_t cur_u16(cursor_t *c)
{
	if (!cur_has(c, 2)) {
		if (!c->err)
			c->err = E_U16;
		return 0;
	}
	uint16_t v = (uint16_t)(c->buf[c->off] << 8 | c->buf[c->off + 1]);
	c->off += 2;
	return v;
}

static uint32_t cur_u32(cursor_t *c)
{
	if (!cur_has(c, 4)) {
		if (!c->err)
			c->err = E_U32;
		return 0;
	}
	uint32_t v = (uint32_t)c->buf[c->off] << 24 | (uint32_t)c->buf[c->off + 1] << 16 |
	             (uint32_t)c->buf[c->off + 2] << 8 | (uint32_t)c->buf[c->off + 3];
	c->off += 4;
	return v;
}

static bool cur_at_end(const cursor_t *c)
{
	return c->off == c->len;
}

/* ------------------------------------------------------------------------------------------------
 * Names */

int wire_name_unpack(const uint8_t *buf, size_t len, size_t off, uint8_t out[WIRE_MAX_NAME],
                     size_t *next, const char **why)
{
	const char *err = NULL;
	size_t w = 0;          /* octets written to out */
	int budget = WIRE_MAX_NAME;
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
			/* budget > 0 keeps w + c + 1 below WIRE_MAX_NAME - 1 */
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

int wire_name_read(const wire_msg_t *m, size_t off, uint8_t out[WIRE_MAX_NAME], size_t *next)
{
	return wire_name_unpack(m->buf, m->len, off, out, next, NULL);
}

/* Moves the cursor past the name at its offset (checking it as UnpackDomainName does). */
static void cur_name(cursor_t *c)
{
	uint8_t tmp[WIRE_MAX_NAME];
	size_t next = 0;
	if (c->err)
		return;
	if (wire_name_unpack(c->buf, c->len, c->off, tmp, &next, &c->err) < 0)
		return;
	c->off = next;
}

/* ------------------------------------------------------------------------------------------------
 * Query */

/* Appends the presentation-form name `s` to out as wire labels. Returns the wire length or
 * NSP_EINVAL. */
static int name_from_text(const char *s, uint8_t out[WIRE_MAX_NAME])
{
	size_t n = strlen(s);
	size_t w = 0;          /* wire octets written */
	size_t label = 0;      /* position of the current label's length octet */
	size_t llen = 0;

	if (n == 0 || (n == 1 && s[0] == '.')) {
		out[0] = 0;
		return 1;
	}
	out[w++] = 0;          /* length octet of the first label, set when it closes */
	for (size_t i = 0; i < n; i++) {
		uint8_t b;
		if (s[i] == '.') {
			/* miekg packDomainName: leading dots and "a..b" are ErrRdata */
			if (llen == 0)
				return NSP_EINVAL;
			out[label] = (uint8_t)llen;
			if (i + 1 == n)
				goto root;
			if (w >= WIRE_MAX_NAME)
				return NSP_EINVAL;
			label = w;
			out[w++] = 0;
			llen = 0;
			continue;
		}
		if (s[i] == '\\') {
			if (i + 1 >= n)
				return NSP_EINVAL;   /* a lone final backslash escapes the root dot miekg adds */
			if (i + 3 < n + 0 && s[i + 1] >= '0' && s[i + 1] <= '9' && s[i + 2] >= '0' &&
			    s[i + 2] <= '9' && s[i + 3] >= '0' && s[i + 3] <= '9') {
				unsigned v = (unsigned)(s[i + 1] - '0') * 100 + (unsigned)(s[i + 2] - '0') * 10 +
				             (unsigned)(s[i + 3] - '0');
				if (v > 255)
					return NSP_EINVAL;
				b = (uint8_t)v;
				i += 3;
			} else {
				b = (uint8_t)s[i + 1];
				i += 1;
			}
		} else {
			b = (uint8_t)s[i];
		}
		if (llen >= 63 || w >= WIRE_MAX_NAME)
			return NSP_EINVAL;
		out[w++] = b;
		llen++;
	}
	/* no final dot: close the last label */
	out[label] = (uint8_t)llen;
root:
	if (w >= WIRE_MAX_NAME)
		return NSP_EINVAL;
	out[w++] = 0;
	return (int)w;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

int wire_query_write(const wire_query_t *q, uint8_t *out, size_t cap)
{
	uint8_t name[WIRE_MAX_NAME];
	int nlen = name_from_text(q->qname ? q->qname : "", name);
	if (nlen < 0)
		return nlen;

	size_t need = WIRE_HEADER_SIZE + (size_t)nlen + 4;
	size_t optlen = q->edns ? 11 + (q->edns_nsid ? 4 : 0) : 0;
	need += optlen;
	if (need > cap)
		return NSP_ENOSPC;

	memset(out, 0, WIRE_HEADER_SIZE);
	put16(out, q->id);
	put16(out + 2, q->rd ? WIRE_FLAG_RD : 0);
	put16(out + 4, 1);
	put16(out + 10, q->edns ? 1 : 0);
	size_t off = WIRE_HEADER_SIZE;
	memcpy(out + off, name, (size_t)nlen);
	off += (size_t)nlen;
	put16(out + off, q->qtype);
	put16(out + off + 2, q->qclass);
	off += 4;
	if (q->edns) {
		/* RFC 6891 6.1.2: root owner, TYPE 41, CLASS = UDP size, TTL = ext-rcode|version|DO|Z */
		out[off] = 0;
		put16(out + off + 1, 41);
		put16(out + off + 3, q->edns_udp_size);
		out[off + 5] = 0;
		out[off + 6] = 0;
		put16(out + off + 7, q->edns_do ? 0x8000 : 0);
		put16(out + off + 9, q->edns_nsid ? 4 : 0);
		off += 11;
		if (q->edns_nsid) {
			put16(out + off, 3);  /* RFC 5001: NSID, empty in a query */
			put16(out + off + 2, 0);
			off += 4;
		}
	}
	return (int)off;
}

/* ------------------------------------------------------------------------------------------------
 * Parse */

static int parse_fail(wire_msg_t *msg, const char *why)
{
	msg->error = why;
	return NSP_EMALFORMED;
}

int wire_parse(const uint8_t *buf, size_t len, wire_rr_t *rrs, size_t cap, wire_msg_t *msg)
{
	memset(msg, 0, sizeof(*msg));
	msg->buf = buf;
	msg->len = len;
	msg->rrs = rrs;
	if (len > 65535)
		return NSP_EINVAL;
	/* miekg client.go: a reply shorter than the header is ErrShortRead before Unpack runs */
	if (len < WIRE_HEADER_SIZE)
		return parse_fail(msg, E_SHORT);

	cursor_t c = { .buf = buf, .len = len };
	msg->id = cur_u16(&c);
	msg->flags = cur_u16(&c);
	uint16_t counts[4];
	for (int i = 0; i < 4; i++)
		counts[i] = cur_u16(&c);
	msg->opcode = (uint8_t)((msg->flags >> 11) & 0xF);
	msg->rcode = msg->flags & 0xF;

	/* msg.go unpack: "If we are at the end of the message we should return *just* the header" */
	if (cur_at_end(&c))
		return 0;

	for (unsigned i = 0; i < counts[0]; i++) {
		size_t start = c.off;
		cur_name(&c);
		if (c.err)
			return parse_fail(msg, c.err);
		uint16_t qtype = 0, qclass = 0;
		if (!cur_at_end(&c)) {
			qtype = cur_u16(&c);
			if (c.err)
				return parse_fail(msg, c.err);
			if (!cur_at_end(&c)) {
				/* unpackQuestion drops an error on the class when it lands on the end */
				qclass = cur_u16(&c);
				if (c.err) {
					c.err = NULL;
					c.off = c.len;
					qclass = 0;
				}
			}
		}
		if (msg->qdcount == 0) {
			msg->question = (uint16_t)start;
			msg->qtype = qtype;
			msg->qclass = qclass;
		}
		msg->qdcount++;
	}

	size_t n = 0;
	for (int s = 0; s < WIRE_SECTIONS; s++) {
		for (unsigned i = 0; i < counts[1 + s]; i++) {
			/* unpackRRslice: an RR that starts at the end means the count lied */
			if (cur_at_end(&c))
				break;
			wire_rr_t rr = { .owner = (uint16_t)c.off };
			cur_name(&c);
			rr.type = cur_u16(&c);
			rr.rclass = cur_u16(&c);
			rr.ttl = cur_u32(&c);
			rr.rdlen = cur_u16(&c);
			if (c.err)
				return parse_fail(msg, c.err);
			if (rr.rdlen > c.len - c.off)
				return parse_fail(msg, E_OVERFLOW);
			rr.rdata = (uint16_t)c.off;
			c.off += rr.rdlen;
			if (n >= cap)
				return NSP_ENOSPC;
			rrs[n++] = rr;
			msg->count[s]++;
		}
	}

	/* defaults.go IsEdns0: the last OPT of the additional section; msg.go: Rcode |= ext << 4 */
	size_t nadd;
	const wire_rr_t *add = wire_section(msg, WIRE_ADDITIONAL, &nadd);
	for (size_t i = nadd; i > 0; i--) {
		if (add[i - 1].type == 41) {
			msg->opt = &add[i - 1];
			msg->rcode |= (uint16_t)((msg->opt->ttl >> 24) << 4);
			break;
		}
	}
	return 0;
}

/* The rcodes that must come with the question they answer: Unbound drops a reply without one
 * ("make sure that a query is echoed back when NOERROR or NXDOMAIN ... a forgery resistance
 * feature", iterator/iter_scrub.c scrub_message). Any other rcode is an error about the request. */
static const bool rcode_needs_question[16] = {
	[0] = true,     /* NOERROR */
	[3] = true,     /* NXDOMAIN */
	[6] = true,     /* YXDOMAIN */
};

bool wire_is_error_without_question(const uint8_t *buf, size_t len)
{
	if (len < WIRE_HEADER_SIZE)
		return false;
	uint16_t flags = (uint16_t)(buf[2] << 8 | buf[3]);
	uint16_t qdcount = (uint16_t)(buf[4] << 8 | buf[5]);
	return (flags & WIRE_FLAG_QR) && qdcount == 0 && !rcode_needs_question[flags & 0xF];
}
