/*
 * writing: mail an analyst writes from a ticket to someone other than the
 * reporter (the organisation's security contact, a network's abuse
 * contact), and held notifications changed before they are approved.
 *
 * A draft is the notification template (etc/templates/notify.txt, the one
 * routing uses) filled with the ticket's tag, the sources that recipient
 * is responsible for (the routing section, routing.c) and the evidence
 * summary (evidence/report.h), so the analyst edits words rather than
 * writing them. Sending goes through outbound_queue(), the one way mail
 * about a ticket is written. An edit never rewrites stored bytes: the held
 * row is discarded and a new held one composed (new Message-ID) in the
 * same transaction, so what is approved is exactly what is sent; an X-ARF
 * notification keeps its machine-readable parts (report.txt, logfile.log,
 * as mail/compose.c names them) and only its words change.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "evidence/report.h"
#include "http/handlers.h"
#include "mail/attach.h"
#include "mail/tag.h"
#include "net/mailbox.h"
#include "pipeline/outbound.h"
#include "routing/index.h"
#include "util/escape.h"
#include "util/str.h"
#include "util/xalloc.h"

#define HTTP_WRITE_TEXT_MAX (256 * 1024)	/* body of mail an analyst writes */
#define HTTP_SUBJECT_MAX 400
#define HTTP_ADDRESS_MAX 254			/* RFC 5321 4.5.3.1.3 path, less the brackets */

/* One bare address as the desk writes to (net/mailbox.h): nothing a
 * header could be split or a second recipient hidden by. */
static bool is_address(const char *a)
{
	return a && strlen(a) <= HTTP_ADDRESS_MAX && mailbox_is_valid(str_from(a));
}

static bool list_has(const char *list, const char *item)
{
	return list && routing_list_has(list, item);
}

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

/* The ticket with its evidence (or NULL) and routing section. */
static int load(struct http_req *req, int64_t number, struct ticket *t, json_t **ret_evidence, json_t **ret_routing)
{
	int r = store_ticket_get(req->store, number, t);
	if (r < 0)
		return r;
	char *report = NULL;
	*ret_evidence = NULL;
	if (store_evidence_latest(req->store, number, &report) == 0)
		*ret_evidence = json_loads(report, 0, NULL);
	free(report);
	struct incident_link *l = NULL;
	size_t n = 0;
	bool is_incident = t->kind == TICKET_INCIDENT;
	if (store_incident_links(req->store, is_incident ? number : 0, is_incident ? 0 : number, &l, &n) < 0)
		n = 0;
	*ret_routing = http_routing_section(req, t, *ret_evidence, l, n);
	incident_link_array_free(l, n);
	return 0;
}

void api_ticket_draft(struct http_req *req, struct http_resp *resp, int64_t number)
{
	const struct config *cfg = req->ctx->cfg;
	const char *to = http_arg(req, "to");
	if (!is_address(to))
		return http_resp_error(resp, 400, "expected ?to=ADDRESS (one mail address)");
	struct ticket t;
	json_t *ev = NULL, *routing = NULL;
	int r = load(req, number, &t, &ev, &routing);
	if (r < 0)
		return http_resp_error(resp, r == -ENOENT ? 404 : http_status_for(r), "ticket %lld: %s",
				       (long long)number, r == -ENOENT ? "not found" : store_errmsg(req->store));
	/* The sources this recipient is the contact for; all of them when it
	 * is nobody's listed contact (the analyst chose someone else). */
	struct buf sources, summary, body;
	buf_init(&sources, TEMPLATE_SIZE_MAX);
	buf_init(&summary, TEMPLATE_SIZE_MAX);
	buf_init(&body, TEMPLATE_SIZE_MAX * 4);
	bool is_inside = false, is_listed = false;
	const char *first = NULL;
	size_t n_src = 0;
	for (int pass = 0; pass < 2 && !n_src; pass++) {
		size_t i;
		json_t *row;
		json_array_foreach (json_object_get(routing, "sources"), i, row) {
			const char *contact = json_string_value(json_object_get(row, "contact"));
			if (pass == 0 && !list_has(contact, to))
				continue;
			if (pass == 0) {
				is_listed = true;
				is_inside |= !strcmp(json_string_value(json_object_get(row, "where")), "inside");
			}
			const char *src = json_string_value(json_object_get(row, "source"));
			if (!first)
				first = src;
			n_src++;
			buf_printf(&sources, "  %s\n", src);
		}
	}
	if (ev)
		evidence_render_text(ev, &summary);
	int64_t reports = 1, events = ev ? (int64_t)json_integer_value(json_object_get(ev, "events")) : 0;
	if (t.kind == TICKET_INCIDENT)
		store_incident_counts(req->store, number, &reports, &events);
	const char *kind = *t.classification ? t.classification
		: ev && json_string_value(json_object_get(ev, "abuse_type")) ? json_string_value(json_object_get(ev, "abuse_type"))
		: "abuse";
	char *tag = tag_format(cfg->tag, number);
	char *num = xasprintf("%lld", (long long)number);
	char *n_reports = xasprintf("%lld", (long long)reports);
	char *n_events = xasprintf("%lld", (long long)events);
	struct template_var vars[] = {
		{ "team", cfg->team }, { "tag", tag }, { "number", num }, { "address", cfg->address },
		{ "recipient", to }, { "kind", kind }, { "sources", sources.len ? buf_str(&sources) : "  (none known)\n" },
		{ "reports", n_reports }, { "events", n_events },
		{ "summary", summary.len ? buf_str(&summary) : "(no summary)\n" }, { "sample", "" },
		{ "inside", is_inside ? "yes" : "" },
	};
	r = template_render(req->ctx->tpl.text[TEMPLATE_NOTIFY], vars, sizeof(vars) / sizeof(vars[0]), &body, NULL);
	char *subject = !first ? xstrdup(t.subject)
		: n_src > 1 ? xasprintf("%s from %s and %zu more", kind, first, n_src - 1)
			    : xasprintf("%s from %s", kind, first);
	if (r < 0)
		http_resp_error(resp, 500, "the notify template cannot be filled in");
	else
		http_resp_json(resp, 200, json_pack("{s:I, s:s, s:s, s:s, s:b}", "ticket", (json_int_t)number, "to", to,
						    "subject", subject, "body", buf_str(&body), "is_listed", is_listed));
	free(subject);
	free(n_events);
	free(n_reports);
	free(num);
	free(tag);
	buf_free(&body);
	buf_free(&summary);
	buf_free(&sources);
	json_decref(routing);
	json_decref(ev);
	ticket_clear(&t);
}

/* {"to", "subject", "body"} as an analyst wrote them, from the request's
 * JSON; NULL (resp set) if they will not do. The strings point into the
 * returned JSON; *subj is the subject as one safe header line (control
 * characters gone), for the caller to free. */
static json_t *read_mail(struct http_req *req, struct http_resp *resp, const char **to, char **subj,
			 const char **body)
{
	json_t *j = http_req_json(req, resp);
	if (!j)
		return NULL;
	*to = json_string_value(json_object_get(j, "to"));
	const char *subject = json_string_value(json_object_get(j, "subject"));
	*body = json_string_value(json_object_get(j, "body"));
	if (!is_address(*to))
		http_resp_error(resp, 400, "\"to\" must be one mail address");
	else if (!subject || strlen(subject) > HTTP_SUBJECT_MAX)
		http_resp_error(resp, 400, "\"subject\" must be a string of at most %d bytes", HTTP_SUBJECT_MAX);
	else if (!*body || str_trim(str_from(*body)).len == 0 || strlen(*body) > HTTP_WRITE_TEXT_MAX)
		http_resp_error(resp, 400, "\"body\" must hold 1 to %d bytes", HTTP_WRITE_TEXT_MAX);
	else {
		*subj = escape_header_value(str_from(subject), HTTP_SUBJECT_MAX);
		return j;
	}
	json_decref(j);
	return NULL;
}

void api_ticket_write(struct http_req *req, struct http_resp *resp, int64_t number)
{
	const char *to, *body;
	char *subj;
	json_t *j = read_mail(req, resp, &to, &subj, &body);
	if (!j)
		return;
	int64_t final, box = 0, now = now_s();
	int r = store_ticket_follow(req->store, number, &final);
	if (r >= 0)
		r = store_begin(req->store);
	if (r >= 0) {
		struct outbound_request o = {
			.ticket = final,
			.purpose = OUTBOX_NOTIFY,
			.state = OUTBOX_QUEUED,
			.to = to,
			.subject = subj,
			.body = body,
		};
		r = outbound_queue(req->store, req->ctx->cfg, &o, now, &box);
		/* As with a reply: mail an analyst wrote means the ticket is being worked. */
		struct ticket t = { 0 };
		if (r >= 0)
			r = store_ticket_get(req->store, final, &t);
		if (r >= 0 && t.status == TICKET_NEW)
			r = store_ticket_set_status(req->store, final, TICKET_OPEN, now);
		ticket_clear(&t);
		char *d = xasprintf("outbox %lld to %s", (long long)box, to);
		if (r >= 0)
			r = store_audit_add(req->store, final, req->user.name, "write", d, now);
		free(d);
		if (r >= 0)
			r = store_commit(req->store);
		if (r < 0)
			store_rollback(req->store);
	}
	if (r < 0)
		http_resp_error(resp, r == -ENOENT ? 404 : http_status_for(r), "write: %s",
				r == -ENOENT ? "no such ticket" : store_errmsg(req->store));
	else
		http_resp_json(resp, 200, json_pack("{s:I, s:I, s:s}", "ticket", (json_int_t)final, "outbox",
						    (json_int_t)box, "to", to));
	free(subj);
	json_decref(j);
}

void api_outbox_get(struct http_req *req, struct http_resp *resp, int64_t id)
{
	struct outbox_item o = { 0 };
	struct message m = { 0 };
	int r = store_outbox_get(req->store, id, &o);
	if (r >= 0)
		r = store_message_get(req->store, o.message, false, &m);
	if (r < 0) {
		outbox_item_clear(&o);
		return http_resp_error(resp, r == -ENOENT ? 404 : http_status_for(r), "outbox %lld: %s", (long long)id,
				       r == -ENOENT ? "not found" : store_errmsg(req->store));
	}
	/* The subject as stored, tag and all: an edit passes it back and
	 * outbound_queue() puts the tag in front once (tag_subject). */
	json_t *j = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)o.id, "ticket",
			      (json_int_t)o.ticket, "purpose", outbox_purpose_name(o.purpose), "state",
			      outbox_state_name(o.state), "rcpt", o.rcpt, "subject", m.subject, "body", m.body_text);
	outbox_item_clear(&o);
	message_clear(&m);
	http_resp_json(resp, 200, j);
}

/* The X-ARF parts of our own composed message, if it has them. */
static int xarf_parts(struct store *s, int64_t message, struct buf *report, struct buf *evidence)
{
	struct message m;
	int r = store_message_get(s, message, true, &m);
	if (r < 0)
		return r;
	struct mail_attachment *p = NULL;
	size_t n = 0;
	r = mail_attach_list(m.raw, m.raw_len, &p, &n);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		if (!strcmp(p[i].filename, "report.txt"))
			r = mail_attach_content(m.raw, m.raw_len, p[i].index, report);
		else if (!strcmp(p[i].filename, "logfile.log"))
			r = mail_attach_content(m.raw, m.raw_len, p[i].index, evidence);
	}
	mail_attach_free(p, n);
	message_clear(&m);
	return r;
}

void api_outbox_edit(struct http_req *req, struct http_resp *resp, int64_t id)
{
	const char *to, *body;
	char *subj;
	json_t *j = read_mail(req, resp, &to, &subj, &body);
	if (!j)
		return;
	struct outbox_item o = { 0 };
	int64_t box = 0, now = now_s();
	int r = store_begin(req->store);
	if (r >= 0)
		r = store_outbox_get(req->store, id, &o);
	/* Only held mail: anything else is answered 409 below, unchanged. */
	bool is_not_held = r >= 0 && o.state != OUTBOX_HELD;
	struct buf xarf, evidence;
	buf_init(&xarf, OUTBOUND_MESSAGE_MAX);
	buf_init(&evidence, OUTBOUND_MESSAGE_MAX);
	if (r >= 0 && !is_not_held)
		r = xarf_parts(req->store, o.message, &xarf, &evidence);
	if (r >= 0 && !is_not_held)
		r = store_outbox_discard(req->store, id, NULL);
	if (r >= 0 && !is_not_held) {
		struct outbound_request out = {
			.ticket = o.ticket,
			.purpose = o.purpose,
			.state = OUTBOX_HELD,
			.to = to,
			.subject = subj,
			.body = body,
			.xarf_report = xarf.len ? buf_str(&xarf) : NULL,
			.xarf_evidence = xarf.len && evidence.len ? buf_str(&evidence) : NULL,
		};
		r = outbound_queue(req->store, req->ctx->cfg, &out, now, &box);
	}
	if (r >= 0 && !is_not_held) {
		char *d = xasprintf("outbox %lld %s to %s replaced by outbox %lld to %s", (long long)id,
				    outbox_purpose_name(o.purpose), o.rcpt, (long long)box, to);
		r = store_audit_add(req->store, o.ticket, req->user.name, "edit", d, now);
		free(d);
	}
	if (r >= 0 && !is_not_held)
		r = store_commit(req->store);
	if (r < 0 || is_not_held)
		store_rollback(req->store);
	if (is_not_held || r == -ENOENT)
		http_resp_error(resp, r == -ENOENT ? 404 : 409, "outbox %lld is %s: only held mail can be edited",
				(long long)id, r == -ENOENT ? "not there" : outbox_state_name(o.state));
	else if (r < 0)
		http_resp_error(resp, http_status_for(r), "edit: %s", store_errmsg(req->store));
	else
		http_resp_json(resp, 200, json_pack("{s:I, s:I, s:s, s:s}", "replaced", (json_int_t)id, "outbox",
						    (json_int_t)box, "state", "held", "to", to));
	buf_free(&xarf);
	buf_free(&evidence);
	outbox_item_clear(&o);
	free(subj);
	json_decref(j);
}
