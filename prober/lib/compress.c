/* compress -- gzip for responses (zlib). */
#include "lib/compress.h"

#include <stdint.h>
#include <string.h>
#include <zlib.h>

#include "lib/errors.h"

bool compress_gzip_accepted(const char *h)
{
	if (!h)
		return false;
	while (*h) {
		const char *end = strchr(h, ',');
		size_t n = end ? (size_t)(end - h) : strlen(h);
		const char *s = h, *e = h + n;
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		size_t len = (size_t)(e - s);
		if ((len == 4 && memcmp(s, "gzip", 4) == 0) || (len > 4 && memcmp(s, "gzip;", 5) == 0))
			return true;
		if (!end)
			break;
		h = end + 1;
	}
	return false;
}

int compress_gzip(const void *in, size_t len, buf_t *out)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	/* windowBits 15 + 16: a gzip header and trailer instead of zlib's. Level 1: scrape bodies are small
	 * and repetitive, and CPU per scrape matters more than the last few percent of size. */
	if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return NSP_ELIB;
	uLong bound = deflateBound(&z, (uLong)len);
	if (buf_reserve(out, bound) != 0) {
		deflateEnd(&z);
		return NSP_ENOMEM;
	}
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)out->p + out->len;
	z.avail_out = (uInt)bound;
	int r = deflate(&z, Z_FINISH);
	size_t produced = bound - z.avail_out;
	deflateEnd(&z);
	if (r != Z_STREAM_END)
		return NSP_ELIB;
	out->len += produced;
	out->p[out->len] = '\0';
	return 0;
}
