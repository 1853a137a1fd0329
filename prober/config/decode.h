/* decode -- the loader's one walk over a libyaml document: yaml.v3's strict decode into blackbox
 * 0.23's config types, its load-time validation, and the DNS values landed in the snapshot, all from
 * the schema tables. */
#pragma once

#include <stdbool.h>

#include "config/config.h"
#include "config/schema.h"
#include "config/yamldoc.h"

/* Walks the whole document (root may be NULL: a null document) and fills cfg->modules in file order:
 * names, and each module's keys where schema_module says they land (defaults first, as
 * config.DefaultModule gives them). *nodes gets a malloc'd array of the modules' nodes, one per
 * cfg->modules entry (for the dumps; the caller frees it). Returns false after writing an error into
 * c; what was landed is still owned by cfg (free each module with decode_free). */
bool decode_document(yamldoc_t *c, yaml_node_t *root, config_t *cfg, yaml_node_t ***nodes);

/* Frees what decode landed in the struct at base for table s (and zeroes it). */
void decode_free(const schema_t *s, void *base);
/* The same for one field's slot `to`. */
void decode_free_field(const schema_field_t *f, void *to);
