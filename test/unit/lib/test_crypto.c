/* test_crypto -- lib/crypto against published vectors (FIPS 180-4 "abc", RFC 8032 7.1, RFC 4648 10)
 * and against libsodium itself, which the test may include (tests stand outside the floors). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "lib/crypto.h"
#include "lib/errors.h"
#include "testlib.h"

static int setup(void **state)
{
	(void)state;
	return crypto_init();
}

static void assert_hex(const uint8_t *got, size_t len, const char *hex)
{
	uint8_t want[64];
	assert_int_equal(testlib_unhex(hex, want, sizeof(want)), len);
	assert_memory_equal(got, want, len);
}

static void test_sha(void **state)
{
	(void)state;
	uint8_t d256[CRYPTO_SHA256_SIZE], d512[CRYPTO_SHA512_SIZE];
	crypto_sha256(d256, "abc", 3);
	assert_hex(d256, sizeof(d256), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	crypto_sha512(d512, "abc", 3);
	assert_hex(d512, sizeof(d512),
	           "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
	           "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
}

/* RFC 8032 7.1, TEST 2: a one-byte message. */
static void test_ed25519(void **state)
{
	(void)state;
	uint8_t key[CRYPTO_ED25519_KEY_SIZE], sig[CRYPTO_ED25519_SIG_SIZE];
	const uint8_t msg[] = { 0x72 };
	testlib_unhex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", key, sizeof(key));
	testlib_unhex("92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
	              "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00", sig, sizeof(sig));
	assert_true(crypto_ed25519_verify(sig, msg, sizeof(msg), key));
	const uint8_t other[] = { 0x73 };
	assert_false(crypto_ed25519_verify(sig, other, sizeof(other), key));
	sig[0] ^= 1;
	assert_false(crypto_ed25519_verify(sig, msg, sizeof(msg), key));
}

static void test_equal_wipe_random(void **state)
{
	(void)state;
	assert_true(crypto_equal("secret", "secret", 6));
	assert_false(crypto_equal("secret", "secreT", 6));
	assert_true(crypto_equal("a", "b", 0));
	uint8_t b[32];
	memset(b, 0xa5, sizeof(b));
	crypto_wipe(b, sizeof(b));
	for (size_t i = 0; i < sizeof(b); i++)
		assert_int_equal(b[i], 0);
	uint8_t r1[32], r2[32];
	crypto_random(r1, sizeof(r1));
	crypto_random(r2, sizeof(r2));
	assert_false(crypto_equal(r1, r2, sizeof(r1)));   /* 2^-256 */
}

/* The spans are concatenated, the key matters, and the result is keyed BLAKE2b-256. */
static void test_keyed_hash(void **state)
{
	(void)state;
	uint8_t key[CRYPTO_KEYED_HASH_KEY_SIZE], a[CRYPTO_KEYED_HASH_SIZE], b[CRYPTO_KEYED_HASH_SIZE];
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)i;
	const crypto_span_t two[] = { { "ab", 2 }, { "cd", 2 } };
	const crypto_span_t one[] = { { "abcd", 4 } };
	crypto_keyed_hash(key, two, 2, a);
	crypto_keyed_hash(key, one, 1, b);
	assert_memory_equal(a, b, sizeof(a));
	assert_hex(a, sizeof(a), "12aa42f88ab48315ff69f46d8b522f2f5237d98fb002763b58bbe43952068561");
	key[0] ^= 1;
	crypto_keyed_hash(key, one, 1, b);
	assert_memory_not_equal(a, b, sizeof(a));
}

static void test_argon2(void **state)
{
	(void)state;
	char id[crypto_pwhash_STRBYTES], i[crypto_pwhash_STRBYTES];
	assert_int_equal(crypto_pwhash_argon2id_str(id, "hunter2", 7, crypto_pwhash_argon2id_OPSLIMIT_MIN,
	                                            crypto_pwhash_argon2id_MEMLIMIT_MIN), 0);
	assert_int_equal(crypto_pwhash_argon2i_str(i, "hunter2", 7, 3, crypto_pwhash_argon2i_MEMLIMIT_MIN), 0);
	assert_true(crypto_argon2_parses(id));
	assert_true(crypto_argon2_parses(i));
	assert_false(crypto_argon2_parses("$argon2id$v=19$m=65536,t=2,p=1$broken"));
	assert_false(crypto_argon2_parses("$2b$04$abcdefghijklmnopqrstuu"));
	assert_false(crypto_argon2_parses(""));
	assert_true(crypto_argon2_verify(id, "hunter2", 7));
	assert_true(crypto_argon2_verify(i, "hunter2", 7));
	assert_false(crypto_argon2_verify(id, "hunter3", 7));
	assert_false(crypto_argon2_verify(id, "hunter2\0", 8));    /* lengths count: the NUL is a byte */
}

/* RFC 4648 10 vectors; CR/LF skipped only when asked; the whole input must decode and fit. */
static void test_base64(void **state)
{
	(void)state;
	uint8_t out[16];
	size_t n = 99;
	assert_int_equal(crypto_base64_decode(out, sizeof(out), "Zm9vYmFy", 8, NULL, &n), 0);
	assert_int_equal(n, 6);
	assert_memory_equal(out, "foobar", 6);
	assert_int_equal(crypto_base64_decode(out, sizeof(out), "Zm8=", 4, NULL, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(crypto_base64_decode(out, sizeof(out), "", 0, NULL, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(crypto_base64_decode(out, sizeof(out), "Zm9v\r\nYmFy", 10, "\r\n", &n), 0);
	assert_int_equal(n, 6);
	assert_int_equal(crypto_base64_decode(out, sizeof(out), "Zm9v\r\nYmFy", 10, NULL, &n), NSP_EINVAL);
	assert_int_equal(crypto_base64_decode(out, sizeof(out), "Zm8", 3, NULL, &n), NSP_EINVAL);     /* padding */
	assert_int_equal(crypto_base64_decode(out, sizeof(out), "Zm9v!", 5, NULL, &n), NSP_EINVAL);   /* junk */
	assert_int_equal(crypto_base64_decode(out, 5, "Zm9vYmFy", 8, NULL, &n), NSP_EINVAL);          /* too long */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha),
		cmocka_unit_test(test_ed25519),
		cmocka_unit_test(test_equal_wipe_random),
		cmocka_unit_test(test_keyed_hash),
		cmocka_unit_test(test_argon2),
		cmocka_unit_test(test_base64),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
