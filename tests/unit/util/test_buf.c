/* buf: limits, binary safety, and that a refused append changes nothing. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "util/buf.h"

struct append_row {
	size_t max;
	const char *first;	/* appended first */
	const char *second;	/* then this */
	int want_r;		/* result of the second append */
	const char *want;	/* content afterwards */
};

static const struct append_row append_rows[] = {
	{ 10, "abc", "def", 0, "abcdef" },
	{ 6, "abc", "def", 0, "abcdef" },		/* exactly at max */
	{ 5, "abc", "def", -EMSGSIZE, "abc" },		/* past max: unchanged */
	{ 3, "abc", "d", -EMSGSIZE, "abc" },
	{ 0, "", "x", -EMSGSIZE, "" },
	{ 0, "", "", 0, "" },
	{ 1000, "", "", 0, "" },
};

Test(buf, append_past_max_leaves_content_unchanged)
{
	for (size_t i = 0; i < sizeof(append_rows) / sizeof(append_rows[0]); i++) {
		const struct append_row *row = &append_rows[i];
		struct buf b;
		buf_init(&b, row->max);
		cr_assert_eq(buf_append_str(&b, row->first), 0, "row %zu: first append failed", i);
		int r = buf_append_str(&b, row->second);
		cr_expect_eq(r, row->want_r, "row %zu: got %d, want %d", i, r, row->want_r);
		cr_expect_str_eq(buf_str(&b), row->want, "row %zu: got \"%s\", want \"%s\"", i, buf_str(&b), row->want);
		cr_expect_eq(b.len, strlen(row->want), "row %zu: got len %zu, want %zu", i, b.len, strlen(row->want));
		buf_free(&b);
	}
}

struct printf_row {
	size_t max;
	const char *before;
	int value;
	int want_r;
	const char *want;
};

static const struct printf_row printf_rows[] = {
	{ 100, "n=", 42, 0, "n=42" },
	{ 4, "n=", 42, 0, "n=42" },
	{ 3, "n=", 42, -EMSGSIZE, "n=" },
	{ 10, "", -7, 0, "-7" },
};

Test(buf, printf_respects_max)
{
	for (size_t i = 0; i < sizeof(printf_rows) / sizeof(printf_rows[0]); i++) {
		const struct printf_row *row = &printf_rows[i];
		struct buf b;
		buf_init(&b, row->max);
		buf_append_str(&b, row->before);
		int r = buf_printf(&b, "%d", row->value);
		cr_expect_eq(r, row->want_r, "row %zu: got %d, want %d", i, r, row->want_r);
		cr_expect_str_eq(buf_str(&b), row->want, "row %zu: got \"%s\", want \"%s\"", i, buf_str(&b), row->want);
		buf_free(&b);
	}
}

Test(buf, binary_safe_and_nul_terminated)
{
	struct buf b;
	buf_init(&b, 1 << 20);
	static const char bytes[] = { 'a', 0, 'b', 0 };
	cr_assert_eq(buf_append(&b, bytes, sizeof(bytes)), 0);
	cr_expect_eq(b.len, 4, "got len %zu, want 4", b.len);
	cr_expect_eq(memcmp(b.p, bytes, 4), 0, "bytes changed");
	cr_expect_eq(b.p[b.len], 0, "not NUL-terminated");
	/* Growth across many small appends keeps everything. */
	for (int i = 0; i < 10000; i++)
		cr_assert_eq(buf_append_char(&b, 'x'), 0);
	cr_expect_eq(b.len, 10004, "got len %zu, want 10004", b.len);
	cr_expect_eq(b.p[b.len], 0, "not NUL-terminated after growth");
	buf_free(&b);
}

Test(buf, empty_steal_reset)
{
	struct buf b;
	buf_init(&b, 16);
	cr_expect_str_eq(buf_str(&b), "", "got \"%s\", want empty for a new buffer", buf_str(&b));
	char *p = buf_steal(&b);
	cr_expect_str_eq(p, "", "got \"%s\", want empty from steal of a new buffer", p);
	free(p);
	buf_append_str(&b, "hello");
	buf_reset(&b);
	cr_expect_str_eq(buf_str(&b), "", "got \"%s\" after reset, want empty", buf_str(&b));
	cr_expect_eq(b.max, 16, "reset changed max to %zu", b.max);
	buf_append_str(&b, "0123456789abcdef");
	p = buf_steal(&b);
	cr_expect_str_eq(p, "0123456789abcdef", "got \"%s\"", p);
	cr_expect_eq(b.len, 0, "steal left len %zu, want 0", b.len);
	cr_expect_eq(b.max, 16, "steal changed max to %zu", b.max);
	free(p);
	buf_free(&b);
}
