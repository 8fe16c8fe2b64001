/*
 * The log-format fixture corpus: tests/fixtures/logfmt/<format>.log beside
 * <format>.expected.json, a JSON array with one entry per line: the event
 * (evidence/event_json.h) or null for a line no format should read.
 * Prints per-format pass counts. ABUSEDESK_FIXTURE_WRITE=1 rewrites the
 * expected files from what the parsers say now (review the diff!).
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/event_json.h"
#include "evidence/logfmt.h"
#include "util/file.h"

/* Every fixture is read as if in a report dated 2026-11-23T09:00:00Z. */
#define FIXTURE_REFERENCE 1795424400LL

static char *slurp(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *p = malloc((size_t)n + 1);
	size_t got = fread(p, 1, (size_t)n, f);
	fclose(f);
	p[got] = 0;
	*ret_len = got;
	return p;
}

static int run_one(const char *dir, const char *name, int *ret_lines)
{
	char path[4096], exp_path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(exp_path, sizeof(exp_path), "%s/%.*s.expected.json", dir, (int)(strlen(name) - 4), name);
	size_t len;
	char *text = slurp(path, &len);
	cr_assert(text, "cannot read %s", path);
	struct logfmt_ctx ctx = { .reference_time = FIXTURE_REFERENCE };
	struct logfmt_stream st;
	logfmt_stream_init(&st);
	json_t *got = json_array();
	struct str s = str_make(text, len), line;
	while (str_take_line(&s, &line)) {
		struct event e;
		if (logfmt_parse_line(&ctx, &st, line, &e) >= 0)
			json_array_append_new(got, event_json(&e));
		else
			json_array_append_new(got, json_null());
	}
	int passed = 0;
	if (getenv("ABUSEDESK_FIXTURE_WRITE")) {
		json_dump_file(got, exp_path, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	}
	json_error_t err;
	json_t *want = json_load_file(exp_path, 0, &err);
	cr_assert(want, "%s: %s", exp_path, err.text);
	size_t n = json_array_size(got);
	cr_expect_eq(json_array_size(want), n, "%s: got %zu lines, want %zu", name, n, json_array_size(want));
	for (size_t i = 0; i < n && i < json_array_size(want); i++) {
		json_t *g = json_array_get(got, i), *w = json_array_get(want, i);
		if (json_equal(g, w)) {
			passed++;
			continue;
		}
		char *gs = json_dumps(g, JSON_SORT_KEYS | JSON_COMPACT), *ws = json_dumps(w, JSON_SORT_KEYS | JSON_COMPACT);
		cr_expect(0, "%s line %zu: got %s, want %s", name, i + 1, gs, ws);
		free(gs);
		free(ws);
	}
	json_decref(got);
	json_decref(want);
	free(text);
	*ret_lines = (int)n;
	return passed;
}

Test(logfmt_fixtures, all)
{
	const char *root = getenv("ABUSEDESK_FIXTURES");
	cr_assert(root, "ABUSEDESK_FIXTURES not set");
	char dir[1500];
	snprintf(dir, sizeof(dir), "%s/logfmt", root);
	DIR *d = opendir(dir);
	cr_assert(d, "cannot open %s", dir);
	struct dirent *de;
	int files = 0;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l < 5 || strcmp(de->d_name + l - 4, ".log") != 0)
			continue;
		int lines = 0;
		int ok = run_one(dir, de->d_name, &lines);
		fprintf(stderr, "logfmt fixture %-16s %d/%d lines pass\n", de->d_name, ok, lines);
		files++;
	}
	closedir(d);
	cr_expect_geq(files, 13, "got %d fixture files, want at least 13", files);
}
