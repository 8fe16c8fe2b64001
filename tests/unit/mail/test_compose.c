/* mail_compose: the headers every outbound message carries, and the
 * X-ARF v0.2 structure (multipart/mixed: text, report.txt, logfile.log)
 * read back by the desk's own MIME reader. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "mail/mail.h"
#include "mail/parts.h"
#include "util/buf.h"

static const char report[] = "---\nReported-From: irt@csirt.example\nCategory: abuse\nReport-Type: login-attack\n"
			     "Source: 198.51.100.23\nVersion: 0.2\n";
static const char evidence[] = "Nov 22 14:03:01 host sshd[1]: Failed password for root from 198.51.100.23\n";

static struct mail_out base(void)
{
	return (struct mail_out){
		.from_name = "Janet CSIRT",
		.from_addr = "irt@csirt.example",
		.to_addr = "abuse@hosting.example.com",
		.subject = "[Janet CSIRT#7] ssh brute force from 198.51.100.23",
		.body = "Dear abuse team,\nthe host 198.51.100.23 attacked us.\n",
		.message_id = "notify-7.abc@csirt.example",
		.date = 1795000000,
		.ticket_tag = "Janet CSIRT#7",
	};
}

/* The outer header block (up to the first blank line). */
static char *headers_of(const char *raw)
{
	const char *end = strstr(raw, "\n\n");
	return strndup(raw, end ? (size_t)(end - raw + 1) : strlen(raw));
}

Test(compose, plain_message_is_one_text_part)
{
	struct mail_out m = base();
	struct buf out;
	buf_init(&out, 1 << 20);
	cr_assert_eq(mail_compose(&m, &out), 0);
	char *h = headers_of(buf_str(&out));
	cr_expect(strstr(h, "Content-Type: text/plain"), "plain: got headers\n%s", h);
	cr_expect(!strstr(h, "X-ARF"), "plain: got an X-ARF header\n%s", h);
	cr_expect(!strstr(h, "Auto-Submitted"), "plain: got Auto-Submitted\n%s", h);
	free(h);
	buf_free(&out);
}

Test(compose, xarf_three_parts)
{
	static const struct {
		const char *name;
		bool has_evidence;
		size_t want_parts;
	} rows[] = {
		{ "with evidence", true, 3 },
		{ "without evidence", false, 2 },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct mail_out m = base();
		m.xarf_report = report;
		m.xarf_evidence = rows[i].has_evidence ? evidence : NULL;
		struct buf out;
		buf_init(&out, 1 << 20);
		cr_assert_eq(mail_compose(&m, &out), 0);
		char *h = headers_of(buf_str(&out));
		cr_expect(strstr(h, "\nX-ARF: YES\n"), "%s: X-ARF header missing\n%s", rows[i].name, h);
		cr_expect(strstr(h, "\nAuto-Submitted: auto-generated\n"), "%s: Auto-Submitted missing\n%s", rows[i].name, h);
		cr_expect(strstr(h, "Content-Type: multipart/mixed"), "%s: got headers\n%s", rows[i].name, h);
		cr_expect(strstr(h, "X-Abusedesk-Ticket: Janet CSIRT#7"), "%s: tag header missing\n%s", rows[i].name, h);
		free(h);

		struct mail_parts p;
		cr_assert_eq(mail_parts_read(out.p, out.len, &p), 0);
		cr_expect_eq(p.n, rows[i].want_parts, "%s: got %zu parts, want %zu", rows[i].name, p.n, rows[i].want_parts);
		if (p.n >= 2) {
			cr_expect_str_eq(p.v[0].content_type, "text/plain", "%s: part 1 type", rows[i].name);
			cr_expect_str_eq(p.v[0].filename, "", "%s: part 1 is the body, got filename '%s'", rows[i].name,
					 p.v[0].filename);
			cr_expect(strstr(p.v[0].text, "the host 198.51.100.23 attacked us"), "%s: part 1: %s", rows[i].name,
				  p.v[0].text);
			cr_expect_str_eq(p.v[1].filename, "report.txt", "%s: part 2 name", rows[i].name);
			cr_expect_str_eq(p.v[1].text, report, "%s: part 2: got\n%s", rows[i].name, p.v[1].text);
		}
		if (rows[i].has_evidence && p.n >= 3) {
			cr_expect_str_eq(p.v[2].content_type, "text/plain", "%s: part 3 type", rows[i].name);
			cr_expect_str_eq(p.v[2].filename, "logfile.log", "%s: part 3 name", rows[i].name);
			cr_expect_str_eq(p.v[2].text, evidence, "%s: part 3: got\n%s", rows[i].name, p.v[2].text);
		}
		/* the named parts are inline, as X-ARF's own examples write them */
		cr_expect(strstr(buf_str(&out), "Content-Disposition: inline; filename=report.txt"),
			  "%s: report.txt disposition:\n%s", rows[i].name, buf_str(&out));
		mail_parts_clear(&p);
		buf_free(&out);
	}
}
