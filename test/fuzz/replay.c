/* replay -- runs every file named on the command line (directories: every file in them, sorted by
 * name, recursively) through a fuzz target once, the way libFuzzer replays a corpus. Linked with one
 * fuzz_<target>.c in the ordinary builds (gcc or clang, with or without -DSANITIZE=ON), so the corpus
 * is a regression suite wherever ctest runs. Fails when it found no file, so a missing corpus cannot
 * pass. */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads with open/read rather than stdio: fuzz_webconfig wraps fopen. */
static int replay_file(const char *name)
{
	int fd = open(name, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(name);
		return -1;
	}
	buf_t b = BUF_INIT;
	char chunk[4096];
	ssize_t n;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_append(&b, chunk, (size_t)n);
	close(fd);
	if (n < 0 || !buf_ok(&b)) {
		fprintf(stderr, "%s: cannot read\n", name);
		buf_free(&b);
		return -1;
	}
	/* An exact-size copy, so that a read past the end is one ASan sees. */
	size_t len = b.len;
	uint8_t *data = malloc(len ? len : 1);
	if (data && len)
		memcpy(data, b.p, len);
	buf_free(&b);
	if (!data)
		return -1;
	fprintf(stderr, "replay %s (%zu bytes)\n", name, len);
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	return 0;
}

/* Returns the number of files replayed, or -1. */
static long replay_path(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path) == 0 ? 1 : -1;
	struct dirent **names = NULL;
	int k = scandir(path, &names, NULL, alphasort);
	if (k < 0) {
		perror(path);
		return -1;
	}
	long count = 0;
	for (int i = 0; i < k; i++) {
		if (names[i]->d_name[0] != '.' && count >= 0) {
			size_t len = strlen(path) + strlen(names[i]->d_name) + 2;
			char *child = malloc(len);
			long c = child ? (snprintf(child, len, "%s/%s", path, names[i]->d_name), replay_path(child)) : -1;
			free(child);
			count = c < 0 ? -1 : count + c;
		}
		free(names[i]);
	}
	free(names);
	return count;
}

int main(int argc, char **argv)
{
	long total = 0;
	for (int i = 1; i < argc; i++) {
		long c = replay_path(argv[i]);
		if (c < 0)
			return 1;
		total += c;
	}
	fprintf(stderr, "replayed %ld files\n", total);
	return total > 0 ? 0 : 1;
}
