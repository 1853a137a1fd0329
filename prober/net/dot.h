/* dot -- one DNS-over-TLS exchange (RFC 7858) on a worker's loop: nonblocking TCP connect, GnuTLS
 * handshake with certificate verification, one length-prefixed query, one framed answer. The
 * credentials come built (config/tlscreds, at load): nothing here reads a file. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/tlscreds.h"
#include "net/dnsclient.h"
#include "net/loop.h"
#include "dns/target.h"

typedef struct dot_req dot_req_t;

typedef struct dot_server {
	target_ip_t ip;
	uint16_t port;
	bool has_source;
	target_ip_t source;           /* local address to connect from (same family as ip) */
	const char *server_name;      /* SNI and the name verified; an IP literal is checked against
	                                 the certificate's IP SANs and sent without SNI */
	bool insecure_skip_verify;
	const char *min_version;      /* "TLS10".."TLS13" or NULL (Go's client default: TLS12) */
	const char *max_version;      /* NULL: TLS13 */
} dot_server_t;

/* The answer as the c-ares client gives it (net/dnsclient.h): status, the error ("the whole log
 * text": "tls: certificate verification failed: …"), the answer bytes, connect_ns (TCP connect + TLS
 * handshake) and request_ns (from writing the query to the end of the answer); dial_failed is unused. */
typedef dnsclient_answer_t dot_answer_t;

typedef void (*dot_answer_cb)(void *ctx, const dot_answer_t *a);

/* Sends query[0..len) (its ID bytes are overwritten with a random ID) to srv over TLS with creds
 * (usable ones: tlscreds_error NULL; the request takes its own reference). cb runs exactly once from the loop, never from inside
 * dot_query, unless the request is cancelled first; the request is gone once cb returns. There is no
 * timeout here: the caller's deadline cancels. *req receives the handle. Returns 0, or NSP_ENOMEM /
 * NSP_EINVAL (then cb is never called). */
int dot_query(loop_t *loop, tlscreds_t *creds, const dot_server_t *srv, uint8_t *query, size_t len,
              dot_answer_cb cb, void *ctx, dot_req_t **req);

/* For a caller whose deadline fired: the phases so far (connect until now while connecting or
 * shaking hands, else request until now) and a timeout text naming the step that was running
 * ("dial tcp4 127.0.0.1:853: i/o timeout", "tls: handshake with …: i/o timeout",
 * "read tcp4 …: i/o timeout"). */
void dot_progress(const dot_req_t *r, int64_t now, int64_t *connect_ns, int64_t *request_ns, char *err,
                  size_t errlen);

/* Forgets the request: closes its connection; its callback will not run. Accepts NULL. */
void dot_cancel(dot_req_t *r);
