/*
 * mailbox: is this text a mail address or a host name we would send to?
 *
 * Deliberately narrower than RFC 5322: an operator's contact list and an
 * RIR's abuse-mailbox are dot-atoms (RFC 5321 4.1.2 Dot-string) at a host
 * name with at least two labels (RFC 1035 2.3.1, digits allowed anywhere as
 * RFC 1123 2.1 permits). No quoted local parts, no address literals, no
 * display names: anything else is refused with a line number so the
 * operator fixes the source, rather than the desk guessing.
 */
#pragma once
#include <stdbool.h>

#include "util/str.h"

#define MAILBOX_LOCAL_MAX 64	/* RFC 5321 4.5.3.1.1 */
#define DOMAIN_NAME_MAX 253	/* RFC 1035 2.3.4, without the final dot */

bool mailbox_is_valid(struct str s);
/* Two or more labels of letters, digits and inner hyphens, each 1..63. */
bool domain_is_valid(struct str s);
