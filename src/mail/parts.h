/*
 * parts: the parts of a message an evidence extractor reads, flattened in
 * document order, with GMime kept inside mail/.
 *
 * Every leaf part whose content is text to a reader is listed with its
 * content decoded (transfer encoding undone, charset converted to UTF-8,
 * HTML converted to text by html_text, never rendered): all text inline
 * parts and attachments, message/feedback-report (ARF, RFC 5965),
 * text/rfc822-headers, application/json and YAML (X-ARF), and for each
 * attached message/rfc822 its complete header block (MAIL_PART_HEADERS)
 * followed by its own parts one level deeper.
 *
 * Contract: mail_parts_read() never fails on malformed input (defects go
 * to ret->defects as in mail_parse()); it returns -EBADMSG only when no
 * message structure exists at all. Limits: MAIL_DEPTH_MAX,
 * MAIL_PARTS_MAX, MAIL_TEXT_MAX for all decoded text together (a part cut
 * by it sets DEFECT_TRUNCATED). All strings are ours (heap, NUL-ended).
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mail_part_kind {
	MAIL_PART_TEXT,		/* text/plain (or another text type) */
	MAIL_PART_HTML,		/* text/html, already converted to text */
	MAIL_PART_HEADERS,	/* the header block of an attached message/rfc822 */
	MAIL_PART_FEEDBACK,	/* message/feedback-report (ARF) */
	MAIL_PART_DATA,		/* application/json, YAML, other machine-readable text */
};

struct mail_part {
	enum mail_part_kind kind;
	char *content_type;	/* lower case "type/subtype" */
	char *filename;		/* "" when none */
	bool is_attachment;
	int depth;		/* 0 = the message's own parts; +1 per message/rfc822 */
	int64_t date;		/* HEADERS: the attached message's Date (epoch), 0 if none */
	char *text;
	size_t text_len;
};

struct mail_parts {
	struct mail_part *v;
	size_t n;
	char *headers;		/* the outer message's own header block */
	int64_t date;		/* the outer message's Date, 0 if none */
	uint32_t defects;
};

int mail_parts_read(const char *raw, size_t len, struct mail_parts *ret);
void mail_parts_clear(struct mail_parts *p);
