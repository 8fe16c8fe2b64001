#include "mail/html_text.h"

#include <stdbool.h>
#include <string.h>

#include "util/str.h"

static const char *const block_tags[] = {
	"p", "br", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "table", "blockquote", "hr", "ul", "ol",
};
static const char *const dropped_tags[] = { "script", "style", "head", "template", "noscript", "iframe", "object", "svg" };

static bool name_in(struct str name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (str_eq_cstr_nocase(name, list[i]))
			return true;
	return false;
}

static int put_utf8(struct buf *out, uint32_t cp)
{
	char b[4];
	size_t n;
	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return buf_append(out, b, n);
}

static const struct {
	const char *name;
	uint32_t cp;
} entities[] = {
	{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' }, { "apos", '\'' }, { "nbsp", 0xa0 },
	{ "copy", 0xa9 }, { "reg", 0xae }, { "hellip", 0x2026 }, { "mdash", 0x2014 }, { "ndash", 0x2013 },
	{ "lsquo", 0x2018 }, { "rsquo", 0x2019 }, { "ldquo", 0x201c }, { "rdquo", 0x201d }, { "euro", 0x20ac },
	{ "pound", 0xa3 },
};

/* At s just after '&': decodes one reference; returns bytes consumed (incl.
 * ';') or 0 when it is not a reference we know (the '&' is kept as text). */
static size_t entity(struct str s, struct buf *out)
{
	size_t semi = 0;
	while (semi < s.len && semi < 12 && s.p[semi] != ';')
		semi++;
	if (semi == s.len || s.p[semi] != ';' || semi == 0)
		return 0;
	struct str name = str_make(s.p, semi);
	if (name.p[0] == '#') {
		uint32_t cp = 0;
		bool hex = name.len > 1 && (name.p[1] == 'x' || name.p[1] == 'X');
		size_t i = hex ? 2 : 1;
		if (i == name.len)
			return 0;
		for (; i < name.len; i++) {
			int c = (unsigned char)name.p[i];
			uint32_t d;
			if (char_is_digit(c))
				d = (uint32_t)(c - '0');
			else if (hex && char_is_xdigit(c))
				d = (uint32_t)(char_lower(c) - 'a' + 10);
			else
				return 0;
			cp = cp * (hex ? 16 : 10) + d;
			if (cp > 0x10ffff)
				cp = 0x110000;
		}
		put_utf8(out, cp);
		return semi + 1;
	}
	for (size_t i = 0; i < sizeof(entities) / sizeof(entities[0]); i++)
		if (str_eq(name, str_from(entities[i].name))) {
			put_utf8(out, entities[i].cp);
			return semi + 1;
		}
	return 0;
}

/* Drops everything up to the matching close tag "</name". */
static void skip_element(struct str *s, struct str name)
{
	while (s->len) {
		const char *lt = memchr(s->p, '<', s->len);
		if (!lt) {
			str_skip(s, s->len);
			return;
		}
		str_skip(s, (size_t)(lt - s->p) + 1);
		if (s->len && s->p[0] == '/' && str_starts_nocase(str_make(s->p + 1, s->len - 1), "") &&
		    s->len > name.len && str_eq_nocase(str_make(s->p + 1, name.len), name)) {
			const char *gt = memchr(s->p, '>', s->len);
			str_skip(s, gt ? (size_t)(gt - s->p) + 1 : s->len);
			return;
		}
	}
}

int html_text(const char *html, size_t len, struct buf *out)
{
	struct str s = str_make(html, len);
	bool space = false;
	int r = 0;
	while (s.len && r == 0) {
		char c = s.p[0];
		if (c == '<') {
			str_skip(&s, 1);
			if (str_take_lit(&s, "!--")) {
				const char *end = NULL;
				for (size_t i = 0; i + 2 < s.len; i++)
					if (s.p[i] == '-' && s.p[i + 1] == '-' && s.p[i + 2] == '>') {
						end = s.p + i + 3;
						break;
					}
				str_skip(&s, end ? (size_t)(end - s.p) : s.len);
				continue;
			}
			bool closing = str_take_lit(&s, "/");
			size_t n = 0;
			while (n < s.len && (char_is_alnum((unsigned char)s.p[n]) || s.p[n] == '-'))
				n++;
			struct str name = str_make(s.p, n);
			/* Find the end of the tag, honouring quoted attribute values
			 * so that '>' inside them does not end it. */
			char quote = 0;
			size_t i = n;
			for (; i < s.len; i++) {
				if (quote) {
					if (s.p[i] == quote)
						quote = 0;
				} else if (s.p[i] == '"' || s.p[i] == '\'') {
					quote = s.p[i];
				} else if (s.p[i] == '>') {
					break;
				}
			}
			str_skip(&s, i < s.len ? i + 1 : s.len);
			if (!closing && name_in(name, dropped_tags, sizeof(dropped_tags) / sizeof(dropped_tags[0]))) {
				skip_element(&s, name);
				continue;
			}
			if (name_in(name, block_tags, sizeof(block_tags) / sizeof(block_tags[0]))) {
				if (out->len && out->p[out->len - 1] != '\n')
					r = buf_append_char(out, '\n');
				space = false;
			} else if (str_eq_cstr_nocase(name, "td") || str_eq_cstr_nocase(name, "th")) {
				space = true;
			}
			continue;
		}
		if (char_is_space((unsigned char)c)) {
			space = true;
			str_skip(&s, 1);
			continue;
		}
		if (space && out->len && out->p[out->len - 1] != '\n')
			r = buf_append_char(out, ' ');
		space = false;
		if (c == '&') {
			size_t n = entity(str_make(s.p + 1, s.len - 1), out);
			if (n) {
				str_skip(&s, n + 1);
				continue;
			}
		}
		if (r == 0)
			r = buf_append_char(out, c);
		str_skip(&s, 1);
	}
	return r;
}
