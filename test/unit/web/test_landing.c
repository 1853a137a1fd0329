/* test_landing -- web/landing's page from a history built by hand: each row's start (UTC and "N ago"
 * from the render time passed in), duration and a failure's reason row; the reload banner; the
 * per-module summary (counts, failing modules first, the last failure's time and target); and
 * everything a probe or a config can put there escaped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/config.h"
#include "web/history.h"
#include "web/landing.h"

#define SEC 1000000000LL
/* 2023-11-14 22:13:20 UTC */
#define T0 (1700000000LL * SEC)

static char *render(history_t *h, const config_t *cfg, const landing_reload_t *reload, int64_t now_ns)
{
	buf_t b = BUF_INIT;
	landing_render(&b, cfg, h, reload, now_ns);
	assert_true(buf_ok(&b));
	return buf_steal(&b);
}

static size_t count(const char *s, const char *sub)
{
	size_t n = 0;
	for (const char *p = strstr(s, sub); p; p = strstr(p + 1, sub))
		n++;
	return n;
}

/* Where sub first appears in s; fails the test when it does not. */
static size_t at(const char *s, const char *sub)
{
	const char *p = strstr(s, sub);
	if (!p)
		fail_msg("missing from the page: %s", sub);
	return (size_t)(p - s);
}

static void has(const char *s, const char *sub)
{
	(void)at(s, sub);
}

static void lacks(const char *s, const char *sub)
{
	if (strstr(s, sub))
		fail_msg("on the page but should not be: %s", sub);
}

static void test_empty(void **state)
{
	(void)state;
	history_t *h = history_new(4);
	assert_non_null(h);
	char *page = render(h, NULL, NULL, T0);
	has(page, "No probes yet.");
	has(page, "no <code>prober: dns</code> module");
	lacks(page, "id=\"summary\"");
	lacks(page, "id=\"reload-failed\"");
	lacks(page, "<script");
	/* blackbox's links and columns stay */
	has(page, "<a href=\"metrics\">Metrics</a>");
	has(page, "<a href=\"config\">Configuration</a>");
	has(page, "<th>Module</th><th>Target</th><th>Result</th><th>Started</th><th>Duration</th><th>Debug</th>");
	has(page, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
	free(page);
	history_free(h);
}

static void test_rows(void **state)
{
	(void)state;
	history_t *h = history_new(4);
	assert_non_null(h);
	history_facts_t ok = { .start_ns = T0, .duration_s = 0.0123 };
	history_facts_t bad = { .start_ns = T0 + SEC + SEC / 2, .duration_s = 1.5,
	                        .reason = "msg=\"bad <b>\" err=x&y" };
	assert_int_equal(history_add(h, "dns_a", "a:53", NULL, true, &ok), 0);
	assert_int_equal(history_add(h, "dns_<m>", "<i>t</i>&\"q'", NULL, false, &bad), 1);
	char *page = render(h, NULL, NULL, T0 + 14 * SEC);

	/* the failure, newest first, marked and escaped */
	size_t fail = at(page, "<tr id=\"p1\" class=\"fail\"><td class=\"module\" data-label=\"Module\">"
	                       "dns_&lt;m&gt;</td><td class=\"target\" data-label=\"Target\">"
	                       "&lt;i&gt;t&lt;/i&gt;&amp;&#34;q&#39;</td>"
	                       "<td class=\"result\" data-label=\"Result\">Failure</td>");
	lacks(page, "<i>t</i>");
	lacks(page, "<m>");
	has(page, "<td class=\"started\" data-label=\"Started\"><time datetime=\"2023-11-14T22:13:21Z\">"
	          "2023-11-14 22:13:21 UTC</time> <span class=\"ago\">12 s ago</span></td>"
	          "<td class=\"duration\" data-label=\"Duration\">1.50 s</td>");
	has(page, "<a href='logs?id=1'>Logs</a><a href=\"probe?module=dns_%3Cm%3E&amp;target="
	          "%3Ci%3Et%3C%2Fi%3E%26%22q%27&amp;debug=true\">Run again</a>");
	/* its reason, right under it, escaped, across the whole row */
	size_t why = at(page, "<tr class=\"fail why\"><td colspan=\"6\" data-label=\"Why\"><code class=\"why\">"
	                      "msg=&#34;bad &lt;b&gt;&#34; err=x&amp;y</code></td></tr>");
	lacks(page, "bad <b>");
	assert_int_equal(count(page, "class=\"fail why\""), 1);     /* the success has none */

	/* the success after it */
	size_t okrow = at(page, "<tr id=\"p0\" class=\"ok\"><td class=\"module\" data-label=\"Module\">dns_a</td>");
	has(page, "2023-11-14 22:13:20 UTC</time> <span class=\"ago\">14 s ago</span></td>"
	          "<td class=\"duration\" data-label=\"Duration\">12.3 ms</td>");
	assert_true(fail < why && why < okrow);
	free(page);
	history_free(h);
}

/* A duration that is not a number, infinite, negative or huge still renders as text a person reads. */
static void assert_duration(double d, const char *want)
{
	history_t *h = history_new(1);
	assert_non_null(h);
	history_facts_t f = { .start_ns = T0, .duration_s = d };
	history_add(h, "m", "t", NULL, true, &f);
	char *page = render(h, NULL, NULL, T0);
	has(page, want);
	assert_null(strstr(page, "nan"));
	assert_null(strstr(page, "inf s"));
	free(page);
	history_free(h);
}

static void test_odd_durations(void **state)
{
	(void)state;
	assert_duration(NAN, "&ndash;");
	assert_duration(INFINITY, "&ndash;");
	assert_duration(-1, "&ndash;");
	assert_duration(1e300, "1e+300 s");
	assert_duration(0.0123, "12.3 ms");
}

/* One row started `ago` before the render: its "N ago" text. */
static void assert_ago(int64_t ago, const char *want)
{
	history_t *h = history_new(1);
	assert_non_null(h);
	history_facts_t f = { .start_ns = T0, .duration_s = 0 };
	history_add(h, "m", "t", NULL, true, &f);
	char *page = render(h, NULL, NULL, T0 + ago);
	char span[64];
	snprintf(span, sizeof span, "<span class=\"ago\">%s</span>", want);
	has(page, span);
	free(page);
	history_free(h);
}

static void test_ago_and_unknowns(void **state)
{
	(void)state;
	assert_ago(0, "0 s ago");
	assert_ago(59 * SEC + SEC - 1, "59 s ago");
	assert_ago(60 * SEC, "1 min ago");
	assert_ago(3599 * SEC, "59 min ago");
	assert_ago(5 * 3600 * SEC, "5 h ago");
	assert_ago(3 * 86400 * SEC, "3 d ago");
	assert_ago(-5 * SEC, "0 s ago");            /* the clock stepped back */
	/* no facts: the start is unknown, the duration a dash, and nothing "ago" */
	history_t *h = history_new(1);
	assert_non_null(h);
	history_add(h, "m", "t", NULL, false, NULL);
	char *page = render(h, NULL, NULL, T0);
	has(page, "<td class=\"started\" data-label=\"Started\">unknown </td>"
	          "<td class=\"duration\" data-label=\"Duration\">&ndash;</td>");
	lacks(page, "class=\"fail why\"");          /* a failure without a reason: no reason row */
	lacks(page, "<span class=\"ago\">");
	free(page);
	history_free(h);
}

static void test_banner(void **state)
{
	(void)state;
	history_t *h = history_new(2);
	assert_non_null(h);
	history_add(h, "dns_a", "a:53", NULL, false, NULL);
	landing_reload_t fine = { .ok = true, .loaded_ns = T0, .failed_ns = T0 - SEC, .why = "old" };
	char *page = render(h, NULL, &fine, T0 + SEC);
	lacks(page, "reload-failed");
	free(page);

	landing_reload_t failed = {
		.ok = false,
		.loaded_ns = T0,
		.failed_ns = T0 + 120 * SEC,
		.why = "error parsing config file: b.yml:8:5: <b>bogus</b>: field <b>bogus</b> not found",
	};
	page = render(h, NULL, &failed, T0 + 150 * SEC);
	size_t banner = at(page, "<div class=\"banner\" id=\"reload-failed\" role=\"alert\">");
	has(page, "reload failed</strong> at <time datetime=\"2023-11-14T22:15:20Z\">2023-11-14 22:15:20 UTC</time> "
	          "<span class=\"ago\">30 s ago</span>:<code class=\"why\">error parsing config file: b.yml:8:5: "
	          "&lt;b&gt;bogus&lt;/b&gt;: field &lt;b&gt;bogus&lt;/b&gt; not found</code>");
	lacks(page, "<b>bogus</b>");
	has(page, "The running configuration is the one loaded at <time datetime=\"2023-11-14T22:13:20Z\">"
	          "2023-11-14 22:13:20 UTC</time> <span class=\"ago\">2 min ago</span>, and is stale");
	/* at the top: before the summary and the table */
	assert_true(banner < at(page, "id=\"summary\""));
	assert_true(banner < at(page, "Recent Probes"));
	assert_true(at(page, "</header>") < banner);
	free(page);
	history_free(h);
}

static void test_summary(void **state)
{
	(void)state;
	history_t *h = history_new(8);
	assert_non_null(h);
	history_facts_t f = { .duration_s = 0.001 };
	/* id: module, target, ok */
	static const struct {
		const char *module, *target;
		bool ok;
	} add[] = {
		{ "dns_c", "c:53", true },       /* 0 */
		{ "dns_b", "b1:53", false },     /* 1 */
		{ "dns_a", "a1:53", false },     /* 2: dns_a's older failure */
		{ "dns_a", "<x>:53", false },    /* 3: dns_a's last failure */
		{ "dns_b", "b2:53", true },      /* 4 */
		{ "dns_a", "a2:53", true },      /* 5 */
	};
	for (size_t i = 0; i < sizeof add / sizeof add[0]; i++) {
		f.start_ns = T0 + (int64_t)i * 60 * SEC;
		history_add(h, add[i].module, add[i].target, NULL, add[i].ok, &f);
	}
	char *page = render(h, NULL, NULL, T0 + 10 * 60 * SEC);
	size_t sum = at(page, "<section id=\"summary\">");
	assert_true(sum < at(page, "Recent Probes"));
	/* failing modules first, newest failure first (dns_a's at id 3, dns_b's at 1), then the rest */
	size_t a = at(page, "<tr class=\"fail\"><td class=\"module\">dns_a</td>"
	                    "<td class=\"num\" data-label=\"Probes\">3</td>"
	                    "<td class=\"num bad\" data-label=\"Failures\">2</td>"
	                    "<td class=\"last\" data-label=\"Last failure\"><a href=\"#p3\">"
	                    "<time datetime=\"2023-11-14T22:16:20Z\">2023-11-14 22:16:20 UTC</time></a> "
	                    "<span class=\"ago\">7 min ago</span> on &lt;x&gt;:53</td></tr>");
	size_t b = at(page, "<tr class=\"fail\"><td class=\"module\">dns_b</td>"
	                    "<td class=\"num\" data-label=\"Probes\">2</td>"
	                    "<td class=\"num bad\" data-label=\"Failures\">1</td>"
	                    "<td class=\"last\" data-label=\"Last failure\"><a href=\"#p1\">");
	size_t c = at(page, "<tr class=\"ok\"><td class=\"module\">dns_c</td>"
	                    "<td class=\"num\" data-label=\"Probes\">1</td>"
	                    "<td class=\"num\" data-label=\"Failures\">0</td>"
	                    "<td class=\"last\" data-label=\"Last failure\">none</td></tr>");
	assert_true(sum < a && a < b && b < c);
	lacks(page, "on <x>");
	/* the rows the summary links to exist */
	has(page, "<tr id=\"p3\" class=\"fail\">");
	has(page, "<tr id=\"p1\" class=\"fail\">");
	free(page);
	history_free(h);
}

/* The form lists the dns modules of the config, escaped, as before. */
static void test_form(void **state)
{
	(void)state;
	config_t *cfg = NULL;
	char err[512];
	assert_int_equal(config_load(TEST_DATA_DIR "/blackbox-0.23/test-modules.yml", &cfg, err, sizeof err), 0);
	history_t *h = history_new(1);
	assert_non_null(h);
	char *page = render(h, cfg, NULL, T0);
	has(page, "<section id=\"run\">");
	has(page, "<form action=\"probe\" method=\"get\">");
	has(page, "<option value=\"dns_a\">");
	lacks(page, "no <code>prober: dns</code> module");
	has(page, "<a href=\"#run\">Run a probe</a>");
	free(page);
	history_free(h);
	config_unref(cfg);
}

static void test_escape(void **state)
{
	(void)state;
	buf_t b = BUF_INIT;
	landing_escape(&b, "<a href='x'>\"&\"</a>");
	assert_string_equal(buf_str(&b), "&lt;a href=&#39;x&#39;&gt;&#34;&amp;&#34;&lt;/a&gt;");
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_ago_and_unknowns),
		cmocka_unit_test(test_banner),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_form),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_odd_durations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
