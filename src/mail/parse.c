/*
 * mail_parse(): GMime's parser in loose mode, with its warnings turned into
 * our defect flags (RFC 5322 / RFC 2045-2049).
 */
#include <gmime/gmime.h>
#include <pthread.h>
#include <string.h>

#include "mail/defect.h"
#include "mail/html_text.h"
#include "mail/mail.h"
#include "mail/walk.h"
#include "util/escape.h"
#include "util/str.h"
#include "util/xalloc.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void do_init(void)
{
	g_mime_init();
}

void mail_init(void)
{
	pthread_once(&init_once, do_init);
}

static char *copy_header(const char *v)
{
	/* Our strings hold one line: folding whitespace and stray controls
	 * become spaces, and a value is capped at the RFC line limit. */
	return escape_header_value(str_from(v ? v : ""), MAIL_HEADER_VALUE_MAX);
}

static void on_warning(gint64 offset, GMimeParserWarning code, const gchar *item, gpointer user)
{
	(void)offset;
	(void)item;
	uint32_t *defects = user;
	switch (code) {
	case GMIME_WARN_UNENCODED_8BIT_HEADER: *defects |= DEFECT_8BIT_HEADER; break;
	case GMIME_WARN_INVALID_RFC2047_HEADER_VALUE: *defects |= DEFECT_BAD_ENCODED_WORD; break;
	case GMIME_CRIT_NESTING_OVERFLOW: *defects |= DEFECT_NESTING; break;
	case GMIME_WARN_DUPLICATED_HEADER:
	case GMIME_WARN_DUPLICATED_PARAMETER:
	case GMIME_WARN_INVALID_ADDRESS_LIST: break;	/* common and harmless */
	default: *defects |= DEFECT_BAD_MIME; break;
	}
}

static void scan_raw(const char *raw, size_t len, uint32_t *defects)
{
	if (memchr(raw, '\0', len))
		*defects |= DEFECT_NUL_BYTES;
	size_t line = 0;
	for (size_t i = 0; i < len; i++) {
		if (raw[i] == '\n') {
			line = 0;
			continue;
		}
		if (++line > MAIL_LINE_MAX + 1) {
			*defects |= DEFECT_LONG_LINE;
			break;
		}
	}
}

static void first_mailbox(InternetAddressList *list, char **ret_addr, char **ret_name)
{
	*ret_addr = NULL;
	if (ret_name)
		*ret_name = NULL;
	if (!list)
		return;
	int n = internet_address_list_length(list);
	for (int i = 0; i < n; i++) {
		InternetAddress *ia = internet_address_list_get_address(list, i);
		if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
			*ret_addr = copy_header(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)));
			if (ret_name)
				*ret_name = copy_header(internet_address_get_name(ia));
			return;
		}
		if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			first_mailbox(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)), ret_addr, ret_name);
			if (*ret_addr)
				return;
		}
	}
}

struct body_walk {
	struct buf text;
	bool have_plain;
	const char *html;	/* owned copy of the first HTML part's text */
	uint32_t *defects;
};

static bool is_attachment(GMimeObject *obj)
{
	return GMIME_IS_PART(obj) && g_mime_part_is_attachment(GMIME_PART(obj));
}

static void append_capped(struct body_walk *w, const char *t)
{
	size_t n = strlen(t);
	size_t room = w->text.max - w->text.len;
	if (n > room) {
		/* Cut on a character boundary; the raw message keeps the rest. */
		n = room;
		while (n > 0 && ((unsigned char)t[n] & 0xc0) == 0x80)
			n--;
		*w->defects |= DEFECT_TRUNCATED;
	}
	buf_append(&w->text, t, n);
}

static char *part_text(GMimeTextPart *tp, uint32_t *defects)
{
	char *t = g_mime_text_part_get_text(tp);
	if (!t)
		return NULL;
	if (!g_utf8_validate(t, -1, NULL)) {
		char *v = g_utf8_make_valid(t, -1);
		g_free(t);
		t = v;
		*defects |= DEFECT_BAD_CHARSET;
	}
	return t;
}

static bool has_text(const char *t)
{
	for (; *t; t++)
		if (!char_is_space((unsigned char)*t))
			return true;
	return false;
}

/* One leaf of the shared walk (mail/walk.c). Forwarded messages
 * (message/rfc822) are evidence, read by the evidence extractor; the body
 * text is the reporter's own words, so the walk never enters them. */
static bool take_body_leaf(void *arg, struct mail_walk *mw, const struct mail_leaf *leaf)
{
	(void)mw;
	struct body_walk *w = arg;
	GMimeObject *obj = leaf->obj;
	if (!GMIME_IS_TEXT_PART(obj) || is_attachment(obj))
		return false;
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	if (g_mime_content_type_is_type(ct, "text", "plain") && !w->have_plain) {
		char *t = part_text(GMIME_TEXT_PART(obj), w->defects);
		/* An empty plain part (clients send one beside the HTML they
		 * meant) is no text: keep looking, so the HTML is read. */
		if (t && has_text(t)) {
			append_capped(w, t);
			w->have_plain = true;
		}
		g_free(t);
	} else if (g_mime_content_type_is_type(ct, "text", "html") && !w->html) {
		w->html = part_text(GMIME_TEXT_PART(obj), w->defects);
	}
	return false;
}

static void unparsable(const char *raw, size_t len, struct mail_parsed *m)
{
	struct buf b;
	buf_init(&b, MAIL_TEXT_MAX);
	escape_append_text(&b, str_make(raw, len));
	m->body_text = buf_steal(&b);
	m->defects |= DEFECT_UNPARSABLE;
}

static char *header(GMimeObject *obj, const char *name)
{
	return copy_header(g_mime_object_get_header(obj, name));
}

/* Headers every real message has at least one of; a "header block" with
 * none of them is text someone piped in whose first line had a colon. */
static bool has_mail_header(GMimeHeaderList *hl)
{
	static const char *const names[] = {
		"From", "Sender", "Date", "Subject", "Message-ID", "To", "Cc", "Received", "Return-Path",
		"Reply-To", "MIME-Version", "Content-Type", "In-Reply-To", "References",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (g_mime_header_list_contains(hl, names[i]))
			return true;
	return false;
}

/* Whether raw has anything but white space after its header block: text
 * GMime could not turn into a body (broken MIME, bad encodings) is then
 * shown raw rather than lost from the analyst's view. */
static bool raw_has_body(const char *raw, size_t len)
{
	struct str s = str_make(raw, len), line;
	while (str_take_line(&s, &line))
		if (line.len == 0)
			break;
	for (size_t i = 0; i < s.len; i++)
		if (!char_is_space((unsigned char)s.p[i]))
			return true;
	return false;
}

/* With ret_parts, returns mail_parts_from()'s answer for the same parse. */
static int parse_bytes(const char *raw, size_t len, uint32_t defects, struct mail_parsed *ret,
		       struct mail_parts *ret_parts)
{
	struct mail_parsed m;
	memset(&m, 0, sizeof(m));
	m.defects = defects;

	GMimeParserOptions *opts;
	GMimeMessage *msg = mail_walk_parse(raw, len, on_warning, &m.defects, &opts);
	int parts_r = ret_parts ? mail_parts_from(msg, ret_parts) : 0;

	GMimeObject *obj = msg ? GMIME_OBJECT(msg) : NULL;
	GMimeHeaderList *hl = obj ? g_mime_object_get_header_list(obj) : NULL;
	if (!msg || !hl || g_mime_header_list_get_count(hl) == 0 || !has_mail_header(hl)) {
		if (msg)
			g_object_unref(msg);
		g_mime_parser_options_free(opts);
		m.defects |= DEFECT_NO_HEADERS;
		unparsable(raw, len, &m);
		m.message_id = xstrdup("");
		m.in_reply_to = xstrdup("");
		m.subject = xstrdup("");
		m.from_addr = xstrdup("");
		m.from_name = xstrdup("");
		m.reply_to_addr = xstrdup("");
		m.to_addr = xstrdup("");
		m.date_hdr = xstrdup("");
		m.auto_submitted = xstrdup("");
		m.precedence = xstrdup("");
		m.list_id = xstrdup("");
		m.x_auto_response_suppress = xstrdup("");
		m.return_path = xstrdup("");
		*ret = m;
		return parts_r;
	}

	m.message_id = copy_header(g_mime_message_get_message_id(msg));
	m.subject = copy_header(g_mime_message_get_subject(msg));
	first_mailbox(g_mime_message_get_from(msg), &m.from_addr, &m.from_name);
	if (!m.from_addr) {
		m.from_addr = xstrdup("");
		m.from_name = xstrdup("");
		m.defects |= DEFECT_NO_FROM;
	}
	first_mailbox(g_mime_message_get_reply_to(msg), &m.reply_to_addr, NULL);
	if (!m.reply_to_addr)
		m.reply_to_addr = xstrdup("");
	first_mailbox(g_mime_message_get_to(msg), &m.to_addr, NULL);
	if (!m.to_addr)
		m.to_addr = xstrdup("");
	m.date_hdr = header(obj, "Date");
	GDateTime *dt = g_mime_message_get_date(msg);
	m.date = dt ? g_date_time_to_unix(dt) : 0;

	const char *irt = g_mime_object_get_header(obj, "In-Reply-To");
	GMimeReferences *refs = irt ? g_mime_references_parse(opts, irt) : NULL;
	m.in_reply_to = copy_header(refs && g_mime_references_length(refs) > 0 ? g_mime_references_get_message_id(refs, 0) : "");
	if (refs)
		g_mime_references_free(refs);
	const char *refh = g_mime_object_get_header(obj, "References");
	refs = refh ? g_mime_references_parse(opts, refh) : NULL;
	if (refs) {
		int n = g_mime_references_length(refs);
		/* Keep the newest ones: the tail of References names our mail. */
		int first = n > MAIL_REFERENCES_MAX ? n - MAIL_REFERENCES_MAX : 0;
		m.references = xcalloc((size_t)(n - first) + 1, sizeof(char *));
		for (int i = first; i < n; i++)
			m.references[m.n_references++] = copy_header(g_mime_references_get_message_id(refs, i));
		g_mime_references_free(refs);
	}

	m.auto_submitted = header(obj, "Auto-Submitted");
	m.precedence = header(obj, "Precedence");
	m.list_id = header(obj, "List-Id");
	m.x_auto_response_suppress = header(obj, "X-Auto-Response-Suppress");
	m.return_path = header(obj, "Return-Path");
	int nh = g_mime_header_list_get_count(hl);
	for (int i = 0; i < nh; i++) {
		const char *name = g_mime_header_get_name(g_mime_header_list_get_header_at(hl, i));
		if (name && !g_ascii_strncasecmp(name, "List-", 5))
			m.has_list_headers = true;
	}

	struct body_walk w = { .defects = &m.defects };
	buf_init(&w.text, MAIL_TEXT_MAX);
	struct mail_walk mw = { 0 };
	mail_walk_tree(msg, take_body_leaf, &w, &mw);
	if (mw.too_deep)
		m.defects |= DEFECT_NESTING;
	if (!w.have_plain && w.html) {
		if (html_text(w.html, strlen(w.html), &w.text) < 0)
			m.defects |= DEFECT_TRUNCATED;
		m.defects |= DEFECT_HTML_ONLY;
	}
	g_free((char *)w.html);
	if (w.text.len == 0 && raw_has_body(raw, len)) {
		buf_free(&w.text);
		unparsable(raw, len, &m);
	} else {
		if (w.text.len == 0)
			m.defects |= DEFECT_NO_BODY;
		m.body_text = buf_steal(&w.text);
	}

	g_object_unref(msg);
	g_mime_parser_options_free(opts);
	*ret = m;
	return parts_r;
}

int mail_parse(const char *raw, size_t len, struct mail_parsed *ret)
{
	return mail_parse_with_parts(raw, len, ret, NULL);
}

int mail_parse_with_parts(const char *raw, size_t len, struct mail_parsed *ret, struct mail_parts *ret_parts)
{
	mail_init();
	uint32_t defects = 0;
	scan_raw(raw, len, &defects);
	struct buf copy;
	buf_init(&copy, 0);
	size_t n;
	const char *in = mail_walk_input(raw, len, &copy, &n);
	int r = parse_bytes(in, n, defects, ret, ret_parts);
	buf_free(&copy);
	return r;
}

void mail_parsed_clear(struct mail_parsed *m)
{
	free(m->message_id);
	free(m->in_reply_to);
	for (size_t i = 0; i < m->n_references; i++)
		free(m->references[i]);
	free(m->references);
	free(m->subject);
	free(m->from_addr);
	free(m->from_name);
	free(m->reply_to_addr);
	free(m->to_addr);
	free(m->date_hdr);
	free(m->auto_submitted);
	free(m->precedence);
	free(m->list_id);
	free(m->x_auto_response_suppress);
	free(m->return_path);
	free(m->body_text);
	memset(m, 0, sizeof(*m));
}
