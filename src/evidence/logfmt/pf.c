/* OpenBSD/FreeBSD pf log read back with `tcpdump -n -e -ttt -r pflog`:
 *   Nov 22 14:03:01.123456 rule 2/(match) block in on em0: A.P > B.Q: S 1:1(0) win 1024
 *   Nov 22 14:03:01.123456 rule 5.main.0/(match) block in on em0: A.P > B.Q: udp 48
 *   Nov 22 14:03:01.123456 rule 1/(match) block in on em0: A > B: icmp: echo request
 * FreeBSD's tcpdump writes "rule 2/0(match): block in on em0: ..." and
 * "Flags [S]". tcpdump writes address.port; IPv6 too ("2001:db8::1.51234"). */
#include "evidence/logfmt/formats.h"
#include "evidence/logfmt/lfutil.h"

/* "A.P" or "A": the port is after the last dot when what is before it is
 * an address (an IPv4 address alone has three dots). */
static bool endpoint(struct str tok, struct ip_addr *a, uint16_t *port, bool *has_port)
{
	if (lfutil_ip(tok, a))
		return true;
	size_t i = tok.len;
	while (i > 0 && tok.p[i - 1] != '.')
		i--;
	if (i == 0 || !lfutil_ip(str_make(tok.p, i - 1), a))
		return false;
	if (lfutil_port(str_make(tok.p + i, tok.len - i), port))
		*has_port = true;
	return true;
}

bool logfmt_pf_parse(const struct logfmt_ctx *ctx, struct logfmt_stream *st, struct str line, struct event *ret)
{
	(void)st;
	struct str v;
	if (!LFUTIL_AFTER(line, " rule ", &v) || !LFUTIL_HAS(v, "(match)"))
		return false;
	if (!LFUTIL_AFTER(v, " on ", &v) || !LFUTIL_AFTER(v, ": ", &v))
		return false;
	struct event e;
	lfutil_event_init(&e, line, "pf");
	struct str src = lfutil_token(v, " ");
	str_skip(&v, src.len);
	if (!str_take_lit(&v, " > "))
		return false;
	struct str dst = lfutil_token(v, " ");
	if (dst.len && dst.p[dst.len - 1] == ':')
		dst.len--;
	str_skip(&v, dst.len);
	if (!endpoint(src, &e.src, &e.sport, &e.has_sport) || !endpoint(dst, &e.dst, &e.dport, &e.has_dport))
		return false;
	str_take_lit(&v, ":");
	str_skip_space(&v);
	if (str_starts_nocase(v, "udp"))
		e.proto = EVENT_PROTO_UDP;
	else if (str_starts_nocase(v, "icmp"))
		e.proto = EVENT_PROTO_ICMP;
	else if (e.has_dport)
		e.proto = EVENT_PROTO_TCP;	/* tcpdump names only UDP and ICMP */
	e.kind = EVENT_CONNECTION;
	struct str head = line;
	lfutil_take_time(ctx, &head, &e);
	*ret = e;
	return true;
}
