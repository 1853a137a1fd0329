/* urlquery -- Go's url.ParseQuery + Values.Get over a raw query string (Go 1.19 net/url). */
#include "lib/urlquery.h"

#include <string.h>

#include "lib/hex.h"

/* Go's QueryUnescape of s[0..len) into out; false on a bad escape. */
static bool unescape(const char *s, size_t len, buf_t *out)
{
	buf_reset(out);
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '%') {
			if (i + 2 >= len)
				return false;
			int a = hex_value(s[i + 1]), b = hex_value(s[i + 2]);
			if (a < 0 || b < 0)
				return false;
			buf_putc(out, (char)(a << 4 | b));
			i += 2;
		} else if (c == '+') {
			buf_putc(out, ' ');
		} else {
			buf_putc(out, c);
		}
	}
	if (buf_reserve(out, 0) != 0)
		return false;
	return buf_ok(out);
}

bool urlquery_get(const char *raw, const char *key, buf_t *out)
{
	buf_t k = BUF_INIT;
	bool found = false;
	const char *p = raw ? raw : "";
	while (*p && !found) {
		const char *amp = strchr(p, '&');
		size_t plen = amp ? (size_t)(amp - p) : strlen(p);
		const char *pair = p;
		p = amp ? amp + 1 : p + plen;
		if (plen == 0 || memchr(pair, ';', plen))
			continue;
		const char *eq = memchr(pair, '=', plen);
		size_t klen = eq ? (size_t)(eq - pair) : plen;
		if (!unescape(pair, klen, &k) || strcmp(buf_str(&k), key) != 0 || k.len != strlen(key))
			continue;
		const char *v = eq ? eq + 1 : pair + plen;
		size_t vlen = eq ? plen - klen - 1 : 0;
		if (unescape(v, vlen, out))
			found = true;
	}
	buf_free(&k);
	return found;
}
