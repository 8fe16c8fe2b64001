/*
 * attach: listing and decoding a message's non-body MIME parts (RFC 2045,
 * RFC 2183 for the filename).
 */
#include "mail/attach.h"

#include <errno.h>
#include <gmime/gmime.h>
#include <string.h>

#include "mail/mail.h"
#include "mail/walk.h"
#include "util/escape.h"
#include "util/xalloc.h"

struct attach_walk {
	int want;		/* -1: list; else the leaf to decode */
	bool seen_body;
	struct mail_attachment *a;
	size_t n, cap;
	GMimeObject *found;
};

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

/* Attached messages are leaves here: listed and downloaded whole. */
static bool on_leaf(void *arg, struct mail_walk *mw, const struct mail_leaf *leaf)
{
	struct attach_walk *w = arg;
	GMimeObject *obj = leaf->obj;
	if (is_body(obj, &w->seen_body))
		return false;
	if (w->want >= 0) {
		if (leaf->index == w->want) {
			w->found = obj;
			mw->stop = true;
		}
		return false;
	}
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	char *type = ct ? g_mime_content_type_get_mime_type(ct) : NULL;
	const char *fn = GMIME_IS_PART(obj) ? g_mime_part_get_filename(GMIME_PART(obj)) : NULL;
	struct buf tmp;
	buf_init(&tmp, (size_t)MAIL_TEXT_MAX * 4);
	decode(obj, &tmp);
	w->a = xgrow(w->a, &w->cap, w->n + 1, sizeof(*w->a));
	w->a[w->n++] = (struct mail_attachment){
		.index = leaf->index,
		.content_type = escape_header_value(str_from(type ? type : "application/octet-stream"), MAIL_ATTACH_NAME_MAX),
		.filename = escape_header_value(str_from(fn ? fn : ""), MAIL_ATTACH_NAME_MAX),
		.size = (int64_t)tmp.len,
	};
	buf_free(&tmp);
	g_free(type);
	return false;
}

int mail_attach_list(const char *raw, size_t len, struct mail_attachment **ret, size_t *ret_n)
{
	GMimeParserOptions *opts = NULL;
	GMimeMessage *msg = mail_walk_parse(raw, len, NULL, NULL, &opts);
	struct attach_walk w = { .want = -1 };
	struct mail_walk mw = { 0 };
	mail_walk_tree(msg, on_leaf, &w, &mw);
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
	GMimeMessage *msg = mail_walk_parse(raw, len, NULL, NULL, &opts);
	struct attach_walk w = { .want = index };
	struct mail_walk mw = { 0 };
	int r = -ENOENT;
	if (index >= 0)
		mail_walk_tree(msg, on_leaf, &w, &mw);
	if (w.found)
		r = decode(w.found, out);
	if (msg)
		g_object_unref(msg);
	g_mime_parser_options_free(opts);
	return r;
}
