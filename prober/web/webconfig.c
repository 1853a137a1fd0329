/* webconfig -- exporter-toolkit 0.8.2's web configuration file, loaded once and checked strictly.
 *
 * exporter-toolkit decodes the file with yaml.v2's UnmarshalStrict into web.Config; we walk the
 * document the same way (loaded by config/yamlfile, read with config/yamldoc's yaml.v2 readers):
 * unknown and repeated keys are errors, plain scalars go into string fields whatever they look like
 * (yaml.v2 does that), bools take the YAML 1.1 words. Then its checks run in its order
 * (web/tls_config.go ConfigToTLSConfig, web/handler.go validateHeaderConfig and validateUsers), with
 * messages in its words where it has some.
 *
 * What GnuTLS must accept (the certificate/key pair, the priority string, the client CAs) is asked of
 * webtls, which also builds the client certificate check this config keeps. */
#include "web/webconfig.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/buf.h"
#include "lib/crypto.h"
#include "lib/errors.h"
#include "lib/log.h"
#include "config/yamldoc.h"
#include "config/yamlfile.h"
#include "web/webtls.h"

#define WEBCONFIG_MAX_FILE (1024 * 1024)   /* certificates and configs are a few KB */

/* exporter-toolkit's bcrypt hash of "fakepassword" (web/handler.go), checked for unknown users. */
static const char dummy_bcrypt[] = "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi";

/* ---- tables: what exporter-toolkit accepts ---- */

/* web/handler.go extraHTTPHeaders: the only headers that may be set; some with fixed values. */
static const struct {
	const char *name;
	const char *values[3];   /* NULL-terminated; empty: any value */
} allowed_headers[] = {
	{ .name = "Strict-Transport-Security" },
	{ .name = "X-Content-Type-Options", .values = { "nosniff" } },
	{ .name = "X-Frame-Options", .values = { "deny", "sameorigin" } },
	{ .name = "X-XSS-Protection" },
	{ .name = "Content-Security-Policy" },
};

static const struct {
	const char *name;
	webconfig_client_auth_t mode;
} client_auth_names[] = {
	{ "", WEBCONFIG_NO_CLIENT_CERT },
	{ "NoClientCert", WEBCONFIG_NO_CLIENT_CERT },
	{ "RequestClientCert", WEBCONFIG_REQUEST_CLIENT_CERT },
	{ "RequireAnyClientCert", WEBCONFIG_REQUIRE_ANY_CLIENT_CERT },
	{ "RequireClientCert", WEBCONFIG_REQUIRE_ANY_CLIENT_CERT },   /* kept by toolkit for old configs */
	{ "VerifyClientCertIfGiven", WEBCONFIG_VERIFY_CLIENT_CERT_IF_GIVEN },
	{ "RequireAndVerifyClientCert", WEBCONFIG_REQUIRE_AND_VERIFY_CLIENT_CERT },
};

/* Go's tlsVersions, ordered, with GnuTLS's names. */
static const struct {
	const char *name;
	const char *gnutls;
} tls_versions[] = {
	{ "TLS10", "VERS-TLS1.0" },
	{ "TLS11", "VERS-TLS1.1" },
	{ "TLS12", "VERS-TLS1.2" },
	{ "TLS13", "VERS-TLS1.3" },
};
#define TLS12 2
#define TLS13 3

/* Go 1.19 tls.CipherSuites() (the secure ones; the rest are "unknown cipher" to exporter-toolkit)
 * split into GnuTLS's key exchange, cipher and MAC keywords. The TLS 1.3 suites have no kx: Go
 * accepts their names and ignores them, since TLS 1.3 suites are not configurable in Go. */
static const struct {
	const char *name;
	const char *kx, *cipher, *mac;
} cipher_suites[] = {
	{ "TLS_RSA_WITH_AES_128_CBC_SHA", "RSA", "AES-128-CBC", "SHA1" },
	{ "TLS_RSA_WITH_AES_256_CBC_SHA", "RSA", "AES-256-CBC", "SHA1" },
	{ "TLS_RSA_WITH_AES_128_GCM_SHA256", "RSA", "AES-128-GCM", "AEAD" },
	{ "TLS_RSA_WITH_AES_256_GCM_SHA384", "RSA", "AES-256-GCM", "AEAD" },
	{ "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA", "AES-128-CBC", "SHA1" },
	{ "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA", "AES-256-CBC", "SHA1" },
	{ "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA", "AES-128-CBC", "SHA1" },
	{ "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA", "AES-256-CBC", "SHA1" },
	{ "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA", "AES-128-GCM", "AEAD" },
	{ "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA", "AES-256-GCM", "AEAD" },
	{ "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA", "AES-128-GCM", "AEAD" },
	{ "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA", "AES-256-GCM", "AEAD" },
	{ "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA", "CHACHA20-POLY1305", "AEAD" },
	{ "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA", "CHACHA20-POLY1305", "AEAD" },
	{ "TLS_AES_128_GCM_SHA256", NULL, NULL, NULL },
	{ "TLS_AES_256_GCM_SHA384", NULL, NULL, NULL },
	{ "TLS_CHACHA20_POLY1305_SHA256", NULL, NULL, NULL },
};

/* The ciphers Go always keeps for TLS 1.3, whatever cipher_suites says. */
static const char tls13_ciphers[] = ":+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:+AEAD:+ECDHE-RSA:+ECDHE-ECDSA";

static const struct {
	const char *name;
	const char *group;
} curves[] = {
	{ "CurveP256", "GROUP-SECP256R1" },
	{ "CurveP384", "GROUP-SECP384R1" },
	{ "CurveP521", "GROUP-SECP521R1" },
	{ "X25519", "GROUP-X25519" },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the load ---- */

/* What yaml.v2 would decode, before exporter-toolkit's checks. Strings are borrowed from the doc. */
typedef struct wc_raw {
	const char *cert_file, *key_file, *client_auth, *client_ca_file;
	const yamldoc_node_t *cert_node, *key_node, *auth_node, *ca_node, *tls_node;
	const char *ciphers[COUNT(cipher_suites)];
	size_t nciphers;
	const char *curves[COUNT(curves)];
	size_t ncurves;
	int min_version, max_version;
	const yamldoc_node_t *min_node;
	bool prefer_server;
} wc_raw_t;

/* The files a config names, for the watcher; filled even when the load fails after naming them. */
typedef struct wc_names {
	char *cert, *key, *ca;   /* owned */
} wc_names_t;

typedef struct wc_load {
	const char *path;
	yamldoc_t doc;
	char *err;
	size_t errlen;
	webconfig_t *wc;
	size_t users_cap, headers_cap;
	wc_raw_t raw;
	wc_names_t *names;              /* NULL: not asked */
} wc_load_t;

__attribute__((format(printf, 4, 5)))
static int fail(wc_load_t *l, const yamldoc_node_t *n, const char *key, const char *fmt, ...)
{
	char reason[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (n && key)
		snprintf(l->err, l->errlen, "%s:%lu: %s: %s", l->path, (unsigned long)yamldoc_line(n), key,
		         reason);
	else if (n)
		snprintf(l->err, l->errlen, "%s:%lu: %s", l->path, (unsigned long)yamldoc_line(n), reason);
	else
		snprintf(l->err, l->errlen, "%s: %s", l->path, reason);
	return NSP_ECONFIG;
}

/* A string field (yaml.v2: any scalar, null as ""); *out is NULL on failure. */
static int get_string(wc_load_t *l, const yamldoc_node_t *n, const char *key, const char **out)
{
	char why[256];
	return yamldoc_string_v2(n, out, why, sizeof(why)) ? 0 : fail(l, n, key, "%s", why);
}

static int get_bool(wc_load_t *l, const yamldoc_node_t *n, const char *key, bool *out)
{
	char why[256];
	return yamldoc_bool_v2(n, out, why, sizeof(why)) ? 0 : fail(l, n, key, "%s", why);
}

/* Walks a mapping (null: none) of Go type gotype, calling `field` for each pair with its dotted key
 * name; yamldoc refuses non-scalar and repeated keys, as UnmarshalStrict does. */
typedef int (*field_fn)(wc_load_t *l, const yamldoc_node_t *k, const char *key, const yamldoc_node_t *v);

static int walk_map(wc_load_t *l, const yamldoc_node_t *n, const char *path, const char *gotype, field_fn field)
{
	char why[256];
	if (!yamldoc_expect_map_v2(n, gotype, why, sizeof(why)))
		return fail(l, n, path, "%s", why);
	yamldoc_pairs_v2_t it;
	yamldoc_pairs_v2_init(&it, &l->doc, n);
	int rc = 0;
	for (;;) {
		yamldoc_node_t *k, *v;
		yamldoc_pair_step_t step = yamldoc_pairs_v2_next(&it, &k, &v, why, sizeof(why));
		if (step == YAMLDOC_PAIR_END)
			break;
		if (step == YAMLDOC_PAIR_FAIL) {
			rc = fail(l, k, path, "%s", why);
			break;
		}
		/* The dotted key names the field in messages; a buffer of its own, as paths nest. */
		buf_t key = BUF_INIT;
		buf_printf(&key, "%s%s%.100s", path, *path ? "." : "", yamldoc_scalar(k));
		rc = buf_ok(&key) ? field(l, k, buf_str(&key), v) : fail(l, k, path, "out of memory");
		buf_free(&key);
		if (rc)
			break;
	}
	yamldoc_pairs_v2_deinit(&it);
	return rc;
}

static int unknown_field(wc_load_t *l, const yamldoc_node_t *k, const char *key, const char *gotype)
{
	return fail(l, k, key, "field %.100s not found in type %s", yamldoc_scalar(k), gotype);
}

static int get_string_list(wc_load_t *l, const yamldoc_node_t *n, const char *key, const char **out, size_t cap,
                           size_t *count, int (*check)(wc_load_t *, const yamldoc_node_t *, const char *, const char *))
{
	char why[256];
	*count = 0;
	if (!yamldoc_expect_seq_v2(n, why, sizeof(why)))
		return fail(l, n, key, "%s", why);
	for (size_t i = 0; i < yamldoc_seq_len(n); i++) {
		const yamldoc_node_t *item = yamldoc_seq_get(&l->doc, n, i);
		const char *s;
		int rc = item ? get_string(l, item, key, &s) : fail(l, n, key, "broken YAML document");
		if (!rc)
			rc = check(l, item, key, s);
		if (rc)
			return rc;
		/* Repeats change nothing in GnuTLS's priority list; keep the first. */
		bool seen = false;
		for (size_t j = 0; j < *count; j++)
			seen |= !strcmp(out[j], s);
		if (!seen && *count < cap)
			out[(*count)++] = s;
	}
	return 0;
}

/* Room for element n of an array of *cap (users and headers grow as the walk meets them). Returns
 * the array, moved or not, or NULL (the old one still valid) when memory ran out. */
static void *grow(void *arr, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return arr;
	size_t ncap = *cap ? 2 * *cap : 8;
	void *p = reallocarray(arr, ncap, size);
	if (p)
		*cap = ncap;
	return p;
}

static int check_cipher(wc_load_t *l, const yamldoc_node_t *n, const char *key, const char *s)
{
	for (size_t i = 0; i < COUNT(cipher_suites); i++)
		if (!strcmp(s, cipher_suites[i].name))
			return 0;
	return fail(l, n, key, "unknown cipher: %.100s", s);
}

static int check_curve(wc_load_t *l, const yamldoc_node_t *n, const char *key, const char *s)
{
	for (size_t i = 0; i < COUNT(curves); i++)
		if (!strcmp(s, curves[i].name))
			return 0;
	return fail(l, n, key, "unknown curve: %.100s", s);
}

static int get_version(wc_load_t *l, const yamldoc_node_t *n, const char *key, int *out)
{
	const char *s;
	int rc = get_string(l, n, key, &s);
	if (rc)
		return rc;
	for (size_t i = 0; i < COUNT(tls_versions); i++) {
		if (!strcmp(s, tls_versions[i].name)) {
			*out = (int)i;
			return 0;
		}
	}
	return fail(l, n, key, "unknown TLS version: %.100s", s);
}

static int tls_field(wc_load_t *l, const yamldoc_node_t *k, const char *key, const yamldoc_node_t *v)
{
	wc_raw_t *r = &l->raw;
	const char *name = yamldoc_scalar(k);
	if (!strcmp(name, "cert_file")) {
		r->cert_node = v;
		return get_string(l, v, key, &r->cert_file);
	}
	if (!strcmp(name, "key_file")) {
		r->key_node = v;
		return get_string(l, v, key, &r->key_file);
	}
	if (!strcmp(name, "client_auth_type")) {
		r->auth_node = v;
		return get_string(l, v, key, &r->client_auth);
	}
	if (!strcmp(name, "client_ca_file")) {
		r->ca_node = v;
		return get_string(l, v, key, &r->client_ca_file);
	}
	if (!strcmp(name, "cipher_suites"))
		return get_string_list(l, v, key, r->ciphers, COUNT(r->ciphers), &r->nciphers, check_cipher);
	if (!strcmp(name, "curve_preferences"))
		return get_string_list(l, v, key, r->curves, COUNT(r->curves), &r->ncurves, check_curve);
	if (!strcmp(name, "min_version")) {
		r->min_node = v;
		return get_version(l, v, key, &r->min_version);
	}
	if (!strcmp(name, "max_version"))
		return get_version(l, v, key, &r->max_version);
	if (!strcmp(name, "prefer_server_cipher_suites"))
		return get_bool(l, v, key, &r->prefer_server);
	return unknown_field(l, k, key, "web.TLSConfig");
}

static int header_field(wc_load_t *l, const yamldoc_node_t *k, const char *key, const yamldoc_node_t *v)
{
	webconfig_t *wc = l->wc;
	const char *value;
	int rc = get_string(l, v, key, &value);
	if (rc)
		return rc;
	for (size_t i = 0; i < COUNT(allowed_headers); i++) {
		if (strcmp(yamldoc_scalar(k), allowed_headers[i].name) != 0)
			continue;
		if (allowed_headers[i].values[0]) {
			bool ok = false;
			buf_t want = BUF_INIT;
			for (size_t j = 0; allowed_headers[i].values[j]; j++) {
				ok |= !strcmp(value, allowed_headers[i].values[j]);
				buf_printf(&want, "%s\"%s\"", j ? " " : "", allowed_headers[i].values[j]);
			}
			if (!ok) {
				rc = fail(l, v, key, "invalid value for %s. Expected one of: [%s], but got: \"%.100s\"",
				          allowed_headers[i].name, buf_str(&want), value);
				buf_free(&want);
				return rc;
			}
			buf_free(&want);
		}
		/* exporter-toolkit's docs: "Unset if blank". */
		if (!*value)
			return 0;
		webconfig_header_t *headers = grow(wc->headers, wc->nheaders, &l->headers_cap, sizeof(*headers));
		if (!headers)
			return fail(l, v, key, "out of memory");
		wc->headers = headers;
		webconfig_header_t *h = &wc->headers[wc->nheaders];
		h->name = allowed_headers[i].name;
		h->value = strdup(value);
		if (!h->value)
			return fail(l, v, key, "out of memory");
		wc->nheaders++;
		return 0;
	}
	return fail(l, k, key, "HTTP header \"%.100s\" can not be configured", yamldoc_scalar(k));
}

static int http_field(wc_load_t *l, const yamldoc_node_t *k, const char *key, const yamldoc_node_t *v)
{
	if (!strcmp(yamldoc_scalar(k), "http2"))
		return get_bool(l, v, key, &l->wc->http2);
	if (!strcmp(yamldoc_scalar(k), "headers"))
		return walk_map(l, v, key, "map[string]string", header_field);
	return unknown_field(l, k, key, "web.HTTPConfig");
}

/* Go's bcrypt.Cost checks, in its words, then the shape libxcrypt needs (stricter than Go, which
 * would accept a malformed hash here and then reject every password). */
static int check_bcrypt(wc_load_t *l, const yamldoc_node_t *n, const char *key, const char *h)
{
	size_t len = strlen(h);
	if (len < 59)
		return fail(l, n, key, "crypto/bcrypt: hashedSecret too short to be a bcrypted password");
	if (h[0] != '$')
		return fail(l, n, key, "crypto/bcrypt: bcrypt hashes must start with '$', but hashedSecret started with '%c'",
		            h[0]);
	if (h[1] > '2')
		return fail(l, n, key,
		            "crypto/bcrypt: bcrypt algorithm version '%c' requested is newer than current version '2'", h[1]);
	bool shape = len == 60 && h[1] == '2' && (h[2] == 'a' || h[2] == 'b' || h[2] == 'y') && h[3] == '$' &&
	             h[4] >= '0' && h[4] <= '9' && h[5] >= '0' && h[5] <= '9' && h[6] == '$';
	if (shape) {
		int cost = (h[4] - '0') * 10 + (h[5] - '0');
		if (cost < 4 || cost > 31)
			return fail(l, n, key, "crypto/bcrypt: cost %d is outside allowed range (4,31)", cost);
		static const char b64[] = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
		for (size_t i = 7; i < len; i++)
			shape &= strchr(b64, h[i]) != NULL;
	}
	if (!shape)
		return fail(l, n, key, "not a bcrypt hash nsprobe can check (want $2a$, $2b$ or $2y$, a two-digit cost "
		                       "and 53 characters of salt and hash)");
	return 0;
}

static int user_field(wc_load_t *l, const yamldoc_node_t *k, const char *key, const yamldoc_node_t *v)
{
	webconfig_t *wc = l->wc;
	const char *hash;
	int rc = get_string(l, v, key, &hash);
	if (rc)
		return rc;
	webconfig_user_t *users = grow(wc->users, wc->nusers, &l->users_cap, sizeof(*users));
	if (!users)
		return fail(l, v, key, "out of memory");
	wc->users = users;
	webconfig_user_t *u = &wc->users[wc->nusers];
	if (!strncmp(hash, "$argon2id$", 10) || !strncmp(hash, "$argon2i$", 9)) {
		if (!crypto_argon2_parses(hash))
			return fail(l, v, key, "malformed argon2 hash");
		u->kind = WEBCONFIG_HASH_ARGON2;
	} else {
		rc = check_bcrypt(l, v, key, hash);
		if (rc)
			return rc;
		u->kind = WEBCONFIG_HASH_BCRYPT;
	}
	u->name_len = yamldoc_scalar_len(k);
	u->name = malloc(u->name_len + 1);
	u->hash = strdup(hash);
	if (!u->name || !u->hash) {
		free(u->name);
		free(u->hash);
		return fail(l, v, key, "out of memory");
	}
	memcpy(u->name, yamldoc_scalar(k), u->name_len + 1);
	wc->nusers++;
	return 0;
}

static int top_field(wc_load_t *l, const yamldoc_node_t *k, const char *key, const yamldoc_node_t *v)
{
	const char *name = yamldoc_scalar(k);
	if (!strcmp(name, "tls_server_config")) {
		l->raw.tls_node = v;
		return walk_map(l, v, key, "web.TLSConfig", tls_field);
	}
	if (!strcmp(name, "http_server_config"))
		return walk_map(l, v, key, "web.HTTPConfig", http_field);
	if (!strcmp(name, "basic_auth_users"))
		return walk_map(l, v, key, "map[string]config.Secret", user_field);
	return unknown_field(l, k, key, "web.Config");
}

/* ---- files ---- */

/* config_util.JoinDir: relative names are taken from the web config's directory. */
static char *join_dir(const char *config_path, const char *name)
{
	const char *slash = strrchr(config_path, '/');
	buf_t b = BUF_INIT;
	if (name[0] == '/' || !slash)
		buf_puts(&b, name);
	else
		buf_printf(&b, "%.*s/%s", (int)(slash - config_path), config_path, name);
	return buf_steal(&b);
}

/* Reads a whole (small) file. Returns 0, or an error with Go's "open NAME: reason" in err. */
static int read_file(const char *name, char **out, size_t *outlen, char *err, size_t errlen)
{
	FILE *f = fopen(name, "rb");
	if (!f) {
		snprintf(err, errlen, "open %s: %s", name, strerror(errno));
		return NSP_ENOENT;
	}
	buf_t b = BUF_INIT;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && b.len <= WEBCONFIG_MAX_FILE)
		buf_append(&b, chunk, n);
	bool bad = ferror(f) != 0;
	fclose(f);
	if (bad || b.len > WEBCONFIG_MAX_FILE || !buf_ok(&b)) {
		snprintf(err, errlen, "read %s: %s", name, bad ? "read error" : !buf_ok(&b) ? "out of memory" : "file too large");
		buf_free(&b);
		return NSP_EINVAL;
	}
	*outlen = b.len;
	*out = b.p ? buf_steal(&b) : strdup("");
	return *out ? 0 : NSP_ENOMEM;
}

/* ---- exporter-toolkit's checks, in ConfigToTLSConfig's order ---- */

static int build_priorities(wc_load_t *l)
{
	wc_raw_t *r = &l->raw;
	webconfig_t *wc = l->wc;
	if (r->min_version > r->max_version)
		return fail(l, r->min_node, "tls_server_config.min_version", "min_version %s is above max_version %s",
		            tls_versions[r->min_version].name, tls_versions[r->max_version].name);
	buf_t p = BUF_INIT;
	buf_puts(&p, "NORMAL:-VERS-ALL");
	for (int v = r->max_version; v >= r->min_version; v--)
		buf_printf(&p, ":+%s", tls_versions[v].gnutls);
	if (r->nciphers) {
		/* GnuTLS takes kx, cipher and MAC lists rather than suites: the listed suites' parts. */
		buf_puts(&p, ":-CIPHER-ALL:-MAC-ALL:-KX-ALL");
		for (size_t i = 0; i < r->nciphers; i++) {
			for (size_t j = 0; j < COUNT(cipher_suites); j++) {
				if (strcmp(r->ciphers[i], cipher_suites[j].name) != 0 || !cipher_suites[j].kx)
					continue;
				buf_printf(&p, ":+%s:+%s:+%s", cipher_suites[j].kx, cipher_suites[j].cipher, cipher_suites[j].mac);
			}
		}
		if (r->max_version == TLS13)
			buf_puts(&p, tls13_ciphers);
	}
	if (r->ncurves) {
		buf_puts(&p, ":-GROUP-ALL");
		for (size_t i = 0; i < r->ncurves; i++)
			for (size_t j = 0; j < COUNT(curves); j++)
				if (!strcmp(r->curves[i], curves[j].name))
					buf_printf(&p, ":+%s", curves[j].group);
	}
	if (r->prefer_server)
		buf_puts(&p, ":%SERVER_PRECEDENCE");
	if (!buf_ok(&p)) {
		buf_free(&p);
		return fail(l, NULL, NULL, "out of memory");
	}
	wc->priorities = buf_steal(&p);
	char why[1024];
	if (webtls_check_priorities(wc->priorities, why, sizeof(why)) != 0)
		return fail(l, r->tls_node, "tls_server_config", "%s", why);
	return 0;
}

static int load_key_pair(wc_load_t *l)
{
	wc_raw_t *r = &l->raw;
	webconfig_t *wc = l->wc;
	char why[512];
	size_t cert_len = 0, key_len = 0;
	char *cert_name = join_dir(l->path, r->cert_file);
	char *key_name = join_dir(l->path, r->key_file);
	int rc = 0;
	if (!cert_name || !key_name) {
		rc = fail(l, NULL, NULL, "out of memory");
		goto done;
	}
	wc->cert_file = strdup(cert_name);
	wc->key_file = strdup(key_name);
	if (!wc->cert_file || !wc->key_file) {
		rc = fail(l, NULL, NULL, "out of memory");
		goto done;
	}
	if (read_file(cert_name, &wc->cert_pem, &cert_len, why, sizeof(why)) != 0) {
		rc = fail(l, r->cert_node, "tls_server_config.cert_file", "failed to load X509KeyPair: %s", why);
		goto done;
	}
	if (read_file(key_name, &wc->key_pem, &key_len, why, sizeof(why)) != 0) {
		rc = fail(l, r->key_node, "tls_server_config.key_file", "failed to load X509KeyPair: %s", why);
		goto done;
	}
	/* GnuTLS checks that the key belongs to the certificate, as tls.LoadX509KeyPair does. */
	rc = webtls_check_key_pair(wc->cert_pem, cert_len, wc->key_pem, key_len, why, sizeof(why));
	if (rc == NSP_ENOMEM)
		rc = fail(l, NULL, NULL, "out of memory");
	else if (rc)
		rc = fail(l, r->cert_node, "tls_server_config.cert_file", "failed to load X509KeyPair: %s, %s: %s",
		          cert_name, key_name, why);
done:
	free(cert_name);
	free(key_name);
	return rc;
}

/* The client CAs, and the check client_auth_type asks of webtls. */
static int load_client_ca(wc_load_t *l)
{
	wc_raw_t *r = &l->raw;
	webconfig_t *wc = l->wc;
	webconfig_client_auth_t mode = wc->client_auth;
	bool require = mode == WEBCONFIG_REQUIRE_ANY_CLIENT_CERT || mode == WEBCONFIG_REQUIRE_AND_VERIFY_CLIENT_CERT;
	bool verify = mode >= WEBCONFIG_VERIFY_CLIENT_CERT_IF_GIVEN;
	char why[512];
	size_t len = 0;
	if (*r->client_ca_file) {
		char *name = join_dir(l->path, r->client_ca_file);
		if (!name)
			return fail(l, NULL, NULL, "out of memory");
		wc->client_ca_file = name;
		int rc = read_file(name, &wc->client_ca_pem, &len, why, sizeof(why));
		if (rc)
			return fail(l, r->ca_node, "tls_server_config.client_ca_file", "%s", why);
	}
	/* Without a CA file, webtls verifies against the system's roots, as Go does without ClientCAs. */
	int rc = webtls_new(require, verify, wc->client_ca_pem, len, &wc->client_check, why, sizeof(why));
	if (rc == NSP_ENOMEM)
		return fail(l, NULL, NULL, "out of memory");
	if (rc)
		return fail(l, r->ca_node, "tls_server_config.client_ca_file", "%s", why);
	/* GnuTLS asks for a client certificate only when MHD has a trust to hand it; without a CA file
	 * any certificate will do, and the verdict is webtls's. */
	wc->trust_pem = strdup(wc->client_ca_pem ? wc->client_ca_pem : wc->cert_pem);
	return wc->trust_pem ? 0 : fail(l, NULL, NULL, "out of memory");
}

static int check_tls(wc_load_t *l)
{
	wc_raw_t *r = &l->raw;
	webconfig_t *wc = l->wc;
	if (!*r->cert_file && !*r->key_file && !*r->client_auth && !*r->client_ca_file)
		return 0;   /* errNoTLSConfig: plain HTTP */
	if (!*r->cert_file)
		return fail(l, r->tls_node, "tls_server_config", "missing cert_file");
	if (!*r->key_file)
		return fail(l, r->tls_node, "tls_server_config", "missing key_file");
	int rc = load_key_pair(l);
	if (rc)
		return rc;
	rc = build_priorities(l);
	if (rc)
		return rc;
	bool known = false;
	for (size_t i = 0; i < COUNT(client_auth_names); i++) {
		if (!strcmp(r->client_auth, client_auth_names[i].name)) {
			wc->client_auth = client_auth_names[i].mode;
			known = true;
		}
	}
	if (!known)
		return fail(l, r->auth_node, "tls_server_config.client_auth_type", "Invalid ClientAuth: %.100s",
		            r->client_auth);
	if (*r->client_ca_file && wc->client_auth == WEBCONFIG_NO_CLIENT_CERT)
		return fail(l, r->ca_node, "tls_server_config.client_ca_file",
		            "Client CA's have been configured without a Client Auth Policy");
	if (wc->client_auth != WEBCONFIG_NO_CLIENT_CERT) {
		rc = load_client_ca(l);
		if (rc)
			return rc;
	}
	/* What each connection's handshake is handed (webtls_server_bind): the key pair was checked
	 * above, so a failure here is memory or GnuTLS itself. */
	char why[512];
	rc = webtls_server_new(wc->cert_pem, strlen(wc->cert_pem), wc->key_pem, strlen(wc->key_pem),
	                       wc->client_auth != WEBCONFIG_NO_CLIENT_CERT, wc->client_ca_pem, wc->priorities,
	                       &wc->server, why, sizeof(why));
	if (rc == NSP_ENOMEM)
		return fail(l, NULL, NULL, "out of memory");
	if (rc)
		return fail(l, r->cert_node, "tls_server_config.cert_file", "failed to load X509KeyPair: %s", why);
	wc->tls = true;
	return 0;
}

static int load_text(const char *path, const char *text, size_t len, webconfig_t **out, char *err, size_t errlen,
                     wc_names_t *names)
{
	*out = NULL;
	/* yaml.v2's nesting limit, then libyaml's loader (no limit, and minutes for 100,000 `[`) */
	wc_load_t l = {
		.path = path, .doc = { .path = path }, .err = err, .errlen = errlen, .names = names,
		.raw = { .cert_file = "", .key_file = "", .client_auth = "", .client_ca_file = "",
		         .min_version = TLS12, .max_version = TLS13, .prefer_server = true },
	};
	yamlfile_problem_t pr;
	switch (yamlfile_load(&l.doc, text, len, YAMLFILE_V2, &pr)) {
	case YAMLFILE_OK:
		break;
	case YAMLFILE_NOMEM:
		snprintf(err, errlen, "%s: out of memory", path);
		return NSP_ENOMEM;
	case YAMLFILE_DEPTH:
	case YAMLFILE_SYNTAX:
	case YAMLFILE_ALIAS:
		snprintf(err, errlen, "%s:%zu: yaml: %s", path, pr.line, pr.text[0] ? pr.text : "cannot parse");
		return NSP_ECONFIG;
	}
	webconfig_t *wc = calloc(1, sizeof(*wc));
	if (!wc) {
		yamlfile_unload(&l.doc);
		snprintf(err, errlen, "%s: out of memory", path);
		return NSP_ENOMEM;
	}
	l.wc = wc;
	wc->http2 = true;
	int rc = 0;
	const yamldoc_node_t *root = yamldoc_root(&l.doc);
	if (root)
		rc = walk_map(&l, root, "", "web.Config", top_field);
	if (!rc)
		rc = check_tls(&l);
	if (!rc) {
		/* The toolkit's bcrypt dummy, unless every user has an argon2 hash: then the first of those,
		 * so that an unknown name costs what a known one does. Its verdict is never used. */
		wc->dummy_hash = dummy_bcrypt;
		bool any_bcrypt = false;
		for (size_t i = 0; i < wc->nusers; i++)
			any_bcrypt |= wc->users[i].kind == WEBCONFIG_HASH_BCRYPT;
		if (wc->nusers && !any_bcrypt)
			wc->dummy_hash = wc->users[0].hash;
	}
	yamlfile_unload(&l.doc);
	if (rc && names) {
		/* The watcher also watches the files a refused config named (a good one keeps them). */
		names->cert = wc->cert_file;
		names->key = wc->key_file;
		names->ca = wc->client_ca_file;
		wc->cert_file = wc->key_file = wc->client_ca_file = NULL;
	}
	if (rc) {
		webconfig_free(wc);
		return rc;
	}
	*out = wc;
	return 0;
}

int webconfig_load_text(const char *path, const char *text, size_t len, webconfig_t **out, char *err,
                        size_t errlen)
{
	return load_text(path, text, len, out, err, errlen, NULL);
}

static int load_file(const char *path, webconfig_t **out, char *err, size_t errlen, wc_names_t *names)
{
	*out = NULL;
	char *text = NULL;
	size_t len = 0;
	char why[512];
	int rc = read_file(path, &text, &len, why, sizeof(why));
	if (rc) {
		snprintf(err, errlen, "%s", why);
		return rc == NSP_ENOMEM ? rc : NSP_ECONFIG;
	}
	rc = load_text(path, text, len, out, err, errlen, names);
	free(text);
	return rc;
}

int webconfig_load(const char *path, webconfig_t **out, char *err, size_t errlen)
{
	return load_file(path, out, err, errlen, NULL);
}

void webconfig_free(webconfig_t *wc)
{
	if (!wc)
		return;
	for (size_t i = 0; wc->users && i < wc->nusers; i++) {
		free(wc->users[i].name);
		free(wc->users[i].hash);
	}
	free(wc->users);
	for (size_t i = 0; wc->headers && i < wc->nheaders; i++)
		free(wc->headers[i].value);
	free(wc->headers);
	if (wc->key_pem) {
		crypto_wipe(wc->key_pem, strlen(wc->key_pem));
		free(wc->key_pem);
	}
	free(wc->cert_pem);
	free(wc->client_ca_pem);
	free(wc->trust_pem);
	free(wc->priorities);
	webtls_server_free(wc->server);
	free(wc->cert_file);
	free(wc->key_file);
	free(wc->client_ca_file);
	webtls_free(wc->client_check);
	free(wc);
}

const webconfig_user_t *webconfig_user_get(const webconfig_t *wc, const char *name, size_t len)
{
	for (size_t i = 0; wc && i < wc->nusers; i++)
		if (wc->users[i].name_len == len && !memcmp(wc->users[i].name, name, len))
			return &wc->users[i];
	return NULL;
}

/* ---- the file watched ---- */

typedef struct live_slot {
	webconfig_t *wc;
	unsigned long refs;
	struct live_slot *next;
} live_slot_t;

/* A watched file as last looked at. */
typedef struct live_file {
	char *path;                     /* owned; NULL: slot unused */
	struct stat st;
	int err;                        /* stat's error then, or 0 */
} live_file_t;

/* The web config itself, then the cert_file, key_file and client_ca_file of the last one read. */
#define LIVE_FILES 4

struct webconfig_live {
	pthread_mutex_t lock;
	live_slot_t *cur;               /* the config new requests get */
	live_slot_t *old;               /* replaced ones still held by requests */
	live_file_t files[LIVE_FILES];
};

static void live_stat(live_file_t *f)
{
	memset(&f->st, 0, sizeof(f->st));
	f->err = stat(f->path, &f->st) == 0 ? 0 : errno;
}

static bool same_stat(const live_file_t *a, const live_file_t *b)
{
	if (a->err || b->err)
		return a->err == b->err;
	return a->st.st_dev == b->st.st_dev && a->st.st_ino == b->st.st_ino && a->st.st_size == b->st.st_size &&
	       a->st.st_mtim.tv_sec == b->st.st_mtim.tv_sec && a->st.st_mtim.tv_nsec == b->st.st_mtim.tv_nsec &&
	       a->st.st_ctim.tv_sec == b->st.st_ctim.tv_sec && a->st.st_ctim.tv_nsec == b->st.st_ctim.tv_nsec;
}

/* Watches these names from now on (NULL: none in that slot; borrowed, copied). A name watched before
 * keeps the look taken in `before`, so an edit made during the read is seen at the next check;
 * a new name is looked at now. Out of memory leaves a slot unwatched until the next change. */
static void live_watch(webconfig_live_t *l, const live_file_t before[LIVE_FILES], const char *names[LIVE_FILES - 1])
{
	live_file_t next[LIVE_FILES - 1] = { { 0 } };
	for (size_t i = 0; i < LIVE_FILES - 1; i++) {
		if (!names[i])
			continue;
		for (size_t j = 1; j < LIVE_FILES && !next[i].path; j++) {
			if (before[j].path && !strcmp(before[j].path, names[i])) {
				next[i] = before[j];
				next[i].path = strdup(names[i]);
			}
		}
		if (!next[i].path && (next[i].path = strdup(names[i])) != NULL)
			live_stat(&next[i]);
	}
	for (size_t i = 1; i < LIVE_FILES; i++) {
		free(l->files[i].path);
		l->files[i] = next[i - 1];
	}
}

static void live_watch_config(webconfig_live_t *l, const webconfig_t *wc, const live_file_t before[LIVE_FILES])
{
	const char *names[LIVE_FILES - 1] = { wc->cert_file, wc->key_file, wc->client_ca_file };
	live_watch(l, before, names);
}

webconfig_live_t *webconfig_live_new(const char *path, webconfig_t *first)
{
	webconfig_live_t *l = calloc(1, sizeof(*l));
	live_slot_t *slot = calloc(1, sizeof(*slot));
	char *p = strdup(path);
	if (!l || !slot || !p) {
		free(l);
		free(slot);
		free(p);
		webconfig_free(first);
		return NULL;
	}
	l->files[0].path = p;
	slot->wc = first;
	l->cur = slot;
	pthread_mutex_init(&l->lock, NULL);
	/* Loaded just before: an edit in between is seen at the first check. */
	live_stat(&l->files[0]);
	live_file_t none[LIVE_FILES] = { { 0 } };
	live_watch_config(l, first, none);
	return l;
}

void webconfig_live_free(webconfig_live_t *l)
{
	if (!l)
		return;
	for (live_slot_t *s = l->old, *next; s; s = next) {
		next = s->next;
		webconfig_free(s->wc);
		free(s);
	}
	webconfig_free(l->cur->wc);
	free(l->cur);
	pthread_mutex_destroy(&l->lock);
	for (size_t i = 0; i < LIVE_FILES; i++)
		free(l->files[i].path);
	free(l);
}

const webconfig_t *webconfig_live_acquire(webconfig_live_t *l)
{
	pthread_mutex_lock(&l->lock);
	l->cur->refs++;
	const webconfig_t *wc = l->cur->wc;
	pthread_mutex_unlock(&l->lock);
	return wc;
}

void webconfig_live_release(webconfig_live_t *l, const webconfig_t *wc)
{
	live_slot_t *gone = NULL;
	pthread_mutex_lock(&l->lock);
	if (l->cur->wc == wc) {
		l->cur->refs--;
	} else {
		for (live_slot_t **pp = &l->old; *pp; pp = &(*pp)->next) {
			if ((*pp)->wc != wc)
				continue;
			if (--(*pp)->refs == 0) {
				gone = *pp;
				*pp = gone->next;
			}
			break;
		}
	}
	pthread_mutex_unlock(&l->lock);
	if (gone) {
		webconfig_free(gone->wc);
		free(gone);
	}
}

int webconfig_live_check(webconfig_live_t *l, char *err, size_t errlen)
{
	live_file_t now[LIVE_FILES] = { { 0 } };
	bool changed = false;
	for (size_t i = 0; i < LIVE_FILES; i++) {
		if (!l->files[i].path)
			continue;
		now[i].path = l->files[i].path;
		live_stat(&now[i]);
		changed |= !same_stat(&now[i], &l->files[i]);
	}
	if (!changed)
		return WEBCONFIG_UNCHANGED;
	/* Taken before the read: an edit during it is seen at the next check. */
	for (size_t i = 0; i < LIVE_FILES; i++) {
		l->files[i].st = now[i].st;
		l->files[i].err = now[i].err;
	}
	memcpy(now, l->files, sizeof(now));   /* paths borrowed from l until live_watch replaces them */
	webconfig_t *fresh = NULL;
	wc_names_t names = { 0 };
	if (load_file(l->files[0].path, &fresh, err, errlen, &names) != 0) {
		/* Watch what the refused file names, so that fixing a named file is seen too. A file too
		 * broken to name any keeps the names of the last good one. */
		if (names.cert || names.key || names.ca) {
			const char *watch[LIVE_FILES - 1] = { names.cert, names.key, names.ca };
			live_watch(l, now, watch);
		}
		free(names.cert);
		free(names.key);
		free(names.ca);
		return WEBCONFIG_BROKEN;
	}
	live_watch_config(l, fresh, now);
	/* cur is only replaced here, on this thread: reading it unlocked is safe. */
	const webconfig_t *prev_wc = l->cur->wc;
	if (fresh->tls != prev_wc->tls) {
		snprintf(err, errlen, "%s: TLS turned %s; serving HTTPS or HTTP changes need a restart", l->files[0].path,
		         fresh->tls ? "on" : "off");
		webconfig_free(fresh);
		return WEBCONFIG_BROKEN;
	}
	live_slot_t *slot = calloc(1, sizeof(*slot));
	if (!slot) {
		snprintf(err, errlen, "out of memory");
		webconfig_free(fresh);
		/* Try again at the next check. */
		l->files[0].err = -1;
		return WEBCONFIG_BROKEN;
	}
	if (fresh->server && strcmp(webtls_server_fingerprint(fresh->server), webtls_server_fingerprint(prev_wc->server)))
		log_info("serving a new TLS certificate", "sha256", webtls_server_fingerprint(fresh->server), "previous",
		         webtls_server_fingerprint(prev_wc->server));
	slot->wc = fresh;
	live_slot_t *gone = NULL;
	pthread_mutex_lock(&l->lock);
	live_slot_t *prev = l->cur;
	l->cur = slot;
	if (prev->refs == 0) {
		gone = prev;
	} else {
		prev->next = l->old;
		l->old = prev;
	}
	pthread_mutex_unlock(&l->lock);
	if (gone) {
		webconfig_free(gone->wc);
		free(gone);
	}
	return WEBCONFIG_RELOADED;
}
