/*
 * lookup: who is responsible for an address or a domain.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli/cli.h"
#include "net/prefix_table.h"
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

static void print_answer(struct cli *c, const char *query, const struct routing_answer *a)
{
	char range[2 * IP_TEXT_MAX + 4] = "";
	if (a->first.family)
		ip_range_format(&a->first, &a->last, range);
	if (c->json) {
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
		}
		if (*range)
			json_object_set_new(j, "range", json_string(range));
		if (a->domain)
			json_object_set_new(j, "domain", json_string(a->domain));
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
		putchar('\n');
		json_decref(j);
		return;
	}
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
		struct routing_answer a;
		struct ip_addr ip;
		if (ip_parse_cstr(c->argv[i], &ip)) {
			r = routing_lookup_ip(s, idx, &ip, &a);
			if (r < 0) {
				code = cli_fail(r, "lookup: %s", store_errmsg(s));
				break;
			}
		} else {
			routing_lookup_domain(idx, c->argv[i], &a);
		}
		print_answer(c, c->argv[i], &a);
		routing_answer_clear(&a);
	}
	routing_index_free(idx);
	store_close(s);
	return code;
}

const struct cli_command cmd_lookup = {
	"lookup", run,
	"Who is responsible for an address or a domain: an organisation inside, an abuse mailbox outside.",
	"lookup IP|DOMAIN... [--json]",
};
