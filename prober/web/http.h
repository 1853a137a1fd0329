/* http -- libmicrohttpd in external-epoll mode on a worker's loop: routes, suspend/resume around a
 * probe, replies with blackbox_exporter's status codes and texts. */
#pragma once

#include <stddef.h>
#include <sys/socket.h>

#include "net/dnsclient.h"
#include "web/exporter.h"
#include "net/loop.h"
#include "web/webauth.h"
#include "web/webconfig.h"

typedef struct http_server http_server_t;

typedef struct http_listen {
	struct sockaddr_storage addr;
	socklen_t len;
	int fd;                         /* > 0: a listening socket passed in (systemd); addr is its name.
	                                 * Every worker serves a duplicate of it: one accept queue. */
} http_listen_t;

/* Parses a listen address as blackbox's --web.listen-address: ":9115", "127.0.0.1:9115",
 * "[::1]:9115", "localhost:9115" (names resolved now, at start-up). Fills up to `cap` entries and
 * returns how many (>= 1), or NSP_EINVAL with a message in err. */
int http_listen_parse(const char *s, http_listen_t *out, size_t cap, char *err, size_t errlen);

/* An address for a listening socket passed by systemd (listener_systemd_fds): addr is what
 * getsockname says. The fd stays the caller's; servers take duplicates. Returns 0 or NSP_ESYSTEM. */
int http_listen_from_fd(int fd, http_listen_t *out, char *err, size_t errlen);

/* The address as exporter-toolkit logs it: "127.0.0.1:9115", "[::]:9115", or a socket's path. */
void http_listen_name(const http_listen_t *a, char *out, size_t outlen);

/* Checks that nothing listens on the address yet. The workers bind with SO_REUSEPORT, which would
 * otherwise share the port with another process that also sets it. Returns 0 or NSP_ESYSTEM with a
 * message in err. */
int http_listen_check(const http_listen_t *a, char *err, size_t errlen);

/* Starts serving the addresses on `loop` (each worker binds them with SO_REUSEPORT, or serves a
 * duplicate of a passed socket), with at most
 * max_conns connections open at once over all of them (listener_conn_budget; the rest wait in the
 * kernel's backlog). Accept errors back off and are logged (listener.h).
 * `live` (borrowed, may be NULL; must outlive the server) is the web config: HTTPS or HTTP as it was
 * at start; certificate, key, client CAs, priorities and client certificate checks as it is when each
 * connection opens; extra headers and basic auth as it is when each request starts; `auth` is the verifier pool the server's client attaches to (required when the config has
 * basic_auth_users; given, users may also appear in a re-read config). Returns NULL with a message in err on failure (e.g. address in use). */
http_server_t *http_server_new(loop_t *loop, dnsclient_t *dns, exporter_t *ex, const http_listen_t *addrs,
                               size_t n, size_t max_conns, webconfig_live_t *live, webauth_pool_t *auth,
                               char *err, size_t errlen);

/* blackbox's --web.route-prefix / --web.external-url: with a prefix other than "/", every endpoint
 * lives under it, "/" redirects (302) to external_url, the bare prefix redirects (301) to itself plus
 * "/", and other paths are 404. prefix has no trailing slash ("" is the root); both strings are
 * borrowed and must outlive the server. */
void http_server_set_routes(http_server_t *s, const char *prefix, const char *external_url);

/* Stops accepting new connections; requests in flight go on, answers close their connections and
 * new probes on kept-alive connections are refused (503). */
void http_server_quiesce(http_server_t *s);
/* Ends every probe still running (probe_abort with `why`); their requests get answered. */
void http_server_abort_probes(http_server_t *s, const char *why);
/* Requests currently being served (probes in flight included). */
size_t http_server_active(const http_server_t *s);
/* Requests suspended while a probe, a password check or a reload runs. Stopping the daemons is
 * safe only when it is 0 (libmicrohttpd must not stop with suspended connections). */
size_t http_server_suspended(const http_server_t *s);
/* Stops the daemons (call when http_server_suspended() is 0) and frees: connections still open, e.g.
 * an idle or stalled client, are closed. Accepts NULL. */
void http_server_free(http_server_t *s);
