/* testlib -- what every unit test shares: hex, test data files, inputs that end at a PROT_NONE page,
 * a DNS message builder, and a CPU-time bound for hostile input. Built once (nsprobe_testlib) and
 * linked into every test/unit binary.
 *
 * The helpers fail the running cmocka test (fail_msg) instead of returning errors: a test whose
 * fixture cannot be built has failed. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* ------------------------------------------------------------------------------------------------
 * Hex and files */

/* The value of one hex digit, or -1. */
int testlib_hexval(char c);
/* Decodes hex digits (either case; spaces ignored) into out[0..cap). Returns the byte count; an odd
 * digit count, a non-hex character or more than cap bytes fails the test. */
size_t testlib_unhex(const char *hex, uint8_t *out, size_t cap);
/* The same into a malloc'd buffer (at least one byte, so never NULL); *len gets the count. */
uint8_t *testlib_unhex_new(const char *hex, size_t *len);

/* Reads the whole file at path into a malloc'd buffer with a NUL after the last byte (so text files
 * are C strings); *len (may be NULL) gets the size. A file that cannot be read fails the test. */
char *testlib_load(const char *path, size_t *len);
/* testlib_load of TEST_DATA_DIR "/" rel (test/data of the source tree). */
char *testlib_load_data(const char *rel, size_t *len);

/* ------------------------------------------------------------------------------------------------
 * TLS */

/* A fresh self-signed ECDSA P-256 CA certificate for CN=127.0.0.1 (valid from a minute ago for an
 * hour, random serial) and its private key, as NUL-terminated PEM text the caller frees (free). */
void testlib_tls_pair(char **cert_pem, char **key_pem);

/* ------------------------------------------------------------------------------------------------
 * Inputs that end right before an inaccessible page (picohttpparser's test trick): a parser that
 * reads one byte too far crashes instead of reading the neighbour's memory. */

typedef struct testlib_guard {
	uint8_t *base;
	size_t size;    /* mapped bytes, the guard page included */
	size_t room;    /* usable bytes before the guard */
} testlib_guard_t;

/* Maps at least `room` usable bytes before a PROT_NONE page. */
void testlib_guard_init(testlib_guard_t *g, size_t room);
/* Copies p[0..n) so that it ends at the guard page; returns where the copy starts (valid until the
 * next put or deinit). n must fit the room. */
const uint8_t *testlib_guard_put(testlib_guard_t *g, const void *p, size_t n);
void testlib_guard_deinit(testlib_guard_t *g);

/* ------------------------------------------------------------------------------------------------
 * A DNS message builder, as c-ares's tests build packets: header, question, RRs section by section
 * (answer, authority, additional, in that order), an optional OPT. Names are written uncompressed.
 * The header's counts follow what was added. */

enum testlib_section {
	TESTLIB_ANSWER = 0,
	TESTLIB_AUTHORITY = 1,
	TESTLIB_ADDITIONAL = 2,
};

typedef struct testlib_msg {
	uint8_t b[65535];
	size_t len;
	uint16_t qd, count[3];
	int section;    /* the last section written to; RRs may not go back to an earlier one */
} testlib_msg_t;

/* Header flags, as the second 16-bit word of the header (RFC 1035 4.1.1). */
#define TESTLIB_QR 0x8000u
#define TESTLIB_AA 0x0400u
#define TESTLIB_TC 0x0200u
#define TESTLIB_RD 0x0100u
#define TESTLIB_RA 0x0080u
#define TESTLIB_AD 0x0020u
#define TESTLIB_CD 0x0010u

/* Starts a message: id, flags (TESTLIB_* ORed with the opcode << 11 and the rcode's low 4 bits);
 * no question, no RRs. */
void testlib_msg_init(testlib_msg_t *m, uint16_t id, uint16_t flags);

/* Writes a text name ("www.example.", "example" and "." the root; no escapes) as wire labels into
 * out. Returns the length. A label over 63 octets or a name over 255 fails the test. */
size_t testlib_name(const char *text, uint8_t out[255]);

/* Appends a question (only before any RR). */
void testlib_msg_question(testlib_msg_t *m, const char *name, uint16_t type, uint16_t rclass);
void testlib_msg_question_wire(testlib_msg_t *m, const uint8_t *name, size_t name_len, uint16_t type,
                               uint16_t rclass);

/* Appends an RR with the rdata given as bytes. */
void testlib_msg_rr(testlib_msg_t *m, enum testlib_section s, const char *owner, uint16_t type,
                    uint16_t rclass, uint32_t ttl, const void *rdata, size_t rdlen);
void testlib_msg_rr_wire(testlib_msg_t *m, enum testlib_section s, const uint8_t *owner,
                         size_t owner_len, uint16_t type, uint16_t rclass, uint32_t ttl,
                         const void *rdata, size_t rdlen);

/* Appends an OPT pseudo-RR to the additional section (RFC 6891 6.1.2-6.1.3): the requestor's UDP
 * payload size, the upper 8 bits of the extended rcode, the version, the DO bit, and the options as
 * raw bytes (code, length, data ...; may be NULL). */
void testlib_msg_opt(testlib_msg_t *m, uint16_t udp_size, uint8_t ext_rcode, uint8_t version, bool dnssec_ok,
                     const void *options, size_t options_len);

/* ------------------------------------------------------------------------------------------------
 * Bounding the work of hostile input: CPU time, scaled for sanitizers.
 *
 * A bound on wall time fails whenever another test loads the shared two-core box; a bound on the
 * CPU time of the code under test fails only when that code does too much work. Sanitizer builds
 * (ASan+UBSan, Debug) run the same work several times slower, so their bounds are scaled (by the
 * includer's flags, hence inline). */

#if defined(__SANITIZE_ADDRESS__)
#define TESTTIME_SCALE 5.0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TESTTIME_SCALE 5.0
#endif
#endif
#ifndef TESTTIME_SCALE
#define TESTTIME_SCALE 1.0
#endif

/* CPU seconds used by this thread so far. */
static inline double testtime_cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
