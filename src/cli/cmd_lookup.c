/*
 * lookup: who is responsible for an address or a domain.
 *
 * A name that is not under one of the constituency's domains is resolved
 * (A and AAAA, net/resolve) and each of its addresses looked up; those
 * answers are marked as resolved from the DNS, since the DNS, not our
 * data, tied them to the name. Mail addresses are not resolved (their
 * domain's A record says nothing about who sent the mail).
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli/cli.h"
#include "net/prefix_table.h"
#include "net/resolve.h"
#include "routing/index.h"
#include "util/escape.h"

static json_t *list_json(const char *list)
{
	json_t *a = json_array();
	struct str l = str_from(list ? list : ""), x;
	for (bool more = true; more;) {
		more = str_split(&l, ',', &x);
		x = str_trim(x);
		if (x.len)
			json_array_append_new(a, json_stringn(x.p, x.len));
	}
	return a;
}

static json_t *policy_json(const struct net_policy *p)
{
	json_t *j = json_pack("{s:s}", "from", p->origin);
	if (p->xarf >= 0)
		json_object_set_new(j, "xarf", json_boolean(p->xarf == 1));
	if (p->has_auto)
		json_object_set_new(j, "notify_auto", list_json(p->notify_auto));
	return j;
}

static json_t *answer_json(const char *query, const struct routing_answer *a)
{
	char range[2 * IP_TEXT_MAX + 4] = "";
	if (a->first.family)
		ip_range_format(&a->first, &a->last, range);
	json_t *j = json_pack("{s:s, s:s}", "query", query, "where", routing_where_name(a->where));
	if (a->where == ROUTING_INSIDE) {
		const struct org *o = a->org;
		json_object_set_new(j, "org", json_pack("{s:s, s:s, s:o, s:o, s:o, s:o}", "id", o->id, "name", o->name,
							 "security", list_json(o->security), "support",
							 list_json(o->support), "domains", list_json(o->domains),
							 "asns", list_json(o->asns)));
	} else if (a->where == ROUTING_OUTSIDE) {
		json_object_set_new(j, "abuse_mailbox", json_string(a->contact.mailbox));
		json_object_set_new(j, "netname", json_string(a->contact.netname));
		json_object_set_new(j, "source", json_string(a->contact.is_override ? "override" : "rir"));
		json_object_set_new(j, "object", json_string(a->contact.origin));
		if (a->policy)
			json_object_set_new(j, "policy", policy_json(a->policy));
	}
	if (*range)
		json_object_set_new(j, "range", json_string(range));
	if (a->domain)
		json_object_set_new(j, "domain", json_string(a->domain));
	return j;
}

static void print_json(json_t *j)
{
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	putchar('\n');
	json_decref(j);
}

static void print_answer(const char *query, const struct routing_answer *a)
{
	char range[2 * IP_TEXT_MAX + 4] = "";
	if (a->first.family)
		ip_range_format(&a->first, &a->last, range);
	char *q = escape_dup(str_from(query), ESCAPE_QUOTE_MAX);
	switch (a->where) {
	case ROUTING_INSIDE:
		printf("%s: inside the constituency\n  organisation  %s (%s)\n", q, a->org->name, a->org->id);
		if (*range)
			printf("  prefix        %s\n", range);
		if (a->domain)
			printf("  domain        %s\n", a->domain);
		printf("  security      %s\n  support       %s\n", a->org->security, *a->org->support ? a->org->support : "-");
		break;
	case ROUTING_OUTSIDE: {
		char *mb = escape_dup(str_from(a->contact.mailbox), ESCAPE_QUOTE_MAX);
		char *nn = escape_dup(str_from(a->contact.netname), ESCAPE_QUOTE_MAX);
		char *origin = escape_dup(str_from(a->contact.origin), ESCAPE_QUOTE_MAX);
		printf("%s: outside the constituency\n  abuse mailbox %s\n  range         %s%s%s%s\n  from          %s\n", q, mb,
		       range, *nn ? " (" : "", nn, *nn ? ")" : "", origin);
		if (a->policy) {
			const struct net_policy *p = a->policy;
			char *po = escape_dup(str_from(p->origin), ESCAPE_QUOTE_MAX);
			char *kinds = escape_dup(str_from(p->notify_auto), ESCAPE_QUOTE_MAX);
			printf("  policy        %s%s%s (%s)\n", p->xarf < 0 ? "" : p->xarf ? "X-ARF; " : "plain text; ",
			       !p->has_auto ? "approval as configured" : *kinds ? "sent without approval: " : "held for approval",
			       p->has_auto ? kinds : "", po);
			free(po);
			free(kinds);
		}
		free(mb);
		free(nn);
		free(origin);
		break;
	}
	default:
		printf("%s: unknown (not in the constituency, no abuse contact known)\n", q);
	}
	free(q);
}

/* A name outside the constituency's domains: its addresses from the DNS,
 * each looked up. -ENOENT/-EAGAIN (said here) when it has none. */
static int lookup_dns(struct cli *c, struct store *s, const struct routing_index *idx, const char *name)
{
	struct ip_addr addrs[RESOLVE_ADDRS_MAX];
	size_t n = 0;
	int r = resolve_host(name, addrs, &n);
	if (r < 0) {
		char *q = escape_dup(str_from(name), ESCAPE_QUOTE_MAX);
		const char *why = r == -EAGAIN ? "the DNS did not answer (try again later)"
				  : r == -EINVAL ? "not an address, a mail address or a host name"
						 : "not in the constituency's domains, and it does not resolve in the DNS";
		fprintf(stderr, "lookup: %s: %s\n", q, why);
		free(q);
		if (c->json)
			print_json(json_pack("{s:s, s:s, s:s}", "query", name, "where", "unknown", "error", why));
		return r == -EINVAL ? -EINVAL : r == -EAGAIN ? -EAGAIN : -ENOENT;
	}
	json_t *list = c->json ? json_array() : NULL;
	char *q = escape_dup(str_from(name), ESCAPE_QUOTE_MAX);
	for (size_t i = 0; i < n; i++) {
		char text[IP_TEXT_MAX];
		ip_format(&addrs[i], text);
		struct routing_answer a;
		r = routing_lookup_ip(s, idx, &addrs[i], &a);
		if (r < 0) {
			cli_fail(r, "lookup: %s", store_errmsg(s));
			r = -EIO;
			break;
		}
		if (list) {
			json_array_append_new(list, answer_json(text, &a));
		} else {
			printf("%s resolved from DNS to %s (not in the constituency's domains):\n", q, text);
			print_answer(text, &a);
		}
		routing_answer_clear(&a);
	}
	free(q);
	if (list)
		print_json(json_pack("{s:s, s:s, s:o}", "query", name, "resolved_from", "dns", "addresses", list));
	return r < 0 ? r : 0;
}

static int run(struct cli *c)
{
	if (c->argc < 2)
		return cli_fail(-EINVAL, "lookup: usage: %s", cmd_lookup.usage);
	struct store *s;
	int r = cli_open_store(c, &s);
	if (r < 0)
		return cli_exit_code(r);
	struct routing_index *idx = NULL;
	r = routing_index_load(s, &idx);
	if (r < 0) {
		int code = cli_fail(r, "lookup: cannot load the routing data: %s", store_errmsg(s));
		store_close(s);
		return code;
	}
	int code = EX_OK;
	for (int i = 1; i < c->argc; i++) {
		const char *q = c->argv[i];
		struct routing_answer a;
		struct ip_addr ip;
		if (ip_parse_cstr(q, &ip)) {
			r = routing_lookup_ip(s, idx, &ip, &a);
			if (r < 0) {
				code = cli_fail(r, "lookup: %s", store_errmsg(s));
				break;
			}
		} else {
			routing_lookup_domain(idx, q, &a);
			if (a.where == ROUTING_UNKNOWN && !strchr(q, '@')) {
				routing_answer_clear(&a);
				r = lookup_dns(c, s, idx, q);
				if (r < 0 && code == EX_OK)
					code = cli_exit_code(r);
				if (r == -EIO)
					break;
				continue;
			}
		}
		if (c->json)
			print_json(answer_json(q, &a));
		else
			print_answer(q, &a);
		routing_answer_clear(&a);
	}
	routing_index_free(idx);
	store_close(s);
	return code;
}

const struct cli_command cmd_lookup = {
	"lookup", run,
	"Who is responsible for an address or a domain: an organisation inside, an abuse mailbox outside.",
	"lookup IP|NAME|MAIL... [--json]",
};
