/* fuzz_config -- libFuzzer target: a blackbox.yml text through config_load_text (both parsing passes,
 * merge keys and aliases, every module check, regex compilation), and a loaded config written back as
 * /config shows it (config_show_yaml).
 *
 * Input: the file's bytes. */
#include <stdint.h>
#include <stdlib.h>

#include "lib/buf.h"
#include "config/config.h"
#include "config/config_show.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	config_t *c = NULL;
	char err[1024];
	if (config_load_text("fuzz.yml", (const char *)data, size, &c, err, sizeof(err)) != 0)
		return 0;
	buf_t text = BUF_INIT;
	config_show_yaml(c, &text);
	buf_free(&text);
	config_unref(c);
	return 0;
}
