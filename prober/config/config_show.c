/* config_show -- the loaded config as blackbox_exporter's /config shows it: yaml.v3's Marshal of
 * config.Config (4-space indent, map keys sorted, sequences indented under their key).
 *
 * Each module's yaml.v2 dump (config_dump.c) already has the fields, defaults, order and quoting;
 * yaml.v3 differs in layout only, so the dumps are re-indented here rather than emitted twice. */
#include "config/config_show.h"

#include <stdlib.h>
#include <string.h>

#include "config/yamldoc.h"
#include "lib/buf.h"
#include "lib/errors.h"

static int by_name(const void *a, const void *b)
{
	const config_module_t *const *x = a, *const *y = b;
	return strcmp((*x)->name, (*y)->name);
}

/* yaml.v2 (2-space indent, sequence items at their key's indent) → yaml.v3 (4-space indent, items one
 * level deeper, an item's mapping keys 2 columns after its "- "). A stack holds, for each sequence the
 * current line is inside, the v2 column of its items and the v3 column they were given. */
typedef struct seq {
	size_t v2, v3;
} seq_t;

static size_t v3_column(const seq_t *stack, size_t n, size_t base, size_t sp)
{
	if (n == 0)
		return base + sp * 2;
	const seq_t *top = &stack[n - 1];
	return top->v3 + 2 + (sp - top->v2 - 2) * 2;     /* inside the item: sp >= top->v2 + 2 */
}

static void reindent(buf_t *out, const char *dump, size_t base)
{
	seq_t stack[64];
	size_t n = 0;
	for (const char *line = dump; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		size_t sp = 0;
		while (sp < len && line[sp] == ' ')
			sp++;
		bool item = len >= sp + 2 && line[sp] == '-' && line[sp + 1] == ' ';
		while (n > 0 && (sp < stack[n - 1].v2 || (sp == stack[n - 1].v2 && !item) ||
		                 (sp > stack[n - 1].v2 && sp < stack[n - 1].v2 + 2)))
			n--;
		size_t col;
		if (item && n > 0 && stack[n - 1].v2 == sp) {
			col = stack[n - 1].v3;
		} else if (item) {
			col = v3_column(stack, n, base, sp) + 4;
			if (n < sizeof(stack) / sizeof(stack[0]))
				stack[n++] = (seq_t){ .v2 = sp, .v3 = col };
		} else {
			col = v3_column(stack, n, base, sp);
		}
		for (size_t i = 0; i < col; i++)
			buf_putc(out, ' ');
		buf_append(out, line + sp, len - sp);
		buf_putc(out, '\n');
		line += len + (nl ? 1 : 0);
	}
}

int config_show_yaml(const config_t *c, buf_t *out)
{
	if (c->n_modules == 0) {
		buf_puts(out, "modules: {}\n");
		return buf_ok(out) ? 0 : NSP_ENOMEM;
	}
	const config_module_t **sorted = calloc(c->n_modules, sizeof(*sorted));
	if (!sorted)
		return NSP_ENOMEM;
	for (size_t i = 0; i < c->n_modules; i++)
		sorted[i] = &c->modules[i];
	qsort(sorted, c->n_modules, sizeof(*sorted), by_name);
	buf_puts(out, "modules:\n");
	for (size_t i = 0; i < c->n_modules; i++) {
		const config_module_t *m = sorted[i];
		buf_puts(out, "    ");
		if (yamldoc_needs_quotes_v2(m->name)) {
			buf_putc(out, '"');
			for (const char *p = m->name; *p; p++) {
				if (*p == '"' || *p == '\\')
					buf_putc(out, '\\');
				buf_putc(out, *p);
			}
			buf_putc(out, '"');
		} else {
			buf_puts(out, m->name);
		}
		const char *dump = m->debug_yaml ? m->debug_yaml : "{}\n";
		if (strcmp(dump, "{}\n") == 0) {
			buf_puts(out, ": {}\n");
			continue;
		}
		buf_puts(out, ":\n");
		reindent(out, dump, 8);
	}
	free(sorted);
	return buf_ok(out) ? 0 : NSP_ENOMEM;
}
