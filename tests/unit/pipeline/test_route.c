/* pipeline/route: the routing decisions, called directly with a list of
 * sources and a kind, against a real SQLite store. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "constituency/constituency.h"
#include "net/prefix_table.h"
#include "pipeline/route.h"
#include "util/xalloc.h"
#include "testdb.h"

static char *url;	/* a fresh store on this run's backend (testdb.h) */
static struct store *s;
static struct config cfg;
static struct templates tpl;
static struct routing_index *idx;

static const char orgs[] =
	"org uni-x\n name University X\n security sec@uni-x.example, csirt@uni-x.example\n"
	" support help@uni-x.example\n domain uni-x.example\n prefix 192.0.2.0/25\n notify-auto port-scan\n"
	"org lab-y\n name Lab Y\n security sec@lab-y.example\n domain lab-y.example\n prefix 192.0.2.128/25\n";

static void setup(void)
{
	url = testdb_url();
	if (!url)
		cr_skip_test("%s", testdb_why());
	char *err = NULL;
	cr_assert_eq(store_open(url, &s, &err), 0, "%s", err ? err : "");
	cr_assert_eq(store_migrate(s, 100000), 0, "%s", store_errmsg(s));
	config_defaults(&cfg);
	cr_assert_eq(templates_load(NULL, &tpl, &err), 0);
	struct constituency c = { 0 };
	struct buf errors;
	buf_init(&errors, 1 << 16);
	constituency_parse(&c, "orgs", str_from(orgs), &errors);
	cr_assert_eq(c.n_errors, 0, "%s", buf_str(&errors));
	buf_free(&errors);
	struct net_contact nc = { .mailbox = "abuse@transit.example", .netname = "TRANSIT", .origin = "test" };
	ip_parse_cstr("203.0.113.0", &nc.first);
	ip_parse_cstr("203.0.113.255", &nc.last);
	cr_assert_eq(store_begin(s), 0);
	cr_assert_eq(store_org_replace_all(s, c.orgs, c.n), 0);
	cr_assert_eq(store_contact_add(s, &nc), 0);
	cr_assert_eq(store_commit(s), 0);
	constituency_free(&c);
	cr_assert_eq(routing_index_load(s, &idx), 0);
}

static void teardown(void)
{
	routing_index_free(idx);
	templates_free(&tpl);
	config_free(&cfg);
	s = store_close(s);
	testdb_drop(url);
	url = NULL;
}

/* Routes a new report with these sources (space-separated). */
static struct route_outcome route(const char *sources, const char *kind, const char *reporter, const char *ack,
				  int64_t now)
{
	struct route_source src[16] = { 0 };
	char *detail[16] = { 0 };
	size_t n = 0;
	char *copy = xstrdup(sources), *save = NULL;
	for (char *t = strtok_r(copy, " ", &save); t && n < 16; t = strtok_r(NULL, " ", &save)) {
		cr_assert(ip_parse_cstr(t, &src[n].addr), "test source %s", t);
		src[n].events = 10;
		/* source k: events at 3600 + k .. 7200 + k (UTC) */
		src[n].first = 3600 + (int64_t)n;
		src[n].last = 7200 + (int64_t)n;
		detail[n] = xasprintf("  scan line about %s\n", t);
		src[n].detail = detail[n];
		n++;
	}
	free(copy);
	struct ticket t = { .kind = TICKET_REPORT, .subject = "report", .reporter = (char *)reporter, .created_at = now };
	int64_t number;
	cr_assert_eq(store_begin(s), 0);
	cr_assert_eq(store_ticket_create(s, &t, &number), 0);
	const char *lines[] = { "log line about 192.0.2.5", "log line about 192.0.2.200" };
	struct route_report rep = {
		.ticket = number, .kind = kind, .reporter = reporter, .subject = "report", .sources = src,
		.n_sources = n, .summary = "  summary\n", .lines = lines, .n_lines = 2, .ack_body = ack,
	};
	struct route_ctx ctx = { s, &cfg, &tpl, idx };
	struct route_outcome out;
	int r = route_report(&ctx, &rep, now, &out);
	cr_assert_eq(r, 0, "route_report: got %d, want 0", r);
	cr_assert_eq(store_commit(s), 0);
	for (size_t i = 0; i < n; i++)
		free(detail[i]);
	return out;
}

/* "purpose:state:rcpt" of every outbox row, oldest first, one per line. */
static char *outbox(void)
{
	struct outbox_filter f = { 0 };
	struct outbox_item *a;
	size_t n;
	cr_assert_eq(store_outbox_list(s, &f, &a, &n), 0);
	struct buf b;
	buf_init(&b, 1 << 20);
	for (size_t i = n; i-- > 0;)
		buf_printf(&b, "%s:%s:%s\n", outbox_purpose_name(a[i].purpose), outbox_state_name(a[i].state), a[i].rcpt);
	outbox_array_free(a, n);
	return buf_steal(&b);
}

#define EXPECT_OUTBOX(want)                                                              \
	do {                                                                             \
		char *got_ = outbox();                                                   \
		cr_expect_str_eq(got_, want, "outbox: got\n%s\nwant\n%s", got_, want); \
		free(got_);                                                              \
	} while (0)

Test(route, inside_outside_unknown, .init = setup, .fini = teardown)
{
	struct route_outcome o = route("192.0.2.5 192.0.2.200 203.0.113.9 198.18.0.1 192.0.2.5", "ssh-brute-force",
				       "someone@elsewhere.example", NULL, 1000);
	cr_expect_eq(o.inside, 2, "inside: got %zu, want 2", o.inside);
	cr_expect_eq(o.outside, 1, "outside: got %zu, want 1", o.outside);
	cr_expect_eq(o.unknown, 1, "unknown: got %zu, want 1", o.unknown);
	cr_expect_eq(o.incidents_opened, 3, "incidents: got %zu, want 3", o.incidents_opened);
	cr_expect_eq(o.notifications_held, 4, "held: got %zu, want 4", o.notifications_held);
	EXPECT_OUTBOX("notify:held:sec@uni-x.example\nnotify:held:csirt@uni-x.example\n"
		      "notify:held:sec@lab-y.example\nnotify:held:abuse@transit.example\n");
	/* each party sees only the lines naming its own sources */
	struct message *m;
	size_t n;
	int64_t incident;
	cr_assert_eq(store_incident_find(s, "org:lab-y", "ssh-brute-force", &incident), 0);
	cr_assert_eq(store_ticket_messages(s, incident, &m, &n), 0);
	cr_assert_eq(n, 1);
	cr_expect(strstr(m[0].body_text, "log line about 192.0.2.200"), "lab-y's sample: %s", m[0].body_text);
	cr_expect(!strstr(m[0].body_text, "log line about 192.0.2.5"), "lab-y sees uni-x's line: %s", m[0].body_text);
	/* and the summary counts and describes its own source only (the
	 * report had 5 sources and 50 events; lab-y's is the second) */
	cr_expect(strstr(m[0].body_text, "  events:        10\n"), "lab-y's events: %s", m[0].body_text);
	cr_expect(strstr(m[0].body_text, "  time (UTC):    1970-01-01 01:00:01 to 1970-01-01 02:00:01\n"),
		  "lab-y's times: %s", m[0].body_text);
	cr_expect(strstr(m[0].body_text, "scan line about 192.0.2.200"), "lab-y's scan line: %s", m[0].body_text);
	cr_expect(!strstr(m[0].body_text, "scan line about 192.0.2.5"), "lab-y sees uni-x's scan line: %s",
		  m[0].body_text);
	message_array_free(m, n);
}

Test(route, summary_per_party, .init = setup, .fini = teardown)
{
	route("192.0.2.5 192.0.2.200 192.0.2.6", "ssh-brute-force", "someone@elsewhere.example", NULL, 1000);
	struct message *m;
	size_t n;
	int64_t incident;
	cr_assert_eq(store_incident_find(s, "org:uni-x", "ssh-brute-force", &incident), 0);
	cr_assert_eq(store_ticket_messages(s, incident, &m, &n), 0);
	cr_assert_eq(n, 2, "one notification per uni-x contact: got %zu", n);
	/* uni-x's two sources summed: 20 of the report's 30 events, from the
	 * first's first event to the third's last */
	cr_expect(strstr(m[0].body_text, "  events:        20\n"), "uni-x's events: %s", m[0].body_text);
	cr_expect(strstr(m[0].body_text, "  time (UTC):    1970-01-01 01:00:00 to 1970-01-01 02:00:02\n"),
		  "uni-x's times: %s", m[0].body_text);
	cr_expect(strstr(m[0].body_text, "scan line about 192.0.2.5\n"), "uni-x's first scan line: %s", m[0].body_text);
	cr_expect(strstr(m[0].body_text, "scan line about 192.0.2.6\n"), "uni-x's second scan line: %s", m[0].body_text);
	cr_expect(!strstr(m[0].body_text, "192.0.2.200"), "uni-x sees lab-y's source: %s", m[0].body_text);
	/* the report-wide lines ("  summary" here) only stand in for sources without a scan line */
	cr_expect(!strstr(m[0].body_text, "  summary\n"), "report-wide lines beside scan lines: %s", m[0].body_text);
	message_array_free(m, n);
}

Test(route, policy_auto_and_external, .init = setup, .fini = teardown)
{
	/* uni-x lists port-scan in notify-auto: queued at once */
	route("192.0.2.5", "port-scan", "a@elsewhere.example", NULL, 1000);
	cfg.routing_notify_external_auto = true;
	route("203.0.113.9", "port-scan", "a@elsewhere.example", NULL, 1000);
	EXPECT_OUTBOX("notify:queued:sec@uni-x.example\nnotify:queued:csirt@uni-x.example\n"
		      "notify:queued:abuse@transit.example\n");
}

/* A policy for a destination, as the overrides file gives it. */
static void add_policy(const char *range, const char *mailbox, int xarf, bool has_auto, const char *kinds)
{
	struct net_policy p = { .mailbox = (char *)(mailbox ? mailbox : ""), .xarf = xarf, .has_auto = has_auto,
				.notify_auto = (char *)kinds, .origin = "test" };
	if (range)
		cr_assert(ip_range_parse(str_from(range), &p.first, &p.last), "test range %s", range);
	cr_assert_eq(store_begin(s), 0);
	cr_assert_eq(store_net_policy_add(s, &p), 0);
	cr_assert_eq(store_commit(s), 0);
	routing_index_free(idx);	/* a single add bumps no version: an import does */
	cr_assert_eq(routing_index_load(s, &idx), 0);
}

/* The raw notifications to rcpt, oldest first, joined. */
static char *raw_to(const char *rcpt, size_t *ret_n)
{
	struct outbox_filter f = { 0 };
	struct outbox_item *a;
	size_t n;
	cr_assert_eq(store_outbox_list(s, &f, &a, &n), 0);
	struct buf b;
	buf_init(&b, 1 << 24);
	*ret_n = 0;
	for (size_t i = n; i-- > 0;) {
		if (strcmp(a[i].rcpt, rcpt))
			continue;
		struct message m;
		cr_assert_eq(store_message_get(s, a[i].message, true, &m), 0);
		buf_append(&b, m.raw, m.raw_len);
		buf_append_str(&b, "\n=====\n");
		message_clear(&m);
		(*ret_n)++;
	}
	outbox_array_free(a, n);
	return buf_steal(&b);
}

Test(route, external_policy_per_mailbox_range_and_kind, .init = setup, .fini = teardown)
{
	/* transit asked for X-ARF, and for spam to go out at once */
	add_policy(NULL, "abuse@transit.example", 1, true, "spam");
	route("203.0.113.9 203.0.113.10", "spam", "a@elsewhere.example", NULL, 1000);
	route("203.0.113.11", "port-scan", "a@elsewhere.example", NULL, 1000);
	EXPECT_OUTBOX("notify:queued:abuse@transit.example\nnotify:queued:abuse@transit.example\n"
		      "notify:held:abuse@transit.example\n");
	size_t n;
	char *raw = raw_to("abuse@transit.example", &n);
	cr_expect_eq(n, 3, "X-ARF: one message a source: got %zu, want 3", n);
	cr_expect(strstr(raw, "\nX-ARF: YES\n"), "no X-ARF header:\n%s", raw);
	cr_expect(strstr(raw, "Source: 203.0.113.9\n") && strstr(raw, "Source: 203.0.113.10\n") &&
			  strstr(raw, "Source: 203.0.113.11\n"),
		  "a report per source:\n%s", raw);
	cr_expect(strstr(raw, "\nOccurrences: 10\n"), "events as Occurrences:\n%s", raw);
	free(raw);
}

Test(route, external_policy_range_wins_and_held_wins, .init = setup, .fini = teardown)
{
	add_policy(NULL, "abuse@transit.example", -1, true, "*");
	add_policy("203.0.113.10/32", NULL, 0, true, "");	/* this host: held, plain text */
	route("203.0.113.9", "spam", "a@elsewhere.example", NULL, 1000);
	/* .9 would go at once, .10 is held: held wins for the one message */
	route("203.0.113.20 203.0.113.10", "port-scan", "a@elsewhere.example", NULL, 1000);
	EXPECT_OUTBOX("notify:queued:abuse@transit.example\nnotify:held:abuse@transit.example\n");
	size_t n;
	char *raw = raw_to("abuse@transit.example", &n);
	cr_expect(!strstr(raw, "X-ARF"), "plain text wanted:\n%s", raw);
	free(raw);
	/* the configuration's default X-ARF, where no policy says otherwise */
	cfg.routing_xarf = true;
	route("203.0.113.30", "ssh-brute-force", "a@elsewhere.example", NULL, 1000);
	raw = raw_to("abuse@transit.example", &n);
	cr_expect(strstr(raw, "Report-Type: login-attack\n"), "routing.xarf: no X-ARF report:\n%s", raw);
	free(raw);
}

Test(route, repeat_within_window_links_only, .init = setup, .fini = teardown)
{
	cfg.routing_renotify_seconds = 3600;
	route("203.0.113.9", "spam", "a@elsewhere.example", NULL, 1000);
	struct route_outcome o = route("203.0.113.9 203.0.113.10", "spam", "b@elsewhere.example", NULL, 2000);
	cr_expect_eq(o.incidents_opened, 0, "second report: opened %zu incidents, want 0", o.incidents_opened);
	cr_expect_eq(o.linked_without_notice, 1, "linked only: got %zu, want 1", o.linked_without_notice);
	cr_expect_eq(o.notifications_held, 1, "the new source is notified: got %zu, want 1", o.notifications_held);
	o = route("203.0.113.9", "spam", "c@elsewhere.example", NULL, 1000 + 3600 + 1);
	cr_expect_eq(o.notifications_held, 1, "after the window: got %zu, want 1", o.notifications_held);
	int64_t incident, reports, events;
	cr_assert_eq(store_incident_find(s, "net:abuse@transit.example", "spam", &incident), 0);
	cr_assert_eq(store_incident_counts(s, incident, &reports, &events), 0);
	cr_expect_eq(reports, 3, "reports: got %lld, want 3", (long long)reports);
	cr_expect_eq(events, 40, "events: got %lld, want 40", (long long)events);
	/* another kind is another incident */
	o = route("203.0.113.9", "port-scan", "d@elsewhere.example", NULL, 5000);
	cr_expect_eq(o.incidents_opened, 1, "another kind: opened %zu, want 1", o.incidents_opened);
}

Test(route, copy_of_ack_to_reporters_org, .init = setup, .fini = teardown)
{
	/* the reporter is one of uni-x's security contacts: only the other gets a copy */
	struct route_outcome o = route("198.18.0.1", "ssh-brute-force", "sec@uni-x.example", "the ack text", 1000);
	cr_expect_eq(o.copies, 1, "copies: got %zu, want 1", o.copies);
	EXPECT_OUTBOX("copy:queued:csirt@uni-x.example\n");
	/* no acknowledgment went out: no copy either */
	o = route("198.18.0.1", "ssh-brute-force", "user@uni-x.example", NULL, 1000);
	cr_expect_eq(o.copies, 0, "copies without an ack: got %zu, want 0", o.copies);
}

Test(route, misdirected_spam, .init = setup, .fini = teardown)
{
	struct route_outcome o = route("203.0.113.9", "spam", "student@uni-x.example", "ack", 1000);
	cr_expect(o.is_misdirected, "spam from outside to a uni-x user: got not misdirected");
	EXPECT_OUTBOX("reply:queued:student@uni-x.example\ncopy:queued:sec@uni-x.example\ncopy:queued:csirt@uni-x.example\n");
	/* no acknowledgment (automatic mail): no automatic reply either */
	o = route("203.0.113.9", "spam", "student@uni-x.example", NULL, 1000);
	cr_expect(!o.is_misdirected, "spam reported by automatic mail: got misdirected");
	/* spam from inside the constituency is ours to handle */
	o = route("192.0.2.200", "spam", "student@uni-x.example", "ack", 1000);
	cr_expect(!o.is_misdirected, "spam from lab-y: got misdirected");
	/* a scan from outside is not misdirected */
	o = route("203.0.113.9", "port-scan", "student@uni-x.example", "ack", 1000);
	cr_expect(!o.is_misdirected, "scan: got misdirected");
}

Test(route, kind_normalise)
{
	static const struct {
		const char *in, *want;
	} rows[] = {
		{ "ssh brute force", "ssh-brute-force" }, { "Port Scan", "port-scan" }, { "  spam  ", "spam" },
		{ "", "unclassified" }, { NULL, "unclassified" }, { "unknown", "unclassified" },
		{ "a--b", "a-b" }, { "x/y_z", "x/y_z" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char out[ROUTE_KIND_MAX];
		route_kind_normalise(rows[i].in, out);
		cr_expect_str_eq(out, rows[i].want, "'%s': got '%s', want '%s'", rows[i].in ? rows[i].in : "(null)", out,
				 rows[i].want);
	}
}
