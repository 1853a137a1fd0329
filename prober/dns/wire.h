/* wire -- DNS messages: the query we send, and a bounds-checked parse of the answer. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/cursor.h"

#define WIRE_HEADER_SIZE 12
#define WIRE_MAX_NAME    CURSOR_MAX_NAME   /* octets on the wire, RFC 1035 3.1 */
#define WIRE_MAX_QUERY   (WIRE_HEADER_SIZE + WIRE_MAX_NAME + 4 + 11 + 64)

/* Header flag bits in the 16-bit flags word (RFC 1035 4.1.1, RFC 4035 3.2). */
#define WIRE_FLAG_QR 0x8000
#define WIRE_FLAG_AA 0x0400
#define WIRE_FLAG_TC 0x0200
#define WIRE_FLAG_RD 0x0100
#define WIRE_FLAG_RA 0x0080
#define WIRE_FLAG_Z  0x0040
#define WIRE_FLAG_AD 0x0020
#define WIRE_FLAG_CD 0x0010

typedef struct wire_query {
	const char *qname;   /* presentation form; escapes `\.` and `\DDD` honoured; final dot optional;
	                        "" or "." is the root */
	uint16_t qtype;
	uint16_t qclass;
	uint16_t id;
	bool rd;
	/* EDNS (sent only when edns is true; blackbox_exporter never sends it) */
	bool edns;
	uint16_t edns_udp_size;
	bool edns_do;
	bool edns_nsid;
} wire_query_t;

/* Writes the presentation-form name s (as wire_query_t.qname) into out as wire labels. Returns the
 * wire length or NSP_EINVAL (the same names the query writer refuses). */
int wire_name_from_text(const char *s, uint8_t out[WIRE_MAX_NAME]);

/* Writes the query message into out[0..cap). Returns its length (> 0), NSP_EINVAL when the name
 * cannot be packed (empty label "a..b", label > 63 octets, name > 255 octets, bad escape: what miekg
 * reports as "dns: bad rdata"), or NSP_ENOSPC. */
int wire_query_write(const wire_query_t *q, uint8_t *out, size_t cap);

enum wire_section {
	WIRE_ANSWER = 0,
	WIRE_AUTHORITY = 1,
	WIRE_ADDITIONAL = 2,
	WIRE_SECTIONS = 3,
};

/* One resource record, as offsets into the message (nothing is copied). */
typedef struct wire_rr {
	uint16_t owner;     /* offset of the owner name (may be compressed) */
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	uint16_t rdata;     /* offset of the rdata */
	uint16_t rdlen;
} wire_rr_t;

typedef struct wire_msg {
	const uint8_t *buf;  /* borrowed: the message bytes */
	size_t len;
	uint16_t id;
	uint16_t flags;      /* the raw flags word (QR, opcode, AA, TC, RD, RA, Z, AD, CD, rcode) */
	uint8_t opcode;
	uint16_t rcode;      /* header rcode OR'ed with the OPT extended rcode << 4, as miekg's Msg.Rcode */
	uint16_t qdcount;    /* questions parsed */
	uint16_t question;   /* offset of the first question's name (valid if qdcount > 0) */
	uint16_t qtype;      /* of the first question */
	uint16_t qclass;
	wire_rr_t *rrs;      /* caller's array: answer RRs, then authority, then additional */
	size_t count[WIRE_SECTIONS];  /* RRs parsed per section */
	const wire_rr_t *opt;         /* the OPT pseudo-RR in the additional section, or NULL */
	const char *error;   /* on failure: a static text in miekg's words, e.g. "dns: short read" */
} wire_msg_t;

/* The number of wire_rr_t a message of `len` bytes can need at most (each RR takes >= 11 octets). */
static inline size_t wire_rr_capacity(size_t len) { return len / 11 + 1; }

/* Parses a complete message into msg, the RRs into rrs[0..cap). Follows miekg/dns 1.1.50 Msg.Unpack:
 * header, QDCOUNT questions, then the RRs of each section; any structural fault (short header, name
 * past the end, compression loop or forward pointer chains beyond the limits, rdlength past the end)
 * fails the whole message. Type-specific rdata checks are rrtext's (rrtext_check).
 * Header counts larger than the records present are corrected as miekg does (count[] = parsed).
 * Returns 0, NSP_EMALFORMED (msg->error says why), NSP_EINVAL (len > 65535) or NSP_ENOSPC (cap too
 * small). On NSP_EMALFORMED, rrs and count[] still hold the RRs parsed before the fault: miekg
 * would have failed on the first of those whose rdata rrtext_check rejects, so a caller that wants
 * miekg's exact error text checks them, in order, before using msg->error. */
int wire_parse(const uint8_t *buf, size_t len, wire_rr_t *rrs, size_t cap, wire_msg_t *msg);

/* Whether buf[0..len) is an error answer that leaves out the question: a header with QR set,
 * QDCOUNT 0 and an rcode other than NOERROR, NXDOMAIN and YXDOMAIN. Servers send these (REFUSED,
 * SERVFAIL, NOTIMP, FORMERR: RFC 1035 4.1.1 lets a FORMERR carry no question), and such an answer
 * belongs to the query with its ID, as miekg/dns, dig and kdig take it. NOERROR, NXDOMAIN and
 * YXDOMAIN say something about the queried name, so they must echo it (Unbound's forgery check). */
bool wire_is_error_without_question(const uint8_t *buf, size_t len);

/* Pointer to the first RR of a section, and its count. */
static inline const wire_rr_t *wire_section(const wire_msg_t *m, enum wire_section s, size_t *n)
{
	size_t off = 0;
	for (int i = 0; i < (int)s; i++)
		off += m->count[i];
	*n = m->count[s];
	return m->rrs + off;
}

/* Reads the name at `off` (following compression pointers) into out as uncompressed wire labels
 * (case preserved). Returns the wire length (1..255) or NSP_EMALFORMED. *next (may be NULL) gets the
 * offset just past the name's first occurrence. */
int wire_name_read(const wire_msg_t *m, size_t off, uint8_t out[WIRE_MAX_NAME], size_t *next);
