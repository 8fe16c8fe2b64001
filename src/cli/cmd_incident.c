/*
 * incident: what the desk has gathered per responsible party and kind of
 * abuse: the reports linked to each incident, their sources and events,
 * and which link sent a notification.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli/cli.h"
#include "util/escape.h"

static int cmd_list(struct cli *c, struct store *s)
{
	struct ticket_filter f = { .kind = "incident", .status = c->argc > 2 && !strcmp(c->argv[2], "--all") ? NULL : "active" };
	struct ticket *t;
	size_t n;
	int r = store_ticket_list(s, &f, &t, &n);
	if (r < 0)
		return cli_fail(r, "incident list: %s", store_errmsg(s));
	json_t *arr = c->json ? json_array() : NULL;
	if (!c->json)
		printf("%-9s %-8s %7s %7s  %-34s %s\n", "INCIDENT", "STATUS", "REPORTS", "EVENTS", "RESPONSIBLE", "KIND");
	for (size_t i = 0; r >= 0 && i < n; i++) {
		int64_t reports = 0, events = 0;
		r = store_incident_counts(s, t[i].number, &reports, &events);
		if (r < 0)
			break;
		if (c->json) {
			json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:I}", "number",
							     (json_int_t)t[i].number, "status", ticket_status_name(t[i].status),
							     "responsible", t[i].org, "kind", t[i].classification, "contact",
							     t[i].reporter, "reports", (json_int_t)reports, "events",
							     (json_int_t)events));
		} else {
			char *who = escape_dup(str_from(t[i].org), 34);
			printf("%-9lld %-8s %7lld %7lld  %-34s %s\n", (long long)t[i].number, ticket_status_name(t[i].status),
			       (long long)reports, (long long)events, who, t[i].classification);
			free(who);
		}
	}
	ticket_array_free(t, n);
	if (r < 0) {
		json_decref(arr);
		return cli_fail(r, "incident list: %s", store_errmsg(s));
	}
	if (c->json) {
		json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
		putchar('\n');
		json_decref(arr);
	}
	return EX_OK;
}

static int cmd_show(struct cli *c, struct store *s)
{
	int64_t number;
	if (c->argc != 3 || cli_ticket_number(c, c->argv[2], &number) < 0)
		return cli_fail(-EINVAL, "incident show: usage: %s", cmd_incident.usage);
	struct ticket t = { 0 };
	int r = store_ticket_get(s, number, &t);
	if (r == 0 && t.kind != TICKET_INCIDENT) {
		ticket_clear(&t);
		r = -ENOENT;
	}
	if (r < 0) {
		return cli_fail(r, "incident show %lld: %s", (long long)number, r == -ENOENT ? "no such incident" : store_errmsg(s));
	}
	int64_t reports = 0, events = 0;
	struct incident_link *l = NULL;
	size_t n = 0;
	r = store_incident_counts(s, number, &reports, &events);
	if (r >= 0)
		r = store_incident_links(s, number, 0, &l, &n);
	if (r < 0) {
		ticket_clear(&t);
		return cli_fail(r, "incident show: %s", store_errmsg(s));
	}
	if (c->json) {
		json_t *links = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(links, json_pack("{s:I, s:s, s:I, s:I, s:I}", "report", (json_int_t)l[i].report,
							       "source", l[i].source, "events", (json_int_t)l[i].events,
							       "notified_at", (json_int_t)l[i].notified_at, "linked_at",
							       (json_int_t)l[i].created_at));
		json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:o}", "number", (json_int_t)number, "status",
				      ticket_status_name(t.status), "subject", t.subject, "responsible", t.org, "kind",
				      t.classification, "contact", t.reporter, "reports", (json_int_t)reports, "events",
				      (json_int_t)events, "links", links);
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
		putchar('\n');
		json_decref(j);
	} else {
		char *subject = escape_dup(str_from(t.subject), ESCAPE_QUOTE_MAX);
		printf("incident %lld (%s): %s\n  responsible  %s\n  contact      %s\n  kind         %s\n"
		       "  gathered     %lld report(s), %lld event(s)\n\n  %-8s %-40s %7s  %s\n",
		       (long long)number, ticket_status_name(t.status), subject, t.org, t.reporter, t.classification,
		       (long long)reports, (long long)events, "REPORT", "SOURCE", "EVENTS", "NOTIFIED");
		free(subject);
		for (size_t i = 0; i < n; i++) {
			char when[32];
			cli_time(l[i].notified_at, when, sizeof(when));
			printf("  %-8lld %-40s %7lld  %s\n", (long long)l[i].report, l[i].source, (long long)l[i].events,
			       l[i].notified_at ? when : "no (notified recently)");
		}
	}
	incident_link_array_free(l, n);
	ticket_clear(&t);
	return EX_OK;
}

static int run(struct cli *c)
{
	if (c->argc < 2 || (strcmp(c->argv[1], "list") && strcmp(c->argv[1], "show")))
		return cli_fail(-EINVAL, "incident: usage: %s", cmd_incident.usage);
	struct store *s;
	int r = cli_open_store(c, &s);
	if (r < 0)
		return cli_exit_code(r);
	int code = !strcmp(c->argv[1], "list") ? cmd_list(c, s) : cmd_show(c, s);
	store_close(s);
	return code;
}

const struct cli_command cmd_incident = {
	"incident", run, "Incidents: the reports gathered per responsible party and kind of abuse.",
	"incident list [--all] [--json]\n       incident show N [--json]",
};
