/* target -- blackbox's target forms: `host`, `host:port`, `[v6]:port`, bare `v6`; IP literals; the
 * address hash. Pure: no I/O (name resolution is dnsclient's). */
#pragma once

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* An IP address, IPv4-mapped IPv6 folded to IPv4 (Go's To4() != nil). */
typedef struct target_ip {
	int family;              /* AF_INET or AF_INET6 */
	uint8_t addr[16];        /* 4 or 16 bytes used */
} target_ip_t;

/* Splits `target` as Go's net.SplitHostPort; when that fails, the whole target is the host and the
 * port is `default_port` (53, or 853 for DNS over TLS), as blackbox's ProbeDNS does. host and port are
 * written NUL-terminated (truncated targets fail: returns NSP_ERANGE when host does not fit). */
int target_split(const char *target, const char *default_port, char *host, size_t hostcap, char *port,
                 size_t portcap);

/* Go's net.ParseIP: dotted-quad IPv4 (no leading zeros) or IPv6 text (no zone). Returns true and fills
 * *ip (mapped addresses folded to IPv4) on success. */
bool target_parse_ip(const char *s, target_ip_t *ip);

/* Go's isDomainName (net/dnsclient.go, Go 1.19): what its resolver is willing to look up at all.
 * Letters, digits, '_' and '-' in labels of 1..63, at most 253 octets (254 with the final dot), not
 * all-numeric; anything else is "no such host" without a query. */
bool target_is_domain_name(const char *s);

/* Resolves a port string as Go's dialer would: decimal 0..65535, or a service name from
 * /etc/services ("domain"). Returns 0 and *port, or NSP_EINVAL ("invalid port"/"unknown port"). */
int target_port(const char *s, bool tcp, uint16_t *port);

/* blackbox ipHash: FNV-1a 32 over the 4 (IPv4) or 16 (IPv6) address bytes. */
uint32_t target_ip_hash(const target_ip_t *ip);

/* Formats the address ("127.0.0.1", "::1"). out needs INET6_ADDRSTRLEN bytes. */
void target_ip_str(const target_ip_t *ip, char *out, size_t outlen);
/* Formats ip:port as Go's JoinHostPort ("127.0.0.1:53", "[::1]:53"). out needs 64 bytes. */
void target_join(const target_ip_t *ip, uint16_t port, char *out, size_t outlen);

/* Fills a sockaddr for ip:port; returns its length. */
socklen_t target_sockaddr(const target_ip_t *ip, uint16_t port, struct sockaddr_storage *ss);
