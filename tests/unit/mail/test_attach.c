#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "mail/attach.h"

static const char nested[] =
	"From: a@example.org\nSubject: nested\nMIME-Version: 1.0\n"
	"Content-Type: multipart/mixed; boundary=\"o\"\n\n"
	"--o\nContent-Type: multipart/alternative; boundary=\"i\"\n\n"
	"--i\nContent-Type: text/plain\n\nplain\n"
	"--i\nContent-Type: text/html\n\n<p>html</p>\n--i--\n"
	"--o\nContent-Type: application/octet-stream; name=\"x.bin\"\n"
	"Content-Disposition: attachment; filename=\"<script>.bin\"\nContent-Transfer-Encoding: base64\n\nAAECAw==\n"
	"--o--\n";

static const struct {
	const char *type, *filename;
	int64_t size;
	const char *content;
} want[] = {
	{ "text/html", "", 11, "<p>html</p>" },	/* the newline before a boundary is the boundary's (RFC 2046 5.1.1) */
	{ "application/octet-stream", "<script>.bin", 4, "\x00\x01\x02\x03" },
};

Test(attach, lists_all_but_the_body_and_decodes_them)
{
	struct mail_attachment *p = NULL;
	size_t n = 0;
	cr_assert_eq(mail_attach_list(nested, sizeof(nested) - 1, &p, &n), 0);
	cr_assert_eq(n, 2, "got %zu parts, want 2", n);
	for (size_t i = 0; i < n; i++) {
		cr_expect_str_eq(p[i].content_type, want[i].type, "part %zu: got %s, want %s", i, p[i].content_type, want[i].type);
		cr_expect_str_eq(p[i].filename, want[i].filename, "part %zu: got %s, want %s", i, p[i].filename, want[i].filename);
		cr_expect_eq(p[i].size, want[i].size, "part %zu: got %lld bytes, want %lld", i, (long long)p[i].size,
			     (long long)want[i].size);
		struct buf b;
		buf_init(&b, 1024);
		cr_expect_eq(mail_attach_content(nested, sizeof(nested) - 1, p[i].index, &b), 0);
		cr_expect(b.len == (size_t)want[i].size && !memcmp(b.p, want[i].content, b.len), "part %zu: got %zu bytes \"%.*s\", want %lld", i, b.len, (int)b.len, b.p ? b.p : "", (long long)want[i].size);
		buf_free(&b);
	}
	struct buf b;
	buf_init(&b, 1024);
	cr_expect_eq(mail_attach_content(nested, sizeof(nested) - 1, 0, &b), -ENOENT, "the body is not a download");
	cr_expect_eq(mail_attach_content(nested, sizeof(nested) - 1, 99, &b), -ENOENT);
	buf_free(&b);
	mail_attach_free(p, n);
}

Test(attach, plain_message_has_none)
{
	static const char plain[] = "From: a@example.org\nSubject: x\n\nhello\n";
	struct mail_attachment *p = NULL;
	size_t n = 1;
	cr_assert_eq(mail_attach_list(plain, sizeof(plain) - 1, &p, &n), 0);
	cr_expect_eq(n, 0, "got %zu parts, want 0", n);
	mail_attach_free(p, n);
}
