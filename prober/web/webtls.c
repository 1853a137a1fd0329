/* webtls -- GnuTLS for the web server (its one includer in web/).
 *
 * MHD builds its own credentials from the PEM texts the web config keeps; here the certificate/key
 * pair is tried once and the priority string compiled once, to catch mistakes at start-up, and
 * client certificates are verified against a trust list of our own, because MHD only asks for them
 * and checks nothing. */
#include "web/webtls.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/errors.h"

#define WEBTLS_MAX_CHAIN 16

struct webtls {
	bool require, verify;
	gnutls_x509_trust_list_t list;
};

int webtls_check_key_pair(const char *cert_pem, size_t cert_len, const char *key_pem, size_t key_len, char *why,
                          size_t whylen)
{
	gnutls_certificate_credentials_t cred;
	if (gnutls_certificate_allocate_credentials(&cred) != GNUTLS_E_SUCCESS) {
		snprintf(why, whylen, "out of memory");
		return NSP_ENOMEM;
	}
	gnutls_datum_t c = { (unsigned char *)cert_pem, (unsigned)cert_len };
	gnutls_datum_t k = { (unsigned char *)key_pem, (unsigned)key_len };
	int g = gnutls_certificate_set_x509_key_mem2(cred, &c, &k, GNUTLS_X509_FMT_PEM, NULL, 0);
	gnutls_certificate_free_credentials(cred);
	if (g < 0) {
		snprintf(why, whylen, "%s", gnutls_strerror(g));
		return NSP_EINVAL;
	}
	return 0;
}

int webtls_check_priorities(const char *priorities, char *why, size_t whylen)
{
	gnutls_priority_t prio;
	const char *errpos = NULL;
	int g = gnutls_priority_init(&prio, priorities, &errpos);
	if (g != GNUTLS_E_SUCCESS) {
		snprintf(why, whylen, "GnuTLS refuses priority string %s at \"%s\" (%s)", priorities,
		         errpos ? errpos : "?", gnutls_strerror(g));
		return NSP_EINVAL;
	}
	gnutls_priority_deinit(prio);
	return 0;
}

int webtls_new(bool require, bool verify, const char *ca_pem, size_t ca_len, webtls_t **out, char *why,
               size_t whylen)
{
	*out = NULL;
	webtls_t *t = calloc(1, sizeof(*t));
	if (!t || gnutls_x509_trust_list_init(&t->list, 0) != GNUTLS_E_SUCCESS) {
		free(t);
		snprintf(why, whylen, "out of memory");
		return NSP_ENOMEM;
	}
	t->require = require;
	t->verify = verify;
	if (ca_pem) {
		gnutls_datum_t d = { (unsigned char *)ca_pem, (unsigned)ca_len };
		int g = gnutls_x509_trust_list_add_trust_mem(t->list, &d, NULL, GNUTLS_X509_FMT_PEM, 0, 0);
		if (g <= 0) {
			snprintf(why, whylen, "no CA certificate found (%s)", g < 0 ? gnutls_strerror(g) : "empty");
			webtls_free(t);
			return NSP_EINVAL;
		}
	} else if (verify) {
		/* Go verifies against the system's roots when ClientCAs is unset. */
		gnutls_x509_trust_list_add_system_trust(t->list, 0, 0);
	}
	*out = t;
	return 0;
}

void webtls_free(webtls_t *t)
{
	if (!t)
		return;
	gnutls_x509_trust_list_deinit(t->list, 1);
	free(t);
}

int webtls_check_client(const webtls_t *t, void *session, char *err, size_t errlen)
{
	if (!t)
		return WEBTLS_CLIENT_OK;
	gnutls_session_t s = session;
	unsigned n = 0;
	const gnutls_datum_t *peers = s ? gnutls_certificate_get_peers(s, &n) : NULL;
	if (!peers || n == 0) {
		if (t->require) {
			snprintf(err, errlen, "tls: client didn't provide a certificate");
			return WEBTLS_CLIENT_MISSING;
		}
		return WEBTLS_CLIENT_OK;
	}
	if (!t->verify)
		return WEBTLS_CLIENT_OK;
	if (n > WEBTLS_MAX_CHAIN)
		n = WEBTLS_MAX_CHAIN;
	gnutls_x509_crt_t chain[WEBTLS_MAX_CHAIN];
	unsigned have = 0;
	int rc = WEBTLS_CLIENT_BAD;
	for (; have < n; have++) {
		if (gnutls_x509_crt_init(&chain[have]) != GNUTLS_E_SUCCESS)
			break;
		if (gnutls_x509_crt_import(chain[have], &peers[have], GNUTLS_X509_FMT_DER) != GNUTLS_E_SUCCESS) {
			gnutls_x509_crt_deinit(chain[have]);
			break;
		}
	}
	if (have < n) {
		snprintf(err, errlen, "tls: failed to parse client certificate");
		goto done;
	}
	/* Go's VerifyOptions for client certificates ask for the TLS client purpose. */
	gnutls_typed_vdata_st purpose = { .type = GNUTLS_DT_KEY_PURPOSE_OID,
	                                  .data = (unsigned char *)GNUTLS_KP_TLS_WWW_CLIENT };
	unsigned status = 0;
	int g = gnutls_x509_trust_list_verify_crt2(t->list, chain, n, &purpose, 1, 0, &status, NULL);
	if (g != GNUTLS_E_SUCCESS || status != 0) {
		gnutls_datum_t text = { 0 };
		if (g == GNUTLS_E_SUCCESS &&
		    gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &text, 0) == 0) {
			snprintf(err, errlen, "tls: failed to verify client certificate: %s", (const char *)text.data);
			gnutls_free(text.data);
		} else {
			snprintf(err, errlen, "tls: failed to verify client certificate: %s", gnutls_strerror(g));
		}
		goto done;
	}
	rc = WEBTLS_CLIENT_OK;
done:
	for (unsigned i = 0; i < have; i++)
		gnutls_x509_crt_deinit(chain[i]);
	return rc;
}

void webtls_alert(void *session, int check_result)
{
	if (!session)
		return;
	/* What Go's handshake sends; GnuTLS may not get it out on a busy socket, and that is fine. */
	gnutls_alert_send(session, GNUTLS_AL_FATAL,
	                  check_result == WEBTLS_CLIENT_MISSING ? GNUTLS_A_CERTIFICATE_REQUIRED
	                                                        : GNUTLS_A_BAD_CERTIFICATE);
}
