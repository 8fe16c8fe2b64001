#include "evidence/logfmt/lfutil.h"

#include <string.h>

#include "evidence/timeparse.h"

void lfutil_event_init(struct event *e, struct str line, const char *format)
{
	memset(e, 0, sizeof(*e));
	e->count = 1;
	e->format = format;
	e->line = line;
	e->tz = EVENT_TZ_UNKNOWN;
}

long lfutil_find(struct str hay, const char *needle, size_t n)
{
	if (n == 0 || hay.len < n)
		return n == 0 ? 0 : -1;
	const char *p = memmem(hay.p, hay.len, needle, n);
	return p ? (long)(p - hay.p) : -1;
}

bool lfutil_after(struct str hay, const char *key, size_t n, struct str *ret)
{
	long i = lfutil_find(hay, key, n);
	if (i < 0)
		return false;
	*ret = str_make(hay.p + i + n, hay.len - (size_t)i - n);
	return true;
}

struct str lfutil_token(struct str s, const char *stops)
{
	if (stops[0] && !stops[1]) {	/* the common case: one stop, memchr's speed */
		const char *e = s.len ? memchr(s.p, stops[0], s.len) : NULL;
		return str_make(s.p, e ? (size_t)(e - s.p) : s.len);
	}
	size_t n = 0;
	for (; n < s.len; n++)
		for (const char *k = stops; *k; k++)
			if (s.p[n] == *k)
				return str_make(s.p, n);
	return str_make(s.p, n);
}

static bool is_ip_char(char c)
{
	return char_is_xdigit(c) || c == '.' || c == ':';
}

bool lfutil_ip(struct str s, struct ip_addr *ret)
{
	if (s.len == 0 || s.len >= IP_TEXT_MAX)
		return false;
	return ip_parse(s, ret);
}

/* An IPv4 address is digits and at most three dots: stop at the fourth dot
 * ("198.51.100.7.51234", tcpdump's address.port) or at a ':' (addr:port). */
static size_t v4_run(struct str s)
{
	size_t n = 0, dots = 0;
	while (n < s.len && (char_is_digit(s.p[n]) || s.p[n] == '.')) {
		if (s.p[n] == '.' && ++dots == 4)
			break;
		n++;
	}
	while (n > 0 && s.p[n - 1] == '.')
		n--;
	return n;
}

/* The common case read by hand: a dotted quad as inet_pton() takes it
 * (1-3 digits per octet, at most 255, no leading zero). Returns its
 * length, or 0 when the text is anything else (then the general path
 * below decides). Not followed by a digit, so the general path would
 * read exactly these bytes too. */
static size_t v4_quad(struct str s, struct ip_addr *ret)
{
	const unsigned char *p = (const unsigned char *)s.p;
	size_t i = 0;
	uint8_t b[4];
	for (int k = 0; k < 4; k++) {
		if (k) {
			if (i >= s.len || p[i] != '.')
				return 0;
			i++;
		}
		if (i >= s.len || !char_is_digit(p[i]))
			return 0;
		unsigned v = p[i++] - '0';
		if (i < s.len && char_is_digit(p[i])) {
			if (v == 0)
				return 0;
			v = v * 10 + (p[i++] - '0');
			if (i < s.len && char_is_digit(p[i]))
				v = v * 10 + (p[i++] - '0');
		}
		if (v > 255)
			return 0;
		b[k] = (uint8_t)v;
	}
	if (i < s.len && char_is_digit(p[i]))
		return 0;
	memset(ret, 0, sizeof(*ret));
	ret->family = IP_V4;
	memcpy(ret->bytes, b, 4);
	return i;
}

bool lfutil_take_ip(struct str *s, struct ip_addr *ret)
{
	size_t n = v4_quad(*s, ret);
	if (n) {
		str_skip(s, n);
		return true;
	}
	bool v4 = false;
	for (size_t i = 0; i < s->len && i < 4; i++) {
		if (s->p[i] == '.') {
			v4 = true;
			break;
		}
		if (!char_is_digit(s->p[i]))
			break;
	}
	size_t end;
	if (v4) {
		n = v4_run(*s);
		end = n;
	} else {
		while (n < s->len && n < IP_TEXT_MAX && is_ip_char(s->p[n]))
			n++;
		end = n;
		if (n < s->len && s->p[n] == '%') {	/* zone id: "fe80::1%eth0" */
			end++;
			while (end < s->len && (char_is_alnum(s->p[end]) || s->p[end] == '_' || s->p[end] == '-'))
				end++;
		}
		/* a sentence's full stop or a list's colon after the address */
		size_t m = n;
		while (m > 0 && (s->p[m - 1] == '.' || (s->p[m - 1] == ':' && !(m > 1 && s->p[m - 2] == ':'))))
			m--;
		if (m < n)
			n = end = m;
	}
	struct ip_addr a;
	if (!lfutil_ip(str_make(s->p, n), &a))
		return false;
	*ret = a;
	str_skip(s, end);
	return true;
}

bool lfutil_take_port(struct str *s, uint16_t *ret)
{
	uint64_t v;
	struct str c = *s;
	if (!str_take_u64(&c, 65535, &v))
		return false;
	if (c.len && char_is_digit(c.p[0]))
		return false;
	*ret = (uint16_t)v;
	*s = c;
	return true;
}

bool lfutil_port(struct str s, uint16_t *ret)
{
	uint64_t v;
	if (!str_to_u64(s, 65535, &v))
		return false;
	*ret = (uint16_t)v;
	return true;
}

enum event_proto lfutil_proto(struct str s)
{
	if (str_eq_cstr_nocase(s, "tcp") || str_eq_cstr_nocase(s, "6"))
		return EVENT_PROTO_TCP;
	if (str_eq_cstr_nocase(s, "udp") || str_eq_cstr_nocase(s, "17"))
		return EVENT_PROTO_UDP;
	if (str_eq_cstr_nocase(s, "icmp") || str_eq_cstr_nocase(s, "1") || str_eq_cstr_nocase(s, "icmpv6") ||
	    str_eq_cstr_nocase(s, "ipv6-icmp") || str_eq_cstr_nocase(s, "58"))
		return EVENT_PROTO_ICMP;
	return s.len ? EVENT_PROTO_OTHER : EVENT_PROTO_UNKNOWN;
}

bool lfutil_take_time(const struct logfmt_ctx *ctx, struct str *s, struct event *e)
{
	struct timeparse_ctx tc = {
		.reference_time = ctx->reference_time,
		.default_year = ctx->default_year,
		.default_offset = ctx->default_offset,
	};
	struct timeparse_result r;
	if (!timeparse_take(&tc, s, &r))
		return false;
	e->time = r.time;
	e->utc_offset = r.offset;
	e->tz = r.tz;
	if (r.tz == EVENT_TZ_ASSUMED && ctx->offset_is_stated)
		e->tz = EVENT_TZ_STATED;
	return true;
}

bool lfutil_take_syslog_head(const struct logfmt_ctx *ctx, struct str *s, struct event *e)
{
	struct str c = *s;
	if (!lfutil_take_time(ctx, &c, e))
		return false;
	if (!c.len || c.p[0] != ' ')
		return false;
	str_skip(&c, 1);
	if (c.len && c.p[0] == ':') {	/* Cisco "Nov 22 2026 14:03:01: %ASA..." */
		*s = c;
		return true;
	}
	struct str host = lfutil_token(c, " ");
	if (host.len == 0 || host.len == c.len)
		return false;
	str_skip(&c, host.len + 1);
	*s = c;
	return true;
}

void lfutil_line_time(const struct logfmt_ctx *ctx, struct str line, struct event *e)
{
	struct str head = line;
	if (!lfutil_take_syslog_head(ctx, &head, e))
		lfutil_take_time(ctx, &head, e);
}

/* "Mmm dd hh:mm:ss " (day space-padded or not) then a lower-case host
 * name: timeparse reads the 15 bytes as a syslog time and looks no
 * further (no fraction, year or zone can follow), so its result depends
 * on those bytes and the context alone. */
static bool is_plain_stamp(struct str line)
{
	const char *p = line.p;
	return line.len > 16 && char_is_alpha(p[0]) && char_is_alpha(p[1]) && char_is_alpha(p[2]) && p[3] == ' ' &&
	       (p[4] == ' ' || char_is_digit(p[4])) && char_is_digit(p[5]) && p[6] == ' ' && char_is_digit(p[7]) &&
	       char_is_digit(p[8]) && p[9] == ':' && char_is_digit(p[10]) && char_is_digit(p[11]) && p[12] == ':' &&
	       char_is_digit(p[13]) && char_is_digit(p[14]) && p[15] == ' ' && p[16] >= 'a' && p[16] <= 'z';
}

static bool same_ctx(const struct logfmt_ctx *a, const struct logfmt_ctx *b)
{
	return a->reference_time == b->reference_time && a->default_year == b->default_year &&
	       a->default_offset == b->default_offset && a->offset_is_stated == b->offset_is_stated;
}

void lfutil_line_time_cached(const struct logfmt_ctx *ctx, struct logfmt_stream *st, struct str line,
			     struct event *e)
{
	/* the hit first: the cached text passed is_plain_stamp(), so the
	 * same 15 bytes with the same two behind them pass it too */
	struct logfmt_stamp *c = st ? &st->stamp : NULL;
	if (c && c->text[0] && line.len > 16 && line.p[15] == ' ' && line.p[16] >= 'a' && line.p[16] <= 'z' &&
	    memcmp(c->text, line.p, sizeof(c->text)) == 0 && same_ctx(&c->ctx, ctx)) {
		e->time = c->time;
		e->utc_offset = c->offset;
		e->tz = c->tz;
		return;
	}
	lfutil_line_time(ctx, line, e);
	/* no reference time: the year comes from the clock, which moves */
	if (!c || !ctx->reference_time || !is_plain_stamp(line))
		return;
	if (e->tz == EVENT_TZ_UNKNOWN)
		return;	/* not a date (Feb 30): not cached, read again each time */
	memcpy(c->text, line.p, sizeof(c->text));
	c->ctx = *ctx;
	c->ctx.user = NULL;
	c->time = e->time;
	c->offset = e->utc_offset;
	c->tz = e->tz;
}

bool lfutil_mta_reject(struct str from, enum event_kind kind, struct event *e)
{
	struct str v = from;
	for (;;) {
		if (!LFUTIL_AFTER(v, "[", &v))
			return false;
		struct str a = v;
		if (lfutil_take_ip(&a, &e->src) && a.len && a.p[0] == ']') {
			str_skip(&a, 1);
			if (a.len && a.p[0] == ':') {
				str_skip(&a, 1);
				if (lfutil_take_port(&a, &e->sport))
					e->has_sport = true;
			}
			break;
		}
	}
	e->kind = kind;
	e->proto = EVENT_PROTO_TCP;
	e->dport = 25;
	e->has_dport = true;
	e->service = "smtp";
	return true;
}
