/* dnsclient -- a pool of c-ares 1.18 channels keyed by server endpoint.
 *
 * Why a pool: a channel costs ~74 KB (its query tables), so one per probe would cost hundreds of MB
 * with thousands of probes waiting (reference/peers-and-libs.md B.1.2). Channels are keyed by server
 * address, port, transport, source address and a timeout bucket: c-ares 1.18 has one timeout per
 * channel, and a query must not be given up by c-ares before the probe's own deadline (which we
 * enforce with a loop timer). Idle channels are closed after DNSCLIENT_IDLE_NS.
 *
 * c-ares rules we rely on (B.1.3): the full option mask keeps it off resolv.conf; NOCHECKRESP hands
 * us REFUSED/SERVFAIL answers; IGNTC hands us truncated answers instead of retrying over TCP; EDNS with
 * ednspsz 4096 lifts the 512-byte UDP cap without c-ares adding an OPT record (we build the query).
 * One c-ares quirk needs a workaround: with ARES_FLAG_EDNS, a FORMERR answer without an OPT record makes
 * c-ares strip 11 bytes from the query, clear the flag on the whole channel and resend (its EDNS
 * fallback, process_answer in ares_process.c). Our queries are built by us, so that "fallback" would
 * send a mangled query, and the channel would cut every later UDP answer to 512 bytes. Our own
 * recvfrom (ares_set_socket_functions) therefore hides the FORMERR from c-ares: it rewrites the
 * header's rcode to an unassigned value (RCODE_MASK) and notes the query ID; the rcode is put back
 * before the caller sees the answer. Nothing else in the datagram changes.
 *
 * A second workaround: c-ares takes an answer only if its question section equals the query's
 * (same_questions in process_answer), so an error answer without a question (a header-only REFUSED,
 * SERVFAIL, NOTIMP or FORMERR; wire_is_error_without_question) would be dropped and the probe would
 * time out, where miekg/dns, dig and kdig take it. Our reader gives such an answer, when its ID is
 * pending, the question of that query (inserted after the header, QDCOUNT 1) so that c-ares matches
 * it; the insertion is taken out again before the caller sees the answer, which therefore gets the
 * server's bytes. An answer that carries a different question is still dropped (RFC 5452 9.1).
 * Over TCP c-ares reads the 2-byte length before the message, so the reader first reads the length
 * and the header itself (dc_tcpin) and hands c-ares the adjusted length, header and question from
 * memory, then the rest of the message straight from the socket.
 *
 * TCP: blackbox_exporter opens one connection per probe, and servers may close a connection after
 * one answer. A TCP channel therefore carries one query at a time; without ARES_FLAG_STAYOPEN c-ares
 * closes its socket when the query ends, so each query gets a fresh connection.
 *
 * c-ares can call back from inside ares_send/ares_getaddrinfo; such results are copied and delivered
 * from a zero-delay timer, so callers never see a callback before the call returns. */
#include "net/dnsclient.h"

#include <ares.h>
#include <errno.h>
#include <stdio.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/epoll.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "lib/crypto.h"
#include "lib/errors.h"
#include "dns/cursor.h"
#include "dns/wire.h"

#define DNSCLIENT_EDNS_SIZE 4096
#define DNSCLIENT_IDLE_NS   (30LL * 1000000000)
#define DNSCLIENT_SWEEP_NS  (10LL * 1000000000)
#define DNSCLIENT_MAX_FDS   4
#define DNSCLIENT_IDLE_TCP  8            /* idle TCP channels kept for reuse; ~74 KB each */
#define DNSCLIENT_QUESTION  (WIRE_MAX_NAME + 4)   /* the largest question: name, type, class */

/* Channel timeouts: the smallest bucket >= the probe's remaining time. */
static const int64_t timeout_buckets_ms[] = { 1000, 2000, 5000, 10000, 30000, 60000, 125000, 300000,
                                              3600000 };

typedef struct dc_key {
	dnsclient_server_t srv;
	int64_t bucket_ms;
} dc_key_t;

typedef struct dc_channel dc_channel_t;

struct dnsclient_req {
	dnsclient_t *client;
	dc_channel_t *chan;
	bool resolve;
	dnsclient_answer_cb answer_cb;
	dnsclient_addrs_cb addrs_cb;
	void *ctx;                  /* NULL callbacks after cancel */
	uint16_t id;
	bool in_call;               /* inside ares_send / ares_getaddrinfo */
	bool ares_done;             /* c-ares has called back */
	int64_t t_start, t_sent, t_connected;
	bool connect_failed;            /* the socket's connect() failed at once: a dial error */
	uint8_t question[DNSCLIENT_QUESTION];   /* the query's question, for an answer without one */
	size_t qsize;               /* 0: the query had none we can give */
	bool grafted;               /* the answer on its way to c-ares carries our copy of it */
	loop_timer_t defer;         /* delivers a result that arrived during in_call */
	/* a deferred result */
	int d_status;
	const char *d_error;
	uint8_t *d_buf;
	size_t d_len;
	target_ip_t *d_ips;
	size_t d_nips;
	dnsclient_req_t *prev, *next;   /* in the channel's pending list */
};

/* TCP: the start of an answer, read ahead of c-ares (see the top of the file). */
typedef struct dc_tcpin {
	int fd;                     /* the connection it belongs to, or -1 */
	uint8_t buf[2 + WIRE_HEADER_SIZE + DNSCLIENT_QUESTION];
	size_t got;                 /* bytes in buf (read, then perhaps the question added) */
	size_t handed;              /* bytes of buf c-ares has read */
	size_t rest;                /* bytes of the message still in the socket, for c-ares to read */
	bool ready;                 /* length and header are in: hand buf out, then pass `rest` on */
} dc_tcpin_t;

struct dc_channel {
	dnsclient_t *client;
	ares_channel ch;
	dc_key_t key;
	bool resolver;
	size_t pending;
	dnsclient_req_t *reqs;
	uint8_t *ids;                   /* bitmap of the IDs pending on this channel (UDP) */
	uint8_t *patched;               /* bitmap of IDs whose FORMERR answer got the marked OPT (UDP) */
	loop_timer_t timer;
	int64_t idle_since;
	bool retired;
	struct { int fd; bool connecting; } fds[DNSCLIENT_MAX_FDS];
	dc_tcpin_t tcpin;               /* TCP query channels only */
	int connect_errno;              /* the last connect() failing at once (ENETUNREACH...), or 0 */
	dc_channel_t *next;
};

struct dnsclient {
	loop_t *loop;
	uint16_t random_ids[256];       /* query IDs drawn 256 at a time: one getrandom per 256 probes */
	size_t random_left;
	dc_channel_t *channels;
	dc_channel_t *resolver;
	loop_timer_t sweep;
	size_t idle_tcp;                /* TCP channels with no query (after a burst, many) */
	char server[64];                /* the target resolver's first server ("127.0.0.1:53"), or "" */
	char *hosts;                    /* /etc/hosts as last read (NULL: none) */
	size_t hosts_len;
	struct stat hosts_st;           /* what it was read from: re-read when any of these change */
	bool hosts_read;
};

int dnsclient_global_init(void)
{
	if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS)
		return NSP_ELIB;
	return crypto_init();
}

void dnsclient_global_cleanup(void)
{
	ares_library_cleanup();
}

/* ---- channel plumbing: c-ares sockets and timeouts on our loop ---- */

static void channel_timer_update(dc_channel_t *c)
{
	struct timeval tv, *tp = ares_timeout(c->ch, NULL, &tv);
	if (!tp) {
		loop_timer_stop(c->client->loop, &c->timer);
		return;
	}
	int64_t when = loop_now_ns() + (int64_t)tp->tv_sec * 1000000000 + (int64_t)tp->tv_usec * 1000;
	loop_timer_start(c->client->loop, &c->timer, when);
}

static void channel_on_timer(void *ctx)
{
	dc_channel_t *c = ctx;
	ares_process_fd(c->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	channel_timer_update(c);
}

static void channel_on_io(void *ctx, int fd, uint32_t events)
{
	dc_channel_t *c = ctx;
	if (events & EPOLLOUT) {
		int soerr = 0;
		socklen_t sl = sizeof(soerr);
		if ((events & EPOLLERR) || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
			soerr = -1;
		for (int i = 0; i < DNSCLIENT_MAX_FDS; i++) {
			if (c->fds[i].fd == fd && c->fds[i].connecting && soerr == 0) {
				c->fds[i].connecting = false;
				int64_t now = loop_now_ns();
				for (dnsclient_req_t *r = c->reqs; r; r = r->next)
					if (!r->t_connected)
						r->t_connected = now;
			}
		}
	}
	bool rd = events & (EPOLLIN | EPOLLERR | EPOLLHUP);
	bool wr = events & EPOLLOUT;
	ares_process_fd(c->ch, rd ? fd : ARES_SOCKET_BAD, wr ? fd : ARES_SOCKET_BAD);
	/* Bytes read ahead for c-ares (dc_tcp_recv) will not wake epoll again: c-ares reads one piece
	 * per call (the length, then the message), so call it until it has them all or stops reading. */
	while (c->tcpin.fd == fd && c->tcpin.ready && c->tcpin.handed < c->tcpin.got) {
		size_t before = c->tcpin.handed;
		ares_process_fd(c->ch, fd, ARES_SOCKET_BAD);
		if (c->tcpin.fd == fd && c->tcpin.ready && c->tcpin.handed == before)
			break;
	}
	/* Answers only remove queries, so the earliest c-ares timeout can only move later: the armed
	 * timer stays valid (it may fire early and re-arm). ares_timeout walks every pending query, so
	 * calling it per event would make a busy channel quadratic. */
	if (!loop_timer_armed(&c->timer) && c->pending)
		channel_timer_update(c);
}

static void channel_sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	dc_channel_t *c = data;
	int slot = -1, free_slot = -1;
	for (int i = 0; i < DNSCLIENT_MAX_FDS; i++) {
		if (c->fds[i].fd == fd)
			slot = i;
		else if (c->fds[i].fd < 0 && free_slot < 0)
			free_slot = i;
	}
	if (!readable && !writable) {
		loop_unwatch(c->client->loop, fd);
		if (slot >= 0)
			c->fds[slot].fd = -1;
		return;
	}
	if (slot < 0 && free_slot >= 0) {
		slot = free_slot;
		c->fds[slot].fd = fd;
		/* A new TCP socket is a connect in progress until it first turns writable (B.1.6). */
		c->fds[slot].connecting = c->key.srv.tcp;
	}
	uint32_t ev = (readable ? EPOLLIN : 0) | (writable ? EPOLLOUT : 0);
	loop_watch(c->client->loop, fd, ev, channel_on_io, c);
}

/* ---- our socket functions: c-ares' own, plus the FORMERR mark ---- */

/* The rcode a FORMERR answer carries while c-ares holds it: unassigned (RFC 6895), and restored
 * only for the IDs noted in `patched`. */
#define RCODE_MASK 12
#define RCODE_FORMERR 1

static ares_socket_t dc_socket(int domain, int type, int protocol, void *data)
{
	dc_channel_t *c = data;
	int fd = socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
	if (fd < 0)
		return ARES_SOCKET_BAD;
	if (type == SOCK_STREAM) {
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	if (!c->resolver && c->key.srv.has_source) {
		struct sockaddr_storage ss;
		socklen_t sl = target_sockaddr(&c->key.srv.source, 0, &ss);
		if (bind(fd, (struct sockaddr *)&ss, sl) != 0) {
			close(fd);
			return ARES_SOCKET_BAD;
		}
	}
	return fd;
}

static void tcpin_reset(dc_tcpin_t *t, int fd)
{
	t->fd = fd;
	t->got = t->handed = t->rest = 0;
	t->ready = false;
}

static int dc_close(ares_socket_t fd, void *data)
{
	dc_channel_t *c = data;
	if (c->tcpin.fd == fd)
		tcpin_reset(&c->tcpin, -1);
	return close(fd);
}

static int dc_connect(ares_socket_t fd, const struct sockaddr *sa, ares_socklen_t len, void *data)
{
	dc_channel_t *c = data;
	/* c-ares 1.18 keeps no IPv6 scope for its servers: give a zoned server ("[fe80::1%eth0]:53") its
	 * interface here. */
	if (!c->resolver && sa->sa_family == AF_INET6 && c->key.srv.ip.scope &&
	    len >= (ares_socklen_t)sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 s6;
		memcpy(&s6, sa, sizeof(s6));
		s6.sin6_scope_id = c->key.srv.ip.scope;
		sa = (const struct sockaddr *)&s6;
		len = sizeof(s6);
		int r = connect(fd, sa, len);
		c->connect_errno = r == 0 || errno == EINPROGRESS ? 0 : errno;
		return r;
	}
	int r = connect(fd, sa, len);
	c->connect_errno = r == 0 || errno == EINPROGRESS ? 0 : errno;
	return r;
}

/* Go's texts for the errno of a connect that failed at once (syscall's table: lower case). */
static const char *connect_error_text(int e)
{
	switch (e) {
	case ENETUNREACH:   return "network is unreachable";
	case EHOSTUNREACH:  return "no route to host";
	case EINVAL:        return "invalid argument";
	case EADDRNOTAVAIL: return "cannot assign requested address";
	case EACCES:        return "permission denied";
	case EPERM:         return "operation not permitted";
	case ECONNREFUSED:  return "connection refused";
	case EAFNOSUPPORT:  return "address family not supported by protocol";
	default:            return NULL;
	}
}

/* The pending query an answer with this ID belongs to, if it may take our copy of its question. */
static dnsclient_req_t *graft_target(dc_channel_t *c, const uint8_t *msg)
{
	cursor_t hdr = cursor_make(msg, WIRE_HEADER_SIZE);
	uint16_t id = cursor_u16(&hdr);
	if (c->ids && !(c->ids[id >> 3] & (1u << (id & 7))))
		return NULL;               /* not pending: no walk for stray datagrams */
	for (dnsclient_req_t *r = c->reqs; r; r = r->next)
		if (r->id == id && r->qsize && !r->grafted)
			return r;
	return NULL;
}

/* Whether `from` is the channel's server: c-ares drops anything else (same_address), so only what
 * it will take gets a question. Its UDP sockets are connected, so this holds; the check keeps a
 * graft from being left on a query whose answer never reached c-ares. */
static bool from_server(const dc_channel_t *c, const struct sockaddr *from)
{
	const target_ip_t *ip = &c->key.srv.ip;
	if (from->sa_family == AF_INET && ip->family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)from;
		return ntohs(s->sin_port) == c->key.srv.port && memcmp(&s->sin_addr, ip->addr, 4) == 0;
	}
	if (from->sa_family == AF_INET6 && ip->family == AF_INET6) {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)from;
		return ntohs(s->sin6_port) == c->key.srv.port && memcmp(&s->sin6_addr, ip->addr, 16) == 0;
	}
	return false;
}

/* Puts r's question after the header of msg[0..len) (room for it checked by the caller) and sets
 * QDCOUNT to 1. */
static size_t graft(dnsclient_req_t *r, uint8_t *msg, size_t len)
{
	memmove(msg + WIRE_HEADER_SIZE + r->qsize, msg + WIRE_HEADER_SIZE, len - WIRE_HEADER_SIZE);
	memcpy(msg + WIRE_HEADER_SIZE, r->question, r->qsize);
	msg[4] = 0;
	msg[5] = 1;
	r->grafted = true;
	return len + r->qsize;
}

/* UDP: one whole datagram per call. */
static ares_ssize_t dc_udp_recv(dc_channel_t *c, ares_socket_t fd, uint8_t *b, size_t len, int flags,
                                struct sockaddr *from, ares_socklen_t *fromlen)
{
	ares_ssize_t n = recvfrom(fd, b, len, flags, from, fromlen);
	if (n < WIRE_HEADER_SIZE || c->resolver || !c->patched)
		return n;
	bool bare = wire_is_error_without_question(b, (size_t)n);   /* before the FORMERR mark */
	if ((b[3] & 0x0f) == RCODE_FORMERR) {
		b[3] = (uint8_t)((b[3] & 0xf0) | RCODE_MASK);
		cursor_t hdr = cursor_make(b, (size_t)n);
		unsigned id = cursor_u16(&hdr);
		c->patched[id >> 3] |= (uint8_t)(1u << (id & 7));
	}
	dnsclient_req_t *r = bare ? graft_target(c, b) : NULL;
	/* Beyond DNSCLIENT_EDNS_SIZE c-ares would cut the answer (it takes longer ones as truncated). */
	if (r && from_server(c, from) && (size_t)n + r->qsize <= DNSCLIENT_EDNS_SIZE &&
	    (size_t)n + r->qsize <= len)
		n = (ares_ssize_t)graft(r, b, (size_t)n);
	return n;
}

/* TCP: c-ares asks for the 2-byte length, then for the message, in pieces of any size. */
static ares_ssize_t dc_tcp_recv(dc_channel_t *c, ares_socket_t fd, uint8_t *b, size_t len)
{
	dc_tcpin_t *t = &c->tcpin;
	if (t->fd != fd)
		tcpin_reset(t, fd);
	if (!t->ready) {
		/* Read the length, then up to a header's worth of the message. recv consumes what it
		 * returns, so a slow server costs a wake-up per segment, never a spin. */
		for (;;) {
			cursor_t pre = cursor_make(t->buf, t->got);
			size_t msglen = cursor_u16(&pre);   /* 0 until both octets are in */
			size_t want = t->got >= 2 ? 2 + (msglen < WIRE_HEADER_SIZE ? msglen : WIRE_HEADER_SIZE)
			                          : 2;
			if (t->got == want && t->got >= 2)
				break;
			ssize_t n = recv(fd, t->buf + t->got, want - t->got, 0);
			if (n <= 0)
				return n;          /* EAGAIN: c-ares waits; EOF or error: c-ares closes */
			t->got += (size_t)n;
		}
		cursor_t pre = cursor_make(t->buf, t->got);
		size_t msglen = cursor_u16(&pre);
		t->rest = msglen - (t->got - 2);
		dnsclient_req_t *r = NULL;
		if (wire_is_error_without_question(t->buf + 2, t->got - 2))
			r = graft_target(c, t->buf + 2);
		if (r && msglen + r->qsize <= 65535) {
			memcpy(t->buf + t->got, r->question, r->qsize);
			t->got += r->qsize;
			cursor_write_u16(t->buf + 2 + 4, 1);   /* QDCOUNT */
			r->grafted = true;
			msglen += r->qsize;
			cursor_write_u16(t->buf, (uint16_t)msglen);
		}
		t->ready = true;
		t->handed = 0;
	}
	ssize_t n;
	if (t->handed < t->got) {
		size_t k = t->got - t->handed < len ? t->got - t->handed : len;
		memcpy(b, t->buf + t->handed, k);
		t->handed += k;
		n = (ssize_t)k;
	} else {
		n = recv(fd, b, t->rest < len ? t->rest : len, 0);
		if (n <= 0)
			return n;
		t->rest -= (size_t)n;
	}
	if (t->handed == t->got && t->rest == 0)
		tcpin_reset(t, fd);                /* the next message starts with its length */
	return n;
}

static ares_ssize_t dc_recvfrom(ares_socket_t fd, void *buf, size_t len, int flags, struct sockaddr *from,
                                ares_socklen_t *fromlen, void *data)
{
	dc_channel_t *c = data;
	/* c-ares reads TCP with no address (socket_recv); its resolver channel is left alone. */
	if (!from && !c->resolver && c->key.srv.tcp)
		return dc_tcp_recv(c, fd, buf, len);
	if (!from)
		return recvfrom(fd, buf, len, flags, from, fromlen);
	return dc_udp_recv(c, fd, buf, len, flags, from, fromlen);
}

static ares_ssize_t dc_sendv(ares_socket_t fd, const struct iovec *iov, int iovcnt, void *data)
{
	(void)data;
	return writev(fd, iov, iovcnt);
}

static const struct ares_socket_functions dc_socket_functions = {
	.asocket = dc_socket,
	.aclose = dc_close,
	.aconnect = dc_connect,
	.arecvfrom = dc_recvfrom,
	.asendv = dc_sendv,
};

/* Undoes dc_recvfrom's rewrites on r's answer about to be delivered: the FORMERR mark and the
 * grafted question. Returns the answer's length as the server sent it. */
static size_t unpatch(dc_channel_t *c, dnsclient_req_t *r, unsigned char *abuf, size_t alen)
{
	uint16_t id = r->id;
	if (r->grafted) {
		r->grafted = false;
		if (alen >= WIRE_HEADER_SIZE + r->qsize && abuf[4] == 0 && abuf[5] == 1 &&
		    memcmp(abuf + WIRE_HEADER_SIZE, r->question, r->qsize) == 0) {
			memmove(abuf + WIRE_HEADER_SIZE, abuf + WIRE_HEADER_SIZE + r->qsize,
			        alen - WIRE_HEADER_SIZE - r->qsize);
			abuf[5] = 0;
			alen -= r->qsize;
		}
	}
	if (!c || !c->patched || !(c->patched[id >> 3] & (1u << (id & 7))))
		return alen;
	c->patched[id >> 3] &= (uint8_t)~(1u << (id & 7));
	if (alen >= 12 && (abuf[3] & 0x0f) == RCODE_MASK)
		abuf[3] = (uint8_t)((abuf[3] & 0xf0) | RCODE_FORMERR);
	return alen;
}

static int channel_new(dnsclient_t *cl, const dc_key_t *key, bool resolver, const char *servers,
                       dc_channel_t **out)
{
	dc_channel_t *c = calloc(1, sizeof(*c));
	if (!c)
		return NSP_ENOMEM;
	c->client = cl;
	if (key)
		c->key = *key;
	c->resolver = resolver;
	for (int i = 0; i < DNSCLIENT_MAX_FDS; i++)
		c->fds[i].fd = -1;
	tcpin_reset(&c->tcpin, -1);
	loop_timer_init(&c->timer, channel_on_timer, c);

	struct ares_options o;
	memset(&o, 0, sizeof(o));
	o.sock_state_cb = channel_sock_state;
	o.sock_state_cb_data = c;
	int mask = ARES_OPT_SOCK_STATE_CB;
	if (!resolver || servers) {
		/* Giving every one of these keeps c-ares away from resolv.conf and nsswitch (B.1.2). */
		/* STAYOPEN: keep the UDP socket between probes instead of a socket + connect per probe
		 * whenever the channel goes idle; idle channels are swept after DNSCLIENT_IDLE_NS. */
		o.flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_IGNTC | ARES_FLAG_EDNS | ARES_FLAG_STAYOPEN;
		if (key && key->srv.tcp)
			o.flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_USEVC;   /* EDNS only sizes UDP reads */
		o.timeout = key ? (int)key->bucket_ms : 2000;
		o.tries = resolver ? 2 : 1;
		o.ndots = 1;
		o.lookups = (char *)"b";
		o.ednspsz = DNSCLIENT_EDNS_SIZE;
		mask |= ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_NDOTS |
		        ARES_OPT_SERVERS | ARES_OPT_DOMAINS | ARES_OPT_LOOKUPS | ARES_OPT_SORTLIST |
		        ARES_OPT_EDNSPSZ;
		if (resolver)
			o.flags = 0;
	}
	if (!resolver && !key->srv.tcp) {
		c->ids = calloc(65536 / 8, 1);
		c->patched = calloc(65536 / 8, 1);
		if (!c->ids || !c->patched) {
			free(c->ids);
			free(c->patched);
			free(c);
			return NSP_ENOMEM;
		}
	}
	if (ares_init_options(&c->ch, &o, mask) != ARES_SUCCESS) {
		free(c->ids);
		free(c->patched);
		free(c);
		return NSP_ELIB;
	}
	ares_set_socket_functions(c->ch, &dc_socket_functions, c);
	int r = ARES_SUCCESS;
	if (!resolver) {
		struct ares_addr_port_node node;
		memset(&node, 0, sizeof(node));
		node.family = key->srv.ip.family;
		if (node.family == AF_INET)
			memcpy(&node.addr.addr4, key->srv.ip.addr, 4);
		else
			memcpy(&node.addr.addr6, key->srv.ip.addr, 16);
		node.udp_port = key->srv.port;
		node.tcp_port = key->srv.port;
		r = ares_set_servers_ports(c->ch, &node);    /* the source address is bound in dc_socket */
	} else if (servers) {
		r = ares_set_servers_ports_csv(c->ch, servers);
	}
	if (r != ARES_SUCCESS) {
		ares_destroy(c->ch);
		free(c->ids);
		free(c->patched);
		free(c);
		return NSP_EINVAL;
	}
	*out = c;
	return 0;
}

static void channel_free(dc_channel_t *c)
{
	if (!c)
		return;
	loop_timer_stop(c->client->loop, &c->timer);
	/* Pending requests get ARES_EDESTRUCTION callbacks here, which free them; their owners are not
	 * told (dnsclient.h: dropped without their callbacks). */
	for (dnsclient_req_t *r = c->reqs; r; r = r->next) {
		r->answer_cb = NULL;
		r->addrs_cb = NULL;
	}
	ares_destroy(c->ch);
	for (int i = 0; i < DNSCLIENT_MAX_FDS; i++)
		if (c->fds[i].fd >= 0)
			loop_unwatch(c->client->loop, c->fds[i].fd);
	free(c->ids);
	free(c->patched);
	free(c);
}

static void sweep_idle(void *ctx)
{
	dnsclient_t *cl = ctx;
	int64_t now = loop_now_ns();
	size_t idle_tcp_kept = 0;
	for (dc_channel_t **pp = &cl->channels; *pp;) {
		dc_channel_t *c = *pp;
		bool idle = c->pending == 0;
		/* A burst of TCP probes leaves one channel per probe behind: keep a few for the next ones. */
		bool surplus_tcp = idle && c->key.srv.tcp && ++idle_tcp_kept > DNSCLIENT_IDLE_TCP;
		if (idle && (c->retired || surplus_tcp || now - c->idle_since > DNSCLIENT_IDLE_NS)) {
			*pp = c->next;
			if (c->key.srv.tcp && cl->idle_tcp > 0)
				cl->idle_tcp--;
			channel_free(c);
			continue;
		}
		pp = &c->next;
	}
	if (cl->channels)
		loop_timer_start(cl->loop, &cl->sweep, now + DNSCLIENT_SWEEP_NS);
}

dnsclient_t *dnsclient_new(loop_t *loop, const char *resolver, char *err, size_t errlen)
{
	dnsclient_t *cl = calloc(1, sizeof(*cl));
	if (!cl) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	cl->loop = loop;
	loop_timer_init(&cl->sweep, sweep_idle, cl);
	int r = channel_new(cl, NULL, true, resolver, &cl->resolver);
	if (r != 0) {
		snprintf(err, errlen, "cannot set up the target resolver%s%s (%s)", resolver ? " " : "",
		         resolver ? resolver : "", nsp_strerror(r));
		free(cl);
		return NULL;
	}
	/* Go names the server in its resolver errors ("lookup x on 127.0.0.1:53: no such host"). */
	struct ares_addr_port_node *servers = NULL;
	if (ares_get_servers_ports(cl->resolver->ch, &servers) == ARES_SUCCESS && servers) {
		target_ip_t ip;
		memset(&ip, 0, sizeof(ip));
		ip.family = servers->family;
		memcpy(ip.addr, &servers->addr, servers->family == AF_INET ? 4 : 16);
		if (ip.family == AF_INET || ip.family == AF_INET6)
			target_join(&ip, (uint16_t)(servers->udp_port ? servers->udp_port : 53), cl->server,
			            sizeof(cl->server));
	}
	ares_free_data(servers);
	return cl;
}

void dnsclient_free(dnsclient_t *cl)
{
	if (!cl)
		return;
	loop_timer_stop(cl->loop, &cl->sweep);
	free(cl->hosts);
	while (cl->channels) {
		dc_channel_t *c = cl->channels;
		cl->channels = c->next;
		channel_free(c);
	}
	channel_free(cl->resolver);
	free(cl);
}

/* ---- requests ---- */

static void req_unlink(dnsclient_req_t *r)
{
	dc_channel_t *c = r->chan;
	if (!c)
		return;
	if (r->prev)
		r->prev->next = r->next;
	else if (c->reqs == r)
		c->reqs = r->next;
	if (r->next)
		r->next->prev = r->prev;
	r->prev = r->next = NULL;
	if (c->ids)
		c->ids[r->id >> 3] &= (uint8_t)~(1u << (r->id & 7));
	if (c->pending > 0 && --c->pending == 0) {
		c->idle_since = loop_now_ns();
		if (!c->resolver && c->key.srv.tcp && ++c->client->idle_tcp > DNSCLIENT_IDLE_TCP)
			/* free the surplus soon, from the loop (not inside c-ares' callback) */
			loop_timer_start(c->client->loop, &c->client->sweep, loop_now_ns() + 100 * 1000000LL);
	}
	r->chan = NULL;
}

static void req_free(dnsclient_req_t *r)
{
	loop_timer_stop(r->client->loop, &r->defer);
	free(r->d_buf);
	free(r->d_ips);
	free(r);
}

static const char *ares_error_text(int status)
{
	switch (status) {
	case ARES_ECONNREFUSED: return "connection refused";
	case ARES_ETIMEOUT:     return "i/o timeout";
	case ARES_ENOMEM:       return "out of memory";
	case ARES_EBADRESP:     return "bad response";
	case ARES_ENOTFOUND:    return "no such host";
	case ARES_ENONAME:      return "no such host";
	case ARES_ENODATA:      return "no such host";
	case ARES_EDESTRUCTION: return "client shut down";
	case ARES_ECANCELLED:   return "cancelled";
	default:                return ares_strerror(status);
	}
}

static int ares_error_code(int status)
{
	switch (status) {
	case ARES_ENOMEM:     return NSP_ENOMEM;
	case ARES_ENOTFOUND:
	case ARES_ENONAME:
	case ARES_ENODATA:    return NSP_ENOENT;
	default:              return NSP_ELIB;
	}
}

static void deliver_answer(dnsclient_req_t *r, int status, const char *error, const uint8_t *buf,
                           size_t len)
{
	int64_t now = loop_now_ns();
	/* A TCP query whose connection never completed failed at dial: it is all "connect" time, as
	 * miekg's rtt starts only after the dial. */
	bool dialed = !r->connect_failed && (r->t_connected != 0 || status == 0);
	int64_t connected = dialed ? r->t_connected : now;
	dnsclient_answer_t a = {
		.status = status,
		.error = error,
		.buf = buf,
		.len = len,
		.connect_ns = connected - r->t_start,
		.request_ns = now - connected,
		.dial_failed = !dialed,
	};
	dnsclient_answer_cb cb = r->answer_cb;
	void *ctx = r->ctx;
	r->answer_cb = NULL;
	if (cb)
		cb(ctx, &a);
}

static void deliver_addrs(dnsclient_req_t *r, int status, const char *error, const target_ip_t *ips,
                          size_t n)
{
	dnsclient_addrs_t a = { .status = status, .error = error, .ips = ips, .n = n,
	                        .server = r->client->server };
	dnsclient_addrs_cb cb = r->addrs_cb;
	void *ctx = r->ctx;
	r->addrs_cb = NULL;
	if (cb)
		cb(ctx, &a);
}

static void on_deferred(void *ctx)
{
	dnsclient_req_t *r = ctx;
	if (r->resolve)
		deliver_addrs(r, r->d_status, r->d_error, r->d_ips, r->d_nips);
	else
		deliver_answer(r, r->d_status, r->d_error, r->d_buf, r->d_len);
	req_free(r);
}

static void on_ares_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	(void)timeouts;
	dnsclient_req_t *r = arg;
	dc_channel_t *c = r->chan;
	r->ares_done = true;
	if (status == ARES_SUCCESS && abuf && alen > 0)
		alen = (int)unpatch(c, r, abuf, (size_t)alen);
	req_unlink(r);
	if (status == ARES_ETIMEOUT && c && !c->retired && !c->key.srv.tcp && !c->resolver) {
		struct ares_options o;
		int mask = 0;
		if (ares_save_options(c->ch, &o, &mask) == ARES_SUCCESS) {
			if (!(o.flags & ARES_FLAG_EDNS))
				c->retired = true;      /* the EDNS fallback ran after all: start afresh */
			ares_destroy_options(&o);
		}
	}
	if (!r->answer_cb) {             /* cancelled */
		req_free(r);
		return;
	}
	int st = status == ARES_SUCCESS ? 0 : ares_error_code(status);
	const char *err = status == ARES_SUCCESS ? NULL : ares_error_text(status);
	/* c-ares reports a connect that failed at once as ECONNREFUSED: give Go's dial error instead
	 * ("dial udp6 [fe80::1%lo]:53: connect: network is unreachable"). */
	const char *cerr = c && !c->resolver ? connect_error_text(c->connect_errno) : NULL;
	if (status == ARES_ECONNREFUSED && cerr) {
		err = cerr;
		r->connect_failed = true;      /* dial_failed: nothing was sent */
	}
	if (r->in_call) {
		r->d_status = st;
		r->d_error = err;
		if (st == 0 && alen > 0) {
			r->d_buf = malloc((size_t)alen);
			if (!r->d_buf) {
				r->d_status = NSP_ENOMEM;
				r->d_error = "out of memory";
			} else {
				memcpy(r->d_buf, abuf, (size_t)alen);
				r->d_len = (size_t)alen;
			}
		}
		loop_timer_start(r->client->loop, &r->defer, loop_now_ns());
		return;
	}
	deliver_answer(r, st, err, st == 0 ? abuf : NULL, st == 0 && alen > 0 ? (size_t)alen : 0);
	req_free(r);
}

static int64_t bucket_for(int64_t timeout_ns)
{
	int64_t ms = timeout_ns / 1000000 + 1;
	size_t n = sizeof(timeout_buckets_ms) / sizeof(timeout_buckets_ms[0]);
	for (size_t i = 0; i < n; i++)
		if (timeout_buckets_ms[i] >= ms)
			return timeout_buckets_ms[i];
	return timeout_buckets_ms[n - 1];
}

static bool channel_has_socket(const dc_channel_t *c)
{
	for (int i = 0; i < DNSCLIENT_MAX_FDS; i++)
		if (c->fds[i].fd >= 0)
			return true;
	return false;
}

static int channel_get(dnsclient_t *cl, const dnsclient_server_t *srv, int64_t timeout_ns,
                       dc_channel_t **out)
{
	dc_key_t key;
	memset(&key, 0, sizeof(key));
	key.srv.ip = srv->ip;
	key.srv.port = srv->port;
	key.srv.tcp = srv->tcp;
	key.srv.has_source = srv->has_source;
	if (srv->has_source)
		key.srv.source = srv->source;
	key.bucket_ms = bucket_for(timeout_ns);
	for (dc_channel_t **pp = &cl->channels; *pp; pp = &(*pp)->next) {
		dc_channel_t *c = *pp;
		size_t limit = key.srv.tcp ? 1 : 60000;     /* TCP: one query (one connection) at a time */
		if (key.srv.tcp && channel_has_socket(c))
			continue;   /* its last connection is not closed yet: the next query gets a fresh one */
		if (!c->retired && c->pending < limit && memcmp(&c->key, &key, sizeof(key)) == 0) {
			if (pp != &cl->channels) {          /* move to front: hot servers stay cheap */
				*pp = c->next;
				c->next = cl->channels;
				cl->channels = c;
			}
			*out = c;
			return 0;
		}
	}
	dc_channel_t *c;
	int r = channel_new(cl, &key, false, NULL, &c);
	if (r != 0)
		return r;
	c->next = cl->channels;
	cl->channels = c;
	if (!loop_timer_armed(&cl->sweep))
		loop_timer_start(cl->loop, &cl->sweep, loop_now_ns() + DNSCLIENT_SWEEP_NS);
	*out = c;
	return 0;
}

/* Copies the query's (first) question into out; returns its size, or 0 if it has none. */
static size_t question_copy(const uint8_t *query, size_t len, uint8_t out[DNSCLIENT_QUESTION])
{
	uint8_t name[WIRE_MAX_NAME];
	size_t next;
	if (len < WIRE_HEADER_SIZE || (query[4] == 0 && query[5] == 0) ||
	    cursor_name_unpack(query, len, WIRE_HEADER_SIZE, name, &next, NULL) < 0 || len - next < 4)
		return 0;
	size_t n = next + 4 - WIRE_HEADER_SIZE;
	if (n > DNSCLIENT_QUESTION)
		return 0;
	memcpy(out, query + WIRE_HEADER_SIZE, n);
	return n;
}

static dnsclient_req_t *req_new(dnsclient_t *cl, void *ctx)
{
	dnsclient_req_t *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->client = cl;
	r->ctx = ctx;
	loop_timer_init(&r->defer, on_deferred, r);
	return r;
}

static void req_link(dc_channel_t *c, dnsclient_req_t *r)
{
	if (c->pending == 0 && !c->resolver && c->key.srv.tcp && c->idle_since && c->client->idle_tcp > 0)
		c->client->idle_tcp--;
	r->chan = c;
	r->next = c->reqs;
	if (c->reqs)
		c->reqs->prev = r;
	c->reqs = r;
	c->pending++;
}

int dnsclient_query(dnsclient_t *cl, const dnsclient_server_t *srv, uint8_t *query, size_t len,
                    int64_t timeout_ns, dnsclient_answer_cb cb, void *ctx, dnsclient_req_t **req)
{
	if (len < 12 || len > 65535)
		return NSP_EINVAL;
	dc_channel_t *c = cl->resolver;
	int rc = srv ? channel_get(cl, srv, timeout_ns, &c) : 0;
	if (rc != 0)
		return rc;
	dnsclient_req_t *r = req_new(cl, ctx);
	if (!r)
		return NSP_ENOMEM;
	r->answer_cb = cb;
	r->qsize = question_copy(query, len, r->question);
	/* An ID not pending on this channel (c-ares matches answers by ID and question). */
	uint16_t id;
	do {
		if (cl->random_left == 0) {
			crypto_random(cl->random_ids, sizeof(cl->random_ids));
			cl->random_left = sizeof(cl->random_ids) / sizeof(cl->random_ids[0]);
		}
		id = cl->random_ids[--cl->random_left];
	} while (c->ids && (c->ids[id >> 3] & (1u << (id & 7))));
	if (c->ids)
		c->ids[id >> 3] |= (uint8_t)(1u << (id & 7));
	if (c->patched)          /* a rewrite noted for a reply that never matched is stale now */
		c->patched[id >> 3] &= (uint8_t)~(1u << (id & 7));
	r->id = id;
	cursor_write_u16(query, id);
	req_link(c, r);
	if (req)
		*req = r;
	r->t_start = loop_now_ns();
	r->in_call = true;
	ares_send(c->ch, query, (int)len, on_ares_answer, r);
	r->in_call = false;
	r->t_sent = loop_now_ns();
	if (!(srv && srv->tcp) && !r->t_connected)
		r->t_connected = r->t_sent;
	/* A new query times out after every pending one (one timeout per channel): only an unarmed
	 * timer needs setting. */
	if (!r->ares_done && !loop_timer_armed(&c->timer))
		channel_timer_update(c);
	return 0;
}

static void on_ares_addrinfo(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
	(void)timeouts;
	dnsclient_req_t *r = arg;
	r->ares_done = true;
	req_unlink(r);
	if (!r->addrs_cb) {
		ares_freeaddrinfo(res);
		req_free(r);
		return;
	}
	size_t n = 0;
	target_ip_t *ips = NULL;
	int st = 0;
	const char *err = NULL;
	if (status != ARES_SUCCESS) {
		st = ares_error_code(status);
		err = ares_error_text(status);
	} else {
		for (struct ares_addrinfo_node *a = res ? res->nodes : NULL; a; a = a->ai_next)
			n++;
		ips = n ? calloc(n, sizeof(*ips)) : NULL;
		if (n && !ips) {
			st = NSP_ENOMEM;
			err = "out of memory";
			n = 0;
		}
		size_t i = 0;
		for (struct ares_addrinfo_node *a = res ? res->nodes : NULL; a && ips; a = a->ai_next) {
			if (a->ai_family == AF_INET) {
				const struct sockaddr_in *s = (const struct sockaddr_in *)a->ai_addr;
				ips[i].family = AF_INET;
				memcpy(ips[i].addr, &s->sin_addr, 4);
				i++;
			} else if (a->ai_family == AF_INET6) {
				const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)a->ai_addr;
				char txt[INET6_ADDRSTRLEN];
				inet_ntop(AF_INET6, &s->sin6_addr, txt, sizeof(txt));
				if (target_parse_ip(txt, &ips[i]))   /* folds v4-mapped to IPv4, as Go */
					i++;
			}
		}
		n = i;
		if (st == 0 && n == 0) {
			st = NSP_ENOENT;
			err = "no such host";
		}
	}
	ares_freeaddrinfo(res);
	if (r->in_call) {
		r->d_status = st;
		r->d_error = err;
		r->d_ips = ips;
		r->d_nips = n;
		loop_timer_start(r->client->loop, &r->defer, loop_now_ns());
		return;
	}
	deliver_addrs(r, st, err, ips, n);
	free(ips);
	req_free(r);
}

/* Go reads /etc/hosts only (not HOSTALIASES, not nsswitch), and again when it changed. */
#define DNSCLIENT_HOSTS_PATH "/etc/hosts"
#define DNSCLIENT_HOSTS_MAX (4u << 20)

static void hosts_refresh(dnsclient_t *cl)
{
	struct stat st;
	if (stat(DNSCLIENT_HOSTS_PATH, &st) != 0) {
		free(cl->hosts);
		cl->hosts = NULL;
		cl->hosts_len = 0;
		cl->hosts_read = false;
		return;
	}
	if (cl->hosts_read && st.st_ino == cl->hosts_st.st_ino && st.st_dev == cl->hosts_st.st_dev &&
	    st.st_size == cl->hosts_st.st_size && st.st_mtim.tv_sec == cl->hosts_st.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == cl->hosts_st.st_mtim.tv_nsec)
		return;
	free(cl->hosts);
	cl->hosts = NULL;
	cl->hosts_len = 0;
	cl->hosts_read = true;
	cl->hosts_st = st;
	FILE *f = fopen(DNSCLIENT_HOSTS_PATH, "re");
	if (!f)
		return;
	size_t cap = (size_t)st.st_size < DNSCLIENT_HOSTS_MAX ? (size_t)st.st_size + 1 : DNSCLIENT_HOSTS_MAX;
	cl->hosts = malloc(cap);
	if (cl->hosts)
		cl->hosts_len = fread(cl->hosts, 1, cap, f);
	fclose(f);
}

size_t dnsclient_hosts(dnsclient_t *cl, const char *host, target_ip_t *out, size_t cap)
{
	hosts_refresh(cl);
	if (!cl->hosts)
		return 0;
	return target_hosts_lookup(cl->hosts, cl->hosts_len, host, out, cap);
}

int dnsclient_resolve(dnsclient_t *cl, const char *host, int family, dnsclient_addrs_cb cb, void *ctx,
                      dnsclient_req_t **req)
{
	dnsclient_req_t *r = req_new(cl, ctx);
	if (!r)
		return NSP_ENOMEM;
	r->resolve = true;
	r->addrs_cb = cb;
	req_link(cl->resolver, r);
	if (req)
		*req = r;
	struct ares_addrinfo_hints hints;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_flags = 0;   /* sorted per RFC 6724, as Go orders them */
	r->in_call = true;
	ares_getaddrinfo(cl->resolver->ch, host, NULL, &hints, on_ares_addrinfo, r);
	r->in_call = false;
	if (!r->ares_done && !loop_timer_armed(&cl->resolver->timer))
		channel_timer_update(cl->resolver);
	return 0;
}

void dnsclient_cancel(dnsclient_req_t *r)
{
	if (!r)
		return;
	r->answer_cb = NULL;
	r->addrs_cb = NULL;
	if (r->ares_done) {      /* only the deferred delivery holds it */
		req_free(r);
		return;
	}
	dc_channel_t *c = r->chan;
	if (c && !c->resolver && c->key.srv.tcp) {
		/* A TCP channel holds this one query and its ~74 KB: end it now instead of at c-ares'
		 * timeout (the callback frees r), and let the sweep free the channel. */
		c->retired = true;
		ares_cancel(c->ch);
		loop_timer_start(c->client->loop, &c->client->sweep, loop_now_ns());
	}
}
