/* config_dump -- a module as blackbox_exporter 0.23's debug output prints it (yaml.v2), and a
 * document re-emitted with its `<<` merges resolved (for libcyaml, which has no merge keys). */
#pragma once

#include <stddef.h>

#include "config/yamldoc.h"

/* The yaml.v2 dump of one module as blackbox 0.23's debug output prints it. node is the module's
 * value (NULL or null for a null module). Returns a malloc'd string or NULL when out of memory. */
char *config_dump_module(yamldoc_t *c, yaml_node_t *node);

/* Re-emits the document with merges resolved (for libcyaml, which has no merge keys). Returns a
 * malloc'd text and its length, or NULL when out of memory. */
char *config_dump_resolved(yamldoc_t *c, yaml_node_t *root, size_t *len);
