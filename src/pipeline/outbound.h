/*
 * outbound: the one way the desk writes mail about a ticket.
 *
 * Composes the message (tagged subject, our From, a fresh stable
 * Message-ID, threading headers) and records it with its outbox row in the
 * caller's transaction. The composed bytes are stored, so every retry sends
 * the very same message with the very same Message-ID.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "store/store.h"

#define OUTBOUND_MESSAGE_MAX (1024 * 1024)

struct outbound_request {
	int64_t ticket;
	enum outbox_purpose purpose;
	enum outbox_state state;	/* OUTBOX_QUEUED or OUTBOX_HELD */
	const char *to;
	const char *subject;		/* the subject being replied to; tagged here */
	const char *body;
	const char *in_reply_to;
	const char *const *references;
	size_t n_references;
	bool auto_replied;		/* an automatic response (RFC 3834) */
	const char *xarf_report;	/* an X-ARF part (mail.h struct mail_out), or NULL */
	const char *xarf_evidence;
};

/* Our Message-ID domain: desk.hostname, else the report address's domain. */
const char *outbound_host(const struct config *cfg);
int outbound_queue(struct store *s, const struct config *cfg, const struct outbound_request *req, int64_t now,
		   int64_t *ret_outbox_id);
