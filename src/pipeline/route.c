#include "pipeline/route.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "constituency/constituency.h"
#include "mail/tag.h"
#include "net/prefix_table.h"
#include "pipeline/outbound.h"
#include "pipeline/xarf.h"
#include "util/buf.h"
#include "util/escape.h"
#include "util/fmt.h"
#include "util/xalloc.h"

#define ROUTE_TEXT_MAX (TEMPLATE_SIZE_MAX * 4)	/* a rendered notification */
#define ROUTE_LINE_SHOWN 300			/* bytes of one evidence line shown */

/* The sources of one report that one party is responsible for. */
struct group {
	char *key;		/* "org:ID" or "net:MAILBOX" */
	char *label;		/* who, in words */
	char *contacts;		/* ", "-separated recipients */
	bool is_inside;
	bool is_auto;		/* every source's policy sends it without approval */
	bool is_xarf;		/* some source's policy asks for X-ARF: one message a source */
	struct route_source *src;
	char (*text)[IP_TEXT_MAX];
	size_t n, cap, tcap;
};

void route_kind_normalise(const char *kind, char out[ROUTE_KIND_MAX])
{
	size_t n = 0;
	bool dash = false;
	for (const char *p = kind ? kind : ""; *p && n + 1 < ROUTE_KIND_MAX; p++) {
		int c = char_lower((unsigned char)*p);
		if (char_is_alnum(c) || c == '/' || c == '_') {
			if (dash && n)
				out[n++] = '-';
			if (n + 1 < ROUTE_KIND_MAX)
				out[n++] = (char)c;
			dash = false;
		} else {
			dash = true;
		}
	}
	out[n] = '\0';
	if (!n || !strcmp(out, "unknown"))
		snprintf(out, ROUTE_KIND_MAX, "unclassified");
}

/* Next item of a ", "-separated list. */
static bool list_next(struct str *l, struct str *ret)
{
	while (l->len) {
		struct str x;
		str_split(l, ',', &x);
		x = str_trim(x);
		if (x.len) {
			*ret = x;
			return true;
		}
	}
	return false;
}

static const char *kind_text(const struct route_report *rep)
{
	return rep->kind_text && *rep->kind_text && strcmp(rep->kind_text, "unknown") ? rep->kind_text : rep->kind;
}

static struct group *group_for(struct group **gs, size_t *n, size_t *cap, const char *key)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*gs)[i].key, key))
			return &(*gs)[i];
	*gs = xgrow(*gs, cap, *n + 1, sizeof(**gs));
	struct group *g = &(*gs)[(*n)++];
	memset(g, 0, sizeof(*g));
	g->key = xstrdup(key);
	return g;
}

static void groups_free(struct group *gs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(gs[i].key);
		free(gs[i].label);
		free(gs[i].contacts);
		free(gs[i].src);
		free(gs[i].text);
	}
	free(gs);
}

static void group_add(struct group *g, const struct route_source *s)
{
	g->src = xgrow(g->src, &g->cap, g->n + 1, sizeof(*g->src));
	g->text = xgrow(g->text, &g->tcap, g->n + 1, sizeof(*g->text));
	g->src[g->n] = *s;
	ip_format(&s->addr, g->text[g->n]);
	g->n++;
}

static int render(const struct route_ctx *ctx, enum template_id id, const struct template_var *vars, size_t n,
		  struct buf *out)
{
	char *missing = NULL;
	int r = template_render(ctx->templates->text[id], vars, n, out, &missing);
	free(missing);
	return r;
}

static int queue(const struct route_ctx *ctx, const struct outbound_request *req, int64_t now)
{
	return outbound_queue(ctx->store, ctx->cfg, req, now, NULL);
}

static int queue_text(const struct route_ctx *ctx, int64_t ticket, enum outbox_purpose purpose, const char *to,
		      const char *subject, const char *body, int64_t now)
{
	struct outbound_request req = {
		.ticket = ticket,
		.purpose = purpose,
		.state = OUTBOX_QUEUED,
		.to = to,
		.subject = subject,
		.body = body,
		.auto_replied = true,
	};
	return queue(ctx, &req, now);
}

/* The evidence lines that name one of the sources picked from the group:
 * a party is shown its own sources only, never another's. indent is put
 * before each line ("  " in the text, "" in an X-ARF evidence part). */
static void sample_for(const struct route_report *rep, const struct group *g, const bool *pick, const char *indent,
		       struct buf *out)
{
	size_t shown = 0;
	for (size_t i = 0; i < rep->n_lines && shown < ROUTE_SAMPLE_LINES_MAX; i++) {
		const char *line = rep->lines[i];
		bool names = false;
		for (size_t k = 0; k < g->n && !names; k++)
			names = pick[k] && strstr(line, g->text[k]) != NULL;
		if (!names)
			continue;
		buf_append_str(out, indent);
		size_t len = strlen(line);
		escape_append_text(out, str_make(line, len < ROUTE_LINE_SHOWN ? len : ROUTE_LINE_SHOWN));
		buf_append_char(out, '\n');
		shown++;
	}
}

/* What was reported, for one party: its own sources' times and events
 * and the aggregator's line about each of them. Another party's sources
 * are neither counted nor shown. */
static void summary_for(const struct route_report *rep, const struct group *g, const bool *pick, struct buf *out)
{
	int64_t first = 0, last = 0, events = 0;
	for (size_t i = 0; i < g->n; i++) {
		if (!pick[i])
			continue;
		const struct route_source *s = &g->src[i];
		if (s->first > 0 && (!first || s->first < first))
			first = s->first;
		if (s->last > last)
			last = s->last;
		events += s->events;
	}
	buf_printf(out, "  kind of abuse: %s\n", kind_text(rep));
	if (first) {
		buf_append_str(out, "  time (UTC):    ");
		buf_append_utc(out, first);
		buf_append_str(out, " to ");
		buf_append_utc(out, last > first ? last : first);
		buf_append_char(out, '\n');
	}
	if (events > 0)
		buf_printf(out, "  events:        %lld\n", (long long)events);
	/* The aggregator's lines carry each source's own destinations and
	 * ports; the report's, which may be another party's targets too, only
	 * stand in when there are none (spam, a report without logs). */
	size_t details = 0;
	for (size_t i = 0; i < g->n; i++)
		if (pick[i] && g->src[i].detail && *g->src[i].detail) {
			buf_append_str(out, g->src[i].detail);
			details++;
		}
	if (!details && rep->summary)
		buf_append_str(out, rep->summary);
}

static int open_incident(const struct route_ctx *ctx, const struct route_report *rep, const struct group *g,
			 int64_t now, int64_t *ret, bool *ret_opened)
{
	*ret_opened = false;
	int r = store_incident_find(ctx->store, g->key, rep->kind, ret);
	if (r != -ENOENT)
		return r;
	struct str first = { 0 };
	struct str l = str_from(g->contacts);
	list_next(&l, &first);
	char *reply_to = str_dup(first);
	char *subject = xasprintf("%s from %s", kind_text(rep), g->label);
	struct ticket t = {
		.kind = TICKET_INCIDENT,
		.status = TICKET_NEW,
		.subject = subject,
		.reporter = reply_to,
		.classification = (char *)rep->kind,
		.org = g->key,
		.created_at = now,
	};
	r = store_ticket_create(ctx->store, &t, ret);
	free(subject);
	free(reply_to);
	if (r >= 0) {
		*ret_opened = true;
		r = store_audit_add(ctx->store, *ret, "routing", "incident-open", g->key, now);
	}
	return r;
}

/* The X-ARF report about source i of the group (pipeline/xarf.h). */
static int xarf_for(const struct route_ctx *ctx, const struct route_report *rep, const struct group *g, size_t i,
		    int64_t incident, bool has_evidence, int64_t now, struct buf *out)
{
	char *id = xasprintf("%lld.%lld.%zu@%s", (long long)incident, (long long)rep->ticket, i, outbound_host(ctx->cfg));
	struct xarf_report x = {
		.reported_from = ctx->cfg->address,
		.report_id = id,
		.kind = rep->kind,
		.source = &g->src[i].addr,
		.date = g->src[i].first > 0 ? g->src[i].first : now,
		.occurrences = g->src[i].events,
		.port = rep->port,
		.has_evidence = has_evidence,
	};
	int r = xarf_report_format(&x, out);
	free(id);
	return r;
}

/* One notification to each of the group's contacts about the sources
 * picked (pick[i]): the text from notify.txt and, for X-ARF, the report
 * and the evidence lines as parts of their own. */
static int notify_one(const struct route_ctx *ctx, const struct route_report *rep, const struct group *g,
		      int64_t incident, const bool *pick, int64_t now, struct route_outcome *out)
{
	struct buf sources, sample, summary, body, xarf, evidence;
	buf_init(&sources, ROUTE_TEXT_MAX);
	buf_init(&summary, ROUTE_TEXT_MAX);
	buf_init(&sample, ROUTE_TEXT_MAX);
	buf_init(&body, ROUTE_TEXT_MAX);
	buf_init(&xarf, ROUTE_TEXT_MAX);
	buf_init(&evidence, ROUTE_TEXT_MAX);
	size_t n_pick = 0, first = 0;
	for (size_t i = 0; i < g->n; i++) {
		if (!pick[i])
			continue;
		if (!n_pick++)
			first = i;
		if (g->src[i].events > 0)
			buf_printf(&sources, "  %-40s %lld event(s) in this report\n", g->text[i], (long long)g->src[i].events);
		else
			buf_printf(&sources, "  %s\n", g->text[i]);
	}
	sample_for(rep, g, pick, "  ", &sample);
	summary_for(rep, g, pick, &summary);
	int64_t reports = 0, events = 0;
	int r = store_incident_counts(ctx->store, incident, &reports, &events);
	if (r >= 0 && g->is_xarf) {
		sample_for(rep, g, pick, "", &evidence);
		r = xarf_for(ctx, rep, g, first, incident, evidence.len > 0, now, &xarf);
	}
	char *tag = tag_format(ctx->cfg->tag, incident);
	char *number = xasprintf("%lld", (long long)incident);
	char *n_reports = xasprintf("%lld", (long long)reports);
	char *n_events = xasprintf("%lld", (long long)events);
	char *subject = n_pick > 1 ? xasprintf("%s from %s and %zu more", kind_text(rep), g->text[first], n_pick - 1)
				   : xasprintf("%s from %s", kind_text(rep), g->text[first]);
	enum outbox_state state = g->is_auto ? OUTBOX_QUEUED : OUTBOX_HELD;
	struct str l = str_from(g->contacts), rcpt;
	while (r >= 0 && list_next(&l, &rcpt)) {
		char *to = str_dup(rcpt);
		struct template_var vars[] = {
			{ "team", ctx->cfg->team }, { "tag", tag }, { "number", number }, { "address", ctx->cfg->address },
			{ "recipient", to }, { "kind", kind_text(rep) }, { "sources", buf_str(&sources) },
			{ "reports", n_reports }, { "events", n_events },
			{ "summary", buf_str(&summary) },
			{ "sample", buf_str(&sample) }, { "inside", g->is_inside ? "yes" : "" },
		};
		buf_reset(&body);
		r = render(ctx, TEMPLATE_NOTIFY, vars, sizeof(vars) / sizeof(vars[0]), &body);
		struct outbound_request req = {
			.ticket = incident,
			.purpose = OUTBOX_NOTIFY,
			.state = state,
			.to = to,
			.subject = subject,
			.body = buf_str(&body),
			.xarf_report = g->is_xarf ? buf_str(&xarf) : NULL,
			.xarf_evidence = g->is_xarf && evidence.len ? buf_str(&evidence) : NULL,
		};
		if (r >= 0)
			r = queue(ctx, &req, now);
		if (r >= 0) {
			char *detail = xasprintf("to %s about %zu source(s) of report %lld%s", to, n_pick,
						 (long long)rep->ticket, g->is_xarf ? " (X-ARF)" : "");
			r = store_audit_add(ctx->store, incident, "routing",
					    state == OUTBOX_HELD ? "notification-held" : "notification-queued", detail, now);
			free(detail);
			if (state == OUTBOX_HELD)
				out->notifications_held++;
			else
				out->notifications_queued++;
		}
		free(to);
	}
	for (size_t i = 0; r >= 0 && i < g->n; i++)
		if (pick[i])
			r = store_incident_mark_notified(ctx->store, incident, rep->ticket, g->text[i], now);
	free(subject);
	free(n_events);
	free(n_reports);
	free(number);
	free(tag);
	buf_free(&sources);
	buf_free(&summary);
	buf_free(&sample);
	buf_free(&body);
	buf_free(&xarf);
	buf_free(&evidence);
	return r;
}

/* The fresh sources in one message, or, for X-ARF (one source a report),
 * one message each. */
static int notify(const struct route_ctx *ctx, const struct route_report *rep, const struct group *g, int64_t incident,
		  const bool *fresh, int64_t now, struct route_outcome *out)
{
	if (!g->is_xarf)
		return notify_one(ctx, rep, g, incident, fresh, now, out);
	bool *pick = xcalloc(g->n, sizeof(bool));
	int r = 0;
	for (size_t i = 0; r >= 0 && i < g->n; i++) {
		if (!fresh[i])
			continue;
		memset(pick, 0, g->n * sizeof(bool));
		pick[i] = true;
		r = notify_one(ctx, rep, g, incident, pick, now, out);
	}
	free(pick);
	return r;
}

static int route_group(const struct route_ctx *ctx, const struct route_report *rep, const struct group *g, int64_t now,
		       struct route_outcome *out)
{
	int64_t incident;
	bool opened;
	int r = open_incident(ctx, rep, g, now, &incident, &opened);
	if (r < 0)
		return r;
	out->incidents_opened += opened;
	if (!opened && (r = store_ticket_touch(ctx->store, incident, now)) < 0)
		return r;
	bool *fresh = xcalloc(g->n, sizeof(bool));
	size_t n_fresh = 0;
	int64_t since = now - ctx->cfg->routing_renotify_seconds;
	for (size_t i = 0; r >= 0 && i < g->n; i++) {
		bool was = false;
		r = store_incident_notified_since(ctx->store, incident, g->text[i], since, &was);
		if (r >= 0)
			r = store_incident_link(ctx->store, incident, rep->ticket, g->text[i], g->src[i].events, now);
		fresh[i] = !was;
		n_fresh += !was;
		out->linked_without_notice += was;
	}
	if (r >= 0 && n_fresh)
		r = notify(ctx, rep, g, incident, fresh, now, out);
	free(fresh);
	return r;
}

static int copy_ack(const struct route_ctx *ctx, const struct route_report *rep, const struct org *org, int64_t now,
		    struct route_outcome *out)
{
	char *tag = tag_format(ctx->cfg->tag, rep->ticket);
	char *number = xasprintf("%lld", (long long)rep->ticket);
	struct buf body;
	buf_init(&body, ROUTE_TEXT_MAX);
	struct template_var vars[] = {
		{ "team", ctx->cfg->team }, { "tag", tag }, { "number", number }, { "address", ctx->cfg->address },
		{ "reporter", rep->reporter }, { "org", org->name }, { "subject", rep->subject ? rep->subject : "" },
		{ "ack", rep->ack_body },
	};
	int r = render(ctx, TEMPLATE_COPY, vars, sizeof(vars) / sizeof(vars[0]), &body);
	struct str l = str_from(org->security), rcpt;
	while (r >= 0 && list_next(&l, &rcpt)) {
		if (str_eq_cstr_nocase(rcpt, rep->reporter))
			continue;	/* the reporter is the security contact: has it already */
		char *to = str_dup(rcpt);
		r = queue_text(ctx, rep->ticket, OUTBOX_COPY, to, rep->subject, buf_str(&body), now);
		free(to);
		out->copies += r >= 0;
	}
	buf_free(&body);
	free(number);
	free(tag);
	return r;
}

static int misdirected(const struct route_ctx *ctx, const struct route_report *rep, const struct org *org,
		       int64_t now)
{
	char *tag = tag_format(ctx->cfg->tag, rep->ticket);
	char *number = xasprintf("%lld", (long long)rep->ticket);
	struct buf body;
	buf_init(&body, ROUTE_TEXT_MAX);
	struct template_var vars[] = {
		{ "team", ctx->cfg->team }, { "tag", tag }, { "number", number }, { "address", ctx->cfg->address },
		{ "reporter", rep->reporter }, { "org", org->name },
		{ "support", *org->support ? org->support : "your organisation's IT support" },
		{ "subject", rep->subject ? rep->subject : "" }, { "kind", kind_text(rep) },
	};
	int r = render(ctx, TEMPLATE_MISDIRECTED, vars, sizeof(vars) / sizeof(vars[0]), &body);
	if (r >= 0)
		r = queue_text(ctx, rep->ticket, OUTBOX_REPLY, rep->reporter, rep->subject, buf_str(&body), now);
	if (r >= 0)
		r = store_audit_add(ctx->store, rep->ticket, "routing", "misdirected-reply", org->id, now);
	buf_free(&body);
	free(number);
	free(tag);
	return r;
}

int route_report(const struct route_ctx *ctx, const struct route_report *rep, int64_t now, struct route_outcome *ret)
{
	struct route_outcome out = { 0 };
	struct group *gs = NULL;
	size_t n_groups = 0, cap = 0;
	int r = 0;

	for (size_t i = 0; r >= 0 && i < rep->n_sources; i++) {
		const struct route_source *s = &rep->sources[i];
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++)
			seen = ip_equal(&rep->sources[k].addr, &s->addr);
		if (seen)
			continue;
		if (out.inside + out.outside + out.unknown >= ROUTE_SOURCES_MAX) {
			out.over_limit++;
			continue;
		}
		struct routing_answer a;
		r = routing_lookup_ip(ctx->store, ctx->index, &s->addr, &a);
		if (r < 0)
			break;
		if (a.where == ROUTING_INSIDE) {
			char *key = xasprintf("org:%s", a.org->id);
			struct group *g = group_for(&gs, &n_groups, &cap, key);
			free(key);
			if (!g->label) {
				g->label = xstrdup(a.org->name);
				g->contacts = xstrdup(a.org->security);
				g->is_inside = true;
				g->is_auto = constituency_is_auto(a.org, rep->kind);
			}
			group_add(g, s);
			out.inside++;
		} else if (a.where == ROUTING_OUTSIDE) {
			char *key = xasprintf("net:%s", a.contact.mailbox);
			struct group *g = group_for(&gs, &n_groups, &cap, key);
			free(key);
			bool is_auto = routing_policy_is_auto(a.policy, rep->kind, ctx->cfg->routing_notify_external_auto);
			bool is_xarf = routing_policy_is_xarf(a.policy, ctx->cfg->routing_xarf);
			if (!g->label) {
				char range[2 * IP_TEXT_MAX + 4];
				ip_range_format(&a.first, &a.last, range);
				g->label = *a.contact.netname ? xasprintf("%s (%s)", a.contact.netname, range) : xstrdup(range);
				g->contacts = xstrdup(a.contact.mailbox);
				g->is_auto = is_auto;
			}
			/* Sources of one destination under different policies:
			 * held wins over automatic, X-ARF over plain text. */
			g->is_auto = g->is_auto && is_auto;
			g->is_xarf = g->is_xarf || is_xarf;
			group_add(g, s);
			out.outside++;
		} else {
			out.unknown++;
		}
		routing_answer_clear(&a);
	}

	struct routing_answer own = { 0 };
	if (r >= 0 && rep->reporter && *rep->reporter)
		routing_lookup_domain(ctx->index, rep->reporter, &own);
	/* Only when the reporter was acknowledged: a reply to automatic mail
	 * could start a loop (RFC 3834 2), and then the analyst decides. */
	out.is_misdirected = own.where == ROUTING_INSIDE && out.inside == 0 && out.outside + out.unknown > 0 &&
			     rep->ack_body && routing_list_has(ctx->cfg->routing_misdirected_kinds, rep->kind);
	if (r >= 0 && out.is_misdirected)
		r = misdirected(ctx, rep, own.org, now);
	for (size_t i = 0; r >= 0 && !out.is_misdirected && i < n_groups; i++)
		r = route_group(ctx, rep, &gs[i], now, &out);
	if (r >= 0 && own.where == ROUTING_INSIDE && ctx->cfg->routing_copy_ack && rep->ack_body)
		r = copy_ack(ctx, rep, own.org, now, &out);
	routing_answer_clear(&own);
	groups_free(gs, n_groups);
	if (r >= 0 && ret)
		*ret = out;
	return r;
}
