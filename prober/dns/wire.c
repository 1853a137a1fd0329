/* wire -- the query we send, and a bounds-checked parse of the answer with miekg/dns 1.1.50 rules.
 *
 * blackbox_exporter 0.23 unpacks answers with miekg/dns 1.1.50 (msg.go Msg.Unpack), and whether that
 * succeeds decides probe_dns_query_succeeded. So the parser copies its rules, quirks included:
 *  - a message of exactly 12 bytes is a header only, whatever its counts say;
 *  - a question cut after its name (or after its type) is kept with zero type/class;
 *  - an RR that would start at the end of the message ends its section silently (counts that lie);
 *  - compression pointers may point anywhere, forward too; at most 126 are followed per name;
 *  - the rdata of an RR is unpacked from the message cut at the end of that rdata, so a name in
 *    rdata cannot point past its own RR (rrtext does that part, with cursor_name_unpack).
 * Every read goes through the cursor (dns/cursor.h), whose error is sticky; nothing here allocates.
 */
#include "dns/wire.h"

#include <string.h>

#include "dns/cursor.h"
#include "dns/dnstab.h"
#include "lib/errors.h"

#define E_SHORT     "dns: short read"
#define E_OVERFLOW  "dns: overflowing header size"

/* ------------------------------------------------------------------------------------------------
 * Names */

int wire_name_read(const wire_msg_t *m, size_t off, uint8_t out[WIRE_MAX_NAME], size_t *next)
{
	return cursor_name_unpack(m->buf, m->len, off, out, next, NULL);
}

/* ------------------------------------------------------------------------------------------------
 * Query */

int wire_name_from_text(const char *s, uint8_t out[WIRE_MAX_NAME])
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

int wire_query_write(const wire_query_t *q, uint8_t *out, size_t cap)
{
	uint8_t name[WIRE_MAX_NAME];
	int nlen = wire_name_from_text(q->qname ? q->qname : "", name);
	if (nlen < 0)
		return nlen;

	size_t need = WIRE_HEADER_SIZE + (size_t)nlen + 4;
	size_t optlen = q->edns ? 11 + (q->edns_nsid ? 4 : 0) : 0;
	need += optlen;
	if (need > cap)
		return NSP_ENOSPC;

	memset(out, 0, WIRE_HEADER_SIZE);
	cursor_write_u16(out, q->id);
	cursor_write_u16(out + 2, q->rd ? WIRE_FLAG_RD : 0);
	cursor_write_u16(out + 4, 1);
	cursor_write_u16(out + 10, q->edns ? 1 : 0);
	size_t off = WIRE_HEADER_SIZE;
	memcpy(out + off, name, (size_t)nlen);
	off += (size_t)nlen;
	cursor_write_u16(out + off, q->qtype);
	cursor_write_u16(out + off + 2, q->qclass);
	off += 4;
	if (q->edns) {
		/* RFC 6891 6.1.2: root owner, TYPE 41, CLASS = UDP size, TTL = ext-rcode|version|DO|Z */
		out[off] = 0;
		cursor_write_u16(out + off + 1, DNS_TYPE_OPT);
		cursor_write_u16(out + off + 3, q->edns_udp_size);
		out[off + 5] = 0;
		out[off + 6] = 0;
		cursor_write_u16(out + off + 7, q->edns_do ? 0x8000 : 0);
		cursor_write_u16(out + off + 9, q->edns_nsid ? 4 : 0);
		off += 11;
		if (q->edns_nsid) {
			cursor_write_u16(out + off, 3);  /* RFC 5001: NSID, empty in a query */
			cursor_write_u16(out + off + 2, 0);
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

	cursor_t c = cursor_make(buf, len);
	msg->id = cursor_u16(&c);
	msg->flags = cursor_u16(&c);
	uint16_t counts[4];
	for (int i = 0; i < 4; i++)
		counts[i] = cursor_u16(&c);
	msg->opcode = (uint8_t)((msg->flags >> 11) & 0xF);
	msg->rcode = msg->flags & 0xF;

	/* msg.go unpack: "If we are at the end of the message we should return *just* the header" */
	if (cursor_at_end(&c))
		return 0;

	for (unsigned i = 0; i < counts[0]; i++) {
		size_t start = c.off;
		cursor_name(&c, NULL);
		if (c.err)
			return parse_fail(msg, c.err);
		uint16_t qtype = 0, qclass = 0;
		if (!cursor_at_end(&c)) {
			qtype = cursor_u16(&c);
			if (c.err)
				return parse_fail(msg, c.err);
			if (!cursor_at_end(&c)) {
				/* unpackQuestion drops an error on the class when it lands on the end */
				qclass = cursor_u16(&c);
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
			if (cursor_at_end(&c))
				break;
			wire_rr_t rr = { .owner = (uint16_t)c.off };
			cursor_name(&c, NULL);
			rr.type = cursor_u16(&c);
			rr.rclass = cursor_u16(&c);
			rr.ttl = cursor_u32(&c);
			rr.rdlen = cursor_u16(&c);
			if (c.err)
				return parse_fail(msg, c.err);
			if (rr.rdlen > c.len - c.off)
				return parse_fail(msg, E_OVERFLOW);
			rr.rdata = (uint16_t)c.off;
			cursor_skip(&c, rr.rdlen);
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
		if (add[i - 1].type == DNS_TYPE_OPT) {
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
	cursor_t c = cursor_at(buf, len, 2);
	uint16_t flags = cursor_u16(&c);
	uint16_t qdcount = cursor_u16(&c);
	return (flags & WIRE_FLAG_QR) && qdcount == 0 && !rcode_needs_question[flags & 0xF];
}
