#include "pipeline/outbound.h"

#include <stdlib.h>

#include "mail/mail.h"
#include "mail/tag.h"
#include "util/buf.h"
#include "util/xalloc.h"

const char *outbound_host(const struct config *cfg)
{
	if (cfg->hostname && *cfg->hostname)
		return cfg->hostname;
	const char *d = mail_addr_domain(cfg->address);
	return *d ? d : "localhost";
}

int outbound_queue(struct store *s, const struct config *cfg, const struct outbound_request *req, int64_t now,
		   int64_t *ret_outbox_id)
{
	char *subject = tag_subject(cfg->tag, req->ticket, req->subject);
	char *tag = tag_format(cfg->tag, req->ticket);
	char *local = xasprintf("%s-%lld", outbox_purpose_name(req->purpose), (long long)req->ticket);
	char *msgid = mail_new_message_id(local, outbound_host(cfg));
	free(local);

	struct mail_out m = {
		.from_name = cfg->team,
		.from_addr = cfg->address,
		.to_addr = req->to,
		.subject = subject,
		.body = req->body,
		.message_id = msgid,
		.in_reply_to = req->in_reply_to,
		.references = req->references,
		.n_references = req->n_references,
		.date = now,
		.auto_replied = req->auto_replied,
		.ticket_tag = tag,
		.xarf_report = req->xarf_report,
		.xarf_evidence = req->xarf_evidence,
	};
	struct buf raw;
	buf_init(&raw, OUTBOUND_MESSAGE_MAX);
	int r = mail_compose(&m, &raw);
	if (r == 0) {
		struct message_fields f = {
			.message_id = msgid,
			.subject = subject,
			.from_addr = cfg->address,
			.to_addr = req->to,
			.body_text = req->body,
		};
		/* Automatic responses go out with a null envelope sender, so
		 * that a bounce of them cannot start a loop (RFC 3834 3.3). */
		const char *env_from = req->auto_replied ? "" : cfg->address;
		r = store_outbound_add(s, req->ticket, req->purpose, env_from, req->to, req->state, raw.p, raw.len, &f,
				       now, ret_outbox_id);
	}
	buf_free(&raw);
	free(msgid);
	free(tag);
	free(subject);
	return r;
}
