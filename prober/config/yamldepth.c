/* yamldepth -- yaml.v3's nesting limit over libyaml's tokens; see yamldepth.h. */
#include <stdbool.h>

#include "config/yamldepth.h"

yamldepth_verdict_t yamldepth_check(const char *text, size_t len, yaml_mark_t *mark)
{
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p))
		return YAMLDEPTH_NOMEM;
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	yamldepth_verdict_t v = YAMLDEPTH_OK;
	size_t flow = 0, indents = 0;
	double steps = 0;        /* libyaml's scanner: one per open flow level per token */
	bool content = false, done = false;
	while (!done && v == YAMLDEPTH_OK) {
		yaml_token_t t;
		if (!yaml_parser_scan(&p, &t)) {
			if (p.error == YAML_MEMORY_ERROR)
				v = YAMLDEPTH_NOMEM;
			break;               /* a scanner error: the loader reports it */
		}
		switch (t.type) {
		case YAML_STREAM_END_TOKEN:
		case YAML_DOCUMENT_END_TOKEN:
			done = true;         /* yaml.v3's Decoder reads the first document only */
			break;
		case YAML_DOCUMENT_START_TOKEN:
			done = content;
			break;
		case YAML_STREAM_START_TOKEN:
		case YAML_VERSION_DIRECTIVE_TOKEN:
		case YAML_TAG_DIRECTIVE_TOKEN:
			break;
		case YAML_FLOW_SEQUENCE_START_TOKEN:
		case YAML_FLOW_MAPPING_START_TOKEN:
			content = true;
			if (++flow > YAMLDEPTH_MAX)          /* yaml_parser_increase_flow_level */
				v = YAMLDEPTH_EXCEEDED;
			break;
		case YAML_FLOW_SEQUENCE_END_TOKEN:
		case YAML_FLOW_MAPPING_END_TOKEN:
			content = true;
			if (flow)
				flow--;
			break;
		case YAML_BLOCK_SEQUENCE_START_TOKEN:
		case YAML_BLOCK_MAPPING_START_TOKEN:
			content = true;
			if (++indents > YAMLDEPTH_MAX)       /* yaml_parser_roll_indent */
				v = YAMLDEPTH_EXCEEDED;
			break;
		case YAML_BLOCK_END_TOKEN:
			content = true;
			if (indents)
				indents--;
			break;
		default:
			content = true;
			break;
		}
		steps += (double)flow;
		if (v == YAMLDEPTH_OK && steps > YAMLDEPTH_FLOW_STEPS)
			v = YAMLDEPTH_COSTLY;
		if ((v == YAMLDEPTH_EXCEEDED || v == YAMLDEPTH_COSTLY) && mark)
			*mark = t.start_mark;
		yaml_token_delete(&t);
	}
	yaml_parser_delete(&p);
	return v;
}

const char *yamldepth_text(yamldepth_verdict_t v)
{
	switch (v) {
	case YAMLDEPTH_OK:
		return "";
	case YAMLDEPTH_EXCEEDED:
		return "exceeded max depth of 10000";                  /* scannerc.go */
	case YAMLDEPTH_COSTLY:
		return "too many deeply nested flow collections (nsprobe's limit: libyaml would take minutes)";
	case YAMLDEPTH_NOMEM:
		return "out of memory";
	}
	return "";
}
