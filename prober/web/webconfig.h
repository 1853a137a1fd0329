/* webconfig -- the --web.config.file of exporter-toolkit 0.8.2 (TLS, basic auth users, extra headers)
 * as an immutable value, checked strictly at load time. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "web/webtls.h"

typedef enum webconfig_client_auth {
	WEBCONFIG_NO_CLIENT_CERT = 0,              /* default; "NoClientCert" or "" */
	WEBCONFIG_REQUEST_CLIENT_CERT,             /* asked for, never checked */
	WEBCONFIG_REQUIRE_ANY_CLIENT_CERT,         /* "RequireAnyClientCert", alias "RequireClientCert" */
	WEBCONFIG_VERIFY_CLIENT_CERT_IF_GIVEN,
	WEBCONFIG_REQUIRE_AND_VERIFY_CLIENT_CERT,
} webconfig_client_auth_t;

typedef enum webconfig_hash_kind {
	WEBCONFIG_HASH_BCRYPT = 0,   /* $2a$, $2b$, $2y$ (libxcrypt) */
	WEBCONFIG_HASH_ARGON2,       /* $argon2id$, $argon2i$ (libsodium; nsprobe's extension) */
} webconfig_hash_kind_t;

typedef struct webconfig_user {
	char *name;          /* owned; may hold any bytes but NUL */
	size_t name_len;
	char *hash;          /* owned */
	webconfig_hash_kind_t kind;
} webconfig_user_t;

typedef struct webconfig_header {
	const char *name;    /* static: one of the five headers exporter-toolkit allows */
	char *value;         /* owned */
} webconfig_header_t;

typedef struct webconfig {
	bool tls;                     /* serve HTTPS (cert_file and key_file given) */
	char *cert_pem, *key_pem;     /* owned: file contents, NUL-terminated (MHD wants PEM text) */
	char *client_ca_pem;          /* owned, NULL without client_ca_file */
	/* owned: what MHD_OPTION_HTTPS_MEM_TRUST gets so that GnuTLS asks for a client certificate
	 * (the CA file, or the server's own certificate when a mode asks without one); NULL: not asked */
	char *trust_pem;
	webconfig_client_auth_t client_auth;
	char *priorities;             /* owned: GnuTLS priority string from versions, suites, curves */
	/* owned: what each connection's handshake is handed (certificate, key, trust, priorities);
	 * NULL when TLS is off */
	webtls_server_t *server;
	/* owned: the files named (joined with the config's directory), watched for changes; NULL when
	 * not named */
	char *cert_file, *key_file, *client_ca_file;
	bool http2;                   /* accepted and kept; MHD speaks HTTP/1.1 only */
	webconfig_header_t *headers;  /* owned, nheaders entries */
	size_t nheaders;
	webconfig_user_t *users;      /* owned, nusers entries, in file order */
	size_t nusers;
	/* the hash unknown users are checked against, so that a wrong name costs what a wrong password
	 * costs; borrowed from a static string or from users[] */
	const char *dummy_hash;
	/* owned: how client_auth_type checks client certificates (webtls_check_client); NULL when TLS is
	 * off or no certificate is asked for */
	webtls_t *client_check;
} webconfig_t;

/* Loads and checks the file: yaml.v2 UnmarshalStrict rules (unknown or repeated keys are errors),
 * exporter-toolkit's checks (headers, client_auth_type, versions, suites, curves, certificate and key
 * pair), and every password hash must be a well-formed bcrypt or argon2 hash. Relative file names are
 * taken from the web config's directory, as exporter-toolkit does. Reads the certificate, key and CA
 * files into memory. Returns 0 and a new config in *out, or NSP_ECONFIG / NSP_ENOMEM with
 * "file:line: key: reason" (or "file: reason") in err. */
int webconfig_load(const char *path, webconfig_t **out, char *err, size_t errlen);
/* The same from text; `path` names it in messages and anchors relative file names. */
int webconfig_load_text(const char *path, const char *text, size_t len, webconfig_t **out, char *err,
                        size_t errlen);
/* Accepts NULL. */
void webconfig_free(webconfig_t *wc);

/* ---- the file watched (--web.config.file re-read when it changes) ----
 * exporter-toolkit reads the web config on every request and handshake, and the certificate and key
 * files on every handshake, so a password, header or certificate change needs no restart. Here a
 * timer calls webconfig_live_check (at most once a second): when the inode, size, mtime or ctime of
 * the file, or of the cert_file, key_file or client_ca_file it names, changed, it is loaded again
 * and, if good, swapped in for the requests and connections that start after; a broken one leaves
 * the last good config serving. Each request holds a reference to the config it started with, and
 * each TLS connection one to the config its handshake used (webtls_server_bind). Only turning TLS
 * on or off needs a restart (the daemons are HTTP or HTTPS): such a file is refused whole. */
typedef struct webconfig_live webconfig_live_t;

enum {
	WEBCONFIG_UNCHANGED = 0,
	WEBCONFIG_RELOADED = 1,
	WEBCONFIG_BROKEN = 2,          /* changed, refused; err says why; the last good one serves */
};

/* Watches `path`, serving `first` (ownership moves in) until it changes. NULL when out of memory
 * (first is freed then). */
webconfig_live_t *webconfig_live_new(const char *path, webconfig_t *first);
/* Frees the current config; every reference must have been released. Accepts NULL. */
void webconfig_live_free(webconfig_live_t *l);
/* The config a request starts with, and its release (from any thread). */
const webconfig_t *webconfig_live_acquire(webconfig_live_t *l);
void webconfig_live_release(webconfig_live_t *l, const webconfig_t *wc);
/* Looks at the files (one stat each) and reloads the config if one changed. Returns WEBCONFIG_*; err is set for
 * WEBCONFIG_BROKEN. Not concurrently with itself. */
int webconfig_live_check(webconfig_live_t *l, char *err, size_t errlen);

/* Whether requests must carry basic-auth credentials. */
static inline bool webconfig_has_users(const webconfig_t *wc) { return wc && wc->nusers > 0; }
/* The user with exactly this name, or NULL. */
const webconfig_user_t *webconfig_user_get(const webconfig_t *wc, const char *name, size_t len);
