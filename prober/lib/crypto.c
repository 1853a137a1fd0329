/* crypto -- the one includer of <sodium.h> (see crypto.h). Each function is one libsodium call; the
 * sizes in crypto.h are checked against libsodium's here. */
#include "lib/crypto.h"

#include <string.h>

#include <sodium.h>

#include "lib/errors.h"

_Static_assert(CRYPTO_SHA256_SIZE == crypto_hash_sha256_BYTES, "SHA-256 size");
_Static_assert(CRYPTO_SHA512_SIZE == crypto_hash_sha512_BYTES, "SHA-512 size");
_Static_assert(CRYPTO_ED25519_KEY_SIZE == crypto_sign_ed25519_PUBLICKEYBYTES, "Ed25519 key size");
_Static_assert(CRYPTO_ED25519_SIG_SIZE == crypto_sign_ed25519_BYTES, "Ed25519 signature size");
_Static_assert(CRYPTO_KEYED_HASH_KEY_SIZE == crypto_generichash_KEYBYTES, "BLAKE2b key size");
_Static_assert(CRYPTO_KEYED_HASH_SIZE >= crypto_generichash_BYTES_MIN &&
               CRYPTO_KEYED_HASH_SIZE <= crypto_generichash_BYTES_MAX, "BLAKE2b output size");

int crypto_init(void)
{
	return sodium_init() < 0 ? NSP_ELIB : 0;
}

void crypto_random(void *buf, size_t len)
{
	randombytes_buf(buf, len);
}

bool crypto_equal(const void *a, const void *b, size_t len)
{
	return sodium_memcmp(a, b, len) == 0;
}

void crypto_wipe(void *p, size_t len)
{
	sodium_memzero(p, len);
}

void crypto_sha256(uint8_t out[CRYPTO_SHA256_SIZE], const void *data, size_t len)
{
	crypto_hash_sha256(out, data, len);
}

void crypto_sha512(uint8_t out[CRYPTO_SHA512_SIZE], const void *data, size_t len)
{
	crypto_hash_sha512(out, data, len);
}

bool crypto_ed25519_verify(const uint8_t *sig, const uint8_t *msg, size_t len, const uint8_t *key)
{
	return crypto_sign_ed25519_verify_detached(sig, msg, len, key) == 0;
}

void crypto_keyed_hash(const uint8_t key[CRYPTO_KEYED_HASH_KEY_SIZE], const crypto_span_t *spans, size_t n,
                       uint8_t out[CRYPTO_KEYED_HASH_SIZE])
{
	crypto_generichash_state st;
	crypto_generichash_init(&st, key, CRYPTO_KEYED_HASH_KEY_SIZE, CRYPTO_KEYED_HASH_SIZE);
	for (size_t i = 0; i < n; i++)
		crypto_generichash_update(&st, spans[i].p, spans[i].len);
	crypto_generichash_final(&st, out, CRYPTO_KEYED_HASH_SIZE);
}

bool crypto_argon2_parses(const char *hash)
{
	/* needs_rehash parses the string and answers -1 when it is not a valid hash of that kind; the
	 * limits given only decide between 0 and 1. */
	if (strncmp(hash, "$argon2id$", 10) == 0)
		return crypto_pwhash_argon2id_str_needs_rehash(hash, 1, 8192) >= 0;
	if (strncmp(hash, "$argon2i$", 9) == 0)
		return crypto_pwhash_argon2i_str_needs_rehash(hash, 3, 8192) >= 0;
	return false;
}

bool crypto_argon2_verify(const char *hash, const char *password, size_t len)
{
	return crypto_pwhash_str_verify(hash, password, len) == 0;
}

int crypto_base64_decode(uint8_t *out, size_t cap, const char *b64, size_t len, const char *ignore, size_t *n)
{
	const char *end = NULL;
	if (sodium_base642bin(out, cap, b64, len, ignore, n, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    end != b64 + len)
		return NSP_EINVAL;
	return 0;
}
