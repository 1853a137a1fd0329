/* rrtext -- resource records and messages as text, byte-identical to miekg/dns 1.1.50 String().
 *
 * blackbox_exporter's regexes run over miekg's RR.String() of the *unpacked* record, so this file
 * copies two things from miekg 1.1.50: how each type's rdata is unpacked (zmsg.go, msg_helpers.go,
 * svcb.go, edns.go; an rdata that does not fit fails the whole message) and how it is printed
 * (types.go, svcb.go, edns.go, tsig.go).
 *
 * Both are driven by one per-type table (`specs`, at the end of the printers). Unpacking follows
 * the type's field list, read like zmsg.go: each field is
 * unpacked in turn from the message cut at the end of the rdata; where zmsg.go says
 * `if off == len(msg) { return off, nil }` the list has a '|', and the fields after it keep Go's
 * zero value (0, "", nil) when the rdata ends there. An rdlength of 0 leaves every field zero
 * (msg.go noRdata). Types with no Go struct in 1.1.50 print in RFC 3597 form.
 */
#include "dns/rrtext.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dns/base32.h"
#include "dns/cursor.h"
#include "dns/dnstab.h"
#include "lib/errors.h"

/* Field kinds of a spec string:
 *   b u8   w u16   l u32   6 uint48   q u64   a IPv4   A IPv6   n domain name   s character-string
 *   (S the same, printed quoted) *   t character-strings to the end   o octets to the end   x hex to the end (printed in upper case,
 *   as miekg prints DS digests)   h the same, printed in lower case   B base64 to the end
 *   X<i> hex, Y<i> base64, H<i> base32 of the length held by field i   m NSEC type bitmap
 *   v SVCB pairs   p APL prefixes   e EDNS0 options   N domain names to the end
 *   | after a field: stop quietly if the rdata ends here. */
#define MAX_FIELDS 12

typedef struct field {
	bool set;
	uint64_t v;      /* numbers */
	size_t off;      /* where the field starts in the message */
	size_t len;      /* its octets (not for names) */
} field_t;

/* One RR being unpacked: the message cut at the end of the rdata, and the decoded fields. */
typedef struct rrdec {
	cursor_t c;      /* over the message cut at the end of the rdata (c.len is that end) */
	const wire_rr_t *rr;
	const char *spec;
	field_t f[MAX_FIELDS];
} rrdec_t;

/* One row of the per-type table (`specs`, after the printers): how the type's rdata unpacks and
 * how it prints. */
typedef struct rrspec {
	uint16_t type;
	const char *spec;                              /* the field kinds above */
	void (*print)(buf_t *o, const rrdec_t *d);     /* the rdata text; NULL: none */
	const char *prefix;                            /* text before the RR header, or NULL */
	bool alone;                                    /* no RR header (OPT's pseudosection) */
} rrspec_t;

static const rrspec_t *spec_of(uint16_t type);

static bool ipv4_mapped(const uint8_t *p)
{
	static const uint8_t pre[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	return memcmp(p, pre, 12) == 0;
}

/* ------------------------------------------------------------------------------------------------
 * Unpack checks for the variable parts (msg_helpers.go, svcb.go, edns.go) */

#define E_BUF "dns: buffer size too small"
#define E_TXT "dns: overflow unpacking txt"

/* Reads the next (code, length, value) record of c, each a 16-bit field and the value the length
 * says: how SVCB params (RFC 9460 2.2) and EDNS options (RFC 6891 6.1.2) are written, checked and
 * printed below. Returns false if the record runs past the end of c (a header cut short too).
 * The NSEC type bitmap's (window, length) blocks and APL's items are not such records: miekg
 * checks a block's header before its length, and an APL item's length shares an octet with its
 * negation bit, so those two walk their own cursor. */
typedef struct record {
	uint16_t code;
	size_t len;
	const uint8_t *value;
} record_t;

static bool record_read(cursor_t *c, record_t *r)
{
	r->code = cursor_u16(c);
	r->len = cursor_u16(c);
	r->value = cursor_bytes(c, r->len);
	return r->value != NULL;
}

/* Checks the records of p[0..n) in order: `overflow` if one runs past the end, else the first
 * error check gives one, else (with `disorder` set) `disorder` if the codes do not strictly
 * increase. */
static const char *check_records(const uint8_t *p, size_t n, const char *overflow, const char *disorder,
                                 const char *(*check)(uint16_t code, const uint8_t *v, size_t len))
{
	long prev = -1;
	for (cursor_t c = cursor_make(p, n); !cursor_at_end(&c);) {
		record_t r;
		if (!record_read(&c, &r))
			return overflow;
		const char *e = check(r.code, r.value, r.len);
		if (e)
			return e;
		if (disorder && r.code <= prev)
			return disorder;
		prev = r.code;
	}
	return NULL;
}

/* unpackDataNsec */
static const char *check_bitmap(const uint8_t *p, size_t n)
{
	cursor_t c = cursor_make(p, n);
	int last = -1;
	while (!cursor_at_end(&c)) {
		if (cursor_left(&c) < 2)
			return "dns: overflow unpacking NSEC(3)";
		int window = cursor_u8(&c);
		size_t length = cursor_u8(&c);
		if (window <= last)
			return "dns: out of order NSEC(3) block in type bitmap";
		if (length == 0)
			return "dns: empty NSEC(3) block in type bitmap";
		if (length > 32)
			return "dns: NSEC(3) block too long in type bitmap";
		if (length > cursor_left(&c))
			return "dns: overflowing NSEC(3) block in type bitmap";
		cursor_skip(&c, length);
		last = window;
	}
	return NULL;
}

/* svcb.go: one key's value */
static const char *check_svcb_value(uint16_t key, const uint8_t *p, size_t n)
{
	switch (key) {
	case 0:
		if (n % 2)
			return "dns: svcbmandatory: value length is not a multiple of 2";
		return NULL;
	case 1:
		for (cursor_t c = cursor_make(p, n); !cursor_at_end(&c);) {
			size_t l = cursor_u8(&c);
			if (!cursor_need(&c, l, "dns: svcbalpn: alpn array overflowing"))
				return "dns: svcbalpn: alpn array overflowing";
			cursor_skip(&c, l);
		}
		return NULL;
	case 2:
		return n ? "dns: svcbnodefaultalpn: no-default-alpn must have no value" : NULL;
	case 3:
		return n != 2 ? "dns: svcbport: port length is not exactly 2 octets" : NULL;
	case 4:
		if (n == 0 || n % 4)
			return "dns: svcbipv4hint: ipv4 address byte array length is not a multiple of 4";
		return NULL;
	case 6:
		if (n == 0 || n % 16)
			return "dns: svcbipv6hint: ipv6 address byte array length not a multiple of 16";
		for (size_t i = 0; i < n; i += 16)
			if (ipv4_mapped(p + i))
				return "dns: svcbipv6hint: expected ipv6, got ipv4";
		return NULL;
	case 65535:
		return "dns: bad SVCB key";
	default:
		return NULL;
	}
}

/* unpackDataSVCB */
static const char *check_svcb(const uint8_t *p, size_t n)
{
	return check_records(p, n, "dns: overflow unpacking SVCB",
	                     "dns: SVCB keys not in strictly increasing order", check_svcb_value);
}

/* unpackDataApl */
static const char *check_apl(const uint8_t *p, size_t n)
{
	cursor_t c = cursor_make(p, n);
	while (!cursor_at_end(&c)) {
		if (cursor_left(&c) < 4)
			return "dns: overflow unpacking APL prefix";
		uint16_t family = cursor_u16(&c);
		unsigned prefix = cursor_u8(&c);
		size_t afdlen = cursor_u8(&c) & 0x7f;
		size_t iplen;
		if (family == 1)
			iplen = 4;
		else if (family == 2)
			iplen = 16;
		else
			return "dns: unrecognized APL address family";
		if (prefix > 8 * iplen)
			return "dns: APL prefix too long";
		if (afdlen > iplen)
			return "dns: APL length too long";
		const uint8_t *addr = cursor_bytes(&c, afdlen);
		if (!addr)
			return "dns: overflow unpacking APL address";
		if (afdlen > 0 && addr[afdlen - 1] == 0)
			return "dns: extra APL address bits";
	}
	return NULL;
}

/* edns.go: one option's unpack */
static const char *check_option(uint16_t code, const uint8_t *p, size_t n)
{
	switch (code) {
	case 1: /* LLQ */
		return n < 18 ? E_BUF : NULL;
	case 2: /* UL */
		return (n == 4 || n == 8) ? NULL : E_BUF;
	case 8: { /* SUBNET */
		cursor_t c = cursor_make(p, n);
		uint16_t family = cursor_u16(&c);
		uint8_t source = cursor_u8(&c), scope = cursor_u8(&c);
		if (!cursor_ok(&c))
			return E_BUF;
		if (family == 0)
			return source != 0 ? "dns: bad address family" : NULL;
		if (family == 1)
			return (source > 32 || scope > 32) ? "dns: bad netmask" : NULL;
		if (family == 2)
			return (source > 128 || scope > 128) ? "dns: bad netmask" : NULL;
		return "dns: bad address family";
	}
	case 9: /* EXPIRE */
		return (n != 0 && n < 4) ? E_BUF : NULL;
	case 11: /* TCP KEEPALIVE; miekg appends the length it got */
		return (n == 0 || n == 2) ? NULL : "dns: length mismatch, want 0/2";
	case 15: /* EDE */
		return n < 2 ? E_BUF : NULL;
	default:
		return NULL;
	}
}

/* unpackDataOpt: at least one option (it is only called on a non-empty rdata) */
static const char *check_opt(const uint8_t *p, size_t n)
{
	return check_records(p, n, "dns: overflow unpacking opt", NULL, check_option);
}

/* ------------------------------------------------------------------------------------------------
 * Unpack one RR's rdata by its spec */

static void take(rrdec_t *d, field_t *f, size_t n)
{
	f->set = true;
	f->off = d->c.off;
	f->len = n;
	cursor_skip(&d->c, n);
}

static bool dec_name(rrdec_t *d)
{
	return cursor_name(&d->c, NULL) > 0;
}

static bool dec_field(rrdec_t *d, char kind, int idx, field_t *f)
{
	size_t n = 0, rest = d->c.len - d->c.off;
	const char *(*check)(const uint8_t *p, size_t n);

	switch (kind) {
	case 'b': n = 1; goto number;
	case 'w': n = 2; goto number;
	case 'l': n = 4; goto number;
	case '6': n = 6; goto number;
	case 'q': n = 8;
	number:
		f->set = true;
		f->off = d->c.off;
		f->len = n;
		f->v = cursor_uint(&d->c, n);
		return cursor_ok(&d->c);
	case 'a':
		if (!cursor_need(&d->c, 4, "dns: overflow unpacking a"))
			return false;
		take(d, f, 4);
		return true;
	case 'A':
		if (!cursor_need(&d->c, 16, "dns: overflow unpacking aaaa"))
			return false;
		take(d, f, 16);
		return true;
	case 'n':
		f->set = true;
		f->off = d->c.off;
		return dec_name(d);
	case 's':
	case 'S':
	{
		cursor_t s = d->c;
		n = cursor_u8(&s);
		if (!cursor_need(&s, n, E_TXT))
			return cursor_fail(&d->c, E_TXT);
		take(d, f, 1 + n);
		return true;
	}
	case 't':
		for (cursor_t s = d->c; !cursor_at_end(&s);) {
			size_t l = cursor_u8(&s);
			if (!cursor_need(&s, l, E_TXT))
				return cursor_fail(&d->c, E_TXT);
			cursor_skip(&s, l);
		}
		take(d, f, rest);
		return true;
	case 'o':
	case 'x':
	case 'h':
	case 'B':
		take(d, f, rest);
		return true;
	case 'X':
	case 'Y':
	case 'H':
		n = (size_t)d->f[idx].v;
		if (!cursor_need(&d->c, n, kind == 'X' ? "dns: overflow unpacking hex" :
		                kind == 'Y' ? "dns: overflow unpacking base64" :
		                              "dns: overflow unpacking base32"))
			return false;
		take(d, f, n);
		return true;
	/* the variable parts: the rest of the rdata, once its checker passes it */
	case 'm': check = check_bitmap; break;
	case 'v': check = check_svcb; break;
	case 'p': check = check_apl; break;
	case 'e': check = check_opt; break;
	case 'N':
		f->set = true;
		f->off = d->c.off;
		while (d->c.off < d->c.len)
			if (!dec_name(d))
				return false;
		f->len = d->c.off - f->off;
		return true;
	default:
		d->c.err = "dns: internal error";
		return false;
	}
	const char *e = check(d->c.buf + d->c.off, rest);
	if (e) {
		d->c.err = e;
		return false;
	}
	take(d, f, rest);
	return true;
}

/* UnpackRRWithHeader for a type with a spec. Returns 0 or NSP_EMALFORMED (d->c.err says why). */
static int rr_unpack(const wire_msg_t *m, const wire_rr_t *rr, const char *spec, rrdec_t *d)
{
	memset(d, 0, sizeof(*d));
	d->c = cursor_at(m->buf, (size_t)rr->rdata + rr->rdlen, rr->rdata);
	d->rr = rr;
	d->spec = spec;
	if (d->c.len > m->len) {
		d->c.err = "dns: overflowing header size";
		return NSP_EMALFORMED;
	}
	if (rr->rdlen == 0)
		return 0;
	int i = 0;
	for (const char *s = spec; *s; s++) {
		if (*s == '|') {
			if (d->c.off == d->c.len)
				return 0;
			continue;
		}
		char kind = *s;
		int idx = 0;
		if (kind == 'X' || kind == 'Y' || kind == 'H')
			idx = *++s - '0';
		if (i >= MAX_FIELDS || !dec_field(d, kind, idx, &d->f[i]))
			return NSP_EMALFORMED;
		i++;
	}
	if (d->c.off != d->c.len) {
		d->c.err = "dns: bad rdlength";
		return NSP_EMALFORMED;
	}
	return 0;
}

int rrtext_check(const wire_msg_t *m, const wire_rr_t *rr, const char **why)
{
	const rrspec_t *spec = spec_of(rr->type);
	rrdec_t d;
	if (!spec) {
		/* RFC3597: hex of the whole rdata; only the bounds can fail */
		if ((size_t)rr->rdata + rr->rdlen > m->len) {
			if (why)
				*why = "dns: overflowing header size";
			return NSP_EMALFORMED;
		}
		return 0;
	}
	if (rr_unpack(m, rr, spec->spec, &d) < 0) {
		if (why)
			*why = d.c.err;
		return NSP_EMALFORMED;
	}
	return 0;
}

/* ------------------------------------------------------------------------------------------------
 * Printing helpers (types.go) */

/* escapeByte: \DDD in decimal */
static void put_ddd(buf_t *o, uint8_t b)
{
	char s[4] = { '\\', (char)('0' + b / 100), (char)('0' + b / 10 % 10), (char)('0' + b % 10) };
	buf_append(o, s, 4);
}

/* One octet of presentation text: \DDD outside printable ASCII, else a backslash before it if it
 * is special where it stands, else itself. */
static void put_text_octet(buf_t *o, uint8_t b, bool special)
{
	if (b < ' ' || b > '~') {
		put_ddd(o, b);
	} else {
		if (special)
			buf_putc(o, '\\');
		buf_putc(o, (char)b);
	}
}

/* isDomainNameLabelSpecial */
static bool label_special(uint8_t b)
{
	switch (b) {
	case '.': case ' ': case '\'': case '@': case ';': case '(': case ')': case '"': case '\\':
		return true;
	default:
		return false;
	}
}

/* UnpackDomainName's text (sprintName leaves it as it is) of uncompressed wire labels */
static void put_wire_name(buf_t *o, const uint8_t *w)
{
	if (w[0] == 0) {
		buf_putc(o, '.');
		return;
	}
	for (size_t i = 0; w[i] != 0; i += (size_t)w[i] + 1) {
		for (size_t j = 1; j <= w[i]; j++)
			put_text_octet(o, w[i + j], label_special(w[i + j]));
		buf_putc(o, '.');
	}
}

static int put_name(buf_t *o, const uint8_t *buf, size_t end, size_t off, size_t *next)
{
	uint8_t w[WIRE_MAX_NAME];
	if (cursor_name_unpack(buf, end, off, w, next, NULL) < 0)
		return NSP_EMALFORMED;
	put_wire_name(o, w);
	return 0;
}

/* unpackString's escaping (then sprintTxt/writeTXTStringByte, which keeps it) */
static void put_esc(buf_t *o, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put_text_octet(o, p[i], p[i] == '"' || p[i] == '\\');
}

/* a <character-string> field (length octet at p[0]) */
static void put_cstr(buf_t *o, const uint8_t *buf, const field_t *f)
{
	if (f->set)
		put_esc(o, buf + f->off + 1, f->len - 1);
}

static void put_quoted_cstr(buf_t *o, const uint8_t *buf, const field_t *f)
{
	buf_putc(o, '"');
	put_cstr(o, buf, f);
	buf_putc(o, '"');
}

/* sprintTxt over the strings of a 't' field */
static void put_txt(buf_t *o, const uint8_t *buf, const field_t *f)
{
	if (!f->set)
		return;
	size_t end = f->off + f->len;
	for (size_t i = f->off; i < end; i += (size_t)buf[i] + 1) {
		buf_puts(o, i > f->off ? " \"" : "\"");
		put_esc(o, buf + i + 1, buf[i]);
		buf_putc(o, '"');
	}
}

/* sprintTxtOctet over raw octets: it decodes escapes that happen to be in the data */
static void put_octet(buf_t *o, const uint8_t *s, size_t n)
{
	buf_putc(o, '"');
	for (size_t i = 0; i < n;) {
		if (i + 1 < n && s[i] == '\\' && s[i + 1] == '.') {
			buf_append(o, s + i, 2);
			i += 2;
			continue;
		}
		uint8_t b;
		size_t k;
		if (s[i] != '\\') {
			b = s[i];
			k = 1;
		} else if (n - i == 1) {
			break;                 /* dangling backslash */
		} else if (n - i >= 4 && s[i + 1] >= '0' && s[i + 1] <= '9' && s[i + 2] >= '0' &&
		           s[i + 2] <= '9' && s[i + 3] >= '0' && s[i + 3] <= '9') {
			b = (uint8_t)((s[i + 1] - '0') * 100 + (s[i + 2] - '0') * 10 + (s[i + 3] - '0'));
			k = 4;
		} else {
			b = s[i + 1];
			k = 2;
		}
		put_esc(o, &b, 1);
		i += k;
	}
	buf_putc(o, '"');
}

static void put_hex(buf_t *o, const uint8_t *p, size_t n, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	if (buf_reserve(o, 2 * n) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		char s[2] = { digits[p[i] >> 4], digits[p[i] & 15] };
		buf_append(o, s, 2);
	}
}

static void put_b64(buf_t *o, const uint8_t *p, size_t n)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		char s[4] = { a[v >> 18 & 63], a[v >> 12 & 63], i + 1 < n ? a[v >> 6 & 63] : '=',
		              i + 2 < n ? a[v & 63] : '=' };
		buf_append(o, s, 4);
	}
}

static void put_ip4(buf_t *o, const uint8_t *p)
{
	for (int i = 0; i < 4; i++) {
		if (i)
			buf_putc(o, '.');
		buf_put_u64(o, p[i]);
	}
}

/* Go net.IP.String of 16 octets: v4-mapped as dotted quad, else RFC 5952-ish with the first longest
 * run of two or more zero groups as "::" */
static void put_ip6(buf_t *o, const uint8_t *p)
{
	if (ipv4_mapped(p)) {
		put_ip4(o, p + 12);
		return;
	}
	uint16_t group[8];
	cursor_t c = cursor_make(p, 16);
	for (int i = 0; i < 8; i++)
		group[i] = cursor_u16(&c);
	int e0 = -1, e1 = -1;
	for (int i = 0; i < 16; i += 2) {
		int j = i;
		while (j < 16 && p[j] == 0 && p[j + 1] == 0)
			j += 2;
		if (j > i && j - i > e1 - e0) {
			e0 = i;
			e1 = j;
			i = j;
		}
	}
	if (e1 - e0 <= 2)
		e0 = e1 = -1;
	for (int i = 0; i < 16; i += 2) {
		if (i == e0) {
			buf_puts(o, "::");
			i = e1;
			if (i >= 16)
				break;
		} else if (i > 0) {
			buf_putc(o, ':');
		}
		buf_printf(o, "%x", (unsigned)group[i / 2]);
	}
}

static void put_type(buf_t *o, uint16_t t)
{
	const char *s = dnstab_type_name(t);
	if (s)
		buf_puts(o, s);
	else
		buf_printf(o, "TYPE%u", t);
}

/* Class.String: a mnemonic only when it is not also a type name (so ANY is CLASS255) */
static void put_class(buf_t *o, uint16_t c)
{
	const char *s = dnstab_class_name(c);
	uint16_t t;
	if (s && !dnstab_type_from_name(s, &t))
		buf_puts(o, s);
	else
		buf_printf(o, "CLASS%u", c);
}

static void put_utc(buf_t *o, int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;
	if (!gmtime_r(&tt, &tm)) {
		buf_puts(o, "?");
		return;
	}
	buf_printf(o, "%04d%02d%02d%02d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	           tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* TimeToString: RFC 1982 serial arithmetic around the current time */
static void put_sigtime(buf_t *o, uint32_t t)
{
	const int64_t year68 = INT64_C(1) << 31;
	int64_t mod = ((int64_t)t - (int64_t)time(NULL)) / year68 - 1;
	if (mod < 0)
		mod = 0;
	put_utc(o, (int64_t)t - mod * year68);
}

static void put_bitmap(buf_t *o, const uint8_t *buf, const field_t *f)
{
	if (!f->set)
		return;
	const uint8_t *p = buf + f->off;
	for (size_t off = 0; off < f->len;) {
		unsigned window = p[off];
		size_t len = p[off + 1];
		off += 2;
		for (size_t j = 0; j < len; j++)
			for (int bit = 0; bit < 8; bit++)
				if (p[off + j] & (0x80 >> bit)) {
					buf_putc(o, ' ');
					put_type(o, (uint16_t)(window * 256 + j * 8 + (size_t)bit));
				}
		off += len;
	}
}

/* dnssec.go AlgorithmToString / HashToString; cert types of RFC 4398 */
static const char *alg_name(unsigned a)
{
	switch (a) {
	case 1: return "RSAMD5";
	case 2: return "DH";
	case 3: return "DSA";
	case 5: return "RSASHA1";
	case 6: return "DSA-NSEC3-SHA1";
	case 7: return "RSASHA1-NSEC3-SHA1";
	case 8: return "RSASHA256";
	case 10: return "RSASHA512";
	case 12: return "ECC-GOST";
	case 13: return "ECDSAP256SHA256";
	case 14: return "ECDSAP384SHA384";
	case 15: return "ED25519";
	case 16: return "ED448";
	case 252: return "INDIRECT";
	case 253: return "PRIVATEDNS";
	case 254: return "PRIVATEOID";
	default: return NULL;
	}
}

static const char *hash_name(unsigned h)
{
	static const char *const n[] = { NULL, "SHA1", "SHA256", "GOST94", "SHA384", "SHA512" };
	return h < 6 ? n[h] : NULL;
}

static const char *cert_type_name(unsigned t)
{
	static const char *const n[] = { NULL, "PKIX", "SPKI", "PGP", "IPIX", "ISPKI", "IPGP",
	                                 "ACPKIX", "IACPKIX" };
	if (t < 9)
		return n[t];
	return t == 253 ? "URI" : t == 254 ? "OID" : NULL;
}

static void put_name_or_num(buf_t *o, const char *name, uint64_t v)
{
	if (name)
		buf_puts(o, name);
	else
		buf_put_u64(o, v);
}

static void put_u(buf_t *o, uint64_t v)
{
	buf_put_u64(o, v);
}

/* LOC cmToM */
static void put_cm(buf_t *o, uint8_t v)
{
	unsigned m = v >> 4, e = v & 15;
	if (e < 2) {
		if (e == 1)
			m *= 10;
		buf_printf(o, "0.%02u", m);
		return;
	}
	buf_printf(o, "%u", m);
	for (; e > 2; e--)
		buf_putc(o, '0');
}

static void put_loc_angle(buf_t *o, uint32_t v, const char *pos, const char *neg)
{
	const uint32_t base = UINT32_C(1) << 31, deg = 60 * 60 * 1000, min = 60 * 1000;
	const char *dir = pos;
	if (v > base) {
		v -= base;
	} else {
		dir = neg;
		v = base - v;
	}
	uint32_t h = v / deg;
	v %= deg;
	uint32_t m = v / min;
	v %= min;
	buf_printf(o, "%02" PRIu32 " %02" PRIu32 " %" PRIu32 ".%03" PRIu32 " %s ", h, m, v / 1000,
	           v % 1000, dir);
}

static void print_loc(buf_t *o, const rrdec_t *d)
{
	put_loc_angle(o, (uint32_t)d->f[4].v, "N", "S");
	put_loc_angle(o, (uint32_t)d->f[5].v, "E", "W");
	uint32_t a = (uint32_t)d->f[6].v;
	double alt = (double)a / 100;
	alt -= 100000;
	if (a % 100 != 0)
		buf_printf(o, "%.2fm ", alt);
	else
		buf_printf(o, "%.0fm ", alt);
	put_cm(o, (uint8_t)d->f[1].v);
	buf_puts(o, "m ");
	put_cm(o, (uint8_t)d->f[2].v);
	buf_puts(o, "m ");
	put_cm(o, (uint8_t)d->f[3].v);
	buf_putc(o, 'm');
}

static void put_apl(buf_t *o, const uint8_t *buf, const field_t *f)
{
	if (!f->set)
		return;
	cursor_t c = cursor_make(buf + f->off, f->len);   /* checked by check_apl */
	for (size_t i = 0; !cursor_at_end(&c) && cursor_ok(&c); i++) {
		uint16_t family = cursor_u16(&c);
		unsigned prefix = cursor_u8(&c);
		uint8_t afd = cursor_u8(&c);
		bool neg = afd & 0x80;
		size_t afdlen = afd & 0x7f;
		uint8_t ip[16] = { 0 };
		const uint8_t *addr = cursor_bytes(&c, afdlen);
		if (addr && afdlen <= sizeof(ip))
			memcpy(ip, addr, afdlen);
		if (i > 0)
			buf_putc(o, ' ');
		if (neg)
			buf_putc(o, '!');
		if (family == 1) {
			buf_puts(o, "1:");
			put_ip4(o, ip);
		} else {
			buf_puts(o, "2:");
			if (ipv4_mapped(ip))
				buf_puts(o, "::ffff:");
			put_ip6(o, ip);
		}
		buf_printf(o, "/%u", prefix);
	}
}

/* svcbParamToStr */
static void put_svcb_param(buf_t *o, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put_text_octet(o, p[i], p[i] == '"' || p[i] == ';' || p[i] == ' ' || p[i] == '\\');
}

static void put_svcb_key(buf_t *o, uint16_t key)
{
	static const char *const names[] = { "mandatory", "alpn", "no-default-alpn", "port",
	                                     "ipv4hint", "ech", "ipv6hint", "dohpath" };
	if (key < 8)
		buf_puts(o, names[key]);
	else if (key != 65535)
		buf_printf(o, "key%u", key);
}

/* ipv4hint / ipv6hint: the addresses of `size` (4 or 16) octets each, comma-separated */
static void put_ip_list(buf_t *o, const uint8_t *v, size_t n, size_t size)
{
	for (size_t i = 0; i < n; i += size) {
		if (i)
			buf_putc(o, ',');
		if (size == 4)
			put_ip4(o, v + i);
		else
			put_ip6(o, v + i);
	}
}

/* One SVCB param: " key=\"value\"" */
static void put_svcb_pair(buf_t *o, uint16_t key, const uint8_t *v, size_t n)
{
	cursor_t vc = cursor_make(v, n);
	buf_putc(o, ' ');
	put_svcb_key(o, key);
	buf_puts(o, "=\"");
	switch (key) {
	case 0:
		for (size_t i = 0; !cursor_at_end(&vc); i++) {
			if (i)
				buf_putc(o, ',');
			put_svcb_key(o, cursor_u16(&vc));
		}
		break;
	case 1:
		for (size_t i = 0, k = 0; i < n; k++) {
			size_t l = v[i++];
			if (k)
				buf_putc(o, ',');
			for (size_t j = 0; j < l; j++) {
				uint8_t e = v[i + j];
				if (e == ',')
					buf_puts(o, "\\\\\\044");
				else if (e == '\\')
					buf_puts(o, "\\\\\\092");
				else
					put_text_octet(o, e, e == '"' || e == ';' || e == ' ');
			}
			i += l;
		}
		break;
	case 2:
		break;
	case 3:
		put_u(o, cursor_u16(&vc));
		break;
	case 4:
		put_ip_list(o, v, n, 4);
		break;
	case 5:
		put_b64(o, v, n);
		break;
	case 6:
		put_ip_list(o, v, n, 16);
		break;
	default:
		put_svcb_param(o, v, n);
		break;
	}
	buf_putc(o, '"');
}

static void put_svcb(buf_t *o, const uint8_t *buf, const field_t *f)
{
	if (!f->set)
		return;
	cursor_t c = cursor_make(buf + f->off, f->len);   /* checked by check_svcb */
	record_t r;
	while (!cursor_at_end(&c) && record_read(&c, &r))
		put_svcb_pair(o, r.code, r.value, r.len);
}

/* Go string(rune(c)) of one byte: UTF-8 of U+0000..U+00FF */
static void put_rune(buf_t *o, uint8_t c)
{
	if (c < 0x80) {
		buf_putc(o, (char)c);
	} else {
		char s[2] = { (char)(0xC0 | c >> 6), (char)(0x80 | (c & 0x3F)) };
		buf_append(o, s, 2);
	}
}

static void put_option(buf_t *o, uint16_t code, const uint8_t *p, size_t n)
{
	static const char *const ede[] = {
		"Other", "Unsupported DNSKEY Algorithm", "Unsupported DS Digest Type", "Stale Answer",
		"Forged Answer", "DNSSEC Indeterminate", "DNSSEC Bogus", "Signature Expired",
		"Signature Not Yet Valid", "DNSKEY Missing", "RRSIGs Missing", "No Zone Key Bit Set",
		"NSEC Missing", "Cached Error", "Not Ready", "Blocked", "Censored", "Filtered",
		"Prohibited", "Stale NXDOMAIN Answer", "Not Authoritative", "Not Supported",
		"No Reachable Authority", "Network Error", "Invalid Data",
	};
	switch (code) {
	case 3:
		buf_puts(o, "\n; NSID: ");
		put_hex(o, p, n, false);
		buf_puts(o, "  ");
		for (size_t i = 0; i < n; i++) {
			buf_putc(o, '(');
			put_rune(o, p[i]);
			buf_putc(o, ')');
		}
		break;
	case 8: {
		buf_puts(o, "\n; SUBNET: ");
		cursor_t c = cursor_make(p, n);   /* check_option: n >= 4 */
		uint16_t family = cursor_u16(&c);
		uint8_t source = cursor_u8(&c), scope = cursor_u8(&c);
		uint8_t ip[16] = { 0 };
		size_t k = n - 4;
		if (family == 0) {
			buf_puts(o, "0.0.0.0");
		} else if (family == 1) {
			memcpy(ip, p + 4, k < 4 ? k : 4);
			put_ip4(o, ip);
		} else {
			memcpy(ip, p + 4, k < 16 ? k : 16);
			if (ipv4_mapped(ip)) {
				put_ip6(o, ip);
			} else {
				buf_putc(o, '[');
				put_ip6(o, ip);
				buf_putc(o, ']');
			}
		}
		buf_printf(o, "/%u/%u", source, scope);
		break;
	}
	case 10:
		buf_puts(o, "\n; COOKIE: ");
		put_hex(o, p, n, false);
		break;
	case 11: {
		buf_puts(o, "\n; KEEPALIVE: use tcp keep-alive");
		cursor_t c = cursor_make(p, n);
		uint16_t t = n == 2 ? cursor_u16(&c) : 0;
		if (t == 0)
			buf_puts(o, ", timeout omitted");
		else
			buf_printf(o, ", timeout %ums", (unsigned)(uint16_t)(t * 100u));
		break;
	}
	case 2: {
		cursor_t c = cursor_make(p, n);   /* check_option: n is 4 or 8 */
		uint32_t lease = cursor_u32(&c);
		uint32_t key_lease = n == 8 ? cursor_u32(&c) : 0;
		buf_printf(o, "\n; UPDATE LEASE: %" PRIu32 " %" PRIu32, lease, key_lease);
		break;
	}
	case 1: {
		cursor_t c = cursor_make(p, n);   /* check_option: n >= 18 */
		uint16_t version = cursor_u16(&c), opcode = cursor_u16(&c), error = cursor_u16(&c);
		uint64_t id = cursor_uint(&c, 8);
		uint32_t lease = cursor_u32(&c);
		buf_printf(o, "\n; LONG LIVED QUERIES: %u %u %u %" PRIu64 " %" PRIu32, version, opcode,
		           error, id, lease);
		break;
	}
	case 5:
	case 6:
	case 7:
		buf_puts(o, code == 5 ? "\n; DNSSEC ALGORITHM UNDERSTOOD: " :
		            code == 6 ? "\n; DS HASH UNDERSTOOD: " : "\n; NSEC3 HASH UNDERSTOOD: ");
		for (size_t i = 0; i < n; i++) {
			buf_putc(o, ' ');
			put_name_or_num(o, code == 5 ? alg_name(p[i]) : hash_name(p[i]), p[i]);
		}
		break;
	case 9:
		break;  /* EDNS0_EXPIRE has no case in OPT.String */
	case 12:
		buf_puts(o, "\n; PADDING: ");
		put_hex(o, p, n, true);
		break;
	case 15: {
		cursor_t c = cursor_make(p, n);   /* check_option: n >= 2 */
		uint16_t info = cursor_u16(&c);
		buf_printf(o, "\n; EDE: %u", info);
		if (info < sizeof(ede) / sizeof(ede[0]))
			buf_printf(o, " (%s)", ede[info]);
		buf_puts(o, ": (");
		buf_append(o, p + 2, n - 2);
		buf_putc(o, ')');
		break;
	}
	case 4:
		buf_puts(o, "\n; ESU: ");
		buf_append(o, p, n);
		break;
	default:
		buf_printf(o, "\n; LOCAL OPT: %u:0x", code);
		put_hex(o, p, n, false);
		break;
	}
}

/* OPT.String */
static void put_opt(buf_t *o, const wire_rr_t *rr, const uint8_t *buf, const field_t *f)
{
	buf_printf(o, "\n;; OPT PSEUDOSECTION:\n; EDNS: version %u; flags: %s; udp: %u",
	           (unsigned)(rr->ttl >> 16 & 0xFF), (rr->ttl & 0x8000) ? "do" : "", rr->rclass);
	if (!f->set)
		return;
	cursor_t c = cursor_make(buf + f->off, f->len);   /* checked by check_opt */
	record_t r;
	while (!cursor_at_end(&c) && record_read(&c, &r))
		put_option(o, r.code, r.value, r.len);
}

/* NID/L64 "%0.16x" in four groups */
static void put_groups16(buf_t *o, uint64_t v, bool upper)
{
	char s[17];
	snprintf(s, sizeof(s), upper ? "%016" PRIX64 : "%016" PRIx64, v);
	buf_printf(o, "%.4s:%.4s:%.4s:%.4s", s, s + 4, s + 8, s + 12);
}

static void put_eui(buf_t *o, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--)
		buf_printf(o, i == bytes - 1 ? "%02x" : "-%02x", (unsigned)(v >> (8 * i) & 0xFF));
}

/* rfc3597Header + "\# <len> <hex>" */
static void put_rfc3597(buf_t *o, const wire_msg_t *m, const wire_rr_t *rr)
{
	put_name(o, m->buf, m->len, rr->owner, NULL);
	buf_printf(o, "\t%" PRIu32 "\tCLASS%u\tTYPE%u\t\\# %u ", rr->ttl, rr->rclass, rr->type, rr->rdlen);
	put_hex(o, m->buf + rr->rdata, rr->rdlen, false);
}

static void put_header(buf_t *o, const wire_msg_t *m, const wire_rr_t *rr)
{
	put_name(o, m->buf, m->len, rr->owner, NULL);
	buf_putc(o, '\t');
	buf_put_u64(o, rr->ttl);
	buf_putc(o, '\t');
	put_class(o, rr->rclass);
	buf_putc(o, '\t');
	put_type(o, rr->type);
	buf_putc(o, '\t');
}

/* a name field, or nothing when it is Go's "" */
static void put_fname(buf_t *o, const rrdec_t *d, int i)
{
	if (d->f[i].set)
		put_name(o, d->c.buf, d->c.len, d->f[i].off, NULL);
}

static void put_fnum(buf_t *o, const rrdec_t *d, int i)
{
	put_u(o, d->f[i].v);
}

static void put_fhex(buf_t *o, const rrdec_t *d, int i, bool upper)
{
	put_hex(o, d->c.buf + d->f[i].off, d->f[i].set ? d->f[i].len : 0, upper);
}

static void put_fb64(buf_t *o, const rrdec_t *d, int i)
{
	put_b64(o, d->c.buf + d->f[i].off, d->f[i].set ? d->f[i].len : 0);
}

/* "<pref> <name>" and friends: numbers then names, space separated, in field order */
static void put_fields(buf_t *o, const rrdec_t *d, const char *kinds)
{
	for (int i = 0; kinds[i]; i++) {
		if (i)
			buf_putc(o, ' ');
		if (kinds[i] == 'n')
			put_fname(o, d, i);
		else
			put_fnum(o, d, i);
	}
}

static void print_rrsig(buf_t *o, const rrdec_t *d)
{
	put_type(o, (uint16_t)d->f[0].v);
	buf_printf(o, " %" PRIu64 " %" PRIu64 " %" PRIu64 " ", d->f[1].v, d->f[2].v, d->f[3].v);
	put_sigtime(o, (uint32_t)d->f[4].v);
	buf_putc(o, ' ');
	put_sigtime(o, (uint32_t)d->f[5].v);
	buf_printf(o, " %" PRIu64 " ", d->f[6].v);
	put_fname(o, d, 7);
	buf_putc(o, ' ');
	put_fb64(o, d, 8);
}

/* ------------------------------------------------------------------------------------------------
 * The rdata part of RR.String(), one printer per types.go String method */

/* Numbers, names, hex and base64 in field order, space separated: "<pref> <name>", the SOA, SRV,
 * DS ("<tag> <alg> <type> <DIGEST>"), DNSKEY, TLSA, ... */
static void print_fields(buf_t *o, const rrdec_t *d)
{
	int i = 0;
	for (const char *s = d->spec; *s; s++) {
		if (*s == '|')
			continue;
		if (i)
			buf_putc(o, ' ');
		if (*s == 'n')
			put_fname(o, d, i);
		else if ((*s == 'a' || *s == 'A') && d->f[i].set)
			(*s == 'a' ? put_ip4 : put_ip6)(o, d->c.buf + d->f[i].off);
		else if (*s == 's' || *s == 'S')
			(*s == 's' ? put_cstr : put_quoted_cstr)(o, d->c.buf, &d->f[i]);
		else if (*s == 't')
			put_txt(o, d->c.buf, &d->f[i]);
		else if (*s == 'x' || *s == 'h')
			put_fhex(o, d, i, *s == 'x');
		else if (*s == 'B')
			put_fb64(o, d, i);
		else if (*s != 'a' && *s != 'A')
			put_fnum(o, d, i);
		i++;
	}
}

/* ";" + header + raw data; the ';' is the table's prefix */
static void print_null(buf_t *o, const rrdec_t *d)
{
	if (d->f[0].set)
		buf_append(o, d->c.buf + d->f[0].off, d->f[0].len);
}

static void print_naptr(buf_t *o, const rrdec_t *d)
{
	const field_t *f = d->f;
	buf_printf(o, "%" PRIu64 " %" PRIu64 " ", f[0].v, f[1].v);
	put_quoted_cstr(o, d->c.buf, &f[2]);
	buf_putc(o, ' ');
	put_quoted_cstr(o, d->c.buf, &f[3]);
	buf_putc(o, ' ');
	put_quoted_cstr(o, d->c.buf, &f[4]);
	buf_putc(o, ' ');
	put_fname(o, d, 5);
}

static void print_cert(buf_t *o, const rrdec_t *d)
{
	const field_t *f = d->f;
	put_name_or_num(o, cert_type_name((unsigned)f[0].v), f[0].v);
	buf_printf(o, " %" PRIu64 " ", f[1].v);
	put_name_or_num(o, alg_name((unsigned)f[2].v), f[2].v);
	buf_putc(o, ' ');
	put_fb64(o, d, 3);
}

/* hex split in 1024-character chunks (types.go splitN) */
static void print_smimea(buf_t *o, const rrdec_t *d)
{
	put_fields(o, d, "bbb");
	buf_putc(o, ' ');
	buf_t hx = BUF_INIT;
	put_fhex(&hx, d, 3, false);
	size_t len = hx.len;
	if (len < 1024) {
		buf_append(o, buf_str(&hx), len);
	} else {
		size_t p = 0;
		for (; p + 1024 <= len; p += 1024) {
			if (p)
				buf_putc(o, ' ');
			buf_append(o, hx.p + p, 1024);
		}
		buf_putc(o, ' ');
		buf_append(o, hx.p + p, len - p);
	}
	if (hx.oom)
		o->oom = true;
	buf_free(&hx);
}

static void print_nsec(buf_t *o, const rrdec_t *d)
{
	put_fname(o, d, 0);
	put_bitmap(o, d->c.buf, &d->f[1]);
}

static void print_nsec3param(buf_t *o, const rrdec_t *d)
{
	put_fields(o, d, "bbw");
	buf_putc(o, ' ');
	if (d->f[4].set && d->f[4].len)
		put_fhex(o, d, 4, true);
	else
		buf_putc(o, '-');
}

static void print_nsec3(buf_t *o, const rrdec_t *d)
{
	const field_t *f = d->f;
	print_nsec3param(o, d);
	buf_putc(o, ' ');
	if (f[6].set)
		base32hex_put(o, d->c.buf + f[6].off, f[6].len, true);
	put_bitmap(o, d->c.buf, &f[7]);
}

static void print_csync(buf_t *o, const rrdec_t *d)
{
	put_fields(o, d, "lw");
	put_bitmap(o, d->c.buf, &d->f[2]);
}

static void print_hip(buf_t *o, const rrdec_t *d)
{
	const field_t *f = d->f;
	put_fnum(o, d, 1);
	buf_putc(o, ' ');
	put_fhex(o, d, 3, false);
	buf_putc(o, ' ');
	put_fb64(o, d, 4);
	if (f[5].set)
		for (size_t off = f[5].off; off < f[5].off + f[5].len;) {
			buf_putc(o, ' ');
			if (put_name(o, d->c.buf, d->c.len, off, &off) < 0)
				break;
		}
}

static void print_apl(buf_t *o, const rrdec_t *d)
{
	put_apl(o, d->c.buf, &d->f[0]);
}

/* SVCB, HTTPS */
static void print_svcb(buf_t *o, const rrdec_t *d)
{
	put_fields(o, d, "wn");
	put_svcb(o, d->c.buf, &d->f[2]);
}

static void print_nid(buf_t *o, const rrdec_t *d)
{
	put_fnum(o, d, 0);
	buf_putc(o, ' ');
	put_groups16(o, d->f[1].v, false);
}

static void print_l64(buf_t *o, const rrdec_t *d)
{
	put_fnum(o, d, 0);
	buf_putc(o, ' ');
	put_groups16(o, d->f[1].v, true);
}

static void print_l32(buf_t *o, const rrdec_t *d)
{
	put_fnum(o, d, 0);
	if (d->f[1].set) {
		buf_putc(o, ' ');
		put_ip4(o, d->c.buf + d->f[1].off);
	}
}

static void print_eui48(buf_t *o, const rrdec_t *d)
{
	put_eui(o, d->f[0].v, 6);
}

static void print_eui64(buf_t *o, const rrdec_t *d)
{
	put_eui(o, d->f[0].v, 8);
}

static void print_uri(buf_t *o, const rrdec_t *d)
{
	const field_t *f = d->f;
	put_fields(o, d, "ww");
	buf_putc(o, ' ');
	put_octet(o, d->c.buf + f[2].off, f[2].set ? f[2].len : 0);
}

static void print_caa(buf_t *o, const rrdec_t *d)
{
	const field_t *f = d->f;
	put_fnum(o, d, 0);
	buf_putc(o, ' ');
	put_cstr(o, d->c.buf, &f[1]);
	buf_putc(o, ' ');
	put_octet(o, d->c.buf + f[2].off, f[2].set ? f[2].len : 0);
}

/* no presentation format; the ';' is the table's prefix */
static void print_tkey(buf_t *o, const rrdec_t *d)
{
	const field_t *f = d->f;
	buf_putc(o, ' ');
	put_fname(o, d, 0);
	buf_putc(o, ' ');
	put_sigtime(o, (uint32_t)f[1].v);
	buf_putc(o, ' ');
	put_sigtime(o, (uint32_t)f[2].v);
	buf_printf(o, " %" PRIu64 " %" PRIu64 " %" PRIu64 " ", f[3].v, f[4].v, f[5].v);
	put_fhex(o, d, 6, false);
	buf_printf(o, " %" PRIu64 " ", f[7].v);
	put_fhex(o, d, 8, false);
}

/* the pseudosection line is the table's prefix */
static void print_tsig(buf_t *o, const rrdec_t *d)
{
	const field_t *f = d->f;
	buf_putc(o, ' ');
	put_fname(o, d, 0);
	buf_putc(o, ' ');
	put_utc(o, (int64_t)f[1].v);
	buf_printf(o, " %" PRIu64 " %" PRIu64 " ", f[2].v, f[3].v);
	put_fhex(o, d, 4, true);
	buf_printf(o, " %" PRIu64 " %" PRIu64 " %" PRIu64 " ", f[5].v, f[6].v, f[7].v);
	put_fhex(o, d, 8, false);
}

/* OPT.String stands alone: no RR header */
static void print_opt(buf_t *o, const rrdec_t *d)
{
	put_opt(o, d->rr, d->c.buf, &d->f[0]);
}

/* ------------------------------------------------------------------------------------------------
 * The per-type table: how miekg unpacks each type's rdata (zmsg.go) and how it prints it
 * (types.go). A type not listed has no Go struct in 1.1.50 and prints in RFC 3597 form. */

#define TSIG_PREFIX "\n;; TSIG PSEUDOSECTION:\n; "

static const rrspec_t specs[] = {
	{ .type = DNS_TYPE_A, .spec = "a", .print = print_fields },
	{ .type = DNS_TYPE_NS, .spec = "n", .print = print_fields },
	{ .type = DNS_TYPE_MD, .spec = "n", .print = print_fields },
	{ .type = DNS_TYPE_MF, .spec = "n", .print = print_fields },
	{ .type = DNS_TYPE_CNAME, .spec = "n", .print = print_fields },
	{ .type = DNS_TYPE_SOA, .spec = "n|n|l|l|l|l|l", .print = print_fields },
	{ .type = DNS_TYPE_MB, .spec = "n", .print = print_fields },
	{ .type = DNS_TYPE_MG, .spec = "n", .print = print_fields },
	{ .type = DNS_TYPE_MR, .spec = "n", .print = print_fields },
	{ .type = DNS_TYPE_NULL, .spec = "o", .print = print_null, .prefix = ";" },
	{ .type = DNS_TYPE_PTR, .spec = "n", .print = print_fields },
	{ .type = DNS_TYPE_HINFO, .spec = "S|S", .print = print_fields },
	{ .type = DNS_TYPE_MINFO, .spec = "n|n", .print = print_fields },
	{ .type = DNS_TYPE_MX, .spec = "w|n", .print = print_fields },
	{ .type = DNS_TYPE_TXT, .spec = "t", .print = print_fields },
	{ .type = DNS_TYPE_RP, .spec = "n|n", .print = print_fields },
	{ .type = DNS_TYPE_AFSDB, .spec = "w|n", .print = print_fields },
	{ .type = DNS_TYPE_X25, .spec = "s", .print = print_fields },
	{ .type = DNS_TYPE_RT, .spec = "w|n", .print = print_fields },
	{ .type = DNS_TYPE_NSAP_PTR, .spec = "n", .print = print_fields },
	{ .type = DNS_TYPE_SIG, .spec = "w|b|b|l|l|l|w|n|B", .print = print_rrsig },
	{ .type = DNS_TYPE_KEY, .spec = "w|b|b|B", .print = print_fields },
	{ .type = DNS_TYPE_PX, .spec = "w|n|n", .print = print_fields },
	{ .type = DNS_TYPE_GPOS, .spec = "s|s|s", .print = print_fields },
	{ .type = DNS_TYPE_AAAA, .spec = "A", .print = print_fields },
	{ .type = DNS_TYPE_LOC, .spec = "b|b|b|b|l|l|l", .print = print_loc },
	{ .type = DNS_TYPE_EID, .spec = "x", .print = print_fields },
	{ .type = DNS_TYPE_NIMLOC, .spec = "x", .print = print_fields },
	{ .type = DNS_TYPE_SRV, .spec = "w|w|w|n", .print = print_fields },
	{ .type = DNS_TYPE_NAPTR, .spec = "w|w|s|s|s|n", .print = print_naptr },
	{ .type = DNS_TYPE_KX, .spec = "w|n", .print = print_fields },
	{ .type = DNS_TYPE_CERT, .spec = "w|w|b|B", .print = print_cert },
	{ .type = DNS_TYPE_DNAME, .spec = "n", .print = print_fields },
	{ .type = DNS_TYPE_OPT, .spec = "e", .print = print_opt, .alone = true },
	{ .type = DNS_TYPE_APL, .spec = "p", .print = print_apl },
	{ .type = DNS_TYPE_DS, .spec = "w|b|b|x", .print = print_fields },
	{ .type = DNS_TYPE_SSHFP, .spec = "b|b|x", .print = print_fields },
	{ .type = DNS_TYPE_RRSIG, .spec = "w|b|b|l|l|l|w|n|B", .print = print_rrsig },
	{ .type = DNS_TYPE_NSEC, .spec = "n|m", .print = print_nsec },
	{ .type = DNS_TYPE_DNSKEY, .spec = "w|b|b|B", .print = print_fields },
	{ .type = DNS_TYPE_DHCID, .spec = "B", .print = print_fields },
	{ .type = DNS_TYPE_NSEC3, .spec = "b|b|w|b|X3b|H5m", .print = print_nsec3 },
	{ .type = DNS_TYPE_NSEC3PARAM, .spec = "b|b|w|b|X3", .print = print_nsec3param },
	{ .type = DNS_TYPE_TLSA, .spec = "b|b|b|h", .print = print_fields },
	{ .type = DNS_TYPE_SMIMEA, .spec = "b|b|b|h", .print = print_smimea },
	{ .type = DNS_TYPE_HIP, .spec = "b|b|w|X0Y2N", .print = print_hip },
	{ .type = DNS_TYPE_NINFO, .spec = "t", .print = print_fields },
	{ .type = DNS_TYPE_RKEY, .spec = "w|b|b|B", .print = print_fields },
	{ .type = DNS_TYPE_TALINK, .spec = "n|n", .print = print_fields },
	{ .type = DNS_TYPE_CDS, .spec = "w|b|b|x", .print = print_fields },
	{ .type = DNS_TYPE_CDNSKEY, .spec = "w|b|b|B", .print = print_fields },
	{ .type = DNS_TYPE_OPENPGPKEY, .spec = "B", .print = print_fields },
	{ .type = DNS_TYPE_CSYNC, .spec = "l|w|m", .print = print_csync },
	{ .type = DNS_TYPE_ZONEMD, .spec = "l|b|b|h", .print = print_fields },
	{ .type = DNS_TYPE_SVCB, .spec = "w|n|v", .print = print_svcb },
	{ .type = DNS_TYPE_HTTPS, .spec = "w|n|v", .print = print_svcb },
	{ .type = DNS_TYPE_SPF, .spec = "t", .print = print_fields },
	{ .type = DNS_TYPE_UINFO, .spec = "S", .print = print_fields },
	{ .type = DNS_TYPE_UID, .spec = "l", .print = print_fields },
	{ .type = DNS_TYPE_GID, .spec = "l", .print = print_fields },
	{ .type = DNS_TYPE_NID, .spec = "w|q", .print = print_nid },
	{ .type = DNS_TYPE_L32, .spec = "w|a", .print = print_l32 },
	{ .type = DNS_TYPE_L64, .spec = "w|q", .print = print_l64 },
	{ .type = DNS_TYPE_LP, .spec = "w|n", .print = print_fields },
	{ .type = DNS_TYPE_EUI48, .spec = "6", .print = print_eui48 },
	{ .type = DNS_TYPE_EUI64, .spec = "q", .print = print_eui64 },
	{ .type = DNS_TYPE_TKEY, .spec = "n|l|l|w|w|w|X5w|X7", .print = print_tkey, .prefix = ";" },
	{ .type = DNS_TYPE_TSIG, .spec = "n|6|w|w|X3w|w|w|X7", .print = print_tsig,
	  .prefix = TSIG_PREFIX },
	{ .type = DNS_TYPE_ANY, .spec = "", .print = NULL },   /* the header only */
	{ .type = DNS_TYPE_URI, .spec = "w|w|o", .print = print_uri },
	{ .type = DNS_TYPE_CAA, .spec = "b|s|o", .print = print_caa },
	{ .type = DNS_TYPE_AVC, .spec = "t", .print = print_fields },
	{ .type = DNS_TYPE_TA, .spec = "w|b|b|x", .print = print_fields },
	{ .type = DNS_TYPE_DLV, .spec = "w|b|b|x", .print = print_fields },
};

static const rrspec_t *spec_of(uint16_t type)
{
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
		if (specs[i].type == type)
			return &specs[i];
	return NULL;
}

int rrtext_rr(const wire_msg_t *m, const wire_rr_t *rr, buf_t *out)
{
	const rrspec_t *spec = spec_of(rr->type);
	size_t mark = out->len;
	rrdec_t d;

	if ((size_t)rr->rdata + rr->rdlen > m->len)
		return NSP_EMALFORMED;
	if (!spec) {
		put_rfc3597(out, m, rr);
	} else {
		if (rr_unpack(m, rr, spec->spec, &d) < 0)
			return NSP_EMALFORMED;
		if (spec->prefix)
			buf_puts(out, spec->prefix);
		if (!spec->alone)
			put_header(out, m, rr);
		if (spec->print)
			spec->print(out, &d);
	}
	if (!buf_ok(out)) {
		if (out->p && mark <= out->len) {
			out->len = mark;
			out->p[mark] = '\0';
		}
		return NSP_ENOMEM;
	}
	return 0;
}

int rrtext_name(const wire_msg_t *m, size_t off, buf_t *out)
{
	if (put_name(out, m->buf, m->len, off, NULL) < 0)
		return NSP_EMALFORMED;
	return buf_ok(out) ? 0 : NSP_ENOMEM;
}

/* ------------------------------------------------------------------------------------------------
 * Msg.String (msg.go) */

static void put_flags(buf_t *o, uint16_t fl)
{
	static const struct {
		uint16_t bit;
		const char *name;
	} flags[] = {
		{ WIRE_FLAG_QR, " qr" }, { WIRE_FLAG_AA, " aa" }, { WIRE_FLAG_TC, " tc" },
		{ WIRE_FLAG_RD, " rd" }, { WIRE_FLAG_RA, " ra" }, { WIRE_FLAG_Z, " z" },
		{ WIRE_FLAG_AD, " ad" }, { WIRE_FLAG_CD, " cd" },
	};
	buf_puts(o, ";; flags:");
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (fl & flags[i].bit)
			buf_puts(o, flags[i].name);
	buf_putc(o, ';');
}

/* Question.String of each question, walked again with unpackQuestion's rules */
static void put_questions(buf_t *o, const wire_msg_t *m)
{
	cursor_t c = cursor_at(m->buf, m->len, WIRE_HEADER_SIZE);
	for (unsigned i = 0; i < m->qdcount; i++) {
		uint16_t qtype = 0, qclass = 0;
		buf_putc(o, ';');
		if (put_name(o, m->buf, m->len, c.off, &c.off) < 0)
			return;
		if (cursor_left(&c) >= 2) {
			qtype = cursor_u16(&c);
			if (cursor_left(&c) >= 2)
				qclass = cursor_u16(&c);
			else
				c.off = c.len;
		}
		buf_putc(o, '\t');
		put_class(o, qclass);
		buf_puts(o, "\t ");
		put_type(o, qtype);
		buf_putc(o, '\n');
	}
}

int rrtext_msg(const wire_msg_t *m, buf_t *out)
{
	static const char *const titles[WIRE_SECTIONS] = {
		"\n;; ANSWER SECTION:\n", "\n;; AUTHORITY SECTION:\n", "\n;; ADDITIONAL SECTION:\n",
	};
	size_t total = m->count[0] + m->count[1] + m->count[2];
	for (size_t i = 0; i < total; i++)
		if (rrtext_check(m, &m->rrs[i], NULL) < 0)
			return NSP_EMALFORMED;

	const char *op = dnstab_opcode_name(m->opcode);
	const char *rc = dnstab_rcode_name(m->rcode);
	buf_printf(out, ";; opcode: %s, status: %s, id: %u\n", op ? op : "", rc ? rc : "", m->id);
	put_flags(out, m->flags);
	buf_printf(out, " QUERY: %u, ANSWER: %zu, AUTHORITY: %zu, ADDITIONAL: %zu\n", m->qdcount,
	           m->count[0], m->count[1], m->count[2]);
	if (m->opt) {
		int rc2 = rrtext_rr(m, m->opt, out);
		if (rc2 < 0)
			return rc2;
		buf_putc(out, '\n');
	}
	if (m->qdcount > 0) {
		buf_puts(out, "\n;; QUESTION SECTION:\n");
		put_questions(out, m);
	}
	for (int s = 0; s < WIRE_SECTIONS; s++) {
		size_t n;
		const wire_rr_t *rrs = wire_section(m, (enum wire_section)s, &n);
		if (n == 0 || (s == WIRE_ADDITIONAL && m->opt && n == 1))
			continue;
		buf_puts(out, titles[s]);
		for (size_t i = 0; i < n; i++) {
			if (s == WIRE_ADDITIONAL && rrs[i].type == DNS_TYPE_OPT)
				continue;
			int rc2 = rrtext_rr(m, &rrs[i], out);
			if (rc2 < 0)
				return rc2;
			buf_putc(out, '\n');
		}
	}
	return buf_ok(out) ? 0 : NSP_ENOMEM;
}
