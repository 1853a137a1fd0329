/* yamlfile -- one YAML document from text, behind yaml.v3's or yaml.v2's limits; see yamlfile.h. */
#include "config/yamlfile.h"

#include <stdio.h>
#include <stdlib.h>

#include "config/yamlalias.h"
#include "config/yamldepth.h"

static yamlfile_status_t problem(yamlfile_problem_t *pr, yamlfile_status_t st, const yaml_mark_t *mark,
                                 const char *text)
{
	pr->status = st;
	snprintf(pr->text, sizeof pr->text, "%s", text ? text : "");
	pr->line = mark ? mark->line + 1 : 0;
	pr->column = mark ? mark->column + 1 : 0;
	return st;
}

yamlfile_status_t yamlfile_load(yamldoc_t *c, const char *text, size_t len, yamlfile_flavour_t flavour,
                                yamlfile_problem_t *pr)
{
	c->doc = NULL;
	*pr = (yamlfile_problem_t){ 0 };

	/* Before libyaml builds the document (it has no nesting limit, and its scanner took minutes
	 * over 100,000 `[`) or anything recurses over it */
	yaml_mark_t deep = { 0 };
	yamldepth_verdict_t dv = yamldepth_check(text, len, &deep);
	switch (dv) {
	case YAMLDEPTH_OK:
		break;
	case YAMLDEPTH_EXCEEDED:
	case YAMLDEPTH_COSTLY:
		return problem(pr, YAMLFILE_DEPTH, &deep, yamldepth_text(dv));
	case YAMLDEPTH_NOMEM:
		return problem(pr, YAMLFILE_NOMEM, NULL, "out of memory");
	}

	yaml_document_t *doc = malloc(sizeof *doc);
	yaml_parser_t parser;
	if (!doc)
		return problem(pr, YAMLFILE_NOMEM, NULL, "out of memory");
	if (!yaml_parser_initialize(&parser)) {
		free(doc);
		return problem(pr, YAMLFILE_NOMEM, NULL, "out of memory");
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, doc)) {
		yamlfile_status_t st = parser.error == YAML_MEMORY_ERROR
		                       ? problem(pr, YAMLFILE_NOMEM, NULL, "out of memory")
		                       : problem(pr, YAMLFILE_SYNTAX, &parser.problem_mark, parser.problem);
		yaml_parser_delete(&parser);
		free(doc);
		return st;
	}
	yaml_parser_delete(&parser);      /* the document holds copies of all it needs */

	/* Before anything follows an alias in libyaml's shared-node document: yaml.v3's alias rules */
	if (flavour == YAMLFILE_V3) {
		char anchor[128], why[sizeof pr->text];
		yaml_mark_t where = { 0 };
		yamlfile_status_t st = YAMLFILE_OK;
		switch (yamlalias_check(text, len, anchor, sizeof anchor, &where)) {
		case YAMLALIAS_OK:
			break;
		case YAMLALIAS_CYCLE:
			snprintf(why, sizeof why, "anchor '%s' value contains itself", anchor);
			st = problem(pr, YAMLFILE_ALIAS, &where, why);
			break;
		case YAMLALIAS_EXCESSIVE:
			st = problem(pr, YAMLFILE_ALIAS, NULL, "document contains excessive aliasing");
			break;
		case YAMLALIAS_NOMEM:
			st = problem(pr, YAMLFILE_NOMEM, NULL, "out of memory");
			break;
		}
		if (st != YAMLFILE_OK) {
			yaml_document_delete(doc);
			free(doc);
			return st;
		}
	}
	c->doc = doc;
	return YAMLFILE_OK;
}

void yamlfile_unload(yamldoc_t *c)
{
	if (!c->doc)
		return;
	yaml_document_delete(c->doc);
	free(c->doc);
	c->doc = NULL;
}
