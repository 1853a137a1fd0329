/* tls -- GnuTLS behind one door. Nothing else includes <gnutls/…>; the types here are opaque.
 *
 * Three users, three parts: certificate credentials built from PEM bytes (config/tlscreds, for
 * DoT), client sessions over a non-blocking socket (net/dot), and the checks the web server needs
 * beside libmicrohttpd's own use of GnuTLS (web/webtls). libmicrohttpd hands out its sessions as
 * `void *` (MHD_CONNECTION_INFO_GNUTLS_SESSION); the functions that take one say so, and the
 * pointer goes from libmicrohttpd to here untouched.
 *
 * Return convention: 0 (or a byte count) on success; otherwise a negative GnuTLS error code, which
 * tls_strerror names. The two that callers act on have names below. Functions documented as
 * returning NSP_E* say so. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define TLS_E_AGAIN  (-28)    /* GNUTLS_E_AGAIN: wait for the socket (tls_wants_write), then call again */
#define TLS_E_VERIFY (-348)   /* GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR: the peer was rejected */

/* GnuTLS's text for a negative code ("The TLS connection was non-properly terminated."). */
const char *tls_strerror(int code);

/* ---- certificate credentials: trust anchors and an own certificate ---- */

/* Read-only once built; may then be shared by sessions on any thread. */
typedef struct tls_cred tls_cred_t;

/* An empty set of credentials in *out. Returns 0 or NSP_ENOMEM. */
int tls_cred_new(tls_cred_t **out);
/* Accepts NULL. Sessions using c must be freed first. */
void tls_cred_free(tls_cred_t *c);
/* Trusts the CA certificates in pem[0..len). Returns how many were added (0: none found), or a
 * negative code. */
int tls_cred_add_ca(tls_cred_t *c, const void *pem, size_t len);
/* Trusts the system's CA store; an empty or missing store only makes verification fail later, as
 * Go's fallback to the system pool does. */
void tls_cred_add_system_ca(tls_cred_t *c);
/* Sets the certificate (chain) and its private key, both PEM; fails when the key does not belong to
 * the certificate. Returns 0 or a negative code. */
int tls_cred_set_key_pair(tls_cred_t *c, const void *cert_pem, size_t cert_len, const void *key_pem,
                          size_t key_len);

/* Whether GnuTLS compiles the priority string. Returns 0, or a negative code with *where set to the
 * part it stopped at (NULL when unknown). */
int tls_priority_check(const char *priorities, const char **where);

/* A compiled priority string; read-only, shared by sessions on any thread. */
typedef struct tls_priority tls_priority_t;

/* Compiles priorities into *out. Returns 0, NSP_ENOMEM, or a negative code (tls_priority_check). */
int tls_priority_new(const char *priorities, tls_priority_t **out);
/* Accepts NULL. Sessions that took p keep their own reference (GnuTLS counts them). */
void tls_priority_free(tls_priority_t *p);

/* The SHA-256 fingerprint of the first certificate of c's own chain, as 64 lowercase hex digits.
 * Returns 0, or a negative code when c has no certificate. */
int tls_cred_fingerprint(const tls_cred_t *c, char out[65]);

/* ---- client sessions on a non-blocking socket ---- */

typedef struct tls_session tls_session_t;

typedef struct tls_client_opts {
	int fd;                       /* a connected, non-blocking stream socket; not closed here */
	tls_cred_t *cred;             /* must outlive the session */
	const char *server_name;      /* SNI and the name the peer certificate must carry */
	const uint8_t *server_ip;     /* or: the address (4 or 16 bytes) its IP SANs must carry, no SNI */
	size_t server_ip_len;
	bool verify;                  /* false: accept any peer certificate (insecure_skip_verify) */
	int min_version, max_version; /* 0 TLS 1.0 … 3 TLS 1.3; -1: Go's client default (1.2 … 1.3) */
} tls_client_opts_t;

/* A client session over o->fd, ready for tls_handshake; the peer is verified during the handshake,
 * as Go does, so a rejected server gets an alert and never the request. There is no timeout: the
 * caller's deadline rules. Returns 0 and *out; NSP_ENOMEM; or NSP_ELIB / NSP_EINVAL with the log
 * text in err ("tls: <GnuTLS's reason>", for the priorities also " (<priority string>)"). */
int tls_client_new(const tls_client_opts_t *o, tls_session_t **out, char *err, size_t errlen);
/* Accepts NULL. Sends nothing. */
void tls_session_free(tls_session_t *s);

/* Runs the handshake as far as the socket allows. Returns 0 when done, TLS_E_AGAIN, TLS_E_VERIFY
 * (tls_verify_text says why), or another negative code (tls_error_text). */
int tls_handshake(tls_session_t *s);
/* Sends up to len bytes. Returns the count sent, TLS_E_AGAIN, or a negative code. */
ssize_t tls_send(tls_session_t *s, const void *p, size_t len);
/* Receives up to len bytes, passing over warning alerts and TLS 1.3 tickets. Returns the count, 0
 * at the end of the stream (close_notify or a bare TCP close), TLS_E_AGAIN, or a negative code. */
ssize_t tls_recv(tls_session_t *s, void *p, size_t len);
/* After TLS_E_AGAIN: true when the session waits to write, false when it waits to read. */
bool tls_wants_write(const tls_session_t *s);
/* Sends close_notify if the socket takes it now; never waits. */
void tls_close(tls_session_t *s);

/* A failure code as Go words it: "remote error: tls: <alert>" for an alert from the peer, else
 * "tls: <GnuTLS's reason>". */
void tls_error_text(const tls_session_t *s, int code, char *out, size_t outlen);
/* After TLS_E_VERIFY: why the peer certificate was rejected, worded after Go's x509 checks
 * ("certificate has expired, certificate name does not match dns.example"). */
void tls_verify_text(const tls_session_t *s, char *out, size_t outlen);

/* ---- client certificates on libmicrohttpd's sessions ---- */

/* A list of CAs that client certificates are checked against. */
typedef struct tls_trust tls_trust_t;

/* An empty list in *out. Returns 0 or NSP_ENOMEM. */
int tls_trust_new(tls_trust_t **out);
/* Accepts NULL. */
void tls_trust_free(tls_trust_t *t);
/* Adds the CA certificates in pem[0..len). Returns how many (0: none found), or a negative code. */
int tls_trust_add_ca(tls_trust_t *t, const void *pem, size_t len);
/* Adds the system's CA store (Go's roots when ClientCAs is unset). */
void tls_trust_add_system_ca(tls_trust_t *t);

/* How many certificates the client sent on mhd_session (libmicrohttpd's GnuTLS session; NULL: 0). */
size_t tls_peer_certs(void *mhd_session);
/* Whether the client's chain on mhd_session verifies against t for TLS client use. Returns 0, or
 * NSP_EINVAL with "tls: failed to parse client certificate" or "tls: failed to verify client
 * certificate: <reason>" in err. Safe from several threads at once. */
int tls_trust_verify_client(const tls_trust_t *t, void *mhd_session, char *err, size_t errlen);

/* How a server session asks for a client certificate. */
typedef enum tls_client_ask {
	TLS_ASK_NONE = 0,          /* no certificate request */
	TLS_ASK_ANY,               /* a request naming no CA: any certificate will do (Go without ClientCAs) */
	TLS_ASK_NAMED,             /* a request naming c's CAs (Go's ClientCAs.Subjects()) */
} tls_client_ask_t;

/* Hands libmicrohttpd's server session, before its handshake, what the handshake uses instead of the
 * daemon's start-up settings: c's own certificate and key (and its CAs, named in the certificate
 * request when ask is TLS_ASK_NAMED), p's priorities, and how a client certificate is asked for. c
 * must outlive the session; p may be freed before it. Returns 0 or a negative code (then the session
 * keeps the daemon's). */
int tls_server_session_set(void *mhd_session, const tls_cred_t *c, const tls_priority_t *p, tls_client_ask_t ask);

typedef enum tls_alert {
	TLS_ALERT_CERTIFICATE_REQUIRED,   /* RFC 8446 6.2: no certificate sent */
	TLS_ALERT_BAD_CERTIFICATE,        /* RFC 8446 6.2: the certificate was rejected */
} tls_alert_t;
/* Sends a fatal alert on mhd_session, best effort (a busy socket may not take it). Accepts NULL. */
void tls_send_alert(void *mhd_session, tls_alert_t alert);
