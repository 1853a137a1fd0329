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

#include "lib/errors.h"
#include "web/webtls.h"
#include "testlib.h"

/* A self-signed CA certificate and its key, as PEM text. */
typedef struct pair {
	char *cert, *key;
	size_t cert_len, key_len;
} pair_t;

static void make_pair(pair_t *p)
{
	testlib_tls_pair(&p->cert, &p->key);
	p->cert_len = strlen(p->cert);
	p->key_len = strlen(p->key);
}

static void free_pair(pair_t *p)
{
	free(p->cert);
	free(p->key);
}

static void test_key_pair(void **state)
{
	(void)state;
	pair_t a, b;
	make_pair(&a);
	make_pair(&b);
	char why[256] = "";
	assert_int_equal(webtls_check_key_pair(a.cert, a.cert_len, a.key, a.key_len, why, sizeof why), 0);
	/* the key of another certificate */
	assert_int_equal(webtls_check_key_pair(a.cert, a.cert_len, b.key, b.key_len, why, sizeof why), NSP_EINVAL);
	assert_true(why[0] != '\0');
	/* not PEM at all */
	why[0] = '\0';
	assert_int_equal(webtls_check_key_pair("junk", 4, a.key, a.key_len, why, sizeof why), NSP_EINVAL);
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
	assert_int_equal(webtls_new(true, true, a.cert, a.cert_len, &t, why, sizeof why), 0);
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
