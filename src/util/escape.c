#include "util/escape.h"

#include <stdbool.h>

#include "util/xalloc.h"

/* Length of a valid UTF-8 sequence of 2-4 bytes at p, or 0. Overlongs and
 * surrogates count as invalid (RFC 3629 section 4). */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
	if (n >= 2 && p[0] >= 0xc2 && p[0] <= 0xdf && (p[1] & 0xc0) == 0x80)
		return 2;
	if (n >= 3 && (p[0] & 0xf0) == 0xe0 && (p[1] & 0xc0) == 0x80 && (p[2] & 0xc0) == 0x80) {
		if (p[0] == 0xe0 && p[1] < 0xa0)
			return 0;
		if (p[0] == 0xed && p[1] >= 0xa0)
			return 0;
		return 3;
	}
	if (n >= 4 && p[0] >= 0xf0 && p[0] <= 0xf4 && (p[1] & 0xc0) == 0x80 && (p[2] & 0xc0) == 0x80 && (p[3] & 0xc0) == 0x80) {
		if (p[0] == 0xf0 && p[1] < 0x90)
			return 0;
		if (p[0] == 0xf4 && p[1] >= 0x90)
			return 0;
		return 4;
	}
	return 0;
}

static int append_escaped(struct buf *out, struct str s, size_t cap, bool keep_newlines)
{
	const unsigned char *p = (const unsigned char *)s.p;
	size_t i = 0;
	int r = 0;
	while (i < s.len && r == 0) {
		if (i >= cap)
			return buf_append_str(out, "...");
		unsigned char c = p[i];
		if (c >= 0x20 && c < 0x7f) {
			r = buf_append_char(out, (char)c);
			i++;
			continue;
		}
		if (c == '\n' && keep_newlines) {
			r = buf_append_char(out, '\n');
			i++;
			continue;
		}
		if (c == '\t' && keep_newlines) {
			r = buf_append_char(out, '\t');
			i++;
			continue;
		}
		size_t n = c >= 0x80 ? utf8_seq(p + i, s.len - i) : 0;
		/* U+0080..U+009F are C1 controls: as dangerous as ESC on a terminal. */
		if (n == 2 && c == 0xc2 && p[i + 1] < 0xa0)
			n = 0;
		if (n) {
			r = buf_append(out, p + i, n);
			i += n;
			continue;
		}
		switch (c) {
		case '\n': r = buf_append_str(out, "\\n"); break;
		case '\r': r = buf_append_str(out, keep_newlines ? "" : "\\r"); break;
		case '\t': r = buf_append_str(out, "\\t"); break;
		default: r = buf_printf(out, "\\x%02x", c); break;
		}
		i++;
	}
	return r;
}

int escape_append(struct buf *out, struct str s, size_t cap)
{
	return append_escaped(out, s, cap, false);
}

char *escape_dup(struct str s, size_t cap)
{
	struct buf b;
	buf_init(&b, cap * 4 + 8);
	append_escaped(&b, s, cap, false);
	return buf_steal(&b);
}

int escape_append_text(struct buf *out, struct str s)
{
	return append_escaped(out, s, (size_t)-1, true);
}

char *escape_header_value(struct str s, size_t cap)
{
	struct buf b;
	buf_init(&b, cap + 1);
	bool space = false;
	const unsigned char *p = (const unsigned char *)s.p;
	for (size_t i = 0; i < s.len;) {
		unsigned char c = p[i];
		size_t n = 1;
		if (c < 0x20 || c == 0x7f || c == ' ') {
			space = b.len > 0;
			i++;
			continue;
		}
		if (c >= 0x80) {
			n = utf8_seq(p + i, s.len - i);
			if (n == 0) {	/* stray 8-bit byte: drop it, not the rest */
				i++;
				continue;
			}
		}
		if (b.len + (space ? 1 : 0) + n > cap)
			break;
		if (space)
			buf_append_char(&b, ' ');
		space = false;
		buf_append(&b, p + i, n);
		i += n;
	}
	return buf_steal(&b);
}
