/* config_dump -- a module as blackbox_exporter 0.23's debug output prints it (yaml.v2), from the
 * schema tables. */
#pragma once

#include <stddef.h>

#include "config/yamldoc.h"

/* The yaml.v2 dump of one module as blackbox 0.23's debug output prints it. node is the module's
 * value (NULL or null for a null module). Returns a malloc'd string or NULL when out of memory. */
char *config_dump_module(yamldoc_t *c, yaml_node_t *node);
