/* Unit tests for tlscreds.c: a tls_config's credentials, built once with the config snapshot, with
 * blackbox's error texts kept as data for the probe, and shared by the modules of one snapshot that
 * name the same files. (Moved here from test_dot.c with the credentials.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/config.h"
#include "config/tlscreds.h"
#include "lib/errors.h"

static char *write_temp(const char *text)
{
	char *path = strdup("/tmp/nsprobe-test-tlscreds-XXXXXX");
	assert_non_null(path);
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	size_t n = strlen(text);
	assert_int_equal(write(fd, text, n), (ssize_t)n);
	close(fd);
	return path;
}

static void expect_error(const tlscreds_files_t *f, const char *want)
{
	tlscreds_t *c = NULL;
	assert_int_equal(tlscreds_new(f, &c), 0);
	assert_non_null(c);
	assert_non_null(tlscreds_error(c));
	assert_string_equal(tlscreds_error(c), want);
	assert_null(tlscreds_cred(c));
	tlscreds_unref(c);
}

static void test_errors_as_blackbox(void **state)
{
	(void)state;
	char want[512];
	tlscreds_files_t f = { .ca_file = "/nonexistent/ca.pem" };
	expect_error(&f, "unable to load specified CA cert /nonexistent/ca.pem: open "
	                 "/nonexistent/ca.pem: no such file or directory");

	char *garbage = write_temp("this is not a certificate\n");
	f = (tlscreds_files_t){ .ca_file = garbage };
	snprintf(want, sizeof(want), "unable to use specified CA cert %s", garbage);
	expect_error(&f, want);

	f = (tlscreds_files_t){ .cert_file = "/x/c.pem" };
	expect_error(&f, "client cert file \"/x/c.pem\" specified without client key file");
	f = (tlscreds_files_t){ .key_file = "/x/k.pem" };
	expect_error(&f, "client key file \"/x/k.pem\" specified without client cert file");
	f = (tlscreds_files_t){ .cert_file = "/x/c.pem", .key_file = "/x/k.pem" };
	expect_error(&f, "unable to use specified client cert (/x/c.pem) & key (/x/k.pem): open "
	                 "/x/c.pem: no such file or directory");
	f = (tlscreds_files_t){ .min_version = "TLS13", .max_version = "TLS12" };
	expect_error(&f, "tls_config.max_version must be greater than or equal to "
	                 "tls_config.min_version if both are specified");
	unlink(garbage);
	free(garbage);
}

/* No files: the system trust store; "" counts as absent, as in Go. */
static void test_system_trust(void **state)
{
	(void)state;
	tlscreds_files_t f = { .ca_file = "", .min_version = "TLS12" };
	tlscreds_t *c = NULL;
	assert_int_equal(tlscreds_new(&f, &c), 0);
	assert_null(tlscreds_error(c));
	assert_non_null(tlscreds_cred(c));
	assert_true(tlscreds_same(c, &(tlscreds_files_t){ .min_version = "TLS12" }));
	assert_false(tlscreds_same(c, &(tlscreds_files_t){ .min_version = "TLS13" }));
	assert_false(tlscreds_same(c, &(tlscreds_files_t){ .ca_file = "/x", .min_version = "TLS12" }));
	assert_ptr_equal(tlscreds_ref(c), c);
	tlscreds_unref(c);
	tlscreds_unref(c);
	tlscreds_unref(NULL);
	assert_int_equal(tlscreds_version("TLS10"), 0);
	assert_int_equal(tlscreds_version("TLS13"), 3);
	assert_int_equal(tlscreds_version("TLS14"), -1);
	assert_int_equal(tlscreds_version(NULL), -1);
}

static const char *const MODULES =
	"modules:\n"
	"  a:\n    prober: dns\n    dns:\n      query_name: x\n      transport_protocol: tcp\n"
	"      dns_over_tls: true\n      tls_config: {ca_file: %s}\n"
	"  b:\n    prober: dns\n    dns:\n      query_name: x\n      transport_protocol: tcp\n"
	"      dns_over_tls: true\n      tls_config: {ca_file: %s, server_name: b.test}\n"
	"  c:\n    prober: dns\n    dns:\n      query_name: x\n      dns_over_tls: true\n"
	"  plain:\n    prober: dns\n    dns:\n      query_name: x\n      tls_config: {ca_file: /nonexistent}\n";

/* The snapshot builds the credentials at load: a missing file is not a load error (blackbox fails
 * the probe), modules naming the same files share one set, and a module without DoT gets none (its
 * files are never read, as in blackbox). Once loaded, a change to the file is not seen: the files
 * are read with the snapshot, not per probe. */
static void test_built_with_the_snapshot(void **state)
{
	(void)state;
	char *garbage = write_temp("this is not a certificate\n");
	char text[2048], err[512];
	snprintf(text, sizeof(text), MODULES, garbage, garbage);
	config_t *cfg = NULL;
	assert_int_equal(config_load_text("blackbox.yml", text, strlen(text), &cfg, err, sizeof(err)), 0);
	unlink(garbage);                           /* read already: the snapshot does not see this */

	const config_module_t *a = config_module_get(cfg, "a"), *b = config_module_get(cfg, "b");
	const config_module_t *c = config_module_get(cfg, "c"), *plain = config_module_get(cfg, "plain");
	assert_non_null(a->dns.tls_creds);
	assert_ptr_equal(a->dns.tls_creds, b->dns.tls_creds);
	char want[512];
	snprintf(want, sizeof(want), "unable to use specified CA cert %s", garbage);
	assert_string_equal(tlscreds_error(a->dns.tls_creds), want);
	assert_non_null(c->dns.tls_creds);
	assert_null(tlscreds_error(c->dns.tls_creds));
	assert_null(plain->dns.tls_creds);
	config_unref(cfg);
	free(garbage);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errors_as_blackbox),
		cmocka_unit_test(test_system_trust),
		cmocka_unit_test(test_built_with_the_snapshot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
