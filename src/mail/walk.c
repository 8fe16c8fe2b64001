/*
 * walk: the MIME tree in document order (RFC 2046 5.1 multipart, 5.2.1
 * message/rfc822), see walk.h.
 */
#include "mail/walk.h"

#include <string.h>

#include "mail/mail.h"

GMimeMessage *mail_walk_parse(const char *raw, size_t len, GMimeParserWarningFunc warn, void *warn_arg,
			      GMimeParserOptions **ret_opts)
{
	mail_init();
	GMimeParserOptions *opts = g_mime_parser_options_new();
	g_mime_parser_options_set_rfc2047_compliance_mode(opts, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_address_compliance_mode(opts, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_parameter_compliance_mode(opts, GMIME_RFC_COMPLIANCE_LOOSE);
	if (warn)
		g_mime_parser_options_set_warning_callback(opts, warn, warn_arg);
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(raw, len);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	GMimeMessage *msg = g_mime_parser_construct_message(parser, opts);
	g_object_unref(parser);
	g_object_unref(stream);
	*ret_opts = opts;
	return msg;
}

const char *mail_walk_input(const char *raw, size_t len, struct buf *copy, size_t *ret_len)
{
	if (!memchr(raw, '\0', len)) {
		*ret_len = len;
		return raw;
	}
	buf_init(copy, len * 3 + 1);
	for (size_t i = 0; i < len; i++) {
		if (raw[i])
			buf_append_char(copy, raw[i]);
		else
			buf_append_str(copy, "\xef\xbf\xbd");
	}
	*ret_len = copy->len;
	return buf_str(copy);
}

static void walk(GMimeObject *obj, int depth, int msg_depth, mail_leaf_fn fn, void *arg, struct mail_walk *w)
{
	if (!obj || w->stop || w->visited >= MAIL_PARTS_MAX)
		return;
	if (depth > MAIL_DEPTH_MAX) {
		w->too_deep = true;
		return;
	}
	w->visited++;
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		int n = g_mime_multipart_get_count(mp);
		for (int i = 0; i < n; i++)
			walk(g_mime_multipart_get_part(mp, i), depth + 1, msg_depth, fn, arg, w);
		return;
	}
	struct mail_leaf leaf = { obj, w->leaves++, depth, msg_depth };
	if (!fn(arg, w, &leaf) || !GMIME_IS_MESSAGE_PART(obj))
		return;
	GMimeMessage *m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
	/* the message is one level, its body part the next */
	if (m)
		walk(g_mime_message_get_mime_part(m), depth + 2, msg_depth + 1, fn, arg, w);
}

void mail_walk_tree(GMimeMessage *msg, mail_leaf_fn fn, void *arg, struct mail_walk *w)
{
	if (msg)
		walk(g_mime_message_get_mime_part(msg), 0, 0, fn, arg, w);
}
