/* duration -- Go durations: time.ParseDuration and Duration.String (Go 1.19). Pure; ground floor. */
#pragma once

#include <stdint.h>

/* Go time.ParseDuration: returns 0 and *ns, or NSP_EINVAL ("5s", "1.5s", "1m30s500ms", "-1s";
 * not "5", not "1d"). */
int duration_parse(const char *s, int64_t *ns);

/* Go Duration.String(): "5s", "1m30.5s", "1.5ms", "0s". Writes into out (32 bytes is enough). */
void duration_format(int64_t ns, char out[32]);
