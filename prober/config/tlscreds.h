/* tlscreds -- the TLS credentials a module's tls_config names, built once with the config snapshot
 * (at start-up or on the reload thread), so no certificate file is read on a loop thread. The
 * credentials (lib/tls) are read-only once built and may be shared by sessions on any thread.
 *
 * blackbox 0.23 builds them per probe (prometheus/common NewTLSConfig) and fails the probe, not the
 * config load, when a file is missing or bad ("Failed to create TLS configuration"). So a failed
 * build is kept here as data: the object holds blackbox's reason, and the probe reports it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "lib/tls.h"

typedef struct tlscreds tlscreds_t;

/* The settings the credentials are built from; NULL or "" when absent. */
typedef struct tlscreds_files {
	const char *ca_file, *cert_file, *key_file;
	const char *min_version, *max_version;   /* "TLS10".."TLS13" or NULL; checked for order here */
} tlscreds_files_t;

/* Builds the credentials for f as NewTLSConfig (prometheus/common 0.39) does: the CA file, else the
 * system trust store; the client certificate and key. Reads the files. On success *out holds one
 * reference (release with tlscreds_unref) and 0 is returned, also when the build failed: then
 * tlscreds_error gives blackbox's reason, e.g.
 *   "unable to load specified CA cert /x: open /x: no such file or directory".
 * Returns NSP_ENOMEM (and *out NULL) only when memory runs out. */
int tlscreds_new(const tlscreds_files_t *f, tlscreds_t **out);

/* Why the build failed (blackbox's text), or NULL when the credentials are usable. */
const char *tlscreds_error(const tlscreds_t *c);

/* The credentials for a TLS session; NULL when tlscreds_error is not. Valid while a reference is held. */
tls_cred_t *tlscreds_cred(const tlscreds_t *c);

/* True when c was built from the same settings as f (so a snapshot builds each set once). */
bool tlscreds_same(const tlscreds_t *c, const tlscreds_files_t *f);

/* The index of a TLS version name: "TLS10" 0, "TLS11" 1, "TLS12" 2, "TLS13" 3; -1 for NULL or
 * anything else. */
int tlscreds_version(const char *name);

/* Reference counting; safe from any thread. tlscreds_unref frees at zero and accepts NULL. */
tlscreds_t *tlscreds_ref(tlscreds_t *c);
void tlscreds_unref(tlscreds_t *c);
