/*
 * The message fixture corpus: tests/fixtures/eml/NAME.eml beside
 * NAME.expected.json (the findings, evidence/report.h). Messages in ten
 * charsets and encodings, nested and broken MIME, hostile HTML, forwarded
 * spam (attached and pasted), ARF, X-ARF, CSV. The reporter's trusted
 * relay is 192.0.2.25. ABUSEDESK_FIXTURE_WRITE=1 rewrites the expected
 * files from what extraction says now (review the diff!). Each message is
 * also read the pipeline's way (one parse for the ticket's fields and the
 * evidence, mail_parse_with_parts), which must find the same.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/extract.h"
#include "evidence/report.h"
#include "mail/mail.h"
#include "mail/parts.h"

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

static json_t *extract_file(const char *path)
{
	size_t len;
	char *raw = slurp(path, &len);
	cr_assert(raw, "cannot read %s", path);
	struct received_trust trust;
	cr_assert(received_trust_parse("192.0.2.25", &trust) == 0);
	struct evidence_options opt = { .trust = &trust };
	struct evidence ev;
	cr_assert(evidence_extract_message(raw, len, &opt, &ev) == 0, "%s: extraction failed", path);
	json_t *j = evidence_json(&ev);
	evidence_free(&ev);

	struct mail_parsed m;
	struct mail_parts parts;
	int r = mail_parse_with_parts(raw, len, &m, &parts);
	cr_assert(evidence_extract_parts(raw, len, r < 0 ? NULL : &parts, &opt, &ev) == 0, "%s: extraction failed", path);
	json_t *piped = evidence_json(&ev);
	if (!json_equal(j, piped)) {
		char *a = json_dumps(j, JSON_COMPACT), *b = json_dumps(piped, JSON_COMPACT);
		cr_expect(0, "%s: extract found %s\nthe pipeline's one parse found %s", path, a, b);
		free(a);
		free(b);
	}
	json_decref(piped);
	evidence_free(&ev);
	mail_parts_clear(&parts);
	mail_parsed_clear(&m);
	free(raw);
	return j;
}

Test(extract_fixtures, all)
{
	mail_init();
	const char *root = getenv("ABUSEDESK_FIXTURES");
	cr_assert(root, "ABUSEDESK_FIXTURES not set");
	char dir[1500];
	snprintf(dir, sizeof(dir), "%s/eml", root);
	DIR *d = opendir(dir);
	cr_assert(d, "cannot open %s", dir);
	struct dirent *de;
	int files = 0, passed = 0;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l < 5 || strcmp(de->d_name + l - 4, ".eml") != 0)
			continue;
		char path[4096], exp[4096];
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		snprintf(exp, sizeof(exp), "%s/%.*s.expected.json", dir, (int)(l - 4), de->d_name);
		json_t *got = extract_file(path);
		if (getenv("ABUSEDESK_FIXTURE_WRITE"))
			json_dump_file(got, exp, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
		json_error_t err;
		json_t *want = json_load_file(exp, 0, &err);
		cr_expect(want, "%s: %s", exp, err.text);
		files++;
		if (want && json_equal(got, want)) {
			passed++;
		} else if (want) {
			char *gs = json_dumps(got, JSON_SORT_KEYS | JSON_COMPACT);
			char *ws = json_dumps(want, JSON_SORT_KEYS | JSON_COMPACT);
			cr_expect(0, "%s: got %s\nwant %s", de->d_name, gs, ws);
			free(gs);
			free(ws);
		}
		json_decref(got);
		json_decref(want);
	}
	closedir(d);
	fprintf(stderr, "extract fixtures: %d/%d messages pass\n", passed, files);
	cr_expect_geq(files, 21, "got %d fixture messages, want at least 21", files);
}

/* Whatever the HTML held, no markup reaches the findings. */
Test(extract_fixtures, hostile_html_leaves_no_markup)
{
	mail_init();
	const char *root = getenv("ABUSEDESK_FIXTURES");
	cr_assert(root);
	char path[4096];
	snprintf(path, sizeof(path), "%s/eml/html-hostile.eml", root);
	json_t *j = extract_file(path);
	char *s = json_dumps(j, 0);
	static const char *const bad[] = { "<script", "<svg", "onload", "onerror", "javascript:", "<iframe", "<p>", "alert(" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect(strstr(s, bad[i]) == NULL, "found %s in %s", bad[i], s);
	cr_expect(strstr(s, "198.51.100.7") != NULL, "the text itself was lost: %s", s);
	free(s);
	json_decref(j);
}

/* Ten charsets and encodings: each says the same in its own language; the
 * statement must come out as UTF-8 with the source found. */
Test(extract_fixtures, charsets_become_utf8)
{
	mail_init();
	const char *root = getenv("ABUSEDESK_FIXTURES");
	cr_assert(root);
	static const struct { const char *file, *word; } rows[] = {
		{ "charset-latin1.eml", "Grüße" }, { "charset-latin2.eml", "Łukasz" }, { "charset-koi8r.eml", "Здравствуйте" },
		{ "charset-win1252.eml", "€" }, { "charset-sjis.eml", "こんにちは" }, { "charset-gb2312.eml", "服务器" },
		{ "charset-big5.eml", "伺服器" }, { "charset-euckr.eml", "안녕하세요" }, { "charset-utf16.eml", "✓" },
		{ "charset-utf8qp.eml", "✓" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/eml/%s", root, rows[i].file);
		json_t *j = extract_file(path);
		const char *st = json_string_value(json_object_get(j, "statement"));
		cr_expect(st && strstr(st, rows[i].word), "%s: got statement [%s], want it to contain %s", rows[i].file,
			  st ? st : "", rows[i].word);
		json_t *src = json_array_get(json_object_get(j, "sources"), 0);
		const char *ip = json_string_value(json_object_get(src, "ip"));
		cr_expect(ip && !strcmp(ip, "198.51.100.7"), "%s: got source %s, want 198.51.100.7", rows[i].file, ip ? ip : "none");
		json_decref(j);
	}
}
