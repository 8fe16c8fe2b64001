#include "util/fmt.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>

int fmt_u64(uint64_t n, char out[FMT_U64_MAX])
{
	char t[FMT_U64_MAX];
	int len = 0;
	do {
		t[len++] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	for (int i = 0; i < len; i++)
		out[i] = t[len - 1 - i];
	return len;
}

int buf_append_u64(struct buf *b, uint64_t n)
{
	char d[FMT_U64_MAX];
	return buf_append(b, d, (size_t)fmt_u64(n, d));
}

int fmt_utc(int64_t t, char out[FMT_UTC_MAX])
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm))
		return snprintf(out, FMT_UTC_MAX, "(time %" PRId64 ")", t);
	int y = tm.tm_year + 1900;
	if (y < 0 || y > 9999)
		return snprintf(out, FMT_UTC_MAX, "%04d-%02d-%02d %02d:%02d:%02d", y, tm.tm_mon + 1, tm.tm_mday,
				tm.tm_hour, tm.tm_min, tm.tm_sec);
	/* "%04d-%02d-%02d %02d:%02d:%02d": two digits at a time */
	int v[7] = { y / 100, y % 100, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec };
	static const char sep[7] = { 0, 0, '-', '-', ' ', ':', ':' };
	int k = 0;
	for (int i = 0; i < 7; i++) {
		if (sep[i])
			out[k++] = sep[i];
		out[k++] = (char)('0' + v[i] / 10 % 10);
		out[k++] = (char)('0' + v[i] % 10);
	}
	out[k] = '\0';
	return k;
}

int buf_append_utc(struct buf *b, int64_t t)
{
	char o[FMT_UTC_MAX];
	return buf_append(b, o, (size_t)fmt_utc(t, o));
}
