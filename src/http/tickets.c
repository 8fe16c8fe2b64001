/*
 * tickets: the queue, a ticket with its thread, and the analyst's actions.
 * Every action runs in one transaction with its audit row, so the trail
 * never misses what happened nor records what did not.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/handlers.h"
#include "mail/attach.h"
#include "mail/tag.h"
#include "net/ip.h"
#include "pipeline/outbound.h"
#include "util/escape.h"
#include "util/str.h"
#include "util/xalloc.h"

#define HTTP_PAGE_DEFAULT 50
#define HTTP_PAGE_MAX 500
#define HTTP_REPLY_TEXT_MAX (256 * 1024)
#define HTTP_CLASSIFICATION_MAX 200
#define HTTP_DOWNLOAD_MAX (64 * 1024 * 1024)

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

static json_t *ticket_json(const struct config *cfg, const struct ticket *t)
{
	char *tag = tag_format(cfg->tag, t->number);
	json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:I, s:I, s:I}", "number",
			      (json_int_t)t->number, "tag", tag, "kind", ticket_kind_name(t->kind), "status",
			      ticket_status_name(t->status), "subject", t->subject, "reporter", t->reporter,
			      "classification", t->classification, "org", t->org, "ack", t->ack, "ack_note",
			      t->ack_note, "needs_analyst", t->needs_analyst, "created_at", (json_int_t)t->created_at,
			      "updated_at", (json_int_t)t->updated_at, "messages", (json_int_t)t->n_messages);
	json_object_set_new(j, "merged_into", t->merged_into ? json_integer(t->merged_into) : json_null());
	free(tag);
	return j;
}

static void fail_store(struct http_req *req, struct http_resp *resp, int r, const char *what)
{
	if (r == -ENOENT)
		http_resp_error(resp, 404, "%s: not found", what);
	else
		http_resp_error(resp, http_status_for(r), "%s: %s", what, store_errmsg(req->store));
}

static bool arg_num(const struct http_req *req, struct http_resp *resp, const char *name, int64_t max, int64_t *ret)
{
	const char *v = http_arg(req, name);
	uint64_t n = 0;
	if (v && *v && !cstr_to_u64(v, (uint64_t)max, &n)) {
		http_resp_error(resp, 400, "%s must be a whole number up to %lld", name, (long long)max);
		return false;
	}
	*ret = (int64_t)n;
	return true;
}

void api_ticket_list(struct http_req *req, struct http_resp *resp)
{
	struct ticket_query q = {
		.status = http_arg(req, "status"),
		.kind = http_arg(req, "kind"),
		.org = http_arg(req, "org"),
		.classification = http_arg(req, "classification"),
		.text = http_arg(req, "q"),
	};
	int64_t limit;
	if (!arg_num(req, resp, "before", INT64_MAX, &q.before) || !arg_num(req, resp, "limit", HTTP_PAGE_MAX, &limit))
		return;
	enum ticket_status st;
	if (q.status && *q.status && strcmp(q.status, "active") && ticket_status_from_name(q.status, &st) < 0)
		return http_resp_error(resp, 400, "status must be new, open, resolved, rejected or active");
	q.limit = limit ? (size_t)limit : HTTP_PAGE_DEFAULT;
	struct ticket *a = NULL;
	size_t n = 0;
	int r = store_ticket_query(req->store, &q, &a, &n);
	if (r < 0)
		return fail_store(req, resp, r, "queue");
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, ticket_json(req->ctx->cfg, &a[i]));
	/* A full page means there may be more: the next page starts below the
	 * last number shown. */
	json_t *next = n == q.limit && n ? json_integer(a[n - 1].number) : json_null();
	ticket_array_free(a, n);
	http_resp_json(resp, 200, json_pack("{s:o, s:o}", "tickets", list, "next_before", next));
}

void api_counts(struct http_req *req, struct http_resp *resp)
{
	int64_t tc[TICKET_STATUS_COUNT], oc[OUTBOX_STATE_COUNT];
	int r = store_ticket_counts(req->store, tc);
	if (r >= 0)
		r = store_outbox_counts(req->store, oc);
	if (r < 0)
		return fail_store(req, resp, r, "counts");
	json_t *t = json_object(), *o = json_object();
	for (int i = 0; i < TICKET_STATUS_COUNT; i++)
		json_object_set_new(t, ticket_status_name((enum ticket_status)i), json_integer(tc[i]));
	for (int i = 0; i < OUTBOX_STATE_COUNT; i++)
		json_object_set_new(o, outbox_state_name((enum outbox_state)i), json_integer(oc[i]));
	http_resp_json(resp, 200, json_pack("{s:o, s:o}", "tickets", t, "outbox", o));
}

static json_t *message_json(struct http_req *req, const struct message *m)
{
	json_t *j = json_pack("{s:I, s:s, s:s, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
			      (json_int_t)m->id, "direction", m->is_inbound ? "in" : "out", "state",
			      message_state_name(m->state), "size", (json_int_t)m->size, "received_at",
			      (json_int_t)m->received_at, "message_id", m->message_id, "subject", m->subject, "from",
			      m->from_addr, "to", m->to_addr, "date", m->date_hdr, "body_text", m->body_text, "defects",
			      m->defects, "error", m->error);
	json_t *parts = json_array();
	struct message full;
	if (store_message_get(req->store, m->id, true, &full) == 0) {
		struct mail_attachment *p = NULL;
		size_t n = 0;
		mail_attach_list(full.raw, full.raw_len, &p, &n);
		for (size_t i = 0; i < n; i++)
			json_array_append_new(parts, json_pack("{s:i, s:s, s:s, s:I}", "n", p[i].index + 1, "content_type",
								p[i].content_type, "filename", p[i].filename, "size",
								(json_int_t)p[i].size));
		mail_attach_free(p, n);
		message_clear(&full);
	}
	json_object_set_new(j, "parts", parts);
	return j;
}

static json_t *outbox_json(const struct outbox_item *o)
{
	return json_pack("{s:I, s:I, s:I, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:s, s:s}", "id", (json_int_t)o->id,
			 "message", (json_int_t)o->message, "ticket", (json_int_t)o->ticket, "purpose",
			 outbox_purpose_name(o->purpose), "state", outbox_state_name(o->state), "rcpt", o->rcpt,
			 "attempts", (json_int_t)o->attempts, "next_try", (json_int_t)o->next_try, "created_at",
			 (json_int_t)o->created_at, "sent_at", (json_int_t)o->sent_at, "last_error", o->last_error,
			 "subject", o->subject);
}

/* The sections other modules keep about a ticket: "evidence" (the newest
 * evidence report with its completeness checklist, evidence/report.h),
 * "links" (an incident's reports, or the incidents a report belongs to,
 * with the source and whether that link notified) and "routing" (per
 * source, who is responsible: routing.c). The UI shows a section for each
 * key present. */
static void ticket_sections(struct http_req *req, const struct ticket *t, json_t *j)
{
	char *report = NULL;
	json_t *e = NULL;
	if (store_evidence_latest(req->store, t->number, &report) == 0) {
		e = json_loads(report, 0, NULL);
		if (e)
			json_object_set_new(j, "evidence", e);
	}
	free(report);
	struct incident_link *l = NULL;
	size_t n = 0;
	bool is_incident = t->kind == TICKET_INCIDENT;
	if (store_incident_links(req->store, is_incident ? t->number : 0, is_incident ? 0 : t->number, &l, &n) < 0)
		n = 0;
	if (n > 0) {
		json_t *a = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, json_pack("{s:I, s:I, s:s, s:I, s:I, s:I}", "incident",
							   (json_int_t)l[i].incident, "report", (json_int_t)l[i].report,
							   "source", l[i].source, "events", (json_int_t)l[i].events,
							   "notified_at", (json_int_t)l[i].notified_at, "created_at",
							   (json_int_t)l[i].created_at));
		json_object_set_new(j, "links", a);
	}
	json_object_set_new(j, "routing", http_routing_section(req, t, e, l, n));
	incident_link_array_free(l, n);
}

void api_ticket_get(struct http_req *req, struct http_resp *resp, int64_t number)
{
	struct ticket t;
	int r = store_ticket_get(req->store, number, &t);
	if (r < 0)
		return fail_store(req, resp, r, "ticket");
	json_t *j = ticket_json(req->ctx->cfg, &t);
	struct message *m = NULL;
	size_t nm = 0;
	struct outbox_item *o = NULL;
	size_t no = 0;
	struct audit_entry *a = NULL;
	size_t na = 0;
	struct outbox_filter of = { .ticket = number };
	r = store_ticket_messages(req->store, number, &m, &nm);
	if (r >= 0)
		r = store_outbox_list(req->store, &of, &o, &no);
	if (r >= 0)
		r = store_audit_list(req->store, number, &a, &na);
	if (r < 0) {
		json_decref(j);
		ticket_clear(&t);
		message_array_free(m, nm);
		outbox_array_free(o, no);
		return fail_store(req, resp, r, "ticket");
	}
	json_t *jm = json_array(), *jo = json_array(), *ja = json_array();
	for (size_t i = 0; i < nm; i++)
		json_array_append_new(jm, message_json(req, &m[i]));
	for (size_t i = 0; i < no; i++)
		json_array_append_new(jo, outbox_json(&o[i]));
	for (size_t i = 0; i < na; i++)
		json_array_append_new(ja, json_pack("{s:I, s:I, s:s, s:s, s:s}", "id", (json_int_t)a[i].id, "at",
						    (json_int_t)a[i].at, "actor", a[i].actor, "action", a[i].action,
						    "detail", a[i].detail));
	json_object_set_new(j, "thread", jm);
	json_object_set_new(j, "outbox", jo);
	json_object_set_new(j, "audit", ja);
	ticket_sections(req, &t, j);
	http_resp_json(resp, 200, j);
	ticket_clear(&t);
	message_array_free(m, nm);
	outbox_array_free(o, no);
	audit_array_free(a, na);
}

/* Runs an action's store calls and its audit row in one transaction. */
static int finish(struct http_req *req, int r)
{
	if (r >= 0)
		r = store_commit(req->store);
	if (r < 0)
		store_rollback(req->store);
	return r;
}

void api_ticket_reply(struct http_req *req, struct http_resp *resp, int64_t number)
{
	const struct config *cfg = req->ctx->cfg;
	json_t *j = http_req_json(req, resp);
	if (!j)
		return;
	const char *text = json_string_value(json_object_get(j, "text"));
	if (!text || str_trim(str_from(text)).len == 0 || strlen(text) > HTTP_REPLY_TEXT_MAX) {
		json_decref(j);
		return http_resp_error(resp, 400, "expected {\"text\": \"...\"} with 1 to %d bytes", HTTP_REPLY_TEXT_MAX);
	}
	int64_t final;
	struct ticket t = { 0 };
	int r = store_ticket_follow(req->store, number, &final);
	if (r >= 0)
		r = store_ticket_get(req->store, final, &t);
	if (r < 0) {
		json_decref(j);
		return fail_store(req, resp, r, "reply");
	}
	if (!*t.reporter) {
		json_decref(j);
		ticket_clear(&t);
		return http_resp_error(resp, 400, "ticket %lld has no reporter address to reply to", (long long)final);
	}
	char *tag = tag_format(cfg->tag, final);
	char *num = xasprintf("%lld", (long long)final);
	struct template_var vars[] = {
		{ "team", cfg->team }, { "tag", tag }, { "number", num }, { "subject", t.subject },
		{ "address", cfg->address }, { "body", text },
	};
	struct buf body;
	buf_init(&body, HTTP_REPLY_TEXT_MAX + TEMPLATE_SIZE_MAX);
	r = template_render(req->ctx->tpl.text[TEMPLATE_REPLY], vars, sizeof(vars) / sizeof(vars[0]), &body, NULL);
	/* Thread under the reporter's latest message. */
	struct message *msgs = NULL;
	size_t nm = 0;
	const char *last_in = NULL;
	if (r >= 0)
		r = store_ticket_messages(req->store, final, &msgs, &nm);
	for (size_t i = 0; r >= 0 && i < nm; i++)
		if (msgs[i].is_inbound && *msgs[i].message_id)
			last_in = msgs[i].message_id;
	int64_t box = 0, now = now_s();
	if (r >= 0 && (r = store_begin(req->store)) >= 0) {
		struct outbound_request o = {
			.ticket = final,
			.purpose = OUTBOX_REPLY,
			.state = OUTBOX_QUEUED,
			.to = t.reporter,
			.subject = t.subject,
			.body = buf_str(&body),
			.in_reply_to = last_in,
			.references = last_in ? &last_in : NULL,
			.n_references = last_in ? 1 : 0,
		};
		r = outbound_queue(req->store, cfg, &o, now, &box);
		if (r >= 0 && t.status == TICKET_NEW)
			r = store_ticket_set_status(req->store, final, TICKET_OPEN, now);
		if (r >= 0)
			r = store_audit_add(req->store, final, req->user.name, "reply", t.reporter, now);
		r = finish(req, r);
	}
	if (r < 0)
		fail_store(req, resp, r, "reply");
	else
		http_resp_json(resp, 200, json_pack("{s:I, s:I, s:s}", "ticket", (json_int_t)final, "outbox",
						    (json_int_t)box, "to", t.reporter));
	message_array_free(msgs, nm);
	buf_free(&body);
	free(num);
	free(tag);
	ticket_clear(&t);
	json_decref(j);
}

void api_ticket_status(struct http_req *req, struct http_resp *resp, int64_t number)
{
	json_t *j = http_req_json(req, resp);
	if (!j)
		return;
	enum ticket_status st;
	const char *name = json_string_value(json_object_get(j, "status"));
	if (ticket_status_from_name(name, &st) < 0 || st == TICKET_NEW) {
		json_decref(j);
		return http_resp_error(resp, 400, "expected {\"status\": \"open\"|\"resolved\"|\"rejected\"}");
	}
	json_decref(j);
	int64_t now = now_s();
	int r = store_begin(req->store);
	if (r >= 0)
		r = store_ticket_set_status(req->store, number, st, now);
	if (r >= 0)
		r = store_audit_add(req->store, number, req->user.name, ticket_status_name(st), "", now);
	r = finish(req, r);
	if (r < 0)
		return fail_store(req, resp, r, "status");
	http_resp_json(resp, 200, json_pack("{s:I, s:s}", "ticket", (json_int_t)number, "status", ticket_status_name(st)));
}

void api_ticket_merge(struct http_req *req, struct http_resp *resp, int64_t number)
{
	json_t *j = http_req_json(req, resp);
	if (!j)
		return;
	json_t *jv = json_object_get(j, "into");
	int64_t into = json_is_integer(jv) ? (int64_t)json_integer_value(jv) : 0;
	json_decref(j);
	if (into <= 0)
		return http_resp_error(resp, 400, "expected {\"into\": TICKET-NUMBER}");
	int64_t into_final;
	struct ticket t = { 0 };
	int r = store_ticket_follow(req->store, into, &into_final);
	if (r >= 0)
		r = store_ticket_get(req->store, number, &t);
	if (r < 0)
		return fail_store(req, resp, r, "merge");
	bool already = t.merged_into != 0;
	ticket_clear(&t);
	if (already)
		return http_resp_error(resp, 409, "ticket %lld is already merged", (long long)number);
	if (into_final == number)
		return http_resp_error(resp, 400, "cannot merge ticket %lld into itself", (long long)number);
	int64_t now = now_s();
	char *d = xasprintf("merged into %lld", (long long)into_final);
	char *d2 = xasprintf("merged %lld into this ticket", (long long)number);
	r = store_begin(req->store);
	if (r >= 0)
		r = store_ticket_merge(req->store, number, into_final, now);
	if (r >= 0)
		r = store_audit_add(req->store, number, req->user.name, "merge", d, now);
	if (r >= 0)
		r = store_audit_add(req->store, into_final, req->user.name, "merge", d2, now);
	r = finish(req, r);
	free(d);
	free(d2);
	if (r < 0)
		return fail_store(req, resp, r, "merge");
	http_resp_json(resp, 200, json_pack("{s:I, s:I}", "ticket", (json_int_t)number, "merged_into", (json_int_t)into_final));
}

void api_ticket_classification(struct http_req *req, struct http_resp *resp, int64_t number)
{
	json_t *j = http_req_json(req, resp);
	if (!j)
		return;
	const char *c = json_string_value(json_object_get(j, "classification"));
	if (!c || strlen(c) > HTTP_CLASSIFICATION_MAX) {
		json_decref(j);
		return http_resp_error(resp, 400, "expected {\"classification\": \"class/type\"} (at most %d bytes)",
				       HTTP_CLASSIFICATION_MAX);
	}
	char *cls = escape_header_value(str_from(c), HTTP_CLASSIFICATION_MAX);
	json_decref(j);
	int64_t now = now_s();
	int r = store_begin(req->store);
	if (r >= 0)
		r = store_ticket_set_classification(req->store, number, cls, now);
	if (r >= 0)
		r = store_audit_add(req->store, number, req->user.name, "classify", cls, now);
	r = finish(req, r);
	if (r < 0)
		fail_store(req, resp, r, "classification");
	else
		http_resp_json(resp, 200, json_pack("{s:I, s:s}", "ticket", (json_int_t)number, "classification", cls));
	free(cls);
}

#define HTTP_LINK_SOURCES_MAX 100

/* A report linked by hand to an incident (routing made the others): the
 * source named, else each source of the report's evidence, else the
 * report as a whole (source ""). On both tickets' trails. */
void api_ticket_link(struct http_req *req, struct http_resp *resp, int64_t number)
{
	json_t *j = http_req_json(req, resp);
	if (!j)
		return;
	json_t *jv = json_object_get(j, "incident");
	int64_t incident = json_is_integer(jv) ? (int64_t)json_integer_value(jv) : 0;
	json_t *js = json_object_get(j, "source");
	const char *source = json_string_value(js);
	struct ip_addr a;
	char canon[IP_TEXT_MAX];
	if (incident <= 0 || (js && !json_is_null(js) && (!source || !ip_parse_cstr(source, &a)))) {
		json_decref(j);
		return http_resp_error(resp, 400, "expected {\"incident\": TICKET-NUMBER, \"source\": IP-ADDRESS (optional)}");
	}
	if (source)
		ip_format(&a, canon);
	json_decref(j);
	struct ticket rep = { 0 }, inc = { 0 };
	int64_t final;
	int r = store_ticket_follow(req->store, incident, &final);
	if (r >= 0)
		r = store_ticket_get(req->store, final, &inc);
	if (r >= 0)
		r = store_ticket_get(req->store, number, &rep);
	bool ok = r >= 0 && inc.kind == TICKET_INCIDENT && rep.kind == TICKET_REPORT;
	ticket_clear(&rep);
	ticket_clear(&inc);
	if (r < 0)
		return fail_store(req, resp, r, "link");
	if (!ok)
		return http_resp_error(resp, 400, "a report is linked to an incident: #%lld must be a report and #%lld an incident",
				       (long long)number, (long long)final);
	/* The sources to link. */
	json_t *list = json_array();
	if (source) {
		json_array_append_new(list, json_string(canon));
	} else {
		char *report = NULL;
		json_t *ev = NULL;
		if (store_evidence_latest(req->store, number, &report) == 0)
			ev = json_loads(report, 0, NULL);
		free(report);
		size_t i;
		json_t *v;
		json_array_foreach (json_object_get(ev, "sources"), i, v) {
			const char *ip = json_string_value(json_object_get(v, "ip"));
			if (ip && json_array_size(list) < HTTP_LINK_SOURCES_MAX)
				json_array_append_new(list, json_string(ip));
		}
		json_decref(ev);
		if (!json_array_size(list))
			json_array_append_new(list, json_string(""));
	}
	int64_t now = now_s();
	r = store_begin(req->store);
	size_t i;
	json_t *v;
	json_array_foreach (list, i, v) {
		if (r >= 0)
			r = store_incident_link(req->store, final, number, json_string_value(v), 0, now);
	}
	size_t n = json_array_size(list);
	const char *first = json_string_value(json_array_get(list, 0));
	char *d = n > 1 ? xasprintf("linked to incident %lld (%s and %zu more)", (long long)final, first, n - 1)
			: xasprintf("linked to incident %lld%s%s%s", (long long)final, *first ? " (" : "", first, *first ? ")" : "");
	char *d2 = xasprintf("linked report %lld", (long long)number);
	if (r >= 0)
		r = store_audit_add(req->store, number, req->user.name, "link", d, now);
	if (r >= 0)
		r = store_audit_add(req->store, final, req->user.name, "link", d2, now);
	r = finish(req, r);
	free(d);
	free(d2);
	if (r < 0) {
		json_decref(list);
		return fail_store(req, resp, r, "link");
	}
	http_resp_json(resp, 200, json_pack("{s:I, s:I, s:o}", "ticket", (json_int_t)number, "incident",
					    (json_int_t)final, "sources", list));
}

/* Downloads are never rendered: octet-stream, attachment, a fixed name. */
static void download(struct http_resp *resp, struct buf *data, const char *name)
{
	resp->status = 200;
	resp->content_type = "application/octet-stream";
	buf_reset(&resp->body);
	buf_append(&resp->body, data->p ? data->p : "", data->len);
	resp->disposition = xasprintf("attachment; filename=\"%s\"", name);
}

void api_message_raw(struct http_req *req, struct http_resp *resp, int64_t id)
{
	struct message m;
	int r = store_message_get(req->store, id, true, &m);
	if (r < 0)
		return fail_store(req, resp, r, "message");
	struct buf b = { .p = m.raw, .len = m.raw_len };
	char *name = xasprintf("message-%lld.eml", (long long)id);
	download(resp, &b, name);
	free(name);
	message_clear(&m);
}

void api_message_part(struct http_req *req, struct http_resp *resp, int64_t id, int64_t part)
{
	struct message m;
	int r = store_message_get(req->store, id, true, &m);
	if (r < 0)
		return fail_store(req, resp, r, "message");
	struct buf b;
	buf_init(&b, HTTP_DOWNLOAD_MAX);
	r = part > INT32_MAX ? -ENOENT : mail_attach_content(m.raw, m.raw_len, (int)part, &b);
	message_clear(&m);
	if (r < 0) {
		buf_free(&b);
		return http_resp_error(resp, http_status_for(r), "no such part");
	}
	/* The sender's filename is not ours to put in a header: a fixed one. */
	char *name = xasprintf("message-%lld-part-%lld.bin", (long long)id, (long long)part + 1);
	download(resp, &b, name);
	free(name);
	buf_free(&b);
}

void api_outbox_list(struct http_req *req, struct http_resp *resp)
{
	struct outbox_filter f = { .state = http_arg(req, "state"), .limit = HTTP_PAGE_MAX };
	enum outbox_state st;
	if (f.state && *f.state && outbox_state_from_name(f.state, &st) < 0)
		return http_resp_error(resp, 400, "state must be queued, held, sent, failed or discarded");
	struct outbox_item *o = NULL;
	size_t n = 0;
	int r = store_outbox_list(req->store, &f, &o, &n);
	if (r < 0)
		return fail_store(req, resp, r, "outbox");
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, outbox_json(&o[i]));
	outbox_array_free(o, n);
	http_resp_json(resp, 200, json_pack("{s:o}", "outbox", a));
}

void api_outbox_decide(struct http_req *req, struct http_resp *resp, int64_t id, bool approve)
{
	int64_t now = now_s();
	struct outbox_item o = { 0 };
	int r = store_begin(req->store);
	if (r >= 0)
		r = approve ? store_outbox_approve(req->store, id, now, NULL) : store_outbox_discard(req->store, id, NULL);
	if (r >= 0)
		r = store_outbox_get(req->store, id, &o);
	/* On the ticket's trail, naming the mail and its recipient. */
	char *d = xasprintf("outbox %lld %s to %s", (long long)id, outbox_purpose_name(o.purpose), o.rcpt ? o.rcpt : "");
	if (r >= 0)
		r = store_audit_add(req->store, o.ticket, req->user.name, approve ? "approve" : "discard", d, now);
	free(d);
	outbox_item_clear(&o);
	r = finish(req, r);
	if (r == -ENOENT)
		return http_resp_error(resp, 409, "outbox %lld is not %s (or does not exist)", (long long)id,
				       approve ? "held" : "held or queued");
	if (r < 0)
		return fail_store(req, resp, r, "outbox");
	http_resp_json(resp, 200, json_pack("{s:I, s:s}", "outbox", (json_int_t)id, "state", approve ? "queued" : "discarded"));
}
