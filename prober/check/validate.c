/* validate -- blackbox_exporter's answer checks: valid_rcodes and the four RR regex validators
 * (validRcode and validRRs of prober/dns.go). The patterns are check/regex's Go-syntax regexps. */
#include "check/validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/dnstab.h"

/* ---- validators ---- */

static void validate_list_deinit(validate_list_t *l)
{
	for (size_t i = 0; i < l->n; i++)
		regex_free(l->re[i]);
	free(l->re);
	l->re = NULL;
	l->n = 0;
}

void validate_rules_deinit(validate_rules_t *v)
{
	if (!v)
		return;
	validate_list_deinit(&v->fail_if_matches_regexp);
	validate_list_deinit(&v->fail_if_all_match_regexp);
	validate_list_deinit(&v->fail_if_not_matches_regexp);
	validate_list_deinit(&v->fail_if_none_matches_regexp);
}

bool validate_rules_empty(const validate_rules_t *v)
{
	return v->fail_if_matches_regexp.n == 0 && v->fail_if_all_match_regexp.n == 0 &&
	       v->fail_if_not_matches_regexp.n == 0 && v->fail_if_none_matches_regexp.n == 0;
}

/* regexp.MatchString with blackbox's "Error matching regexp" line on failure. Returns 1, 0, or -1
 * (logged; the probe fails). */
static int validate_search(const regex_pattern_t *re, const char *s, plog_t *log)
{
	char err[512];
	int m = regex_match(re, s, strlen(s), err, sizeof(err));
	if (m < 0)
		plog_line(log, LOG_ERROR, "Error matching regexp", "regexp", regex_source(re), "err", err,
			  (const char *)NULL);
	return m;
}

/* blackbox 0.23 prober/dns.go validRRs, line for line. */
bool validate_rrs(const validate_rules_t *v, const char *const *rr_text, size_t n, plog_t *log)
{
	bool any_match = false, all_match = true;
	if (n == 0 && v->fail_if_not_matches_regexp.n > 0) {
		plog_line(log, LOG_ERROR, "fail_if_not_matches_regexp specified but no RRs returned",
			  (const char *)NULL);
		return false;
	}
	if (n == 0 && v->fail_if_none_matches_regexp.n > 0) {
		plog_line(log, LOG_ERROR, "fail_if_none_matches_regexp specified but no RRs returned",
			  (const char *)NULL);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		const char *rr = rr_text[i];
		plog_line(log, LOG_INFO, "Validating RR", "rr", rr, (const char *)NULL);
		for (size_t j = 0; j < v->fail_if_matches_regexp.n; j++) {
			const regex_pattern_t *re = v->fail_if_matches_regexp.re[j];
			int m = validate_search(re, rr, log);
			if (m < 0)
				return false;
			if (m) {
				plog_line(log, LOG_ERROR, "At least one RR matched regexp", "regexp", regex_source(re),
					  "rr", rr, (const char *)NULL);
				return false;
			}
		}
		for (size_t j = 0; j < v->fail_if_all_match_regexp.n; j++) {
			int m = validate_search(v->fail_if_all_match_regexp.re[j], rr, log);
			if (m < 0)
				return false;
			if (!m)
				all_match = false;
		}
		for (size_t j = 0; j < v->fail_if_not_matches_regexp.n; j++) {
			const regex_pattern_t *re = v->fail_if_not_matches_regexp.re[j];
			int m = validate_search(re, rr, log);
			if (m < 0)
				return false;
			if (!m) {
				plog_line(log, LOG_ERROR, "At least one RR did not match regexp", "regexp",
					  regex_source(re), "rr", rr, (const char *)NULL);
				return false;
			}
		}
		for (size_t j = 0; j < v->fail_if_none_matches_regexp.n; j++) {
			int m = validate_search(v->fail_if_none_matches_regexp.re[j], rr, log);
			if (m < 0)
				return false;
			if (m)
				any_match = true;
		}
	}
	if (v->fail_if_all_match_regexp.n > 0 && !all_match) {
		plog_line(log, LOG_ERROR, "Not all RRs matched regexp", (const char *)NULL);
		return false;
	}
	if (v->fail_if_none_matches_regexp.n > 0 && !any_match) {
		plog_line(log, LOG_ERROR, "None of the RRs did matched any regexp", (const char *)NULL);
		return false;
	}
	return true;
}

/* blackbox 0.23 prober/dns.go validRcode. The lists it logs (a Go map and a slice) are values
 * go-logfmt cannot encode, so they appear as "unsupported value type" (observed). */
bool validate_rcode(const char *const *names, size_t n, bool present, uint16_t rcode, plog_t *log)
{
	static const char unsupported[] = "unsupported value type";
	char num[8];
	snprintf(num, sizeof(num), "%u", (unsigned)rcode);
	const char *name = dnstab_rcode_name(rcode);
	if (!name)
		name = "";   /* RcodeToString[rcode] of a missing key */

	bool valid = false;
	if (!present) {
		valid = rcode == 0;
	} else {
		/* every name is looked up before any is compared: the first unknown one fails */
		for (size_t i = 0; i < n; i++) {
			uint16_t rc;
			if (!dnstab_rcode_from_name(names[i], &rc)) {
				plog_line(log, LOG_ERROR, "Invalid rcode", "rcode", names[i], "known_rcode",
					  unsupported, (const char *)NULL);
				return false;
			}
			if (rc == rcode)
				valid = true;
		}
	}
	if (valid) {
		plog_line(log, LOG_INFO, "Rcode is valid", "rcode", num, "string_rcode", name,
			  (const char *)NULL);
		return true;
	}
	/* blackbox's pairs stay as they are (the differential suite compares them, and a log search may
	 * hold them); the readable list follows under a key of ours (compat: rcode_list_beside) */
	buf_t list = BUF_INIT;
	if (!present)
		buf_puts(&list, "NOERROR");
	for (size_t i = 0; present && i < n; i++) {
		if (i)
			buf_putc(&list, ',');
		buf_puts(&list, names[i]);
	}
	plog_line(log, LOG_ERROR, "Rcode is not one of the valid rcodes", "rcode", num, "string_rcode",
		  name, "valid_rcodes", unsupported, "valid_rcodes_list", buf_ok(&list) ? buf_str(&list) : "",
		  (const char *)NULL);
	buf_free(&list);
	return false;
}
