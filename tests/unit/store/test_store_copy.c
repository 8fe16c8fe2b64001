/*
 * store_copy (abusedesk migrate): a SQLite desk copied into the store of
 * this run (SQLite in suite 'unit', PostgreSQL in suite 'pg') keeps every
 * ticket, number, message id and outbox row, field by field.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "net/ip.h"
#include "store/store.h"
#include "testdb.h"

static char *src_dir;
static char *src_url;
static char *dst_url;
static struct store *src, *dst;

static struct store *open_migrated(const char *url, int64_t base)
{
	struct store *st = NULL;
	char *err = NULL;
	int r = store_open(url, &st, &err);
	cr_assert_eq(r, 0, "store_open(%s): got %d (%s)", url, r, err ? err : "");
	r = store_migrate(st, base);
	cr_assert_eq(r, 0, "migrate %s: %s", url, store_errmsg(st));
	return st;
}

static void setup(void)
{
	dst_url = testdb_url();
	if (!dst_url)
		cr_skip_test("%s", testdb_why());
	char tmpl[] = "/tmp/abusedesk-copy.XXXXXX";
	cr_assert(mkdtemp(tmpl));
	src_dir = strdup(tmpl);
	size_t n = strlen(tmpl) + 16;
	src_url = malloc(n);
	snprintf(src_url, n, "%s/src.db", tmpl);
	src = open_migrated(src_url, 100001);
	dst = open_migrated(dst_url, 100001);
}

static void teardown(void)
{
	src = store_close(src);
	dst = store_close(dst);
	testdb_drop(dst_url);
	if (src_url) {
		char p[512];
		const char *suffixes[] = { "", "-wal", "-shm" };
		for (size_t i = 0; i < 3; i++) {
			snprintf(p, sizeof(p), "%s%s", src_url, suffixes[i]);
			unlink(p);
		}
		rmdir(src_dir);
	}
	free(src_url);
	free(src_dir);
}

TestSuite(store_copy, .init = setup, .fini = teardown);

/* A small desk: tickets with gaps in the numbers, a merge, inbound mail in
 * every state, acknowledgments in the outbox, an audit trail. */
static void fill(struct store *st, size_t n_tickets)
{
	for (size_t i = 0; i < n_tickets; i++) {
		char raw[128], subject[64];
		snprintf(subject, sizeof(subject), "report %zu \xc3\xa9", i);
		snprintf(raw, sizeof(raw), "Subject: %s\r\n\r\nbody %zu\r\n", subject, i);
		int64_t id = 0;
		bool dup = false;
		cr_assert_eq(store_inbound_add(st, raw, strlen(raw), "r@example.org", "abuse@desk", 1000 + (int64_t)i, &id,
					       &dup), 0);
		struct message m;
		cr_assert_eq(store_inbound_claim(st, 2000, 60, &m), 0);
		cr_assert_eq(m.id, id);
		int64_t attempts = m.attempts;
		message_clear(&m);
		cr_assert_eq(store_begin(st), 0);
		struct ticket t = { .kind = i % 3 ? TICKET_REPORT : TICKET_INCIDENT,
				    .status = (enum ticket_status)(i % TICKET_STATUS_COUNT),
				    .subject = subject,
				    .reporter = "r@example.org",
				    .classification = "abusive-content/spam",
				    .ack = i % 2 ? "queued" : "withheld",
				    .ack_note = i % 2 ? "" : "auto-submitted",
				    .needs_analyst = i % 5 == 0,
				    .created_at = 3000 + (int64_t)i };
		int64_t number = 0;
		cr_assert_eq(store_ticket_create(st, &t, &number), 0);
		struct message_fields f = { .message_id = "<in@x>", .subject = subject, .body_text = "body" };
		cr_assert_eq(store_inbound_finish(st, id, attempts, number, &f, 3000), 0);
		char mid[64];
		snprintf(mid, sizeof(mid), "<ack-%zu@desk>", i);
		struct message_fields o = { .message_id = mid, .subject = subject };
		cr_assert_eq(store_outbound_add(st, number, OUTBOX_ACK, "", "r@example.org",
						i % 4 ? OUTBOX_QUEUED : OUTBOX_HELD, "ack\0bytes", 9, &o, 3000, NULL), 0);
		cr_assert_eq(store_audit_add(st, number, "pipeline", "created", subject, 3000), 0);
		static const struct store_check checks[] = {
			{ "source", "present", "" },
			{ "time", "missing", "no timestamps" },
			{ "zone", "doubtful", "times without a zone" },
		};
		char report[96];
		snprintf(report, sizeof(report), "{\"ticket\": %lld, \"note\": \"caf\u00e9\"}", (long long)number);
		int64_t ev = 0;
		cr_assert_eq(store_evidence_add(st, number, id, "scan", (int64_t)i, report, checks, 3, 3000, &ev), 0, "%s",
			     store_errmsg(st));
		if (i % 7 == 3)
			cr_assert_eq(store_rollback(st), 0);	/* the inbound message stays in processing */
		else
			cr_assert_eq(store_commit(st), 0);
	}
	/* Routing data: the constituency, contacts, import handles, incident
	 * links (text and composite keys). */
	struct org_range ranges[2];
	cr_assert(ip_parse_cstr("192.0.2.0", &ranges[0].first) && ip_parse_cstr("192.0.2.255", &ranges[0].last));
	cr_assert(ip_parse_cstr("2001:db8::", &ranges[1].first) && ip_parse_cstr("2001:db8::ffff", &ranges[1].last));
	struct org orgs[] = {
		{ .id = "uni-a", .name = "University A", .security = "cert@uni-a.example", .support = "", .domains = "uni-a.example",
		  .asns = "", .notify_auto = "*", .ranges = ranges, .n_ranges = 2 },
		{ .id = "college-b", .name = "College B \xc3\xa9", .security = "sec@college-b.example", .support = "it@b",
		  .domains = "", .asns = "AS64500", .notify_auto = "", .ranges = ranges, .n_ranges = 1 },
	};
	cr_assert_eq(store_begin(st), 0);
	cr_assert_eq(store_org_replace_all(st, orgs, 2), 0, "%s", store_errmsg(st));
	struct net_contact nc = { .mailbox = "abuse@isp.example", .netname = "ISP-NET", .origin = "inetnum 198.51.100.0 - 198.51.100.255" };
	cr_assert(ip_parse_cstr("198.51.100.0", &nc.first) && ip_parse_cstr("198.51.100.255", &nc.last));
	cr_assert_eq(store_contact_add(st, &nc), 0, "%s", store_errmsg(st));
	nc.is_override = true;
	nc.mailbox = "noc@isp.example";
	cr_assert_eq(store_contact_add(st, &nc), 0, "%s", store_errmsg(st));
	struct net_policy np = { .mailbox = "", .xarf = 1, .has_auto = true, .notify_auto = "spam", .origin = "o:1" };
	np.first = nc.first;
	np.last = nc.last;
	cr_assert_eq(store_net_policy_add(st, &np), 0, "%s", store_errmsg(st));
	np = (struct net_policy){ .mailbox = "noc@isp.example", .xarf = -1, .notify_auto = "", .origin = "o:2" };
	cr_assert_eq(store_net_policy_add(st, &np), 0, "%s", store_errmsg(st));
	cr_assert_eq(store_contact_handle_add(st, "role", "AB1-RIPE", "abuse@isp.example"), 0, "%s", store_errmsg(st));
	cr_assert_eq(store_contact_handle_add(st, "org", "ORG-X", "x@isp.example"), 0, "%s", store_errmsg(st));
	cr_assert_eq(store_incident_link(st, 100001, 100001, "198.51.100.9", 12, 9000), 0, "%s", store_errmsg(st));
	cr_assert_eq(store_incident_link(st, 100001, 100002, "198.51.100.7", 3, 9000), 0, "%s", store_errmsg(st));
	cr_assert_eq(store_incident_link(st, 100001, 100002, "198.51.100.8", 1, 9000), 0, "%s", store_errmsg(st));
	cr_assert_eq(store_commit(st), 0, "%s", store_errmsg(st));
	/* One message still queued, one merge. */
	int64_t id;
	bool dup;
	cr_assert_eq(store_inbound_add(st, "queued", 6, "q@x", "abuse@desk", 9000, &id, &dup), 0);
	cr_assert_eq(store_ticket_merge(st, 100002, 100001, 9001), 0, "%s", store_errmsg(st));
}

static void same_ticket(int64_t number)
{
	struct ticket a, b;
	cr_assert_eq(store_ticket_get(src, number, &a), 0);
	int r = store_ticket_get(dst, number, &b);
	cr_assert_eq(r, 0, "ticket %lld in the copy: got %d, want 0", (long long)number, r);
	cr_assert_eq(a.kind, b.kind, "ticket %lld kind: got %d, want %d", (long long)number, b.kind, a.kind);
	cr_assert_eq(a.status, b.status, "ticket %lld status", (long long)number);
	cr_assert_str_eq(a.subject, b.subject, "ticket %lld subject: got '%s', want '%s'", (long long)number, b.subject,
			 a.subject);
	cr_assert_str_eq(a.reporter, b.reporter);
	cr_assert_str_eq(a.classification, b.classification);
	cr_assert_str_eq(a.ack, b.ack);
	cr_assert_str_eq(a.ack_note, b.ack_note);
	cr_assert_eq(a.merged_into, b.merged_into, "ticket %lld merged_into: got %lld, want %lld", (long long)number,
		     (long long)b.merged_into, (long long)a.merged_into);
	cr_assert_eq(a.needs_analyst, b.needs_analyst);
	cr_assert_eq(a.created_at, b.created_at);
	cr_assert_eq(a.updated_at, b.updated_at);
	cr_assert_eq(a.n_messages, b.n_messages, "ticket %lld messages: got %lld, want %lld", (long long)number,
		     (long long)b.n_messages, (long long)a.n_messages);
	struct message *ma, *mb;
	size_t na, nb;
	cr_assert_eq(store_ticket_messages(src, number, &ma, &na), 0);
	cr_assert_eq(store_ticket_messages(dst, number, &mb, &nb), 0);
	cr_assert_eq(na, nb);
	for (size_t i = 0; i < na; i++) {
		cr_assert_eq(ma[i].id, mb[i].id, "message id: got %lld, want %lld", (long long)mb[i].id, (long long)ma[i].id);
		cr_assert_str_eq(ma[i].message_id, mb[i].message_id);
		cr_assert_str_eq(ma[i].subject, mb[i].subject);
		cr_assert_eq(ma[i].state, mb[i].state);
		struct message ra, rb;
		cr_assert_eq(store_message_get(src, ma[i].id, true, &ra), 0);
		cr_assert_eq(store_message_get(dst, ma[i].id, true, &rb), 0);
		cr_assert_eq(ra.raw_len, rb.raw_len);
		cr_assert(!memcmp(ra.raw, rb.raw, ra.raw_len), "message %lld: raw bytes differ", (long long)ma[i].id);
		message_clear(&ra);
		message_clear(&rb);
	}
	message_array_free(ma, na);
	message_array_free(mb, nb);
	char *ea = NULL, *eb = NULL;
	int ra = store_evidence_latest(src, number, &ea), rb = store_evidence_latest(dst, number, &eb);
	cr_assert_eq(ra, rb, "ticket %lld evidence: got %d, want %d", (long long)number, rb, ra);
	if (ra == 0)
		cr_assert_str_eq(ea, eb, "ticket %lld evidence: got '%s', want '%s'", (long long)number, eb, ea);
	free(ea);
	free(eb);
	ticket_clear(&a);
	ticket_clear(&b);
}

Test(store_copy, round_trip_counts_and_fields)
{
	fill(src, 40);
	/* An analyst with an API token and a session moves with the desk. */
	int64_t uid = 0;
	cr_assert_eq(store_user_add(src, "analyst", USER_ANALYST, "$argon2id$stand-in-hash", 1000, &uid), 0);
	cr_assert_eq(store_token_add(src, "tokenhash", uid, "script", 1000), 0);
	cr_assert_eq(store_session_add(src, "sessionhash", uid, "csrf", 1000, 4102444800), 0);
	struct store_copy_count counts[STORE_COPY_TABLES_MAX];
	size_t n = 0;
	int r = store_copy(src, dst, counts, &n);
	cr_assert_eq(r, 0, "store_copy: got %d (%s / %s)", r, store_errmsg(src), store_errmsg(dst));
	static const struct {
		const char *table;
		int64_t rows;
	} want[] = { { "ticket", 34 },	 { "message", 75 },	  { "outbox", 34 },	  { "audit", 34 },
		     { "evidence", 34 }, { "evidence_check", 102 }, { "org", 2 },	  { "org_range", 3 },
		     { "net_contact", 2 }, { "rpsl_handle", 2 },	  { "data_version", 1 }, { "incident_link", 3 },
		     { "desk_user", 1 }, { "desk_session", 1 }, { "desk_token", 1 }, { "net_policy", 2 } };
	cr_assert_eq(n, sizeof(want) / sizeof(want[0]), "tables: got %zu", n);
	for (size_t i = 0; i < n; i++) {
		cr_assert_str_eq(counts[i].table, want[i].table);
		cr_assert_eq(counts[i].rows, want[i].rows, "%s: got %lld rows, want %lld", want[i].table,
			     (long long)counts[i].rows, (long long)want[i].rows);
	}
	/* Every table of the schema is copied (or is the backend's own):
	 * a migration that adds a table must add it to store_copy.c. */
	sqlite3 *db = NULL;
	cr_assert_eq(sqlite3_open_v2(src_url, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_stmt *st = NULL;
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table'", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *table = (const char *)sqlite3_column_text(st, 0);
		bool is_copied = !strcmp(table, "seq") || !strcmp(table, "schema_version");
		for (size_t i = 0; i < n; i++)
			is_copied = is_copied || !strcmp(counts[i].table, table);
		cr_expect(is_copied, "table %s is not copied by store_copy (add it to copy_tables)", table);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	/* Routing data, field by field. */
	struct org *oa, *ob;
	size_t noa, nob;
	cr_assert_eq(store_org_list(src, &oa, &noa), 0);
	cr_assert_eq(store_org_list(dst, &ob, &nob), 0, "%s", store_errmsg(dst));
	cr_assert_eq(noa, nob, "orgs: got %zu, want %zu", nob, noa);
	for (size_t i = 0; i < noa; i++) {
		cr_assert_str_eq(oa[i].id, ob[i].id);
		cr_assert_str_eq(oa[i].name, ob[i].name, "org name: got '%s', want '%s'", ob[i].name, oa[i].name);
		cr_assert_str_eq(oa[i].security, ob[i].security);
		cr_assert_str_eq(oa[i].notify_auto, ob[i].notify_auto);
		cr_assert_eq(oa[i].n_ranges, ob[i].n_ranges, "org %s ranges", oa[i].id);
		for (size_t k = 0; k < oa[i].n_ranges; k++)
			cr_assert(ip_equal(&oa[i].ranges[k].first, &ob[i].ranges[k].first) &&
				  ip_equal(&oa[i].ranges[k].last, &ob[i].ranges[k].last), "org %s range %zu", oa[i].id, k);
	}
	org_array_free(oa, noa);
	org_array_free(ob, nob);
	struct incident_link *la, *lb;
	size_t nla, nlb;
	cr_assert_eq(store_incident_links(src, 100001, 0, &la, &nla), 0);
	cr_assert_eq(store_incident_links(dst, 100001, 0, &lb, &nlb), 0, "%s", store_errmsg(dst));
	cr_assert_eq(nla, nlb, "incident links: got %zu, want %zu", nlb, nla);
	for (size_t i = 0; i < nla; i++) {
		cr_assert_eq(la[i].report, lb[i].report);
		cr_assert_str_eq(la[i].source, lb[i].source);
		cr_assert_eq(la[i].events, lb[i].events);
	}
	incident_link_array_free(la, nla);
	incident_link_array_free(lb, nlb);
	int64_t va = 0, vb = 0;
	cr_assert_eq(store_routing_version(src, &va), 0);
	cr_assert_eq(store_routing_version(dst, &vb), 0);
	cr_assert_eq(va, vb, "routing version: got %lld, want %lld", (long long)vb, (long long)va);
	/* Field by field: a sample across the range, the merged pair. */
	static const int64_t sample[] = { 100001, 100002, 100003, 100005, 100010, 100020, 100033, 100034 };
	for (size_t i = 0; i < sizeof(sample) / sizeof(sample[0]); i++)
		same_ticket(sample[i]);
	/* Queues carry on: the queued message is claimable, the queued acks too,
	 * and new tickets and messages continue past the copied ones. */
	struct message m;
	cr_assert_eq(store_inbound_claim(dst, 10000, 60, &m), 0, "%s", store_errmsg(dst));
	message_clear(&m);
	struct outbox_item o;
	cr_assert_eq(store_outbox_claim(dst, 10000, 60, &o), 0, "%s", store_errmsg(dst));
	outbox_item_clear(&o);
	struct ticket nt = { .subject = "after", .created_at = 1 };
	int64_t next = 0;
	cr_assert_eq(store_ticket_create(dst, &nt, &next), 0);
	cr_assert_eq(next, 100035, "next ticket in the copy: got %lld, want 100035", (long long)next);
	int64_t id;
	bool dup;
	cr_assert_eq(store_inbound_add(dst, "new", 3, "n@x", "abuse@desk", 1, &id, &dup), 0, "%s", store_errmsg(dst));
	cr_assert_eq(id, 76, "next message id in the copy: got %lld, want 76", (long long)id);
}

Test(store_copy, refuses_a_target_with_rows)
{
	fill(src, 2);
	fill(dst, 3);
	struct store_copy_count counts[STORE_COPY_TABLES_MAX];
	size_t n = 0;
	int r = store_copy(src, dst, counts, &n);
	cr_assert_eq(r, -EEXIST, "copy into a used store: got %d, want -EEXIST", r);
}
