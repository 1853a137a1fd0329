/* denial -- whether the NSEC or NSEC3 records of an answer's authority section prove what the
 * answer claims: a name error, no data, or a wildcard expansion (RFC 4035 3.1.3 and 5.4, RFC 5155
 * 8, RFC 7129).
 *
 * This is the whole contract. The room is pure: it reads one parsed message (wire_parse) and the
 * claim handed in, and writes a verdict into storage the caller owns. It checks only the proof
 * logic: the RRSIGs over the NSEC/NSEC3 RRsets are dnssec_check's (an unsigned or forged NSEC makes
 * this room's OK worthless, so a caller takes OK only with dnssec_check's OK for the same section).
 *
 * The zone is the signer name of the proof (`apex`): NSEC and NSEC3 records whose owner is outside
 * it, or of another class, are ignored; names are compared case-insensitively in canonical order
 * (RFC 4034 6.1), and an NSEC whose next name sorts at or before its owner wraps round to the apex.
 *
 * NSEC3 (RFC 5155 8.1-8.2): records of hash algorithm other than 1 (SHA-1), or with flags other
 * than Opt-Out, are ignored. The parameters (iterations, salt) of the first usable NSEC3 are the
 * zone's; NSEC3 records with other parameters are ignored. Every hash is charged to the probe's
 * budget (dnssec_budget_nsec3) before it is computed and hashes are not repeated within one check;
 * when the budget refuses, the check stops with DENIAL_WORK_LIMIT.
 *
 * Opt-Out (RFC 5155 6, 9.2): when a proof rests on an NSEC3 with the Opt-Out flag covering the
 * next closer name, an unsigned delegation may hide there, so the answer is insecure rather than
 * proven: DENIAL_OPT_OUT (as Unbound's nsec3 proofs answer "insecure"). That is the outcome of the
 * name error, wildcard and wildcard-no-data examples of RFC 5155 Appendix B, whose NSEC3 records all
 * carry the flag.
 *
 * Not checked here: that the proof's records are the ones a server would choose (extra records are
 * ignored); NSEC3PARAM; the type bitmap's RRSIG and NSEC bits. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "dns/dnssec.h"
#include "dns/wire.h"

/* What the answer claims, and so what must be proven. */
typedef enum denial_claim {
	DENIAL_CLAIM_NXDOMAIN = 0,  /* the name does not exist and no wildcard could have matched it
	                               (RFC 4035 3.1.3.2, RFC 5155 8.4) */
	DENIAL_CLAIM_NODATA,        /* the name, or the wildcard that matched it, has no RRset of qtype
	                               nor a CNAME (RFC 4035 3.1.3.1 and 3.1.3.4, RFC 5155 8.5-8.7);
	                               an empty non-terminal included (RFC 7129 3, RFC 5155 B.2.1) */
	DENIAL_CLAIM_WILDCARD,      /* a positive answer expanded from the wildcard *.<the name's last
	                               `labels` labels>: no closer match exists (RFC 4035 5.3.4,
	                               RFC 5155 8.8) */
} denial_claim_t;

/* The outcome, one reason per failure (each named for a log line by denial_reason_name). */
typedef enum denial_reason {
	DENIAL_OK = 0,              /* proven */
	DENIAL_OPT_OUT,             /* the proof rests on an Opt-Out NSEC3 covering the next closer
	                               name: an insecure delegation may exist there (RFC 5155 6, 8.6,
	                               9.2); not proven, not forged */
	DENIAL_NO_PROOF,            /* no usable NSEC or NSEC3 of the zone in the authority section */
	DENIAL_NOT_COVERED,         /* no NSEC covers the name (NXDOMAIN) */
	DENIAL_NAME_EXISTS,         /* an NSEC/NSEC3 matches the name, or an NSEC shows it is an empty
	                               non-terminal, in a name error */
	DENIAL_NO_MATCH,            /* no data: no NSEC/NSEC3 matches the name, and none proves a
	                               matching wildcard without the type */
	DENIAL_TYPE_PRESENT,        /* the matching record's bitmap has the type asked for */
	DENIAL_CNAME_PRESENT,       /* the matching record's bitmap has CNAME */
	DENIAL_ZONE_CUT,            /* the record that would prove it stands on the other side of a zone
	                               cut: an NS bit without SOA (the parent's record of a delegation)
	                               for a type other than DS or for a name below it, an SOA bit for a
	                               DS (the child's apex), a DNAME bit above the name (RFC 6840 4.1,
	                               4.4; RFC 5155 8.3) */
	DENIAL_WILDCARD_NOT_DENIED, /* the wildcard at the closest encloser is not covered (NXDOMAIN):
	                               it may exist, or it does */
	DENIAL_WILDCARD_NO_PROOF,   /* a wildcard expansion without an NSEC covering the name */
	DENIAL_WILDCARD_ENCLOSER,   /* the wildcard's closest encloser (from the RRSIG labels field) is
	                               not the one the proof shows, or lies outside the zone, or the
	                               labels field leaves nothing expanded */
	DENIAL_NO_CLOSEST_ENCLOSER, /* NSEC3: no ancestor of the name, the apex included, has a
	                               matching NSEC3 (RFC 5155 8.3) */
	DENIAL_NEXT_CLOSER,         /* NSEC3: the next closer name is not covered (RFC 5155 8.3, 8.8) */
	DENIAL_WORK_LIMIT,          /* NSEC3 hashing refused by the budget (result.limit says which) */
	DENIAL_MALFORMED,           /* an NSEC/NSEC3 of the zone whose rdata does not read: truncated,
	                               a bad type bitmap (RFC 4034 4.1.2), an NSEC3 hash of the wrong
	                               length, an NSEC3 owner that is not base32hex of a hash */
} denial_reason_t;

/* Which record type the verdict used. */
typedef enum denial_kind {
	DENIAL_KIND_NONE = 0,
	DENIAL_KIND_NSEC,
	DENIAL_KIND_NSEC3,
} denial_kind_t;

/* What to prove, and from which zone. Names are uncompressed wire labels (wire_name_read's form),
 * borrowed for the call. */
typedef struct denial_query {
	denial_claim_t claim;
	const uint8_t *name;        /* the qname; for DENIAL_CLAIM_WILDCARD the owner of the expanded
	                               RRset (the qname, or a name a CNAME led to) */
	size_t name_len;
	uint16_t qtype;             /* DENIAL_CLAIM_NODATA: the type denied (DS follows RFC 4035 5.4
	                               and RFC 5155 8.6) */
	uint16_t qclass;
	const uint8_t *apex;        /* the zone: the signer name of the proof's RRSIGs */
	size_t apex_len;
	uint8_t labels;             /* DENIAL_CLAIM_WILDCARD: the RRSIG labels field */
	dnssec_budget_t *budget;    /* the probe's budget, charged per NSEC3 hash; NULL: a fresh one for
	                               this call only */
} denial_query_t;

/* The verdict. Caller-owned storage; fields are read-only to callers. */
typedef struct denial_result {
	denial_reason_t reason;
	denial_kind_t kind;         /* the records it rests on (NONE when there were none) */
	/* The step that decided the reason: the name it was about (the name itself, the wildcard at the
	 * closest encloser, the next closer name), its NSEC3 hash when hashed, and the record whose
	 * bitmap, coverage or rdata decided (the covering or matching one; -1 when there is none). */
	uint8_t subject[CURSOR_MAX_NAME];
	size_t subject_len;
	bool subject_hashed;
	uint8_t subject_hash[20];
	int rr;                     /* index into the authority section (wire_section), or -1 */
	uint8_t encloser[CURSOR_MAX_NAME];   /* the closest encloser the proof established, if any */
	size_t encloser_len;        /* 0: none established */
	unsigned hashes;            /* NSEC3 hashes computed by this check */
	dnssec_limit_t limit;       /* with DENIAL_WORK_LIMIT: the limit that refused */
} denial_result_t;

/* Checks the NSEC/NSEC3 records of msg's authority section against q. Returns 0 with *out filled (a
 * failed proof is data in out->reason, not an error), NSP_EINVAL (NULL argument, a name that is not
 * 1..255 octets of wire labels, a name outside the apex) or NSP_EMALFORMED (an owner name of msg
 * does not read: msg was not parsed by wire_parse). */
int denial_check(const wire_msg_t *msg, const denial_query_t *q, denial_result_t *out);

/* "ok", "opt-out (insecure delegation)", "no NSEC or NSEC3 proof", "NSEC does not cover the name",
 * "the name exists", "no NSEC or NSEC3 matches the name", "type present in the bitmap",
 * "CNAME present in the bitmap", "proof from the other side of a zone cut", "wildcard not denied",
 * "wildcard expansion without proof", "wildcard closest encloser inconsistent",
 * "no closest encloser", "next closer name not covered", "NSEC3 work limit",
 * "malformed NSEC/NSEC3". */
const char *denial_reason_name(denial_reason_t reason);

/* Appends a phrase for a log line: the reason, the subject and the record behind it, e.g.
 *   "type present in the bitmap: ns1.example. (NSEC3 2t7b4g4vsa5smi47k61mv5bv1a22bojr.example.
 *    next 2vptu5timamqttgl4luu9kg21e0aor3s)"
 *   "next closer name not covered: c.x.w.example. (hash 0va5bpr2ou0vk0lbqeeljri88laipsfh)"
 * (with DENIAL_WORK_LIMIT, dnssec_limit_describe's phrase in brackets). Returns 0, NSP_EMALFORMED
 * (r->rr's record no longer reads in msg) or NSP_ENOMEM. */
int denial_describe(const wire_msg_t *msg, const denial_result_t *r, buf_t *out);
