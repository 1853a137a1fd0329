/* tls -- the one includer of GnuTLS (see tls.h): credentials, non-blocking client sessions, and
 * client-certificate checks on libmicrohttpd's sessions. Texts follow Go's crypto/tls and x509. */
#include "lib/tls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "lib/errors.h"

_Static_assert(TLS_E_AGAIN == GNUTLS_E_AGAIN, "TLS_E_AGAIN");
_Static_assert(TLS_E_VERIFY == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR, "TLS_E_VERIFY");

#define TLS_MAX_CHAIN 16     /* client certificates looked at; a longer chain is cut */

const char *tls_strerror(int code)
{
	return gnutls_strerror(code);
}

/* ---- certificate credentials ---- */

struct tls_cred {
	gnutls_certificate_credentials_t g;
};

int tls_cred_new(tls_cred_t **out)
{
	*out = NULL;
	tls_cred_t *c = calloc(1, sizeof(*c));
	if (!c)
		return NSP_ENOMEM;
	if (gnutls_certificate_allocate_credentials(&c->g) < 0) {
		free(c);
		return NSP_ENOMEM;
	}
	*out = c;
	return 0;
}

void tls_cred_free(tls_cred_t *c)
{
	if (!c)
		return;
	gnutls_certificate_free_credentials(c->g);
	free(c);
}

int tls_cred_add_ca(tls_cred_t *c, const void *pem, size_t len)
{
	gnutls_datum_t d = { (unsigned char *)pem, (unsigned)len };
	return gnutls_certificate_set_x509_trust_mem(c->g, &d, GNUTLS_X509_FMT_PEM);
}

void tls_cred_add_system_ca(tls_cred_t *c)
{
	(void)gnutls_certificate_set_x509_system_trust(c->g);
}

int tls_cred_set_key_pair(tls_cred_t *c, const void *cert_pem, size_t cert_len, const void *key_pem,
                          size_t key_len)
{
	gnutls_datum_t cd = { (unsigned char *)cert_pem, (unsigned)cert_len };
	gnutls_datum_t kd = { (unsigned char *)key_pem, (unsigned)key_len };
	int g = gnutls_certificate_set_x509_key_mem2(c->g, &cd, &kd, GNUTLS_X509_FMT_PEM, NULL, 0);
	return g < 0 ? g : 0;
}

int tls_priority_check(const char *priorities, const char **where)
{
	gnutls_priority_t prio;
	*where = NULL;
	int g = gnutls_priority_init(&prio, priorities, where);
	if (g != GNUTLS_E_SUCCESS)
		return g;
	gnutls_priority_deinit(prio);
	return 0;
}

struct tls_priority {
	gnutls_priority_t g;
};

int tls_priority_new(const char *priorities, tls_priority_t **out)
{
	*out = NULL;
	tls_priority_t *p = calloc(1, sizeof(*p));
	if (!p)
		return NSP_ENOMEM;
	int g = gnutls_priority_init(&p->g, priorities, NULL);
	if (g != GNUTLS_E_SUCCESS) {
		free(p);
		return g;
	}
	*out = p;
	return 0;
}

void tls_priority_free(tls_priority_t *p)
{
	if (!p)
		return;
	gnutls_priority_deinit(p->g);
	free(p);
}

int tls_cred_fingerprint(const tls_cred_t *c, char out[65])
{
	gnutls_x509_crt_t *chain = NULL;
	unsigned n = 0;
	out[0] = '\0';
	int g = gnutls_certificate_get_x509_crt(c->g, 0, &chain, &n);
	if (g < 0)
		return g;
	unsigned char md[32];
	size_t mdlen = sizeof(md);
	g = n ? gnutls_x509_crt_get_fingerprint(chain[0], GNUTLS_DIG_SHA256, md, &mdlen) : GNUTLS_E_NO_CERTIFICATE_FOUND;
	for (unsigned i = 0; i < n; i++)
		gnutls_x509_crt_deinit(chain[i]);
	gnutls_free(chain);
	if (g < 0)
		return g;
	for (size_t i = 0; i < mdlen && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

/* ---- client sessions ---- */

struct tls_session {
	gnutls_session_t g;
	gnutls_typed_vdata_st vdata;   /* what the peer certificate is verified against; GnuTLS keeps
	                                  the pointer, so it lives as long as the session */
	char name[256];
	uint8_t ip[16];
};

/* Go's defaults for a client: TLS 1.2 up to TLS 1.3 (crypto/tls, Go >= 1.18). */
static void client_priority(int lo, int hi, char *out, size_t outlen)
{
	static const char *const vers[] = { "+VERS-TLS1.0", "+VERS-TLS1.1", "+VERS-TLS1.2", "+VERS-TLS1.3" };
	if (lo < 0 || lo > 3)
		lo = 2;
	if (hi < 0 || hi > 3)
		hi = 3;
	size_t len = (size_t)snprintf(out, outlen, "NORMAL:-VERS-ALL");
	for (int i = lo; i <= hi && len < outlen; i++)
		len += (size_t)snprintf(out + len, outlen - len, ":%s", vers[i]);
}

int tls_client_new(const tls_client_opts_t *o, tls_session_t **out, char *err, size_t errlen)
{
	*out = NULL;
	tls_session_t *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NSP_ENOMEM;
	}
	snprintf(s->name, sizeof(s->name), "%s", o->server_name ? o->server_name : "");
	if (o->server_ip && (o->server_ip_len == 4 || o->server_ip_len == 16)) {
		memcpy(s->ip, o->server_ip, o->server_ip_len);
		s->vdata = (gnutls_typed_vdata_st){ .type = GNUTLS_DT_IP_ADDRESS, .data = s->ip,
		                                    .size = (unsigned)o->server_ip_len };
	} else {
		s->vdata = (gnutls_typed_vdata_st){ .type = GNUTLS_DT_DNS_HOSTNAME,
		                                    .data = (unsigned char *)s->name, .size = 0 };
	}
	char priority[128];
	client_priority(o->min_version, o->max_version, priority, sizeof(priority));

	int rc = NSP_ELIB;
	int e = gnutls_init(&s->g, GNUTLS_CLIENT | GNUTLS_NONBLOCK);
	if (e < 0) {
		s->g = NULL;
		goto fail;
	}
	const char *where = NULL;
	if ((e = gnutls_priority_set_direct(s->g, priority, &where)) < 0) {
		snprintf(err, errlen, "tls: %s (%s)", gnutls_strerror(e), priority);
		rc = NSP_EINVAL;
		goto fail_text;
	}
	if ((e = gnutls_credentials_set(s->g, GNUTLS_CRD_CERTIFICATE, o->cred->g)) < 0)
		goto fail;
	/* RFC 6066 3: no SNI for an IP literal (Go sends none either). */
	if (s->vdata.type == GNUTLS_DT_DNS_HOSTNAME &&
	    (e = gnutls_server_name_set(s->g, GNUTLS_NAME_DNS, s->name, strlen(s->name))) < 0)
		goto fail;
	if (o->verify)
		gnutls_session_set_verify_cert2(s->g, &s->vdata, 1, 0);
	gnutls_handshake_set_timeout(s->g, 0);
	gnutls_transport_set_int(s->g, o->fd);
	*out = s;
	return 0;
fail:
	snprintf(err, errlen, "tls: %s", gnutls_strerror(e));
fail_text:
	tls_session_free(s);
	return rc;
}

void tls_session_free(tls_session_t *s)
{
	if (!s)
		return;
	if (s->g)
		gnutls_deinit(s->g);
	free(s);
}

int tls_handshake(tls_session_t *s)
{
	int n;
	do {
		n = gnutls_handshake(s->g);
	} while (n < 0 && n != GNUTLS_E_AGAIN && !gnutls_error_is_fatal(n));
	return n;
}

ssize_t tls_send(tls_session_t *s, const void *p, size_t len)
{
	ssize_t n = gnutls_record_send(s->g, p, len);
	return n == GNUTLS_E_INTERRUPTED ? GNUTLS_E_AGAIN : n;
}

ssize_t tls_recv(tls_session_t *s, void *p, size_t len)
{
	for (;;) {
		ssize_t n = gnutls_record_recv(s->g, p, len);
		if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
			return GNUTLS_E_AGAIN;
		if (n == GNUTLS_E_PREMATURE_TERMINATION)
			return 0;
		if (n < 0 && !gnutls_error_is_fatal((int)n))
			continue;      /* a warning alert or a TLS 1.3 ticket: keep reading */
		return n;
	}
}

bool tls_wants_write(const tls_session_t *s)
{
	return gnutls_record_get_direction(s->g) != 0;
}

void tls_close(tls_session_t *s)
{
	(void)gnutls_bye(s->g, GNUTLS_SHUT_WR);
}

void tls_error_text(const tls_session_t *s, int code, char *out, size_t outlen)
{
	const char *alert = NULL;
	if (code == GNUTLS_E_FATAL_ALERT_RECEIVED || code == GNUTLS_E_WARNING_ALERT_RECEIVED)
		alert = gnutls_alert_get_name(gnutls_alert_get(s->g));
	if (alert)
		snprintf(out, outlen, "remote error: tls: %s", alert);
	else
		snprintf(out, outlen, "tls: %s", gnutls_strerror(code));
}

void tls_verify_text(const tls_session_t *s, char *out, size_t outlen)
{
	static const struct { unsigned flag; const char *text; } reasons[] = {
		{ GNUTLS_CERT_SIGNER_NOT_FOUND, "signer not found" },
		{ GNUTLS_CERT_SIGNER_NOT_CA, "signer is not a CA" },
		{ GNUTLS_CERT_SIGNATURE_FAILURE, "signature verification failed" },
		{ GNUTLS_CERT_INSECURE_ALGORITHM, "insecure signature algorithm" },
		{ GNUTLS_CERT_EXPIRED, "certificate has expired" },
		{ GNUTLS_CERT_NOT_ACTIVATED, "certificate is not yet valid" },
		{ GNUTLS_CERT_REVOKED, "certificate is revoked" },
		{ GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE, "signer constraints violated" },
		{ GNUTLS_CERT_PURPOSE_MISMATCH, "certificate is not for TLS server authentication" },
		{ GNUTLS_CERT_UNKNOWN_CRIT_EXTENSIONS, "unknown critical extension" },
		{ GNUTLS_CERT_UNEXPECTED_OWNER, "certificate name does not match " },
	};
	unsigned status = gnutls_session_get_verify_cert_status(s->g);
	size_t len = 0;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		if (!(status & reasons[i].flag) || len >= outlen)
			continue;
		int n = snprintf(out + len, outlen - len, "%s%s%s", len ? ", " : "", reasons[i].text,
		                 reasons[i].flag == GNUTLS_CERT_UNEXPECTED_OWNER ? s->name : "");
		if (n > 0)
			len += (size_t)n;
	}
	if (!out[0])
		snprintf(out, outlen, "certificate is not trusted");
}

/* ---- client certificates on libmicrohttpd's sessions ---- */

struct tls_trust {
	gnutls_x509_trust_list_t list;
};

int tls_trust_new(tls_trust_t **out)
{
	*out = NULL;
	tls_trust_t *t = calloc(1, sizeof(*t));
	if (!t)
		return NSP_ENOMEM;
	if (gnutls_x509_trust_list_init(&t->list, 0) != GNUTLS_E_SUCCESS) {
		free(t);
		return NSP_ENOMEM;
	}
	*out = t;
	return 0;
}

void tls_trust_free(tls_trust_t *t)
{
	if (!t)
		return;
	gnutls_x509_trust_list_deinit(t->list, 1);
	free(t);
}

int tls_trust_add_ca(tls_trust_t *t, const void *pem, size_t len)
{
	gnutls_datum_t d = { (unsigned char *)pem, (unsigned)len };
	return gnutls_x509_trust_list_add_trust_mem(t->list, &d, NULL, GNUTLS_X509_FMT_PEM, 0, 0);
}

void tls_trust_add_system_ca(tls_trust_t *t)
{
	gnutls_x509_trust_list_add_system_trust(t->list, 0, 0);
}

size_t tls_peer_certs(void *mhd_session)
{
	unsigned n = 0;
	const gnutls_datum_t *peers = mhd_session ? gnutls_certificate_get_peers(mhd_session, &n) : NULL;
	return peers ? n : 0;
}

int tls_trust_verify_client(const tls_trust_t *t, void *mhd_session, char *err, size_t errlen)
{
	unsigned n = 0;
	const gnutls_datum_t *peers = mhd_session ? gnutls_certificate_get_peers(mhd_session, &n) : NULL;
	if (!peers)
		n = 0;
	if (n > TLS_MAX_CHAIN)
		n = TLS_MAX_CHAIN;
	gnutls_x509_crt_t chain[TLS_MAX_CHAIN];
	unsigned have = 0;
	int rc = NSP_EINVAL;
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
	rc = 0;
done:
	for (unsigned i = 0; i < have; i++)
		gnutls_x509_crt_deinit(chain[i]);
	return rc;
}

int tls_server_session_set(void *mhd_session, const tls_cred_t *c, const tls_priority_t *p, tls_client_ask_t ask)
{
	gnutls_session_t session = mhd_session;
	/* Before the first handshake message, so the ClientHello is answered with these. */
	int g = gnutls_priority_set(session, p->g);
	if (g < 0)
		return g;
	g = gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, c->g);
	if (g < 0)
		return g;
	gnutls_certificate_server_set_request(session, ask != TLS_ASK_NONE ? GNUTLS_CERT_REQUEST : GNUTLS_CERT_IGNORE);
	/* Go's server names its ClientCAs in the request, and none without them; a Go client (Prometheus)
	 * then sends only a certificate issued by a named CA, or any when none is named
	 * (crypto/tls handshake_client.go getClientCertificate). */
	gnutls_certificate_send_x509_rdn_sequence(session, ask == TLS_ASK_ANY);
	return 0;
}

void tls_send_alert(void *mhd_session, tls_alert_t alert)
{
	if (!mhd_session)
		return;
	/* What Go's handshake sends; GnuTLS may not get it out on a busy socket, and that is fine. */
	gnutls_alert_send(mhd_session, GNUTLS_AL_FATAL,
	                  alert == TLS_ALERT_CERTIFICATE_REQUIRED ? GNUTLS_A_CERTIFICATE_REQUIRED
	                                                          : GNUTLS_A_BAD_CERTIFICATE);
}
