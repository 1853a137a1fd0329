/* testlib -- the unit tests' shared helpers (see testlib.h). */
#include "testlib.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "lib/hex.h"

#ifndef TEST_DATA_DIR
#define TEST_DATA_DIR "test/data"
#endif

/* ------------------------------------------------------------------------------------------------
 * Hex and files */

int testlib_hexval(char c)
{
	return hex_value(c);
}

/* Decodes into out when out is not NULL; returns the byte count either way. */
static size_t unhex_into(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;
	for (const char *s = hex; *s; s++) {
		if (*s == ' ')
			continue;
		int v = testlib_hexval(*s);
		if (v < 0)
			fail_msg("unhex: not a hex digit at offset %zu of \"%s\"", (size_t)(s - hex), hex);
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (out) {
			if (n >= cap)
				fail_msg("unhex: more than %zu bytes in \"%s\"", cap, hex);
			out[n] = (uint8_t)(hi << 4 | v);
		}
		n++;
		hi = -1;
	}
	if (hi >= 0)
		fail_msg("unhex: odd number of digits in \"%s\"", hex);
	return n;
}

size_t testlib_unhex(const char *hex, uint8_t *out, size_t cap)
{
	return unhex_into(hex, out, cap);
}

uint8_t *testlib_unhex_new(const char *hex, size_t *len)
{
	size_t n = unhex_into(hex, NULL, 0);
	uint8_t *out = malloc(n ? n : 1);
	assert_non_null(out);
	*len = unhex_into(hex, out, n);
	return out;
}

char *testlib_load(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	size_t cap = 4096, n = 0;
	char *p = malloc(cap);
	assert_non_null(p);
	for (;;) {
		n += fread(p + n, 1, cap - 1 - n, f);
		if (n < cap - 1)
			break;
		cap *= 2;
		char *q = realloc(p, cap);
		assert_non_null(q);
		p = q;
	}
	bool bad = ferror(f) != 0;
	fclose(f);
	if (bad)
		fail_msg("cannot read %s", path);
	p[n] = '\0';
	if (len)
		*len = n;
	return p;
}

char *testlib_load_data(const char *rel, size_t *len)
{
	char path[4096];
	int n = snprintf(path, sizeof path, "%s/%s", TEST_DATA_DIR, rel);
	assert_true(n > 0 && (size_t)n < sizeof path);
	return testlib_load(path, len);
}

/* ------------------------------------------------------------------------------------------------
 * TLS */

static char *pem_dup(gnutls_datum_t *d)
{
	char *s = strndup((const char *)d->data, d->size);
	assert_non_null(s);
	gnutls_free(d->data);
	return s;
}

void testlib_tls_pair(char **cert_pem, char **key_pem)
{
	gnutls_x509_privkey_t k;
	gnutls_x509_crt_t c;
	assert_int_equal(gnutls_x509_privkey_init(&k), 0);
	assert_int_equal(gnutls_x509_privkey_generate(k, GNUTLS_PK_ECDSA,
	                                              GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0), 0);
	assert_int_equal(gnutls_x509_crt_init(&c), 0);
	gnutls_x509_crt_set_version(c, 3);
	unsigned char serial[8];
	assert_int_equal(gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof serial), 0);
	serial[0] &= 0x7f;   /* a positive serial (RFC 5280 4.1.2.2) */
	gnutls_x509_crt_set_serial(c, serial, sizeof serial);
	gnutls_x509_crt_set_activation_time(c, time(NULL) - 60);
	gnutls_x509_crt_set_expiration_time(c, time(NULL) + 3600);
	assert_int_equal(gnutls_x509_crt_set_dn(c, "CN=127.0.0.1", NULL), 0);
	gnutls_x509_crt_set_key(c, k);
	gnutls_x509_crt_set_basic_constraints(c, 1, -1);
	gnutls_x509_crt_set_key_usage(c, GNUTLS_KEY_DIGITAL_SIGNATURE | GNUTLS_KEY_KEY_CERT_SIGN);
	assert_int_equal(gnutls_x509_crt_sign2(c, c, k, GNUTLS_DIG_SHA256, 0), 0);
	gnutls_datum_t d;
	assert_int_equal(gnutls_x509_crt_export2(c, GNUTLS_X509_FMT_PEM, &d), 0);
	*cert_pem = pem_dup(&d);
	assert_int_equal(gnutls_x509_privkey_export2(k, GNUTLS_X509_FMT_PEM, &d), 0);
	*key_pem = pem_dup(&d);
	gnutls_x509_crt_deinit(c);
	gnutls_x509_privkey_deinit(k);
}

/* ------------------------------------------------------------------------------------------------
 * Guard page */

void testlib_guard_init(testlib_guard_t *g, size_t room)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t pages = (room + pg - 1) / pg + 1;
	g->size = pages * pg;
	g->room = (pages - 1) * pg;
	g->base = mmap(NULL, g->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(g->base != MAP_FAILED);
	assert_int_equal(mprotect(g->base + g->room, pg, PROT_NONE), 0);
}

const uint8_t *testlib_guard_put(testlib_guard_t *g, const void *p, size_t n)
{
	assert_true(n <= g->room);
	uint8_t *dst = g->base + g->room - n;
	if (n)
		memcpy(dst, p, n);
	return dst;
}

void testlib_guard_deinit(testlib_guard_t *g)
{
	munmap(g->base, g->size);
	memset(g, 0, sizeof(*g));
}

/* ------------------------------------------------------------------------------------------------
 * DNS message builder (RFC 1035 4.1) */

static void put(testlib_msg_t *m, const void *p, size_t n)
{
	if (n > sizeof(m->b) - m->len)
		fail_msg("testlib_msg: message over %zu bytes", sizeof(m->b));
	if (n)
		memcpy(m->b + m->len, p, n);
	m->len += n;
}

static void put16(testlib_msg_t *m, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	put(m, b, 2);
}

static void put32(testlib_msg_t *m, uint32_t v)
{
	put16(m, (uint16_t)(v >> 16));
	put16(m, (uint16_t)v);
}

static void set16(testlib_msg_t *m, size_t off, uint16_t v)
{
	m->b[off] = (uint8_t)(v >> 8);
	m->b[off + 1] = (uint8_t)v;
}

void testlib_msg_init(testlib_msg_t *m, uint16_t id, uint16_t flags)
{
	m->len = 0;
	m->qd = 0;
	memset(m->count, 0, sizeof(m->count));
	m->section = TESTLIB_ANSWER;
	put16(m, id);
	put16(m, flags);
	for (int i = 0; i < 4; i++)
		put16(m, 0);
}

size_t testlib_name(const char *text, uint8_t out[255])
{
	size_t n = 0;
	const char *s = text;
	if (s[0] == '.' && s[1] == '\0')
		s++;
	while (*s) {
		const char *dot = strchr(s, '.');
		size_t l = dot ? (size_t)(dot - s) : strlen(s);
		if (l == 0 || l > 63)
			fail_msg("testlib_name: bad label in \"%s\"", text);
		if (n + 1 + l + 1 > 255)
			fail_msg("testlib_name: \"%s\" is over 255 octets", text);
		out[n++] = (uint8_t)l;
		memcpy(out + n, s, l);
		n += l;
		s += l;
		if (*s == '.')
			s++;
	}
	out[n++] = 0;
	return n;
}

void testlib_msg_question_wire(testlib_msg_t *m, const uint8_t *name, size_t name_len, uint16_t type,
                               uint16_t rclass)
{
	if (m->count[0] || m->count[1] || m->count[2])
		fail_msg("testlib_msg: a question after an RR");
	put(m, name, name_len);
	put16(m, type);
	put16(m, rclass);
	set16(m, 4, ++m->qd);
}

void testlib_msg_question(testlib_msg_t *m, const char *name, uint16_t type, uint16_t rclass)
{
	uint8_t w[255];
	size_t n = testlib_name(name, w);
	testlib_msg_question_wire(m, w, n, type, rclass);
}

void testlib_msg_rr_wire(testlib_msg_t *m, enum testlib_section s, const uint8_t *owner,
                         size_t owner_len, uint16_t type, uint16_t rclass, uint32_t ttl,
                         const void *rdata, size_t rdlen)
{
	if ((int)s < m->section || s > TESTLIB_ADDITIONAL)
		fail_msg("testlib_msg: section %d after section %d", (int)s, m->section);
	if (rdlen > UINT16_MAX)
		fail_msg("testlib_msg: rdata of %zu bytes", rdlen);
	m->section = (int)s;
	put(m, owner, owner_len);
	put16(m, type);
	put16(m, rclass);
	put32(m, ttl);
	put16(m, (uint16_t)rdlen);
	put(m, rdata, rdlen);
	set16(m, 6 + 2 * (size_t)s, ++m->count[s]);
}

void testlib_msg_rr(testlib_msg_t *m, enum testlib_section s, const char *owner, uint16_t type,
                    uint16_t rclass, uint32_t ttl, const void *rdata, size_t rdlen)
{
	uint8_t w[255];
	size_t n = testlib_name(owner, w);
	testlib_msg_rr_wire(m, s, w, n, type, rclass, ttl, rdata, rdlen);
}

void testlib_msg_opt(testlib_msg_t *m, uint16_t udp_size, uint8_t ext_rcode, uint8_t version, bool dnssec_ok,
                     const void *options, size_t options_len)
{
	static const uint8_t root[1] = { 0 };
	uint32_t ttl = (uint32_t)ext_rcode << 24 | (uint32_t)version << 16 | (dnssec_ok ? 0x8000u : 0);
	testlib_msg_rr_wire(m, TESTLIB_ADDITIONAL, root, 1, 41, udp_size, ttl, options, options_len);
}
