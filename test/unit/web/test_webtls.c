/* test_webtls -- the web server's GnuTLS room: the load-time checks (key pair, priority string, client
 * CAs) and the client certificate check as far as it goes without a handshake. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "lib/errors.h"
#include "web/webtls.h"
#include "testlib.h"

/* A self-signed CA certificate and its key, as PEM text (gnutls_free both). */
typedef struct pair {
	gnutls_datum_t cert, key;
} pair_t;

static void make_pair(pair_t *p)
{
	gnutls_x509_privkey_t k;
	gnutls_x509_crt_t c;
	assert_int_equal(gnutls_x509_privkey_init(&k), 0);
	assert_int_equal(gnutls_x509_privkey_generate(k, GNUTLS_PK_ECDSA,
	                                              GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0), 0);
	assert_int_equal(gnutls_x509_crt_init(&c), 0);
	gnutls_x509_crt_set_version(c, 3);
	unsigned char serial[8] = { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0 };
	gnutls_x509_crt_set_serial(c, serial, sizeof serial);
	gnutls_x509_crt_set_activation_time(c, time(NULL) - 60);
	gnutls_x509_crt_set_expiration_time(c, time(NULL) + 3600);
	assert_int_equal(gnutls_x509_crt_set_dn(c, "CN=127.0.0.1", NULL), 0);
	gnutls_x509_crt_set_key(c, k);
	gnutls_x509_crt_set_basic_constraints(c, 1, -1);
	gnutls_x509_crt_set_key_usage(c, GNUTLS_KEY_DIGITAL_SIGNATURE | GNUTLS_KEY_KEY_CERT_SIGN);
	assert_int_equal(gnutls_x509_crt_sign2(c, c, k, GNUTLS_DIG_SHA256, 0), 0);
	assert_int_equal(gnutls_x509_crt_export2(c, GNUTLS_X509_FMT_PEM, &p->cert), 0);
	assert_int_equal(gnutls_x509_privkey_export2(k, GNUTLS_X509_FMT_PEM, &p->key), 0);
	gnutls_x509_crt_deinit(c);
	gnutls_x509_privkey_deinit(k);
}

static void free_pair(pair_t *p)
{
	gnutls_free(p->cert.data);
	gnutls_free(p->key.data);
}

static void test_key_pair(void **state)
{
	(void)state;
	pair_t a, b;
	make_pair(&a);
	make_pair(&b);
	char why[256] = "";
	assert_int_equal(webtls_check_key_pair((const char *)a.cert.data, a.cert.size, (const char *)a.key.data,
	                                       a.key.size, why, sizeof why), 0);
	/* the key of another certificate */
	assert_int_equal(webtls_check_key_pair((const char *)a.cert.data, a.cert.size, (const char *)b.key.data,
	                                       b.key.size, why, sizeof why), NSP_EINVAL);
	assert_true(why[0] != '\0');
	/* not PEM at all */
	why[0] = '\0';
	assert_int_equal(webtls_check_key_pair("junk", 4, (const char *)a.key.data, a.key.size, why, sizeof why),
	                 NSP_EINVAL);
	assert_true(why[0] != '\0');
	free_pair(&a);
	free_pair(&b);
}

static void test_priorities(void **state)
{
	(void)state;
	char why[512] = "";
	assert_int_equal(webtls_check_priorities("NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:%SERVER_PRECEDENCE", why,
	                                         sizeof why), 0);
	assert_int_equal(webtls_check_priorities("NORMAL:+NO-SUCH-THING", why, sizeof why), NSP_EINVAL);
	assert_non_null(strstr(why, "GnuTLS refuses priority string NORMAL:+NO-SUCH-THING at \""));
}

static void test_client_ca(void **state)
{
	(void)state;
	pair_t a;
	make_pair(&a);
	char why[256] = "";
	webtls_t *t = NULL;
	assert_int_equal(webtls_new(true, true, (const char *)a.cert.data, a.cert.size, &t, why, sizeof why), 0);
	assert_non_null(t);
	webtls_free(t);
	/* no CA file: the system's roots (verify) or nothing to verify against (ask only) */
	assert_int_equal(webtls_new(false, true, NULL, 0, &t, why, sizeof why), 0);
	webtls_free(t);
	assert_int_equal(webtls_new(true, false, NULL, 0, &t, why, sizeof why), 0);
	webtls_free(t);
	/* a CA file without a certificate */
	assert_int_equal(webtls_new(true, true, "", 0, &t, why, sizeof why), NSP_EINVAL);
	assert_null(t);
	assert_non_null(strstr(why, "no CA certificate found ("));
	webtls_free(NULL);
	free_pair(&a);
}

static void test_check_client_without_session(void **state)
{
	(void)state;
	char err[256] = "";
	/* nothing asked: every client passes */
	assert_int_equal(webtls_check_client(NULL, NULL, err, sizeof err), WEBTLS_CLIENT_OK);
	webtls_t *t = NULL;
	/* required: no session counts as no certificate */
	assert_int_equal(webtls_new(true, false, NULL, 0, &t, err, sizeof err), 0);
	assert_int_equal(webtls_check_client(t, NULL, err, sizeof err), WEBTLS_CLIENT_MISSING);
	assert_string_equal(err, "tls: client didn't provide a certificate");
	webtls_free(t);
	/* verified if given: none given passes */
	assert_int_equal(webtls_new(false, true, NULL, 0, &t, err, sizeof err), 0);
	assert_int_equal(webtls_check_client(t, NULL, err, sizeof err), WEBTLS_CLIENT_OK);
	webtls_free(t);
	/* no session: the alert is skipped */
	webtls_alert(NULL, WEBTLS_CLIENT_MISSING);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_pair),
		cmocka_unit_test(test_priorities),
		cmocka_unit_test(test_client_ca),
		cmocka_unit_test(test_check_client_without_session),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
