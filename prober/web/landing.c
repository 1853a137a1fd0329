/* landing -- the landing page. blackbox's has links to a probe, /metrics and /config, then the
 * recent probes newest first with links to their logs (prober/history.go, main.go); ours keeps all of
 * that and adds what a person wants when a probe fails: a form to run one with debug output, a
 * "run again" link per row, and failures that stand out. It has to read well on a phone, so the
 * table scrolls sideways inside its box instead of widening the page. */
#include "web/landing.h"

#include <string.h>

static const char style[] =
	"*{box-sizing:border-box}"
	"body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 auto;max-width:60rem;"
	"padding:0 1rem 2rem;color:#1d2330;background:#fff;line-height:1.45}"
	"header{border-bottom:1px solid #d8dde6;margin-bottom:1rem}"
	"h1{font-size:1.6rem;margin:1rem 0 .2rem}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}"
	"nav a{margin-right:1rem}a{color:#1f5fbf}"
	".sub{color:#5a6475;margin:.2rem 0 .8rem;font-size:.95rem}"
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
	"th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid #e3e7ee;white-space:nowrap}"
	"td.target{white-space:normal;overflow-wrap:anywhere;min-width:8rem}"
	"td.links{white-space:normal}td.links a{margin-right:.8rem;white-space:nowrap}"
	"tr.fail td.result{color:#b3261e;font-weight:600}tr.ok td.result{color:#1e7b34}"
	".empty{color:#5a6475}";

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

typedef struct rows {
	buf_t *out;
	size_t n;
} rows_t;

static void row(void *ctx, const history_entry_t *e)
{
	rows_t *r = ctx;
	buf_t *out = r->out;
	r->n++;
	buf_printf(out, "<tr class=\"%s\"><td>", e->success ? "ok" : "fail");
	landing_escape(out, e->module);
	buf_puts(out, "</td><td class=\"target\">");
	landing_escape(out, e->target);
	buf_printf(out, "</td><td class=\"result\">%s</td><td class=\"links\"><a href='logs?id=%llu'>Logs</a>",
	           e->success ? "Success" : "Failure", (unsigned long long)e->id);
	buf_puts(out, "<a href=\"probe?module=");
	url_escape(out, e->module);
	buf_puts(out, "&amp;target=");
	url_escape(out, e->target);
	buf_puts(out, "&amp;debug=true\">Run again</a></td></tr>\n");
}

void landing_render(buf_t *out, const config_t *cfg, history_t *history)
{
	buf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	              "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	              "<title>nsprobe</title>\n<style>");
	buf_puts(out, style);
	buf_puts(out, "</style>\n</head>\n<body>\n<header>\n<h1>nsprobe</h1>\n"
	              "<p class=\"sub\">DNS prober, compatible with Prometheus blackbox_exporter &middot; "
	              "version " NSPROBE_VERSION "</p>\n"
	              "<nav><a href=\"metrics\">Metrics</a><a href=\"config\">Configuration</a>"
	              "<a href=\"-/healthy\">Health</a></nav>\n</header>\n");

	buf_puts(out, "<section>\n<h2>Run a probe</h2>\n<form action=\"probe\" method=\"get\">\n"
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

	buf_puts(out, "<section>\n<h2>Recent Probes</h2>\n<div class=\"scroll\"><table>\n"
	              "<thead><tr><th>Module</th><th>Target</th><th>Result</th><th>Debug</th></tr>"
	              "</thead>\n<tbody>\n");
	rows_t r = { .out = out };
	history_each(history, row, &r);
	if (r.n == 0)
		buf_puts(out, "<tr><td colspan=\"4\" class=\"empty\">No probes yet.</td></tr>\n");
	buf_puts(out, "</tbody></table></div>\n</section>\n</body>\n</html>\n");
}
