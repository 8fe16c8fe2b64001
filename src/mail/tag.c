#include "mail/tag.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/str.h"
#include "util/xalloc.h"

char *tag_format(const char *tag, int64_t number)
{
	return xasprintf("[%s#%06lld]", tag, (long long)number);
}

/* Compares the tag name inside brackets with ours: case-insensitive, runs of
 * white space equal to one space, white space at either end ignored. */
static bool tag_name_matches(struct str got, const char *want)
{
	got = str_trim(got);
	struct str w = str_trim(str_from(want));
	size_t i = 0, j = 0;
	while (i < got.len && j < w.len) {
		bool gs = char_is_space((unsigned char)got.p[i]);
		bool ws = char_is_space((unsigned char)w.p[j]);
		if (gs && ws) {
			while (i < got.len && char_is_space((unsigned char)got.p[i]))
				i++;
			while (j < w.len && char_is_space((unsigned char)w.p[j]))
				j++;
			continue;
		}
		if (gs || ws)
			return false;
		if (char_lower((unsigned char)got.p[i]) != char_lower((unsigned char)w.p[j]))
			return false;
		i++;
		j++;
	}
	return i == got.len && j == w.len;
}

/* At s (pointing at '['), parses "[ name # digits ]". On success returns
 * the length of the whole bracket and the number. */
static size_t parse_bracket(struct str s, const char *tag, int64_t *ret_number)
{
	if (!s.len || s.p[0] != '[')
		return 0;
	const char *close = memchr(s.p, ']', s.len);
	if (!close)
		return 0;
	struct str inner = str_make(s.p + 1, (size_t)(close - s.p - 1));
	const char *hash = NULL;
	for (size_t i = inner.len; i > 0; i--)
		if (inner.p[i - 1] == '#') {
			hash = inner.p + i - 1;
			break;
		}
	if (!hash)
		return 0;
	struct str name = str_make(inner.p, (size_t)(hash - inner.p));
	struct str num = str_trim(str_make(hash + 1, (size_t)(inner.p + inner.len - hash - 1)));
	uint64_t n;
	if (!tag_name_matches(name, tag) || !str_to_u64(num, TAG_NUMBER_MAX, &n) || n == 0)
		return 0;
	*ret_number = (int64_t)n;
	return (size_t)(close - s.p) + 1;
}

bool tag_find(const char *subject, const char *tag, int64_t *ret_number)
{
	if (!subject || !tag || !*tag)
		return false;
	struct str s = str_from(subject);
	for (size_t i = 0; i < s.len; i++) {
		if (s.p[i] != '[')
			continue;
		if (parse_bracket(str_make(s.p + i, s.len - i), tag, ret_number))
			return true;
	}
	return false;
}

/* Reply and forward markers as clients write them (RFC 5322 section 3.6.5
 * only names "Re:"; the rest are Outlook/Thunderbird localisations). */
static const char *const prefixes[] = {
	"re", "fw", "fwd", "aw", "wg", "sv", "vs", "tr", "rv", "res", "enc", "antw", "doorst", "odp", "vl", "ref",
};

/* Length of a prefix like "Re:", "RE :", "Re[2]:", "Fwd:" at the front. */
static size_t prefix_len(struct str s)
{
	for (size_t k = 0; k < sizeof(prefixes) / sizeof(prefixes[0]); k++) {
		struct str t = s;
		if (!str_take_lit_nocase(&t, prefixes[k]))
			continue;
		if (t.len && t.p[0] == '[') {	/* Re[2]: */
			uint64_t n;
			str_skip(&t, 1);
			if (!str_take_u64(&t, 9999, &n) || !str_take_lit(&t, "]"))
				continue;
		}
		str_skip_space(&t);
		if (!str_take_lit(&t, ":"))
			continue;
		return (size_t)(t.p - s.p);
	}
	return 0;
}

char *tag_strip_prefixes(const char *original)
{
	struct str s = str_trim(str_from(original ? original : ""));
	size_t n;
	while ((n = prefix_len(s)) > 0) {
		str_skip(&s, n);
		s = str_trim(s);
	}
	return str_dup(s);
}

char *tag_subject(const char *tag, int64_t number, const char *original)
{
	/* Remove our tags anywhere, then prefixes (which may have sat before
	 * the tag: "Re: [Janet CSIRT#100001] Scan"), then once more both. */
	struct buf b;
	buf_init(&b, TAG_SUBJECT_MAX * 4);
	struct str s = str_from(original ? original : "");
	for (size_t i = 0; i < s.len;) {
		int64_t n;
		size_t len = s.p[i] == '[' ? parse_bracket(str_make(s.p + i, s.len - i), tag, &n) : 0;
		if (len) {
			i += len;
			continue;
		}
		if (buf_append_char(&b, s.p[i]) < 0)
			break;
		i++;
	}
	char *stripped = tag_strip_prefixes(buf_str(&b));
	buf_free(&b);

	/* Fold the white space the tag removal left behind. */
	buf_init(&b, TAG_SUBJECT_MAX * 4);
	char *head = tag_format(tag, number);
	buf_append_str(&b, head);
	free(head);
	if (*stripped)
		buf_append_char(&b, ' ');
	bool space = false;
	for (const char *p = stripped; *p; p++) {
		if (char_is_space((unsigned char)*p)) {
			space = true;
			continue;
		}
		if (space)
			buf_append_char(&b, ' ');
		space = false;
		if (buf_append_char(&b, *p) < 0)
			break;
	}
	free(stripped);
	return buf_steal(&b);
}
