/* Exim mainlog / rejectlog rejections (Exim spec ch. "Log files"):
 *   2026-11-22 14:03:01 [+0000] H=(helo) [A]:P F=<s> rejected RCPT <r>: ...
 *   2026-11-22 14:03:01 H=host [A] rejected connection in "connect" ACL
 *   2026-11-22 14:03:01 dovecot_login authenticator failed for (x) [A]:P: ...
 * The time is local unless log_timezone adds an offset. */
#include "evidence/logfmt/formats.h"
#include "evidence/logfmt/lfutil.h"

bool logfmt_exim_parse(const struct logfmt_ctx *ctx, struct logfmt_stream *st, struct str line, struct event *ret)
{
	(void)st;
	enum event_kind kind;
	if (LFUTIL_HAS(line, " rejected ") || LFUTIL_HAS(line, " refused"))
		kind = EVENT_MAIL_REJECT;
	else if (LFUTIL_HAS(line, " authenticator failed for "))
		kind = EVENT_LOGIN_FAILURE;
	else if (LFUTIL_HAS(line, " H=") && line.len > 20 && char_is_digit(line.p[0]) && line.p[4] == '-')
		return logfmt_skip(ret, line, "exim");	/* arrivals, deliveries */
	else
		return false;
	struct event e;
	lfutil_event_init(&e, line, "exim");
	struct str c = line;
	if (!lfutil_take_time(ctx, &c, &e) || !c.len || c.p[0] != ' ')
		return false;
	struct str v = c;
	if (!LFUTIL_AFTER(c, " H=", &v))
		v = c;	/* "rejected EHLO from [A]" */
	if (!lfutil_mta_reject(v, kind, &e))
		return false;
	*ret = e;
	return true;
}
