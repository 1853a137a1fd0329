/* config_check -- pass 1 of the config loader: a yaml.v3-strict walk of the libyaml document against
 * the schema tables, with blackbox_exporter 0.23's load-time validation. */
#pragma once

#include <stdbool.h>

#include "config/yamldoc.h"

/* Pass 1 over the whole document: strict keys, scalar kinds, blackbox's load-time validation.
 * root may be NULL (null document). Returns false after writing an error. */
bool config_check_document(yamldoc_t *c, yaml_node_t *root);

