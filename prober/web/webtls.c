/* webtls -- TLS for the web server, over lib/tls.
 *
 * MHD builds its own credentials from the PEM texts of the web config at start. exporter-toolkit
 * (web/tls_config.go, GetConfigForClient and GetCertificate) reads the web config and the
 * certificate and key files again for every handshake, so a rotated certificate is served without
 * a restart. Here each web config builds its own server settings (webtls_server_t), and each
 * connection is handed those of the config current when it opened, before its handshake: the
 * certificate and key, the client CAs, the priorities and whether a client certificate is asked
 * for all follow the file. The connection holds its config (and so these settings) until it
 * closes, so a swap never pulls credentials from under a handshake in flight.
 *
 * Client certificates are verified against a trust list of our own, because MHD only asks for them
 * and checks nothing. */
#include "web/webtls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/errors.h"
#include "lib/tls.h"

struct webtls_server {
	tls_cred_t *cred;
	tls_priority_t *prio;
	tls_client_ask_t ask;
	char fingerprint[65];
};

int webtls_server_new(const char *cert_pem, size_t cert_len, const char *key_pem, size_t key_len, bool ask,
                      const char *ca_pem, const char *priorities, webtls_server_t **out, char *why, size_t whylen)
{
	*out = NULL;
	webtls_server_t *t = calloc(1, sizeof(*t));
	if (!t || tls_cred_new(&t->cred) != 0) {
		free(t);
		snprintf(why, whylen, "out of memory");
		return NSP_ENOMEM;
	}
	int rc = NSP_EINVAL;
	int g = tls_cred_set_key_pair(t->cred, cert_pem, cert_len, key_pem, key_len);
	if (g < 0)
		goto fail;
	t->ask = !ask ? TLS_ASK_NONE : ca_pem ? TLS_ASK_NAMED : TLS_ASK_ANY;
	if (ask && ca_pem && (g = tls_cred_add_ca(t->cred, ca_pem, strlen(ca_pem))) < 0)
		goto fail;
	if ((g = tls_priority_new(priorities, &t->prio)) != 0) {
		if (g == NSP_ENOMEM)
			rc = NSP_ENOMEM;
		goto fail;
	}
	if ((g = tls_cred_fingerprint(t->cred, t->fingerprint)) < 0)
		goto fail;
	*out = t;
	return 0;
fail:
	snprintf(why, whylen, "%s", rc == NSP_ENOMEM ? "out of memory" : tls_strerror(g));
	webtls_server_free(t);
	return rc;
}

void webtls_server_free(webtls_server_t *t)
{
	if (!t)
		return;
	tls_priority_free(t->prio);
	tls_cred_free(t->cred);
	free(t);
}

const char *webtls_server_fingerprint(const webtls_server_t *t)
{
	return t->fingerprint;
}

int webtls_server_bind(const webtls_server_t *t, void *session)
{
	if (!t || !session)
		return NSP_EINVAL;
	return tls_server_session_set(session, t->cred, t->prio, t->ask) == 0 ? 0 : NSP_ELIB;
}

struct webtls {
	bool require, verify;
	tls_trust_t *trust;
};

int webtls_check_key_pair(const char *cert_pem, size_t cert_len, const char *key_pem, size_t key_len, char *why,
                          size_t whylen)
{
	tls_cred_t *cred;
	if (tls_cred_new(&cred) != 0) {
		snprintf(why, whylen, "out of memory");
		return NSP_ENOMEM;
	}
	int g = tls_cred_set_key_pair(cred, cert_pem, cert_len, key_pem, key_len);
	tls_cred_free(cred);
	if (g < 0) {
		snprintf(why, whylen, "%s", tls_strerror(g));
		return NSP_EINVAL;
	}
	return 0;
}

int webtls_check_priorities(const char *priorities, char *why, size_t whylen)
{
	const char *errpos = NULL;
	int g = tls_priority_check(priorities, &errpos);
	if (g != 0) {
		snprintf(why, whylen, "GnuTLS refuses priority string %s at \"%s\" (%s)", priorities,
		         errpos ? errpos : "?", tls_strerror(g));
		return NSP_EINVAL;
	}
	return 0;
}

int webtls_new(bool require, bool verify, const char *ca_pem, size_t ca_len, webtls_t **out, char *why,
               size_t whylen)
{
	*out = NULL;
	webtls_t *t = calloc(1, sizeof(*t));
	if (!t || tls_trust_new(&t->trust) != 0) {
		free(t);
		snprintf(why, whylen, "out of memory");
		return NSP_ENOMEM;
	}
	t->require = require;
	t->verify = verify;
	if (ca_pem) {
		int g = tls_trust_add_ca(t->trust, ca_pem, ca_len);
		if (g <= 0) {
			snprintf(why, whylen, "no CA certificate found (%s)", g < 0 ? tls_strerror(g) : "empty");
			webtls_free(t);
			return NSP_EINVAL;
		}
	} else if (verify) {
		/* Go verifies against the system's roots when ClientCAs is unset. */
		tls_trust_add_system_ca(t->trust);
	}
	*out = t;
	return 0;
}

void webtls_free(webtls_t *t)
{
	if (!t)
		return;
	tls_trust_free(t->trust);
	free(t);
}

int webtls_check_client(const webtls_t *t, void *session, char *err, size_t errlen)
{
	if (!t)
		return WEBTLS_CLIENT_OK;
	if (tls_peer_certs(session) == 0) {
		if (t->require) {
			snprintf(err, errlen, "tls: client didn't provide a certificate");
			return WEBTLS_CLIENT_MISSING;
		}
		return WEBTLS_CLIENT_OK;
	}
	if (!t->verify)
		return WEBTLS_CLIENT_OK;
	return tls_trust_verify_client(t->trust, session, err, errlen) == 0 ? WEBTLS_CLIENT_OK : WEBTLS_CLIENT_BAD;
}

void webtls_alert(void *session, int check_result)
{
	tls_send_alert(session, check_result == WEBTLS_CLIENT_MISSING ? TLS_ALERT_CERTIFICATE_REQUIRED
	                                                               : TLS_ALERT_BAD_CERTIFICATE);
}
