/* landing -- the landing page. blackbox's has links to a probe, /metrics and /config, then the
 * recent probes newest first with links to their logs (prober/history.go, main.go); ours keeps all of
 * that and answers what a person opens it for when something fails: what is failing, since when and
 * why, without a click. A banner says when the last config reload failed and why (the running config
 * is then stale); a per-module summary counts probes and failures; each row says when the probe ran
 * (UTC, and how long ago), how long it took, and, when it failed, its reason line under it. It has to
 * read well on a phone: below 40rem both tables stack into one card per row, each cell labelled,
 * and every wide text wraps, so the page never scrolls sideways. */
#include "web/landing.h"

#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <time.h>

static const char style[] =
	"*{box-sizing:border-box}"
	"body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 auto;max-width:64rem;"
	"padding:0 1rem 2rem;color:#1d2330;background:#fff;line-height:1.45}"
	"header{border-bottom:1px solid #d8dde6;margin-bottom:1rem}"
	"h1{font-size:1.6rem;margin:1rem 0 .2rem}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}"
	"nav{display:flex;flex-wrap:wrap;gap:.2rem 1rem}nav a{white-space:nowrap}a{color:#1f5fbf}"
	".sub{color:#5a6475;margin:.2rem 0 .8rem;font-size:.95rem}"
	".banner{background:#fdecea;border:1px solid #e0a19c;border-left:.4rem solid #b3261e;"
	"border-radius:4px;padding:.7rem 1rem;margin:1rem 0;overflow-wrap:anywhere}"
	".banner strong{color:#b3261e}"
	"code{font-family:ui-monospace,'SFMono-Regular',Menlo,Consolas,monospace;font-size:.85rem}"
	"code.why{display:block;white-space:pre-wrap;overflow-wrap:anywhere;margin:.3rem 0}"
	"form{display:grid;gap:.6rem;grid-template-columns:1fr;background:#f5f7fa;padding:1rem;"
	"border:1px solid #d8dde6;border-radius:6px}"
	"@media(min-width:40rem){form{grid-template-columns:1fr 1fr auto auto;align-items:end}}"
	"label{display:flex;flex-direction:column;font-size:.85rem;color:#3b4454;gap:.2rem}"
	"label.check{flex-direction:row;align-items:center;gap:.4rem;font-size:.95rem;min-height:2.4rem}"
	"select,input[type=text]{font:inherit;padding:.45rem;border:1px solid #b9c1ce;border-radius:4px;"
	"min-width:0;width:100%;background:#fff;color:inherit}"
	"button{font:inherit;padding:.5rem 1.2rem;border:0;border-radius:4px;background:#1f5fbf;color:#fff}"
	".scroll{overflow-x:auto}"
	"table{border-collapse:collapse;width:100%;font-size:.92rem}"
	"th,td{text-align:left;padding:.4rem .5rem;border-top:1px solid #e3e7ee;white-space:nowrap;"
	"vertical-align:top}"
	"td.target,td.module,td.last{white-space:normal;overflow-wrap:anywhere;min-width:6rem}"
	".num{text-align:right}"
	"td.links{white-space:normal}td.links a{margin-right:.8rem;white-space:nowrap}"
	".ago{color:#5a6475;font-size:.85rem;white-space:nowrap}"
	"tr.fail td{background:#fdf3f2}tr.fail td:first-child{box-shadow:inset .25rem 0 #b3261e}"
	"tr.fail td.result,td.bad{color:#b3261e;font-weight:600}tr.ok td.result{color:#1e7b34}"
	"tr.why td{border-top:0;padding-top:0;white-space:normal}"
	".empty{color:#5a6475}"
	"@media(max-width:40rem){"
	"table.stack thead{display:none}"
	"table.stack,table.stack tbody,table.stack tr,table.stack td{display:block;width:100%}"
	"table.stack td{border:0;padding:.1rem .5rem;white-space:normal;overflow-wrap:anywhere;text-align:left}"
	"table.stack tr{border-top:1px solid #d8dde6;padding:.3rem 0}table.stack tr.why{border:0;padding:0}"
	"table.stack td[data-label]::before{content:attr(data-label) \": \";color:#5a6475;font-size:.85rem}"
	"}";

void landing_escape(buf_t *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': buf_puts(out, "&lt;"); break;
		case '>': buf_puts(out, "&gt;"); break;
		case '&': buf_puts(out, "&amp;"); break;
		case '\'': buf_puts(out, "&#39;"); break;
		case '"': buf_puts(out, "&#34;"); break;
		default: buf_putc(out, *s);
		}
	}
}

/* A query-string component, percent-encoded (RFC 3986 unreserved bytes pass). */
static void url_escape(buf_t *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned char c = *p;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		    c == '.' || c == '_' || c == '~') {
			buf_putc(out, (char)c);
		} else {
			buf_putc(out, '%');
			buf_putc(out, hex[c >> 4]);
			buf_putc(out, hex[c & 15]);
		}
	}
}

/* "2026-12-07 21:33:21 UTC" in a <time> element (UTC: the page is read from anywhere). */
static void put_time(buf_t *out, int64_t ns)
{
	time_t t = (time_t)(ns / 1000000000);
	struct tm tm;
	char iso[32], text[32];
	if (ns <= 0 || !gmtime_r(&t, &tm) || !strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm) ||
	    !strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S UTC", &tm)) {
		buf_puts(out, "unknown");
		return;
	}
	buf_printf(out, "<time datetime=\"%s\">%s</time>", iso, text);
}

/* "12 s ago", "5 min ago", "3 h ago", "2 d ago": how long before the render (0 when the clock stepped
 * back). */
static void put_ago(buf_t *out, int64_t ns, int64_t now_ns)
{
	if (ns <= 0)
		return;
	int64_t s = now_ns > ns ? (now_ns - ns) / 1000000000 : 0;
	if (s < 60)
		buf_printf(out, "<span class=\"ago\">%lld s ago</span>", (long long)s);
	else if (s < 3600)
		buf_printf(out, "<span class=\"ago\">%lld min ago</span>", (long long)(s / 60));
	else if (s < 48 * 3600)
		buf_printf(out, "<span class=\"ago\">%lld h ago</span>", (long long)(s / 3600));
	else
		buf_printf(out, "<span class=\"ago\">%lld d ago</span>", (long long)(s / 86400));
}

static void put_duration(buf_t *out, double s)
{
	if (!isfinite(s) || s < 0)
		buf_puts(out, "&ndash;");
	else if (s < 1)
		buf_printf(out, "%.1f ms", s * 1e3);
	else if (s < 1e6)
		buf_printf(out, "%.2f s", s);
	else
		buf_printf(out, "%.3g s", s);
}

/* One module's line of the summary. */
typedef struct mod_stat {
	char *module;             /* owned */
	size_t probes, failures;
	uint64_t last_id;         /* of its newest failure (the row's anchor) */
	int64_t last_ns;
	char *last_target;        /* owned; NULL: no failure */
} mod_stat_t;

typedef struct walk {
	buf_t rows;               /* the probe table's rows, rendered in the same pass */
	size_t n;
	mod_stat_t *mods;         /* owned */
	size_t n_mods, cap_mods;
	bool oom;                 /* the summary is incomplete */
	int64_t now_ns;
} walk_t;

static mod_stat_t *mod_stat(walk_t *w, const char *module)
{
	for (size_t i = 0; i < w->n_mods; i++)
		if (strcmp(w->mods[i].module, module) == 0)
			return &w->mods[i];
	if (w->n_mods == w->cap_mods) {
		size_t cap = w->cap_mods ? 2 * w->cap_mods : 8;
		mod_stat_t *m = realloc(w->mods, cap * sizeof(*m));
		if (!m)
			return NULL;
		w->mods = m;
		w->cap_mods = cap;
	}
	mod_stat_t *m = &w->mods[w->n_mods];
	*m = (mod_stat_t){ .module = strdup(module) };
	if (!m->module)
		return NULL;
	w->n_mods++;
	return m;
}

/* Called newest first (history_each): a module's first failure seen is its last one. */
static void count(walk_t *w, const history_entry_t *e)
{
	mod_stat_t *m = w->oom ? NULL : mod_stat(w, e->module);
	if (!m) {
		w->oom = true;
		return;
	}
	m->probes++;
	if (e->success)
		return;
	if (m->failures++ == 0) {
		m->last_id = e->id;
		m->last_ns = e->start_ns;
		m->last_target = strdup(e->target);
		if (!m->last_target)
			w->oom = true;
	}
}

#define PROBE_COLUMNS 6

static void row(void *ctx, const history_entry_t *e)
{
	walk_t *w = ctx;
	buf_t *out = &w->rows;
	w->n++;
	count(w, e);
	/* The class stays exactly "ok" or "fail": blackbox-minded scrapers of this page read it. */
	buf_printf(out, "<tr id=\"p%llu\" class=\"%s\"><td class=\"module\" data-label=\"Module\">",
	           (unsigned long long)e->id, e->success ? "ok" : "fail");
	landing_escape(out, e->module);
	buf_puts(out, "</td><td class=\"target\" data-label=\"Target\">");
	landing_escape(out, e->target);
	buf_printf(out, "</td><td class=\"result\" data-label=\"Result\">%s</td>",
	           e->success ? "Success" : "Failure");
	buf_puts(out, "<td class=\"started\" data-label=\"Started\">");
	put_time(out, e->start_ns);
	buf_puts(out, " ");
	put_ago(out, e->start_ns, w->now_ns);
	buf_puts(out, "</td><td class=\"duration\" data-label=\"Duration\">");
	put_duration(out, e->duration_s);
	buf_printf(out, "</td><td class=\"links\"><a href='logs?id=%llu'>Logs</a>", (unsigned long long)e->id);
	buf_puts(out, "<a href=\"probe?module=");
	url_escape(out, e->module);
	buf_puts(out, "&amp;target=");
	url_escape(out, e->target);
	buf_puts(out, "&amp;debug=true\">Run again</a></td></tr>\n");
	if (!e->success && e->reason) {
		buf_printf(out, "<tr class=\"fail why\"><td colspan=\"%d\" data-label=\"Why\"><code class=\"why\">",
		           PROBE_COLUMNS);
		landing_escape(out, e->reason);
		buf_puts(out, "</code></td></tr>\n");
	}
}

/* Modules failing first, the latest failure first; then the rest by name. */
static int mod_cmp(const void *a, const void *b)
{
	const mod_stat_t *x = a, *y = b;
	if ((x->failures > 0) != (y->failures > 0))
		return x->failures > 0 ? -1 : 1;
	if (x->failures > 0 && x->last_id != y->last_id)
		return x->last_id > y->last_id ? -1 : 1;
	return strcmp(x->module, y->module);
}

static void banner(buf_t *out, const landing_reload_t *reload, int64_t now_ns)
{
	if (!reload || reload->ok)
		return;
	buf_puts(out, "<div class=\"banner\" id=\"reload-failed\" role=\"alert\"><strong>The last configuration "
	              "reload failed</strong> at ");
	put_time(out, reload->failed_ns);
	buf_puts(out, " ");
	put_ago(out, reload->failed_ns, now_ns);
	buf_puts(out, ":<code class=\"why\">");
	landing_escape(out, reload->why ? reload->why : "");
	buf_puts(out, "</code>The running configuration is the one loaded at ");
	put_time(out, reload->loaded_ns);
	buf_puts(out, " ");
	put_ago(out, reload->loaded_ns, now_ns);
	buf_puts(out, ", and is stale: changes to the file since then are not in effect.</div>\n");
}

static void summary(buf_t *out, walk_t *w)
{
	if (w->n_mods == 0)
		return;
	qsort(w->mods, w->n_mods, sizeof(*w->mods), mod_cmp);
	buf_puts(out, "<section id=\"summary\">\n<h2>Modules</h2>\n<div class=\"scroll\"><table class=\"summary stack\">\n"
	              "<thead><tr><th>Module</th><th class=\"num\">Probes</th><th class=\"num\">Failures</th>"
	              "<th>Last failure</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < w->n_mods; i++) {
		const mod_stat_t *m = &w->mods[i];
		buf_printf(out, "<tr class=\"%s\"><td class=\"module\">", m->failures ? "fail" : "ok");
		landing_escape(out, m->module);
		buf_printf(out, "</td><td class=\"num\" data-label=\"Probes\">%zu</td><td class=\"num%s\" "
		           "data-label=\"Failures\">%zu</td><td class=\"last\" data-label=\"Last failure\">",
		           m->probes, m->failures ? " bad" : "", m->failures);
		if (m->last_target) {
			buf_printf(out, "<a href=\"#p%llu\">", (unsigned long long)m->last_id);
			put_time(out, m->last_ns);
			buf_puts(out, "</a> ");
			put_ago(out, m->last_ns, w->now_ns);
			buf_puts(out, " on ");
			landing_escape(out, m->last_target);
		} else {
			buf_puts(out, "none");
		}
		buf_puts(out, "</td></tr>\n");
	}
	buf_puts(out, "</tbody></table></div>\n");
	if (w->oom)
		buf_puts(out, "<p class=\"empty\">Out of memory: the summary is incomplete.</p>\n");
	buf_puts(out, "<p class=\"sub\">Counted over the recent probes below (failures pushed out of them are "
	              "kept and counted too).</p>\n</section>\n");
}

static void form(buf_t *out, const config_t *cfg)
{
	buf_puts(out, "<section id=\"run\">\n<h2>Run a probe</h2>\n<form action=\"probe\" method=\"get\">\n"
	              "<label>Module<select name=\"module\" id=\"module\">\n");
	size_t ndns = 0;
	for (size_t i = 0; cfg && i < cfg->n_modules; i++) {
		const config_module_t *m = &cfg->modules[i];
		if (!m->prober || strcmp(m->prober, "dns") != 0)
			continue;
		ndns++;
		buf_puts(out, "<option value=\"");
		landing_escape(out, m->name);
		buf_puts(out, "\">");
		landing_escape(out, m->name);
		if (m->dns.query_name) {
			buf_puts(out, " (");
			landing_escape(out, m->dns.query_name);
			if (m->dns.query_type_name) {
				buf_putc(out, ' ');
				landing_escape(out, m->dns.query_type_name);
			}
			buf_putc(out, ')');
		}
		buf_puts(out, "</option>\n");
	}
	buf_puts(out, "</select></label>\n"
	              "<label>Target (nameserver)<input type=\"text\" name=\"target\" id=\"target\" required "
	              "placeholder=\"192.0.2.53, [2001:db8::53]:53, ns1.example.com\" autocapitalize=\"off\" "
	              "spellcheck=\"false\"></label>\n"
	              "<label class=\"check\"><input type=\"checkbox\" name=\"debug\" value=\"true\" checked>"
	              "Show logs</label>\n"
	              "<button type=\"submit\">Probe</button>\n</form>\n");
	if (ndns == 0)
		buf_puts(out, "<p class=\"empty\">The loaded configuration has no <code>prober: dns</code> "
		              "module.</p>\n");
	buf_puts(out, "</section>\n");
}

void landing_render(buf_t *out, const config_t *cfg, history_t *history, const landing_reload_t *reload,
                    int64_t now_ns)
{
	buf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	              "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	              "<title>nsprobe</title>\n<style>");
	buf_puts(out, style);
	buf_puts(out, "</style>\n</head>\n<body>\n<header>\n<h1>nsprobe</h1>\n"
	              "<p class=\"sub\">DNS prober, compatible with Prometheus blackbox_exporter &middot; "
	              "version " NSPROBE_VERSION "</p>\n"
	              "<nav><a href=\"metrics\">Metrics</a><a href=\"config\">Configuration</a>"
	              "<a href=\"-/healthy\">Health</a><a href=\"#run\">Run a probe</a></nav>\n</header>\n");
	banner(out, reload, now_ns);

	/* One pass under the history's lock renders the rows and counts the summary. */
	walk_t w = { .now_ns = now_ns };
	history_each(history, row, &w);
	summary(out, &w);

	buf_puts(out, "<section id=\"recent\">\n<h2>Recent Probes</h2>\n"
	              "<div class=\"scroll\"><table class=\"probes stack\">\n<thead><tr><th>Module</th><th>Target</th>"
	              "<th>Result</th><th>Started</th><th>Duration</th><th>Debug</th></tr></thead>\n<tbody>\n");
	if (!buf_ok(&w.rows))
		buf_printf(out, "<tr><td colspan=\"%d\" class=\"empty\">Out of memory.</td></tr>\n", PROBE_COLUMNS);
	else if (w.n == 0)
		buf_printf(out, "<tr><td colspan=\"%d\" class=\"empty\">No probes yet.</td></tr>\n", PROBE_COLUMNS);
	else
		buf_append(out, w.rows.p, w.rows.len);
	buf_puts(out, "</tbody></table></div>\n</section>\n");
	form(out, cfg);
	buf_puts(out, "</body>\n</html>\n");

	buf_free(&w.rows);
	for (size_t i = 0; i < w.n_mods; i++) {
		free(w.mods[i].module);
		free(w.mods[i].last_target);
	}
	free(w.mods);
}
