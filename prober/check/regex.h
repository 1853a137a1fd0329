/* regex -- Go's regexp (RE2 syntax, as blackbox_exporter compiles its validators' patterns) run by
 * PCRE2: Go's parser and error texts, translated into an equivalent PCRE2 pattern. */
#pragma once

#include <stddef.h>

/* One pattern: compiled once (at config load), or the compile error Go's regexp would report.
 * A pattern that does not compile still loads; it fails the probe when it is evaluated, as in
 * blackbox_exporter (regexes there are compiled per use, so only evaluated patterns fail).
 * (Not regex_t: that is POSIX <regex.h>'s name.) */
typedef struct regex_pattern regex_pattern_t;

/* Returns a new pattern (compiled or holding its error), or NULL only when out of memory. */
regex_pattern_t *regex_new(const char *pattern);
/* Frees the pattern; accepts NULL. */
void regex_free(regex_pattern_t *re);
/* The pattern's source text. */
const char *regex_source(const regex_pattern_t *re);
/* Go's compile error text ("error parsing regexp: ...: `...`"), or NULL if the pattern compiled. */
const char *regex_error(const regex_pattern_t *re);
/* regexp.MatchString: searches s[0..len) anywhere. Returns 1 (match), 0 (no match) or -1 with the
 * reason in err (the compile error, or a PCRE2 match/depth limit hit). Thread-safe. */
int regex_match(const regex_pattern_t *re, const char *s, size_t len, char *err, size_t errlen);
