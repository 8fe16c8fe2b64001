/* The fallback for log lines of no known format: a line that holds a time
 * and at least one address. The first address is the source and the
 * second the destination ("A -> B", "from A to B", or just in that order);
 * the time must start within GENERIC_TIME_AT_MAX bytes (a sentence that
 * mentions a time later is prose, read by extract);
 * a port is read after "A:", "A port ", "dport=", "dpt=", "port ". Lines of
 * prose with an address but no time are left to indicators.c. */
#include "evidence/logfmt/formats.h"
#include "evidence/logfmt/lfutil.h"

#define GENERIC_SCAN_MAX 4096	/* bytes of a line looked at */
#define GENERIC_TIME_AT_MAX 40	/* a log line's time is near its start; later, it is a sentence */

static bool starts_ip(struct str s)
{
	return s.len && (char_is_digit(s.p[0]) || (s.len > 1 && s.p[0] == ':' && s.p[1] == ':') ||
			 (char_is_xdigit(s.p[0]) && s.len > 4 && (s.p[1] == ':' || s.p[2] == ':' || s.p[3] == ':' || s.p[4] == ':')));
}

static bool word_before(struct str line, const char *at, const char *word)
{
	size_t n = 0;
	while (word[n])
		n++;
	return (size_t)(at - line.p) >= n && str_eq_nocase(str_make(at - n, n), str_make(word, n));
}

bool logfmt_generic_parse(const struct logfmt_ctx *ctx, struct logfmt_stream *st, struct str line, struct event *ret)
{
	(void)st;
	struct event e;
	lfutil_event_init(&e, line, "generic");
	struct str c = line.len > GENERIC_SCAN_MAX ? str_make(line.p, GENERIC_SCAN_MAX) : line;
	bool has_time = false;
	int n_ip = 0;
	while (c.len) {
		bool boundary = c.p == line.p || !char_is_alnum(c.p[-1]);
		if (boundary && !has_time && (size_t)(c.p - line.p) <= GENERIC_TIME_AT_MAX && (char_is_digit(c.p[0]) || char_is_alpha(c.p[0]) || c.p[0] == '[')) {
			struct str t = c;
			if (lfutil_take_time(ctx, &t, &e)) {
				has_time = true;
				c = t;
				continue;
			}
		}
		if (boundary && n_ip < 2 && starts_ip(c)) {
			struct str t = c;
			struct ip_addr a;
			if (lfutil_take_ip(&t, &a) && (t.len == 0 || !char_is_alnum(t.p[0]) || t.p[0] == '%')) {
				bool is_dst = n_ip == 1 || word_before(line, c.p, "to ") || word_before(line, c.p, "dst=") ||
					      word_before(line, c.p, "dst ") || word_before(line, c.p, "-> ") ||
					      word_before(line, c.p, "destination ");
				uint16_t port = 0;
				bool has_port = false;
				if (t.len > 1 && (t.p[0] == ':' || t.p[0] == '/' || t.p[0] == '#') && char_is_digit(t.p[1])) {
					str_skip(&t, 1);
					has_port = lfutil_take_port(&t, &port);
				} else if (str_starts_nocase(t, " port ")) {
					str_skip(&t, 6);
					has_port = lfutil_take_port(&t, &port);
				}
				if (e.src.family != IP_NONE && ip_equal(&a, &e.src)) {
					c = t;	/* the same address again: "A/1 (A/1)" */
					continue;
				}
				if (is_dst && !(n_ip == 0 && word_before(line, c.p, "from "))) {
					e.dst = a;
					e.has_dport = has_port;
					e.dport = port;
					if (n_ip == 0)
						n_ip = 1;	/* a later address is then the source */
					n_ip++;
				} else if (e.src.family == IP_NONE) {
					e.src = a;
					e.has_sport = has_port;
					e.sport = port;
					n_ip++;
				}
				c = t;
				continue;
			}
		}
		if (boundary && e.proto == EVENT_PROTO_UNKNOWN && c.len >= 3) {
			if (str_starts_nocase(c, "tcp") && (c.len == 3 || !char_is_alnum(c.p[3])))
				e.proto = EVENT_PROTO_TCP;
			else if (str_starts_nocase(c, "udp") && (c.len == 3 || !char_is_alnum(c.p[3])))
				e.proto = EVENT_PROTO_UDP;
			else if (str_starts_nocase(c, "icmp") && (c.len == 4 || !char_is_alnum(c.p[4])))
				e.proto = EVENT_PROTO_ICMP;
		}
		if (boundary && !e.has_dport && (str_starts_nocase(c, "dpt=") || str_starts_nocase(c, "dport=") ||
						 str_starts_nocase(c, "dport ") || str_starts_nocase(c, "dst_port="))) {
			struct str t = lfutil_token(c, "= ");
			struct str p = str_make(c.p + t.len + 1, c.len - t.len - 1);
			if (lfutil_take_port(&p, &e.dport))
				e.has_dport = true;
		}
		str_skip(&c, 1);
	}
	if (!has_time || e.src.family == IP_NONE)
		return false;
	e.kind = EVENT_OTHER;
	*ret = e;
	return true;
}
