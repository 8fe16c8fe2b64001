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

#include "util/template.h"

enum template_id { TEMPLATE_ACK, TEMPLATE_REPLY, TEMPLATE_COUNT };

struct templates {
	char *text[TEMPLATE_COUNT];
};

/* dir may be NULL or "" for the built-in set. */
int templates_load(const char *dir, struct templates *ret, char **ret_error);
void templates_free(struct templates *t);
const char *template_file_name(enum template_id id);
