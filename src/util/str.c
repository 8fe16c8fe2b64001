#include "util/str.h"

#include <string.h>

#include "util/xalloc.h"

struct str str_from(const char *s)
{
	return (struct str){ s, s ? strlen(s) : 0 };
}

struct str str_make(const char *p, size_t len)
{
	return (struct str){ p, len };
}

bool str_eq(struct str a, struct str b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

bool str_eq_nocase(struct str a, struct str b)
{
	if (a.len != b.len)
		return false;
	for (size_t i = 0; i < a.len; i++)
		if (char_lower((unsigned char)a.p[i]) != char_lower((unsigned char)b.p[i]))
			return false;
	return true;
}

bool str_eq_cstr_nocase(struct str a, const char *s)
{
	return str_eq_nocase(a, str_from(s));
}

bool str_starts_nocase(struct str s, const char *prefix)
{
	size_t n = strlen(prefix);
	return s.len >= n && str_eq_nocase(str_make(s.p, n), str_make(prefix, n));
}

long str_find_nocase(struct str hay, struct str needle)
{
	if (needle.len == 0)
		return 0;
	if (needle.len > hay.len)
		return -1;
	for (size_t i = 0; i + needle.len <= hay.len; i++)
		if (str_eq_nocase(str_make(hay.p + i, needle.len), needle))
			return (long)i;
	return -1;
}

struct str str_trim(struct str s)
{
	while (s.len && char_is_space((unsigned char)s.p[0])) {
		s.p++;
		s.len--;
	}
	while (s.len && char_is_space((unsigned char)s.p[s.len - 1]))
		s.len--;
	return s;
}

void str_skip(struct str *s, size_t n)
{
	if (n > s->len)
		n = s->len;
	s->p += n;
	s->len -= n;
}

void str_skip_space(struct str *s)
{
	while (s->len && (s->p[0] == ' ' || s->p[0] == '\t'))
		str_skip(s, 1);
}

bool str_split(struct str *s, char sep, struct str *ret_head)
{
	const char *q = s->len ? memchr(s->p, sep, s->len) : NULL;
	if (!q) {
		*ret_head = *s;
		str_skip(s, s->len);
		return false;
	}
	*ret_head = str_make(s->p, (size_t)(q - s->p));
	str_skip(s, (size_t)(q - s->p) + 1);
	return true;
}

bool str_take_line(struct str *s, struct str *ret_line)
{
	if (s->len == 0)
		return false;
	struct str line;
	str_split(s, '\n', &line);
	if (line.len && line.p[line.len - 1] == '\r')
		line.len--;
	*ret_line = line;
	return true;
}

bool str_take_lit(struct str *s, const char *lit)
{
	size_t n = strlen(lit);
	if (s->len < n || memcmp(s->p, lit, n) != 0)
		return false;
	str_skip(s, n);
	return true;
}

bool str_take_lit_nocase(struct str *s, const char *lit)
{
	if (!str_starts_nocase(*s, lit))
		return false;
	str_skip(s, strlen(lit));
	return true;
}

bool str_take_u64(struct str *s, uint64_t max, uint64_t *ret)
{
	uint64_t v = 0;
	size_t i = 0;
	while (i < s->len && i < 19 && char_is_digit((unsigned char)s->p[i])) {
		v = v * 10 + (uint64_t)(s->p[i] - '0');
		i++;
	}
	if (i == 0 || v > max || (i < s->len && char_is_digit((unsigned char)s->p[i])))
		return false;
	*ret = v;
	str_skip(s, i);
	return true;
}

bool str_to_u64(struct str s, uint64_t max, uint64_t *ret)
{
	uint64_t v;
	if (!str_take_u64(&s, max, &v) || s.len != 0)
		return false;
	*ret = v;
	return true;
}

bool cstr_to_u64(const char *s, uint64_t max, uint64_t *ret)
{
	return s && str_to_u64(str_from(s), max, ret);
}

bool cstr_to_i64(const char *s, int64_t min, int64_t max, int64_t *ret)
{
	if (!s)
		return false;
	bool neg = s[0] == '-';
	uint64_t v;
	if (!cstr_to_u64(s + neg, neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, &v))
		return false;
	int64_t r = neg ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v) : (int64_t)v;
	if (r < min || r > max)
		return false;
	*ret = r;
	return true;
}

char *str_dup(struct str s)
{
	return xstrndup(s.p ? s.p : "", s.len);
}
