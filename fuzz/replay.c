/*
 * replay: runs a fuzz harness over files and folders of inputs without
 * libFuzzer, so that every build (gcc too) replays each target's corpus/
 * and regress/ in the ordinary test run. A crash or sanitizer report fails
 * the test; the file name is printed first so it is easy to find.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return 1;
	}
	size_t cap = 1 << 16, len = 0;
	uint8_t *buf = malloc(cap);
	size_t n;
	while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap)
			buf = realloc(buf, cap *= 2);
	}
	fclose(f);
	if (!buf)
		return 1;
	fprintf(stderr, "replay: %s\n", path);
	/* An exact-size copy, so ASan sees reads past the end. */
	uint8_t *copy = malloc(len ? len : 1);
	memcpy(copy, buf, len);
	LLVMFuzzerTestOneInput(copy, len);
	free(copy);
	free(buf);
	return 0;
}

static int run_path(const char *path, size_t *count)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return 0;	/* an empty regress/ folder may be missing in git */
	if (!S_ISDIR(st.st_mode)) {
		(*count)++;
		return run_file(path);
	}
	DIR *d = opendir(path);
	if (!d)
		return 1;
	struct dirent *e;
	int r = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char sub[4096];
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		r |= run_path(sub, count);
	}
	closedir(d);
	return r;
}

int main(int argc, char **argv)
{
	size_t count = 0;
	int r = 0;
	for (int i = 1; i < argc; i++)
		r |= run_path(argv[i], &count);
	printf("replayed %zu inputs\n", count);
	return r;
}
