/* fuzz_regex -- libFuzzer target: the Go RE2 to PCRE2 translator (regex_new: Go's parser and
 * error texts, the translation, PCRE2's compile) and a search with the result (regex_match, under
 * its match and depth limits).
 *
 * Input: the pattern, then a NUL byte, then the subject. Without a NUL byte the subject is an RR as
 * rrtext prints one, which is what the patterns meet in a probe. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check/regex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char rr_line[] = "www.example.org.\t300\tIN\tA\t192.0.2.1";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t plen = nul ? (size_t)(nul - data) : size;
	char *pattern = malloc(plen + 1);
	if (!pattern)
		return 0;
	memcpy(pattern, data, plen);
	pattern[plen] = '\0';
	const char *subject = nul ? (const char *)nul + 1 : rr_line;
	size_t slen = nul ? size - plen - 1 : sizeof(rr_line) - 1;
	regex_pattern_t *re = regex_new(pattern);
	if (re) {
		char err[512];
		(void)regex_error(re);
		(void)regex_match(re, subject, slen, err, sizeof(err));
		regex_free(re);
	}
	free(pattern);
	return 0;
}
