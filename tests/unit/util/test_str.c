/* str: cursor functions advance only on success and refuse overflow. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "util/str.h"

struct u64_row {
	const char *in;
	uint64_t max;
	bool want_ok;
	uint64_t want;
	const char *want_rest;	/* what is left of the cursor */
};

static const struct u64_row u64_rows[] = {
	{ "0", 10, true, 0, "" },
	{ "42abc", 100, true, 42, "abc" },
	{ "100", 100, true, 100, "" },
	{ "101", 100, false, 0, "101" },		/* above max: cursor unchanged */
	{ "abc", 100, false, 0, "abc" },		/* no digits */
	{ "", 100, false, 0, "" },
	{ "-1", 100, false, 0, "-1" },
	{ " 1", 100, false, 0, " 1" },
	{ "18446744073709551615", UINT64_MAX, false, 0, "18446744073709551615" },	/* 20 digits */
	{ "99999999999999999999", UINT64_MAX, false, 0, "99999999999999999999" },	/* would wrap */
	{ "9999999999999999999", UINT64_MAX, true, 9999999999999999999ULL, "" },	/* 19 digits */
	{ "0000000000000000000001", UINT64_MAX, false, 0, "0000000000000000000001" },
	{ "999999999999", 999999999999ULL, true, 999999999999ULL, "" },
	{ "1000000000000", 999999999999ULL, false, 0, "1000000000000" },
};

Test(str, take_u64)
{
	for (size_t i = 0; i < sizeof(u64_rows) / sizeof(u64_rows[0]); i++) {
		const struct u64_row *row = &u64_rows[i];
		struct str s = str_from(row->in);
		uint64_t v = 12345;
		bool ok = str_take_u64(&s, row->max, &v);
		cr_expect_eq(ok, row->want_ok, "row %zu \"%s\": got ok=%d, want %d", i, row->in, ok, row->want_ok);
		if (ok)
			cr_expect_eq(v, row->want, "row %zu \"%s\": got %llu, want %llu", i, row->in,
				     (unsigned long long)v, (unsigned long long)row->want);
		else
			cr_expect_eq(v, 12345, "row %zu \"%s\": ret written on failure", i, row->in);
		cr_expect(str_eq(s, str_from(row->want_rest)), "row %zu \"%s\": rest got \"%.*s\", want \"%s\"", i,
			  row->in, (int)s.len, s.p, row->want_rest);
	}
}

struct i64_row {
	const char *in;
	int64_t min, max;
	bool want_ok;
	int64_t want;
};

static const struct i64_row i64_rows[] = {
	{ "5", 0, 10, true, 5 },
	{ "-5", -10, 10, true, -5 },
	{ "-5", 0, 10, false, 0 },
	{ "11", 0, 10, false, 0 },
	{ "9223372036854775807", INT64_MIN, INT64_MAX, true, INT64_MAX },
	{ "-9223372036854775808", INT64_MIN, INT64_MAX, true, INT64_MIN },
	{ "9223372036854775808", INT64_MIN, INT64_MAX, false, 0 },
	{ "-9223372036854775809", INT64_MIN, INT64_MAX, false, 0 },
	{ "", 0, 10, false, 0 },
	{ "-", 0, 10, false, 0 },
	{ "5x", 0, 10, false, 0 },
	{ "+5", 0, 10, false, 0 },
	{ "--5", -10, 10, false, 0 },
};

Test(str, cstr_to_i64)
{
	for (size_t i = 0; i < sizeof(i64_rows) / sizeof(i64_rows[0]); i++) {
		const struct i64_row *row = &i64_rows[i];
		int64_t v = 777;
		bool ok = cstr_to_i64(row->in, row->min, row->max, &v);
		cr_expect_eq(ok, row->want_ok, "row %zu \"%s\": got ok=%d, want %d", i, row->in, ok, row->want_ok);
		cr_expect_eq(v, ok ? row->want : 777, "row %zu \"%s\": got %lld, want %lld", i, row->in, (long long)v,
			     (long long)(ok ? row->want : 777));
	}
}

struct line_row {
	const char *in;
	size_t in_len;
	const char *want[4];	/* lines, NULL-terminated */
};

static const struct line_row line_rows[] = {
	{ "a\nb\n", 4, { "a", "b", NULL } },
	{ "a\r\nb", 4, { "a", "b", NULL } },
	{ "\n\n", 2, { "", "", NULL } },
	{ "", 0, { NULL } },
	{ "x\ry\n", 4, { "x\ry", NULL } },		/* a bare CR is not a line end */
	{ "one", 3, { "one", NULL } },
};

Test(str, take_line)
{
	for (size_t i = 0; i < sizeof(line_rows) / sizeof(line_rows[0]); i++) {
		const struct line_row *row = &line_rows[i];
		struct str s = str_make(row->in, row->in_len);
		struct str line;
		size_t n = 0;
		while (str_take_line(&s, &line)) {
			cr_assert(row->want[n] != NULL, "row %zu: got extra line \"%.*s\"", i, (int)line.len, line.p);
			cr_expect(str_eq(line, str_from(row->want[n])), "row %zu line %zu: got \"%.*s\", want \"%s\"", i, n,
				  (int)line.len, line.p, row->want[n]);
			n++;
		}
		cr_expect(row->want[n] == NULL, "row %zu: got %zu lines, want more", i, n);
	}
}

struct split_row {
	const char *in;
	char sep;
	bool want_found;
	const char *want_head;
	const char *want_rest;
};

static const struct split_row split_rows[] = {
	{ "a,b,c", ',', true, "a", "b,c" },
	{ ",b", ',', true, "", "b" },
	{ "abc", ',', false, "abc", "" },
	{ "", ',', false, "", "" },
	{ "a,", ',', true, "a", "" },
};

Test(str, split)
{
	for (size_t i = 0; i < sizeof(split_rows) / sizeof(split_rows[0]); i++) {
		const struct split_row *row = &split_rows[i];
		struct str s = str_from(row->in), head;
		bool found = str_split(&s, row->sep, &head);
		cr_expect_eq(found, row->want_found, "row %zu: got found=%d, want %d", i, found, row->want_found);
		cr_expect(str_eq(head, str_from(row->want_head)), "row %zu: head got \"%.*s\", want \"%s\"", i,
			  (int)head.len, head.p, row->want_head);
		cr_expect(str_eq(s, str_from(row->want_rest)), "row %zu: rest got \"%.*s\", want \"%s\"", i, (int)s.len,
			  s.p, row->want_rest);
	}
}

struct lit_row {
	const char *in;
	const char *lit;
	bool nocase;
	bool want_ok;
	const char *want_rest;
};

static const struct lit_row lit_rows[] = {
	{ "Re: x", "Re:", false, true, " x" },
	{ "RE: x", "Re:", false, false, "RE: x" },
	{ "RE: x", "re:", true, true, " x" },
	{ "R", "Re:", true, false, "R" },
	{ "", "", false, true, "" },
};

Test(str, take_lit)
{
	for (size_t i = 0; i < sizeof(lit_rows) / sizeof(lit_rows[0]); i++) {
		const struct lit_row *row = &lit_rows[i];
		struct str s = str_from(row->in);
		bool ok = row->nocase ? str_take_lit_nocase(&s, row->lit) : str_take_lit(&s, row->lit);
		cr_expect_eq(ok, row->want_ok, "row %zu: got %d, want %d", i, ok, row->want_ok);
		cr_expect(str_eq(s, str_from(row->want_rest)), "row %zu: rest got \"%.*s\", want \"%s\"", i, (int)s.len,
			  s.p, row->want_rest);
	}
}

struct find_row {
	const char *hay, *needle;
	long want;
};

static const struct find_row find_rows[] = {
	{ "Hello World", "world", 6 }, { "abc", "", 0 }, { "ab", "abc", -1 }, { "", "a", -1 }, { "aaab", "AAB", 1 },
};

Test(str, find_nocase_and_trim)
{
	for (size_t i = 0; i < sizeof(find_rows) / sizeof(find_rows[0]); i++) {
		long got = str_find_nocase(str_from(find_rows[i].hay), str_from(find_rows[i].needle));
		cr_expect_eq(got, find_rows[i].want, "row %zu: got %ld, want %ld", i, got, find_rows[i].want);
	}
	struct str t = str_trim(str_from(" \t x y \r\n"));
	cr_expect(str_eq(t, STR_LIT("x y")), "trim: got \"%.*s\", want \"x y\"", (int)t.len, t.p);
	t = str_trim(str_from("   "));
	cr_expect_eq(t.len, 0, "trim of spaces: got len %zu, want 0", t.len);
	struct str s = STR_LIT("abc");
	str_skip(&s, 10);
	cr_expect_eq(s.len, 0, "skip past end: got len %zu, want 0", s.len);
}
