/* fail2ban's own log (fail2ban.log), the ban decisions:
 *   2026-11-22 14:03:01,123 fail2ban.actions        [812]: NOTICE  [sshd] Ban 198.51.100.7
 *   2026-11-22 14:03:01,123 fail2ban.actions        [812]: NOTICE  [sshd] Restore Ban 198.51.100.7
 * "Unban" and "Found" lines are not bans and are not read. Times are local. */
#include "evidence/logfmt/formats.h"
#include "evidence/logfmt/lfutil.h"

bool logfmt_fail2ban_parse(const struct logfmt_ctx *ctx, struct logfmt_stream *st, struct str line, struct event *ret)
{
	(void)st;
	struct str act, v;
	if (!LFUTIL_AFTER(line, " fail2ban.", &act))
		return false;
	if (!str_starts_nocase(act, "actions") ||
	    (!LFUTIL_AFTER(act, "] Ban ", &v) && !LFUTIL_AFTER(act, "] Restore Ban ", &v)))
		return logfmt_skip(ret, line, "fail2ban");
	struct event e;
	lfutil_event_init(&e, line, "fail2ban");
	str_skip_space(&v);
	if (!lfutil_take_ip(&v, &e.src))
		return false;
	struct str jail;
	if (LFUTIL_AFTER(line, "NOTICE", &jail)) {
		str_skip_space(&jail);
		if (str_starts_nocase(jail, "[sshd]") || str_starts_nocase(jail, "[ssh"))
			e.service = "ssh";
		else if (str_starts_nocase(jail, "[postfix") || str_starts_nocase(jail, "[exim") ||
			 str_starts_nocase(jail, "[dovecot"))
			e.service = "mail";
		else if (str_starts_nocase(jail, "[apache") || str_starts_nocase(jail, "[nginx"))
			e.service = "http";
	}
	e.kind = EVENT_BLOCK;
	struct str head = line;
	lfutil_take_time(ctx, &head, &e);
	*ret = e;
	return true;
}
