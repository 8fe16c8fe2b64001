/*
 * ack_policy: whether a new report gets an automatic acknowledgment.
 *
 * RFC 3834 section 2: no automatic response to automatic mail. A message is
 * not acknowledged when it is itself automatic (Auto-Submitted other than
 * "no", Precedence bulk/junk/list, List-* headers, X-Auto-Response-Suppress),
 * when it comes from a bounce address (null envelope sender, MAILER-DAEMON,
 * postmaster, owner-*, *-request), when the reply would go to one of our own
 * addresses (a loop), or when it has no address to reply to. The rate limit
 * per address is applied by the pipeline, which can count.
 */
#pragma once

#include "config/config.h"
#include "mail/mail.h"

/* The address an acknowledgment goes to: Reply-To, else From, else the
 * envelope sender; "" when there is none. Not owned by the caller. */
const char *ack_policy_reply_address(const struct mail_parsed *m, const char *env_from);
/* NULL when an acknowledgment may be sent, else a static sentence saying why
 * not, recorded on the ticket. */
const char *ack_policy_withhold_reason(const struct config *cfg, const struct mail_parsed *m, const char *env_from);
