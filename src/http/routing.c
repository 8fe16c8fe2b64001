/*
 * routing: the routing decision shown on a ticket, per source: inside
 * which organisation (and its security contact) or outside which network
 * (and its abuse contact), the range that matched, and the incident the
 * source was linked to. It is worked out again from the routing data of
 * the moment (routing/index.h, the same lookup the pipeline made), so an
 * analyst sees where a source would go now; the incident column says
 * where it went.
 */
#include <stdlib.h>
#include <string.h>

#include "http/handlers.h"
#include "net/ip.h"
#include "routing/index.h"
#include "util/xalloc.h"

#define HTTP_ROUTING_SOURCES_MAX 100	/* sources shown; the evidence lists the busiest first */

/* "192.0.2.0/24" when the range is a prefix, else "first - last". */
static char *range_text(const struct ip_addr *first, const struct ip_addr *last)
{
	char a[IP_TEXT_MAX], b[IP_TEXT_MAX];
	ip_format(first, a);
	ip_format(last, b);
	unsigned bits = ip_bits(first);
	for (unsigned len = 0; len <= bits; len++) {
		struct ip_prefix p = { .addr = *first, .len = (uint8_t)len };
		bool ok = true;
		/* first has no host bits and last has them all set */
		for (unsigned i = len; i < bits && ok; i++) {
			unsigned byte = i / 8, bit = 7 - i % 8;
			ok = !((first->bytes[byte] >> bit) & 1) && ((last->bytes[byte] >> bit) & 1);
		}
		for (unsigned i = 0; i < len && ok; i++) {
			unsigned byte = i / 8, bit = 7 - i % 8;
			ok = ((first->bytes[byte] >> bit) & 1) == ((last->bytes[byte] >> bit) & 1);
		}
		if (ok) {
			char out[IP_TEXT_MAX + 4];
			ip_prefix_format(&p, out);
			return xstrdup(out);
		}
	}
	return xasprintf("%s - %s", a, b);
}

static bool has_source(json_t *list, const char *src)
{
	size_t i;
	json_t *v;
	json_array_foreach (list, i, v)
		if (!strcmp(json_string_value(v), src))
			return true;
	return false;
}

/* The ticket's sources: the evidence's (busiest first), then any linked. */
static json_t *sources_of(json_t *evidence, const struct incident_link *l, size_t n)
{
	json_t *list = json_array();
	size_t i;
	json_t *v;
	json_array_foreach (json_object_get(evidence, "sources"), i, v) {
		const char *ip = json_string_value(json_object_get(v, "ip"));
		if (ip && json_array_size(list) < HTTP_ROUTING_SOURCES_MAX && !has_source(list, ip))
			json_array_append_new(list, json_string(ip));
	}
	for (i = 0; i < n; i++)
		if (*l[i].source && json_array_size(list) < HTTP_ROUTING_SOURCES_MAX && !has_source(list, l[i].source))
			json_array_append_new(list, json_string(l[i].source));
	return list;
}

static json_t *decision(const struct config *cfg, const struct routing_answer *a)
{
	json_t *j = json_pack("{s:s}", "where", routing_where_name(a->where));
	if (a->where == ROUTING_UNKNOWN)
		return j;
	char *range = range_text(&a->first, &a->last);
	json_object_set_new(j, "prefix", json_string(range));
	free(range);
	if (a->where == ROUTING_INSIDE && a->org) {
		json_object_set_new(j, "org", json_pack("{s:s, s:s}", "id", a->org->id, "name", a->org->name));
		json_object_set_new(j, "contact", json_string(a->org->security));
	} else if (a->where == ROUTING_OUTSIDE) {
		json_object_set_new(j, "network", json_pack("{s:s, s:s, s:b}", "netname", a->contact.netname ? a->contact.netname : "",
							    "origin", a->contact.origin ? a->contact.origin : "",
							    "is_override", a->contact.is_override));
		json_object_set_new(j, "contact", json_string(a->contact.mailbox ? a->contact.mailbox : ""));
		/* How notifications to it are written: the destination's policy
		 * (contacts overrides) or the configured default. */
		json_object_set_new(j, "xarf", json_boolean(routing_policy_is_xarf(a->policy, cfg->routing_xarf)));
		if (a->policy)
			json_object_set_new(j, "policy", json_pack("{s:s, s:s}", "origin", a->policy->origin ? a->policy->origin : "",
								   "notify_auto", a->policy->notify_auto ? a->policy->notify_auto : ""));
	}
	return j;
}

json_t *http_routing_section(struct http_req *req, const struct ticket *t, json_t *evidence,
			     const struct incident_link *links, size_t n_links)
{
	json_t *sources = sources_of(evidence, links, n_links);
	json_t *rows = json_array();
	struct http_ctx *ctx = req->ctx;
	/* Nothing to look up: the index (and its version query under the
	 * lock every request thread shares) is not touched. */
	int r = 0;
	bool has_sources = json_array_size(sources) > 0;
	if (has_sources) {
		pthread_mutex_lock(&ctx->routing_lock);
		r = routing_index_refresh(req->store, &ctx->routing);
	}
	size_t i;
	json_t *v;
	json_array_foreach (sources, i, v) {
		const char *src = json_string_value(v);
		struct ip_addr a;
		json_t *row;
		if (r < 0 || !ip_parse_cstr(src, &a)) {
			row = json_pack("{s:s}", "where", "unknown");
		} else {
			struct routing_answer ans = { 0 };
			if (routing_lookup_ip(req->store, ctx->routing, &a, &ans) < 0)
				ans.where = ROUTING_UNKNOWN;
			row = decision(ctx->cfg, &ans);
			routing_answer_clear(&ans);
		}
		json_object_set_new(row, "source", json_string(src));
		json_t *inc = json_array();
		for (size_t k = 0; k < n_links; k++)
			if (!strcmp(links[k].source, src))
				json_array_append_new(inc, json_integer(t->kind == TICKET_INCIDENT ? links[k].report
												     : links[k].incident));
		json_object_set_new(row, t->kind == TICKET_INCIDENT ? "reports" : "incidents", inc);
		json_array_append_new(rows, row);
	}
	if (has_sources)
		pthread_mutex_unlock(&ctx->routing_lock);
	json_decref(sources);
	json_t *j = json_pack("{s:o}", "sources", rows);
	if (r < 0)
		json_object_set_new(j, "error", json_string("the routing data could not be read"));
	/* An incident names its responsible party: "org:ID" or "net:MAILBOX". */
	if (t->kind == TICKET_INCIDENT)
		json_object_set_new(j, "party", json_string(t->org));
	return j;
}
