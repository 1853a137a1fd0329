/* urlquery -- a URL query string read as Go's net/url ParseQuery reads it, so that parameters mean
 * what they mean to blackbox_exporter (r.URL.Query().Get). Pure. */
#pragma once

#include <stdbool.h>

#include "lib/buf.h"

/* Looks up the first value of `key` in the raw query (the part after '?', not decoded). Pairs are
 * split at '&'; a pair containing ';', or whose key or value has a bad %-escape, is skipped (Go
 * drops it); '+' is a space. On success the decoded value is written to out (reset first) and true is
 * returned. A decoded NUL byte ends the value as C sees it. */
bool urlquery_get(const char *raw, const char *key, buf_t *out);
