#include "evidence/timeparse.h"

#include <stdio.h>
#include <time.h>

/* H. Hinnant, "chrono-Compatible Low-Level Date Algorithms": exact for the
 * whole proleptic Gregorian calendar, no tables, no locale. */
int64_t timeparse_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void timeparse_civil_from_days(int64_t z, int64_t *ret_y, unsigned *ret_m, unsigned *ret_d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;
	*ret_y = y + (m <= 2);
	*ret_m = m;
	*ret_d = d;
}

static const char months[12][4] = { "jan", "feb", "mar", "apr", "may", "jun",
				     "jul", "aug", "sep", "oct", "nov", "dec" };
static const char *const month_long[12] = { "january", "february", "march", "april", "may", "june", "july",
					    "august", "september", "october", "november", "december" };

unsigned timeparse_month(struct str s)
{
	if (s.len < 3)
		return 0;
	int a = char_lower(s.p[0]), b = char_lower(s.p[1]), c = char_lower(s.p[2]);
	for (unsigned i = 0; i < 12; i++) {
		if (months[i][0] != a || months[i][1] != b || months[i][2] != c)
			continue;
		if (s.len == 3 || (s.len == 4 && i == 8 && char_lower(s.p[3]) == 't'))	/* "Sept" */
			return i + 1;
		return str_eq_cstr_nocase(s, month_long[i]) ? i + 1 : 0;
	}
	return 0;
}

struct zone {
	const char *name;
	int32_t offset;
};

/* Abbreviations as the tz database and RFC 5322 4.3 use them. Ambiguous
 * ones (IST: India/Ireland/Israel) are left out on purpose: an unknown
 * zone is reported as unstated rather than guessed. */
static const struct zone zones[] = {
	{ "UTC", 0 }, { "UT", 0 }, { "GMT", 0 }, { "Z", 0 }, { "WET", 0 },
	{ "BST", 3600 }, { "CET", 3600 }, { "MET", 3600 }, { "WEST", 3600 },
	{ "CEST", 7200 }, { "MEST", 7200 }, { "EET", 7200 }, { "SAST", 7200 },
	{ "EEST", 10800 }, { "MSK", 10800 },
	{ "EST", -5 * 3600 }, { "EDT", -4 * 3600 }, { "CST", -6 * 3600 }, { "CDT", -5 * 3600 },
	{ "MST", -7 * 3600 }, { "MDT", -6 * 3600 }, { "PST", -8 * 3600 }, { "PDT", -7 * 3600 },
	{ "AKST", -9 * 3600 }, { "AKDT", -8 * 3600 }, { "HST", -10 * 3600 },
	{ "AST", -4 * 3600 }, { "ADT", -3 * 3600 }, { "NST", -12600 }, { "NDT", -9000 },
	{ "JST", 9 * 3600 }, { "KST", 9 * 3600 }, { "HKT", 8 * 3600 }, { "SGT", 8 * 3600 },
	{ "AWST", 8 * 3600 }, { "ACST", 34200 }, { "ACDT", 37800 }, { "AEST", 10 * 3600 },
	{ "AEDT", 11 * 3600 }, { "NZST", 12 * 3600 }, { "NZDT", 13 * 3600 },
};

bool timeparse_zone(struct str name, int32_t *ret_offset)
{
	if (name.len == 0 || name.len > 4)
		return false;
	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
		if (str_eq_cstr_nocase(name, zones[i].name)) {
			*ret_offset = zones[i].offset;
			return true;
		}
	return false;
}

/* Exactly n digits. */
static bool take_digits(struct str *s, unsigned n, unsigned *ret)
{
	if (s->len < n)
		return false;
	unsigned v = 0;
	for (unsigned i = 0; i < n; i++) {
		if (!char_is_digit(s->p[i]))
			return false;
		v = v * 10 + (unsigned)(s->p[i] - '0');
	}
	*ret = v;
	str_skip(s, n);
	return true;
}

/* One or two digits. */
static bool take_1or2(struct str *s, unsigned *ret)
{
	if (s->len == 0 || !char_is_digit(s->p[0]))
		return false;
	unsigned v = (unsigned)(s->p[0] - '0');
	size_t n = 1;
	if (s->len > 1 && char_is_digit(s->p[1])) {
		v = v * 10 + (unsigned)(s->p[1] - '0');
		n = 2;
	}
	if (s->len > n && char_is_digit(s->p[n]))
		return false;
	*ret = v;
	str_skip(s, n);
	return true;
}

static bool take_char(struct str *s, char c)
{
	if (s->len == 0 || s->p[0] != c)
		return false;
	str_skip(s, 1);
	return true;
}

static size_t alpha_run(struct str s)
{
	size_t n = 0;
	while (n < s.len && char_is_alpha(s.p[n]))
		n++;
	return n;
}

/* "HH:MM[:SS][.fff]" (a leap second 60 is read as 59). */
static bool take_clock(struct str *s, unsigned *h, unsigned *mi, unsigned *sec, int32_t *millis)
{
	struct str c = *s;
	if (!take_1or2(&c, h) || !take_char(&c, ':') || !take_digits(&c, 2, mi))
		return false;
	*sec = 0;
	*millis = 0;
	if (c.len && c.p[0] == ':') {
		str_skip(&c, 1);
		if (!take_digits(&c, 2, sec))
			return false;
		if (c.len > 1 && (c.p[0] == '.' || c.p[0] == ',') && char_is_digit(c.p[1])) {
			str_skip(&c, 1);
			int32_t ms = 0;
			unsigned k = 0;
			while (c.len && char_is_digit(c.p[0])) {
				if (k < 3)
					ms = ms * 10 + (c.p[0] - '0');
				k++;
				str_skip(&c, 1);
			}
			while (k < 3) {
				ms *= 10;
				k++;
			}
			*millis = ms;
		}
	}
	if (*h > 24 || *mi > 59 || *sec > 60 || (*h == 24 && (*mi || *sec)))
		return false;
	if (*sec == 60)
		*sec = 59;
	*s = c;
	return true;
}

/* "+hh", "+hhmm", "+hh:mm" (sign required). */
static bool take_numeric_offset(struct str *s, int32_t *ret)
{
	struct str c = *s;
	if (c.len < 2 || (c.p[0] != '+' && c.p[0] != '-'))
		return false;
	int sign = c.p[0] == '-' ? -1 : 1;
	str_skip(&c, 1);
	unsigned h = 0, m = 0;
	if (!take_digits(&c, 2, &h)) {
		/* "UTC+1": a single hour digit */
		if (!take_digits(&c, 1, &h))
			return false;
	} else if (c.len && c.p[0] == ':' && c.len >= 3 && char_is_digit(c.p[1])) {
		str_skip(&c, 1);
		if (!take_digits(&c, 2, &m))
			return false;
	} else if (c.len >= 2 && char_is_digit(c.p[0])) {
		if (!take_digits(&c, 2, &m))
			return false;
	}
	if (c.len && char_is_digit(c.p[0]))
		return false;
	if (h > 15 || m > 59)
		return false;
	*ret = sign * (int32_t)(h * 3600 + m * 60);
	*s = c;
	return true;
}

/* A zone after a time: "Z", an offset, a name ("CET", "UTC+1"), with
 * optional spaces before it and an RFC 5322 comment "(UTC)" after it. */
static bool take_zone(struct str *s, int32_t *ret)
{
	struct str c = *s;
	if (c.len && c.p[0] == 'Z' && (c.len == 1 || !char_is_alnum(c.p[1]))) {
		str_skip(&c, 1);
		*ret = 0;
		*s = c;
		return true;
	}
	while (c.len && c.p[0] == ' ')
		str_skip(&c, 1);
	int32_t off;
	if (take_numeric_offset(&c, &off)) {
		*ret = off;
		*s = c;
		return true;
	}
	size_t n = alpha_run(c);
	if (n == 0 || n > 4)
		return false;
	/* Names only in capitals and followed by a delimiter, so that a
	 * syslog host name ("mst-gw", "cet") is not read as a zone. */
	for (size_t i = 0; i < n; i++)
		if (c.p[i] < 'A' || c.p[i] > 'Z')
			return false;
	if (c.len > n) {
		char t = c.p[n];
		bool signed_off = (t == '+' || t == '-') && c.len > n + 1 && char_is_digit(c.p[n + 1]);
		if (!signed_off && t != ' ' && t != '\t' && t != ',' && t != ';' && t != ')' && t != ']' && t != '"')
			return false;
	}
	if (!timeparse_zone(str_make(c.p, n), &off))
		return false;
	str_skip(&c, n);
	if ((off == 0) && c.len && (c.p[0] == '+' || c.p[0] == '-')) {
		int32_t extra;
		if (take_numeric_offset(&c, &extra))
			off = extra;
	}
	*ret = off;
	*s = c;
	return true;
}

static int64_t now_or(int64_t reference)
{
	return reference ? reference : (int64_t)time(NULL);
}

static int year_of(int64_t t)
{
	int64_t y;
	unsigned m, d;
	timeparse_civil_from_days(t >= 0 ? t / 86400 : (t - 86399) / 86400, &y, &m, &d);
	return (int)y;
}

static bool valid_date(int64_t y, unsigned m, unsigned d)
{
	static const unsigned char mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (y < 1970 || y > 2199 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return false;
	return true;
}

static void finish(const struct timeparse_ctx *ctx, int64_t y, unsigned mo, unsigned d, unsigned h, unsigned mi,
		   unsigned sec, int32_t millis, bool has_zone, int32_t off, enum timeparse_form form,
		   struct timeparse_result *ret)
{
	if (!has_zone)
		off = ctx->default_offset;
	int64_t local = timeparse_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	ret->time = local - off;
	ret->millis = millis;
	ret->offset = off;
	ret->tz = has_zone ? EVENT_TZ_STATED : EVENT_TZ_ASSUMED;
	ret->form = form;
	ret->year_assumed = false;
}

/* ISO 8601 / Windows: "2026-11-22[T ]14:03:01[.fff][zone]", also with '/'. */
static bool take_iso(const struct timeparse_ctx *ctx, struct str *s, struct timeparse_result *ret)
{
	struct str c = *s;
	unsigned y, mo, d, h, mi, sec;
	int32_t ms;
	if (!take_digits(&c, 4, &y) || c.len == 0 || (c.p[0] != '-' && c.p[0] != '/'))
		return false;
	char sep = c.p[0];
	str_skip(&c, 1);
	if (!take_digits(&c, 2, &mo) || !take_char(&c, sep) || !take_digits(&c, 2, &d))
		return false;
	if (c.len == 0 || (c.p[0] != 'T' && c.p[0] != ' ' && c.p[0] != 't'))
		return false;
	str_skip(&c, 1);
	if (!take_clock(&c, &h, &mi, &sec, &ms) || !valid_date(y, mo, d))
		return false;
	int32_t off = 0;
	bool has_zone = take_zone(&c, &off);
	finish(ctx, y, mo, d, h, mi, sec, ms, has_zone, off, TIMEPARSE_ISO8601, ret);
	*s = c;
	return true;
}

/* Apache: "22/Nov/2026:14:03:01 +0000". */
static bool take_apache(const struct timeparse_ctx *ctx, struct str *s, struct timeparse_result *ret)
{
	struct str c = *s;
	unsigned d, y, h, mi, sec;
	int32_t ms;
	if (!take_1or2(&c, &d) || !take_char(&c, '/'))
		return false;
	size_t n = alpha_run(c);
	unsigned mo = timeparse_month(str_make(c.p, n));
	if (!mo)
		return false;
	str_skip(&c, n);
	if (!take_char(&c, '/') || !take_digits(&c, 4, &y) || !take_char(&c, ':'))
		return false;
	if (!take_clock(&c, &h, &mi, &sec, &ms) || !valid_date(y, mo, d))
		return false;
	int32_t off = 0;
	bool has_zone = take_zone(&c, &off);
	take_char(&c, ']');
	finish(ctx, y, mo, d, h, mi, sec, ms, has_zone, off, TIMEPARSE_APACHE, ret);
	*s = c;
	return true;
}

/* RFC 5322 3.3 without the day name: "22 Nov 2026 14:03[:01] zone". */
static bool take_rfc5322(const struct timeparse_ctx *ctx, struct str *s, struct timeparse_result *ret)
{
	struct str c = *s;
	unsigned d, y, h, mi, sec;
	int32_t ms;
	if (!take_1or2(&c, &d))
		return false;
	str_skip_space(&c);
	size_t n = alpha_run(c);
	unsigned mo = timeparse_month(str_make(c.p, n));
	if (!mo)
		return false;
	str_skip(&c, n);
	str_skip_space(&c);
	if (take_digits(&c, 4, &y)) {
		/* fine */
	} else if (take_digits(&c, 2, &y)) {
		y += y < 50 ? 2000 : 1900;	/* RFC 5322 4.3 obsolete 2-digit year */
	} else {
		return false;
	}
	str_skip_space(&c);
	if (!take_clock(&c, &h, &mi, &sec, &ms) || !valid_date(y, mo, d))
		return false;
	int32_t off = 0;
	bool has_zone = take_zone(&c, &off);
	if (has_zone) {
		struct str k = c;
		str_skip_space(&k);
		if (k.len && k.p[0] == '(') {	/* "+0000 (UTC)" */
			size_t i = 1;
			while (i < k.len && i < 40 && k.p[i] != ')')
				i++;
			if (i < k.len && k.p[i] == ')')
				c = str_make(k.p + i + 1, k.len - i - 1);
		}
	}
	finish(ctx, y, mo, d, h, mi, sec, ms, has_zone, off, TIMEPARSE_RFC5322, ret);
	*s = c;
	return true;
}

/* syslog (RFC 3164): "Nov 22 14:03:01" (day may be space-padded), and the
 * ctime form "Nov 22 14:03:01 2026" which does carry a year. */
static bool take_syslog(const struct timeparse_ctx *ctx, struct str *s, struct timeparse_result *ret)
{
	struct str c = *s;
	size_t n = alpha_run(c);
	unsigned mo = timeparse_month(str_make(c.p, n));
	unsigned d, h, mi, sec;
	int32_t ms;
	if (!mo)
		return false;
	str_skip(&c, n);
	if (!take_char(&c, ' '))
		return false;
	take_char(&c, ' ');
	if (!take_1or2(&c, &d) || !take_char(&c, ' '))
		return false;
	unsigned y = 0;
	bool has_year = false;
	struct str k = c;
	/* Cisco: "Nov 22 2026 14:03:01" */
	if (take_digits(&k, 4, &y) && take_char(&k, ' ')) {
		has_year = true;
		c = k;
	}
	if (!take_clock(&c, &h, &mi, &sec, &ms))
		return false;
	k = c;
	if (!has_year && take_char(&k, ' ') && take_digits(&k, 4, &y) && (k.len == 0 || !char_is_alnum(k.p[0]))) {
		has_year = true;
		c = k;
	}
	int32_t off = 0;
	bool has_zone = take_zone(&c, &off);
	if (!has_year) {
		int64_t ref = now_or(ctx->reference_time);
		y = (unsigned)(ctx->default_year ? ctx->default_year : year_of(ref));
		if (!valid_date(y, mo, d) && !(mo == 2 && d == 29))
			return false;
		if (!ctx->default_year && valid_date(y, mo, d)) {
			/* A line more than a month after the reference belongs to
			 * the year before: a December line in a January report. */
			int64_t t = timeparse_days_from_civil(y, mo, d) * 86400;
			if (t > ref + 31LL * 86400)
				y--;
		}
		if (!valid_date(y, mo, d))
			return false;
	} else if (!valid_date(y, mo, d)) {
		return false;
	}
	finish(ctx, y, mo, d, h, mi, sec, ms, has_zone, off, TIMEPARSE_SYSLOG, ret);
	ret->year_assumed = !has_year;
	*s = c;
	return true;
}

/* Epoch seconds (10 digits, optional ".fff") or milliseconds (13 digits). */
static bool take_epoch(struct str *s, struct timeparse_result *ret)
{
	size_t n = 0;
	while (n < s->len && char_is_digit(s->p[n]))
		n++;
	if (n != 10 && n != 13)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (uint64_t)(s->p[i] - '0');
	int32_t ms = 0;
	size_t used = n;
	enum timeparse_form form = TIMEPARSE_EPOCH;
	if (n == 13) {
		ms = (int32_t)(v % 1000);
		v /= 1000;
		form = TIMEPARSE_EPOCH_MS;
	} else if (used + 1 < s->len && s->p[used] == '.' && char_is_digit(s->p[used + 1])) {
		used++;
		unsigned k = 0;
		while (used < s->len && char_is_digit(s->p[used])) {
			if (k < 3)
				ms = ms * 10 + (s->p[used] - '0');
			k++;
			used++;
		}
		while (k < 3) {
			ms *= 10;
			k++;
		}
	}
	if (used < s->len && (char_is_alnum(s->p[used]) || s->p[used] == '.'))
		return false;
	if ((int64_t)v < TIMEPARSE_EPOCH_MIN || (int64_t)v > TIMEPARSE_EPOCH_MAX)
		return false;
	ret->time = (int64_t)v;
	ret->millis = ms;
	ret->offset = 0;
	ret->tz = EVENT_TZ_STATED;	/* epoch time is UTC by definition */
	ret->form = form;
	ret->year_assumed = false;
	str_skip(s, used);
	return true;
}

bool timeparse_take(const struct timeparse_ctx *ctx, struct str *s, struct timeparse_result *ret)
{
	struct str c = *s;
	bool bracket = take_char(&c, '[');
	if (c.len == 0)
		return false;
	bool ok = false;
	if (char_is_digit(c.p[0])) {
		if (c.len > 4 && char_is_digit(c.p[3]) && (c.p[4] == '-' || c.p[4] == '/'))
			ok = take_iso(ctx, &c, ret);
		else if (c.len > 2 && (c.p[1] == '/' || c.p[2] == '/'))
			ok = take_apache(ctx, &c, ret);
		else if (c.len > 2 && (c.p[1] == ' ' || c.p[2] == ' '))
			ok = take_rfc5322(ctx, &c, ret);
		else
			ok = take_epoch(&c, ret);
	} else if (char_is_alpha(c.p[0])) {
		size_t n = alpha_run(c);
		struct str k = c;
		/* "Sun, 22 Nov ..." (RFC 5322) or "Sun Nov 22 ..." (ctime) */
		if (n == 3 && !timeparse_month(str_make(c.p, 3))) {
			str_skip(&k, 3);
			take_char(&k, ',');
			str_skip_space(&k);
			if (k.len && char_is_digit(k.p[0]))
				ok = take_rfc5322(ctx, &k, ret);
			else
				ok = take_syslog(ctx, &k, ret);
			if (ok)
				c = k;
		} else {
			ok = take_syslog(ctx, &c, ret);
		}
	}
	if (!ok)
		return false;
	if (bracket)
		take_char(&c, ']');
	*s = c;
	return true;
}

bool timeparse_parse(const struct timeparse_ctx *ctx, struct str s, struct timeparse_result *ret)
{
	s = str_trim(s);
	struct timeparse_result r;
	if (!timeparse_take(ctx, &s, &r))
		return false;
	if (str_trim(s).len != 0)
		return false;
	*ret = r;
	return true;
}

int timeparse_plausibility(int64_t t, int64_t reference_time)
{
	if (!reference_time)
		return 0;
	if (t > reference_time + TIMEPARSE_FUTURE_SLACK)
		return 1;
	if (t < reference_time - TIMEPARSE_OLD_MAX)
		return -1;
	return 0;
}

static void format_at(int64_t local, char out[32], int32_t offset, bool utc)
{
	int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
	int64_t secs = local - days * 86400;
	int64_t y;
	unsigned m, d;
	timeparse_civil_from_days(days, &y, &m, &d);
	unsigned h = (unsigned)(secs / 3600), mi = (unsigned)(secs / 60 % 60), s = (unsigned)(secs % 60);
	if (utc) {
		snprintf(out, 32, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)y, m, d, h, mi, s);
		return;
	}
	int32_t a = offset < 0 ? -offset : offset;
	snprintf(out, 32, "%04lld-%02u-%02uT%02u:%02u:%02u%c%02d:%02d", (long long)y, m, d, h, mi, s,
		 offset < 0 ? '-' : '+', (int)(a / 3600), (int)(a / 60 % 60));
}

void timeparse_format_utc(int64_t t, char out[32])
{
	format_at(t, out, 0, true);
}

void timeparse_format_local(int64_t t, int32_t offset, char out[32])
{
	format_at(t + offset, out, offset, false);
}
