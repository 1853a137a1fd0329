/* dnssec -- checks the RRSIGs of a parsed answer against a DNSKEY set (RFC 4034, RFC 4035 5.3).
 *
 * This is the whole contract. The room is pure: it reads parsed messages (wire_parse), the parent's
 * DS records when the caller has them, and a clock value handed in (and the monotonic clock, for a
 * budget's deadline), and writes verdicts into storage the caller owns. It does not send queries or
 * log. The chain of trust stops at the DS records the caller hands in: without them "valid" means
 * "signed by a key the server itself publishes for the zone, in time"; with them, also "and that key
 * set is signed by a key the parent's DS names".
 *
 * How a probe uses it:
 *   1. probe the target with DO=1 (wire_query_t.edns_do) and parse the answer (msg);
 *   2. dnssec_signer(msg, WIRE_ANSWER, &name) gives the zone that signed it; query the same server
 *      for `name DNSKEY` (DO=1, the same class) and parse that answer (keys). The apex must be the
 *      zone the probed name is in, known to the caller independently of the RRSIG (the DS owner, the
 *      configured zone, the SOA owner): the signer name alone lets a key published at www.example.
 *      vouch for www.example.'s own data (RFC 4035 5.3.1 wants the zone apex);
 *   3. dnssec_keyset_check(&keys, apex, ds, n_ds, &opts, &ks) validates the key set: the DNSKEY
 *      RRset at the apex is signed by a usable key of its own (and, with DS records, by a key one of
 *      them names); ks.valid, ks.verdict (describe it against &keys) and dnssec_keyset_describe()
 *      say how it went, ks.keys[] which key tags are present and which DS each matched;
 *   4. dnssec_check(msg, WIRE_ANSWER, &ks, &opts, &res) checks each RRset against the keys of that
 *      set only; res.verdicts names each RRset's outcome, dnssec_verdict_describe() turns one into a
 *      log phrase. A DNSKEY answer is its own key set: steps 3 and 4 over the same message.
 * Both steps draw on the probe's one budget (opts.budget).
 *
 * Work limits (CVE-2023-50387 "KeyTrap", CVE-2023-50868): an answer with many RRSIGs and a key set
 * with many keys of one key tag makes RFC 4035 5.3.1's "try every matching key" quadratic, and an
 * RSA key with a huge public exponent makes one verification take seconds. So keys outside the
 * sizes validators accept are unreadable (DNSSEC_BAD_KEY, before any arithmetic), and the checks
 * of one probe draw on one dnssec_budget_t: when it runs out, or its deadline passes, the check
 * stops and says which limit it hit (dnssec_result_t.limit). The only clock read is the monotonic
 * clock, for that deadline.
 *
 * Libraries: libsodium (through lib/crypto) for Ed25519, SHA-256 and SHA-512; nettle/hogweed for RSA
 * (SHA-1, SHA-256, SHA-512), ECDSA P-256/P-384, SHA-1, SHA-384 and Ed448. crypto_init() is called on
 * first use.
 * RSA and ECDSA run on GMP, which aborts on out-of-memory; everything else returns NSP_ENOMEM.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "dns/wire.h"

/* The outcome for one RRset, from best to worst (dnssec_check keeps, per RRset, the best outcome
 * over its RRSIGs, so a failure names the signature that came closest to being valid). */
typedef enum dnssec_reason {
	DNSSEC_OK = 0,            /* a signature verifies, is inside its window and lasts min_validity */
	DNSSEC_EXPIRING,          /* verifies and is inside its window, but expires within min_validity */
	DNSSEC_EXPIRED,           /* verifies, but now > expiration (RFC 4035 5.3.1) */
	DNSSEC_NOT_YET_VALID,     /* verifies, but now < inception */
	DNSSEC_BAD_SIGNATURE,     /* a matching key exists but the signature does not verify with it */
	DNSSEC_BAD_KEY,           /* the only matching keys cannot be read or are outside the sizes
	                             validators accept (RSA: exponent of 0 or more than 35 bits,
	                             modulus outside 512..4096 bits, 1024.. for RSASHA512; ECDSA point
	                             not on the curve, wrong key size) */
	DNSSEC_NO_KEY,            /* no DNSKEY at the signer name with the Zone Key flag, protocol 3,
	                             the algorithm and the key tag of the RRSIG */
	DNSSEC_UNSUPPORTED_ALG,   /* algorithm not one of 5 7 8 10 13 14 15 16 */
	DNSSEC_BAD_RRSIG,         /* RRSIG inconsistent with its RRset: labels > owner labels, or the
	                             signer is not the owner or an ancestor of it (RFC 4035 5.3.1) */
	DNSSEC_LABELS_BELOW_SIGNER,   /* labels < the signer's label count: a wildcard above the zone
	                             (a signature over *.test. for a name of zone sr.test., 5.3.1) */
	DNSSEC_SIGNER_NOT_APEX,   /* the owner is at or below the key set's apex but the signer is not
	                             the apex (RFC 4035 5.3.1) */
	DNSSEC_MALFORMED,         /* RRSIG rdata truncated, or an RR of the RRset whose rdata cannot be
	                             put in canonical form */
	DNSSEC_MISSING_RRSIG,     /* no RRSIG in the section covers the RRset */
	/* Not ranked against the others: they judge an RRset or a key set as a whole. */
	DNSSEC_CNAME_NOT_SYNTHESIS,   /* an unsigned CNAME under a verified DNAME of the section is not
	                             its synthesis (RFC 6672 5.3.1) */
	DNSSEC_NOT_SELF_SIGNED,   /* key set: no RRSIG over the DNSKEY RRset names a usable key of it
	                             (Zone Key flag, protocol 3, not revoked) */
	DNSSEC_REVOKED_ONLY,      /* key set: only revoked keys sign it (RFC 5011 2.1: a revoked key
	                             validates nothing but its own revocation) */
	DNSSEC_NO_DS_MATCH,       /* key set: no DS of the parent matches a key of it */
	DNSSEC_DS_KEY_NOT_SIGNING,    /* key set: the keys the DS match do not sign it */
} dnssec_reason_t;

/* Per-RRset verdict. Name offsets point into the checked message (read them with rrtext_name). */
typedef struct dnssec_verdict {
	uint16_t owner;        /* offset of the owner name of the RRset's first RR */
	uint16_t type;
	uint16_t rclass;
	uint16_t n_rrs;        /* RRs in the RRset (duplicates included) */
	uint16_t n_rrsigs;     /* RRSIGs covering it */
	dnssec_reason_t reason;
	/* The RRSIG behind `reason` (all zero with DNSSEC_MISSING_RRSIG; with DNSSEC_MALFORMED from a
	 * truncated RRSIG, what could be read): for OK, the valid one that expires last. */
	uint16_t key_tag;
	uint8_t algorithm;
	uint16_t signer;       /* offset of its signer name, 0 if not read */
	int64_t inception;     /* unix seconds, from the RRSIG's serial-number times (RFC 4034 3.1.5) */
	int64_t expiration;
	bool wildcard;         /* its labels field says the RRset was expanded from a wildcard
	                          (RFC 4035 5.3.2). The denial of a closer match (5.3.4) is NOT checked
	                          here: ask dns/denial with `labels` */
	uint8_t labels;        /* the labels field of that RRSIG (0 with DNSSEC_MISSING_RRSIG): the
	                          wildcard's closest encloser has this many labels */
	bool synthesized;      /* an unsigned CNAME accepted as the synthesis of a verified DNAME of
	                          the section (RFC 6672 5.3.1); the RRSIG fields are the DNAME's */
} dnssec_verdict_t;

/* The limits of one probe, as the validators bounded them after KeyTrap (see dnssec.c for the
 * sources). Every check is cheap once keys are size-checked (RSA exponent <= 35 bits, modulus <=
 * 4096 bits): a verification costs well under 2 ms, so 32 of them hold a loop for under 0.1 s. */
enum {
	DNSSEC_MAX_VERIFICATIONS = 32,    /* signature verifications (crypto operations) per probe */
	DNSSEC_MAX_KEYTAG_COLLISIONS = 4, /* keys tried for an RRSIG beyond the first candidate, per probe */
	/* NSEC3 (RFC 9276 3.2; dns/denial charges each hash with dnssec_budget_nsec3) */
	DNSSEC_MAX_NSEC3_ITERATIONS = 150,/* BIND 9.18's and Unbound 1.17's limit (what validators on
	                                     Debian bookworm accept), priced as Knot Resolver does:
	                                     (iterations + 1) per 64-byte SHA-1 block of salt + hash */
	DNSSEC_MAX_NSEC3_HASHES = 8,      /* NSEC3 owner-name hashes per probe */
};

/* Which limit stopped a check. */
typedef enum dnssec_limit {
	DNSSEC_LIMIT_NONE = 0,
	DNSSEC_LIMIT_VERIFICATIONS,       /* DNSSEC_MAX_VERIFICATIONS reached */
	DNSSEC_LIMIT_COLLISIONS,          /* DNSSEC_MAX_KEYTAG_COLLISIONS exceeded */
	DNSSEC_LIMIT_NSEC3_ITERATIONS,    /* an NSEC3 hash costs more than DNSSEC_MAX_NSEC3_ITERATIONS
	                                     + 1 SHA-1 blocks (see dnssec_budget_nsec3) */
	DNSSEC_LIMIT_NSEC3_HASHES,        /* DNSSEC_MAX_NSEC3_HASHES reached */
	DNSSEC_LIMIT_DEADLINE,            /* the deadline passed (asked before each RRset, RRSIG and
	                                     verification) */
} dnssec_limit_t;

/* The work one probe may still do, shared by every dnssec_check of the probe (the answer, the
 * DNSKEY set, any later sub-exchange). Caller-owned storage; fields are read-only to callers. */
typedef struct dnssec_budget {
	unsigned verifications;   /* left */
	unsigned collisions;      /* left */
	unsigned nsec3_hashes;    /* left */
	int64_t deadline_ns;      /* CLOCK_MONOTONIC nanoseconds (loop_now_ns); 0: no deadline */
	dnssec_limit_t spent;     /* the first limit that ran out; sticky */
} dnssec_budget_t;

/* Fills b with the DNSSEC_MAX_* allowances and the deadline (0: none). */
void dnssec_budget_init(dnssec_budget_t *b, int64_t deadline_ns);

/* Charges one NSEC3 owner-name hash with `iterations` extra iterations and a salt of salt_len
 * octets (RFC 5155 5). Returns true if it may be computed; false (and b->spent set) if the
 * NSEC3 costs more than DNSSEC_MAX_NSEC3_ITERATIONS or the probe's hashes are used up. */
bool dnssec_budget_nsec3(dnssec_budget_t *b, unsigned iterations, size_t salt_len);

/* A phrase for a log line, e.g. "more than 32 signature verifications"; "" for DNSSEC_LIMIT_NONE. */
const char *dnssec_limit_describe(dnssec_limit_t limit);

typedef struct dnssec_opts {
	int64_t now;           /* unix seconds; a parameter so tests can replay captured answers */
	int64_t min_validity;  /* seconds a valid signature must still have (0: none) */
	dnssec_budget_t *budget;   /* the probe's budget, charged by the check; NULL: a fresh one with
	                              the DNSSEC_MAX_* allowances and no deadline, for this call only */
} dnssec_opts_t;

typedef struct dnssec_result {
	/* set by the caller before dnssec_check */
	dnssec_verdict_t *verdicts;   /* caller's array, one per RRset in message order */
	size_t cap;                   /* its length; the RR count of the section always suffices */
	/* set by dnssec_check */
	size_t n_rrsets;
	bool valid;            /* n_rrsets > 0 and every RRset is DNSSEC_OK or DNSSEC_EXPIRING: the
	                          probe_dnssec_rrsig_valid value */
	bool ok;               /* n_rrsets > 0 and every RRset is DNSSEC_OK (min_validity honoured) */
	size_t first_failure;  /* index of the first verdict that is not DNSSEC_OK (n_rrsets if none) */
	bool have_times;       /* at least one covering RRSIG could be read */
	int64_t earliest_expiry;    /* min expiration over every readable RRSIG covering a checked
	                               RRset, verified or not (unix seconds) */
	int64_t latest_inception;   /* max inception over the same RRSIGs */
	dnssec_limit_t limit;  /* not DNSSEC_LIMIT_NONE: the budget ran out (now or in an earlier
	                          check of the same budget) and the check stopped there; valid and ok
	                          are false, and verdicts not reached keep DNSSEC_MISSING_RRSIG */
} dnssec_result_t;

/* A DS record of the parent (RFC 4034 5): the owner (wire form, any case), and its rdata fields. */
enum { DNSSEC_DS_MAX_DIGEST = 48 };   /* SHA-384 */
typedef struct dnssec_ds {
	uint8_t owner[WIRE_MAX_NAME];
	uint8_t owner_len;
	uint16_t key_tag;
	uint8_t algorithm;
	uint8_t digest_type;  /* 1 SHA-1, 2 SHA-256, 4 SHA-384; others are skipped (RFC 4035 5.2) */
	uint8_t digest[DNSSEC_DS_MAX_DIGEST];
	uint8_t digest_len;
} dnssec_ds_t;

/* One DNSKEY at the apex, as a log line or probe_dnssec_key_info wants it. */
typedef struct dnssec_keyinfo {
	uint16_t tag;
	uint16_t flags;
	uint8_t protocol;
	uint8_t algorithm;
	bool usable;           /* Zone Key flag, protocol 3, not revoked, algorithm supported */
	bool signs;            /* an RRSIG over the DNSKEY RRset verified with it (revoked or not) */
	int ds;                /* index in the caller's DS list of the first DS it matches; -1: none */
} dnssec_keyinfo_t;

enum { DNSSEC_KEYSET_MAX_KEYS = 32 };   /* keys described in dnssec_keyset_t.keys */

/* A DNSKEY set at a zone apex, checked by dnssec_keyset_check (or taken on trust by
 * dnssec_keyset_anchor). Caller-owned storage; dnssec_check reads it. It borrows the DNSKEY
 * message, which must outlive it. */
typedef struct dnssec_keyset {
	const wire_msg_t *msg;        /* the DNSKEY answer (borrowed) */
	uint8_t apex[WIRE_MAX_NAME];  /* lowercased wire form */
	uint8_t apex_len;
	bool valid;            /* the set may be used: dnssec_check takes nothing else */
	/* The DNSKEY RRset's verdict (offsets into msg; owner is msg's question when the answer holds
	 * no DNSKEY RRset at the apex). reason is DNSSEC_OK or DNSSEC_EXPIRING when valid; otherwise
	 * one of the RRSIG reasons of the signatures by usable keys (of the DS-matched keys when DS
	 * records were given), or DNSSEC_NOT_SELF_SIGNED, DNSSEC_REVOKED_ONLY, DNSSEC_NO_DS_MATCH,
	 * DNSSEC_DS_KEY_NOT_SIGNING, DNSSEC_NO_KEY (no DNSKEY at the apex). */
	dnssec_verdict_t verdict;
	dnssec_limit_t limit;  /* as dnssec_result_t.limit; valid is false when set */
	size_t n_keys;         /* DNSKEY RRs at the apex (keys[] holds the first 32) */
	dnssec_keyinfo_t keys[DNSSEC_KEYSET_MAX_KEYS];
	size_t n_ds;           /* DS records given */
	int ds_used;           /* index of the DS whose key signs the set (valid with DS); -1: none */
	uint16_t ds_key_tag;   /* the tag of that key */
	bool anchor;           /* taken on trust (dnssec_keyset_anchor) */
} dnssec_keyset_t;

/* Checks the DNSKEY RRset at `apex` (wire form, any case) in the answer section of keys
 * (RFC 4035 5.3.1, 5.2): some RRSIG over it with signer == apex verifies, within its window, with
 * a key of the set that has the Zone Key flag, protocol 3, no REVOKE flag (RFC 5011 2.1) and a
 * supported algorithm. With n_ds > 0, only keys that match one of the DS records (owner, key
 * tag, algorithm and digest of digest type 1, 2 or 4; other digest types are skipped) count. The
 * verifications are charged to opts->budget like dnssec_check's. Returns 0 with *out filled
 * (failure is out->valid false, with a reason), NSP_EINVAL, NSP_ENOMEM or NSP_EMALFORMED. */
int dnssec_keyset_check(const wire_msg_t *keys, const uint8_t apex[], const dnssec_ds_t *ds,
                        size_t n_ds, const dnssec_opts_t *opts, dnssec_keyset_t *out);

/* Takes the DNSKEYs at apex of keys' answer on trust, without any signature (a trust anchor from
 * the configuration; tests of the RRSIG rules). out->valid is true, out->anchor set. Returns 0,
 * NSP_EINVAL or NSP_EMALFORMED. */
int dnssec_keyset_anchor(const wire_msg_t *keys, const uint8_t apex[], dnssec_keyset_t *out);

/* Appends a phrase for a log line: the key set's verdict, the DS records given and the keys present,
 * e.g. "sr.test. IN DNSKEY: no DS matches a key (DS 4711 15 2; keys 815 flags 257 algorithm 15,
 * 2047 flags 256 algorithm 15)". ds and n_ds as given to dnssec_keyset_check. Returns 0,
 * NSP_EMALFORMED or NSP_ENOMEM. */
int dnssec_keyset_describe(const dnssec_keyset_t *ks, const dnssec_ds_t *ds, size_t n_ds, buf_t *out);

/* The DS digest of a DNSKEY (RFC 4034 5.1.4): digest_type's hash of the owner name in canonical
 * form (lowercased, uncompressed) followed by the DNSKEY rdata. Digest types 1 (SHA-1), 2
 * (SHA-256, RFC 4509) and 4 (SHA-384, RFC 6605). Returns the digest length (20, 32, 48),
 * NSP_ENOENT (another digest type), NSP_EINVAL (owner is not a wire name) or NSP_ENOMEM. */
int dnssec_ds_digest(const uint8_t owner[], const uint8_t *rdata, size_t rdlen, uint8_t digest_type,
                     uint8_t out[DNSSEC_DS_MAX_DIGEST]);

/* Checks every RRset of `section` of msg against the keys of a valid key set. RRsets are the RRs
 * of equal owner (case-insensitive), class and type; the OPT, TSIG, TKEY and RRSIG records
 * themselves are not RRsets. Each RRSIG of the section with the RRset's owner, class and type
 * covered is tried against the usable DNSKEYs of keys (at its apex; revoked keys only for DNSKEY
 * RRsets) that match its algorithm and key tag; an RRset passes if any one RRSIG is valid, so
 * during an algorithm rollover one algorithm is enough and RRSIGs of unsupported algorithms are
 * skipped (RFC 6840 5.11). An RRSIG's labels must lie between the signer's label count and the
 * owner's, and an RRset at or below the apex must be signed by the apex (RFC 4035 5.3.1). An
 * unsigned CNAME is valid when the section holds a verified DNAME above it whose synthesis it is
 * (RFC 6672 5.3.1). Duplicate RRs are dropped before the canonical RRset is built (RFC 4034 6.3).
 * The work is charged to opts->budget (see dnssec_budget_t); when it runs out the check stops
 * with out->limit set and still returns 0.
 * Returns 0 with *out filled (failed checks are data in the verdicts, not errors), NSP_EINVAL
 * (NULL argument, or a key set that is not valid), NSP_ENOSPC (more RRsets than out->cap:
 * n_rrsets tells how many), NSP_ENOMEM, or NSP_EMALFORMED (an owner name of msg does not read:
 * msg was not parsed by wire_parse). */
int dnssec_check(const wire_msg_t *msg, enum wire_section section, const dnssec_keyset_t *keys,
                 const dnssec_opts_t *opts, dnssec_result_t *out);

/* Appends the signer name of the first RRSIG in `section` of msg in presentation form (the name
 * to query for DNSKEY, usable as wire_query_t.qname). Returns 0, NSP_ENOENT (no RRSIG there),
 * NSP_EMALFORMED (its rdata is too short to hold a name) or NSP_ENOMEM. If the section holds
 * RRsets of several zones, the others fail with DNSSEC_NO_KEY (DNSSEC_SIGNER_NOT_APEX below the
 * apex). The signer is a hint of the zone, not its proof (see "How a probe uses it"). */
int dnssec_signer(const wire_msg_t *msg, enum wire_section section, buf_t *out);

/* Appends a phrase for a log line, e.g.
 *   "www.example. IN A: expired (key tag 4711, algorithm 13 ECDSAP256SHA256,
 *    valid 2024-01-01T00:00:00Z to 2024-01-15T00:00:00Z)"
 * ("www.example. IN A: missing RRSIG" when there was none; a key set's verdict with no RRSIG behind
 * it, "sr.test. IN DNSKEY: DNSKEY set not self-signed", has no parenthesis either). Returns 0,
 * NSP_EMALFORMED or NSP_ENOMEM. */
int dnssec_verdict_describe(const wire_msg_t *msg, const dnssec_verdict_t *v, buf_t *out);

/* "ok", "expiring", "expired", "not yet valid", "bad signature", "bad key", "no matching key",
 * "unsupported algorithm", "bad rrsig", "RRSIG labels below the signer's", "signer is not the zone
 * apex", "malformed", "missing rrsig", "CNAME is not the DNAME's synthesis", "DNSKEY set not
 * self-signed", "DNSKEY set signed only by revoked keys", "no DS matches a key", "the key matching
 * the DS does not sign the DNSKEY set". */
const char *dnssec_reason_name(dnssec_reason_t reason);

/* The mnemonic of a DNSSEC algorithm number (RFC 8624 table), "ECDSAP256SHA256"; NULL if unknown. */
const char *dnssec_algorithm_name(uint8_t algorithm);

/* Whether dnssec_check can verify signatures of this algorithm. */
bool dnssec_algorithm_supported(uint8_t algorithm);

/* The key tag of a DNSKEY rdata (RFC 4034 Appendix B; B.1 for algorithm 1). */
uint16_t dnssec_key_tag(const uint8_t *rdata, size_t len);

/* The NSEC3 hash of an owner name (RFC 5155 5, hash algorithm 1: SHA-1 over the name in canonical
 * form, lowercased here, and the salt, then `iterations` more rounds over the digest and the salt)
 * into out. name_wire is uncompressed wire labels (1..255 octets). The hash is charged to b first
 * (dnssec_budget_nsec3; b may be NULL: not charged). Returns 0, NSP_ERANGE when the budget refuses
 * (b->spent says which limit), or NSP_EINVAL (NULL, len 0 or over 255, salt_len over 255). */
int dnssec_nsec3_hash(const uint8_t *name_wire, size_t len, const uint8_t *salt, size_t salt_len,
                      unsigned iterations, dnssec_budget_t *b, uint8_t out[20]);
