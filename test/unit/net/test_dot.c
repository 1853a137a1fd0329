/* Unit tests for dot.c: the exchange's life on a loop against real loopback sockets (refused
 * connection, a peer that never answers the handshake, cancel). The credentials are built in
 * config/tlscreds (test/unit/config/test_tlscreds.c); the full exchange against a TLS server is in
 * test/integration/test_dot.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "net/dot.h"
#include "config/tlscreds.h"
#include "lib/errors.h"
#include "net/loop.h"

/* ---- the exchange on a loop ---- */

typedef struct run {
	loop_t *loop;
	bool in_start;
	int calls;
	int status;
	char error[320];
	int64_t connect_ns, request_ns;
	dot_req_t *req;
	int lfd, afd;
	char progress[200];
	int64_t p_connect, p_request;
} run_t;

static void on_answer(void *ctx, const dot_answer_t *a)
{
	run_t *r = ctx;
	assert_false(r->in_start);
	r->calls++;
	r->status = a->status;
	snprintf(r->error, sizeof(r->error), "%s", a->error ? a->error : "");
	r->connect_ns = a->connect_ns;
	r->request_ns = a->request_ns;
	r->req = NULL;
	loop_stop(r->loop);
}

static int tcp_socket(struct sockaddr_in *sa)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)sa, sizeof(*sa)), 0);
	socklen_t sl = sizeof(*sa);
	assert_int_equal(getsockname(fd, (struct sockaddr *)sa, &sl), 0);
	return fd;
}

static dot_server_t server_for(const struct sockaddr_in *sa)
{
	dot_server_t srv = { .port = ntohs(sa->sin_port), .server_name = "127.0.0.1" };
	srv.ip.family = AF_INET;
	memcpy(srv.ip.addr, &sa->sin_addr, 4);
	return srv;
}

static uint8_t query[] = { 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1 };

static void test_refused_is_delivered_from_the_loop(void **state)
{
	(void)state;
	struct sockaddr_in sa;
	int fd = tcp_socket(&sa);                  /* bound, not listening: connect is refused */
	run_t r = { .loop = loop_new() };
	assert_non_null(r.loop);
	tlscreds_files_t files = { 0 };
	tlscreds_t *creds = NULL;
	assert_int_equal(tlscreds_new(&files, &creds), 0);
	assert_null(tlscreds_error(creds));
	dot_server_t srv = server_for(&sa);
	r.in_start = true;
	assert_int_equal(dot_query(r.loop, creds, &srv, query, sizeof(query), on_answer, &r, &r.req), 0);
	r.in_start = false;
	tlscreds_unref(creds);                    /* the request holds its own reference */
	assert_int_equal(r.calls, 0);
	assert_int_equal(loop_run(r.loop), 0);
	assert_int_equal(r.calls, 1);
	assert_int_not_equal(r.status, 0);
	char want[128];
	snprintf(want, sizeof(want), "dial tcp4 127.0.0.1:%u: connect: connection refused",
	         (unsigned)ntohs(sa.sin_port));
	assert_string_equal(r.error, want);
	assert_true(r.connect_ns >= 0);
	assert_int_equal(r.request_ns, 0);
	close(fd);
	loop_free(r.loop);
}

/* The peer accepts TCP and reads, but never answers the ClientHello: once the ClientHello has
 * arrived, the request is in its handshake; the caller's deadline then cancels it. */
static void on_client_hello(void *ctx, int fd, uint32_t events)
{
	run_t *r = ctx;
	(void)fd;
	(void)events;
	char buf[4096];
	assert_true(read(r->afd, buf, sizeof(buf)) > 0);
	int64_t now = loop_now_ns();
	dot_progress(r->req, now, &r->p_connect, &r->p_request, r->progress, sizeof(r->progress));
	dot_cancel(r->req);
	r->req = NULL;
	loop_unwatch(r->loop, r->afd);
	loop_stop(r->loop);
}

static void on_accept(void *ctx, int fd, uint32_t events)
{
	run_t *r = ctx;
	(void)events;
	r->afd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	assert_true(r->afd >= 0);
	loop_unwatch(r->loop, fd);
	assert_int_equal(loop_watch(r->loop, r->afd, EPOLLIN, on_client_hello, r), 0);
}

static void test_handshake_timeout_and_cancel(void **state)
{
	(void)state;
	struct sockaddr_in sa;
	run_t r = { .loop = loop_new(), .afd = -1 };
	assert_non_null(r.loop);
	r.lfd = tcp_socket(&sa);
	assert_int_equal(listen(r.lfd, 4), 0);
	assert_int_equal(loop_watch(r.loop, r.lfd, EPOLLIN, on_accept, &r), 0);
	tlscreds_files_t files = { 0 };
	tlscreds_t *creds = NULL;
	assert_int_equal(tlscreds_new(&files, &creds), 0);
	assert_null(tlscreds_error(creds));
	dot_server_t srv = server_for(&sa);
	assert_int_equal(dot_query(r.loop, creds, &srv, query, sizeof(query), on_answer, &r, &r.req), 0);
	tlscreds_unref(creds);
	assert_int_equal(loop_run(r.loop), 0);
	assert_int_equal(r.calls, 0);              /* cancelled: never called back */
	char want[128];
	snprintf(want, sizeof(want), "tls: handshake with 127.0.0.1:%u: i/o timeout",
	         (unsigned)ntohs(sa.sin_port));
	assert_string_equal(r.progress, want);
	assert_true(r.p_connect > 0);
	assert_int_equal(r.p_request, 0);
	close(r.afd);
	close(r.lfd);
	loop_free(r.loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused_is_delivered_from_the_loop),
		cmocka_unit_test(test_handshake_timeout_and_cancel),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
