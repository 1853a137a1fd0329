/* ds -- DS records in presentation form (RFC 4034 5.3), as registrars and `dnssec-dsfromkey` print
 * them. */
#include "dns/ds.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/errors.h"

#define MAX_TOKENS 64

/* Splits text at blanks into at most MAX_TOKENS tokens, each copied into store and NUL-ended. The
 * caller checked strlen(text) < sizeof store: tokens and their NULs never take more room than the
 * text and its NUL. */
static size_t tokens(const char *text, char *store, char *tok[MAX_TOKENS])
{
	size_t n = 0, w = 0;
	for (const char *p = text; *p && n < MAX_TOKENS;) {
		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		tok[n++] = store + w;
		while (*p && !isspace((unsigned char)*p))
			store[w++] = *p++;
		store[w++] = '\0';
	}
	return n;   /* a longer text is cut here; digests of types 1, 2 and 4 then fail their length check */
}

static bool number(const char *s, unsigned long max, unsigned long *v)
{
	char *end;
	if (!isdigit((unsigned char)s[0]))
		return false;
	*v = strtoul(s, &end, 10);
	return *end == '\0' && *v <= max;
}

static int hexval(int c)
{
	c = tolower(c);
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int ds_parse(const char *text, ds_record_t *out, const char **why)
{
	memset(out, 0, sizeof *out);
	char store[512];
	char *tok[MAX_TOKENS];
	if (strlen(text) >= sizeof store) {
		*why = "the record is too long";
		return NSP_EINVAL;
	}
	size_t n = tokens(text, store, tok);
	/* the RR form: owner [ttl] [class] DS rdata...; else the rdata alone */
	size_t ds = n;
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(tok[i], "DS") == 0) {
			ds = i;
			break;
		}
	size_t r = 0;
	if (ds < n) {
		if (ds == 0 || ds > 3) {
			*why = "expected \"<owner> [<ttl>] [IN] DS <key tag> <algorithm> <digest type> <digest>\"";
			return NSP_EINVAL;
		}
		int len = wire_name_from_text(tok[0], out->owner);
		if (len < 0) {
			*why = "the owner is not a domain name";
			return NSP_EINVAL;
		}
		out->owner_len = (size_t)len;
		for (size_t i = 1; i < ds; i++) {
			unsigned long ttl;
			if (!number(tok[i], UINT32_MAX, &ttl) && strcasecmp(tok[i], "IN") != 0) {
				*why = "only class IN is supported";
				return NSP_EINVAL;
			}
		}
		r = ds + 1;
	}
	if (n - r < 4) {
		*why = "expected \"<key tag> <algorithm> <digest type> <digest>\" after DS";
		return NSP_EINVAL;
	}
	unsigned long v;
	if (!number(tok[r], 65535, &v)) {
		*why = "the key tag is not a number from 0 to 65535";
		return NSP_EINVAL;
	}
	out->key_tag = (uint16_t)v;
	if (!number(tok[r + 1], 255, &v)) {
		*why = "the algorithm is not a number from 0 to 255";
		return NSP_EINVAL;
	}
	out->algorithm = (uint8_t)v;
	if (!number(tok[r + 2], 255, &v)) {
		*why = "the digest type is not a number from 0 to 255";
		return NSP_EINVAL;
	}
	out->digest_type = (uint8_t)v;
	/* the digest may be split by spaces (RFC 4034 5.3: "may include whitespace") */
	int hi = -1;
	for (size_t i = r + 3; i < n; i++)
		for (const char *p = tok[i]; *p; p++) {
			int h = hexval((unsigned char)*p);
			if (h < 0) {
				*why = "the digest is not hex";
				return NSP_EINVAL;
			}
			if (hi < 0) {
				hi = h;
				continue;
			}
			if (out->digest_len == sizeof out->digest) {
				*why = "the digest is longer than 64 octets";
				return NSP_EINVAL;
			}
			out->digest[out->digest_len++] = (uint8_t)(hi * 16 + h);
			hi = -1;
		}
	if (hi >= 0) {
		*why = "the digest has an odd number of hex digits";
		return NSP_EINVAL;
	}
	static const struct { uint8_t type; size_t len; const char *why; } sizes[] = {
		{ 1, 20, "a SHA-1 digest (type 1) has 20 octets" },
		{ 2, 32, "a SHA-256 digest (type 2) has 32 octets" },
		{ 4, 48, "a SHA-384 digest (type 4) has 48 octets" },
	};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
		if (out->digest_type == sizes[i].type && out->digest_len != sizes[i].len) {
			*why = sizes[i].why;
			return NSP_EINVAL;
		}
	if (out->digest_len == 0) {
		*why = "the digest is empty";
		return NSP_EINVAL;
	}
	return 0;
}
