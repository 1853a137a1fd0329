/* config_show -- the loaded config as blackbox_exporter's /config page shows it. */
#pragma once

#include "config/config.h"
#include "lib/buf.h"

/* Appends the whole config as blackbox's /config shows it: yaml.v3 with 4-space indent, modules
 * sorted by name, defaults filled in, secrets as <secret> (built from the modules' debug dumps).
 * Returns 0 or NSP_ENOMEM. */
int config_show_yaml(const config_t *c, buf_t *out);
