/* mail_parse: never fails, decodes what it can, records what was wrong. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "mail/defect.h"
#include "mail/mail.h"
#include "util/buf.h"

struct row {
	const char *name;
	const char *raw;
	size_t len;		/* 0: strlen(raw) */
	const char *want_subject;	/* NULL: not checked */
	const char *want_from;
	const char *want_body_has;	/* substring of body_text */
	const char *want_body_lacks;	/* must not occur in body_text */
	uint32_t want_defects;		/* flags that must be set */
	uint32_t want_clear;		/* flags that must not be set */
};

static const struct row rows[] = {
	{ "plain", "From: Alice <alice@example.org>\nTo: irt@csirt.example\nSubject: SSH brute force\n"
		   "Message-ID: <a1@example.org>\n\nWe saw 10.0.0.1 attack us.\n", 0,
	  "SSH brute force", "alice@example.org", "10.0.0.1 attack", NULL, 0, DEFECT_UNPARSABLE | DEFECT_NO_FROM },
	{ "rfc2047 utf-8 subject", "From: a@example.org\nSubject: =?UTF-8?Q?Angriff_=C3=BCber_SSH?=\n\nbody\n", 0,
	  "Angriff \xc3\xbc" "ber SSH", "a@example.org", "body", NULL, 0, DEFECT_BAD_ENCODED_WORD },
	{ "rfc2047 latin1 base64 subject", "From: a@example.org\nSubject: =?ISO-8859-1?B?U2Nhbm5pbmcgZnJvbSBN/G5jaGVu?=\n\nx\n", 0,
	  "Scanning from M\xc3\xbcnchen", NULL, NULL, NULL, 0, 0 },
	{ "latin1 body", "From: a@example.org\nSubject: s\nContent-Type: text/plain; charset=iso-8859-1\n"
			 "Content-Transfer-Encoding: 8bit\n\nGr\xfc\xdf" "e\n", 0,
	  NULL, NULL, "Gr\xc3\xbc\xc3\x9f" "e", NULL, 0, 0 },
	{ "koi8-r body", "From: a@example.org\nSubject: s\nContent-Type: text/plain; charset=koi8-r\n\n\xf0\xd2\xc9\xd7\xc5\xd4\n", 0,
	  NULL, NULL, "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82", NULL, 0, 0 },
	{ "quoted-printable utf-8 body", "From: a@example.org\nSubject: s\nContent-Type: text/plain; charset=utf-8\n"
					 "Content-Transfer-Encoding: quoted-printable\n\ncaf=C3=A9 =3D ok\n", 0,
	  NULL, NULL, "caf\xc3\xa9 = ok", NULL, 0, 0 },
	{ "charset lies (utf-8 declared, latin1 sent)", "From: a@example.org\nSubject: s\nContent-Type: text/plain; charset=utf-8\n\nbad \xe9 byte\n", 0,
	  NULL, NULL, "bad ", NULL, 0, 0 },
	{ "unknown charset", "From: a@example.org\nSubject: s\nContent-Type: text/plain; charset=x-nonsense\n\nhello\n", 0,
	  NULL, NULL, "hello", NULL, 0, 0 },
	{ "raw 8-bit subject", "From: a@example.org\nSubject: Gr\xfc\xdf" "e\n\nx\n", 0,
	  NULL, NULL, NULL, NULL, 0, 0 },
	{ "no headers", "Just some text someone piped in.\nNo headers at all.\n", 0,
	  "", "", "No headers at all.", NULL, DEFECT_NO_HEADERS, 0 },
	{ "empty", "", 0, "", "", NULL, NULL, DEFECT_NO_HEADERS, 0 },
	{ "headers, empty body", "From: a@example.org\nSubject: empty\n\n", 0,
	  "empty", "a@example.org", NULL, NULL, DEFECT_NO_BODY, DEFECT_UNPARSABLE },
	{ "nul bytes", "From: a@example.org\nSubject: nul\n\nbefore\0after\n", 32 + 14,
	  "nul", "a@example.org", "before\xef\xbf\xbd" "after", NULL, DEFECT_NUL_BYTES, 0 },
	{ "nul bytes in headers", "From: a@example.org\nSubject: n\0ul\n\ntext after 192.0.2.1\n", 56,
	  NULL, "a@example.org", "192.0.2.1", NULL, DEFECT_NUL_BYTES, 0 },
	{ "plain text whose first line has a colon", "Note: someone piped plain text at us.\nNo header block here.\n", 0,
	  "", "", "No header block here.", NULL, DEFECT_NO_HEADERS | DEFECT_UNPARSABLE, 0 },
	{ "broken MIME keeps the raw text readable", "From: m@example.org\nSubject: b\nMIME-Version: 1.0\n"
						   "Content-Type: multipart/mixed; boundary=\"nc\"\n\n"
						   "The report, with no boundary line anywhere: 192.0.2.9\n", 0,
	  "b", "m@example.org", "no boundary line anywhere: 192.0.2.9", NULL, DEFECT_UNPARSABLE, 0 },
	{ "no from", "Subject: anonymous\n\nhi\n", 0, "anonymous", "", "hi", NULL, DEFECT_NO_FROM, 0 },
	{ "header injection in encoded subject", "From: a@example.org\nSubject: =?UTF-8?Q?hi=0D=0ABcc:_victim@example.net?=\n\nx\n", 0,
	  "hi Bcc: victim@example.net", NULL, NULL, NULL, 0, 0 },
	{ "html only, hostile", "From: a@example.org\nSubject: h\nContent-Type: text/html\n\n"
				"<html><head><style>p{color:red}</style><script>alert('x')</script></head>"
				"<body><p>Attack from <b>192.0.2.7</b></p><img src=x onerror=alert(1)>"
				"<a href=\"javascript:alert(2)\">click</a><!-- <secret> --></body></html>\n", 0,
	  NULL, NULL, "192.0.2.7", NULL, DEFECT_HTML_ONLY, 0 },
	{ "multipart alternative prefers plain", "From: a@example.org\nSubject: m\nMIME-Version: 1.0\n"
						 "Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain\n\nplain words\n"
						 "--b\nContent-Type: text/html\n\n<p>html words</p>\n--b--\n", 0,
	  NULL, NULL, "plain words", "html words", 0, DEFECT_HTML_ONLY },
	{ "empty plain part beside html", "From: a@example.org\nSubject: m\nMIME-Version: 1.0\n"
					  "Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain\n\n\n"
					  "--b\nContent-Type: text/html\n\n<p>the html report</p>\n--b--\n", 0,
	  NULL, NULL, "the html report", "<p>", DEFECT_HTML_ONLY, DEFECT_NO_BODY },
	{ "reply-to and references", "From: a@example.org\nReply-To: Desk <desk@example.org>\nSubject: r\n"
				     "In-Reply-To: <ack-100001.x@csirt.example>\nReferences: <r1@example.org> <ack-100001.x@csirt.example>\n\nx\n", 0,
	  "r", "a@example.org", NULL, NULL, 0, 0 },
};

static bool has_markup(const char *s)
{
	return strpbrk(s, "<>") != NULL || strstr(s, "alert") || strstr(s, "color:red") || strstr(s, "javascript");
}

Test(parse, table)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *row = &rows[i];
		size_t len = row->len ? row->len : strlen(row->raw);
		struct mail_parsed m;
		int r = mail_parse(row->raw, len, &m);
		cr_assert_eq(r, 0, "%s: got %d, want 0", row->name, r);
		cr_assert(m.subject && m.from_addr && m.body_text && m.message_id && m.in_reply_to,
			  "%s: a string field is NULL", row->name);
		if (row->want_subject)
			cr_expect_str_eq(m.subject, row->want_subject, "%s: subject got \"%s\", want \"%s\"", row->name,
					 m.subject, row->want_subject);
		cr_expect(strpbrk(m.subject, "\r\n") == NULL, "%s: CR/LF in subject \"%s\"", row->name, m.subject);
		if (row->want_from)
			cr_expect_str_eq(m.from_addr, row->want_from, "%s: from got \"%s\", want \"%s\"", row->name,
					 m.from_addr, row->want_from);
		if (row->want_body_has)
			cr_expect(strstr(m.body_text, row->want_body_has) != NULL, "%s: body got \"%s\", want it to contain \"%s\"",
				  row->name, m.body_text, row->want_body_has);
		if (row->want_body_lacks)
			cr_expect(strstr(m.body_text, row->want_body_lacks) == NULL, "%s: body got \"%s\", must not contain \"%s\"",
				  row->name, m.body_text, row->want_body_lacks);
		cr_expect((m.defects & row->want_defects) == row->want_defects, "%s: defects got 0x%x, want 0x%x set",
			  row->name, m.defects, row->want_defects);
		cr_expect((m.defects & row->want_clear) == 0, "%s: defects got 0x%x, want 0x%x clear", row->name, m.defects,
			  row->want_clear);
		if (m.defects & DEFECT_HTML_ONLY)
			cr_expect(!has_markup(m.body_text), "%s: markup or script left in body \"%s\"", row->name, m.body_text);
		mail_parsed_clear(&m);
	}
}

Test(parse, references)
{
	const char *raw = "From: a@example.org\nSubject: r\nIn-Reply-To: <ack-100001.x@csirt.example>\n"
			  "References: <r1@example.org> <ack-100001.x@csirt.example>\n\nx\n";
	struct mail_parsed m;
	mail_parse(raw, strlen(raw), &m);
	cr_expect_str_eq(m.in_reply_to, "ack-100001.x@csirt.example", "in_reply_to got \"%s\"", m.in_reply_to);
	cr_assert_eq(m.n_references, 2, "got %zu references, want 2", m.n_references);
	cr_expect_str_eq(m.references[0], "r1@example.org", "references[0] got \"%s\"", m.references[0]);
	cr_expect_str_eq(m.references[1], "ack-100001.x@csirt.example", "references[1] got \"%s\"", m.references[1]);
	mail_parsed_clear(&m);
}

/* A 100 kB header line: kept as a ticket, value capped, nothing lost from
 * the body. */
Test(parse, huge_header_line)
{
	struct buf b;
	buf_init(&b, 1 << 20);
	buf_append_str(&b, "From: a@example.org\nSubject: ");
	for (int i = 0; i < 100 * 1024; i++)
		buf_append_char(&b, 'A' + i % 26);
	buf_append_str(&b, "\nX-Long: ");
	for (int i = 0; i < 100 * 1024; i++)
		buf_append_char(&b, 'z');
	buf_append_str(&b, "\n\nthe body survives\n");
	struct mail_parsed m;
	cr_assert_eq(mail_parse(b.p, b.len, &m), 0);
	cr_expect(strlen(m.subject) <= MAIL_HEADER_VALUE_MAX, "subject got %zu bytes, want at most %d", strlen(m.subject),
		  MAIL_HEADER_VALUE_MAX);
	cr_expect(!strncmp(m.subject, "ABCDEF", 6), "subject got \"%.20s...\"", m.subject);
	cr_expect(strstr(m.body_text, "the body survives") != NULL, "body got \"%.100s\"", m.body_text);
	cr_expect(m.defects & DEFECT_LONG_LINE, "defects got 0x%x, want LONG_LINE", m.defects);
	mail_parsed_clear(&m);
	buf_free(&b);
}

/* Binary junk never crashes and always yields readable (valid, escaped) text. */
Test(parse, binary_junk)
{
	unsigned char junk[4096];
	unsigned x = 12345;
	for (size_t i = 0; i < sizeof(junk); i++) {
		x = x * 1103515245u + 12345u;
		junk[i] = (unsigned char)(x >> 16);
	}
	struct mail_parsed m;
	cr_assert_eq(mail_parse((const char *)junk, sizeof(junk), &m), 0);
	cr_expect(m.body_text != NULL, "body_text NULL");
	for (const unsigned char *p = (const unsigned char *)m.body_text; *p; p++)
		cr_expect(*p >= 0x20 || *p == '\n' || *p == '\t', "control byte 0x%02x in body_text", *p);
	mail_parsed_clear(&m);
}
