#include "pipeline/ack_policy.h"

#include <string.h>
#include <strings.h>

#include "util/str.h"

const char *ack_policy_reply_address(const struct mail_parsed *m, const char *env_from)
{
	if (m->reply_to_addr && strchr(m->reply_to_addr, '@'))
		return m->reply_to_addr;
	if (m->from_addr && strchr(m->from_addr, '@'))
		return m->from_addr;
	if (env_from && strchr(env_from, '@'))
		return env_from;
	return "";
}

/* The first token of a header value: "auto-replied; owner=..." -> "auto-replied". */
static struct str first_token(const char *v)
{
	struct str s = str_trim(str_from(v ? v : ""));
	size_t n = 0;
	while (n < s.len && s.p[n] != ';' && !char_is_space((unsigned char)s.p[n]))
		n++;
	return str_make(s.p, n);
}

/* Local parts that belong to mail systems, not people (RFC 3834 section 2,
 * RFC 2142). */
static bool is_system_sender(const char *addr)
{
	if (!addr || !*addr)
		return false;
	const char *at = strrchr(addr, '@');
	struct str local = str_make(addr, at ? (size_t)(at - addr) : strlen(addr));
	static const char *const exact[] = { "mailer-daemon", "postmaster", "listserv", "majordomo" };
	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (str_eq_cstr_nocase(local, exact[i]))
			return true;
	if (str_starts_nocase(local, "owner-"))
		return true;
	return local.len > 8 && str_eq_cstr_nocase(str_make(local.p + local.len - 8, 8), "-request");
}

const char *ack_policy_withhold_reason(const struct config *cfg, const struct mail_parsed *m, const char *env_from)
{
	struct str as = first_token(m->auto_submitted);
	if (as.len && !str_eq_cstr_nocase(as, "no"))
		return "the report is automatic mail (Auto-Submitted)";
	struct str prec = first_token(m->precedence);
	if (str_eq_cstr_nocase(prec, "bulk") || str_eq_cstr_nocase(prec, "junk") || str_eq_cstr_nocase(prec, "list"))
		return "the report is bulk or list mail (Precedence)";
	if ((m->list_id && *m->list_id) || m->has_list_headers)
		return "the report came through a mailing list (List-* headers)";
	if (m->x_auto_response_suppress && *m->x_auto_response_suppress)
		return "the sender asked for no automatic replies (X-Auto-Response-Suppress)";
	if (env_from && !strcmp(env_from, "<>"))
		return "the envelope sender is empty (a bounce or notification)";
	if (is_system_sender(env_from) || is_system_sender(m->from_addr))
		return "the sender is a mail system address (MAILER-DAEMON, postmaster, list owner)";
	const char *to = ack_policy_reply_address(m, env_from);
	if (!*to)
		return "the report has no address to reply to";
	if (config_is_own_address(cfg, to) || is_system_sender(to))
		return "the reply would go to one of our own or a mail system address (loop)";
	return NULL;
}
