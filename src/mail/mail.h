/*
 * mail: everything the desk knows about RFC 5322 / MIME, on top of GMime.
 * GMime and GLib types never leave this folder; strings are copied into our
 * own heap strings at this door.
 *
 * mail_parse() never fails on malformed input: it records DEFECT_* flags and
 * returns what it could read. Only when there is no structure at all is
 * DEFECT_UNPARSABLE set, and body_text then holds the raw text (escaped of
 * control bytes) so that an analyst can still read the report.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define MAIL_DEPTH_MAX 16		/* MIME nesting we walk */
#define MAIL_PARTS_MAX 256		/* MIME parts we look at */
#define MAIL_TEXT_MAX (8 * 1024 * 1024)	/* decoded body text we keep */
#define MAIL_REFERENCES_MAX 64		/* Message-IDs taken from References */
#define MAIL_HEADER_VALUE_MAX 998	/* header value we keep (RFC 5322 2.1.1) */
#define MAIL_LINE_MAX 998

struct mail_parsed {
	char *message_id;	/* without angle brackets; "" when absent */
	char *in_reply_to;	/* first Message-ID of In-Reply-To */
	char **references;
	size_t n_references;
	char *subject;		/* decoded to UTF-8, one line */
	char *from_addr;	/* addr-spec of the first From mailbox */
	char *from_name;
	char *reply_to_addr;
	char *to_addr;
	char *date_hdr;		/* the Date header as written */
	int64_t date;		/* seconds since the epoch; 0 when absent or unreadable */
	/* RFC 3834 and list markers, raw values ("" when absent). */
	char *auto_submitted;
	char *precedence;
	char *list_id;
	bool has_list_headers;	/* any List-* header */
	char *x_auto_response_suppress;
	char *return_path;
	char *body_text;	/* UTF-8 text of the message, see above */
	uint32_t defects;	/* DEFECT_* from mail/defect.h */
};

void mail_init(void);
int mail_parse(const char *raw, size_t len, struct mail_parsed *ret);
/* mail_parse() and mail_parts_read() (mail/parts.h) from one parse of the
 * message, for a reader that needs both (the pipeline): returns what
 * mail_parts_read() would, 0 or -EBADMSG (no message structure, *ret_parts
 * empty); *ret is filled either way. */
struct mail_parts;
int mail_parse_with_parts(const char *raw, size_t len, struct mail_parsed *ret, struct mail_parts *ret_parts);
void mail_parsed_clear(struct mail_parsed *m);

struct mail_out {
	const char *from_name;
	const char *from_addr;
	const char *to_addr;
	const char *subject;		/* UTF-8; folded to one line and capped here */
	const char *body;		/* UTF-8 plain text */
	const char *message_id;		/* without brackets */
	const char *in_reply_to;	/* without brackets; NULL for none */
	const char *const *references;	/* without brackets */
	size_t n_references;
	int64_t date;			/* epoch seconds */
	bool auto_replied;		/* Auto-Submitted: auto-replied (RFC 3834) */
	const char *ticket_tag;		/* X-Abusedesk-Ticket value, or NULL */
	/* An X-ARF v0.2 report (http://www.x-arf.org/specification.html):
	 * when xarf_report is set the message is multipart/mixed with
	 * "X-ARF: YES" and "Auto-Submitted: auto-generated": the body (human
	 * readable), the report (YAML, text/plain name="report.txt") and, when
	 * xarf_evidence is set, the evidence (text/plain name="logfile.log"). */
	const char *xarf_report;
	const char *xarf_evidence;
};

/* Composes a complete message with LF line endings into out. Every header
 * is encoded by GMime (RFC 2047 where needed); no CR or LF from any field
 * can start a header of its own. */
int mail_compose(const struct mail_out *m, struct buf *out);
/* "<local.random@host>" without brackets, random part from libsodium. */
char *mail_new_message_id(const char *local, const char *host);
/* The domain part of an address ("" when none). */
const char *mail_addr_domain(const char *addr);
