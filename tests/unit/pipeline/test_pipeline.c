/* pipeline: messages go in through store_inbound_add() and come out
 * through pipeline_process_next(), as they do under `abusedesk deliver` +
 * `abusedesk process`. Runs on both backends (testdb.h): suite 'unit' on
 * SQLite, suite 'pg' on PostgreSQL. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/pipeline.h"
#include "util/buf.h"
#include "util/xalloc.h"
#include "testdb.h"

#define T0 1800000000

static char *url;
static struct config cfg;
static struct templates tpl;
static struct pipeline pl;
static int64_t clock_now = T0;
static unsigned serial;

static void setup(void)
{
	url = testdb_url();
	if (!url)
		cr_skip_test("%s", testdb_why());
	config_defaults(&cfg);
	char *err = NULL;
	cr_assert_eq(templates_load(NULL, &tpl, &err), 0);
	struct store *s = NULL;
	cr_assert_eq(store_open(url, &s, &err), 0, "store_open: %s", err ? err : "");
	cr_assert_eq(store_migrate(s, cfg.ticket_base), 0);
	pl = (struct pipeline){ .store = s, .cfg = &cfg, .templates = &tpl };
}

static void teardown(void)
{
	pipeline_release(&pl);
	store_close(pl.store);
	templates_free(&tpl);
	config_free(&cfg);
	testdb_drop(url);
	url = NULL;
}

/* Delivers raw (a unique Message-ID is not added: the caller writes the
 * headers it means) and processes it. */
static int feed(const char *raw, const char *env_from, struct pipeline_result *res)
{
	int64_t id;
	bool dup;
	/* A unique envelope recipient keeps identical test messages apart. */
	char rcpt[64];
	snprintf(rcpt, sizeof(rcpt), "irt+%u@csirt.example", serial++);
	int r = store_inbound_add(pl.store, raw, strlen(raw), env_from, rcpt, clock_now, &id, &dup);
	cr_assert_eq(r, 0, "inbound_add: %d", r);
	r = pipeline_process_next(&pl, clock_now, res);
	if (r == 0)
		cr_assert_eq(res->message, id, "processed message %lld, want %lld", (long long)res->message, (long long)id);
	return r;
}

static int64_t feed_ok(const char *raw, const char *env_from, struct pipeline_result *res)
{
	int r = feed(raw, env_from, res);
	cr_assert_eq(r, 0, "process: got %d (%s)", r, res->error ? res->error : "");
	return res->ticket;
}

static size_t outbox(struct outbox_item **ret)
{
	struct outbox_filter f = { 0 };
	size_t n = 0;
	cr_assert_eq(store_outbox_list(pl.store, &f, ret, &n), 0);
	return n;
}

static size_t outbox_count(void)
{
	struct outbox_item *o;
	size_t n = outbox(&o);
	outbox_array_free(o, n);
	return n;
}

/* The raw bytes of the newest outbound message. */
static char *last_outbound(char **ret_message_id, char **ret_rcpt, char **ret_env_from)
{
	struct outbox_item *o;
	size_t n = outbox(&o);
	cr_assert(n > 0, "outbox empty");
	struct message m;
	cr_assert_eq(store_message_get(pl.store, o[0].message, true, &m), 0);
	char *raw = xstrndup(m.raw, m.raw_len);
	if (ret_message_id)
		*ret_message_id = xstrdup(o[0].message_id);
	if (ret_rcpt)
		*ret_rcpt = xstrdup(o[0].rcpt);
	if (ret_env_from)
		*ret_env_from = xstrdup(o[0].env_from);
	message_clear(&m);
	outbox_array_free(o, n);
	return raw;
}

/* The header block of a message, unfolded line by line. */
static bool has_header_line(const char *raw, const char *prefix)
{
	const char *end = strstr(raw, "\n\n");
	size_t len = end ? (size_t)(end - raw) : strlen(raw);
	size_t n = strlen(prefix);
	for (const char *p = raw; p && p < raw + len; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncasecmp(p, prefix, n))
			return true;
	return false;
}

TestSuite(pipeline, .init = setup, .fini = teardown);

static const char report[] =
	"From: Alice Reporter <alice@example.org>\n"
	"To: irt@csirt.example\n"
	"Subject: SSH brute force from 192.0.2.10\n"
	"Message-ID: <report-1@example.org>\n"
	"Date: Mon, 23 Nov 2026 10:00:00 +0000\n"
	"\n"
	"192.0.2.10 tried 500 passwords on our server.\n";

Test(pipeline, new_ticket_is_acknowledged)
{
	struct pipeline_result res;
	int64_t t = feed_ok(report, "alice@example.org", &res);
	cr_expect_eq(t, 100001, "ticket got %lld, want 100001", (long long)t);
	cr_expect(res.is_new_ticket, "not a new ticket");
	cr_expect(res.ack_queued, "ack not queued (withheld: %s)", res.withheld ? res.withheld : "-");
	pipeline_result_clear(&res);

	char *msgid, *rcpt, *env_from;
	char *raw = last_outbound(&msgid, &rcpt, &env_from);
	cr_expect_str_eq(rcpt, "alice@example.org", "rcpt got \"%s\"", rcpt);
	cr_expect_str_eq(env_from, "", "envelope sender got \"%s\", want the null sender", env_from);
	struct { const char *what; bool want; } checks[] = {
		{ "Subject: [Janet CSIRT#100001] SSH brute force from 192.0.2.10", true },
		{ "Auto-Submitted: auto-replied", true },
		{ "In-Reply-To: <report-1@example.org>", true },
		{ "References: <report-1@example.org>", true },
		{ "To: alice@example.org", true },
		{ "Message-ID: <", true },
	};
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		cr_expect_eq(has_header_line(raw, checks[i].what), checks[i].want, "header \"%s\": got %d, want %d in:\n%s",
			     checks[i].what, !checks[i].want, checks[i].want, raw);
	const char *body = strstr(raw, "\n\n");
	cr_expect(body && strstr(body, "[Janet CSIRT#100001]"), "tag not in body:\n%s", raw);
	cr_expect(strstr(raw, msgid) != NULL, "stored Message-ID %s not in the message", msgid);

	struct ticket tk;
	cr_assert_eq(store_ticket_get(pl.store, t, &tk), 0);
	cr_expect_str_eq(tk.ack, "queued", "ticket ack got \"%s\"", tk.ack);
	cr_expect_str_eq(tk.reporter, "alice@example.org", "reporter got \"%s\"", tk.reporter);
	cr_expect_str_eq(tk.subject, "SSH brute force from 192.0.2.10", "subject got \"%s\"", tk.subject);
	ticket_clear(&tk);
	free(raw);
	free(msgid);
	free(rcpt);
	free(env_from);
}

/* Each row is fed in order into one store. */
struct thread_row {
	const char *name;
	const char *headers;	/* before the blank line; "{ACK}" becomes the first ack's Message-ID */
	int64_t want;		/* ticket; 0: a new one */
	bool want_ack;		/* a (new) acknowledgment queued */
	const char *want_how;
};

static const struct thread_row thread_rows[] = {
	{ "report", "From: bob@example.org\nSubject: Port scan\nMessage-ID: <r1@example.org>", 100001, true, NULL },
	{ "reply keeping the tag", "From: bob@example.org\nSubject: Re: [Janet CSIRT#100001] Port scan\nMessage-ID: <r2@example.org>", 100001, false, "tag" },
	{ "mangled tag", "From: bob@example.org\nSubject: AW:  [janet csirt #100001]  Port scan", 100001, false, "tag" },
	{ "In-Reply-To our ack", "From: bob@example.org\nSubject: more scans\nIn-Reply-To: <{ACK}>", 100001, false, "reference" },
	{ "References our ack", "From: carol@example.org\nSubject: also me\nReferences: <x@example.org> <{ACK}>", 100001, false, "reference" },
	{ "another team's tag", "From: bob@example.org\nSubject: [Other CERT#100001] Port scan", 100002, true, NULL },
	{ "tag of a ticket that does not exist", "From: dave@example.org\nSubject: [Janet CSIRT#999999] hi", 100003, true, NULL },
	{ "tag with too many digits", "From: erin@example.org\nSubject: [Janet CSIRT#1000000000001] hi", 100004, true, NULL },
	{ "unknown In-Reply-To", "From: frank@example.org\nSubject: hello\nIn-Reply-To: <nobody@example.org>", 100005, true, NULL },
	{ "reply to the report itself is not ours", "From: gina@example.org\nSubject: hello\nIn-Reply-To: <r1@example.org>", 100006, true, NULL },
};

Test(pipeline, threading)
{
	char *ack_id = NULL;
	for (size_t i = 0; i < sizeof(thread_rows) / sizeof(thread_rows[0]); i++) {
		const struct thread_row *row = &thread_rows[i];
		struct buf raw;
		buf_init(&raw, 1 << 16);
		const char *h = row->headers;
		const char *mark = strstr(h, "{ACK}");
		if (mark) {
			buf_append(&raw, h, (size_t)(mark - h));
			buf_append_str(&raw, ack_id);
			buf_append_str(&raw, mark + 5);
		} else {
			buf_append_str(&raw, h);
		}
		buf_printf(&raw, "\n\nmessage %zu\n", i);
		size_t before = outbox_count();
		struct pipeline_result res;
		int64_t t = feed_ok(buf_str(&raw), "", &res);
		cr_expect_eq(t, row->want, "%s: ticket got %lld, want %lld", row->name, (long long)t, (long long)row->want);
		size_t after = outbox_count();
		cr_expect_eq(after - before, row->want_ack ? 1u : 0u, "%s: got %zu new outbound, want %d", row->name,
			     after - before, row->want_ack);
		cr_expect_eq(res.is_new_ticket, row->want_ack, "%s: is_new_ticket got %d", row->name, res.is_new_ticket);
		if (row->want_how)
			cr_expect(res.threaded_by && !strcmp(res.threaded_by, row->want_how),
				  "%s: threaded_by got %s, want %s", row->name, res.threaded_by ? res.threaded_by : "(none)",
				  row->want_how);
		if (i == 0)
			free(last_outbound(&ack_id, NULL, NULL));
		pipeline_result_clear(&res);
		buf_free(&raw);
	}
	struct message *ms;
	size_t n;
	cr_assert_eq(store_ticket_messages(pl.store, 100001, &ms, &n), 0);
	cr_expect_eq(n, 6, "ticket 100001 holds %zu messages, want 6 (5 in, 1 ack)", n);
	message_array_free(ms, n);
	free(ack_id);
}

Test(pipeline, merged_ticket_threads_into_target)
{
	struct pipeline_result res;
	int64_t a = feed_ok("From: a@example.org\nSubject: first\n\nx\n", "", &res);
	pipeline_result_clear(&res);
	int64_t b = feed_ok("From: b@example.org\nSubject: second\n\ny\n", "", &res);
	pipeline_result_clear(&res);
	cr_assert_eq(store_begin(pl.store), 0);
	cr_assert_eq(store_ticket_merge(pl.store, a, b, clock_now), 0);
	cr_assert_eq(store_commit(pl.store), 0);
	size_t before = outbox_count();
	int64_t t = feed_ok("From: a@example.org\nSubject: Re: [Janet CSIRT#100001] first\n\nagain\n", "", &res);
	cr_expect_eq(t, b, "got ticket %lld, want the merge target %lld", (long long)t, (long long)b);
	cr_expect_eq(outbox_count(), before, "a reply to a merged ticket was acknowledged");
	pipeline_result_clear(&res);
}

Test(pipeline, resolved_ticket_reopens)
{
	struct pipeline_result res;
	int64_t a = feed_ok(report, "alice@example.org", &res);
	pipeline_result_clear(&res);
	cr_assert_eq(store_ticket_set_status(pl.store, a, TICKET_RESOLVED, clock_now), 0);
	feed_ok("From: alice@example.org\nSubject: Re: [Janet CSIRT#100001] again\n\nstill\n", "", &res);
	pipeline_result_clear(&res);
	struct ticket t;
	cr_assert_eq(store_ticket_get(pl.store, a, &t), 0);
	cr_expect_eq(t.status, TICKET_OPEN, "status got %s, want open", ticket_status_name(t.status));
	ticket_clear(&t);
}

/* RFC 3834: each row opens a ticket and withholds the acknowledgment. */
struct withhold_row {
	const char *headers;
	const char *env_from;
	const char *want_reason;	/* substring; NULL: acknowledged */
};

static const struct withhold_row withhold_rows[] = {
	{ "From: r1@example.org\nAuto-Submitted: auto-replied", "r1@example.org", "Auto-Submitted" },
	{ "From: r2@example.org\nAuto-Submitted: auto-generated", "r2@example.org", "Auto-Submitted" },
	{ "From: r3@example.org\nAuto-Submitted: auto-notified; owner-email=x@example.org", "r3@example.org", "Auto-Submitted" },
	{ "From: r4@example.org\nAuto-Submitted: no", "r4@example.org", NULL },
	{ "From: r5@example.org\nAuto-Submitted: No (comment)", "r5@example.org", NULL },
	{ "From: r6@example.org\nPrecedence: bulk", "r6@example.org", "Precedence" },
	{ "From: r7@example.org\nPrecedence: junk", "r7@example.org", "Precedence" },
	{ "From: r8@example.org\nPrecedence: List", "r8@example.org", "Precedence" },
	{ "From: r9@example.org\nPrecedence: first-class", "r9@example.org", NULL },
	{ "From: r10@example.org\nList-Id: <abuse.lists.example.org>", "r10@example.org", "List" },
	{ "From: r11@example.org\nList-Unsubscribe: <mailto:u@example.org>", "r11@example.org", "List" },
	{ "From: r12@example.org\nList-Post: <mailto:l@example.org>", "r12@example.org", "List" },
	{ "From: r13@example.org", "<>", "envelope sender is empty" },
	{ "From: MAILER-DAEMON@example.org", "", "mail system" },
	{ "From: r14@example.org", "MAILER-DAEMON", "mail system" },
	{ "From: postmaster@example.org", "postmaster@example.org", "mail system" },
	{ "From: Postmaster <POSTMASTER@example.net>", "", "mail system" },
	{ "From: irt@csirt.example", "irt@csirt.example", "our own" },
	{ "From: IRT@CSIRT.EXAMPLE", "", "our own" },
	{ "From: r15@example.org\nReply-To: irt@csirt.example", "r15@example.org", "our own" },
	{ "From: r16@example.org\nX-Auto-Response-Suppress: All", "r16@example.org", "X-Auto-Response-Suppress" },
	{ "From: r17@example.org\nX-Auto-Response-Suppress: OOF, AutoReply", "r17@example.org", "X-Auto-Response-Suppress" },
	{ "Subject: no from at all", "", "no address" },
	{ "From: r18@example.org", "r18@example.org", NULL },
};

Test(pipeline, rfc3834_withholds_ack)
{
	for (size_t i = 0; i < sizeof(withhold_rows) / sizeof(withhold_rows[0]); i++) {
		const struct withhold_row *row = &withhold_rows[i];
		char *raw = xasprintf("%s\nSubject: report %zu\n\nabuse seen\n", row->headers, i);
		size_t before = outbox_count();
		struct pipeline_result res;
		int64_t t = feed_ok(raw, row->env_from, &res);
		cr_expect(res.is_new_ticket, "row %zu: no new ticket", i);
		size_t acks = outbox_count() - before;
		struct ticket tk;
		cr_assert_eq(store_ticket_get(pl.store, t, &tk), 0);
		if (row->want_reason) {
			cr_expect_eq(acks, 0, "row %zu (%s): got an acknowledgment, want it withheld", i, row->headers);
			cr_expect_str_eq(tk.ack, "withheld", "row %zu: ticket ack got \"%s\", want withheld", i, tk.ack);
			cr_expect(strstr(tk.ack_note, row->want_reason) != NULL, "row %zu: reason got \"%s\", want \"...%s...\"", i,
				  tk.ack_note, row->want_reason);
			cr_expect(res.withheld && !strcmp(res.withheld, tk.ack_note), "row %zu: result withheld got %s", i,
				  res.withheld ? res.withheld : "(null)");
		} else {
			cr_expect_eq(acks, 1, "row %zu (%s): got %zu acknowledgments, want 1 (withheld: %s)", i, row->headers, acks,
				     tk.ack_note);
			cr_expect_str_eq(tk.ack, "queued", "row %zu: ticket ack got \"%s\"", i, tk.ack);
		}
		ticket_clear(&tk);
		pipeline_result_clear(&res);
		free(raw);
	}
}

static size_t storm(const char *extra, const char *from, int n)
{
	size_t before = outbox_count();
	for (int i = 0; i < n; i++) {
		char *raw = xasprintf("From: %s\n%sSubject: report %d\nMessage-ID: <storm-%d-%u@example.org>\n\nbody %d\n", from,
				      extra, i, i, serial, i);
		struct pipeline_result res;
		feed_ok(raw, "", &res);
		cr_expect(res.is_new_ticket, "storm message %d did not open a ticket", i);
		pipeline_result_clear(&res);
		free(raw);
		clock_now += 1;
	}
	return outbox_count() - before;
}

Test(pipeline, storm_of_auto_replies)
{
	size_t acks = storm("Auto-Submitted: auto-replied\n", "vacation@example.org", 50);
	cr_expect_eq(acks, 0, "50 auto-replies: got %zu acknowledgments, want 0", acks);
}

Test(pipeline, storm_of_reports_is_rate_limited)
{
	/* One sender, spelt in several cases: one address for the limit. */
	size_t acks = storm("", "Noisy@Example.ORG", 25) + storm("", "noisy@example.org", 25);
	cr_expect_eq(acks, (size_t)cfg.ack_per_sender_per_hour, "50 reports from one address: got %zu acks, want %lld",
		     acks, (long long)cfg.ack_per_sender_per_hour);
	struct ticket_filter f = { 0 };
	struct ticket *ts;
	size_t n;
	cr_assert_eq(store_ticket_list(pl.store, &f, &ts, &n), 0);
	cr_expect_eq(n, 50, "got %zu tickets, want 50", n);
	size_t limited = 0;
	for (size_t i = 0; i < n; i++)
		limited += strstr(ts[i].ack_note, "hourly maximum") != NULL;
	cr_expect_eq(limited, 45, "got %zu tickets with the rate-limit reason, want 45", limited);
	ticket_array_free(ts, n);
	/* An hour later the sender is acknowledged again. */
	clock_now += 3600;
	acks = storm("", "noisy@example.org", 1);
	cr_expect_eq(acks, 1, "after an hour: got %zu acks, want 1", acks);
}

struct inject_row {
	const char *name;
	const char *headers;
};

static const struct inject_row inject_rows[] = {
	{ "encoded CRLF in subject", "From: i1@example.org\nSubject: =?UTF-8?Q?scan=0D=0ABcc:_victim@example.net?=" },
	{ "encoded LF in subject", "From: i2@example.org\nSubject: =?UTF-8?B?c2NhbgpCY2M6IHZpY3RpbUBleGFtcGxlLm5ldA==?=" },
	{ "encoded CR in subject", "From: i3@example.org\nSubject: =?UTF-8?Q?scan=0DBcc:_victim@example.net?=" },
	{ "folded subject", "From: i4@example.org\nSubject: scan\n Bcc: victim@example.net" },
	{ "CRLF in reply-to name", "From: i5@example.org\nReply-To: =?UTF-8?Q?x=0D=0ABcc:_victim@example.net?= <i5@example.org>\nSubject: s" },
	{ "CRLF in message-id", "From: i6@example.org\nSubject: s\nMessage-ID: <a=?UTF-8?Q?=0D=0ABcc:_victim@example.net?=@x>" },
};

Test(pipeline, header_injection_in_subject)
{
	for (size_t i = 0; i < sizeof(inject_rows) / sizeof(inject_rows[0]); i++) {
		char *raw = xasprintf("%s\n\nbody\n", inject_rows[i].headers);
		struct pipeline_result res;
		feed_ok(raw, "", &res);
		cr_expect(res.ack_queued, "%s: no ack (%s)", inject_rows[i].name, res.withheld ? res.withheld : "");
		pipeline_result_clear(&res);
		free(raw);
		char *ack = last_outbound(NULL, NULL, NULL);
		cr_expect(!has_header_line(ack, "Bcc:"), "%s: a Bcc header reached the acknowledgment:\n%s", inject_rows[i].name,
			  ack);
		cr_expect(strstr(ack, "\r") == NULL, "%s: CR in the composed message", inject_rows[i].name);
		free(ack);
	}
}

Test(pipeline, unparsable_message_still_becomes_a_ticket)
{
	static const char junk[] = "\x01\x02\xff\xfe no headers here \x1b[2J\n\nnot mail\n";
	struct pipeline_result res;
	int64_t t = feed_ok(junk, "someone@example.org", &res);
	cr_expect(res.is_new_ticket, "no ticket");
	pipeline_result_clear(&res);
	struct message *ms;
	size_t n;
	cr_assert_eq(store_ticket_messages(pl.store, t, &ms, &n), 0);
	cr_assert(n >= 1, "no message on the ticket");
	cr_expect(strstr(ms[0].body_text, "no headers here") != NULL, "raw text not readable: \"%s\"", ms[0].body_text);
	cr_expect(strstr(ms[0].body_text, "\x1b") == NULL, "ESC reached body_text");
	cr_expect(strstr(ms[0].defects, "no-headers") != NULL || strstr(ms[0].defects, "unparsable") != NULL ||
			  *ms[0].defects, "parse problem not recorded: \"%s\"", ms[0].defects);
	message_array_free(ms, n);
}

/* A message whose processing fails every time ends as a needs-analyst
 * ticket after process_attempts_max attempts, raw text kept. */
Test(pipeline, failing_message_is_parked)
{
	/* The same trap in each dialect: finishing a message always fails. */
	static const char sqlite_trap[] =
		"CREATE TRIGGER boom BEFORE UPDATE OF state ON message WHEN NEW.state = 'done'"
		" BEGIN SELECT RAISE(ABORT, 'injected failure'); END";
	static const char pg_trap[] =
		"CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS"
		" $$BEGIN RAISE EXCEPTION 'injected failure'; END$$;"
		" CREATE TRIGGER boom BEFORE UPDATE OF state ON message"
		" FOR EACH ROW WHEN (NEW.state = 'done') EXECUTE FUNCTION boom()";
	cr_assert_eq(testdb_exec(url, testdb_is_pg() ? pg_trap : sqlite_trap), 0, "trigger: %s", testdb_why());

	int64_t id;
	bool dup;
	static const char raw[] = "From: p@example.org\nSubject: poison\n\npoison body\n";
	cr_assert_eq(store_inbound_add(pl.store, raw, strlen(raw), "p@example.org", "irt@csirt.example", clock_now, &id, &dup), 0);
	int64_t max = cfg.process_attempts_max;
	for (int64_t i = 1; i <= max; i++) {
		struct pipeline_result res;
		int r = pipeline_process_next(&pl, clock_now, &res);
		cr_expect(r < 0 && r != -ENOENT, "attempt %lld: got %d, want a failure", (long long)i, r);
		cr_expect(res.error && strstr(res.error, "injected failure"), "attempt %lld: error got \"%s\"", (long long)i,
			  res.error ? res.error : "(null)");
		pipeline_result_clear(&res);
		/* Not due again at once (backs off), due after a while. */
		r = pipeline_process_next(&pl, clock_now, &res);
		cr_expect_eq(r, -ENOENT, "attempt %lld: retried at once (got %d)", (long long)i, r);
		pipeline_result_clear(&res);
		clock_now += 3600;
	}
	struct pipeline_result res;
	int r = pipeline_process_next(&pl, clock_now, &res);
	cr_assert_eq(r, 0, "parking: got %d", r);
	cr_expect(res.is_parked, "not parked");
	int64_t t = res.ticket;
	pipeline_result_clear(&res);
	struct ticket tk;
	cr_assert_eq(store_ticket_get(pl.store, t, &tk), 0);
	cr_expect(tk.needs_analyst, "ticket not marked for an analyst");
	cr_expect_str_eq(tk.ack, "withheld", "ack got \"%s\"", tk.ack);
	ticket_clear(&tk);
	struct message m;
	cr_assert_eq(store_message_get(pl.store, id, true, &m), 0);
	cr_expect_eq(m.state, MESSAGE_PARKED, "state got %s, want parked", message_state_name(m.state));
	cr_expect_eq(m.ticket, t, "message ticket got %lld, want %lld", (long long)m.ticket, (long long)t);
	cr_expect(strstr(m.error, "injected failure") != NULL, "error got \"%s\"", m.error);
	cr_expect(m.raw_len == strlen(raw) && !memcmp(m.raw, raw, m.raw_len), "raw text changed");
	message_clear(&m);
	cr_expect_eq(pipeline_process_next(&pl, clock_now + 86400, &res), -ENOENT, "queue not empty after parking");
	pipeline_result_clear(&res);
	cr_expect_eq(outbox_count(), 0, "an acknowledgment was queued for a parked message");
}

/* A running desk (one pipeline, many messages) picks up routing data
 * imported by another process between two messages, without a restart. */
Test(pipeline, routing_data_refreshed_while_running)
{
	static const char fmt[] =
		"From: Bob <bob@example.org>\nTo: irt@csirt.example\nSubject: SSH brute force\n"
		"Message-ID: <refresh-%d@example.org>\nDate: Mon, 23 Nov 2026 10:00:00 +0000\n\n"
		"Password guessing against our SSH server from 198.51.100.23 (logs in UTC):\n"
		"Nov 23 09:00:01 gw sshd[1]: Failed password for root from 198.51.100.23 port 40000 ssh2\n"
		"Nov 23 09:00:02 gw sshd[1]: Failed password for root from 198.51.100.23 port 40002 ssh2\n";
	char raw[1024];
	struct pipeline_result res;
	snprintf(raw, sizeof(raw), fmt, 1);
	feed_ok(raw, "bob@example.org", &res);
	cr_expect_eq(res.route.unknown, 1, "before the import: unknown got %zu, want 1", res.route.unknown);
	cr_expect_eq(res.route.inside, 0, "before the import: inside got %zu, want 0", res.route.inside);
	pipeline_result_clear(&res);

	/* another process (`abusedesk constituency import`) commits new data */
	struct store *other = NULL;
	char *err = NULL;
	cr_assert_eq(store_open(url, &other, &err), 0, "store_open: %s", err ? err : "");
	struct org_range range;
	cr_assert(ip_parse_cstr("198.51.100.0", &range.first) && ip_parse_cstr("198.51.100.255", &range.last));
	struct org o = { .id = "lab", .name = "Lab", .security = "sec@lab.example", .support = "", .domains = "lab.example",
			 .asns = "", .notify_auto = "", .ranges = &range, .n_ranges = 1 };
	cr_assert_eq(store_begin(other), 0);
	cr_assert_eq(store_org_replace_all(other, &o, 1), 0);
	cr_assert_eq(store_commit(other), 0);
	store_close(other);

	snprintf(raw, sizeof(raw), fmt, 2);
	clock_now += 60;
	feed_ok(raw, "bob@example.org", &res);
	cr_expect_eq(res.route.inside, 1, "after the import: inside got %zu, want 1", res.route.inside);
	cr_expect_eq(res.route.notifications_held, 1, "after the import: held got %zu, want 1",
		     res.route.notifications_held);
	pipeline_result_clear(&res);
	pipeline_release(&pl);
}

/* Queues n distinct reports from different senders; their ids in ids[]. */
static void queue_reports(int64_t *ids, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char raw[256], from[64];
		snprintf(from, sizeof(from), "batch%zu@reports.example.org", i);
		snprintf(raw, sizeof(raw),
			 "From: %s\nTo: irt@csirt.example\nSubject: scan from 192.0.2.%zu\nMessage-ID: <batch-%zu@x>\n\n"
			 "192.0.2.%zu scanned us.\n",
			 from, i + 1, i, i + 1);
		bool dup;
		cr_assert_eq(store_inbound_add(pl.store, raw, strlen(raw), from, "irt@csirt.example", clock_now, &ids[i], &dup), 0);
	}
}

/* serve's workers: several queued messages claimed and stored together,
 * each its own ticket and acknowledgment, once. */
Test(pipeline, batch_makes_one_ticket_each)
{
	int64_t ids[3];
	queue_reports(ids, 3);
	struct pipeline_result res[PIPELINE_BATCH_MAX];
	size_t n = 0;
	cr_assert_eq(pipeline_process_batch(&pl, clock_now, PIPELINE_BATCH_MAX, res, &n), 0);
	cr_assert_eq(n, 3, "processed %zu, want 3", n);
	for (size_t i = 0; i < n; i++) {
		cr_expect_eq(res[i].status, 0, "message %zu: %s", i, res[i].error ? res[i].error : "");
		cr_expect_eq(res[i].message, ids[i]);
		cr_expect(res[i].is_new_ticket && res[i].ack_queued, "message %zu: no new ticket or no ack", i);
		for (size_t k = 0; k < i; k++)
			cr_expect_neq(res[i].ticket, res[k].ticket, "messages %zu and %zu share a ticket", k, i);
		pipeline_result_clear(&res[i]);
	}
	cr_expect_eq(outbox_count(), 3, "acknowledgments: %zu, want 3", outbox_count());
	cr_expect_eq(pipeline_process_batch(&pl, clock_now, PIPELINE_BATCH_MAX, res, &n), -ENOENT);
}

/* One message of a batch fails: the batch's transaction is undone and the
 * messages are redone one by one; the others are kept, the failing one
 * alone waits for its retry. */
Test(pipeline, batch_with_a_failure_keeps_the_others)
{
	int64_t ids[3];
	queue_reports(ids, 3);
	/* The same trap in each dialect: finishing the second message fails. */
	char sql[512];
	if (testdb_is_pg())
		snprintf(sql, sizeof(sql),
			 "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS"
			 " $$BEGIN RAISE EXCEPTION 'injected failure'; END$$;"
			 " CREATE TRIGGER boom BEFORE UPDATE OF state ON message"
			 " FOR EACH ROW WHEN (NEW.state = 'done' AND NEW.id = %lld) EXECUTE FUNCTION boom()",
			 (long long)ids[1]);
	else
		snprintf(sql, sizeof(sql),
			 "CREATE TRIGGER boom BEFORE UPDATE OF state ON message WHEN NEW.state = 'done' AND NEW.id = %lld"
			 " BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
			 (long long)ids[1]);
	cr_assert_eq(testdb_exec(url, sql), 0, "trigger: %s", testdb_why());

	struct pipeline_result res[PIPELINE_BATCH_MAX];
	size_t n = 0;
	cr_assert_eq(pipeline_process_batch(&pl, clock_now, PIPELINE_BATCH_MAX, res, &n), 0);
	cr_assert_eq(n, 3, "processed %zu, want 3", n);
	for (size_t i = 0; i < n; i++) {
		if (i == 1) {
			cr_expect(res[i].status < 0, "the poisoned message succeeded");
			cr_expect(res[i].error && strstr(res[i].error, "injected failure"), "error: %s",
				  res[i].error ? res[i].error : "(null)");
			cr_expect_eq(res[i].ticket, 0);
		} else {
			cr_expect_eq(res[i].status, 0, "message %zu: %s", i, res[i].error ? res[i].error : "");
			cr_expect(res[i].ticket > 0 && res[i].ack_queued, "message %zu: no ticket or no ack", i);
		}
		pipeline_result_clear(&res[i]);
	}
	cr_expect_eq(outbox_count(), 2, "acknowledgments: %zu, want 2 (one per kept message)", outbox_count());
	struct message m;
	cr_assert_eq(store_message_get(pl.store, ids[1], false, &m), 0);
	cr_expect_eq(m.state, MESSAGE_QUEUED, "the failed message is %s, want queued", message_state_name(m.state));
	cr_expect_eq(m.attempts, 1);
	message_clear(&m);
	/* Not due at once; later it is claimed alone and fails again alone. */
	cr_expect_eq(pipeline_process_batch(&pl, clock_now, PIPELINE_BATCH_MAX, res, &n), -ENOENT);
	cr_assert_eq(pipeline_process_batch(&pl, clock_now + 3600, PIPELINE_BATCH_MAX, res, &n), 0);
	cr_expect_eq(n, 1);
	cr_expect_eq(res[0].message, ids[1]);
	pipeline_result_clear(&res[0]);
}

/* serve's workers claim ahead: the commit storing a batch claims the next
 * one (counted and leased, durable before it is parsed); a batch claimed
 * ahead and not processed is given back as it was. */
Test(pipeline, batch_claims_the_next_one_ahead)
{
	int64_t ids[3];
	queue_reports(ids, 3);
	pl.is_claim_ahead = true;
	struct pipeline_result res[PIPELINE_BATCH_MAX];
	size_t n = 0;
	cr_assert_eq(pipeline_process_batch(&pl, clock_now, 2, res, &n), 0);
	cr_assert_eq(n, 2, "processed %zu, want 2", n);
	for (size_t i = 0; i < n; i++)
		pipeline_result_clear(&res[i]);
	cr_assert_eq(pl.n_ahead, 1, "claimed ahead: %zu, want 1", pl.n_ahead);
	struct message m;
	cr_assert_eq(store_message_get(pl.store, ids[2], false, &m), 0);
	cr_expect_eq(m.state, MESSAGE_PROCESSING, "claimed ahead: %s, want processing", message_state_name(m.state));
	cr_expect_eq(m.attempts, 1);
	message_clear(&m);
	/* given back: queued again, the attempt not counted */
	pipeline_release(&pl);
	cr_assert_eq(pl.n_ahead, 0);
	cr_assert_eq(store_message_get(pl.store, ids[2], false, &m), 0);
	cr_expect_eq(m.state, MESSAGE_QUEUED, "given back: %s, want queued", message_state_name(m.state));
	cr_expect_eq(m.attempts, 0);
	message_clear(&m);
	/* claimed again and processed from the batch held ahead */
	cr_assert_eq(pipeline_process_batch(&pl, clock_now, 2, res, &n), 0);
	cr_assert_eq(n, 1);
	cr_expect_eq(res[0].message, ids[2]);
	cr_expect_eq(res[0].status, 0, "%s", res[0].error ? res[0].error : "");
	pipeline_result_clear(&res[0]);
	cr_expect_eq(pl.n_ahead, 0);
	cr_expect_eq(pipeline_process_batch(&pl, clock_now, 2, res, &n), -ENOENT);
}

/* What serve's intake puts in a worker's commit (pipeline.before_commit). */
struct shared {
	int calls_after, last_r;
	int64_t id;
};

static int share_one(void *arg, struct store *s, int64_t now)
{
	struct shared *sh = arg;
	static const char raw[] = "From: carol@example.org\nSubject: carried\nMessage-ID: <carried@x>\n\nhello\n";
	struct store_inbound_item it = { .raw = raw, .len = strlen(raw), .env_from = "carol@example.org",
					 .env_to = "irt@csirt.example" };
	int r = store_inbound_add_in_tx(s, &it, 1, now);
	sh->id = it.id;
	return r;
}

static void shared_done(void *arg, struct store *s, int r)
{
	(void)s;
	struct shared *sh = arg;
	sh->calls_after++;
	sh->last_r = r;
}

/* The pipeline claims ahead and lets sh's writes ride on its commits, as
 * serve's intake does. */
static void share_commits_with(struct shared *sh)
{
	pl.is_claim_ahead = true;
	pl.before_commit = share_one;
	pl.after_commit = shared_done;
	pl.commit_arg = sh;
}

/* Writes sharing a batch's commit are undone with it when the batch's
 * transaction fails after them (here: claiming ahead), and after_commit
 * hears of it, so serve's intake stores them itself; the batch's messages
 * are then redone one by one. */
Test(pipeline, shared_commit_falls_with_the_batch)
{
	int64_t ids[2];
	queue_reports(ids, 2);
	struct shared sh = { 0 };
	share_commits_with(&sh);
	/* The trap: claiming the shared message fails. */
	const char *sql = testdb_is_pg()
		? "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS"
		  " $$BEGIN RAISE EXCEPTION 'injected failure'; END$$;"
		  " CREATE TRIGGER boom BEFORE UPDATE OF state ON message FOR EACH ROW"
		  " WHEN (NEW.state = 'processing' AND NEW.env_from = 'carol@example.org') EXECUTE FUNCTION boom()"
		: "CREATE TRIGGER boom BEFORE UPDATE OF state ON message"
		  " WHEN NEW.state = 'processing' AND NEW.env_from = 'carol@example.org'"
		  " BEGIN SELECT RAISE(ABORT, 'injected failure'); END";
	cr_assert_eq(testdb_exec(url, sql), 0, "trigger: %s", testdb_why());
	struct pipeline_result res[PIPELINE_BATCH_MAX];
	size_t n = 0;
	cr_assert_eq(pipeline_process_batch(&pl, clock_now, PIPELINE_BATCH_MAX, res, &n), 0);
	cr_assert_eq(n, 2);
	for (size_t i = 0; i < n; i++) {
		cr_expect(res[i].status == 0 && res[i].ticket > 0, "message %zu: %s", i, res[i].error ? res[i].error : "");
		pipeline_result_clear(&res[i]);
	}
	cr_expect_eq(sh.calls_after, 1, "after_commit called %d times, want 1", sh.calls_after);
	cr_expect(sh.last_r < 0, "the failed batch's shared writes reported kept");
	int64_t queued = 0, processing = 0;
	cr_assert_eq(store_inbound_count(pl.store, MESSAGE_QUEUED, &queued), 0);
	cr_assert_eq(store_inbound_count(pl.store, MESSAGE_PROCESSING, &processing), 0);
	cr_expect_eq(queued + processing, 0, "%lld queued, %lld processing: the shared message was kept",
		     (long long)queued, (long long)processing);
	cr_expect_eq(pl.n_ahead, 0, "a rolled-back claim is held");
}

Test(pipeline, shared_commit_is_kept_and_claimed_ahead)
{
	int64_t ids[2];
	queue_reports(ids, 2);
	struct shared sh = { 0 };
	share_commits_with(&sh);
	struct pipeline_result res[PIPELINE_BATCH_MAX];
	size_t n = 0;
	cr_assert_eq(pipeline_process_batch(&pl, clock_now, PIPELINE_BATCH_MAX, res, &n), 0);
	cr_assert_eq(n, 2);
	for (size_t i = 0; i < n; i++) {
		cr_expect_eq(res[i].status, 0, "message %zu: %s", i, res[i].error ? res[i].error : "");
		pipeline_result_clear(&res[i]);
	}
	cr_expect_eq(sh.calls_after, 1, "after_commit called %d times, want 1", sh.calls_after);
	cr_expect_eq(sh.last_r, 0);
	cr_assert(sh.id > 0, "the shared message has no id");
	cr_assert_eq(pl.n_ahead, 1, "claimed ahead: %zu, want 1 (the shared message)", pl.n_ahead);
	cr_expect_eq(pl.ahead[0].id, sh.id);
	pl.before_commit = NULL;
	cr_assert_eq(pipeline_process_batch(&pl, clock_now, PIPELINE_BATCH_MAX, res, &n), 0);
	cr_assert_eq(n, 1);
	cr_expect_eq(res[0].message, sh.id);
	cr_expect(res[0].status == 0 && res[0].ticket > 0, "the shared message made no ticket");
	pipeline_result_clear(&res[0]);
}
