/* fuzz_webconfig -- libFuzzer target: a --web.config.file text through webconfig_load_text (strict
 * yaml.v2 walk, exporter-toolkit's checks, password hash checks, and through webtls the GnuTLS
 * priority strings and the certificate, key and CA files it names).
 *
 * Input: the file's bytes. The text is loaded as FUZZ_WEBCONFIG_DIR/web.yml, so the relative names
 * server.pem and server.key find the test pair kept there. Files are read through fopen, which this
 * target wraps (linked with -Wl,--wrap=fopen): only names inside FUZZ_WEBCONFIG_DIR open for reading,
 * so an input naming /dev/stdin, a FIFO or /proc cannot block a run or make it depend on the machine. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/webconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
FILE *__real_fopen(const char *name, const char *mode);
FILE *__wrap_fopen(const char *name, const char *mode);

/* Reads (webconfig's read_file) only from FUZZ_WEBCONFIG_DIR; writes (libFuzzer's new inputs and
 * crash files) as they are. */
FILE *__wrap_fopen(const char *name, const char *mode)
{
	size_t dlen = strlen(FUZZ_WEBCONFIG_DIR);
	bool read_only = mode[0] == 'r' && !strchr(mode, '+');
	if (read_only &&
	    (strncmp(name, FUZZ_WEBCONFIG_DIR "/", dlen + 1) != 0 || strchr(name + dlen + 1, '/'))) {
		errno = ENOENT;
		return NULL;
	}
	return __real_fopen(name, mode);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	webconfig_t *wc = NULL;
	char err[1024];
	if (webconfig_load_text(FUZZ_WEBCONFIG_DIR "/web.yml", (const char *)data, size, &wc, err, sizeof(err)) == 0)
		webconfig_free(wc);
	return 0;
}
