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

bool lfutil_take_ip(struct str *s, struct ip_addr *ret)
{
	size_t n = 0;
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
