#include "contacts/rpsl.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

struct attr_off {
	size_t name, name_len, value, value_len;
};

struct rpsl_parser {
	struct rpsl_callbacks cb;
	struct buf line;		/* the line being assembled */
	bool line_too_long;
	uint64_t lineno;		/* of the line being assembled */
	struct buf text;		/* names and values of the object */
	struct attr_off *attrs;
	size_t n_attrs, cap_attrs;
	uint64_t first_line;
	bool is_bad;			/* malformed: skipping to the blank line */
	struct rpsl_attr *out;		/* slices handed to the callback */
	size_t cap_out;
};

struct rpsl_parser *rpsl_parser_new(const struct rpsl_callbacks *cb)
{
	struct rpsl_parser *p = xcalloc(1, sizeof(*p));
	p->cb = *cb;
	buf_init(&p->line, RPSL_LINE_MAX);
	buf_init(&p->text, RPSL_OBJECT_MAX);
	p->lineno = 1;
	return p;
}

struct rpsl_parser *rpsl_parser_free(struct rpsl_parser *p)
{
	if (p) {
		buf_free(&p->line);
		buf_free(&p->text);
		free(p->attrs);
		free(p->out);
		free(p);
	}
	return NULL;
}

static void reset(struct rpsl_parser *p)
{
	buf_reset(&p->text);
	p->n_attrs = 0;
	p->is_bad = false;
}

static void malformed(struct rpsl_parser *p, const char *why)
{
	if (!p->is_bad && p->cb.error)
		p->cb.error(p->cb.user, p->lineno, why);
	reset(p);
	p->is_bad = true;
}

static void deliver(struct rpsl_parser *p)
{
	if (p->n_attrs && !p->is_bad && p->cb.object) {
		p->out = xgrow(p->out, &p->cap_out, p->n_attrs, sizeof(*p->out));
		for (size_t i = 0; i < p->n_attrs; i++) {
			const struct attr_off *a = &p->attrs[i];
			p->out[i].name = str_make(p->text.p + a->name, a->name_len);
			p->out[i].value = str_make(p->text.p + a->value, a->value_len);
		}
		struct rpsl_object o = { p->out, p->n_attrs, p->first_line };
		p->cb.object(p->cb.user, &o);
	}
	reset(p);
}

/* A value without its end-of-line comment (RFC 2622 2), trimmed. */
static struct str value_of(struct str s)
{
	const char *hash = memchr(s.p, '#', s.len);
	if (hash)
		s.len = (size_t)(hash - s.p);
	return str_trim(s);
}

static bool name_char(int c)
{
	return char_is_alnum(c) || c == '-' || c == '_';
}

static void take_line(struct rpsl_parser *p, struct str l)
{
	if (l.len && l.p[l.len - 1] == '\r')
		l.len--;
	if (str_trim(l).len == 0) {
		deliver(p);
		return;
	}
	if (p->is_bad)
		return;
	if (l.p[0] == '%' || l.p[0] == '#')
		return;
	if (l.p[0] == ' ' || l.p[0] == '\t' || l.p[0] == '+') {
		if (p->n_attrs == 0) {
			malformed(p, "a continuation line before any attribute");
			return;
		}
		struct str v = value_of(str_make(l.p + 1, l.len - 1));
		if (v.len == 0)
			return;
		struct attr_off *a = &p->attrs[p->n_attrs - 1];
		int r = a->value_len ? buf_append_char(&p->text, ' ') : 0;
		if (r == 0 && !a->value_len)
			a->value = p->text.len;	/* the value is the last thing in text */
		if (r == 0)
			r = buf_append(&p->text, v.p, v.len);
		if (r < 0) {
			malformed(p, "object larger than RPSL_OBJECT_MAX");
			return;
		}
		a->value_len = p->text.len - a->value;
		return;
	}
	size_t n = 0;
	while (n < l.len && name_char((unsigned char)l.p[n]))
		n++;
	if (n == 0 || n == l.len || l.p[n] != ':') {
		malformed(p, "not an 'attribute: value' line");
		return;
	}
	if (p->n_attrs >= RPSL_ATTRS_MAX) {
		malformed(p, "more attributes than RPSL_ATTRS_MAX");
		return;
	}
	struct str v = value_of(str_make(l.p + n + 1, l.len - n - 1));
	struct attr_off a = { .name = p->text.len, .name_len = n };
	int r = 0;
	for (size_t i = 0; r == 0 && i < n; i++)
		r = buf_append_char(&p->text, (char)char_lower((unsigned char)l.p[i]));
	a.value = p->text.len;
	if (r == 0)
		r = buf_append(&p->text, v.p, v.len);
	if (r < 0) {
		malformed(p, "object larger than RPSL_OBJECT_MAX");
		return;
	}
	a.value_len = v.len;
	if (p->n_attrs == 0)
		p->first_line = p->lineno;
	p->attrs = xgrow(p->attrs, &p->cap_attrs, p->n_attrs + 1, sizeof(*p->attrs));
	p->attrs[p->n_attrs++] = a;
}

static void end_line(struct rpsl_parser *p)
{
	if (p->line_too_long)
		malformed(p, "a line longer than RPSL_LINE_MAX");
	else
		take_line(p, str_make(p->line.p ? p->line.p : "", p->line.len));
	buf_reset(&p->line);
	p->line_too_long = false;
	p->lineno++;
}

void rpsl_feed(struct rpsl_parser *p, const char *data, size_t len)
{
	while (len) {
		const char *nl = memchr(data, '\n', len);
		size_t n = nl ? (size_t)(nl - data) : len;
		if (!p->line_too_long && buf_append(&p->line, data, n) < 0)
			p->line_too_long = true;
		if (!nl)
			return;
		end_line(p);
		data += n + 1;
		len -= n + 1;
	}
}

void rpsl_finish(struct rpsl_parser *p)
{
	if (p->line.len || p->line_too_long)
		end_line(p);
	deliver(p);
}

struct str rpsl_get(const struct rpsl_object *o, const char *name)
{
	for (size_t i = 0; i < o->n_attrs; i++)
		if (str_eq_cstr_nocase(o->attrs[i].name, name))
			return o->attrs[i].value;
	return str_make("", 0);
}
