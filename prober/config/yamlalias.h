/* yamlalias -- yaml.v3 3.0.1's two rules for aliases, applied to the first document of a text
 * before anything follows its aliases (blackbox_exporter decodes its config with yaml.v3).
 *
 * libyaml's loader shares an aliased node instead of copying it, so a walk of its document that
 * follows aliases can loop forever (`&a {<<: *a}`) or take exponential time (`&aN {<<: [*aN-1,
 * *aN-1]}` forty deep, the "billion laughs"). yaml.v3 refuses both while decoding (decode.go):
 *  - an alias met again while its own expansion is being decoded: "anchor 'a' value contains itself";
 *  - more than allowedAliasRatio(decodeCount) of all decode steps done under an alias, once there
 *    are more than 100 such steps and 1000 in all: "document contains excessive aliasing".
 * The check replays yaml.v3's decode walk (unmarshal, mapping, merge, alias) over the parser's
 * events, counting as it counts, with an explicit stack: time and memory stay bounded by the
 * document's size times the allowed ratio. Pure apart from allocation. */
#pragma once

#include <stddef.h>
#include <yaml.h>

typedef enum yamlalias_verdict {
	YAMLALIAS_OK = 0,          /* no rule broken (or a parse error: the caller's parser reports it) */
	YAMLALIAS_CYCLE,           /* anchor's value contains itself; *anchor and *mark say which/where */
	YAMLALIAS_EXCESSIVE,       /* excessive aliasing */
	YAMLALIAS_NOMEM,
} yamlalias_verdict_t;

/* Checks the first document of text[0..len). On YAMLALIAS_CYCLE writes the anchor's name into
 * anchor[0..anchorlen) and the mark of the alias that refers back into *mark. */
yamlalias_verdict_t yamlalias_check(const char *text, size_t len, char *anchor, size_t anchorlen,
                                    yaml_mark_t *mark);
