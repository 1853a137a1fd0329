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
	uint32_t scope;          /* IPv6 zone as an interface index (sin6_scope_id), 0: none */
	char zone[16];           /* the zone as written ("lo", "2"), "" for none; printed after '%' */
} target_ip_t;

/* Splits `target` as Go's net.SplitHostPort; when that fails, the whole target is the host and the
 * port is `default_port` (53, or 853 for DNS over TLS), as blackbox's ProbeDNS does. host and port are
 * written NUL-terminated (truncated targets fail: returns NSP_ERANGE when host does not fit). */
int target_split(const char *target, const char *default_port, char *host, size_t hostcap, char *port,
                 size_t portcap);

/* Go's net.ParseIP: dotted-quad IPv4 (no leading zeros) or IPv6 text (no zone). Returns true and fills
 * *ip (mapped addresses folded to IPv4) on success. */
bool target_parse_ip(const char *s, target_ip_t *ip);

/* Go's parseIPZone (net/ipsock.go): an IP as target_parse_ip, or an IPv6 address with a zone
 * ("fe80::1%lo", "::1%2"): the zone becomes ip->zone and ip->scope (the interface of that name, else
 * its leading decimal digits, as Go's zone cache does). An IPv4 text with a zone is no IP. */
bool target_parse_ip_zone(const char *s, target_ip_t *ip);

/* Go's /etc/hosts lookup (net/hosts.go, Go 1.19) over the file's text: the addresses of `name` in
 * file order, at most cap of them; returns how many (0: not listed). Names match without regard to
 * ASCII case; a name with a dot matches with or without a final dot ("ns1.example.test." finds
 * "ns1.example.test"), a name without one only as written ("localhost." is not "localhost"), as Go's
 * absDomainName keys them. Addresses may carry a zone. */
size_t target_hosts_lookup(const char *text, size_t len, const char *name, target_ip_t *out, size_t cap);

/* Go's isDomainName (net/dnsclient.go, Go 1.19): what its resolver is willing to look up at all.
 * Letters, digits, '_' and '-' in labels of 1..63, at most 253 octets (254 with the final dot), not
 * all-numeric; anything else is "no such host" without a query. */
bool target_is_domain_name(const char *s);

/* Resolves a port string as Go's dialer would: decimal 0..65535 with an optional sign ("+53"), or a
 * service name from /etc/services ("domain"). Returns 0 and *port, NSP_EINVAL for a number out of
 * range (Go: "invalid port") or NSP_ENOENT for a name that is no service (Go: "unknown port"). */
int target_port(const char *s, bool tcp, uint16_t *port);

/* blackbox ipHash: FNV-1a 32 over the 4 (IPv4) or 16 (IPv6) address bytes. */
uint32_t target_ip_hash(const target_ip_t *ip);

/* Formats the address ("127.0.0.1", "::1", "fe80::1%lo"). out needs 64 bytes. */
void target_ip_str(const target_ip_t *ip, char *out, size_t outlen);
/* Formats ip:port as Go's JoinHostPort ("127.0.0.1:53", "[::1]:53"). out needs 64 bytes. */
void target_join(const target_ip_t *ip, uint16_t port, char *out, size_t outlen);

/* Fills a sockaddr for ip:port (with the zone's scope id); returns its length. */
socklen_t target_sockaddr(const target_ip_t *ip, uint16_t port, struct sockaddr_storage *ss);
