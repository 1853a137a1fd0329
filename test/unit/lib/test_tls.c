/* test_tls -- lib/tls over a socketpair: a client session of ours against a GnuTLS server the test
 * drives itself (tests stand outside the floors and may include GnuTLS), both non-blocking, stepped
 * in turn. The server's session plays libmicrohttpd's for the client-certificate checks. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <gnutls/gnutls.h>

#include "lib/errors.h"
#include "lib/tls.h"
#include "testlib.h"

typedef struct peer {
	char *cert, *key;
} peer_t;

typedef struct pair {
	int fd[2];                          /* [0] ours (client), [1] the test's server */
	tls_cred_t *cred;                   /* the client's */
	gnutls_certificate_credentials_t server_cred;
	gnutls_session_t server;
	tls_session_t *client;
	peer_t server_id, client_id;
} pair_t;

static void pair_open(pair_t *p, bool client_cert)
{
	memset(p, 0, sizeof(*p));
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, p->fd), 0);
	testlib_tls_pair(&p->server_id.cert, &p->server_id.key);
	testlib_tls_pair(&p->client_id.cert, &p->client_id.key);

	assert_int_equal(tls_cred_new(&p->cred), 0);
	assert_int_equal(tls_cred_add_ca(p->cred, p->server_id.cert, strlen(p->server_id.cert)), 1);
	if (client_cert)
		assert_int_equal(tls_cred_set_key_pair(p->cred, p->client_id.cert, strlen(p->client_id.cert),
		                                       p->client_id.key, strlen(p->client_id.key)), 0);

	assert_int_equal(gnutls_certificate_allocate_credentials(&p->server_cred), 0);
	gnutls_datum_t c = { (unsigned char *)p->server_id.cert, (unsigned)strlen(p->server_id.cert) };
	gnutls_datum_t k = { (unsigned char *)p->server_id.key, (unsigned)strlen(p->server_id.key) };
	assert_int_equal(gnutls_certificate_set_x509_key_mem(p->server_cred, &c, &k, GNUTLS_X509_FMT_PEM), 0);
	assert_int_equal(gnutls_init(&p->server, GNUTLS_SERVER | GNUTLS_NONBLOCK), 0);
	assert_int_equal(gnutls_set_default_priority(p->server), 0);
	assert_int_equal(gnutls_credentials_set(p->server, GNUTLS_CRD_CERTIFICATE, p->server_cred), 0);
	gnutls_certificate_server_set_request(p->server, GNUTLS_CERT_REQUEST);
	gnutls_transport_set_int(p->server, p->fd[1]);
}

static void pair_close(pair_t *p)
{
	tls_session_free(p->client);
	gnutls_deinit(p->server);
	gnutls_certificate_free_credentials(p->server_cred);
	tls_cred_free(p->cred);
	close(p->fd[0]);
	close(p->fd[1]);
	free(p->server_id.cert);
	free(p->server_id.key);
	free(p->client_id.cert);
	free(p->client_id.key);
}

/* Steps both handshakes until the client's ends; returns the client's result. */
static int handshake(pair_t *p)
{
	int c = TLS_E_AGAIN, s = GNUTLS_E_AGAIN;
	for (int i = 0; i < 100 && c == TLS_E_AGAIN; i++) {
		c = tls_handshake(p->client);
		if (s == GNUTLS_E_AGAIN || s == GNUTLS_E_INTERRUPTED)
			s = gnutls_handshake(p->server);
	}
	/* let the server take the client's last flight (or its alert) */
	for (int i = 0; i < 10 && (s == GNUTLS_E_AGAIN || s == GNUTLS_E_INTERRUPTED); i++)
		s = gnutls_handshake(p->server);
	return c;
}

static tls_client_opts_t opts(pair_t *p, const char *name, bool verify)
{
	return (tls_client_opts_t){ .fd = p->fd[0], .cred = p->cred, .server_name = name, .verify = verify,
	                            .min_version = -1, .max_version = -1 };
}

/* Opens the pair and our client on it for name (and ip, when not NULL), without a handshake yet. */
static void client_open(pair_t *p, bool client_cert, const char *name, bool verify, const uint8_t *ip, size_t ip_len)
{
	pair_open(p, client_cert);
	char err[320] = "";
	tls_client_opts_t o = opts(p, name, verify);
	o.server_ip = ip;
	o.server_ip_len = ip_len;
	assert_int_equal(tls_client_new(&o, &p->client, err, sizeof err), 0);
}

/* A verified handshake for name (and ip) fails, and the client words why as Go does. */
static void expect_verify_error(const char *name, const uint8_t *ip, size_t ip_len, const char *want)
{
	pair_t p;
	client_open(&p, false, name, true, ip, ip_len);
	assert_int_equal(handshake(&p), TLS_E_VERIFY);
	char err[320] = "";
	tls_verify_text(p.client, err, sizeof err);
	assert_string_equal(err, want);
	pair_close(&p);
}

/* Unverified: the handshake completes, bytes go both ways, close_notify reads as the end. */
static void test_exchange(void **state)
{
	(void)state;
	pair_t p;
	client_open(&p, false, "dns.example", false, NULL, 0);
	assert_int_equal(handshake(&p), 0);

	assert_int_equal(tls_send(p.client, "query", 5), 5);
	char buf[16];
	assert_int_equal(gnutls_record_recv(p.server, buf, sizeof buf), 5);
	assert_memory_equal(buf, "query", 5);
	assert_int_equal(tls_recv(p.client, buf, sizeof buf), TLS_E_AGAIN);
	assert_false(tls_wants_write(p.client));          /* it waits to read */
	assert_int_equal(gnutls_record_send(p.server, "answer", 6), 6);
	assert_int_equal(tls_recv(p.client, buf, sizeof buf), 6);
	assert_memory_equal(buf, "answer", 6);
	(void)gnutls_bye(p.server, GNUTLS_SHUT_WR);
	assert_int_equal(tls_recv(p.client, buf, sizeof buf), 0);
	tls_close(p.client);
	pair_close(&p);
}

/* Verified against the right CA but for another name: rejected in the handshake, in Go's words. */
static void test_name_mismatch(void **state)
{
	(void)state;
	expect_verify_error("dns.example", NULL, 0, "certificate name does not match dns.example");
}

/* An IP literal is checked against IP SANs; the test certificate has none. */
static void test_ip_mismatch(void **state)
{
	(void)state;
	const uint8_t ip[4] = { 127, 0, 0, 2 };
	expect_verify_error("127.0.0.2", ip, sizeof ip, "certificate name does not match 127.0.0.2");
}

/* A peer that closes in the middle of the handshake: a GnuTLS error, worded "tls: …". */
static void test_handshake_error_text(void **state)
{
	(void)state;
	pair_t p;
	client_open(&p, false, "dns.example", false, NULL, 0);
	assert_int_equal(tls_handshake(p.client), TLS_E_AGAIN);
	shutdown(p.fd[1], SHUT_RDWR);
	int n = tls_handshake(p.client);
	char err[320] = "";
	assert_true(n < 0 && n != TLS_E_AGAIN && n != TLS_E_VERIFY);
	tls_error_text(p.client, n, err, sizeof err);
	assert_int_equal(strncmp(err, "tls: ", 5), 0);
	assert_string_equal(tls_strerror(n), err + 5);
	pair_close(&p);
}

/* No version left between min and max: GnuTLS refuses the priority string, reported with it. */
static void test_client_new_errors(void **state)
{
	(void)state;
	pair_t p;
	pair_open(&p, false);
	char err[320] = "";
	tls_client_opts_t o = opts(&p, "dns.example", true);
	o.min_version = 3;
	o.max_version = 2;          /* nothing left */
	assert_int_equal(tls_client_new(&o, &p.client, err, sizeof err), NSP_EINVAL);
	assert_int_equal(strncmp(err, "tls: ", 5), 0);
	assert_non_null(strstr(err, " (NORMAL:-VERS-ALL)"));
	assert_null(p.client);
	pair_close(&p);
}

/* The server side, as the web server sees libmicrohttpd's session: the certificate the client sent,
 * checked against a trust list that holds its CA, and against one that does not. */
static void test_client_certificate(void **state)
{
	(void)state;
	pair_t p;
	client_open(&p, true, "dns.example", false, NULL, 0);
	assert_int_equal(handshake(&p), 0);
	char err[320] = "";
	assert_int_equal(tls_peer_certs(p.server), 1);
	assert_int_equal(tls_peer_certs(NULL), 0);

	tls_trust_t *good, *other;
	assert_int_equal(tls_trust_new(&good), 0);
	assert_int_equal(tls_trust_add_ca(good, p.client_id.cert, strlen(p.client_id.cert)), 1);
	assert_int_equal(tls_trust_verify_client(good, p.server, err, sizeof err), 0);
	assert_int_equal(tls_trust_new(&other), 0);
	assert_int_equal(tls_trust_add_ca(other, p.server_id.cert, strlen(p.server_id.cert)), 1);
	assert_int_equal(tls_trust_verify_client(other, p.server, err, sizeof err), NSP_EINVAL);
	assert_non_null(strstr(err, "tls: failed to verify client certificate: "));
	assert_true(tls_trust_add_ca(other, "junk", 4) <= 0);         /* no certificate in it */
	tls_trust_free(good);
	tls_trust_free(other);
	tls_trust_free(NULL);

	tls_send_alert(NULL, TLS_ALERT_BAD_CERTIFICATE);     /* no session: nothing */
	tls_send_alert(p.server, TLS_ALERT_BAD_CERTIFICATE);
	char buf[16];
	int n = -1;
	for (int i = 0; i < 10 && (n = (int)tls_recv(p.client, buf, sizeof buf)) == TLS_E_AGAIN; i++)
		;
	tls_error_text(p.client, n, err, sizeof err);
	assert_string_equal(err, "remote error: tls: Certificate is bad");
	pair_close(&p);
}

static void test_cred(void **state)
{
	(void)state;
	tls_cred_t *c;
	assert_int_equal(tls_cred_new(&c), 0);
	assert_int_equal(tls_cred_add_ca(c, "junk", 4), 0);
	char *cert, *key, *cert2, *key2;
	testlib_tls_pair(&cert, &key);
	testlib_tls_pair(&cert2, &key2);
	assert_true(tls_cred_set_key_pair(c, cert, strlen(cert), key2, strlen(key2)) < 0);   /* not its key */
	assert_int_equal(tls_cred_set_key_pair(c, cert, strlen(cert), key, strlen(key)), 0);
	tls_cred_add_system_ca(c);
	tls_cred_free(c);
	tls_cred_free(NULL);
	const char *where = "x";
	assert_int_equal(tls_priority_check("NORMAL:-VERS-ALL:+VERS-TLS1.3", &where), 0);
	assert_true(tls_priority_check("NORMAL:+NO-SUCH-THING", &where) < 0);
	assert_non_null(where);
	assert_non_null(strstr(where, "NO-SUCH-THING"));
	free(cert);
	free(key);
	free(cert2);
	free(key2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exchange),
		cmocka_unit_test(test_name_mismatch),
		cmocka_unit_test(test_ip_mismatch),
		cmocka_unit_test(test_handshake_error_text),
		cmocka_unit_test(test_client_new_errors),
		cmocka_unit_test(test_client_certificate),
		cmocka_unit_test(test_cred),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
