/*
 * mail_compose(): our outbound mail, built by GMime so that every header is
 * encoded correctly (RFC 2047 for non-ASCII) and a value from a report can
 * never smuggle in a header of its own.
 */
#include <gmime/gmime.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "mail/mail.h"
#include "util/escape.h"
#include "util/xalloc.h"

#define COMPOSE_SUBJECT_MAX 400

static char *bracketed(const char *id)
{
	return xasprintf("<%s>", id);
}

/* A text/plain part in UTF-8, 7bit when it can be (quoted-printable else);
 * named parts are inline with a filename, as X-ARF's examples write them. */
static GMimeTextPart *text_part(const char *text, const char *name)
{
	GMimeTextPart *p = g_mime_text_part_new_with_subtype("plain");
	g_mime_text_part_set_text(p, text ? text : "");
	g_mime_part_set_content_encoding(GMIME_PART(p),
					 g_mime_part_get_best_content_encoding(GMIME_PART(p), GMIME_ENCODING_CONSTRAINT_7BIT));
	if (name) {
		g_mime_object_set_content_type_parameter(GMIME_OBJECT(p), "name", name);
		g_mime_object_set_disposition(GMIME_OBJECT(p), GMIME_DISPOSITION_INLINE);
		g_mime_part_set_filename(GMIME_PART(p), name);
	}
	return p;
}

int mail_compose(const struct mail_out *m, struct buf *out)
{
	mail_init();
	GMimeMessage *msg = g_mime_message_new(TRUE);
	GMimeObject *obj = GMIME_OBJECT(msg);

	char *from_name = escape_header_value(str_from(m->from_name ? m->from_name : ""), COMPOSE_SUBJECT_MAX);
	g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_FROM, from_name, m->from_addr);
	free(from_name);
	g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_TO, NULL, m->to_addr);
	char *subject = escape_header_value(str_from(m->subject ? m->subject : ""), COMPOSE_SUBJECT_MAX);
	g_mime_message_set_subject(msg, subject, "utf-8");
	free(subject);
	GDateTime *dt = g_date_time_new_from_unix_utc(m->date);
	g_mime_message_set_date(msg, dt);
	g_date_time_unref(dt);
	g_mime_message_set_message_id(msg, m->message_id);

	if (m->in_reply_to && *m->in_reply_to) {
		char *v = bracketed(m->in_reply_to);
		g_mime_object_set_header(obj, "In-Reply-To", v, NULL);
		free(v);
	}
	if (m->n_references) {
		struct buf refs;
		buf_init(&refs, 64 * 1024);
		for (size_t i = 0; i < m->n_references; i++) {
			if (!m->references[i] || !*m->references[i])
				continue;
			buf_printf(&refs, "%s<%s>", refs.len ? " " : "", m->references[i]);
		}
		if (refs.len)
			g_mime_object_set_header(obj, "References", buf_str(&refs), NULL);
		buf_free(&refs);
	}
	if (m->auto_replied)
		g_mime_object_set_header(obj, "Auto-Submitted", "auto-replied", NULL);
	if (m->ticket_tag) {
		char *v = escape_header_value(str_from(m->ticket_tag), COMPOSE_SUBJECT_MAX);
		g_mime_object_set_header(obj, "X-Abusedesk-Ticket", v, "utf-8");
		free(v);
	}

	GMimeTextPart *body = text_part(m->body, NULL);
	if (m->xarf_report) {
		/* X-ARF v0.2: the marker header, and Auto-Submitted because the
		 * desk composed it (RFC 3834 5: no automatic response to it). */
		g_mime_object_set_header(obj, "X-ARF", "YES", NULL);
		if (!m->auto_replied)
			g_mime_object_set_header(obj, "Auto-Submitted", "auto-generated", NULL);
		GMimeMultipart *mixed = g_mime_multipart_new_with_subtype("mixed");
		g_mime_multipart_add(mixed, GMIME_OBJECT(body));
		GMimeTextPart *report = text_part(m->xarf_report, "report.txt");
		g_mime_multipart_add(mixed, GMIME_OBJECT(report));
		g_object_unref(report);
		if (m->xarf_evidence) {
			GMimeTextPart *ev = text_part(m->xarf_evidence, "logfile.log");
			g_mime_multipart_add(mixed, GMIME_OBJECT(ev));
			g_object_unref(ev);
		}
		g_mime_message_set_mime_part(msg, GMIME_OBJECT(mixed));
		g_object_unref(mixed);
	} else {
		g_mime_message_set_mime_part(msg, GMIME_OBJECT(body));
	}
	g_object_unref(body);

	GMimeFormatOptions *fo = g_mime_format_options_new();
	g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_UNIX);
	char *text = g_mime_object_to_string(obj, fo);
	g_mime_format_options_free(fo);
	g_object_unref(msg);
	int r = buf_append_str(out, text ? text : "");
	g_free(text);
	return r;
}

char *mail_new_message_id(const char *local, const char *host)
{
	unsigned char rnd[12];
	char hex[sizeof(rnd) * 2 + 1];
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
	return xasprintf("%s.%s@%s", local, hex, host);
}

const char *mail_addr_domain(const char *addr)
{
	const char *at = addr ? strrchr(addr, '@') : NULL;
	return at ? at + 1 : "";
}
