/*
 * thread: which ticket an inbound message belongs to.
 *
 * In order: our tag in the Subject naming a ticket that exists (followed
 * through merges); then In-Reply-To and References, newest first, naming a
 * Message-ID of mail we sent. A tag of another team, or naming a ticket we
 * do not have, threads nothing: the message opens a new ticket.
 */
#pragma once
#include <stdint.h>

#include "config/config.h"
#include "mail/mail.h"
#include "store/store.h"

enum thread_how { THREAD_NONE, THREAD_BY_TAG, THREAD_BY_REFERENCE };

/* -ENOENT when the message starts a new ticket; other errors are the store's. */
int thread_find(struct store *s, const struct config *cfg, const struct mail_parsed *m, int64_t *ret_ticket,
		enum thread_how *ret_how);
