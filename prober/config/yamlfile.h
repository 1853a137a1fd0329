/* yamlfile -- one YAML document loaded from text by libyaml behind the limits of the Go decoder that
 * will read it, so that nothing walking it afterwards recurses or follows aliases without a bound:
 * yamldepth's nesting limit first (yaml.v3 3.0.1 and yaml.v2 2.4 share it), then libyaml's loader,
 * then, for yaml.v3, yamlalias's rules. The document is read with yamldoc's accessors; the caller
 * words the problem, since blackbox and exporter-toolkit print it differently. */
#pragma once

#include <stddef.h>

#include "config/yamldoc.h"

typedef enum yamlfile_flavour {
	YAMLFILE_V3,     /* blackbox.yml: yaml.v3 3.0.1 */
	/* --web.config.file: exporter-toolkit's yaml.v2 2.4. yaml.v2 has alias rules too, but without the
	 * alias check: webconfig's walk is three mappings deep and reads each value once, so no alias
	 * can make it loop or blow up, and it has never refused aliases (issue 13 changes no behaviour) */
	YAMLFILE_V2,
} yamlfile_flavour_t;

typedef enum yamlfile_status {
	YAMLFILE_OK = 0,
	YAMLFILE_DEPTH,      /* nested past yamldepth's limits (or too costly for libyaml's scanner) */
	YAMLFILE_SYNTAX,     /* libyaml's scanner or parser refused the text */
	YAMLFILE_ALIAS,      /* yaml.v3's alias rules (YAMLFILE_V3 only) */
	YAMLFILE_NOMEM,
} yamlfile_status_t;

typedef struct yamlfile_problem {
	yamlfile_status_t status;
	/* for "yaml: <text>": libyaml's problem, yamldepth's or yaml.v3's alias text ("anchor 'a' value
	 * contains itself", "document contains excessive aliasing"); "" when libyaml gave none */
	char text[256];
	size_t line, column;   /* 1-based; 0 when the problem has no place (excessive aliasing, memory) */
} yamlfile_problem_t;

/* Loads the first document of text[0..len) into c->doc; the caller owns c's other fields. Returns
 * YAMLFILE_OK, or the failure with *pr filled in and c->doc NULL. An empty text is a document with
 * no root (yamldoc_root gives NULL). Free with yamlfile_unload. */
yamlfile_status_t yamlfile_load(yamldoc_t *c, const char *text, size_t len, yamlfile_flavour_t flavour,
                                yamlfile_problem_t *pr);
/* Frees c->doc (NULL is fine) and sets it NULL. */
void yamlfile_unload(yamldoc_t *c);
