/* test_webtls -- the web server's GnuTLS room: the load-time checks (key pair, priority string, client
 * CAs), the per-connection server settings, and the client certificate check as far as it goes
 * without a handshake (web/certs does real handshakes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
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

static bool is_hex64(const char *s)
{
	if (strlen(s) != 64)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

static void test_server(void **state)
{
	(void)state;
	static const char prio[] = "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:%SERVER_PRECEDENCE";
	pair_t a, b;
	make_pair(&a);
	make_pair(&b);
	char why[256] = "";
	webtls_server_t *sa = NULL, *sa2 = NULL, *sb = NULL;
	assert_int_equal(webtls_server_new(a.cert, a.cert_len, a.key, a.key_len, false, NULL, prio, &sa, why, sizeof why), 0);
	/* asking for client certificates, with the CAs named in the request */
	assert_int_equal(webtls_server_new(a.cert, a.cert_len, a.key, a.key_len, true, b.cert, prio, &sa2, why, sizeof why), 0);
	assert_int_equal(webtls_server_new(b.cert, b.cert_len, b.key, b.key_len, false, NULL, prio, &sb, why, sizeof why), 0);
	/* the fingerprint names the certificate: the same one twice, another one differs */
	assert_true(is_hex64(webtls_server_fingerprint(sa)));
	assert_string_equal(webtls_server_fingerprint(sa), webtls_server_fingerprint(sa2));
	assert_string_not_equal(webtls_server_fingerprint(sa), webtls_server_fingerprint(sb));
	/* no session to hand them to */
	assert_int_equal(webtls_server_bind(sa, NULL), NSP_EINVAL);
	assert_int_equal(webtls_server_bind(NULL, NULL), NSP_EINVAL);
	webtls_server_free(sa);
	webtls_server_free(sa2);
	webtls_server_free(sb);
	webtls_server_free(NULL);

	/* a key that is not the certificate's, a broken key, a broken priority string: nothing built */
	webtls_server_t *t = (webtls_server_t *)&t;
	why[0] = '\0';
	assert_int_equal(webtls_server_new(a.cert, a.cert_len, b.key, b.key_len, false, NULL, prio, &t, why, sizeof why),
	                 NSP_EINVAL);
	assert_null(t);
	assert_true(why[0] != '\0');
	static const char broken[] = "-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n";
	assert_int_equal(webtls_server_new(a.cert, a.cert_len, broken, strlen(broken), false, NULL, prio, &t, why, sizeof why),
	                 NSP_EINVAL);
	assert_null(t);
	assert_int_equal(webtls_server_new(a.cert, a.cert_len, a.key, a.key_len, false, NULL, "NORMAL:+NO-SUCH", &t, why,
	                                   sizeof why),
	                 NSP_EINVAL);
	assert_null(t);
	free_pair(&a);
	free_pair(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_pair),
		cmocka_unit_test(test_priorities),
		cmocka_unit_test(test_client_ca),
		cmocka_unit_test(test_check_client_without_session),
		cmocka_unit_test(test_server),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
