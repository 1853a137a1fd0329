/* dnsclient -- a pool of c-ares channels keyed by server endpoint: send a prepared query and get the
 * answer bytes or an error; resolve target host names. One per worker loop; not thread-safe. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/loop.h"
#include "dns/target.h"

typedef struct dnsclient dnsclient_t;
typedef struct dnsclient_req dnsclient_req_t;

/* Process-wide c-ares set-up; call once before any thread starts. Returns 0 or NSP_ELIB. */
int dnsclient_global_init(void);
void dnsclient_global_cleanup(void);

/* resolver: NULL to resolve target names as the system does (/etc/hosts, resolv.conf), or a c-ares
 * server list "127.0.0.1:5353,[::1]:53" to ask only those servers (and never read the system's
 * files). Returns NULL on failure with a message in err. */
dnsclient_t *dnsclient_new(loop_t *loop, const char *resolver, char *err, size_t errlen);
/* Destroys every channel. Requests still pending are dropped without their callbacks. */
void dnsclient_free(dnsclient_t *c);

typedef struct dnsclient_server {
	target_ip_t ip;
	uint16_t port;
	bool tcp;
	bool has_source;
	target_ip_t source;          /* local address to send from (same family as ip) */
} dnsclient_server_t;

typedef struct dnsclient_answer {
	int status;                  /* 0: buf holds the answer; else an NSP_E* code and `error` */
	const char *error;           /* static text when status != 0 ("connection refused", ...) */
	const uint8_t *buf;          /* valid only during the callback */
	size_t len;
	int64_t connect_ns;          /* socket set-up / TCP handshake part of the exchange */
	int64_t request_ns;          /* from the query leaving to the answer arriving */
	bool dial_failed;            /* TCP: the connection never completed (request_ns is 0) */
} dnsclient_answer_t;

typedef void (*dnsclient_answer_cb)(void *ctx, const dnsclient_answer_t *a);

/* Sends query[0..len) to srv (NULL: to the target resolver's servers, --target.resolver or the
 * system's, through their channel: for a recursive question such as a zone's DS); the query's ID bytes are overwritten with an ID unique among the
 * channel's pending queries. The answer is the first message from srv with that ID whose question
 * section is the query's, or that has none and is an error (wire_is_error_without_question: a
 * header-only REFUSED is REFUSED); an answer to another question is ignored (RFC 5452 9.1). `timeout_ns` is the caller's deadline from now: the caller enforces it
 * (a timer, then dnsclient_cancel); the channel only needs to give up no earlier. cb is called exactly
 * once, never from inside dnsclient_query, unless the request is cancelled first. *req (may be NULL)
 * receives the handle. Returns 0 or NSP_ENOMEM / NSP_ELIB (then cb is never called). */
int dnsclient_query(dnsclient_t *c, const dnsclient_server_t *srv, uint8_t *query, size_t len,
                    int64_t timeout_ns, dnsclient_answer_cb cb, void *ctx, dnsclient_req_t **req);

typedef struct dnsclient_addrs {
	int status;                  /* 0, or NSP_ENOENT (no such host) / other NSP_E* */
	const char *error;           /* static text when status != 0 */
	const target_ip_t *ips;      /* valid only during the callback; in the resolver's order */
	size_t n;
	const char *server;          /* the resolver's first server ("127.0.0.1:53"), "" if unknown */
} dnsclient_addrs_t;

typedef void (*dnsclient_addrs_cb)(void *ctx, const dnsclient_addrs_t *a);

/* Looks up host's addresses (family AF_INET, AF_INET6 or AF_UNSPEC for both). Same callback rules as
 * dnsclient_query. Returns 0 or an NSP_E* code. */
int dnsclient_resolve(dnsclient_t *c, const char *host, int family, dnsclient_addrs_cb cb, void *ctx,
                      dnsclient_req_t **req);

/* Go's /etc/hosts step, before any DNS (hostLookupFilesDNS): host's addresses listed in /etc/hosts
 * (target_hosts_lookup's rules; the file is re-read when it changes), at most cap; 0 when it is not
 * listed. Synchronous: a file read at most. Used with and without --target.resolver, as Go's
 * resolver reads the file whichever servers it asks. */
size_t dnsclient_hosts(dnsclient_t *c, const char *host, target_ip_t *out, size_t cap);

/* Forgets the request: its callback will not run. Accepts NULL. */
void dnsclient_cancel(dnsclient_req_t *req);
