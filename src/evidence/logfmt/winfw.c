/* Windows Defender Firewall pfirewall.log (W3C extended, "#Version: 1.5"):
 *   #Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags ...
 *   2026-11-22 14:03:01 DROP TCP A B P Q 52 S 12345 0 8192 - - - RECEIVE
 * Times are the machine's local time, with no zone. */
#include "evidence/logfmt/formats.h"
#include "evidence/logfmt/lfutil.h"

bool logfmt_winfw_parse(const struct logfmt_ctx *ctx, struct logfmt_stream *st, struct str line, struct event *ret)
{
	(void)st;
	if (line.len < 20 || !char_is_digit(line.p[0]) || line.p[4] != '-')
		return false;
	struct event e;
	lfutil_event_init(&e, line, "winfw");
	struct str c = line;
	if (!lfutil_take_time(ctx, &c, &e) || !str_take_lit(&c, " "))
		return false;
	struct str action = lfutil_token(c, " ");
	if (!str_eq_cstr_nocase(action, "DROP") && !str_eq_cstr_nocase(action, "ALLOW") &&
	    !str_eq_cstr_nocase(action, "INFO-EVENTS-LOST"))
		return false;
	str_skip(&c, action.len + 1);
	/* protocol src-ip dst-ip src-port dst-port */
	struct str f[5];
	for (int i = 0; i < 5; i++) {
		f[i] = lfutil_token(c, " ");
		str_skip(&c, f[i].len + (c.len > f[i].len));
	}
	e.proto = lfutil_proto(f[0]);
	if (!lfutil_ip(f[1], &e.src) || !lfutil_ip(f[2], &e.dst))
		return false;
	e.has_sport = lfutil_port(f[3], &e.sport);
	e.has_dport = lfutil_port(f[4], &e.dport);
	e.kind = str_eq_cstr_nocase(action, "DROP") ? EVENT_BLOCK : EVENT_CONNECTION;
	*ret = e;
	return true;
}
