/* OpenSSH sshd via syslog (auth.log / secure), the lines that show an
 * attack (auth.c, auth2.c, packet.c messages):
 *   Failed password for [invalid user ]U from A port P ssh2
 *   Failed publickey/none/keyboard-interactive ... from A port P
 *   Invalid user U from A port P
 *   error: maximum authentication attempts exceeded for U from A port P ssh2 [preauth]
 *   Disconnected from [authenticating|invalid] user U A port P [preauth]
 *   Connection closed by [authenticating user U] A port P [preauth]
 * The port sshd names is the client's (source) port. */
#include "evidence/logfmt/formats.h"
#include "evidence/logfmt/lfutil.h"

/* The address before " port N" (or after " from "). */
static bool take_addr_port(struct str msg, struct event *e)
{
	long p = LFUTIL_FIND(msg, " port ");
	if (p < 0)
		return false;
	size_t end = (size_t)p, start = end;
	while (start > 0 && msg.p[start - 1] != ' ')
		start--;
	if (!lfutil_ip(str_make(msg.p + start, end - start), &e->src))
		return false;
	struct str port = str_make(msg.p + p + 6, msg.len - (size_t)p - 6);
	if (lfutil_take_port(&port, &e->sport))
		e->has_sport = true;
	return true;
}

bool logfmt_sshd_parse(const struct logfmt_ctx *ctx, struct logfmt_stream *st, struct str line, struct event *ret)
{
	(void)st;
	struct str msg;
	if (!LFUTIL_AFTER(line, " sshd[", &msg) && !LFUTIL_AFTER(line, " sshd: ", &msg) &&
	    !LFUTIL_AFTER(line, " sshd-session[", &msg))
		return false;
	long colon = LFUTIL_FIND(msg, ": ");
	if (colon < 0)
		return false;
	str_skip(&msg, (size_t)colon + 2);
	str_take_lit(&msg, "error: ");
	enum event_kind kind;
	if (str_starts_nocase(msg, "Failed ") || str_starts_nocase(msg, "Invalid user ") ||
	    str_starts_nocase(msg, "maximum authentication attempts") || str_starts_nocase(msg, "Disconnecting invalid user") ||
	    str_starts_nocase(msg, "Disconnecting authenticating user"))
		kind = EVENT_LOGIN_FAILURE;
	else if (str_starts_nocase(msg, "Disconnected from authenticating user") ||
		 str_starts_nocase(msg, "Disconnected from invalid user") ||
		 str_starts_nocase(msg, "Connection closed by authenticating user") ||
		 str_starts_nocase(msg, "Connection closed by invalid user"))
		kind = EVENT_LOGIN_FAILURE;
	else if (str_starts_nocase(msg, "Disconnected from ") || str_starts_nocase(msg, "Connection closed by ") ||
		 str_starts_nocase(msg, "Received disconnect from ") || str_starts_nocase(msg, "Did not receive identification"))
		kind = EVENT_CONNECTION;
	else
		return logfmt_skip(ret, line, "sshd");
	struct event e;
	lfutil_event_init(&e, line, "sshd");
	if (!take_addr_port(msg, &e)) {
		struct str from;
		if (!LFUTIL_AFTER(msg, " from ", &from) || !lfutil_take_ip(&from, &e.src))
			return false;
	}
	e.kind = kind;
	e.proto = EVENT_PROTO_TCP;
	e.dport = 22;
	e.has_dport = true;
	e.service = "ssh";
	lfutil_line_time(ctx, line, &e);
	*ret = e;
	return true;
}
