/*
 * The store door, the same rows on every backend: this file runs in suite
 * 'unit' on SQLite and in suite 'pg' on PostgreSQL (testdb.h).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "testdb.h"

#define BASE 100001

static char *url;
static struct store *s;

static void setup(void)
{
	url = testdb_url();
	if (!url)
		cr_skip_test("%s", testdb_why());
	char *err = NULL;
	int r = store_open(url, &s, &err);
	cr_assert_eq(r, 0, "store_open(%s): got %d (%s), want 0", url, r, err ? err : "");
	r = store_migrate(s, BASE);
	cr_assert_eq(r, 0, "store_migrate: got %d (%s), want 0", r, store_errmsg(s));
}

static void teardown(void)
{
	s = store_close(s);
	testdb_drop(url);
	url = NULL;
}

TestSuite(store_backends, .init = setup, .fini = teardown);

static int64_t new_ticket(const char *subject, enum ticket_kind kind, enum ticket_status status)
{
	struct ticket t = { .kind = kind, .status = status, .subject = (char *)subject, .created_at = 1000 };
	int64_t n = 0;
	int r = store_ticket_create(s, &t, &n);
	cr_assert_eq(r, 0, "ticket_create(%s): got %d (%s), want 0", subject, r, store_errmsg(s));
	return n;
}

Test(store_backends, backend_is_the_one_asked_for)
{
	const char *want = testdb_is_pg() ? "postgresql" : "sqlite";
	cr_assert_str_eq(store_backend_name(s), want, "backend: got %s, want %s", store_backend_name(s), want);
	int64_t v = 0;
	cr_assert_eq(store_schema_version(s, &v), 0);
	cr_assert_eq(v, store_schema_latest(), "schema version: got %lld, want %lld", (long long)v,
		     (long long)store_schema_latest());
}

Test(store_backends, migrate_twice_and_base_only_raises)
{
	/* A second migrate (every command runs one) changes nothing, and a
	 * lower ticket_base never lowers the sequence, not even before the
	 * first ticket was taken. */
	cr_assert_eq(store_migrate(s, 5), 0, "migrate with a lower base: %s", store_errmsg(s));
	int64_t first = new_ticket("a", TICKET_REPORT, TICKET_NEW);
	cr_assert_eq(store_migrate(s, BASE), 0, "second migrate: %s", store_errmsg(s));
	cr_assert_eq(store_migrate(s, 5), 0, "migrate with a lower base: %s", store_errmsg(s));
	int64_t second = new_ticket("b", TICKET_REPORT, TICKET_NEW);
	cr_assert_eq(first, BASE, "first ticket: got %lld, want %d", (long long)first, BASE);
	cr_assert_eq(second, BASE + 1, "second ticket: got %lld, want %d", (long long)second, BASE + 1);
	cr_assert_eq(store_migrate(s, 500000), 0);
	int64_t third = new_ticket("c", TICKET_REPORT, TICKET_NEW);
	cr_assert_eq(third, 500000, "after raising the base: got %lld, want 500000", (long long)third);
}

Test(store_backends, ticket_numbers_survive_rollback_unique)
{
	/* A rolled-back ticket may leave a gap (PostgreSQL sequences do) but
	 * never a repeat. */
	int64_t a = new_ticket("a", TICKET_REPORT, TICKET_NEW);
	cr_assert_eq(store_begin(s), 0);
	int64_t b = new_ticket("b", TICKET_REPORT, TICKET_NEW);
	cr_assert_eq(store_rollback(s), 0);
	int64_t c = new_ticket("c", TICKET_REPORT, TICKET_NEW);
	cr_assert(c > a, "after rollback: got %lld, want > %lld", (long long)c, (long long)a);
	cr_assert(b > a, "in the rolled-back transaction: got %lld, want > %lld", (long long)b, (long long)a);
	struct ticket t;
	cr_assert_eq(store_ticket_get(s, b, &t), c == b ? 0 : -ENOENT, "rolled-back ticket %lld", (long long)b);
	if (c == b)
		ticket_clear(&t);
}

static const struct {
	const char *raw;
	size_t len;
	const char *from;
	const char *to;
	bool want_duplicate;
} intake_rows[] = {
	{ "Subject: a\r\n\r\nbody\r\n", 19, "x@example.org", "abuse@desk.example", false },
	{ "Subject: a\r\n\r\nbody\r\n", 19, "x@example.org", "abuse@desk.example", true },	/* MTA retry */
	{ "Subject: a\r\n\r\nbody\r\n", 19, "y@example.org", "abuse@desk.example", false },	/* other sender */
	{ "Subject: a\r\n\r\nbody\r\n", 19, "x@example.org", "cert@desk.example", false },	/* other rcpt */
	{ "bin\0ary\xff\x00\x01", 11, "", "abuse@desk.example", false },	/* NUL, 8-bit, null sender */
	{ "bin\0ary\xff\x00\x01", 11, "", "abuse@desk.example", true },
};

Test(store_backends, inbound_add_dedups_and_keeps_bytes)
{
	int64_t ids[sizeof(intake_rows) / sizeof(intake_rows[0])];
	for (size_t i = 0; i < sizeof(intake_rows) / sizeof(intake_rows[0]); i++) {
		bool dup = false;
		int r = store_inbound_add(s, intake_rows[i].raw, intake_rows[i].len, intake_rows[i].from, intake_rows[i].to,
					  2000, &ids[i], &dup);
		cr_assert_eq(r, 0, "row %zu: got %d (%s), want 0", i, r, store_errmsg(s));
		cr_assert_eq(dup, intake_rows[i].want_duplicate, "row %zu duplicate: got %d, want %d", i, dup,
			     intake_rows[i].want_duplicate);
		if (dup)
			cr_assert_eq(ids[i], ids[i - 1], "row %zu: got id %lld, want the earlier %lld", i, (long long)ids[i],
				     (long long)ids[i - 1]);
		struct message m;
		r = store_message_get(s, ids[i], true, &m);
		cr_assert_eq(r, 0, "row %zu get: got %d", i, r);
		cr_assert_eq(m.raw_len, intake_rows[i].len, "row %zu raw length: got %zu, want %zu", i, m.raw_len,
			     intake_rows[i].len);
		cr_assert(!memcmp(m.raw, intake_rows[i].raw, m.raw_len), "row %zu: raw bytes differ", i);
		cr_assert_str_eq(m.env_from, intake_rows[i].from, "row %zu env_from: got '%s', want '%s'", i, m.env_from,
				 intake_rows[i].from);
		cr_assert_eq(m.state, MESSAGE_QUEUED, "row %zu state: got %d, want queued", i, m.state);
		message_clear(&m);
	}
	int64_t n = 0;
	cr_assert_eq(store_inbound_count(s, MESSAGE_QUEUED, &n), 0);
	cr_assert_eq(n, 4, "queued: got %lld, want 4", (long long)n);
}

Test(store_backends, claim_oldest_then_lease_then_release)
{
	int64_t id[3];
	bool dup;
	for (int i = 0; i < 3; i++) {
		char raw[32];
		snprintf(raw, sizeof(raw), "Subject: %d\r\n\r\nx\r\n", i);
		cr_assert_eq(store_inbound_add(s, raw, strlen(raw), "a@b", "c@d", 100, &id[i], &dup), 0);
	}
	static const struct {
		int64_t now;
		int want_r;
		int want_index;		/* into id[] */
		int64_t want_attempts;
	} rows[] = {
		{ 1000, 0, 0, 1 },	/* oldest first */
		{ 1000, 0, 1, 1 },	/* the first is leased: the next one */
		{ 1000, 0, 2, 1 },
		{ 1000, -ENOENT, 0, 0 },	/* all leased */
		{ 1061, 0, 0, 2 },	/* the first lease (60 s) ran out: again, attempt 2 */
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct message m;
		int r = store_inbound_claim(s, rows[i].now, 60, &m);
		cr_assert_eq(r, rows[i].want_r, "row %zu: got %d (%s), want %d", i, r, store_errmsg(s), rows[i].want_r);
		if (r < 0)
			continue;
		cr_assert_eq(m.id, id[rows[i].want_index], "row %zu: got message %lld, want %lld", i, (long long)m.id,
			     (long long)id[rows[i].want_index]);
		cr_assert_eq(m.attempts, rows[i].want_attempts, "row %zu attempts: got %lld, want %lld", i,
			     (long long)m.attempts, (long long)rows[i].want_attempts);
		cr_assert(m.raw && m.raw_len > 0, "row %zu: claimed without its bytes", i);
		message_clear(&m);
	}
}

/* serve's workers claim in batches: the oldest due messages together, in
 * one commit, while their bytes fit; a message whose lease ran out (its
 * worker died) comes back alone, after the fresh ones. */
Test(store_backends, batch_claim)
{
	int64_t id[5];
	bool dup;
	for (int i = 0; i < 5; i++) {
		char raw[32];
		snprintf(raw, sizeof(raw), "Subject: %d\r\n\r\nxxxxxxxx\r\n", i);	/* 24 bytes each */
		cr_assert_eq(store_inbound_add(s, raw, strlen(raw), "a@b", "c@d", 100, &id[i], &dup), 0);
	}
	static const struct {
		int64_t now;
		size_t max;
		int64_t bytes_max;
		int want_r;
		size_t want_n;
		int want_first;		/* into id[] */
		int64_t want_attempts;
	} rows[] = {
		{ 1000, 2, 1000, 0, 2, 0, 1 },		/* the two oldest */
		{ 1000, 8, 50, 0, 2, 2, 1 },		/* the next ones, while their bytes fit in 50 */
		{ 1000, 8, 1, 0, 1, 4, 1 },		/* the first is taken whatever its size */
		{ 1000, 8, 1000, -ENOENT, 0, 0, 0 },	/* all leased */
		{ 1061, 8, 1000, 0, 1, 0, 2 },		/* leases ran out: one at a time, oldest first */
		{ 1061, 8, 1000, 0, 1, 1, 2 },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct message m[8];
		size_t n = 0;
		int r = store_inbound_claim_batch(s, rows[i].now, 60, rows[i].max, rows[i].bytes_max, m, &n);
		cr_assert_eq(r, rows[i].want_r, "row %zu: got %d (%s), want %d", i, r, store_errmsg(s), rows[i].want_r);
		if (r < 0)
			continue;
		cr_assert_eq(n, rows[i].want_n, "row %zu: claimed %zu, want %zu", i, n, rows[i].want_n);
		for (size_t k = 0; k < n; k++) {
			cr_assert_eq(m[k].id, id[rows[i].want_first + (int)k], "row %zu: message %zu is %lld, want %lld", i, k,
				     (long long)m[k].id, (long long)id[rows[i].want_first + (int)k]);
			cr_assert_eq(m[k].attempts, rows[i].want_attempts, "row %zu: attempts %lld, want %lld", i,
				     (long long)m[k].attempts, (long long)rows[i].want_attempts);
			cr_assert(m[k].raw && m[k].raw_len == 24, "row %zu: claimed without its bytes", i);
			message_clear(&m[k]);
		}
	}
}

/* A batch bigger than one claim statement carries (serve claims 32 at a
 * time; the claim goes in chunks): every message once, oldest first,
 * each with its own bytes. */
Test(store_backends, big_batch_claim)
{
	enum { N = 70 };
	int64_t id[N];
	for (int i = 0; i < N; i++) {
		char raw[32];
		snprintf(raw, sizeof(raw), "message %02d", i);
		bool dup;
		cr_assert_eq(store_inbound_add(s, raw, strlen(raw), "a@b", "c@d", 1000, &id[i], &dup), 0);
	}
	struct message *m = calloc(N, sizeof(*m));
	size_t n = 0;
	int r = store_inbound_claim_batch(s, 1000, 60, N, 1 << 20, m, &n);
	cr_assert_eq(r, 0, "got %d (%s)", r, store_errmsg(s));
	cr_assert_eq(n, N, "claimed %zu of %d", n, N);
	for (int i = 0; i < N; i++) {
		char want[32];
		snprintf(want, sizeof(want), "message %02d", i);
		cr_expect_eq(m[i].id, id[i], "message %d is %lld, want %lld", i, (long long)m[i].id, (long long)id[i]);
		cr_expect(m[i].raw_len == strlen(want) && !memcmp(m[i].raw, want, m[i].raw_len), "message %d's bytes", i);
		cr_expect_eq(m[i].attempts, 1);
		message_clear(&m[i]);
	}
	free(m);
}

Test(store_backends, released_message_waits_for_its_retry_time)
{
	int64_t id;
	bool dup;
	cr_assert_eq(store_inbound_add(s, "m", 1, "a@b", "c@d", 100, &id, &dup), 0);
	struct message m;
	cr_assert_eq(store_inbound_claim(s, 100, 60, &m), 0);
	cr_assert_eq(store_inbound_release(s, id, m.attempts, "try later", 5000), 0);
	message_clear(&m);
	static const struct {
		int64_t now;
		int want_r;
	} rows[] = { { 161, -ENOENT }, { 4999, -ENOENT }, { 5000, 0 } };
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int r = store_inbound_claim(s, rows[i].now, 60, &m);
		cr_assert_eq(r, rows[i].want_r, "claim at %lld: got %d, want %d", (long long)rows[i].now, r, rows[i].want_r);
		if (r == 0) {
			cr_assert_eq(m.attempts, 2, "attempts: got %lld, want 2", (long long)m.attempts);
			cr_assert_str_eq(m.error, "try later");
			message_clear(&m);
		}
	}
}

Test(store_backends, ticket_list_filters)
{
	new_ticket("r-new", TICKET_REPORT, TICKET_NEW);
	new_ticket("r-open", TICKET_REPORT, TICKET_OPEN);
	new_ticket("r-resolved", TICKET_REPORT, TICKET_RESOLVED);
	int64_t i1 = new_ticket("i-new", TICKET_INCIDENT, TICKET_NEW);
	int64_t i2 = new_ticket("i-new-2", TICKET_INCIDENT, TICKET_NEW);
	cr_assert_eq(store_ticket_merge(s, i2, i1, 3000), 0, "merge: %s", store_errmsg(s));
	static const struct {
		struct ticket_filter f;
		size_t want;
	} rows[] = {
		{ { 0 }, 4 },						/* merged ones hidden */
		{ { .include_merged = true }, 5 },
		{ { .status = "new" }, 2 },
		{ { .status = "active" }, 3 },
		{ { .status = "resolved" }, 1 },
		{ { .kind = "incident" }, 1 },
		{ { .kind = "incident", .include_merged = true }, 2 },
		{ { .status = "active", .kind = "report" }, 2 },
		{ { .limit = 2 }, 2 },
		{ { .before = BASE + 2 }, 2 },
		{ { .status = "nonesuch" }, 0 },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct ticket *a = NULL;
		size_t n = 0;
		int r = store_ticket_list(s, &rows[i].f, &a, &n);
		cr_assert_eq(r, 0, "row %zu: got %d (%s)", i, r, store_errmsg(s));
		cr_assert_eq(n, rows[i].want, "row %zu: got %zu tickets, want %zu", i, n, rows[i].want);
		for (size_t k = 1; k < n; k++)
			cr_assert(a[k].number < a[k - 1].number, "row %zu: not newest first", i);
		ticket_array_free(a, n);
	}
	int64_t final = 0;
	cr_assert_eq(store_ticket_follow(s, i2, &final), 0);
	cr_assert_eq(final, i1, "follow: got %lld, want %lld", (long long)final, (long long)i1);
}

Test(store_backends, updates_of_missing_rows_are_enoent)
{
	static const struct {
		const char *what;
		int64_t number;
	} rows[] = { { "status", 42 }, { "ack", 43 }, { "touch", 44 } };
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int r = i == 0 ? store_ticket_set_status(s, rows[i].number, TICKET_OPEN, 1)
		      : i == 1 ? store_ticket_set_ack(s, rows[i].number, "queued", NULL)
			       : store_ticket_touch(s, rows[i].number, 1);
		cr_assert_eq(r, -ENOENT, "%s on a missing ticket: got %d, want -ENOENT", rows[i].what, r);
	}
	struct ticket t;
	cr_assert_eq(store_ticket_get(s, 7, &t), -ENOENT);
	cr_assert_eq(store_outbox_mark_sent(s, 99, 1), -ENOENT);
}

Test(store_backends, outbox_claim_send_retry)
{
	int64_t t = new_ticket("x", TICKET_REPORT, TICKET_NEW);
	struct message_fields f = { .message_id = "<a@desk>", .subject = "ack" };
	int64_t ob[2];
	cr_assert_eq(store_begin(s), 0);
	cr_assert_eq(store_outbound_add(s, t, OUTBOX_ACK, "", "r@example.org", OUTBOX_QUEUED, "bytes\0x", 7, &f, 100,
					&ob[0]), 0, "%s", store_errmsg(s));
	cr_assert_eq(store_outbound_add(s, t, OUTBOX_REPLY, "desk@x", "r@example.org", OUTBOX_HELD, "held", 4, &f, 100,
					&ob[1]), 0, "%s", store_errmsg(s));
	cr_assert_eq(store_commit(s), 0);
	struct outbox_item o;
	cr_assert_eq(store_outbox_claim(s, 100, 300, &o), 0, "%s", store_errmsg(s));
	cr_assert_eq(o.id, ob[0], "claimed: got %lld, want %lld", (long long)o.id, (long long)ob[0]);
	cr_assert_eq(o.raw_len, 7u, "raw length: got %zu, want 7", o.raw_len);
	cr_assert(!memcmp(o.raw, "bytes\0x", 7), "raw bytes differ");
	cr_assert_str_eq(o.message_id, "<a@desk>");
	outbox_item_clear(&o);
	cr_assert_eq(store_outbox_claim(s, 100, 300, &o), -ENOENT, "the held row or a leased one was claimed");
	cr_assert_eq(store_outbox_mark_retry(s, ob[0], 200, "451 later"), 0);
	cr_assert_eq(store_outbox_claim(s, 200, 300, &o), 0);
	cr_assert_eq(o.attempts, 2, "attempts: got %lld, want 2", (long long)o.attempts);
	outbox_item_clear(&o);
	cr_assert_eq(store_outbox_mark_sent(s, ob[0], 201), 0);
	int64_t n = 0;
	cr_assert_eq(store_outbox_count_to(s, "r@example.org", OUTBOX_ACK, 0, &n), 0);
	cr_assert_eq(n, 1, "acks to r@: got %lld, want 1", (long long)n);
	int64_t by = 0;
	cr_assert_eq(store_ticket_by_sent_message_id(s, "<a@desk>", &by), 0);
	cr_assert_eq(by, t, "by Message-ID: got %lld, want %lld", (long long)by, (long long)t);
	struct outbox_item *a = NULL;
	size_t na = 0;
	cr_assert_eq(store_outbox_list(s, &(struct outbox_filter){ .state = "sent" }, &a, &na), 0);
	cr_assert_eq(na, 1u, "sent rows: got %zu, want 1", na);
	outbox_array_free(a, na);
	cr_assert_eq(store_audit_add(s, 0, "test", "noop", NULL, 1), 0, "audit without ticket: %s", store_errmsg(s));
	cr_assert_eq(store_audit_add(s, t, "test", "noop", "d", 1), 0, "audit: %s", store_errmsg(s));
}

Test(store_backends, text_fields_round_trip)
{
	/* Valid UTF-8 comes back byte for byte on every backend. Invalid UTF-8
	 * cannot live in a PostgreSQL text column: the backend stores U+FFFD
	 * for each bad byte rather than refusing the message. */
	static const struct {
		const char *in;
		const char *want_sqlite;
		const char *want_pg;
	} rows[] = {
		{ "plain", "plain", "plain" },
		{ "", "", "" },
		{ "Gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80", "Gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80",
		  "Gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80" },
		{ "quote ' and $1 and \\", "quote ' and $1 and \\", "quote ' and $1 and \\" },
		{ "latin1 \xe9t\xe9", "latin1 \xe9t\xe9", "latin1 \xef\xbf\xbdt\xef\xbf\xbd" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int64_t n = new_ticket(rows[i].in, TICKET_REPORT, TICKET_NEW);
		struct ticket t;
		cr_assert_eq(store_ticket_get(s, n, &t), 0);
		const char *want = testdb_is_pg() ? rows[i].want_pg : rows[i].want_sqlite;
		cr_assert_str_eq(t.subject, want, "row %zu: got '%s', want '%s'", i, t.subject, want);
		ticket_clear(&t);
	}
}

Test(store_backends, lost_connection_is_eagain_then_reconnects)
{
	if (!testdb_is_pg())
		cr_skip_test("PostgreSQL only: a SQLite file has no connection to lose");
	int64_t a = new_ticket("before", TICKET_REPORT, TICKET_NEW);
	cr_assert_eq(testdb_pg_cut_sessions(url), 0, "%s", testdb_why());
	/* Outside a transaction: this call fails, the next one reconnects. */
	struct ticket t;
	int r = store_ticket_get(s, a, &t);
	cr_assert_eq(r, -EAGAIN, "first call after the cut: got %d, want -EAGAIN", r);
	r = store_ticket_get(s, a, &t);
	cr_assert_eq(r, 0, "second call: got %d (%s), want 0 (reconnected)", r, store_errmsg(s));
	ticket_clear(&t);

	/* Inside a transaction: nothing after the cut may run outside it, and
	 * the commit must not look successful. */
	cr_assert_eq(store_begin(s), 0);
	int64_t b = new_ticket("in the lost transaction", TICKET_REPORT, TICKET_NEW);
	cr_assert_eq(testdb_pg_cut_sessions(url), 0);
	r = store_ticket_set_status(s, b, TICKET_OPEN, 5);
	cr_assert_eq(r, -EAGAIN, "call inside the lost transaction: got %d, want -EAGAIN", r);
	r = store_ticket_touch(s, b, 6);
	cr_assert_eq(r, -EAGAIN, "a later call before rollback: got %d, want -EAGAIN", r);
	r = store_commit(s);
	cr_assert_eq(r, -EAGAIN, "commit of the lost transaction: got %d, want -EAGAIN", r);
	cr_assert_eq(store_rollback(s), 0);
	r = store_ticket_get(s, b, &t);
	cr_assert_eq(r, -ENOENT, "ticket of the lost transaction: got %d, want -ENOENT", r);

	/* Intake after a cut: -EAGAIN (the MTA retries), then stored once. */
	cr_assert_eq(testdb_pg_cut_sessions(url), 0);
	int64_t id = 0;
	bool dup = false;
	r = store_inbound_add(s, "m", 1, "a@b", "c@d", 1, &id, &dup);
	cr_assert_eq(r, -EAGAIN, "intake after the cut: got %d, want -EAGAIN", r);
	r = store_inbound_add(s, "m", 1, "a@b", "c@d", 1, &id, &dup);
	cr_assert_eq(r, 0, "intake retried: got %d (%s)", r, store_errmsg(s));
	cr_assert(!dup, "the failed attempt was stored after all");
}
