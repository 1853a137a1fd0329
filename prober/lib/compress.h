/* compress -- gzip for responses, negotiated as Prometheus' client_golang (promhttp) does. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "lib/buf.h"

/* promhttp's gzipAccepted: true when an Accept-Encoding element is "gzip" or starts with "gzip;"
 * (a q-value is not looked at). NULL means no header. */
bool compress_gzip_accepted(const char *accept_encoding);

/* Appends the gzip (RFC 1952) form of in[0..len) to out. Returns 0, NSP_ENOMEM or NSP_ELIB. */
int compress_gzip(const void *in, size_t len, buf_t *out);
