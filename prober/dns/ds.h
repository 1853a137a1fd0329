/* ds -- a DS record written as a registrar shows it (RFC 4034 5.3 presentation form), for a module's
 * dnssec.ds list: the whole RR, "example.com. 3600 IN DS 12345 13 2 4A5B…", or its rdata alone,
 * "12345 13 2 4A5B…" (the owner is then the zone's apex). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "dns/dnssec.h"


/* Reads text into *out (owner_len 0 when only the rdata was written: the caller puts the zone's
 * apex there). Returns 0, or NSP_EINVAL with *why a phrase for a config error
 * ("the key tag is not a number from 0 to 65535", "the digest is not hex", "a SHA-256 digest has
 * 32 octets, not 31", ...). The TTL and class are optional; the class must be IN; the digest may
 * be split by spaces and is read case-insensitively. */
int ds_parse(const char *text, dnssec_ds_t *out, const char **why);
