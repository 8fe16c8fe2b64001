#include "pipeline/pipeline.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "evidence/extract.h"
#include "evidence/report.h"
#include "mail/defect.h"
#include "mail/mail.h"
#include "mail/parts.h"
#include "mail/tag.h"
#include "pipeline/ack_policy.h"
#include "pipeline/outbound.h"
#include "pipeline/thread.h"
#include "scan/report.h"
#include "scan/summary.h"
#include "util/xalloc.h"

#define ACK_WINDOW_SECONDS 3600
#define RETRY_DELAY_SECONDS 30

void pipeline_result_clear(struct pipeline_result *r)
{
	free(r->env_from);
	free(r->error);
	memset(r, 0, sizeof(*r));
}

static char *lowercase(const char *s)
{
	char *d = xstrdup(s);
	for (char *p = d; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

/* Queues the acknowledgment of a new ticket, or says why not. */
static int acknowledge(struct pipeline *p, int64_t ticket, const struct mail_parsed *m, const struct evidence *ev,
		       const char *env_from, int64_t now, struct pipeline_result *res, char **ret_body)
{
	const struct config *cfg = p->cfg;
	const char *why = ack_policy_withhold_reason(cfg, m, env_from);
	char *to = lowercase(ack_policy_reply_address(m, env_from));
	int r = 0;
	if (!why && cfg->ack_per_sender_per_hour >= 0) {
		int64_t n = 0;
		r = store_outbox_count_to(p->store, to, OUTBOX_ACK, now - ACK_WINDOW_SECONDS, &n);
		if (r < 0)
			goto out;
		if (n >= cfg->ack_per_sender_per_hour)
			why = "the sender has had the hourly maximum of acknowledgments";
	}
	if (why) {
		res->withheld = why;
		r = store_ticket_set_ack(p->store, ticket, "withheld", why);
		goto out;
	}

	char *tag = tag_format(cfg->tag, ticket);
	char *number = xasprintf("%lld", (long long)ticket);
	/* what the report lacks, one paragraph per checklist item */
	struct buf lacking;
	buf_init(&lacking, TEMPLATE_SIZE_MAX);
	r = templates_missing_text(p->templates, ev, &lacking);
	if (r < 0) {
		buf_free(&lacking);
		free(number);
		free(tag);
		goto out;
	}
	struct template_var vars[] = {
		{ "team", cfg->team }, { "tag", tag }, { "number", number }, { "subject", m->subject },
		{ "address", cfg->address }, { "reporter", to }, { "missing", buf_str(&lacking) },
	};
	struct buf body;
	buf_init(&body, TEMPLATE_SIZE_MAX * 2);
	char *missing = NULL;
	r = template_render(p->templates->text[TEMPLATE_ACK], vars, sizeof(vars) / sizeof(vars[0]), &body, &missing);
	free(missing);
	free(number);
	free(tag);
	buf_free(&lacking);
	if (r < 0) {
		buf_free(&body);
		goto out;
	}
	/* References: theirs, then the report itself (RFC 5322 3.6.4). */
	const char **refs = xcalloc(m->n_references + 1, sizeof(char *));
	size_t n_refs = 0;
	for (size_t i = 0; i < m->n_references; i++)
		refs[n_refs++] = m->references[i];
	if (*m->message_id)
		refs[n_refs++] = m->message_id;
	struct outbound_request req = {
		.ticket = ticket,
		.purpose = OUTBOX_ACK,
		.state = OUTBOX_QUEUED,
		.to = to,
		.subject = m->subject,
		.body = buf_str(&body),
		.in_reply_to = m->message_id,
		.references = refs,
		.n_references = n_refs,
		.auto_replied = true,
	};
	r = outbound_queue(p->store, cfg, &req, now, NULL);
	free(refs);
	if (r < 0) {
		buf_free(&body);
		goto out;
	}
	*ret_body = buf_steal(&body);
	r = store_ticket_set_ack(p->store, ticket, "queued", "");
	res->ack_queued = r == 0;
out:
	free(to);
	return r;
}

/* evidence_options.on_event: every event of the report to the aggregator. */
static void scan_event(void *arg, const struct event *e)
{
	scan_add(arg, e, 0);
}

/* The findings as the JSON stored with the ticket (computed before the
 * transaction opens). */
static char *evidence_text(const struct evidence *ev, const struct summary *scans)
{
	json_t *j = evidence_json(ev);
	/* scan/summary: the RSIT class and one line per abusing source */
	if (scans->rsit)
		json_object_set_new(j, "classification", json_string(scans->rsit));
	if (scans->n_results)
		json_object_set_new(j, "scans", json_string(scans->text));
	char *text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	return text;
}

/* The evidence of a report, stored with its ticket (inside the caller's
 * transaction): the findings as JSON and the checklist beside them. */
static int store_evidence(struct pipeline *p, int64_t ticket, int64_t message, const struct evidence *ev,
			  const char *text, int64_t now)
{
	struct store_check checks[CHECK_COUNT_ITEMS];
	for (int i = 0; i < CHECK_COUNT_ITEMS; i++)
		checks[i] = (struct store_check){ checklist_item_name(i), check_state_name(ev->checklist[i].state),
						  ev->checklist[i].reason };
	return store_evidence_add(p->store, ticket, message, evidence_abuse_type(ev), (int64_t)ev->n_events,
				  text ? text : "{}", checks, CHECK_COUNT_ITEMS, now, NULL);
}

/* Forgets a batch claimed ahead; with give_back, it is queued again. */
static void ahead_drop(struct pipeline *p, bool give_back)
{
	for (size_t i = 0; i < p->n_ahead; i++) {
		if (give_back)
			store_inbound_unclaim(p->store, p->ahead[i].id, p->ahead[i].attempts);	/* else its lease runs out */
		message_clear(&p->ahead[i]);
	}
	free(p->ahead);
	p->ahead = NULL;
	p->n_ahead = 0;
}

void pipeline_release(struct pipeline *p)
{
	ahead_drop(p, true);
	p->routing = routing_index_free(p->routing);
}

/* What the report as a whole names, for the parties we notify: the
 * destinations and ports (route.c adds each party's own times, events and
 * scan lines). */
static void summarise(const struct evidence *ev, struct buf *out)
{
	if (ev->n_dests) {
		char a[IP_TEXT_MAX], b[IP_TEXT_MAX];
		ip_format(&ev->dest_min, a);
		ip_format(&ev->dest_max, b);
		if (ev->n_dests == 1)
			buf_printf(out, "  destination:   %s\n", a);
		else
			buf_printf(out, "  destinations:  %zu%s, %s to %s\n", ev->n_dests, ev->dests_dropped ? "+" : "", a, b);
	}
	for (size_t i = 0; i < ev->n_ports && i < 10; i++)
		buf_printf(out, "%s%u/%s%s", i ? ", " : "  ports:         ", (unsigned)ev->ports[i].port,
			   event_proto_name(ev->ports[i].proto), i + 1 == ev->n_ports || i == 9 ? "\n" : "");
}

static int cmp_result_src(const void *a, const void *b)
{
	const struct scan_result *const *x = a, *const *y = b;
	return ip_compare(&(*x)->src, &(*y)->src);
}

#define PIPELINE_DETAIL_LINES_MAX 3	/* aggregator lines (episodes) per source in a notification */

/* The aggregator's lines about each source (one per episode, the first
 * few), found by address in the results sorted once: a report can name
 * thousands of sources. details[i] is heap or NULL. Computed in prepare(),
 * before the write lock is taken. */
static char **source_details(const struct evidence *ev, const struct summary *scans)
{
	char **details = xcalloc(ev->n_sources + 1, sizeof(char *));
	if (!scans->n_results)
		return details;
	const struct scan_result **by_src = xcalloc(scans->n_results, sizeof(*by_src));
	for (size_t i = 0; i < scans->n_results; i++)
		by_src[i] = &scans->results[i];
	qsort(by_src, scans->n_results, sizeof(*by_src), cmp_result_src);
	for (size_t i = 0; i < ev->n_sources; i++) {
		size_t lo = 0, hi = scans->n_results;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (ip_compare(&by_src[mid]->src, &ev->sources[i].addr) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		struct buf b;
		buf_init(&b, TEMPLATE_SIZE_MAX);
		for (size_t k = lo, n = 0; k < scans->n_results && n < PIPELINE_DETAIL_LINES_MAX &&
					   !ip_compare(&by_src[k]->src, &ev->sources[i].addr); k++, n++) {
			buf_append_str(&b, "  ");
			report_append_oneline(&b, by_src[k]);
			buf_append_char(&b, '\n');
		}
		if (b.len)
			details[i] = buf_steal(&b);
		else
			buf_free(&b);
	}
	free(by_src);
	return details;
}

/* Routes a new report (pipeline/route.h), inside the caller's transaction;
 * details[i]: the aggregator's lines about ev->sources[i]. */
static int route(struct pipeline *p, int64_t ticket, const struct mail_parsed *m, const struct evidence *ev,
		 char **details, const char *env_from, const char *ack_body, int64_t now, struct pipeline_result *res)
{
	int r = routing_index_refresh(p->store, &p->routing);
	if (r < 0)
		return r;
	struct route_source *src = xcalloc(ev->n_sources + 1, sizeof(*src));
	for (size_t i = 0; i < ev->n_sources; i++)
		src[i] = (struct route_source){ ev->sources[i].addr, (int64_t)ev->sources[i].events, ev->sources[i].first,
						ev->sources[i].last, details[i] };
	const char **lines = xcalloc(ev->n_lines + 1, sizeof(char *));
	for (size_t i = 0; i < ev->n_lines; i++)
		lines[i] = ev->lines[i].text;
	struct buf summary;
	buf_init(&summary, TEMPLATE_SIZE_MAX);
	summarise(ev, &summary);
	char kind[ROUTE_KIND_MAX];
	route_kind_normalise(evidence_abuse_type(ev), kind);
	char *reporter = lowercase(ack_policy_reply_address(m, env_from));
	struct route_report rep = {
		.ticket = ticket,
		.kind = kind,
		.kind_text = evidence_abuse_type(ev),
		.reporter = reporter,
		.subject = m->subject,
		.sources = src,
		.n_sources = ev->n_sources,
		.summary = buf_str(&summary),
		.lines = lines,
		.n_lines = ev->n_lines,
		.ack_body = ack_body,
		.port = ev->n_ports ? ev->ports[0].port : 0,
	};
	struct route_ctx ctx = { p->store, p->cfg, p->templates, p->routing };
	r = route_report(&ctx, &rep, now, &res->route);
	res->is_routed = r >= 0;
	free(reporter);
	buf_free(&summary);
	free(lines);
	free(src);
	return r;
}

/* What is read from a message before any transaction opens. */
struct prepared {
	struct mail_parsed m;
	struct buf defects;
	struct evidence ev;
	struct summary scans;
	char *evidence_text;	/* the findings as JSON (may be NULL) */
	char **details;		/* routing on: source_details() */
};

/* Parsing and extraction are pure computation: done before the
 * transaction opens, so the store's write lock is not held while a large
 * report is read; the result is stored inside the transaction. */
static void prepare(struct pipeline *p, const struct message *msg, struct prepared *pr)
{
	/* one MIME parse for the ticket's fields and the evidence */
	struct mail_parts parts;
	int parts_r = mail_parse_with_parts(msg->raw, msg->raw_len, &pr->m, &parts);
	buf_init(&pr->defects, 1024);
	defect_names(pr->m.defects, &pr->defects);
	struct received_trust trust;
	if (received_trust_parse(p->cfg->evidence_trusted_relays, &trust) < 0)
		trust.n = 0;	/* checked at configuration load by `abusedesk extract`/serve */
	struct evidence_options eopt = { .default_offset = (int32_t)p->cfg->evidence_default_utc_offset, .trust = &trust,
					 .user_formats = p->user_formats };
	/* The same events feed the scan aggregator: the ticket's RSIT class
	 * and the per-source summary of its evidence (docs/SCANS.md). */
	struct scan_params sp;
	scan_params_from_config(p->cfg, &sp);
	struct scan *sc = scan_new(&sp);
	eopt.on_event = scan_event;
	eopt.on_event_arg = sc;
	evidence_extract_parts(msg->raw, msg->raw_len, parts_r < 0 ? NULL : &parts, &eopt, &pr->ev);
	mail_parts_clear(&parts);
	summary_finish(sc, NULL, &pr->scans);
	scan_free(sc);
	pr->evidence_text = evidence_text(&pr->ev, &pr->scans);
	if (p->cfg->routing_enabled)
		pr->details = source_details(&pr->ev, &pr->scans);
}

static void prepared_clear(struct prepared *pr)
{
	for (size_t i = 0; pr->details && i < pr->ev.n_sources; i++)
		free(pr->details[i]);
	free(pr->details);
	free(pr->evidence_text);
	buf_free(&pr->defects);
	mail_parsed_clear(&pr->m);
	evidence_free(&pr->ev);
	summary_free(&pr->scans);
}

/* Everything after the claim, inside the caller's transaction. */
static int apply(struct pipeline *p, const struct message *msg, struct prepared *pr, int64_t now,
		 struct pipeline_result *res)
{
	const struct mail_parsed *mp = &pr->m;
	int64_t ticket = 0;
	enum thread_how how = THREAD_NONE;
	int r = thread_find(p->store, p->cfg, mp, &ticket, &how);
	if (r == -ENOENT) {
		char *subject = tag_strip_prefixes(mp->subject);
		struct ticket t = {
			.kind = TICKET_REPORT,
			.status = TICKET_NEW,
			.subject = subject,
			.reporter = (char *)ack_policy_reply_address(mp, msg->env_from),
			.classification = (char *)(pr->scans.rsit ? pr->scans.rsit : ""),
			.created_at = now,
		};
		r = store_ticket_create(p->store, &t, &ticket);
		free(subject);
		if (r < 0)
			return r;
		res->is_new_ticket = true;
	} else if (r < 0) {
		return r;
	} else {
		res->threaded_by = how == THREAD_BY_TAG ? "tag" : "reference";
		/* A reporter writing again reopens a resolved ticket, as RTIR
		 * does with correspondence; a rejected one stays rejected. */
		struct ticket t;
		r = store_ticket_get(p->store, ticket, &t);
		if (r < 0)
			return r;
		enum ticket_status st = t.status;
		ticket_clear(&t);
		r = st == TICKET_RESOLVED ? store_ticket_set_status(p->store, ticket, TICKET_OPEN, now)
					  : store_ticket_touch(p->store, ticket, now);
		if (r < 0)
			return r;
	}
	struct message_fields f = {
		.message_id = mp->message_id,
		.subject = mp->subject,
		.from_addr = mp->from_addr,
		.to_addr = mp->to_addr,
		.date_hdr = mp->date_hdr,
		.body_text = mp->body_text,
		.defects = buf_str(&pr->defects),
	};
	r = store_inbound_finish(p->store, msg->id, msg->attempts, ticket, &f, now);
	if (r < 0)
		return r;
	r = store_evidence(p, ticket, msg->id, &pr->ev, pr->evidence_text, now);
	if (r < 0)
		return r;
	if (res->is_new_ticket) {
		char *ack_body = NULL;
		r = acknowledge(p, ticket, mp, &pr->ev, msg->env_from, now, res, &ack_body);
		if (r >= 0 && p->cfg->routing_enabled)
			r = route(p, ticket, mp, &pr->ev, pr->details, msg->env_from, ack_body, now, res);
		free(ack_body);
		if (r < 0)
			return r;
	}
	res->ticket = ticket;
	return 0;
}

/* Undoes what apply() said about a message whose transaction rolled back. */
static void result_reset(struct pipeline_result *res)
{
	res->ticket = 0;
	res->is_new_ticket = false;
	res->ack_queued = false;
	res->withheld = NULL;
	res->threaded_by = NULL;
	res->is_routed = false;
	memset(&res->route, 0, sizeof(res->route));
}

/* One message in a transaction of its own. */
static int process_claimed(struct pipeline *p, const struct message *msg, struct prepared *pr, int64_t now,
			   struct pipeline_result *res)
{
	int r = store_begin(p->store);
	if (r >= 0)
		r = apply(p, msg, pr, now, res);
	if (r >= 0)
		r = store_commit(p->store);
	if (r < 0) {
		/* the store may be down: say so, the message is retried */
		store_rollback(p->store);
		res->error = r == -ESTALE ? xstrdup("its lease ran out and another worker claimed it: nothing kept")
					  : xasprintf("%s (%s)", strerror(-r), store_errmsg(p->store));
		result_reset(res);
	}
	return r;
}

/* Several messages in one transaction: one commit (one fsync) for all,
 * and with is_claim_ahead the next batch (up to max) claimed in it too.
 * All or nothing: if any of them fails, none is kept (nor the claim) and
 * the caller processes them one by one, so only the failing one is
 * retried. */
static int process_together(struct pipeline *p, const struct message *msgs, struct prepared *prs,
			    struct pipeline_result *res, const bool *is_due, size_t n, size_t max, int64_t now)
{
	int r = store_begin(p->store);
	bool has_shared = false;
	for (size_t i = 0; i < n && r >= 0; i++)
		if (is_due[i])
			r = apply(p, &msgs[i], &prs[i], now, &res[i]);
	if (r >= 0 && p->before_commit) {
		has_shared = true;
		r = p->before_commit(p->commit_arg, p->store, now);
	}
	/* after the shared writes: what intake just stored is claimed too */
	if (r >= 0 && p->is_claim_ahead) {
		/* Leased for two turns: it waits while this batch commits, and
		 * now is when this batch began. Another worker retrying it
		 * sooner would make a second ticket of it. */
		p->ahead = xcalloc(max, sizeof(*p->ahead));
		r = store_inbound_claim_in_tx(p->store, now, 2 * p->cfg->process_lease_seconds, max,
					      PIPELINE_BATCH_BYTES_MAX, p->ahead, &p->n_ahead);
		if (r == -ENOENT)
			r = 0;
	}
	if (r >= 0)
		r = store_commit(p->store);
	if (r < 0) {
		store_rollback(p->store);
		ahead_drop(p, false);	/* rolled back: never claimed */
		for (size_t i = 0; i < n; i++)
			result_reset(&res[i]);
	}
	if (has_shared)
		p->after_commit(p->commit_arg, p->store, r);
	return r;
}

/* The message has failed too often: keep it as a ticket for an analyst. */
static int park(struct pipeline *p, const struct message *msg, int64_t now, struct pipeline_result *res)
{
	int r = store_begin(p->store);
	if (r < 0)
		return r;
	struct ticket t = {
		.kind = TICKET_REPORT,
		.status = TICKET_NEW,
		.subject = "(message could not be processed)",
		.reporter = msg->env_from,
		.ack = "withheld",
		.ack_note = "the message could not be processed; an analyst must read it",
		.needs_analyst = true,
		.created_at = now,
	};
	int64_t ticket = 0;
	char *error = xasprintf("processing failed %lld times; last error: %s", (long long)msg->attempts - 1,
				msg->error && *msg->error ? msg->error : "the process died while processing it");
	r = store_ticket_create(p->store, &t, &ticket);
	if (r >= 0)
		r = store_inbound_park(p->store, msg->id, msg->attempts, ticket, error, now);
	if (r >= 0)
		r = store_commit(p->store);
	if (r < 0) {
		store_rollback(p->store);
		free(error);
		return r;
	}
	res->ticket = ticket;
	res->is_new_ticket = true;
	res->is_parked = true;
	res->error = error;
	return 0;
}

int pipeline_process_batch(struct pipeline *p, int64_t now, size_t max, struct pipeline_result *ret, size_t *ret_n)
{
	struct message *msgs;
	size_t n = 0;
	if (p->n_ahead) {
		/* claimed (and committed) with the last batch */
		msgs = p->ahead;
		n = p->n_ahead;
		p->ahead = NULL;
		p->n_ahead = 0;
		for (; n > max; n--) {
			store_inbound_unclaim(p->store, msgs[n - 1].id, msgs[n - 1].attempts);	/* more than the caller has room for */
			message_clear(&msgs[n - 1]);
		}
	} else {
		ahead_drop(p, false);
		msgs = xcalloc(max, sizeof(*msgs));
		int r = store_inbound_claim_batch(p->store, now, p->cfg->process_lease_seconds, max,
						  PIPELINE_BATCH_BYTES_MAX, msgs, &n);
		if (r < 0) {
			free(msgs);
			return r;
		}
	}
	struct prepared *prs = xcalloc(n, sizeof(*prs));
	bool *is_due = xcalloc(n, sizeof(*is_due));
	size_t n_due = 0;
	for (size_t i = 0; i < n; i++) {
		struct pipeline_result *res = &ret[i];
		memset(res, 0, sizeof(*res));
		res->message = msgs[i].id;
		res->size = msgs[i].size;
		res->env_from = xstrdup(msgs[i].env_from);
		if (msgs[i].attempts > p->cfg->process_attempts_max) {
			res->status = park(p, &msgs[i], now, res);
		} else {
			prepare(p, &msgs[i], &prs[i]);
			is_due[i] = true;
			n_due++;
		}
	}
	/* Who is responsible for what, loaded (when an import changed it)
	 * before the write lock is taken; route() checks the version again
	 * inside the transaction. A failure here is met again there. */
	if (n_due && p->cfg->routing_enabled)
		routing_index_refresh(p->store, &p->routing);
	/* One message alone goes the batch's way too when it can claim the
	 * next batch in its commit. */
	if ((n_due > 1 || (n_due == 1 && p->is_claim_ahead)) &&
	    process_together(p, msgs, prs, ret, is_due, n, max, now) >= 0)
		n_due = 0;
	for (size_t i = 0; i < n && n_due; i++) {
		if (!is_due[i])
			continue;
		struct pipeline_result *res = &ret[i];
		res->status = process_claimed(p, &msgs[i], &prs[i], now, res);
		if (res->status < 0) {
			char *err = xstrndup(res->error ? res->error : strerror(-res->status), PIPELINE_ERROR_MAX);
			store_inbound_release(p->store, msgs[i].id, msgs[i].attempts, err,
					      now + RETRY_DELAY_SECONDS * msgs[i].attempts);
			free(err);
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (is_due[i])
			prepared_clear(&prs[i]);
		message_clear(&msgs[i]);
	}
	free(is_due);
	free(prs);
	free(msgs);
	*ret_n = n;
	return 0;
}

int pipeline_process_next(struct pipeline *p, int64_t now, struct pipeline_result *ret)
{
	size_t n = 0;
	int r = pipeline_process_batch(p, now, 1, ret, &n);
	if (r < 0) {
		memset(ret, 0, sizeof(*ret));
		return r;
	}
	return ret->status;
}
