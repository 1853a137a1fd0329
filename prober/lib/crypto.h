/* crypto -- libsodium behind one door: the random bytes, hashes, signature check, password check and
 * constant-time helpers that the other floors use. Nothing else includes <sodium.h>.
 *
 * libsodium's own names are crypto_<primitive>_*; the names here are chosen not to meet them (the
 * compiler would say so in crypto.c, the one file that sees both). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CRYPTO_SHA256_SIZE        32
#define CRYPTO_SHA512_SIZE        64
#define CRYPTO_ED25519_KEY_SIZE   32   /* RFC 8080 3: the raw public key */
#define CRYPTO_ED25519_SIG_SIZE   64
#define CRYPTO_KEYED_HASH_KEY_SIZE 32
#define CRYPTO_KEYED_HASH_SIZE    32

/* One span of bytes fed to crypto_keyed_hash. */
typedef struct crypto_span {
	const void *p;
	size_t len;
} crypto_span_t;

/* Readies libsodium: picks its code paths and seeds its generator, once per process. Call before the
 * other functions; later calls are cheap and it is safe from several threads. Returns 0 or NSP_ELIB. */
int crypto_init(void);

/* Fills buf with len unpredictable bytes: DNS query IDs must not be guessable (RFC 5452 9.2), and
 * the keyed hash's secret must not be either. */
void crypto_random(void *buf, size_t len);

/* True when a and b hold the same len bytes, in a time that does not depend on where they differ, so
 * that comparing a secret does not tell an attacker how much of a guess was right. */
bool crypto_equal(const void *a, const void *b, size_t len);

/* Zeroes len bytes at p in a way the compiler may not drop, so freed memory keeps no password. */
void crypto_wipe(void *p, size_t len);

/* SHA-256 and SHA-512 of data (FIPS 180-4): the digests DNSSEC's RSA and ECDSA signatures are made
 * over (RFC 5702 3, RFC 6605 4). */
void crypto_sha256(uint8_t out[CRYPTO_SHA256_SIZE], const void *data, size_t len);
void crypto_sha512(uint8_t out[CRYPTO_SHA512_SIZE], const void *data, size_t len);

/* Whether sig (CRYPTO_ED25519_SIG_SIZE bytes) is key's (CRYPTO_ED25519_KEY_SIZE bytes) Ed25519
 * signature over msg, as RFC 8080 3 has DNSSEC algorithm 15 check it (no pre-hash). */
bool crypto_ed25519_verify(const uint8_t *sig, const uint8_t *msg, size_t len, const uint8_t *key);

/* BLAKE2b of the spans one after the other, keyed with key, into out: a cache key that is no faster
 * an oracle for its inputs than the password hashes they name. The caller separates fields (e.g. by
 * hashing their lengths first), as the spans are simply concatenated. */
void crypto_keyed_hash(const uint8_t key[CRYPTO_KEYED_HASH_KEY_SIZE], const crypto_span_t *spans, size_t n,
                       uint8_t out[CRYPTO_KEYED_HASH_SIZE]);

/* Whether hash is an argon2i or argon2id hash string ("$argon2id$v=19$m=…") that
 * crypto_argon2_verify can use: checked when the web config loads, not on the first login. */
bool crypto_argon2_parses(const char *hash);

/* Whether password (len bytes, may hold NUL) matches the argon2 hash string. Costs what the hash
 * says (tens of ms, MiBs of memory): call it off the loop threads. */
bool crypto_argon2_verify(const char *hash, const char *password, size_t len);

/* Decodes standard base64 (RFC 4648 4, with padding) of b64[0..len) into out (cap bytes), skipping
 * the characters in ignore (NULL: none), in a time that does not depend on the bytes: it decodes
 * credentials. Returns 0 with the byte count in *n; NSP_EINVAL when the whole input is not valid
 * base64 or does not fit. */
int crypto_base64_decode(uint8_t *out, size_t cap, const char *b64, size_t len, const char *ignore, size_t *n);
