/*
 * mail_parts_read(): the evidence view of a message, see parts.h.
 * RFC 2045-2049 (MIME), RFC 2046 5.2.1 (message/rfc822), RFC 5965 (ARF).
 */
#include "mail/parts.h"

#include <errno.h>
#include <gmime/gmime.h>
#include <stdlib.h>
#include <string.h>

#include "mail/defect.h"
#include "mail/html_text.h"
#include "mail/mail.h"
#include "mail/walk.h"
#include "util/buf.h"
#include "util/xalloc.h"

struct walk {
	struct mail_parts *out;
	size_t cap;
	size_t text_total;
};

static char *lower_dup(const char *s)
{
	char *d = xstrdup(s ? s : "");
	for (char *p = d; *p; p++)
		*p = (char)g_ascii_tolower(*p);
	return d;
}

/* Appends a part, charging its text to the MAIL_TEXT_MAX budget. */
static void add(struct walk *w, enum mail_part_kind kind, const char *ctype, const char *filename, bool attachment,
		int depth, int64_t date, const char *text, size_t len)
{
	size_t room = MAIL_TEXT_MAX - w->text_total;
	if (len > room) {
		len = room;
		while (len > 0 && ((unsigned char)text[len] & 0xc0) == 0x80)
			len--;
		w->out->defects |= DEFECT_TRUNCATED;
	}
	if (w->out->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 8;
		w->out->v = xrealloc(w->out->v, w->cap * sizeof(struct mail_part));
	}
	struct mail_part *p = &w->out->v[w->out->n++];
	p->kind = kind;
	p->content_type = lower_dup(ctype);
	p->filename = xstrdup(filename ? filename : "");
	p->is_attachment = attachment;
	p->depth = depth;
	p->date = date;
	p->text = xstrndup(text, len);
	p->text_len = len;
	w->text_total += len;
}

/* The decoded bytes of a leaf part (transfer encoding undone). */
static char *part_bytes(GMimePart *part, size_t *ret_len)
{
	GMimeDataWrapper *dw = g_mime_part_get_content(part);
	*ret_len = 0;
	if (!dw)
		return xstrdup("");
	GMimeStream *mem = g_mime_stream_mem_new();
	g_mime_data_wrapper_write_to_stream(dw, mem);
	GByteArray *ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	size_t n = ba->len > MAIL_TEXT_MAX ? MAIL_TEXT_MAX : ba->len;
	/* an empty part has no data pointer at all (found by fuzz/extract) */
	char *s = n ? xstrndup((const char *)ba->data, n) : xstrdup("");
	*ret_len = n;
	g_object_unref(mem);
	return s;
}

static char *valid_utf8(char *t, uint32_t *defects)
{
	if (t && !g_utf8_validate(t, -1, NULL)) {
		char *v = g_utf8_make_valid(t, -1);
		g_free(t);
		*defects |= DEFECT_BAD_CHARSET;
		return v;
	}
	return t;
}

/* An attached message: its complete header block, then (by returning
 * true to the walker) its own parts one message level deeper. */
static bool on_message(struct walk *w, GMimeMessage *msg, int msg_depth)
{
	char *hdrs = g_mime_object_get_headers(GMIME_OBJECT(msg), NULL);
	GDateTime *dt = g_mime_message_get_date(msg);
	add(w, MAIL_PART_HEADERS, "message/rfc822", "", false, msg_depth, dt ? g_date_time_to_unix(dt) : 0, hdrs ? hdrs : "",
	    hdrs ? strlen(hdrs) : 0);
	g_free(hdrs);
	return true;
}

static bool on_leaf(void *arg, struct mail_walk *mw, const struct mail_leaf *leaf)
{
	struct walk *w = arg;
	(void)mw;
	GMimeObject *obj = leaf->obj;
	int msg_depth = leaf->msg_depth;
	if (GMIME_IS_MESSAGE_PART(obj)) {
		GMimeMessage *m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
		return m && on_message(w, m, msg_depth + 1);
	}
	if (!GMIME_IS_PART(obj))
		return false;
	GMimePart *part = GMIME_PART(obj);
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	char *mime = g_mime_content_type_get_mime_type(ct);
	const char *filename = g_mime_part_get_filename(part);
	bool attachment = g_mime_part_is_attachment(part);
	if (GMIME_IS_TEXT_PART(obj)) {
		char *t = valid_utf8(g_mime_text_part_get_text(GMIME_TEXT_PART(obj)), &w->out->defects);
		if (!t) {
			g_free(mime);
			return false;
		}
		if (g_mime_content_type_is_type(ct, "text", "html")) {
			struct buf b;
			buf_init(&b, HTML_TEXT_MAX);
			if (html_text(t, strlen(t), &b) < 0)
				w->out->defects |= DEFECT_TRUNCATED;
			add(w, MAIL_PART_HTML, mime, filename, attachment, msg_depth, 0, buf_str(&b), b.len);
			buf_free(&b);
		} else if (g_mime_content_type_is_type(ct, "text", "rfc822-headers")) {
			add(w, MAIL_PART_HEADERS, mime, filename, attachment, msg_depth + 1, 0, t, strlen(t));
		} else {
			add(w, MAIL_PART_TEXT, mime, filename, attachment, msg_depth, 0, t, strlen(t));
		}
		g_free(t);
	} else if (g_mime_content_type_is_type(ct, "message", "feedback-report") ||
		   g_mime_content_type_is_type(ct, "message", "rfc822-headers") ||
		   g_mime_content_type_is_type(ct, "application", "json") ||
		   g_mime_content_type_is_type(ct, "application", "x-yaml") ||
		   g_mime_content_type_is_type(ct, "application", "yaml") ||
		   g_mime_content_type_is_type(ct, "application", "csv")) {
		size_t n;
		char *t = valid_utf8(part_bytes(part, &n), &w->out->defects);
		enum mail_part_kind kind = g_mime_content_type_is_type(ct, "message", "feedback-report") ? MAIL_PART_FEEDBACK
					   : g_mime_content_type_is_type(ct, "message", "rfc822-headers") ? MAIL_PART_HEADERS
													     : MAIL_PART_DATA;
		add(w, kind, mime, filename, attachment, msg_depth, 0, t, strlen(t));
		free(t);
	}
	g_free(mime);
	return false;
}

int mail_parts_from(GMimeMessage *msg, struct mail_parts *ret)
{
	struct mail_parts out;
	memset(&out, 0, sizeof(out));
	*ret = out;
	GMimeHeaderList *hl = msg ? g_mime_object_get_header_list(GMIME_OBJECT(msg)) : NULL;
	if (!msg || !hl || g_mime_header_list_get_count(hl) == 0)
		return -EBADMSG;
	char *hdrs = g_mime_object_get_headers(GMIME_OBJECT(msg), NULL);
	out.headers = xstrdup(hdrs ? hdrs : "");
	g_free(hdrs);
	GDateTime *dt = g_mime_message_get_date(msg);
	out.date = dt ? g_date_time_to_unix(dt) : 0;
	struct walk w = { .out = &out };
	struct mail_walk mw = { 0 };
	mail_walk_tree(msg, on_leaf, &w, &mw);
	if (mw.too_deep)
		out.defects |= DEFECT_NESTING;
	*ret = out;
	return 0;
}

int mail_parts_read(const char *raw, size_t len, struct mail_parts *ret)
{
	struct buf copy;
	buf_init(&copy, 0);
	size_t n;
	const char *in = mail_walk_input(raw, len, &copy, &n);
	GMimeParserOptions *opts = NULL;
	GMimeMessage *msg = mail_walk_parse(in, n, NULL, NULL, &opts);
	int r = mail_parts_from(msg, ret);
	if (msg)
		g_object_unref(msg);
	g_mime_parser_options_free(opts);
	buf_free(&copy);
	return r;
}

void mail_parts_clear(struct mail_parts *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].content_type);
		free(p->v[i].filename);
		free(p->v[i].text);
	}
	free(p->v);
	free(p->headers);
	memset(p, 0, sizeof(*p));
}
