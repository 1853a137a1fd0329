/* dnssec -- RRSIG verification over a parsed message: canonical RRsets, key matching, crypto.
 *
 * For each RRset of the section, and each RRSIG that covers it, RFC 4035 5.3 is followed:
 *   - the RRSIG rdata is read (RFC 4034 3.1) and its serial-number times are made absolute relative
 *     to `now` (RFC 4034 3.1.5, RFC 1982): the 32-bit value closest to now, within +-2^31 s;
 *   - the signer must be the owner or an ancestor of it, labels <= owner labels (5.3.1);
 *   - candidate keys: DNSKEY RRs at the signer name with protocol 3, the Zone Key flag, the RRSIG's
 *     algorithm and key tag (5.3.1; RFC 4034 2.1.1, Appendix B); several may share a tag, all are
 *     tried;
 *   - the signed data is the RRSIG rdata without the signature, the signer name in canonical form,
 *     then each RR of the RRset in canonical form and order (RFC 4034 3.1.8.1, 6.2, 6.3): owner
 *     lowercased and uncompressed ("*." plus the rightmost `labels` labels for a wildcard
 *     expansion, RFC 4035 5.3.2), the RRSIG's original TTL, and the rdata with the domain names of
 *     the RFC 4034 6.2 list uncompressed and lowercased -- less NSEC (and HINFO, which has none),
 *     RFC 6840 5.1 -- sorted as octet strings, duplicates dropped;
 *   - the signature is verified cryptographically, then its window checked: a signature that
 *     verifies but is outside its window says more ("expired") than one that does not verify.
 * The outcome kept for an RRset is the best over its RRSIGs (the order of dnssec_reason_t).
 *
 * Every byte comes from the network: rdata is read through bounds checks and names through
 * cursor_name_unpack with the message cut at the end of the rdata that holds them.
 *
 * Work limits. RFC 4035 5.3.1 asks a validator to try every key that matches an RRSIG's signer,
 * algorithm and key tag; KeyTrap (CVE-2023-50387) pairs many RRSIGs with many keys of one tag, and
 * a key with a 20 KB RSA exponent turns each try into seconds of modular exponentiation. After it
 * the validators bounded the work (we follow the numbers, not the code):
 *   - key sizes: RSA exponents of at most 35 bits, BIND's RSA_MAX_PUBEXP_BITS (defined in
 *     lib/dns/openssl_shim.h; lib/dns/opensslrsa_link.c refuses larger exponents in the keys it
 *     loads, its old pkcs11rsa_link.c also at verification), which every signer's 3 and 65537 (and
 *     BIND's 2^32+1) meet. BIND's validator itself is looser: max-rsa-exponent-size (35..4096, 0 by
 *     default: no limit of its own). Moduli of 512..4096 bits, 1024..4096 for RSASHA512 (RFC 3110
 *     2, RFC 5702 2). OpenSSL, under Unbound and BIND, refuses an exponent not below the modulus
 *     (OPENSSL_RSA_MAX_PUBEXP_BITS: and above 64 bits for moduli over 3072 bits): a 10 KB exponent
 *     is accepted by none of them. Such keys are DNSSEC_BAD_KEY before any arithmetic.
 *   - verifications: BIND 9.20 (from 9.19.21) caps a fetch at 16 validations (the experimental
 *     max-validations-per-fetch); its KeyTrap fix in 9.16.48 and 9.18.24 has no such option and
 *     stops validating a message at its first failure instead. Unbound 1.19.1 caps an RRset at 8
 *     tries (MAX_VALIDATE_RRSIGS), Knot Resolver 5.7.1 a request with a crypto budget. A probe gets
 *     DNSSEC_MAX_VERIFICATIONS (32: an ANY answer during an algorithm rollover holds ~10 RRsets
 *     with 2 RRSIGs each).
 *   - key-tag collisions: BIND 9.20 allows one failed validation per fetch (the experimental
 *     max-validation-failures-per-fetch, default 1), hickory-dns 2 keys per tag. Signers do not
 *     publish two keys with one tag on purpose (RFC 4034 Appendix B: tags are not unique, but a
 *     collision is ~1 in 65536 per pair), so a probe may try DNSSEC_MAX_KEYTAG_COLLISIONS keys
 *     beyond the first candidate of each RRSIG; the candidates are counted before any of them is
 *     verified.
 *   - NSEC3 (CVE-2023-50868): 150 iterations, the limit of BIND 9.18 (max NSEC3 iterations) and
 *     Unbound 1.17 (val-nsec3-keysize-iterations), so nsprobe judges a zone as the validators
 *     its users run do (a zone above it is insecure to them, and fails here); priced with the salt
 *     as Knot Resolver 5.7.1 prices it; Unbound 1.19.1's 8 hashes per message
 *     (MAX_NSEC3_CALCULATIONS). RFC 9276 3.2 lets validators treat any iteration count above 0
 *     as insecure or bogus, and newer releases lower the limit (BIND 9.20: 50).
 *   - the deadline: checked before every RRset, RRSIG and verification, so a check ends at most one
 *     verification (well under 2 ms with the sizes above; see the KeyTrap unit test) after it.
 *   - the work that is not charged stays small: each key's owner is read once per check and an
 *     RRSIG finds its candidates by binary search in a sorted key table; RRsets are grouped with
 *     one sort. So a key set of thousands of same-tag keys that no RRSIG can use, or an answer of
 *     thousands of RRsets, costs milliseconds (the name trap unit test).
 */
#include "dns/dnssec.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nettle/bignum.h>
#include <nettle/dsa.h>
#include <nettle/ecc-curve.h>
#include <nettle/ecc.h>
#include <nettle/ecdsa.h>
#include <nettle/eddsa.h>
#include <nettle/rsa.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>

#include "dns/cursor.h"
#include "dns/dnstab.h"
#include "lib/crypto.h"
#include "lib/errors.h"
#include "dns/rrtext.h"

#define RRSIG_FIXED 18        /* type covered .. key tag, RFC 4034 3.1 */

#define DNSKEY_FLAG_ZONE   0x0100   /* RFC 4034 2.1.1, bit 7 */
#define DNSKEY_FLAG_REVOKE 0x0080   /* RFC 5011 2.1, bit 8 */
#define DNSKEY_PROTOCOL    3        /* RFC 4034 2.1.2 */

/* Key sizes validators accept (see the top of the file). */
#define RSA_MAX_EXPONENT_BITS 35      /* BIND RSA_MAX_PUBEXP_BITS */
#define RSA_MIN_MODULUS_BITS 512      /* RFC 3110 2 */
#define RSA_MIN_MODULUS_BITS_SHA512 1024  /* RFC 5702 2 */
#define RSA_MAX_MODULUS_BITS 4096     /* RFC 3110 2 */
#define RSA_MAX_MODULUS (RSA_MAX_MODULUS_BITS / 8)

/* ------------------------------------------------------------------------------------------------
 * Tables */

static const struct {
	uint8_t number;
	const char *name;
	bool supported;
} algorithms[] = {
	{ 1, "RSAMD5", false },              /* RFC 8624 3.1: MUST NOT validate */
	{ 3, "DSA", false },
	{ 5, "RSASHA1", true },
	{ 6, "DSA-NSEC3-SHA1", false },
	{ 7, "RSASHA1-NSEC3-SHA1", true },
	{ 8, "RSASHA256", true },
	{ 10, "RSASHA512", true },
	{ 12, "ECC-GOST", false },
	{ 13, "ECDSAP256SHA256", true },
	{ 14, "ECDSAP384SHA384", true },
	{ 15, "ED25519", true },
	{ 16, "ED448", true },
};

const char *dnssec_algorithm_name(uint8_t algorithm)
{
	for (size_t i = 0; i < sizeof(algorithms) / sizeof(algorithms[0]); i++)
		if (algorithms[i].number == algorithm)
			return algorithms[i].name;
	return NULL;
}

bool dnssec_algorithm_supported(uint8_t algorithm)
{
	for (size_t i = 0; i < sizeof(algorithms) / sizeof(algorithms[0]); i++)
		if (algorithms[i].number == algorithm)
			return algorithms[i].supported;
	return false;
}

const char *dnssec_reason_name(dnssec_reason_t reason)
{
	switch (reason) {
	case DNSSEC_OK: return "ok";
	case DNSSEC_EXPIRING: return "expiring";
	case DNSSEC_EXPIRED: return "expired";
	case DNSSEC_NOT_YET_VALID: return "not yet valid";
	case DNSSEC_BAD_SIGNATURE: return "bad signature";
	case DNSSEC_BAD_KEY: return "bad key";
	case DNSSEC_NO_KEY: return "no matching key";
	case DNSSEC_UNSUPPORTED_ALG: return "unsupported algorithm";
	case DNSSEC_BAD_RRSIG: return "bad rrsig";
	case DNSSEC_LABELS_BELOW_SIGNER: return "RRSIG labels below the signer's";
	case DNSSEC_SIGNER_NOT_APEX: return "signer is not the zone apex";
	case DNSSEC_MALFORMED: return "malformed";
	case DNSSEC_MISSING_RRSIG: return "missing rrsig";
	case DNSSEC_CNAME_NOT_SYNTHESIS: return "CNAME is not the DNAME's synthesis";
	case DNSSEC_NOT_SELF_SIGNED: return "DNSKEY set not self-signed";
	case DNSSEC_REVOKED_ONLY: return "DNSKEY set signed only by revoked keys";
	case DNSSEC_NO_DS_MATCH: return "no DS matches a key";
	case DNSSEC_DS_KEY_NOT_SIGNING: return "the key matching the DS does not sign the DNSKEY set";
	}
	return "unknown";
}

/* Rdata layouts of the types whose names are canonicalised (RFC 4034 6.2 item 3, less NSEC and
 * HINFO per RFC 6840 5.1). Kinds: 'n' a domain name, '2' '6' '8' fixed octets (2, 6, 18), 's' a
 * character-string, '*' the rest verbatim. A6 is obsolete (RFC 6563) and left verbatim. */
static const struct {
	uint16_t type;
	const char *layout;
} name_types[] = {
	{ DNS_TYPE_NS, "n" },
	{ DNS_TYPE_MD, "n" },
	{ DNS_TYPE_MF, "n" },
	{ DNS_TYPE_CNAME, "n" },
	{ DNS_TYPE_SOA, "nn8" },   /* mname rname, then 20 octets (checked below) */
	{ DNS_TYPE_MB, "n" },
	{ DNS_TYPE_MG, "n" },
	{ DNS_TYPE_MR, "n" },
	{ DNS_TYPE_PTR, "n" },
	{ DNS_TYPE_MINFO, "nn" },
	{ DNS_TYPE_MX, "2n" },
	{ DNS_TYPE_RP, "nn" },
	{ DNS_TYPE_AFSDB, "2n" },
	{ DNS_TYPE_RT, "2n" },
	{ DNS_TYPE_SIG, "8n*" },
	{ DNS_TYPE_PX, "2nn" },
	{ DNS_TYPE_NXT, "n*" },
	{ DNS_TYPE_SRV, "6n" },
	{ DNS_TYPE_NAPTR, "22sssn" },
	{ DNS_TYPE_KX, "2n" },
	{ DNS_TYPE_DNAME, "n" },
	{ DNS_TYPE_RRSIG, "8n*" },
};

/* ------------------------------------------------------------------------------------------------
 * Small helpers */

/* Lowercases the ASCII letters of the labels of an uncompressed wire name (RFC 4034 6.2 item 2;
 * only A-Z, RFC 4343). */
static void name_lower(uint8_t *name, size_t len)
{
	size_t i = 0;
	while (i < len && name[i] != 0) {
		size_t l = name[i];
		for (size_t j = i + 1; j <= i + l && j < len; j++)
			if (name[j] >= 'A' && name[j] <= 'Z')
				name[j] = (uint8_t)(name[j] + ('a' - 'A'));
		i += l + 1;
	}
}

/* Labels of a wire name, not counting the root (RFC 4034 3.1.3 counts the leading "*" too; the
 * caller discounts it). */
static unsigned name_labels(const uint8_t *name, size_t len)
{
	unsigned n = 0;
	for (size_t i = 0; i < len && name[i] != 0; i += (size_t)name[i] + 1)
		n++;
	return n;
}

/* Offset in `name` of its rightmost `keep` labels. */
static size_t name_suffix(const uint8_t *name, size_t len, unsigned keep)
{
	unsigned total = name_labels(name, len);
	size_t i = 0;
	for (unsigned skip = total > keep ? total - keep : 0; skip > 0; skip--)
		i += (size_t)name[i] + 1;
	return i;
}

/* Whether `anc` (lowercased) is `name` (lowercased) or one of its ancestors. */
static bool name_is_under(const uint8_t *name, size_t nlen, const uint8_t *anc, size_t alen)
{
	unsigned nl = name_labels(name, nlen), al = name_labels(anc, alen);
	if (al > nl)
		return false;
	size_t off = name_suffix(name, nlen, al);
	return nlen - off == alen && memcmp(name + off, anc, alen) == 0;
}

/* Serial-number time (RFC 4034 3.1.5, RFC 1982) to unix seconds: the instant within 2^31 s of
 * now whose low 32 bits are t. */
static int64_t serial_time(uint32_t t, int64_t now)
{
	int32_t delta = (int32_t)(t - (uint32_t)now);
	return now + delta;
}

uint16_t dnssec_key_tag(const uint8_t *rdata, size_t len)
{
	/* Appendix B.1: algorithm 1 uses the low 16 bits of the modulus' last octets */
	if (len >= 4 && rdata[3] == 1)
	{
		cursor_t c = cursor_at(rdata, len, len - 3);
		return len >= 7 ? cursor_u16(&c) : 0;
	}
	/* Appendix B: the rdata summed as 16-bit words; an odd last octet is a word's high half */
	uint32_t ac = 0;
	cursor_t c = cursor_make(rdata, len);
	while (cursor_left(&c) >= 2)
		ac += cursor_u16(&c);
	if (cursor_left(&c))
		ac += (uint32_t)cursor_u8(&c) * 256;
	ac += (ac >> 16) & 0xFFFF;
	return (uint16_t)(ac & 0xFFFF);
}

/* Length of a wire name of at most WIRE_MAX_NAME octets; 0 if it is not one. */
static size_t name_wire_len(const uint8_t *name)
{
	size_t i = 0;
	while (i < WIRE_MAX_NAME && name[i] != 0) {
		if (name[i] > 63)
			return 0;
		i += (size_t)name[i] + 1;
	}
	return i < WIRE_MAX_NAME ? i + 1 : 0;
}

int dnssec_ds_digest(const uint8_t owner[], const uint8_t *rdata, size_t rdlen, uint8_t digest_type,
                     uint8_t out[DNSSEC_DS_MAX_DIGEST])
{
	if (!owner || (!rdata && rdlen > 0) || !out)
		return NSP_EINVAL;
	size_t olen = name_wire_len(owner);
	if (olen == 0)
		return NSP_EINVAL;
	uint8_t canon[WIRE_MAX_NAME];   /* RFC 4034 6.2: lowercased, uncompressed */
	memcpy(canon, owner, olen);
	name_lower(canon, olen);
	switch (digest_type) {
	case 1: {
		struct sha1_ctx c;
		sha1_init(&c);
		sha1_update(&c, olen, canon);
		sha1_update(&c, rdlen, rdata);
		sha1_digest(&c, SHA1_DIGEST_SIZE, out);
		return SHA1_DIGEST_SIZE;
	}
	case 2: {
		if (crypto_init() != 0)
			return NSP_ELIB;
		buf_t b = BUF_INIT;
		buf_append(&b, canon, olen);
		buf_append(&b, rdata, rdlen);
		if (!buf_ok(&b)) {
			buf_free(&b);
			return NSP_ENOMEM;
		}
		crypto_sha256(out, b.p, b.len);
		buf_free(&b);
		return CRYPTO_SHA256_SIZE;
	}
	case 4: {
		struct sha384_ctx c;
		sha384_init(&c);
		sha384_update(&c, olen, canon);
		sha384_update(&c, rdlen, rdata);
		sha384_digest(&c, SHA384_DIGEST_SIZE, out);
		return SHA384_DIGEST_SIZE;
	}
	default:
		return NSP_ENOENT;
	}
}

/* The index of the first DS of ds[0..n) that matches the DNSKEY rdata at owner (lowercased):
 * owner, key tag, algorithm, and the digest of a known digest type (RFC 4035 5.2: DS records of
 * unknown digest types are skipped). -1 if none; NSP_ENOMEM. */
static int ds_match(const dnssec_ds_t *ds, size_t n, const uint8_t *owner, const uint8_t *rdata,
                    size_t rdlen)
{
	if (rdlen < 4)
		return -1;
	size_t olen = name_wire_len(owner);
	uint16_t tag = dnssec_key_tag(rdata, rdlen);
	for (size_t i = 0; i < n && i < INT16_MAX; i++) {
		uint8_t ds_owner[WIRE_MAX_NAME];
		size_t dlen = name_wire_len(ds[i].owner);
		if (ds[i].key_tag != tag || ds[i].algorithm != rdata[3] || dlen != olen)
			continue;
		memcpy(ds_owner, ds[i].owner, dlen);
		name_lower(ds_owner, dlen);
		if (memcmp(ds_owner, owner, olen) != 0)
			continue;
		uint8_t d[DNSSEC_DS_MAX_DIGEST];
		int len = dnssec_ds_digest(owner, rdata, rdlen, ds[i].digest_type, d);
		if (len == NSP_ENOMEM)
			return NSP_ENOMEM;
		if (len > 0 && (size_t)len == ds[i].digest_len && memcmp(d, ds[i].digest, (size_t)len) == 0)
			return (int)i;
	}
	return -1;
}

/* ------------------------------------------------------------------------------------------------
 * Cryptography. Both verify_* return one of these. */

typedef enum verify {
	VERIFY_OK,
	VERIFY_BAD_SIG,
	VERIFY_BAD_KEY,
} verify_t;

/* Significant bits of a big-endian unsigned integer (leading zero octets skipped). */
static size_t bits_of(const uint8_t *p, size_t len)
{
	size_t i = 0;
	while (i < len && p[i] == 0)
		i++;
	if (i == len)
		return 0;
	size_t bits = (len - i - 1) * 8;
	for (uint8_t top = p[i]; top; top >>= 1)
		bits++;
	return bits;
}

/* nettle's public API takes GMP integers; every one is made and freed through nettle calls
 * (rsa_public_key_init, dsa_signature_init), so only nettle and hogweed are linked. */
static verify_t verify_rsa(uint8_t alg, const uint8_t *key, size_t klen, const uint8_t *sig,
                           size_t slen, const uint8_t *data, size_t dlen)
{
	/* RFC 3110 2: exponent length in one octet, or 0 and then two octets */
	if (klen < 1)
		return VERIFY_BAD_KEY;
	cursor_t kc = cursor_make(key, klen);
	size_t elen = cursor_u8(&kc);
	if (elen == 0) {
		elen = cursor_u16(&kc);
		if (!cursor_ok(&kc))
			return VERIFY_BAD_KEY;
	}
	size_t off = kc.off;
	if (elen == 0 || klen - off <= elen)
		return VERIFY_BAD_KEY;
	size_t mlen = klen - off - elen;
	/* sizes first, before any arithmetic: a 20 KB exponent costs seconds per verification */
	size_t ebits = bits_of(key + off, elen);
	size_t mbits = bits_of(key + off + elen, mlen);
	if (ebits == 0 || ebits > RSA_MAX_EXPONENT_BITS || mbits > RSA_MAX_MODULUS_BITS ||
	    mbits < (alg == 10 ? RSA_MIN_MODULUS_BITS_SHA512 : RSA_MIN_MODULUS_BITS))
		return VERIFY_BAD_KEY;
	if (slen == 0 || slen > RSA_MAX_MODULUS)
		return VERIFY_BAD_SIG;

	uint8_t digest[SHA512_DIGEST_SIZE];
	switch (alg) {
	case 5:
	case 7: {
		struct sha1_ctx c;
		sha1_init(&c);
		sha1_update(&c, dlen, data);
		sha1_digest(&c, SHA1_DIGEST_SIZE, digest);
		break;
	}
	case 8:
		crypto_sha256(digest, data, dlen);
		break;
	default:
		crypto_sha512(digest, data, dlen);
		break;
	}

	verify_t r = VERIFY_BAD_SIG;
	struct rsa_public_key pub;
	struct dsa_signature s;   /* s.r holds the RSA signature as an integer */
	rsa_public_key_init(&pub);
	dsa_signature_init(&s);
	nettle_mpz_set_str_256_u(pub.e, elen, key + off);
	nettle_mpz_set_str_256_u(pub.n, mlen, key + off + elen);
	nettle_mpz_set_str_256_u(s.r, slen, sig);
	if (!rsa_public_key_prepare(&pub)) {
		r = VERIFY_BAD_KEY;   /* modulus too small for PKCS#1 */
		goto done;
	}
	int ok;
	switch (alg) {
	case 5:
	case 7: ok = rsa_sha1_verify_digest(&pub, digest, s.r); break;
	case 8: ok = rsa_sha256_verify_digest(&pub, digest, s.r); break;
	default: ok = rsa_sha512_verify_digest(&pub, digest, s.r); break;
	}
	r = ok ? VERIFY_OK : VERIFY_BAD_SIG;
done:
	dsa_signature_clear(&s);
	rsa_public_key_clear(&pub);
	return r;
}

/* RFC 6605 4: the key is x | y, the signature r | s, each an integer of the curve's size. */
static verify_t verify_ecdsa(uint8_t alg, const uint8_t *key, size_t klen, const uint8_t *sig,
                             size_t slen, const uint8_t *data, size_t dlen)
{
	size_t n = alg == 13 ? 32 : 48;
	if (klen != 2 * n)
		return VERIFY_BAD_KEY;
	if (slen != 2 * n)
		return VERIFY_BAD_SIG;

	uint8_t digest[SHA384_DIGEST_SIZE];
	if (alg == 13) {
		crypto_sha256(digest, data, dlen);
	} else {
		struct sha384_ctx c;
		sha384_init(&c);
		sha384_update(&c, dlen, data);
		sha384_digest(&c, SHA384_DIGEST_SIZE, digest);
	}

	const struct ecc_curve *curve = alg == 13 ? nettle_get_secp_256r1() : nettle_get_secp_384r1();
	verify_t r = VERIFY_BAD_SIG;
	struct ecc_point pub;
	struct dsa_signature xy, rs;   /* xy holds the point's coordinates */
	ecc_point_init(&pub, curve);
	dsa_signature_init(&xy);
	dsa_signature_init(&rs);
	nettle_mpz_set_str_256_u(xy.r, n, key);
	nettle_mpz_set_str_256_u(xy.s, n, key + n);
	nettle_mpz_set_str_256_u(rs.r, n, sig);
	nettle_mpz_set_str_256_u(rs.s, n, sig + n);
	if (!ecc_point_set(&pub, xy.r, xy.s)) {
		r = VERIFY_BAD_KEY;   /* not on the curve */
		goto done;
	}
	/* ecdsa_verify rejects r, s outside [1, q-1] itself */
	r = ecdsa_verify(&pub, n, digest, &rs) ? VERIFY_OK : VERIFY_BAD_SIG;
done:
	dsa_signature_clear(&rs);
	dsa_signature_clear(&xy);
	ecc_point_clear(&pub);
	return r;
}

/* RFC 8080 3: the key and signature are the raw EdDSA encodings; the message is not pre-hashed. */
static verify_t verify_eddsa(uint8_t alg, const uint8_t *key, size_t klen, const uint8_t *sig,
                             size_t slen, const uint8_t *data, size_t dlen)
{
	if (alg == 15) {
		if (klen != CRYPTO_ED25519_KEY_SIZE)
			return VERIFY_BAD_KEY;
		if (slen != CRYPTO_ED25519_SIG_SIZE)
			return VERIFY_BAD_SIG;
		return crypto_ed25519_verify(sig, data, dlen, key) ? VERIFY_OK : VERIFY_BAD_SIG;
	}
	if (klen != ED448_KEY_SIZE)
		return VERIFY_BAD_KEY;
	if (slen != ED448_SIGNATURE_SIZE)
		return VERIFY_BAD_SIG;
	return ed448_shake256_verify(key, dlen, data, sig) ? VERIFY_OK : VERIFY_BAD_SIG;
}

static verify_t verify(uint8_t alg, const uint8_t *key, size_t klen, const uint8_t *sig, size_t slen,
                       const uint8_t *data, size_t dlen)
{
	switch (alg) {
	case 5:
	case 7:
	case 8:
	case 10:
		return verify_rsa(alg, key, klen, sig, slen, data, dlen);
	case 13:
	case 14:
		return verify_ecdsa(alg, key, klen, sig, slen, data, dlen);
	case 15:
	case 16:
		return verify_eddsa(alg, key, klen, sig, slen, data, dlen);
	default:
		return VERIFY_BAD_KEY;   /* not reached: callers check dnssec_algorithm_supported */
	}
}

/* ------------------------------------------------------------------------------------------------
 * Canonical form */

/* One RR of the section: its canonical owner, read once per check. */
typedef struct item {
	uint8_t owner[WIRE_MAX_NAME];   /* lowercased, uncompressed */
	uint8_t owner_len;
} item_t;

/* An RR of the section as it sorts into RRsets: by owner, class and type (for an RRSIG, the type
 * it covers), an RRset's RRs first and the RRSIGs covering it after them, each in message order.
 * One sort groups the section, so no RRset scans the others (a 64 KB answer holds ~5,500 RRs). */
typedef struct rr_ref {
	const item_t *item;
	uint32_t index;     /* in the section */
	uint16_t rclass;
	uint16_t type;
	uint8_t sig;        /* 1 for an RRSIG */
} rr_ref_t;

/* Below 0, 0 or above 0 as a sorts before, with or after b: the comparators' one step. */
static int order(uint64_t a, uint64_t b)
{
	return (a > b) - (a < b);
}

/* Orders two lowercased owners as the sorts below want them: shorter first, then by octets. */
static int owner_order(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	int c = order(alen, blen);
	return c != 0 ? c : memcmp(a, b, alen);
}

static int rr_ref_cmp(const void *a, const void *b)
{
	const rr_ref_t *x = a, *y = b;
	int c = owner_order(x->item->owner, x->item->owner_len, y->item->owner, y->item->owner_len);
	if (c == 0)
		c = order(x->rclass, y->rclass);
	if (c == 0)
		c = order(x->type, y->type);
	if (c == 0)
		c = order(x->sig, y->sig);
	return c != 0 ? c : order(x->index, y->index);
}

/* One RRset: refs[first .. first + n_rrs) are its RRs, the n_sigs after them its RRSIGs. */
typedef struct group {
	size_t first;
	size_t n_rrs;
	size_t n_sigs;
	uint32_t appears;   /* section index of its first RR: verdicts are in this order */
} group_t;

static int group_cmp(const void *a, const void *b)
{
	const group_t *x = a, *y = b;
	return order(x->appears, y->appears);
}

/* A usable DNSKEY of the key set (Zone Key flag, protocol 3: RFC 4035 5.3.1), with its owner read
 * once per check. Sorted by what an RRSIG names (tag, algorithm, class, signer), then revoked
 * keys last, then message order: the candidates of an RRSIG are one run, found by binary search.
 * Before, every RRSIG decompressed the owner of every key of its tag, twice, before anything was
 * charged to the budget (1,637 RRSIGs x 3,840 keys owned by a 121-label name: 3.4 s). */
typedef struct dnskey {
	uint16_t tag;
	uint8_t algorithm;
	uint8_t revoked;    /* RFC 5011 2.1: signs DNSKEY RRsets only */
	uint16_t rclass;
	uint8_t owner_len;
	uint32_t index;     /* in the key set's answer section */
	int ds;             /* index of the first DS it matches (dnssec_keyset_check); -1: none */
	uint8_t owner[WIRE_MAX_NAME];   /* lowercased */
} dnskey_t;

static int dnskey_cmp(const void *a, const void *b)
{
	const dnskey_t *x = a, *y = b;
	int c = order(x->tag, y->tag);
	if (c == 0)
		c = order(x->algorithm, y->algorithm);
	if (c == 0)
		c = order(x->rclass, y->rclass);
	if (c == 0)
		c = owner_order(x->owner, x->owner_len, y->owner, y->owner_len);
	if (c == 0)
		c = order(x->revoked, y->revoked);
	return c != 0 ? c : order(x->index, y->index);
}

/* One canonical rdata in the scratch buffer. */
typedef struct span {
	size_t off;
	size_t len;
	const uint8_t *p;   /* set once the scratch buffer stops growing */
} span_t;

static int span_cmp(const void *a, const void *b)
{
	const span_t *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->p, y->p, n);
	return c != 0 ? c : order(x->len, y->len);
}

static const char *layout_of(uint16_t type)
{
	for (size_t i = 0; i < sizeof(name_types) / sizeof(name_types[0]); i++)
		if (name_types[i].type == type)
			return name_types[i].layout;
	return NULL;
}

/* Appends rr's rdata in canonical form (RFC 4034 6.2 items 2-3) to out. Returns 0, NSP_EMALFORMED
 * or NSP_ENOMEM. */
static int rdata_canonical(const wire_msg_t *m, const wire_rr_t *rr, buf_t *out)
{
	size_t end = (size_t)rr->rdata + rr->rdlen;
	if (end > m->len)
		return NSP_EMALFORMED;
	const char *layout = layout_of(rr->type);
	if (layout == NULL)
		return buf_append(out, m->buf + rr->rdata, rr->rdlen);

	/* names may point anywhere before the end of this rdata */
	cursor_t c = cursor_at(m->buf, end, rr->rdata);
	for (const char *k = layout; *k; k++) {
		size_t fixed = 0;
		switch (*k) {
		case 'n': {
			uint8_t name[WIRE_MAX_NAME];
			size_t n = cursor_name(&c, name);
			if (n == 0)
				return NSP_EMALFORMED;
			name_lower(name, n);
			buf_append(out, name, n);
			continue;
		}
		case 's': {
			cursor_t peek = c;
			fixed = (size_t)cursor_u8(&peek) + 1;
			if (!cursor_ok(&peek))
				return NSP_EMALFORMED;
			break;
		}
		case '2': fixed = 2; break;
		case '6': fixed = 6; break;
		case '8': fixed = 18; break;
		case '*': fixed = cursor_left(&c); break;
		default: return NSP_EMALFORMED;
		}
		const uint8_t *p = cursor_bytes(&c, fixed);
		if (!p)
			return NSP_EMALFORMED;
		buf_append(out, p, fixed);
	}
	/* SOA: the layout's "8" covers 18 of the 20 octets after the names */
	if (rr->type == DNS_TYPE_SOA) {
		if (cursor_left(&c) != 2)
			return NSP_EMALFORMED;
		buf_append(out, cursor_bytes(&c, 2), 2);
	}
	if (!cursor_at_end(&c))
		return NSP_EMALFORMED;
	return buf_ok(out) ? 0 : NSP_ENOMEM;
}

/* ------------------------------------------------------------------------------------------------
 * One RRSIG */

typedef struct rrsig {
	uint16_t covered;
	uint8_t algorithm;
	uint8_t labels;
	uint32_t orig_ttl;
	int64_t expiration, inception;
	uint16_t key_tag;
	uint16_t signer_off;
	uint8_t signer[WIRE_MAX_NAME];   /* lowercased */
	size_t signer_len;
	const uint8_t *sig;
	size_t sig_len;
} rrsig_t;

/* Reads an RRSIG rdata (RFC 4034 3.1). Returns false if it is truncated; the fixed fields that
 * were present are still set. */
static bool rrsig_read(const wire_msg_t *m, const wire_rr_t *rr, int64_t now, rrsig_t *s)
{
	memset(s, 0, sizeof(*s));
	size_t pos = rr->rdata, end = (size_t)rr->rdata + rr->rdlen;
	if (end > m->len || rr->rdlen < RRSIG_FIXED + 1)
		return false;
	cursor_t c = cursor_at(m->buf, end, pos);
	s->covered = cursor_u16(&c);
	s->algorithm = cursor_u8(&c);
	s->labels = cursor_u8(&c);
	s->orig_ttl = cursor_u32(&c);
	s->expiration = serial_time(cursor_u32(&c), now);
	s->inception = serial_time(cursor_u32(&c), now);
	s->key_tag = cursor_u16(&c);
	s->signer_off = (uint16_t)c.off;
	size_t n = cursor_name(&c, s->signer);
	if (n == 0 || cursor_at_end(&c))   /* the signature may not be empty */
		return false;
	size_t next = c.off;
	s->signer_len = n;
	name_lower(s->signer, s->signer_len);
	s->sig = m->buf + next;
	s->sig_len = end - next;
	return true;
}

/* Rank of a reason: higher is closer to valid. */
static int rank(dnssec_reason_t r)
{
	return DNSSEC_MISSING_RRSIG - (int)r;
}

/* State shared by the RRsets of one dnssec_check call. */
typedef struct check {
	const wire_msg_t *msg;
	const wire_rr_t *rrs;      /* the section */
	size_t n;
	item_t *items;             /* per RR of the section */
	rr_ref_t *refs;            /* the RRs that belong to an RRset or cover one, sorted */
	size_t n_refs;
	group_t *groups;           /* the RRsets, in order of first appearance */
	size_t n_groups;
	const wire_msg_t *keys;
	const dnssec_opts_t *opts;
	span_t *spans;             /* per RR of the section */
	buf_t scratch;             /* canonical rdata of the current RRset */
	buf_t data;                /* the signed data of the current RRSIG */
	const wire_rr_t *krrs;     /* the answer section of keys */
	dnskey_t *keytab;          /* its usable DNSKEYs, sorted */
	size_t nk;
	dnssec_budget_t *budget;
	const uint8_t *apex;       /* the key set's apex (lowercased): keys elsewhere are not used */
	size_t apex_len;
	const dnssec_ds_t *ds;     /* the parent's DS records (dnssec_keyset_check) */
	size_t n_ds;
	size_t used;               /* keytab index of the key the last RRSIG verified with; SIZE_MAX */
} check_t;

/* Builds the signed data of RRSIG s over the n_spans canonical RRs (RFC 4034 3.1.8.1) in c->data. */
static int signed_data(check_t *c, const wire_rr_t *sigrr, const rrsig_t *s, const item_t *owner,
                       uint16_t type, uint16_t rclass, size_t n_spans)
{
	buf_t *d = &c->data;
	buf_reset(d);
	buf_append(d, c->msg->buf + sigrr->rdata, RRSIG_FIXED);
	buf_append(d, s->signer, s->signer_len);

	/* RFC 4035 5.3.2: labels < owner labels means "*." + the rightmost `labels` labels */
	uint8_t name[WIRE_MAX_NAME + 2];
	size_t name_len;
	unsigned labels = name_labels(owner->owner, owner->owner_len);
	if (s->labels < labels) {
		size_t off = name_suffix(owner->owner, owner->owner_len, s->labels);
		name[0] = 1;
		name[1] = '*';
		name_len = owner->owner_len - off;
		memcpy(name + 2, owner->owner + off, name_len);
		name_len += 2;
	} else {
		memcpy(name, owner->owner, owner->owner_len);
		name_len = owner->owner_len;
	}
	uint8_t fixed[10];
	cursor_write_u16(fixed, type);
	cursor_write_u16(fixed + 2, rclass);
	cursor_write_u32(fixed + 4, s->orig_ttl);
	for (size_t i = 0; i < n_spans; i++) {
		cursor_write_u16(fixed + 8, (uint16_t)c->spans[i].len);
		buf_append(d, name, name_len);
		buf_append(d, fixed, sizeof(fixed));
		buf_append(d, c->spans[i].p, c->spans[i].len);
	}
	return buf_ok(d) ? 0 : NSP_ENOMEM;
}

/* The usable DNSKEYs of the key set, each tag computed and owner read once per check rather than
 * once per RRSIG and key (a 64 KB key set and thousands of RRSIGs would otherwise sum gigabytes). */
static int key_table(check_t *c)
{
	size_t n;
	c->krrs = wire_section(c->keys, WIRE_ANSWER, &n);
	c->keytab = calloc(n ? n : 1, sizeof(*c->keytab));
	if (!c->keytab)
		return NSP_ENOMEM;
	c->nk = 0;
	for (size_t i = 0; i < n; i++) {
		const wire_rr_t *k = &c->krrs[i];
		if (k->type != DNS_TYPE_DNSKEY || k->rdlen < 4 || (size_t)k->rdata + k->rdlen > c->keys->len)
			continue;
		const uint8_t *p = c->keys->buf + k->rdata;
		cursor_t kc = cursor_make(p, k->rdlen);
		uint16_t flags = cursor_u16(&kc);
		if (!(flags & DNSKEY_FLAG_ZONE) || cursor_u8(&kc) != DNSKEY_PROTOCOL)
			continue;
		dnskey_t *d = &c->keytab[c->nk];
		int len = wire_name_read(c->keys, k->owner, d->owner, NULL);
		if (len < 0)
			continue;
		d->owner_len = (uint8_t)len;
		name_lower(d->owner, (size_t)len);
		if ((size_t)len != c->apex_len || memcmp(d->owner, c->apex, c->apex_len) != 0)
			continue;   /* only the apex's keys sign for the zone (RFC 4035 5.3.1) */
		d->ds = ds_match(c->ds, c->n_ds, d->owner, p, k->rdlen);
		if (d->ds == NSP_ENOMEM)
			return NSP_ENOMEM;
		d->tag = dnssec_key_tag(p, k->rdlen);
		d->algorithm = p[3];
		d->revoked = (flags & DNSKEY_FLAG_REVOKE) != 0;
		d->rclass = k->rclass;
		d->index = (uint32_t)i;
		c->nk++;
	}
	qsort(c->keytab, c->nk, sizeof(*c->keytab), dnskey_cmp);
	return 0;
}

/* The first entry of the key table not ordered before `probe`. */
static size_t key_lower_bound(const check_t *c, const dnskey_t *probe)
{
	size_t lo = 0, hi = c->nk;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (dnskey_cmp(&c->keytab[mid], probe) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The keys that can have made RRSIG s over an RRset of class rclass and type covered (RFC 4035
 * 5.3.1): keytab[*first .. *end). Two binary searches, whatever the key set holds. */
static void key_candidates(const check_t *c, const rrsig_t *s, uint16_t rclass, uint16_t covered,
                           size_t *first, size_t *end)
{
	dnskey_t probe = {
		.tag = s->key_tag, .algorithm = s->algorithm, .rclass = rclass,
		.owner_len = (uint8_t)s->signer_len,
	};
	memcpy(probe.owner, s->signer, s->signer_len);
	*first = key_lower_bound(c, &probe);
	probe.revoked = covered == DNS_TYPE_DNSKEY ? 2 : 1;   /* past the revoked keys, or before them */
	*end = key_lower_bound(c, &probe);
}

/* ------------------------------------------------------------------------------------------------
 * Budget */

void dnssec_budget_init(dnssec_budget_t *b, int64_t deadline_ns)
{
	*b = (dnssec_budget_t){
		.verifications = DNSSEC_MAX_VERIFICATIONS,
		.collisions = DNSSEC_MAX_KEYTAG_COLLISIONS,
		.nsec3_hashes = DNSSEC_MAX_NSEC3_HASHES,
		.deadline_ns = deadline_ns,
	};
}

/* Takes n from *left; false (and the budget spent with `limit`) if fewer are left. */
static bool budget_take(dnssec_budget_t *b, unsigned *left, size_t n, dnssec_limit_t limit)
{
	if (b->spent != DNSSEC_LIMIT_NONE)
		return false;
	if (n > *left) {
		*left = 0;
		b->spent = limit;
		return false;
	}
	*left -= (unsigned)n;
	return true;
}

static int64_t monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Work may go on: nothing ran out and the deadline has not passed. Asked before each RRset, each
 * RRSIG and each verification, so what runs between two asks is small and bounded. */
static bool budget_live(dnssec_budget_t *b)
{
	if (b->spent == DNSSEC_LIMIT_NONE && b->deadline_ns != 0 && monotonic_ns() >= b->deadline_ns)
		b->spent = DNSSEC_LIMIT_DEADLINE;
	return b->spent == DNSSEC_LIMIT_NONE;
}

/* One verification may start: the deadline has not passed and one is left. */
static bool budget_verification(dnssec_budget_t *b)
{
	return budget_live(b) && budget_take(b, &b->verifications, 1, DNSSEC_LIMIT_VERIFICATIONS);
}

bool dnssec_budget_nsec3(dnssec_budget_t *b, unsigned iterations, size_t salt_len)
{
	/* Knot Resolver's kr_nsec3_price: each iteration hashes the salt and the previous 20-octet
	 * hash, one SHA-1 block per 64 octets */
	size_t blocks = (20 + salt_len - 1) / 64 + 1;
	if (((size_t)iterations + 1) * blocks > DNSSEC_MAX_NSEC3_ITERATIONS + 1) {
		if (b->spent == DNSSEC_LIMIT_NONE)
			b->spent = DNSSEC_LIMIT_NSEC3_ITERATIONS;
		return false;
	}
	return budget_take(b, &b->nsec3_hashes, 1, DNSSEC_LIMIT_NSEC3_HASHES);
}

/* The texts name the limits' numbers: keep them in step with dnssec.h */
_Static_assert(DNSSEC_MAX_VERIFICATIONS == 32 && DNSSEC_MAX_KEYTAG_COLLISIONS == 4 &&
               DNSSEC_MAX_NSEC3_ITERATIONS + 1 == 151 && DNSSEC_MAX_NSEC3_HASHES == 8,
               "dnssec_limit_describe names these numbers");

const char *dnssec_limit_describe(dnssec_limit_t limit)
{
	switch (limit) {
	case DNSSEC_LIMIT_NONE: return "";
	case DNSSEC_LIMIT_VERIFICATIONS: return "more than 32 signature verifications";
	case DNSSEC_LIMIT_COLLISIONS: return "more than 4 key-tag collisions";
	case DNSSEC_LIMIT_NSEC3_ITERATIONS:
		return "an NSEC3 hash of more than 151 SHA-1 blocks ((iterations + 1) x blocks of salt and hash)";
	case DNSSEC_LIMIT_NSEC3_HASHES: return "more than 8 NSEC3 hashes";
	case DNSSEC_LIMIT_DEADLINE: return "the probe's deadline passed during signature checks";
	}
	return "unknown limit";
}

/* Checks one RRSIG over the RRset; *reason gets its outcome. n_spans < 0 means the RRset could not
 * be canonicalised. Returns 0 or NSP_ENOMEM. */
static int check_rrsig(check_t *c, const wire_rr_t *sigrr, const rrsig_t *s, const item_t *owner,
                       uint16_t type, uint16_t rclass, long n_spans, dnssec_reason_t *reason)
{
	*reason = DNSSEC_NO_KEY;   /* stays so only if the budget stops the check below */
	c->used = SIZE_MAX;
	unsigned labels = name_labels(owner->owner, owner->owner_len);
	if (labels > 0 && owner->owner[0] == 1 && owner->owner[1] == '*')
		labels--;   /* RFC 4034 3.1.3: the wildcard label is not counted */
	if (s->labels > labels || !name_is_under(owner->owner, owner->owner_len, s->signer,
	                                         s->signer_len)) {
		*reason = DNSSEC_BAD_RRSIG;
		return 0;
	}
	/* a wildcard may not stand above the signer's zone: labels >= the signer's labels */
	if (s->labels < name_labels(s->signer, s->signer_len)) {
		*reason = DNSSEC_LABELS_BELOW_SIGNER;
		return 0;
	}
	/* the zone's data is signed by the zone apex, nothing below it */
	if (name_is_under(owner->owner, owner->owner_len, c->apex, c->apex_len) &&
	    (s->signer_len != c->apex_len || memcmp(s->signer, c->apex, c->apex_len) != 0)) {
		*reason = DNSSEC_SIGNER_NOT_APEX;
		return 0;
	}
	if (!dnssec_algorithm_supported(s->algorithm)) {
		*reason = DNSSEC_UNSUPPORTED_ALG;
		return 0;
	}
	if (n_spans < 0) {
		*reason = DNSSEC_MALFORMED;
		return 0;
	}

	/* Key-tag collisions are counted before any candidate is verified: a key set built to
	 * collide is refused whole, whatever order its keys come in. */
	size_t first, end;
	key_candidates(c, s, rclass, type, &first, &end);
	size_t candidates = end - first;
	if (candidates > 1 && !budget_take(c->budget, &c->budget->collisions, candidates - 1,
	                                   DNSSEC_LIMIT_COLLISIONS))
		return 0;

	bool built = false, good_key = false, verified = false;
	const bool any_key = candidates > 0;
	for (size_t j = first; j < end && !verified; j++) {
		const wire_rr_t *krr = &c->krrs[c->keytab[j].index];
		if (!budget_verification(c->budget))
			return 0;
		if (!built) {
			int rc = signed_data(c, sigrr, s, owner, type, rclass, (size_t)n_spans);
			if (rc < 0)
				return rc;
			built = true;
		}
		const uint8_t *key = c->keys->buf + krr->rdata + 4;
		verify_t v = verify(s->algorithm, key, krr->rdlen - 4u, s->sig, s->sig_len,
		                    (const uint8_t *)c->data.p, c->data.len);
		if (v != VERIFY_BAD_KEY)
			good_key = true;
		verified = v == VERIFY_OK;
		if (verified)
			c->used = j;
	}
	if (!any_key)
		*reason = DNSSEC_NO_KEY;
	else if (!good_key)
		*reason = DNSSEC_BAD_KEY;
	else if (!verified)
		*reason = DNSSEC_BAD_SIGNATURE;
	else if (c->opts->now > s->expiration)
		*reason = DNSSEC_EXPIRED;
	else if (c->opts->now < s->inception)
		*reason = DNSSEC_NOT_YET_VALID;
	else if (s->expiration - c->opts->now < c->opts->min_validity)
		*reason = DNSSEC_EXPIRING;
	else
		*reason = DNSSEC_OK;
	return 0;
}

/* Builds the canonical, sorted, de-duplicated rdata of RRset g in c->spans. Returns the count, -1
 * if an rdata cannot be canonicalised, or NSP_ENOMEM (as a long). */
static long rrset_canonical(check_t *c, const group_t *g)
{
	buf_reset(&c->scratch);
	size_t k = 0;
	for (size_t i = g->first; i < g->first + g->n_rrs; i++) {
		size_t before = c->scratch.len;
		int rc = rdata_canonical(c->msg, &c->rrs[c->refs[i].index], &c->scratch);
		if (rc == NSP_ENOMEM)
			return NSP_ENOMEM;
		if (rc < 0 || c->scratch.len - before > 65535)
			return -1;
		c->spans[k++] = (span_t){ .off = before, .len = c->scratch.len - before };
	}
	for (size_t i = 0; i < k; i++)
		c->spans[i].p = (const uint8_t *)c->scratch.p + c->spans[i].off;
	qsort(c->spans, k, sizeof(span_t), span_cmp);
	/* RFC 4034 6.3: an RRset holds no duplicates; drop repeats as validators do */
	size_t w = 0;
	for (size_t i = 0; i < k; i++)
		if (w == 0 || span_cmp(&c->spans[w - 1], &c->spans[i]) != 0)
			c->spans[w++] = c->spans[i];
	return (long)w;
}

/* Starts the verdict on RRset g: no RRSIG seen yet. Returns g's first RR. */
static const wire_rr_t *verdict_open(const check_t *c, const group_t *g, dnssec_verdict_t *v)
{
	const wire_rr_t *rr0 = &c->rrs[g->appears];
	*v = (dnssec_verdict_t){
		.owner = rr0->owner, .type = rr0->type, .rclass = rr0->rclass,
		.reason = DNSSEC_MISSING_RRSIG,
		.n_rrs = (uint16_t)g->n_rrs,
		.n_rrsigs = (uint16_t)g->n_sigs,
	};
	return rr0;
}

/* Takes the outcome of RRSIG s (reason) into v if it is better than v's: a higher rank, or the
 * same good rank with a later expiration. Returns whether it did. */
static bool verdict_take(dnssec_verdict_t *v, dnssec_reason_t reason, const rrsig_t *s)
{
	bool better = rank(reason) > rank(v->reason) ||
	              (reason == v->reason && reason <= DNSSEC_EXPIRING && s->expiration > v->expiration);
	if (!better)
		return false;
	v->reason = reason;
	v->key_tag = s->key_tag;
	v->algorithm = s->algorithm;
	v->signer = s->signer_off;
	v->inception = s->inception;
	v->expiration = s->expiration;
	v->labels = s->labels;
	return true;
}

static int check_rrset(check_t *c, const group_t *g, dnssec_verdict_t *v, dnssec_result_t *out)
{
	const wire_rr_t *rr0 = verdict_open(c, g, v);
	const item_t *owner = c->refs[g->first].item;

	long n_spans = rrset_canonical(c, g);
	if (n_spans == NSP_ENOMEM)
		return NSP_ENOMEM;

	for (size_t i = g->first + g->n_rrs; i < g->first + g->n_rrs + g->n_sigs; i++) {
		const wire_rr_t *sr = &c->rrs[c->refs[i].index];
		if (!budget_live(c->budget))
			return 0;   /* the deadline passed: keep the verdict so far */

		rrsig_t s;
		dnssec_reason_t reason;
		if (!rrsig_read(c->msg, sr, c->opts->now, &s)) {
			reason = DNSSEC_MALFORMED;
		} else {
			if (!out->have_times || s.expiration < out->earliest_expiry)
				out->earliest_expiry = s.expiration;
			if (!out->have_times || s.inception > out->latest_inception)
				out->latest_inception = s.inception;
			out->have_times = true;
			int rc = check_rrsig(c, sr, &s, owner, rr0->type, rr0->rclass, n_spans, &reason);
			if (rc < 0)
				return rc;
			if (c->budget->spent != DNSSEC_LIMIT_NONE)
				return 0;   /* this RRSIG's outcome is unknown: keep the verdict so far */
		}
		if (!verdict_take(v, reason, &s))
			continue;
		unsigned labels = name_labels(owner->owner, owner->owner_len);
		v->wildcard = reason != DNSSEC_MALFORMED && s.labels < labels &&
		              !(owner->owner[0] == 1 && owner->owner[1] == '*');
	}
	return 0;
}

static bool is_meta(uint16_t type)
{
	return type == DNS_TYPE_OPT || type == DNS_TYPE_RRSIG || type == DNS_TYPE_TSIG || type == DNS_TYPE_TKEY;
}

/* Sorts the section's RRs into RRsets (see rr_ref_t) and numbers the RRsets in order of first
 * appearance. The OPT, TSIG, TKEY and RRSIG records are no RRset; an RRSIG too short to name the
 * type it covers covers nothing we can tell; RRSIGs that cover no RRset of the section are
 * dropped. Returns 0 or NSP_ENOMEM. */
static int group_rrsets(check_t *c)
{
	c->refs = calloc(c->n, sizeof(*c->refs));
	c->groups = calloc(c->n, sizeof(*c->groups));
	if (!c->refs || !c->groups)
		return NSP_ENOMEM;
	c->n_refs = 0;
	for (size_t i = 0; i < c->n; i++) {
		const wire_rr_t *rr = &c->rrs[i];
		rr_ref_t r = { .item = &c->items[i], .index = (uint32_t)i, .rclass = rr->rclass,
		               .type = rr->type };
		if (rr->type == DNS_TYPE_RRSIG) {
			cursor_t rc = cursor_at(c->msg->buf, c->msg->len, rr->rdata);
			r.type = cursor_u16(&rc);
			if (rr->rdlen < 2 || !cursor_ok(&rc))
				continue;
			r.sig = 1;
		} else if (is_meta(rr->type)) {
			continue;
		}
		c->refs[c->n_refs++] = r;
	}
	qsort(c->refs, c->n_refs, sizeof(*c->refs), rr_ref_cmp);

	c->n_groups = 0;
	for (size_t i = 0; i < c->n_refs;) {
		size_t j = i;   /* the run of one owner, class and type */
		while (j < c->n_refs && c->refs[j].item->owner_len == c->refs[i].item->owner_len &&
		       c->refs[j].rclass == c->refs[i].rclass && c->refs[j].type == c->refs[i].type &&
		       memcmp(c->refs[j].item->owner, c->refs[i].item->owner,
		              c->refs[i].item->owner_len) == 0)
			j++;
		size_t rrs = 0;
		while (i + rrs < j && !c->refs[i + rrs].sig)
			rrs++;
		if (rrs > 0)
			c->groups[c->n_groups++] = (group_t){
				.first = i, .n_rrs = rrs, .n_sigs = j - i - rrs, .appears = c->refs[i].index,
			};
		i = j;
	}
	qsort(c->groups, c->n_groups, sizeof(*c->groups), group_cmp);
	return 0;
}

/* Sets c up over `section` of msg with the keys at apex of keys (ds: the DS records a key set
 * check matches): owners read, RRsets grouped, key table built. Returns 0, NSP_ENOMEM,
 * NSP_EMALFORMED or NSP_ELIB. check_close frees what it made, whatever it returned. */
static int check_open(check_t *c, const wire_msg_t *msg, enum wire_section section,
                      const wire_msg_t *keys, const uint8_t *apex, size_t apex_len,
                      const dnssec_opts_t *opts, dnssec_budget_t *own)
{
	if (crypto_init() != 0)
		return NSP_ELIB;
	if (!opts->budget)
		dnssec_budget_init(own, 0);
	c->msg = msg;
	c->keys = keys;
	c->opts = opts;
	c->budget = opts->budget ? opts->budget : own;
	c->apex = apex;
	c->apex_len = apex_len;
	c->rrs = wire_section(msg, section, &c->n);
	c->items = calloc(c->n ? c->n : 1, sizeof(*c->items));
	c->spans = calloc(c->n ? c->n : 1, sizeof(*c->spans));
	if (!c->items || !c->spans)
		return NSP_ENOMEM;
	int rc = key_table(c);
	if (rc < 0)
		return rc;
	/* owners, read once per RR */
	for (size_t i = 0; i < c->n; i++) {
		int n = wire_name_read(msg, c->rrs[i].owner, c->items[i].owner, NULL);
		if (n < 0)
			return NSP_EMALFORMED;
		c->items[i].owner_len = (uint8_t)n;
		name_lower(c->items[i].owner, (size_t)n);
	}
	return group_rrsets(c);
}

static void check_close(check_t *c)
{
	buf_free(&c->scratch);
	buf_free(&c->data);
	free(c->keytab);
	free(c->groups);
	free(c->refs);
	free(c->spans);
	free(c->items);
}

/* The target of the CNAME or DNAME rr (lowercased) into out; its length, or 0 if it does not read. */
static size_t target_of(const wire_msg_t *m, const wire_rr_t *rr, uint8_t out[WIRE_MAX_NAME])
{
	size_t end = (size_t)rr->rdata + rr->rdlen;
	if (end > m->len)
		return 0;
	cursor_t cur = cursor_at(m->buf, end, rr->rdata);
	size_t n = cursor_name(&cur, out);
	if (n == 0 || !cursor_at_end(&cur))
		return 0;
	name_lower(out, n);
	return n;
}

/* RFC 6672 5.3.1: an unsigned CNAME of the section is valid when a verified DNAME of the same
 * section stands above its owner and the CNAME's target is the owner with the DNAME's owner
 * replaced by the DNAME's target. Verdict v[g] of RRset g becomes that DNAME's (synthesized), or
 * DNSSEC_CNAME_NOT_SYNTHESIS when a verified DNAME stands above it but the target differs. */
static void dname_synthesis(check_t *c, dnssec_verdict_t *v)
{
	for (size_t g = 0; g < c->n_groups; g++) {
		const group_t *cn = &c->groups[g];
		if (v[g].type != DNS_TYPE_CNAME || v[g].n_rrsigs != 0)
			continue;
		const item_t *o = c->refs[cn->first].item;
		uint8_t have[WIRE_MAX_NAME];
		size_t have_len = cn->n_rrs == 1 ? target_of(c->msg, &c->rrs[c->refs[cn->first].index], have) : 0;
		for (size_t d = 0; d < c->n_groups; d++) {
			const group_t *dn = &c->groups[d];
			const item_t *dno = c->refs[dn->first].item;
			if (v[d].type != DNS_TYPE_DNAME || v[d].rclass != v[g].rclass ||
			    (v[d].reason != DNSSEC_OK && v[d].reason != DNSSEC_EXPIRING) || dn->n_rrs != 1 ||
			    name_labels(dno->owner, dno->owner_len) >= name_labels(o->owner, o->owner_len) ||
			    !name_is_under(o->owner, o->owner_len, dno->owner, dno->owner_len))
				continue;
			uint8_t target[WIRE_MAX_NAME];
			size_t tlen = target_of(c->msg, &c->rrs[c->refs[dn->first].index], target);
			size_t prefix = (size_t)o->owner_len - dno->owner_len;
			bool same = tlen > 0 && have_len > 0 && prefix + tlen <= WIRE_MAX_NAME &&
			            have_len == prefix + tlen && memcmp(have, o->owner, prefix) == 0 &&
			            memcmp(have + prefix, target, tlen) == 0;
			dnssec_verdict_t cname = v[g];
			v[g] = v[d];
			v[g].owner = cname.owner;
			v[g].type = cname.type;
			v[g].n_rrs = cname.n_rrs;
			v[g].n_rrsigs = 0;
			v[g].wildcard = false;
			v[g].synthesized = same;
			if (!same)
				v[g].reason = DNSSEC_CNAME_NOT_SYNTHESIS;
			else
				break;   /* one matching DNAME is enough */
		}
	}
}

int dnssec_check(const wire_msg_t *msg, enum wire_section section, const dnssec_keyset_t *keys,
                 const dnssec_opts_t *opts, dnssec_result_t *out)
{
	if (!msg || !keys || !keys->msg || !keys->valid || !opts || !out ||
	    (unsigned)section >= WIRE_SECTIONS || (out->cap > 0 && !out->verdicts))
		return NSP_EINVAL;
	out->n_rrsets = 0;
	out->valid = out->ok = false;
	out->first_failure = 0;
	out->have_times = false;
	out->earliest_expiry = out->latest_inception = 0;
	out->limit = DNSSEC_LIMIT_NONE;

	dnssec_budget_t own;
	check_t c = { 0 };
	int rc = check_open(&c, msg, section, keys->msg, keys->apex, keys->apex_len, opts, &own);
	if (rc < 0 || c.n == 0)
		goto done;
	out->n_rrsets = c.n_groups;
	if (c.n_groups > out->cap) {
		rc = NSP_ENOSPC;
		goto done;
	}

	size_t next = 0;
	for (; next < c.n_groups && budget_live(c.budget); next++) {
		rc = check_rrset(&c, &c.groups[next], &out->verdicts[next], out);
		if (rc < 0)
			goto done;
	}
	rc = 0;
	if (c.budget->spent != DNSSEC_LIMIT_NONE) {
		/* RRsets not reached say "missing RRSIG"; none of them counts as checked */
		for (size_t g = next; g < out->n_rrsets; g++)
			out->verdicts[g] = (dnssec_verdict_t){ .reason = DNSSEC_MISSING_RRSIG };
		out->limit = c.budget->spent;
		out->first_failure = 0;
		goto done;
	}
	dname_synthesis(&c, out->verdicts);

	out->first_failure = out->n_rrsets;
	out->valid = out->ok = out->n_rrsets > 0;
	for (size_t g = 0; g < out->n_rrsets; g++) {
		dnssec_reason_t r = out->verdicts[g].reason;
		if (r != DNSSEC_OK) {
			out->ok = false;
			if (out->first_failure == out->n_rrsets)
				out->first_failure = g;
		}
		if (r != DNSSEC_OK && r != DNSSEC_EXPIRING)
			out->valid = false;
	}
done:
	check_close(&c);
	return rc;
}

/* ------------------------------------------------------------------------------------------------
 * Key sets */

/* Fills the parts of out both ways of making a key set share; the keys at apex listed. */
static int keyset_start(const wire_msg_t *keys, const uint8_t apex[], dnssec_keyset_t *out)
{
	if (!keys || !apex || !out)
		return NSP_EINVAL;
	size_t alen = name_wire_len(apex);
	if (alen == 0)
		return NSP_EINVAL;
	memset(out, 0, sizeof(*out));
	out->msg = keys;
	memcpy(out->apex, apex, alen);
	out->apex_len = (uint8_t)alen;
	name_lower(out->apex, alen);
	out->ds_used = -1;
	out->verdict = (dnssec_verdict_t){ .owner = keys->question, .type = DNS_TYPE_DNSKEY,
	                                   .rclass = keys->qclass, .reason = DNSSEC_NO_KEY };
	return 0;
}

/* Lists the DNSKEYs at the apex of the answer of ks->msg in ks->keys (ds: marks the DS each
 * matches). Returns 0, NSP_EMALFORMED or NSP_ENOMEM. */
static int keyset_list(dnssec_keyset_t *ks, const dnssec_ds_t *ds, size_t n_ds)
{
	size_t n;
	const wire_rr_t *rrs = wire_section(ks->msg, WIRE_ANSWER, &n);
	for (size_t i = 0; i < n; i++) {
		const wire_rr_t *k = &rrs[i];
		if (k->type != DNS_TYPE_DNSKEY || k->rdlen < 4 || (size_t)k->rdata + k->rdlen > ks->msg->len)
			continue;
		uint8_t owner[WIRE_MAX_NAME];
		int len = wire_name_read(ks->msg, k->owner, owner, NULL);
		if (len < 0)
			return NSP_EMALFORMED;
		name_lower(owner, (size_t)len);
		if ((size_t)len != ks->apex_len || memcmp(owner, ks->apex, ks->apex_len) != 0)
			continue;
		if (ks->n_keys++ >= DNSSEC_KEYSET_MAX_KEYS)
			continue;
		const uint8_t *p = ks->msg->buf + k->rdata;
		cursor_t kc = cursor_make(p, k->rdlen);
		dnssec_keyinfo_t *info = &ks->keys[ks->n_keys - 1];
		info->flags = cursor_u16(&kc);
		info->protocol = cursor_u8(&kc);
		info->algorithm = cursor_u8(&kc);
		info->tag = dnssec_key_tag(p, k->rdlen);
		info->usable = (info->flags & DNSKEY_FLAG_ZONE) && !(info->flags & DNSKEY_FLAG_REVOKE) &&
		               info->protocol == DNSKEY_PROTOCOL && dnssec_algorithm_supported(info->algorithm);
		info->ds = ds_match(ds, n_ds, owner, p, k->rdlen);
		if (info->ds == NSP_ENOMEM)
			return NSP_ENOMEM;
	}
	return 0;
}

/* Marks the listed key of keytab entry d as one that signs the set. */
static void keyset_signs(dnssec_keyset_t *ks, const check_t *c, const dnskey_t *d)
{
	const wire_rr_t *k = &c->krrs[d->index];
	size_t n = ks->n_keys < DNSSEC_KEYSET_MAX_KEYS ? ks->n_keys : DNSSEC_KEYSET_MAX_KEYS;
	for (size_t i = 0; i < n; i++) {
		dnssec_keyinfo_t *info = &ks->keys[i];
		cursor_t kc = cursor_make(c->keys->buf + k->rdata, k->rdlen);
		if (info->tag == d->tag && info->algorithm == d->algorithm &&
		    info->flags == cursor_u16(&kc))
			info->signs = true;
	}
}

int dnssec_keyset_anchor(const wire_msg_t *keys, const uint8_t apex[], dnssec_keyset_t *out)
{
	int rc = keyset_start(keys, apex, out);
	if (rc < 0)
		return rc;
	rc = keyset_list(out, NULL, 0);
	if (rc < 0)
		return rc;
	out->valid = out->anchor = true;
	out->verdict.reason = DNSSEC_OK;
	return 0;
}

int dnssec_keyset_check(const wire_msg_t *keys, const uint8_t apex[], const dnssec_ds_t *ds,
                        size_t n_ds, const dnssec_opts_t *opts, dnssec_keyset_t *out)
{
	if (!opts || (n_ds > 0 && !ds))
		return NSP_EINVAL;
	int rc = keyset_start(keys, apex, out);
	if (rc < 0)
		return rc;
	out->n_ds = n_ds;
	rc = keyset_list(out, ds, n_ds);
	if (rc < 0)
		return rc;

	dnssec_budget_t own;
	check_t c = { .ds = ds, .n_ds = n_ds };
	rc = check_open(&c, keys, WIRE_ANSWER, keys, out->apex, out->apex_len, opts, &own);
	if (rc < 0)
		goto done;
	/* the DNSKEY RRset at the apex */
	const group_t *g = NULL;
	for (size_t i = 0; i < c.n_groups && !g; i++) {
		const item_t *o = c.refs[c.groups[i].first].item;
		if (c.refs[c.groups[i].first].type == DNS_TYPE_DNSKEY &&
		    owner_order(o->owner, o->owner_len, out->apex, out->apex_len) == 0)
			g = &c.groups[i];
	}
	if (!g)
		goto done;   /* DNSSEC_NO_KEY */
	bool ds_key = false;   /* a key with the Zone Key flag and protocol 3 matches a DS */
	for (size_t j = 0; j < c.nk; j++)
		if (c.keytab[j].ds >= 0)
			ds_key = true;   /* a revoked one too: its signature decides below */
	if (n_ds > 0 && !ds_key) {
		verdict_open(&c, g, &out->verdict);
		out->verdict.reason = DNSSEC_NO_DS_MATCH;
		goto done;
	}

	/* check_rrset's loop, counting only signatures by usable (and DS-matched) keys */
	dnssec_verdict_t *v = &out->verdict;
	const wire_rr_t *rr0 = verdict_open(&c, g, v);
	long n_spans = rrset_canonical(&c, g);
	if (n_spans == NSP_ENOMEM) {
		rc = NSP_ENOMEM;
		goto done;
	}
	bool revoked_signs = false;
	const item_t *owner = c.refs[g->first].item;
	for (size_t i = g->first + g->n_rrs; i < g->first + g->n_rrs + g->n_sigs; i++) {
		const wire_rr_t *sr = &c.rrs[c.refs[i].index];
		if (!budget_live(c.budget))
			break;
		rrsig_t s;
		dnssec_reason_t reason = DNSSEC_MALFORMED;
		if (rrsig_read(keys, sr, opts->now, &s)) {
			if (n_ds > 0) {
				/* only the keys a DS names may sign: skip the others unverified */
				bool named = false;
				for (size_t j = 0; j < c.nk && !named; j++)
					named = c.keytab[j].ds >= 0 && c.keytab[j].tag == s.key_tag &&
					        c.keytab[j].algorithm == s.algorithm;
				if (!named)
					continue;
			}
			rc = check_rrsig(&c, sr, &s, owner, rr0->type, rr0->rclass, n_spans, &reason);
			if (rc < 0)
				goto done;
			if (c.budget->spent != DNSSEC_LIMIT_NONE)
				break;
			if (c.used != SIZE_MAX) {
				const dnskey_t *d = &c.keytab[c.used];
				keyset_signs(out, &c, d);
				if (d->revoked) {
					revoked_signs = true;   /* its own revocation, nothing more (RFC 5011 2.1) */
					continue;
				}
				if (n_ds > 0 && d->ds < 0)
					continue;   /* a colliding key of the DS's tag signed, not the DS's */
			}
		}
		if (!verdict_take(v, reason, &s))
			continue;
		if ((reason == DNSSEC_OK || reason == DNSSEC_EXPIRING) && c.used != SIZE_MAX) {
			out->ds_used = c.keytab[c.used].ds;
			out->ds_key_tag = c.keytab[c.used].tag;
		}
	}
	if (c.budget->spent != DNSSEC_LIMIT_NONE) {
		out->limit = c.budget->spent;
		goto done;
	}
	if (v->reason == DNSSEC_NO_KEY || v->reason == DNSSEC_MISSING_RRSIG) {
		v->reason = revoked_signs ? DNSSEC_REVOKED_ONLY :
		            n_ds > 0 ? DNSSEC_DS_KEY_NOT_SIGNING : DNSSEC_NOT_SELF_SIGNED;
	}
	out->valid = v->reason == DNSSEC_OK || v->reason == DNSSEC_EXPIRING;
	if (!out->valid)
		out->ds_used = -1;
done:
	check_close(&c);
	return rc;
}

int dnssec_keyset_describe(const dnssec_keyset_t *ks, const dnssec_ds_t *ds, size_t n_ds, buf_t *out)
{
	int rc = dnssec_verdict_describe(ks->msg, &ks->verdict, out);
	if (rc < 0)
		return rc;
	buf_puts(out, " (");
	for (size_t i = 0; i < n_ds; i++)
		buf_printf(out, "%sDS %u %u %u", i ? ", " : "", ds[i].key_tag, ds[i].algorithm,
		           ds[i].digest_type);
	buf_puts(out, n_ds ? "; keys" : "keys");
	size_t n = ks->n_keys < DNSSEC_KEYSET_MAX_KEYS ? ks->n_keys : DNSSEC_KEYSET_MAX_KEYS;
	for (size_t i = 0; i < n; i++) {
		const dnssec_keyinfo_t *k = &ks->keys[i];
		buf_printf(out, "%s %u flags %u algorithm %u", i ? "," : "", k->tag, k->flags, k->algorithm);
		if (k->ds >= 0)
			buf_printf(out, " matches DS %d", k->ds + 1);
	}
	if (n == 0)
		buf_puts(out, " none");
	else if (ks->n_keys > n)
		buf_printf(out, ", %zu more", ks->n_keys - n);
	buf_putc(out, ')');
	return buf_ok(out) ? 0 : NSP_ENOMEM;
}

/* ------------------------------------------------------------------------------------------------
 * Text */

int dnssec_signer(const wire_msg_t *msg, enum wire_section section, buf_t *out)
{
	if ((unsigned)section >= WIRE_SECTIONS)
		return NSP_EINVAL;
	size_t n;
	const wire_rr_t *rrs = wire_section(msg, section, &n);
	for (size_t i = 0; i < n; i++) {
		if (rrs[i].type != DNS_TYPE_RRSIG)
			continue;
		size_t end = (size_t)rrs[i].rdata + rrs[i].rdlen;
		uint8_t name[WIRE_MAX_NAME];
		if (rrs[i].rdlen <= RRSIG_FIXED || end > msg->len ||
		    cursor_name_unpack(msg->buf, end, (size_t)rrs[i].rdata + RRSIG_FIXED, name, NULL,
		                     NULL) < 0)
			return NSP_EMALFORMED;
		return rrtext_name(msg, (size_t)rrs[i].rdata + RRSIG_FIXED, out);
	}
	return NSP_ENOENT;
}

static void put_time(buf_t *out, int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;
	if (gmtime_r(&tt, &tm) == NULL) {
		buf_printf(out, "%" PRId64, t);
		return;
	}
	char s[32];
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%SZ", &tm);
	buf_puts(out, s);
}

int dnssec_verdict_describe(const wire_msg_t *msg, const dnssec_verdict_t *v, buf_t *out)
{
	int rc = rrtext_name(msg, v->owner, out);
	if (rc < 0)
		return rc;
	const char *cls = dnstab_class_name(v->rclass);
	const char *typ = dnstab_type_name(v->type);
	if (cls)
		buf_printf(out, " %s", cls);
	else
		buf_printf(out, " CLASS%u", v->rclass);
	if (typ)
		buf_printf(out, " %s", typ);
	else
		buf_printf(out, " TYPE%u", v->type);
	buf_printf(out, ": %s", dnssec_reason_name(v->reason));
	/* the reasons about a whole key set may stand behind no RRSIG (algorithm 0 is none) */
	bool rrsig = v->reason != DNSSEC_MISSING_RRSIG &&
	             !(v->reason >= DNSSEC_CNAME_NOT_SYNTHESIS && v->algorithm == 0);
	if (rrsig) {
		const char *alg = dnssec_algorithm_name(v->algorithm);
		buf_printf(out, " (key tag %u, algorithm %u %s", v->key_tag, v->algorithm,
		           alg ? alg : "unknown");
		if (v->reason != DNSSEC_MALFORMED || v->expiration != 0) {
			buf_puts(out, ", valid ");
			put_time(out, v->inception);
			buf_puts(out, " to ");
			put_time(out, v->expiration);
		}
		buf_putc(out, ')');
	}
	return buf_ok(out) ? 0 : NSP_ENOMEM;
}

/* ------------------------------------------------------------------------------------------------
 * NSEC3 owner-name hash (RFC 5155 5), for dns/denial: SHA-1 lives behind this room's door. */

int dnssec_nsec3_hash(const uint8_t *name_wire, size_t len, const uint8_t *salt, size_t salt_len,
                      unsigned iterations, dnssec_budget_t *b, uint8_t out[20])
{
	if (name_wire == NULL || out == NULL || len == 0 || len > CURSOR_MAX_NAME ||
	    (salt == NULL && salt_len > 0) || salt_len > 255)
		return NSP_EINVAL;
	if (b != NULL && !dnssec_budget_nsec3(b, iterations, salt_len))
		return NSP_ERANGE;
	/* the canonical form (RFC 4034 6.2): ASCII letters lowercased, length octets untouched */
	uint8_t canon[CURSOR_MAX_NAME];
	for (size_t i = 0; i < len;) {
		size_t n = name_wire[i];
		canon[i] = name_wire[i];
		if (n == 0 || i + 1 + n > len) {
			memcpy(canon + i + 1, name_wire + i + 1, len - i - 1);
			break;
		}
		for (size_t k = 1; k <= n; k++) {
			uint8_t ch = name_wire[i + k];
			canon[i + k] = (ch >= 'A' && ch <= 'Z') ? (uint8_t)(ch + 32) : ch;
		}
		i += 1 + n;
	}
	struct sha1_ctx c;
	sha1_init(&c);
	sha1_update(&c, len, canon);
	sha1_update(&c, salt_len, salt);
	sha1_digest(&c, SHA1_DIGEST_SIZE, out);
	for (unsigned k = 0; k < iterations; k++) {
		sha1_init(&c);
		sha1_update(&c, SHA1_DIGEST_SIZE, out);
		sha1_update(&c, salt_len, salt);
		sha1_digest(&c, SHA1_DIGEST_SIZE, out);
	}
	return 0;
}
