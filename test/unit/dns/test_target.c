/* Unit tests for target.c: blackbox's target forms (reference §3.5), IP literals, ipHash (§3.8). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "lib/errors.h"
#include "dns/target.h"

static void split_case(const char *t, const char *defport, const char *host, const char *port)
{
	char h[256], p[64];
	assert_int_equal(target_split(t, defport, h, sizeof(h), p, sizeof(p)), 0);
	assert_string_equal(h, host);
	assert_string_equal(p, port);
}

static void test_split(void **state)
{
	(void)state;
	split_case("127.0.0.61", "53", "127.0.0.61", "53");
	split_case("127.0.0.61:53", "53", "127.0.0.61", "53");
	split_case("127.0.0.61:domain", "53", "127.0.0.61", "domain");
	split_case("127.0.0.61:", "53", "127.0.0.61", "");
	split_case("127.0.0.61:99999", "53", "127.0.0.61", "99999");
	split_case("[::1]:5361", "53", "::1", "5361");
	split_case("::1", "53", "::1", "53");
	split_case("[::1]", "53", "[::1]", "53");
	split_case("[127.0.0.61]:53", "53", "127.0.0.61", "53");
	split_case("[::ffff:127.0.0.61]:53", "53", "::ffff:127.0.0.61", "53");
	split_case(":53", "53", "", "53");
	split_case("dns://127.0.0.61", "53", "dns", "//127.0.0.61");
	split_case("localhost", "853", "localhost", "853");
	split_case("a]b:53", "53", "a]b:53", "53");
	split_case("[a:b]c:53", "53", "[a:b]c:53", "53");
	split_case("[::1]]:53", "53", "[::1]]:53", "53");
}

static void test_split_too_long(void **state)
{
	(void)state;
	char big[1000];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	char h[256], p[64];
	assert_int_equal(target_split(big, "53", h, sizeof(h), p, sizeof(p)), NSP_ERANGE);
}

static void test_parse_ip(void **state)
{
	(void)state;
	target_ip_t ip;
	assert_true(target_parse_ip("127.0.0.61", &ip));
	assert_int_equal(ip.family, AF_INET);
	assert_true(target_parse_ip("::ffff:127.0.0.61", &ip));
	assert_int_equal(ip.family, AF_INET);        /* To4() != nil */
	assert_true(target_parse_ip("::1", &ip));
	assert_int_equal(ip.family, AF_INET6);
	assert_false(target_parse_ip("127.000.000.061", &ip));
	assert_false(target_parse_ip("127.0.0.01", &ip));
	assert_false(target_parse_ip("0177.0.0.1", &ip));           /* inet_pton would read 177.0.0.1 */
	assert_false(target_parse_ip("::ffff:127.0.0.01", &ip));
	assert_true(target_parse_ip("10.0.0.0", &ip));
	assert_true(target_parse_ip("::ffff:0.0.0.0", &ip));
	assert_false(target_parse_ip("2130706493", &ip));
	assert_false(target_parse_ip("[::1]", &ip));
	assert_false(target_parse_ip("fe80::1%eth0", &ip));
	assert_false(target_parse_ip("", &ip));
}

static void test_hash(void **state)
{
	(void)state;
	static const struct { const char *ip; uint32_t h; } cases[] = {
		{ "127.0.0.61", 2662261369u }, { "127.0.0.1", 3668918509u }, { "127.0.0.62", 2611928512u },
		{ "::1", 1751717746u },        { "192.0.2.1", 1969986452u }, { "2001:db8::1", 1851458804u },
		{ "::ffff:127.0.0.61", 2662261369u },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		target_ip_t ip;
		assert_true(target_parse_ip(cases[i].ip, &ip));
		assert_int_equal(target_ip_hash(&ip), cases[i].h);
	}
}

static void test_domain_name(void **state)
{
	(void)state;
	assert_true(target_is_domain_name("ns1.example.com"));
	assert_true(target_is_domain_name("ns1.example.com."));
	assert_true(target_is_domain_name("_srv.x-y.test"));
	assert_true(target_is_domain_name("."));
	assert_true(target_is_domain_name("localhost"));
	assert_false(target_is_domain_name("127.0.0.01"));           /* all-numeric */
	assert_false(target_is_domain_name("2130706433"));
	assert_false(target_is_domain_name(""));
	assert_false(target_is_domain_name("a..b"));
	assert_false(target_is_domain_name("-a.b"));
	assert_false(target_is_domain_name("a-.b"));
	assert_false(target_is_domain_name("a b.test"));
	assert_false(target_is_domain_name("a\x01b"));
	assert_false(target_is_domain_name("[::1]"));
	char l64[80];
	memset(l64, 'a', 64);
	l64[64] = '\0';
	assert_false(target_is_domain_name(l64));
	l64[63] = '\0';
	assert_true(target_is_domain_name(l64));
}

static void test_port(void **state)
{
	(void)state;
	uint16_t p;
	assert_int_equal(target_port("53", false, &p), 0);
	assert_int_equal(p, 53);
	assert_int_equal(target_port("", false, &p), 0);
	assert_int_equal(p, 0);
	assert_int_equal(target_port("65535", true, &p), 0);
	assert_int_equal(target_port("99999", false, &p), NSP_EINVAL);
	assert_int_equal(target_port("999999999999999999999", false, &p), NSP_EINVAL);
	assert_int_equal(target_port("no-such-service-x", false, &p), NSP_ENOENT);
	/* Go's parsePort takes a sign; a signed name is looked up as written and is no service */
	assert_int_equal(target_port("+53", false, &p), 0);
	assert_int_equal(p, 53);
	assert_int_equal(target_port("-0", false, &p), 0);
	assert_int_equal(p, 0);
	assert_int_equal(target_port("-1", false, &p), NSP_EINVAL);
	assert_int_equal(target_port("+domain", false, &p), NSP_ENOENT);
}

/* Zoned IPv6 literals are IPs to Go (parseIPZone): the zone is kept, printed, and not hashed. */
static void test_parse_ip_zone(void **state)
{
	(void)state;
	target_ip_t ip, plain;
	char s[64];
	assert_true(target_parse_ip_zone("::1%lo", &ip));
	assert_int_equal(ip.family, AF_INET6);
	assert_string_equal(ip.zone, "lo");
	assert_int_not_equal(ip.scope, 0);           /* lo exists everywhere */
	target_ip_str(&ip, s, sizeof(s));
	assert_string_equal(s, "::1%lo");
	target_join(&ip, 53, s, sizeof(s));
	assert_string_equal(s, "[::1%lo]:53");
	assert_true(target_parse_ip("::1", &plain));
	assert_int_equal(target_ip_hash(&ip), target_ip_hash(&plain));
	assert_int_equal(target_ip_hash(&ip), 1751717746u);   /* blackbox's, for [::1%lo] */
	assert_true(target_parse_ip_zone("fe80::1%25lo", &ip));
	assert_string_equal(ip.zone, "25lo");
	assert_int_equal(ip.scope, 25);              /* no such interface: Go's dtoi of the zone */
	assert_int_equal(target_ip_hash(&ip), 3766760168u);
	assert_true(target_parse_ip_zone("fe80::1%", &ip));   /* an empty zone is no zone */
	assert_string_equal(ip.zone, "");
	assert_false(target_parse_ip_zone("127.0.0.1%lo", &ip));
	assert_false(target_parse_ip_zone("::1%lo%lo", &ip));
	assert_false(target_parse_ip_zone("host%lo", &ip));
	assert_false(target_parse_ip("::1%lo", &ip));        /* ParseIP itself takes no zone */
	assert_true(target_parse_ip_zone("127.0.0.1", &ip));
	assert_int_equal(ip.family, AF_INET);
}

/* /etc/hosts as Go 1.19 reads it (hosts.go: absDomainName keys). */
static void test_hosts(void **state)
{
	(void)state;
	static const char text[] =
	    "# comment 10.0.0.9 ns1.example.test\n"
	    "127.0.0.1\tlocalhost\n"
	    "127.0.0.53 NS1.Example.Test  ns1 # trailing comment\r\n"
	    "::1 ns1.example.test\n"
	    "fe80::1%lo linklocal.test\n"
	    "bogus ns1.example.test\n"
	    "10.0.0.1\n"
	    "127.0.0.54 dotted.test.\n";
	target_ip_t ips[4];
	char s[64];
	size_t len = sizeof(text) - 1;
	assert_int_equal(target_hosts_lookup(text, len, "ns1.example.test", ips, 4), 2);
	target_ip_str(&ips[0], s, sizeof(s));
	assert_string_equal(s, "127.0.0.53");
	target_ip_str(&ips[1], s, sizeof(s));
	assert_string_equal(s, "::1");
	/* a name with a dot matches with its final dot too, in any case */
	assert_int_equal(target_hosts_lookup(text, len, "ns1.EXAMPLE.test.", ips, 4), 2);
	assert_int_equal(target_hosts_lookup(text, len, "ns1.example.test", ips, 1), 1);
	/* a name without a dot only as written: "localhost." is not listed to Go */
	assert_int_equal(target_hosts_lookup(text, len, "localhost", ips, 4), 1);
	assert_int_equal(target_hosts_lookup(text, len, "localhost.", ips, 4), 0);
	assert_int_equal(target_hosts_lookup(text, len, "ns1", ips, 4), 1);
	assert_int_equal(target_hosts_lookup(text, len, "dotted.test", ips, 4), 1);
	assert_int_equal(target_hosts_lookup(text, len, "linklocal.test.", ips, 4), 1);
	target_ip_str(&ips[0], s, sizeof(s));
	assert_string_equal(s, "fe80::1%lo");
	assert_int_equal(target_hosts_lookup(text, len, "comment", ips, 4), 0);
	assert_int_equal(target_hosts_lookup(text, len, "10.0.0.1", ips, 4), 0);
	assert_int_equal(target_hosts_lookup(text, len, "", ips, 4), 0);
	assert_int_equal(target_hosts_lookup("127.0.0.1 last", 14, "last", ips, 4), 1);   /* no newline */
}

static void test_join(void **state)
{
	(void)state;
	target_ip_t ip;
	char out[64];
	assert_true(target_parse_ip("::1", &ip));
	target_join(&ip, 5361, out, sizeof(out));
	assert_string_equal(out, "[::1]:5361");
	assert_true(target_parse_ip("127.0.0.61", &ip));
	target_join(&ip, 53, out, sizeof(out));
	assert_string_equal(out, "127.0.0.61:53");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_split_too_long),
		cmocka_unit_test(test_parse_ip),
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_domain_name),
		cmocka_unit_test(test_port),
		cmocka_unit_test(test_join),
		cmocka_unit_test(test_parse_ip_zone),
		cmocka_unit_test(test_hosts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
