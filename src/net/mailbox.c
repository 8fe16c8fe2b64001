#include "net/mailbox.h"

static bool atext(int c)
{
	/* RFC 5322 3.2.3 atext, ASCII only */
	if (char_is_alnum(c))
		return true;
	for (const char *p = "!#$%&'*+-/=?^_`{|}~"; *p; p++)
		if (*p == c)
			return true;
	return false;
}

bool domain_is_valid(struct str s)
{
	if (s.len == 0 || s.len > DOMAIN_NAME_MAX)
		return false;
	size_t labels = 0, n = 0;
	for (size_t i = 0; i <= s.len; i++) {
		int c = i < s.len ? (unsigned char)s.p[i] : '.';
		if (c == '.') {
			if (n == 0 || n > 63 || s.p[i - 1] == '-')
				return false;
			labels++;
			n = 0;
			continue;
		}
		if (!char_is_alnum(c) && !(c == '-' && n > 0))
			return false;
		n++;
	}
	return labels >= 2;
}

bool mailbox_is_valid(struct str s)
{
	size_t at = s.len;
	for (size_t i = s.len; i-- > 0;)
		if (s.p[i] == '@') {
			at = i;
			break;
		}
	if (at == s.len || at == 0 || at > MAILBOX_LOCAL_MAX)
		return false;
	for (size_t i = 0; i < at; i++) {
		int c = (unsigned char)s.p[i];
		if (c == '.') {
			if (i == 0 || i + 1 == at || s.p[i + 1] == '.')
				return false;
		} else if (!atext(c)) {
			return false;
		}
	}
	return domain_is_valid(str_make(s.p + at + 1, s.len - at - 1));
}
