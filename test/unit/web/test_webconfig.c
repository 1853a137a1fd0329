/* test_webconfig -- the web config loader against exporter-toolkit 0.8.2's rules (web/tls_config.go,
 * web/handler.go): strict keys, its checks and messages, hashes, TLS files and the priority string. */
#include <crypt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "lib/errors.h"
#include "web/webconfig.h"
#include "web/webtls.h"
#include "testlib.h"

static char tmpdir[64];
static char bcrypt_s3cret[CRYPT_OUTPUT_SIZE];
static char argon_hunter2[crypto_pwhash_STRBYTES];

/* ---- fixtures ---- */

static void write_file(const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A self-signed certificate for 127.0.0.1 and its key, in `cert` and `key`. */
static void make_cert(const char *cert, const char *key)
{
	char *c, *k;
	testlib_tls_pair(&c, &k);
	write_file(cert, c);
	write_file(key, k);
	free(c);
	free(k);
}

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/test_webconfig.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	make_cert("server.pem", "server.key");
	make_cert("other.pem", "other.key");
	write_file("empty.pem", "");
	/* Low costs: the loader only parses hashes. */
	struct crypt_data cd;
	memset(&cd, 0, sizeof cd);
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	if (!crypt_gensalt_rn("$2y$", 4, NULL, 0, salt, sizeof salt))
		return -1;
	const char *h = crypt_rn("s3cret", salt, &cd, sizeof cd);
	if (!h || h[0] == '*')
		return -1;
	snprintf(bcrypt_s3cret, sizeof bcrypt_s3cret, "%s", h);
	if (crypto_pwhash_str(argon_hunter2, "hunter2", 7, crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN) != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	static const char *const files[] = { "server.pem", "server.key", "other.pem", "other.key", "empty.pem",
		                             "live.yml", "live.pem", "live.key" };
	char path[256];
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", tmpdir, files[i]);
		unlink(path);
	}
	rmdir(tmpdir);
	return 0;
}

/* Loads text as if from <tmpdir>/web.yml, so relative names resolve in tmpdir. */
static webconfig_t *load(const char *text, char *err, size_t errlen)
{
	char path[256];
	snprintf(path, sizeof path, "%s/web.yml", tmpdir);
	webconfig_t *wc = NULL;
	int rc = webconfig_load_text(path, text, strlen(text), &wc, err, errlen);
	if (rc != 0)
		assert_null(wc);
	else
		assert_non_null(wc);
	return wc;
}

static webconfig_t *expect_ok(const char *text)
{
	char err[1024];
	webconfig_t *wc = load(text, err, sizeof err);
	if (!wc)
		fail_msg("config:\n%s\nunexpected error: %s", text, err);
	return wc;
}

/* Each of `want` must appear in the message. */
static void expect_error(const char *text, const char *want1, const char *want2)
{
	char err[1024];
	webconfig_t *wc = load(text, err, sizeof err);
	if (wc)
		fail_msg("config:\n%s\nloaded, want error \"%s\"", text, want1);
	if (!strstr(err, want1) || (want2 && !strstr(err, want2)))
		fail_msg("config:\n%s\nwant \"%s\" and \"%s\", got \"%s\"", text, want1, want2 ? want2 : "", err);
}

/* ---- plain HTTP ---- */

static void test_empty(void **state)
{
	(void)state;
	webconfig_t *wc = expect_ok("");
	assert_false(wc->tls);
	assert_true(wc->http2);
	assert_int_equal(wc->nusers, 0);
	assert_false(webconfig_has_users(wc));
	webconfig_free(wc);
	wc = expect_ok("# nothing\ntls_server_config:\nhttp_server_config:\n  http2: false\n");
	assert_false(wc->tls);
	assert_false(wc->http2);
	webconfig_free(wc);
	/* yaml.v2 decodes null into a string field as "": every spelling of null is an unset file */
	wc = expect_ok("tls_server_config:\n  cert_file: ~\n  key_file: null\n  client_auth_type: Null\n"
	               "  client_ca_file: NULL\nhttp_server_config:\n  headers:\n    X-XSS-Protection: ~\n");
	assert_false(wc->tls);
	assert_int_equal(wc->nheaders, 0);
	webconfig_free(wc);
	webconfig_free(NULL);
}

static void test_strict_keys(void **state)
{
	(void)state;
	expect_error("bogus: 1\n", "web.yml:1: bogus: field bogus not found in type web.Config", NULL);
	expect_error("tls_server_config:\n  cert_file: a\n  certfile: b\n",
	             "web.yml:3: tls_server_config.certfile: field certfile not found in type web.TLSConfig", NULL);
	expect_error("http_server_config:\n  http3: true\n", "field http3 not found in type web.HTTPConfig", NULL);
	expect_error("basic_auth_users: {}\nbasic_auth_users: {}\n", "web.yml:2",
	             "key \"basic_auth_users\" already set in map");
	expect_error("- a\n- b\n", "cannot unmarshal !!seq into web.Config", NULL);
	expect_error("just text\n", "cannot unmarshal !!str `just text` into web.Config", NULL);
	expect_error("tls_server_config: [a]\n", "cannot unmarshal !!seq into web.TLSConfig", NULL);
	expect_error("tls_server_config:\n  cert_file: [a]\n", "tls_server_config.cert_file",
	             "cannot unmarshal !!seq into string");
	expect_error("basic_auth_users: [\n", "web.yml:", "yaml:");
}

static void test_bools(void **state)
{
	(void)state;
	webconfig_t *wc = expect_ok("http_server_config:\n  http2: no\n");
	assert_false(wc->http2);
	webconfig_free(wc);
	wc = expect_ok("http_server_config:\n  http2: On\n");
	assert_true(wc->http2);
	webconfig_free(wc);
	expect_error("http_server_config:\n  http2: maybe\n", "http_server_config.http2",
	             "cannot unmarshal !!str `maybe` into bool");
	expect_error("http_server_config:\n  http2: \"true\"\n", "cannot unmarshal !!str `true` into bool", NULL);
}

static void test_headers(void **state)
{
	(void)state;
	webconfig_t *wc = expect_ok("http_server_config:\n  headers:\n    X-Frame-Options: sameorigin\n"
	                            "    Strict-Transport-Security: max-age=31536000\n    X-XSS-Protection: \"\"\n");
	assert_int_equal(wc->nheaders, 2);   /* blank means unset */
	assert_string_equal(wc->headers[0].name, "X-Frame-Options");
	assert_string_equal(wc->headers[0].value, "sameorigin");
	assert_string_equal(wc->headers[1].name, "Strict-Transport-Security");
	assert_string_equal(wc->headers[1].value, "max-age=31536000");
	webconfig_free(wc);
	expect_error("http_server_config:\n  headers:\n    Server: x\n",
	             "HTTP header \"Server\" can not be configured", NULL);
	expect_error("http_server_config:\n  headers:\n    X-Frame-Options: allow\n",
	             "invalid value for X-Frame-Options. Expected one of: [\"deny\" \"sameorigin\"], but got: \"allow\"",
	             NULL);
	expect_error("http_server_config:\n  headers:\n    X-Content-Type-Options: sniff\n",
	             "Expected one of: [\"nosniff\"]", NULL);
}

/* ---- users ---- */

static void test_users(void **state)
{
	(void)state;
	char text[1024];
	snprintf(text, sizeof text, "basic_auth_users:\n  alice: %s\n  bob: '%s'\n  123: %s\n", bcrypt_s3cret,
	         argon_hunter2, bcrypt_s3cret);
	webconfig_t *wc = expect_ok(text);
	assert_int_equal(wc->nusers, 3);
	assert_true(webconfig_has_users(wc));
	const webconfig_user_t *u = webconfig_user_get(wc, "alice", 5);
	assert_non_null(u);
	assert_int_equal(u->kind, WEBCONFIG_HASH_BCRYPT);
	assert_string_equal(u->hash, bcrypt_s3cret);
	u = webconfig_user_get(wc, "bob", 3);
	assert_non_null(u);
	assert_int_equal(u->kind, WEBCONFIG_HASH_ARGON2);
	assert_non_null(webconfig_user_get(wc, "123", 3));      /* yaml.v2 keeps an int key's text */
	assert_null(webconfig_user_get(wc, "alic", 4));
	assert_null(webconfig_user_get(wc, "alice\0", 6));
	/* a bcrypt user is present: exporter-toolkit's own dummy */
	assert_string_equal(wc->dummy_hash, "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi");
	webconfig_free(wc);

	/* argon2 only: unknown users cost an argon2 check too */
	snprintf(text, sizeof text, "basic_auth_users:\n  bob: '%s'\n", argon_hunter2);
	wc = expect_ok(text);
	assert_string_equal(wc->dummy_hash, argon_hunter2);
	webconfig_free(wc);
}

static void test_bad_hashes(void **state)
{
	(void)state;
	expect_error("basic_auth_users:\n  alice: short\n", "web.yml:2: basic_auth_users.alice",
	             "crypto/bcrypt: hashedSecret too short to be a bcrypted password");
	expect_error("basic_auth_users:\n  alice:\n", "hashedSecret too short", NULL);
	/* alice's good bcrypt hash with a few bytes overwritten, written plain or quoted */
	static const struct {
		size_t at;
		const char *with;
		bool quoted;
		const char *want;
	} edits[] = {
		{ 0, "x", false, "bcrypt hashes must start with '$', but hashedSecret started with 'x'" },
		{ 1, "3", true, "bcrypt algorithm version '3' requested is newer than current version '2'" },
		{ 4, "03", true, "crypto/bcrypt: cost 3 is outside allowed range (4,31)" },
		{ 2, "x", true, "not a bcrypt hash nsprobe can check" },
		{ 40, "!", true, "not a bcrypt hash nsprobe can check" },
	};
	for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
		char h[CRYPT_OUTPUT_SIZE], text[1024];
		snprintf(h, sizeof h, "%s", bcrypt_s3cret);
		memcpy(h + edits[i].at, edits[i].with, strlen(edits[i].with));
		const char *q = edits[i].quoted ? "'" : "";
		snprintf(text, sizeof text, "basic_auth_users:\n  alice: %s%s%s\n", q, h, q);
		expect_error(text, edits[i].want, NULL);
	}
	expect_error("basic_auth_users:\n  bob: '$argon2id$v=19$m=65536,t=2,p=1$broken'\n",
	             "basic_auth_users.bob", "malformed argon2 hash");
}

/* ---- TLS ---- */

static void test_tls_ok(void **state)
{
	(void)state;
	/* relative names come from the config's directory */
	webconfig_t *wc = expect_ok("tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n");
	assert_true(wc->tls);
	assert_non_null(strstr(wc->cert_pem, "BEGIN CERTIFICATE"));
	assert_non_null(strstr(wc->key_pem, "PRIVATE KEY"));
	assert_null(wc->trust_pem);
	assert_null(wc->client_check);
	assert_int_equal(wc->client_auth, WEBCONFIG_NO_CLIENT_CERT);
	assert_string_equal(wc->priorities, "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:%SERVER_PRECEDENCE");
	webconfig_free(wc);

	char text[1024];
	snprintf(text, sizeof text,
	         "tls_server_config:\n  cert_file: %s/server.pem\n  key_file: server.key\n"
	         "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: other.pem\n"
	         "  min_version: TLS10\n  max_version: TLS12\n  prefer_server_cipher_suites: false\n"
	         "  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256]\n"
	         "  curve_preferences: [X25519, CurveP256]\n",
	         tmpdir);
	wc = expect_ok(text);
	assert_int_equal(wc->client_auth, WEBCONFIG_REQUIRE_AND_VERIFY_CLIENT_CERT);
	assert_non_null(wc->trust_pem);
	assert_string_equal(wc->trust_pem, wc->client_ca_pem);
	assert_non_null(wc->client_check);
	assert_string_equal(wc->priorities,
	                    "NORMAL:-VERS-ALL:+VERS-TLS1.2:+VERS-TLS1.1:+VERS-TLS1.0:-CIPHER-ALL:-MAC-ALL:-KX-ALL"
	                    ":+ECDHE-ECDSA:+AES-128-GCM:+AEAD:+ECDHE-RSA:+CHACHA20-POLY1305:+AEAD"
	                    ":-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1");
	webconfig_free(wc);

	/* TLS 1.3 suites are accepted (Go ignores them) and TLS 1.3 keeps its own ciphers */
	wc = expect_ok("tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n"
	               "  cipher_suites: [TLS_AES_128_GCM_SHA256, TLS_RSA_WITH_AES_128_CBC_SHA]\n"
	               "  client_auth_type: RequireClientCert\n");
	assert_int_equal(wc->client_auth, WEBCONFIG_REQUIRE_ANY_CLIENT_CERT);
	assert_non_null(strstr(wc->priorities, ":+RSA:+AES-128-CBC:+SHA1:+AES-128-GCM:+AES-256-GCM"));
	/* asked without a CA: MHD still needs a trust to request certificates */
	assert_non_null(wc->trust_pem);
	webconfig_free(wc);
}

static void test_tls_errors(void **state)
{
	(void)state;
	expect_error("tls_server_config:\n  key_file: server.key\n", "tls_server_config", "missing cert_file");
	expect_error("tls_server_config:\n  cert_file: server.pem\n", "missing key_file", NULL);
	expect_error("tls_server_config:\n  client_ca_file: server.pem\n", "missing cert_file", NULL);
	expect_error("tls_server_config:\n  cert_file: nope.pem\n  key_file: server.key\n",
	             "failed to load X509KeyPair: open ", "nope.pem: No such file or directory");
	expect_error("tls_server_config:\n  cert_file: server.pem\n  key_file: other.key\n",
	             "failed to load X509KeyPair", NULL);
	expect_error("tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  client_auth_type: Maybe\n",
	             "tls_server_config.client_auth_type", "Invalid ClientAuth: Maybe");
	expect_error("tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  client_ca_file: other.pem\n",
	             "Client CA's have been configured without a Client Auth Policy", NULL);
	expect_error("tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n"
	             "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: empty.pem\n",
	             "tls_server_config.client_ca_file", "no CA certificate found");
	expect_error("tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  min_version: TLS14\n",
	             "unknown TLS version: TLS14", NULL);
	expect_error("tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  min_version: TLS13\n"
	             "  max_version: TLS12\n",
	             "min_version TLS13 is above max_version TLS12", NULL);
	expect_error("tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n"
	             "  cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]\n",
	             "tls_server_config.cipher_suites", "unknown cipher: TLS_RSA_WITH_RC4_128_SHA");
	expect_error("tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n"
	             "  curve_preferences: [CurveP224]\n",
	             "unknown curve: CurveP224", NULL);
}

static void test_check_client_without_tls(void **state)
{
	(void)state;
	webconfig_t *wc = expect_ok("");
	char err[128];
	assert_null(wc->client_check);
	assert_int_equal(webtls_check_client(wc->client_check, NULL, err, sizeof err), WEBTLS_CLIENT_OK);
	webconfig_free(wc);
	wc = expect_ok("tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n"
	               "  client_auth_type: RequireAnyClientCert\n");
	/* no session at all counts as no certificate */
	assert_int_equal(webtls_check_client(wc->client_check, NULL, err, sizeof err), WEBTLS_CLIENT_MISSING);
	webconfig_free(wc);
}

static void test_load_file(void **state)
{
	(void)state;
	char path[256], err[512];
	webconfig_t *wc = NULL;
	snprintf(path, sizeof path, "%s/missing.yml", tmpdir);
	assert_int_equal(webconfig_load(path, &wc, err, sizeof err), NSP_ECONFIG);
	assert_null(wc);
	assert_non_null(strstr(err, "missing.yml"));
	write_file("web.yml", "http_server_config:\n  http2: false\n");
	snprintf(path, sizeof path, "%s/web.yml", tmpdir);
	assert_int_equal(webconfig_load(path, &wc, err, sizeof err), 0);
	assert_false(wc->http2);
	webconfig_free(wc);
	unlink(path);
}

/* UnmarshalStrict refuses a repeated user; the check is one pass over a hash set (config/yamldoc),
 * where comparing every pair took seconds for 100,000 users. */
static void test_many_users(void **state)
{
	(void)state;
	enum { N = 100000 };
	size_t cap = (size_t)N * (strlen(bcrypt_s3cret) + 16) + 64;
	char *text = malloc(cap);
	assert_non_null(text);
	size_t len = (size_t)snprintf(text, cap, "basic_auth_users:\n");
	for (int i = 0; i < N; i++)
		len += (size_t)snprintf(text + len, cap - len, "  u%d: %s\n", i, bcrypt_s3cret);
	char err[1024];
	double t0 = testtime_cpu();
	webconfig_t *wc = load(text, err, sizeof err);
	double dt = testtime_cpu() - t0;
	if (!wc)
		fail_msg("unexpected error: %s", err);
	assert_int_equal(wc->nusers, N);
	assert_non_null(webconfig_user_get(wc, "u99999", 6));
	webconfig_free(wc);
	if (dt >= 2.0 * TESTTIME_SCALE)
		fail_msg("100,000 users took %.2f s of CPU", dt);
	snprintf(text + len, cap - len, "  u0: %s\n", bcrypt_s3cret);
	char want[64];
	snprintf(want, sizeof want, "web.yml:%d: basic_auth_users: ", N + 2);
	expect_error(text, want, "key \"u0\" already set in map");
	free(text);
}

/* ---- hostile nesting and aliases (issue 12) ---- */

static void expect_error_fast(const char *text, const char *want)
{
	char err[1024];
	double t0 = testtime_cpu();
	webconfig_t *wc = load(text, err, sizeof err);
	double dt = testtime_cpu() - t0;
	if (wc)
		fail_msg("loaded, want error \"%s\"", want);
	if (!strstr(err, want))
		fail_msg("want \"%s\", got \"%s\"", want, err);
	if (dt >= 1.0 * TESTTIME_SCALE)
		fail_msg("want \"%s\": took %.2f s of CPU", want, dt);
}

static char *repeat(const char *head, const char *unit, size_t n, const char *tail)
{
	size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
	char *s = malloc(hl + ul * n + tl + 1);
	assert_non_null(s);
	memcpy(s, head, hl);
	for (size_t i = 0; i < n; i++)
		memcpy(s + hl + i * ul, unit, ul);
	memcpy(s + hl + ul * n, tail, tl + 1);
	return s;
}

/* exporter-toolkit's yaml.v2 stops past 10000 nested collections with "yaml: exceeded max depth of
 * 10000"; libyaml has no limit and took 23 s over 100,000 `[` (its scanner is quadratic in flow
 * depth). Aliases cannot loop or multiply here: every field is a scalar, a list of scalars or a map
 * of scalars, so the walk never follows an alias more than one level (the texts differ from yaml.v2's
 * for the merge, both refuse). */
static void test_hostile_yaml(void **state)
{
	(void)state;
	char *flow = repeat("basic_auth_users: ", "[", 100000, "\n");
	expect_error_fast(flow, "web.yml:1: yaml: exceeded max depth of 10000");
	free(flow);
	char *maps = repeat("http_server_config:\n  headers: ", "{a: ", 100000, "\n");
	expect_error_fast(maps, "web.yml:2: yaml: exceeded max depth of 10000");
	free(maps);
	char *block = repeat("", "- ", 100000, "x\n");
	expect_error_fast(block, "yaml: exceeded max depth of 10000");
	free(block);
	/* exactly at the limit it is the walk that refuses */
	char *edge = repeat("tls_server_config:\n  cipher_suites: ", "[", 9999, "\n");
	expect_error(edge, "did not find expected", NULL);
	free(edge);

	/* five nests to the limit: within it, but libyaml would step over every open level per token */
	char *nest = repeat(",", "[", 9998, "");
	char *nest2 = repeat(nest, "]", 9998, "");
	char *five = repeat("basic_auth_users: [[]", nest2, 5, "]\n");
	free(nest);
	free(nest2);
	expect_error(five, "web.yml:1: yaml: too many deeply nested flow collections", NULL);
	free(five);

	expect_error_fast("tls_server_config: &a {cert_file: [*a]}\n", "cannot unmarshal !!seq into string");
	expect_error_fast("http_server_config: &a {<<: *a}\n", "field << not found in type web.HTTPConfig");
	expect_error_fast("http_server_config: &a {headers: *a}\n", "cannot unmarshal !!map into string");
	char laughs[4096] = "tls_server_config:\n  a0: &a0 [x]\n";
	for (int i = 1; i <= 40; i++)
		snprintf(laughs + strlen(laughs), sizeof laughs - strlen(laughs), "  a%d: &a%d [*a%d, *a%d]\n", i, i,
		         i - 1, i - 1);
	expect_error_fast(laughs, "field a0 not found in type web.TLSConfig");
	char list[4096] = "a: &a [x, x, x, x]\ntls_server_config:\n  cipher_suites: [";
	for (int i = 0; i < 300; i++)
		strcat(list, i ? ", *a" : "*a");
	strcat(list, "]\n");
	expect_error_fast(list, "field a not found in type web.Config");
}

static char *read_all(const char *name)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char *text = calloc(1, 16384);
	assert_non_null(text);
	size_t n = fread(text, 1, 16383, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

/* Writes a whole file under another name and renames it into place, as certificate tools do. */
static void replace_file(const char *name, const char *text)
{
	char tmp[64], from[256], to[256];
	snprintf(tmp, sizeof tmp, "%s.new", name);
	write_file(tmp, text);
	snprintf(from, sizeof from, "%s/%s", tmpdir, tmp);
	snprintf(to, sizeof to, "%s/%s", tmpdir, name);
	assert_int_equal(rename(from, to), 0);
}

static void copy_file(const char *from, const char *to)
{
	char *text = read_all(from);
	replace_file(to, text);
	free(text);
}

/* The watcher also looks at the cert_file and key_file the config names: replacing them reloads, a
 * broken key keeps the last good config, and turning TLS off needs a restart. */
static void test_live_cert_files(void **state)
{
	(void)state;
	char path[256], err[1024];
	snprintf(path, sizeof path, "%s/live.yml", tmpdir);
	copy_file("server.pem", "live.pem");
	copy_file("server.key", "live.key");
	write_file("live.yml", "tls_server_config:\n  cert_file: live.pem\n  key_file: live.key\n");
	webconfig_t *first = NULL;
	assert_int_equal(webconfig_load(path, &first, err, sizeof err), 0);
	char *server_pem = read_all("server.pem"), *other_pem = read_all("other.pem");
	webconfig_live_t *l = webconfig_live_new(path, first);
	assert_non_null(l);
	assert_int_equal(webconfig_live_check(l, err, sizeof err), WEBCONFIG_UNCHANGED);
	const webconfig_t *held = webconfig_live_acquire(l);   /* a connection opened before the swap */

	/* the files replaced, the config untouched */
	copy_file("other.key", "live.key");
	copy_file("other.pem", "live.pem");
	assert_int_equal(webconfig_live_check(l, err, sizeof err), WEBCONFIG_RELOADED);
	const webconfig_t *wc = webconfig_live_acquire(l);
	assert_string_equal(wc->cert_pem, other_pem);
	assert_non_null(wc->server);
	assert_string_not_equal(webtls_server_fingerprint(wc->server), webtls_server_fingerprint(held->server));
	webconfig_live_release(l, wc);
	/* the old config lives on while held */
	assert_string_equal(held->cert_pem, server_pem);
	webconfig_live_release(l, held);
	assert_int_equal(webconfig_live_check(l, err, sizeof err), WEBCONFIG_UNCHANGED);

	/* a broken key (written in place): refused, the last good one serves */
	write_file("live.key", "-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n");
	assert_int_equal(webconfig_live_check(l, err, sizeof err), WEBCONFIG_BROKEN);
	assert_non_null(strstr(err, "failed to load X509KeyPair"));
	wc = webconfig_live_acquire(l);
	assert_string_equal(wc->cert_pem, other_pem);
	webconfig_live_release(l, wc);
	assert_int_equal(webconfig_live_check(l, err, sizeof err), WEBCONFIG_UNCHANGED);
	/* fixed: loaded again */
	copy_file("server.key", "live.key");
	copy_file("server.pem", "live.pem");
	assert_int_equal(webconfig_live_check(l, err, sizeof err), WEBCONFIG_RELOADED);
	wc = webconfig_live_acquire(l);
	assert_string_equal(wc->cert_pem, server_pem);
	webconfig_live_release(l, wc);

	/* TLS off: the daemons serve HTTPS until a restart */
	replace_file("live.yml", "http_server_config:\n  http2: true\n");
	assert_int_equal(webconfig_live_check(l, err, sizeof err), WEBCONFIG_BROKEN);
	assert_non_null(strstr(err, "changes need a restart"));
	wc = webconfig_live_acquire(l);
	assert_true(wc->tls);
	webconfig_live_release(l, wc);

	webconfig_live_free(l);
	free(server_pem);
	free(other_pem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_strict_keys),
		cmocka_unit_test(test_bools),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_users),
		cmocka_unit_test(test_bad_hashes),
		cmocka_unit_test(test_tls_ok),
		cmocka_unit_test(test_tls_errors),
		cmocka_unit_test(test_check_client_without_tls),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_hostile_yaml),
		cmocka_unit_test(test_many_users),
		cmocka_unit_test(test_live_cert_files),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
