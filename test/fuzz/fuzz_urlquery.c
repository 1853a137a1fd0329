/* fuzz_urlquery -- libFuzzer target: a /probe query string read as http.c reads it (urlquery_get of
 * module, target and debug), and the target value through the target parser as probe.c takes it apart
 * (target_split, target_parse_ip, target_is_domain_name, target_port). The raw input is also taken
 * as a target as it stands, so the target parser sees bytes that no %-decoding produced.
 *
 * Input: the query string, the part after '?' (a NUL byte ends it, as it would in C). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "dns/target.h"
#include "lib/urlquery.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void parse_target(const char *target)
{
	char host[256], port[64];
	for (int tls = 0; tls <= 1; tls++) {
		if (target_split(target, tls ? "853" : "53", host, sizeof(host), port, sizeof(port)) != 0)
			continue;
		target_ip_t ip;
		if (target_parse_ip(host, &ip)) {
			char s[64];
			target_ip_str(&ip, s, sizeof(s));
			target_join(&ip, 53, s, sizeof(s));
			(void)target_ip_hash(&ip);
		} else {
			(void)target_is_domain_name(host);
		}
		uint16_t p;
		(void)target_port(port, tls, &p);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *raw = malloc(size + 1);
	if (!raw)
		return 0;
	memcpy(raw, data, size);
	raw[size] = '\0';
	buf_t v = BUF_INIT;
	(void)urlquery_get(raw, "module", &v);
	(void)urlquery_get(raw, "debug", &v);
	if (urlquery_get(raw, "target", &v))
		parse_target(buf_str(&v));
	parse_target(raw);
	buf_free(&v);
	free(raw);
	return 0;
}
