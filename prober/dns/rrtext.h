/* rrtext -- a resource record in presentation form, byte-identical to miekg/dns 1.1.50 RR.String(),
 * which is the text blackbox_exporter's regexes see. */
#pragma once

#include "lib/buf.h"
#include "dns/wire.h"

/* Checks the rdata of rr against its type, as miekg's per-type unpack does (e.g. an A record whose
 * rdlength is not 4, a name that runs past the rdata). Returns 0 or NSP_EMALFORMED (*why, if not NULL,
 * gets a static miekg-style text such as "dns: bad rdlength"). wire_parse + rrtext_check over every RR
 * decide whether a message "unpacks" as miekg would. */
int rrtext_check(const wire_msg_t *m, const wire_rr_t *rr, const char **why);

/* Appends rr's text to out: "<owner>\t<ttl>\t<class>\t<type>\t<rdata>", or for types miekg 1.1.50
 * formats generically the RFC 3597 form "<owner>\t<ttl>\tCLASS<n>\tTYPE<n>\t\\# <len> <hex>", and for
 * the OPT pseudo-RR the "\n;; OPT PSEUDOSECTION:\n; EDNS: version 0; flags: ; udp: N" block.
 * Returns 0, NSP_EMALFORMED (rdata does not fit the type), or NSP_ENOMEM. */
int rrtext_rr(const wire_msg_t *m, const wire_rr_t *rr, buf_t *out);

/* Appends miekg's Msg.String() of the message (the dig-like text blackbox logs as "Got response"):
 * ";; opcode: QUERY, status: NOERROR, id: 45832\n;; flags: qr aa rd; QUERY: 1, ANSWER: 1, ..."
 * Returns 0, NSP_EMALFORMED or NSP_ENOMEM. */
int rrtext_msg(const wire_msg_t *m, buf_t *out);

/* Appends a name at message offset `off` in miekg presentation form (absolute, final dot, escapes).
 * Returns 0, NSP_EMALFORMED or NSP_ENOMEM. */
int rrtext_name(const wire_msg_t *m, size_t off, buf_t *out);
