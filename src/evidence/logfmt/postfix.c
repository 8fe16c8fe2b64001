/* Postfix smtpd rejections and SASL failures (smtpd_check.c, smtpd_sasl_glue.c):
 *   postfix/smtpd[1]: NOQUEUE: reject: RCPT from host[A]: 554 5.7.1 ...
 *   postfix/smtpd[1]: QID: reject: ... from host[A]: ...
 *   postfix/smtpd[1]: warning: host[A]: SASL LOGIN authentication failed: ...
 *   postfix/postscreen[1]: PREGREET 11 after 0.1 from [A]:P: ...
 *   postfix/postscreen[1]: DNSBL rank 3 for [A]:P */
#include "evidence/logfmt/formats.h"
#include "evidence/logfmt/lfutil.h"

bool logfmt_postfix_parse(const struct logfmt_ctx *ctx, struct logfmt_stream *st, struct str line, struct event *ret)
{
	(void)st;
	struct str msg;
	if (!LFUTIL_AFTER(line, " postfix", &msg))
		return false;
	enum event_kind kind;
	if (LFUTIL_HAS(msg, ": reject: ") || LFUTIL_HAS(msg, "PREGREET") || LFUTIL_HAS(msg, "DNSBL rank"))
		kind = EVENT_MAIL_REJECT;
	else if (LFUTIL_HAS(msg, "authentication failed"))
		kind = EVENT_LOGIN_FAILURE;
	else
		return logfmt_skip(ret, line, "postfix");
	struct event e;
	lfutil_event_init(&e, line, "postfix");
	/* the first "[address]" of the message is the client */
	if (!lfutil_mta_reject(msg, kind, &e))
		return false;
	lfutil_line_time(ctx, line, &e);
	*ret = e;
	return true;
}
