/* target -- blackbox's target forms, IP literals and the address hash (prober/dns.go, utils.go). */
#include "dns/target.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "lib/errors.h"

static int copy_out(char *dst, size_t cap, const char *src, size_t len)
{
	if (len >= cap)
		return NSP_ERANGE;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return 0;
}

/* Go's net.SplitHostPort (net/ipsock.go). Returns false where Go returns an error. */
static bool split_host_port(const char *hp, size_t len, size_t *hs, size_t *he, size_t *ps)
{
	const char *last = NULL;
	for (size_t i = 0; i < len; i++)
		if (hp[i] == ':')
			last = hp + i;
	if (!last)
		return false;                      /* missing port */
	size_t i = (size_t)(last - hp), j = 0, k = 0;
	if (len > 0 && hp[0] == '[') {
		const char *end = memchr(hp, ']', len);
		if (!end)
			return false;                  /* missing ']' */
		size_t e = (size_t)(end - hp);
		if (e + 1 == len)
			return false;                  /* missing port */
		if (e + 1 != i)
			return false;                  /* too many colons / missing port */
		*hs = 1;
		*he = e;
		j = 1;
		k = e + 1;
	} else {
		if (memchr(hp, ':', i))
			return false;                  /* too many colons */
		*hs = 0;
		*he = i;
	}
	if (memchr(hp + j, '[', len - j))
		return false;
	if (memchr(hp + k, ']', len - k))
		return false;
	*ps = i + 1;
	return true;
}

int target_split(const char *target, const char *default_port, char *host, size_t hostcap, char *port,
                 size_t portcap)
{
	size_t len = strlen(target), hs, he, ps;
	if (split_host_port(target, len, &hs, &he, &ps)) {
		int r = copy_out(host, hostcap, target + hs, he - hs);
		if (r == 0)
			r = copy_out(port, portcap, target + ps, len - ps);
		return r;
	}
	int r = copy_out(host, hostcap, target, len);
	if (r == 0)
		r = copy_out(port, portcap, default_port, strlen(default_port));
	return r;
}

/* Go's parser allows no leading zeros in IPv4 octets ("127.0.0.01" is not an IP to Go, and a name
 * lookup follows), where inet_pton reads them as decimal. Checks the dotted part, if any: the text
 * after the last ':' (an IPv6 address may end in one). */
static bool dotted_octets_ok(const char *s)
{
	const char *p = strrchr(s, ':');
	p = p ? p + 1 : s;
	if (!strchr(p, '.'))
		return true;
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		if (n > 1 && p[0] == '0')
			return false;
		if (!dot)
			break;
		p = dot + 1;
	}
	return true;
}

bool target_parse_ip(const char *s, target_ip_t *ip)
{
	struct in_addr a4;
	struct in6_addr a6;
	memset(ip, 0, sizeof(*ip));
	if (strchr(s, '%') || !dotted_octets_ok(s))
		return false;                      /* Go's ParseIP takes no zone, nor leading zeros */
	if (inet_pton(AF_INET, s, &a4) == 1) {
		ip->family = AF_INET;
		memcpy(ip->addr, &a4, 4);
		return true;
	}
	if (inet_pton(AF_INET6, s, &a6) == 1) {
		static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
		if (memcmp(a6.s6_addr, mapped, 12) == 0) {
			ip->family = AF_INET;
			memcpy(ip->addr, a6.s6_addr + 12, 4);
		} else {
			ip->family = AF_INET6;
			memcpy(ip->addr, a6.s6_addr, 16);
		}
		return true;
	}
	return false;
}

bool target_parse_ip_zone(const char *s, target_ip_t *ip)
{
	const char *pct = strrchr(s, '%');
	if (!pct || !strchr(s, ':'))
		return target_parse_ip(s, ip);
	char addr[INET6_ADDRSTRLEN];
	size_t n = (size_t)(pct - s);
	const char *zone = pct + 1;
	struct in6_addr a6;
	if (n >= sizeof(addr) || strlen(zone) >= sizeof(ip->zone))
		return false;
	memcpy(addr, s, n);
	addr[n] = '\0';
	if (strchr(addr, '%') || !dotted_octets_ok(addr) || inet_pton(AF_INET6, addr, &a6) != 1)
		return false;
	memset(ip, 0, sizeof(*ip));
	ip->family = AF_INET6;             /* Go keeps a zoned v4-mapped address IPv6 (To4 folds it) */
	memcpy(ip->addr, a6.s6_addr, 16);
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	if (memcmp(a6.s6_addr, mapped, 12) == 0) {
		ip->family = AF_INET;
		memcpy(ip->addr, a6.s6_addr + 12, 4);
		memset(ip->addr + 4, 0, 12);
		return true;                   /* a v4 address has no zone in Go's String() */
	}
	strcpy(ip->zone, zone);
	ip->scope = *zone ? if_nametoindex(zone) : 0;
	if (*zone && ip->scope == 0) {
		uint32_t v = 0;                /* Go's zone cache: else the leading digits (dtoi) */
		for (const char *q = zone; *q >= '0' && *q <= '9' && v < 0xFFFFFF; q++)
			v = v * 10 + (uint32_t)(*q - '0');
		ip->scope = v;
	}
	return true;
}

/* The key Go files a hosts name under (absDomainName): a final dot added to names with a dot. */
static size_t hosts_key(const char *s, size_t n, char *out, size_t cap)
{
	if (n + 2 > cap)
		return 0;
	for (size_t i = 0; i < n; i++)
		out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
	if (memchr(s, '.', n) && s[n - 1] != '.')
		out[n++] = '.';
	out[n] = '\0';
	return n;
}

size_t target_hosts_lookup(const char *text, size_t len, const char *name, target_ip_t *out, size_t cap)
{
	char want[300], key[300];
	size_t nl = strlen(name), found = 0;
	if (nl == 0 || !hosts_key(name, nl, want, sizeof(want)))
		return 0;
	const char *p = text, *end = text + len;
	while (p < end && found < cap) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *le = eol ? eol : end;
		const char *hash = memchr(p, '#', (size_t)(le - p));
		const char *fe = hash ? hash : le;
		/* fields split on space, tab and CR, as Go's getFields; the first is the address */
		bool first = true;
		target_ip_t ip;
		for (const char *q = p; q < fe;) {
			while (q < fe && (*q == ' ' || *q == '\t' || *q == '\r'))
				q++;
			if (q >= fe)
				break;
			const char *s = q;
			while (q < fe && *q != ' ' && *q != '\t' && *q != '\r')
				q++;
			if (first) {
				char a[80];
				size_t n = (size_t)(q - s);
				if (n >= sizeof(a))
					break;
				memcpy(a, s, n);
				a[n] = '\0';
				if (!target_parse_ip_zone(a, &ip))
					break;
				first = false;
				continue;
			}
			if (hosts_key(s, (size_t)(q - s), key, sizeof(key)) && strcmp(key, want) == 0) {
				out[found++] = ip;
				break;                 /* one address per line, however often it names the host */
			}
		}
		p = eol ? eol + 1 : end;
	}
	return found;
}

bool target_is_domain_name(const char *s)
{
	if (strcmp(s, ".") == 0)
		return true;
	size_t l = strlen(s);
	if (l == 0 || l > 254 || (l == 254 && s[l - 1] != '.'))
		return false;
	char last = '.';
	bool non_numeric = false;
	size_t partlen = 0;
	for (size_t i = 0; i < l; i++) {
		char c = s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') {
			non_numeric = true;
			partlen++;
		} else if (c >= '0' && c <= '9') {
			partlen++;
		} else if (c == '-') {
			if (last == '.')
				return false;
			partlen++;
			non_numeric = true;
		} else if (c == '.') {
			if (last == '.' || last == '-' || partlen > 63 || partlen == 0)
				return false;
			partlen = 0;
		} else {
			return false;
		}
		last = c;
	}
	if (last == '-' || partlen > 63)
		return false;
	return non_numeric;
}

int target_port(const char *s, bool tcp, uint16_t *port)
{
	if (*s == '\0') {
		*port = 0;                          /* Go dials port 0 for "host:" */
		return 0;
	}
	bool digits = true, neg = false, sign = false;
	unsigned long v = 0;
	if (*s == '+' || *s == '-') {       /* Go's parsePort takes a sign */
		neg = *s == '-';
		sign = true;
		s++;
	}
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9') {
			digits = false;
			break;
		}
		if (v <= 65535)
			v = v * 10 + (unsigned long)(*p - '0');
	}
	if (digits) {
		if (v > 65535 || (neg && v != 0))
			return NSP_EINVAL;
		*port = (uint16_t)v;
		return 0;
	}
	struct servent se, *res = NULL;
	char scratch[1024];
	if (sign ||
	    getservbyname_r(s, tcp ? "tcp" : "udp", &se, scratch, sizeof(scratch), &res) != 0 || !res)
		return NSP_ENOENT;
	*port = ntohs((uint16_t)res->s_port);
	return 0;
}

uint32_t target_ip_hash(const target_ip_t *ip)
{
	uint32_t h = 0x811c9dc5u;
	size_t n = ip->family == AF_INET ? 4 : 16;
	for (size_t i = 0; i < n; i++) {
		h ^= ip->addr[i];
		h *= 0x01000193u;
	}
	return h;
}

void target_ip_str(const target_ip_t *ip, char *out, size_t outlen)
{
	if (!inet_ntop(ip->family, ip->addr, out, (socklen_t)outlen) && outlen)
		out[0] = '\0';
	else if (ip->family == AF_INET6 && ip->zone[0]) {
		size_t n = strlen(out);
		snprintf(out + n, outlen - n, "%%%s", ip->zone);
	}
}

void target_join(const target_ip_t *ip, uint16_t port, char *out, size_t outlen)
{
	char a[64];
	target_ip_str(ip, a, sizeof(a));
	if (ip->family == AF_INET6)
		snprintf(out, outlen, "[%s]:%u", a, port);
	else
		snprintf(out, outlen, "%s:%u", a, port);
}

socklen_t target_sockaddr(const target_ip_t *ip, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (ip->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, ip->addr, 4);
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	sin6->sin6_scope_id = ip->scope;
	memcpy(&sin6->sin6_addr, ip->addr, 16);
	return sizeof(*sin6);
}
