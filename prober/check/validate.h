/* validate -- blackbox_exporter's answer checks: valid_rcodes and the four RR regex validators
 * (their patterns are check/regex's Go-syntax regexps). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check/regex.h"
#include "lib/log.h"

typedef struct validate_list {
	regex_pattern_t **re;   /* owned */
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
