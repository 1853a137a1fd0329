/* yamldepth -- yaml.v3 3.0.1's nesting limit, applied to the first document of a text before
 * anything else reads it (blackbox_exporter decodes its config with yaml.v3).
 *
 * The web config's yaml.v2 2.4 (exporter-toolkit) has the same limits and text.
 *
 * libyaml 0.2.5 has no nesting limit, and its scanner checks every open flow level on every token
 * (scanner.c yaml_parser_stale_simple_keys), so 100,000 `[` cost it minutes; anything that recurses
 * over the document would overflow the stack. yaml.v3's scanner stops (scannerc.go) when
 *  - more than max_flow_level = 10000 flow collections (`[`, `{`) are open, or
 *  - more than max_indents = 10000 block collections are open (its indents stack),
 * with "exceeded max depth of 10000". Both counts are read off libyaml's tokens, which stand for
 * exactly those scanner steps (a BLOCK-*-START token is one indent pushed, BLOCK-END one popped),
 * and the scan stops at the first one over the limit: time stays bounded by the limit.
 *
 * Within the limit libyaml's scanner still spends one step per open flow level per token: a 1 MB
 * value of fifty 10000-deep nests (one yaml.v3 skips: merged over) took 15 s per pass. The scan
 * counts those steps and refuses past YAMLDEPTH_FLOW_STEPS: four nests of `[` to the limit and
 * back (10000^2 steps each), or one nest of `{<<: ` (four tokens a level: 2.5 times that) with room
 * to spare, and about 0.7 s for each libyaml pass over the worst file that passes. No real config
 * comes near it (a few levels deep, a few thousand tokens); blackbox_exporter has no such limit.
 *
 * What this bounds for later passes: a document that passes has at most 10000 flow levels plus
 * 10000 block levels, plus one indentless sequence (`key:\n- x`, no indent pushed) per block
 * mapping: a node depth of at most YAMLDEPTH_MAX_NODES. Pure apart from allocation. */
#pragma once

#include <stddef.h>
#include <yaml.h>

#define YAMLDEPTH_MAX 10000                        /* scannerc.go max_flow_level, max_indents */
#define YAMLDEPTH_MAX_NODES (3 * YAMLDEPTH_MAX + 1)
#define YAMLDEPTH_FLOW_STEPS (4.0 * YAMLDEPTH_MAX * YAMLDEPTH_MAX)  /* see above */

typedef enum yamldepth_verdict {
	YAMLDEPTH_OK = 0,          /* within the limits (or a scanner error: the caller's parser reports it) */
	YAMLDEPTH_EXCEEDED,        /* *mark is the collection that went over */
	YAMLDEPTH_COSTLY,          /* past YAMLDEPTH_FLOW_STEPS; *mark is the token that went over */
	YAMLDEPTH_NOMEM,
} yamldepth_verdict_t;

/* Checks the first document of text[0..len). On YAMLDEPTH_EXCEEDED writes the mark of the opening
 * `[`, `{` or block collection that went over the limit into *mark (may be NULL). */
yamldepth_verdict_t yamldepth_check(const char *text, size_t len, yaml_mark_t *mark);

/* The problem, for "yaml: <text>": yaml.v3's "exceeded max depth of 10000" for YAMLDEPTH_EXCEEDED. */
const char *yamldepth_text(yamldepth_verdict_t v);
