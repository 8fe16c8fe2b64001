/*
 * attach: listing and decoding a message's non-body MIME parts (RFC 2045,
 * RFC 2183 for the filename).
 */
#include "mail/attach.h"

#include <errno.h>
#include <gmime/gmime.h>
#include <string.h>

#include "mail/mail.h"
#include "util/escape.h"
#include "util/xalloc.h"

struct attach_walk {
	int leaves;		/* leaf parts seen, in walk order */
	int visited;		/* every part seen (MAIL_PARTS_MAX) */
	int want;		/* -1: list; else the leaf to decode */
	struct mail_attachment *a;
	size_t n, cap;
	GMimeObject *found;
};

static GMimeMessage *parse(const char *raw, size_t len, GMimeParserOptions **ret_opts)
{
	mail_init();
	GMimeParserOptions *opts = g_mime_parser_options_new();
	g_mime_parser_options_set_rfc2047_compliance_mode(opts, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_parameter_compliance_mode(opts, GMIME_RFC_COMPLIANCE_LOOSE);
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(raw, len);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	GMimeMessage *msg = g_mime_parser_construct_message(parser, opts);
	g_object_unref(parser);
	g_object_unref(stream);
	*ret_opts = opts;
	return msg;
}

/* The body text the desk already shows: the first inline text/plain. */
static bool is_body(GMimeObject *obj, bool *seen_body)
{
	if (*seen_body || !GMIME_IS_TEXT_PART(obj))
		return false;
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	if (!g_mime_content_type_is_type(ct, "text", "plain") || g_mime_part_is_attachment(GMIME_PART(obj)))
		return false;
	*seen_body = true;
	return true;
}

static int decode(GMimeObject *obj, struct buf *out)
{
	GMimeStream *mem = g_mime_stream_mem_new();
	if (GMIME_IS_PART(obj)) {
		GMimeDataWrapper *w = g_mime_part_get_content(GMIME_PART(obj));
		if (w)
			g_mime_data_wrapper_write_to_stream(w, mem);
	} else {
		g_mime_object_write_to_stream(obj, NULL, mem);
	}
	GByteArray *ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	int r = ba ? buf_append(out, ba->data, ba->len) : 0;
	g_object_unref(mem);
	return r;
}

static void walk(GMimeObject *obj, int depth, struct attach_walk *w, bool *seen_body)
{
	if (!obj || depth > MAIL_DEPTH_MAX || w->visited >= MAIL_PARTS_MAX || w->found)
		return;
	w->visited++;
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		int n = g_mime_multipart_get_count(mp);
		for (int i = 0; i < n; i++)
			walk(g_mime_multipart_get_part(mp, i), depth + 1, w, seen_body);
		return;
	}
	int index = w->leaves++;
	if (is_body(obj, seen_body))
		return;
	if (w->want >= 0) {
		if (index == w->want)
			w->found = obj;
		return;
	}
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	char *type = ct ? g_mime_content_type_get_mime_type(ct) : NULL;
	const char *fn = GMIME_IS_PART(obj) ? g_mime_part_get_filename(GMIME_PART(obj)) : NULL;
	struct buf tmp;
	buf_init(&tmp, (size_t)MAIL_TEXT_MAX * 4);
	decode(obj, &tmp);
	w->a = xgrow(w->a, &w->cap, w->n + 1, sizeof(*w->a));
	w->a[w->n++] = (struct mail_attachment){
		.index = index,
		.content_type = escape_header_value(str_from(type ? type : "application/octet-stream"), MAIL_ATTACH_NAME_MAX),
		.filename = escape_header_value(str_from(fn ? fn : ""), MAIL_ATTACH_NAME_MAX),
		.size = (int64_t)tmp.len,
	};
	buf_free(&tmp);
	g_free(type);
}

int mail_attach_list(const char *raw, size_t len, struct mail_attachment **ret, size_t *ret_n)
{
	GMimeParserOptions *opts = NULL;
	GMimeMessage *msg = parse(raw, len, &opts);
	struct attach_walk w = { .want = -1 };
	bool seen_body = false;
	if (msg)
		walk(g_mime_message_get_mime_part(msg), 0, &w, &seen_body);
	if (msg)
		g_object_unref(msg);
	g_mime_parser_options_free(opts);
	*ret = w.a;
	*ret_n = w.n;
	return 0;
}

void mail_attach_free(struct mail_attachment *a, size_t n)
{
	for (size_t i = 0; a && i < n; i++) {
		free(a[i].content_type);
		free(a[i].filename);
	}
	free(a);
}

int mail_attach_content(const char *raw, size_t len, int index, struct buf *out)
{
	GMimeParserOptions *opts = NULL;
	GMimeMessage *msg = parse(raw, len, &opts);
	struct attach_walk w = { .want = index };
	bool seen_body = false;
	int r = -ENOENT;
	if (msg && index >= 0)
		walk(g_mime_message_get_mime_part(msg), 0, &w, &seen_body);
	if (w.found)
		r = decode(w.found, out);
	if (msg)
		g_object_unref(msg);
	g_mime_parser_options_free(opts);
	return r;
}
