/* validate -- blackbox_exporter's answer checks: valid_rcodes and the four RR regex validators,
 * with Go RE2 syntax run by PCRE2. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/log.h"

/* One pattern: compiled once (at config load), or the compile error Go's regexp would report.
 * A pattern that does not compile still loads; it fails the probe when it is evaluated, as in
 * blackbox_exporter (regexes there are compiled per use, so only evaluated patterns fail). */
typedef struct validate_re validate_re_t;

/* Returns a new pattern (compiled or holding its error), or NULL only when out of memory. */
validate_re_t *validate_re_new(const char *pattern);
void validate_re_free(validate_re_t *re);
/* The pattern's source text. */
const char *validate_re_source(const validate_re_t *re);
/* Go's compile error text ("error parsing regexp: ...: `...`"), or NULL if the pattern compiled. */
const char *validate_re_error(const validate_re_t *re);
/* regexp.MatchString: searches s[0..len) anywhere. Returns 1 (match), 0 (no match) or -1 with the
 * reason in err (the compile error, or a PCRE2 match/depth limit hit). Thread-safe. */
int validate_re_match(const validate_re_t *re, const char *s, size_t len, char *err, size_t errlen);

typedef struct validate_list {
	validate_re_t **re;   /* owned */
	size_t n;
} validate_list_t;

/* One section's validator (config keys validate_answer_rrs, ...). */
typedef struct validate_rules {
	validate_list_t fail_if_matches_regexp;
	validate_list_t fail_if_all_match_regexp;
	validate_list_t fail_if_not_matches_regexp;
	validate_list_t fail_if_none_matches_regexp;
} validate_rules_t;

void validate_rules_deinit(validate_rules_t *v);
/* True when the validator has no pattern at all. */
bool validate_rules_empty(const validate_rules_t *v);

/* blackbox validRRs (prober/dns.go): rr_text[0..n) are the section's RRs as rrtext prints them, in
 * wire order. Logs "Validating RR" per RR and the failure reason, exactly as blackbox words it.
 * Returns true when the section passes. Thread-safe (match data is per call). */
bool validate_rrs(const validate_rules_t *v, const char *const *rr_text, size_t n, plog_t *log);

/* blackbox validRcode: `names` is the valid_rcodes list; `present` is false when the key was absent
 * or null (then only NOERROR is valid). An explicit empty list accepts nothing; the first unknown
 * (case-sensitive) name fails at once ("Invalid rcode"). Logs as blackbox does. */
bool validate_rcode(const char *const *names, size_t n, bool present, uint16_t rcode, plog_t *log);
