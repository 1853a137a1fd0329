/* webtls -- TLS for the web server (GnuTLS through lib/tls): the load-time checks of what the web
 * config hands to libmicrohttpd's GnuTLS (certificate and key pair, priority string, client CAs),
 * the server settings each connection's handshake is given (so that a re-read web config rotates
 * the certificate without a restart), and the trust list that client certificates are checked
 * against after the handshake, because MHD only asks for them and checks nothing. Knows TLS, not
 * the web config's names: webconfig maps client_auth_type onto it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* What a connection's handshake uses: the certificate (chain) and key, the CAs named when a client
 * certificate is asked for, and the priorities. Built once per web config, immutable after, shared
 * by the connections of every worker. */
typedef struct webtls_server webtls_server_t;

/* Builds the settings from PEM texts (cert_pem and key_pem must belong together), the priority
 * string, and whether a client certificate is asked for: ask false, none; else a request naming the
 * CAs of ca_pem, or naming none when ca_pem is NULL (any certificate will do, as Go asks without
 * ClientCAs). Returns 0 and *out; NSP_ENOMEM; or NSP_EINVAL with GnuTLS's reason
 * in why. */
int webtls_server_new(const char *cert_pem, size_t cert_len, const char *key_pem, size_t key_len, bool ask,
                      const char *ca_pem, const char *priorities, webtls_server_t **out, char *why, size_t whylen);
/* Accepts NULL. Every session bound to t must have been freed (GnuTLS keeps a pointer to it). */
void webtls_server_free(webtls_server_t *t);
/* The SHA-256 fingerprint of the served certificate (64 hex digits), for the log. */
const char *webtls_server_fingerprint(const webtls_server_t *t);
/* Hands t to a TLS session (a gnutls_session_t from MHD_CONNECTION_INFO_GNUTLS_SESSION) before its
 * handshake, in place of the daemon's start-up settings. t must outlive the session. Returns 0, or
 * NSP_ELIB (the session then keeps the daemon's settings). */
int webtls_server_bind(const webtls_server_t *t, void *session);

/* How client certificates are checked; built once at load, immutable after. */
typedef struct webtls webtls_t;

/* Whether GnuTLS takes this PEM certificate and key, and the key belongs to the certificate (as Go's
 * tls.LoadX509KeyPair checks). Returns 0; NSP_ENOMEM; or NSP_EINVAL with GnuTLS's reason in why. */
int webtls_check_key_pair(const char *cert_pem, size_t cert_len, const char *key_pem, size_t key_len, char *why,
                          size_t whylen);
/* Whether GnuTLS compiles this priority string. Returns 0, or NSP_EINVAL with
 * "GnuTLS refuses priority string P at "REST" (reason)" in why. */
int webtls_check_priorities(const char *priorities, char *why, size_t whylen);

/* A client certificate check. require: a certificate must be sent. verify: a sent certificate's chain
 * must verify, for TLS client use, against ca_pem (ca_len bytes of PEM), or against the system's
 * CAs when ca_pem is NULL. Returns 0 and a new check in *out; NSP_ENOMEM with "out of memory" in
 * why; or NSP_EINVAL with "no CA certificate found (reason)" when ca_pem holds no certificate. */
int webtls_new(bool require, bool verify, const char *ca_pem, size_t ca_len, webtls_t **out, char *why,
               size_t whylen);
/* Accepts NULL. */
void webtls_free(webtls_t *t);

/* Results of webtls_check_client. */
enum {
	WEBTLS_CLIENT_OK = 0,
	WEBTLS_CLIENT_MISSING = -1,   /* a certificate is required and none was sent */
	WEBTLS_CLIENT_BAD = -2,       /* the certificate does not verify against the client CAs */
};
/* Applies t to a TLS session (a gnutls_session_t, as MHD hands it out as void *; NULL counts as no
 * certificate sent). A NULL t checks nothing and answers WEBTLS_CLIENT_OK. Fills err with the reason
 * on failure. Safe from several threads at once. */
int webtls_check_client(const webtls_t *t, void *session, char *err, size_t errlen);
/* Sends the fatal TLS alert that matches a webtls_check_client failure (certificate_required or
 * bad_certificate), best effort, before the connection is closed. Accepts a NULL session. */
void webtls_alert(void *session, int check_result);
