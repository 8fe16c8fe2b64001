/* escape: strangers' bytes cannot forge a log line, drive a terminal or
 * start a header. */
#include <criterion/criterion.h>
#include <string.h>

#include "util/escape.h"

struct esc_row {
	const char *in;
	size_t in_len;
	size_t cap;
	const char *want;
};

#define R(s, cap, want) { s, sizeof(s) - 1, cap, want }
static const struct esc_row esc_rows[] = {
	R("plain text", 200, "plain text"),
	R("a\r\nb", 200, "a\\r\\nb"),					/* CR LF spelled out */
	R("tab\there", 200, "tab\\there"),
	R("\x1b[31mred", 200, "\\x1b[31mred"),				/* ESC */
	R("del\x7f", 200, "del\\x7f"),
	R("nul\0x", 200, "nul\\x00x"),
	R("caf\xc3\xa9", 200, "caf\xc3\xa9"),				/* valid UTF-8 kept */
	R("\xe2\x82\xac", 200, "\xe2\x82\xac"),				/* euro sign */
	R("\xf0\x9f\x98\x80", 200, "\xf0\x9f\x98\x80"),			/* emoji */
	R("\xc2\x9b" "2J", 200, "\\xc2\\x9b2J"),			/* C1 CSI */
	R("\xc2\x85", 200, "\\xc2\\x85"),				/* C1 NEL */
	R("\xc2\xa0", 200, "\xc2\xa0"),					/* NBSP is text */
	R("\xff\xfe", 200, "\\xff\\xfe"),				/* invalid UTF-8 */
	R("\xc3", 200, "\\xc3"),					/* truncated sequence */
	R("\xc0\xaf", 200, "\\xc0\\xaf"),				/* overlong '/' */
	R("\xed\xa0\x80", 200, "\\xed\\xa0\\x80"),			/* surrogate */
	R("\xf4\x90\x80\x80", 200, "\\xf4\\x90\\x80\\x80"),		/* above U+10FFFF */
	R("abcdef", 3, "abc..."),					/* cap */
	R("abc", 3, "abc"),
	R("", 10, ""),
};

Test(escape, append)
{
	for (size_t i = 0; i < sizeof(esc_rows) / sizeof(esc_rows[0]); i++) {
		const struct esc_row *row = &esc_rows[i];
		char *got = escape_dup(str_make(row->in, row->in_len), row->cap);
		cr_expect_str_eq(got, row->want, "row %zu: got \"%s\", want \"%s\"", i, got, row->want);
		free(got);
	}
}

static const struct esc_row text_rows[] = {
	R("line1\nline2\n", 0, "line1\nline2\n"),
	R("crlf\r\nline", 0, "crlf\nline"),
	R("\ttab", 0, "\ttab"),
	R("\x1b]0;title\x07", 0, "\\x1b]0;title\\x07"),
	R("\xc2\x9b", 0, "\\xc2\\x9b"),
	R("bad\x80", 0, "bad\\x80"),
};

Test(escape, append_text)
{
	for (size_t i = 0; i < sizeof(text_rows) / sizeof(text_rows[0]); i++) {
		const struct esc_row *row = &text_rows[i];
		struct buf b;
		buf_init(&b, 1 << 16);
		cr_assert_eq(escape_append_text(&b, str_make(row->in, row->in_len)), 0);
		cr_expect_str_eq(buf_str(&b), row->want, "row %zu: got \"%s\", want \"%s\"", i, buf_str(&b), row->want);
		buf_free(&b);
	}
}

static const struct esc_row header_rows[] = {
	R("Subject", 100, "Subject"),
	R("a\r\nBcc: x@example.org", 100, "a Bcc: x@example.org"),		/* no line break survives */
	R("  lots   of\t\tspace  ", 100, "lots of space"),
	R("nul\0byte", 100, "nul byte"),
	R("caf\xc3\xa9 \xff ok", 100, "caf\xc3\xa9 ok"),			/* stray 8-bit dropped */
	R("abcdef", 3, "abc"),
	R("\xc3\xa9\xc3\xa9", 3, "\xc3\xa9"),				/* cut on a UTF-8 boundary */
	R("\r\n\r\n", 100, ""),
};

Test(escape, header_value)
{
	for (size_t i = 0; i < sizeof(header_rows) / sizeof(header_rows[0]); i++) {
		const struct esc_row *row = &header_rows[i];
		char *got = escape_header_value(str_make(row->in, row->in_len), row->cap);
		cr_expect_str_eq(got, row->want, "row %zu: got \"%s\", want \"%s\"", i, got, row->want);
		cr_expect(strpbrk(got, "\r\n") == NULL, "row %zu: CR or LF in \"%s\"", i, got);
		free(got);
	}
}
