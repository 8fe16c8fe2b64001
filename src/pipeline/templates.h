/*
 * templates: the texts of our outbound mail, loaded once and checked.
 *
 * A template comes from the configured directory when it holds that file,
 * else from the copy of etc/templates/ built into the binary. Each template
 * is checked against the placeholders it may use when loaded, so an
 * operator's typo fails `abusedesk serve` at start (or a SIGHUP reload),
 * not an acknowledgment in a reporter's inbox.
 */
#pragma once
#include <stddef.h>

#include "evidence/extract.h"
#include "util/buf.h"
#include "util/template.h"

/* notify: to an organisation's security contact or a network's abuse
 * mailbox about sources of an incident; copy: the acknowledgment, copied to
 * the reporter's organisation's security contact; misdirected: to a
 * constituency user whose report their own IT support should handle. */
enum template_id { TEMPLATE_ACK, TEMPLATE_REPLY, TEMPLATE_NOTIFY, TEMPLATE_COPY, TEMPLATE_MISDIRECTED, TEMPLATE_COUNT };

/* missing/<item>.txt and doubtful/<item>.txt hold the acknowledgment's
 * paragraph for each checklist item (evidence/extract.h) the report lacks
 * or leaves in doubt; they may use {{reason}}. A doubtful item with no
 * doubtful/ text uses its missing/ text. */
struct templates {
	char *text[TEMPLATE_COUNT];
	char *missing[CHECK_COUNT_ITEMS];
	char *doubtful[CHECK_COUNT_ITEMS];	/* NULL: use missing[] */
};

/* dir may be NULL or "" for the built-in set. */
int templates_load(const char *dir, struct templates *ret, char **ret_error);
void templates_free(struct templates *t);
const char *template_file_name(enum template_id id);
/* The {{missing}} text of an acknowledgment: one paragraph per checklist
 * item that is missing or doubtful, in checklist order; empty when the
 * report is complete. */
int templates_missing_text(const struct templates *t, const struct evidence *ev, struct buf *out);
