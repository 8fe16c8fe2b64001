/* Cisco ASA syslog messages (Cisco "ASA Series Syslog Messages"):
 *   %ASA-4-106023: Deny tcp src outside:A/P dst inside:B/Q by access-group "x" [..]
 *   %ASA-2-106001: Inbound TCP connection denied from A/P to B/Q flags SYN on interface outside
 *   %ASA-2-106006: Deny inbound UDP from A/P to B/Q on interface outside
 *   %ASA-3-106014: Deny inbound icmp src outside:A dst inside:B (type 8, code 0)
 *   %ASA-4-106021, %ASA-6-106015, %ASA-4-733100 are not read (no flow). */
#include "evidence/logfmt/formats.h"
#include "evidence/logfmt/lfutil.h"

/* "[iface:]A[/P]" ("outside:2001:db8::1/51234" too: the interface name
 * never parses as an address, so it is dropped when the whole does not). */
static bool take_endpoint(struct str *s, struct ip_addr *a, uint16_t *port, bool *has_port)
{
	struct str tok = lfutil_token(*s, " ");
	struct str addr = lfutil_token(tok, "/");
	if (!lfutil_ip(addr, a)) {
		long colon = LFUTIL_FIND(addr, ":");
		if (colon < 0)
			return false;
		str_skip(&addr, (size_t)colon + 1);
		if (!lfutil_ip(addr, a))
			return false;
	}
	const char *after = addr.p + addr.len;
	if (after < tok.p + tok.len && *after == '/') {
		struct str p = str_make(after + 1, (size_t)(tok.p + tok.len - after - 1));
		if (lfutil_take_port(&p, port))
			*has_port = true;
	}
	str_skip(s, tok.len);
	return true;
}

bool logfmt_asa_parse(const struct logfmt_ctx *ctx, struct logfmt_stream *st, struct str line, struct event *ret)
{
	(void)st;
	struct str msg;
	if (!LFUTIL_AFTER(line, "%ASA-", &msg) && !LFUTIL_AFTER(line, "%FTD-", &msg) && !LFUTIL_AFTER(line, "%PIX-", &msg))
		return false;
	struct str id = lfutil_token(msg, ":");
	if (id.len + 2 > msg.len)
		return false;
	str_skip(&msg, id.len + 2);
	struct event e;
	lfutil_event_init(&e, line, "asa");
	struct str v;
	if (str_take_lit(&msg, "Deny ")) {
		str_take_lit(&msg, "inbound ");
		e.proto = lfutil_proto(lfutil_token(msg, " "));
		if (!LFUTIL_AFTER(msg, "src ", &v) && !LFUTIL_AFTER(msg, "from ", &v))
			return false;
		if (!take_endpoint(&v, &e.src, &e.sport, &e.has_sport))
			return false;
		if (!LFUTIL_AFTER(v, "dst ", &v) && !LFUTIL_AFTER(v, "to ", &v))
			return false;
		if (!take_endpoint(&v, &e.dst, &e.dport, &e.has_dport))
			return false;
	} else if (str_take_lit(&msg, "Inbound ") || str_take_lit(&msg, "Outbound ")) {
		e.proto = lfutil_proto(lfutil_token(msg, " "));
		if (!LFUTIL_AFTER(msg, "denied from ", &v) || !take_endpoint(&v, &e.src, &e.sport, &e.has_sport))
			return false;
		if (!LFUTIL_AFTER(v, "to ", &v) || !take_endpoint(&v, &e.dst, &e.dport, &e.has_dport))
			return false;
	} else {
		return logfmt_skip(ret, line, "asa");
	}
	e.kind = EVENT_CONNECTION;
	lfutil_line_time(ctx, line, &e);
	*ret = e;
	return true;
}
