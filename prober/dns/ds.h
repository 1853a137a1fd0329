/* ds -- a DS record written as a registrar shows it (RFC 4034 5.3 presentation form), for a module's
 * dnssec.ds list: the whole RR, "example.com. 3600 IN DS 12345 13 2 4A5B…", or its rdata alone,
 * "12345 13 2 4A5B…" (the owner is then the zone's apex). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "dns/wire.h"

typedef struct ds_record {
	uint8_t owner[WIRE_MAX_NAME];   /* wire form, as written (compare case-insensitively) */
	size_t owner_len;               /* 0: not written */
	uint16_t key_tag;
	uint8_t algorithm;
	uint8_t digest_type;            /* 1 SHA-1, 2 SHA-256, 4 SHA-384 (RFC 4034, 4509, 6605); others
	                                   are kept and never match a key */
	uint8_t digest[64];
	size_t digest_len;
} ds_record_t;

/* Reads text into *out. Returns 0, or NSP_EINVAL with *why a phrase for a config error
 * ("the key tag is not a number from 0 to 65535", "the digest is not hex", "a SHA-256 digest has
 * 32 octets, not 31", ...). The TTL and class are optional; the class must be IN; the digest may
 * be split by spaces and is read case-insensitively. */
int ds_parse(const char *text, ds_record_t *out, const char **why);
