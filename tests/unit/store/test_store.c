/* store: numbering, intake dedupe, claim/lease/release, merge + follow,
 * outbox claim and retry. Runs on both backends (testdb.h): suite 'unit'
 * on SQLite, suite 'pg' on PostgreSQL. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "testdb.h"

/* One store per test, opened again as often as the test likes. */
static char *url;

static struct store *open_store(int64_t base)
{
	if (!url) {
		url = testdb_url();
		if (!url)
			cr_skip_test("%s", testdb_why());
	}
	struct store *s = NULL;
	char *err = NULL;
	int r = store_open(url, &s, &err);
	cr_assert_eq(r, 0, "store_open: %d %s", r, err ? err : "");
	r = store_migrate(s, base);
	cr_assert_eq(r, 0, "store_migrate: %d %s", r, store_errmsg(s));
	return s;
}

static void cleanup(void)
{
	testdb_drop(url);
	url = NULL;
}

static int64_t new_ticket(struct store *s)
{
	struct ticket t = { .kind = TICKET_REPORT, .status = TICKET_NEW, .subject = "s", .reporter = "r@example.org" };
	int64_t n = 0;
	int r = store_ticket_create(s, &t, &n);
	cr_assert_eq(r, 0, "ticket_create: got %d (%s)", r, store_errmsg(s));
	return n;
}

struct seq_row {
	int64_t base;		/* given to store_migrate before the create */
	int64_t want;		/* number of the ticket created next */
};

/* One database, migrated again with each base in turn. */
static const struct seq_row seq_rows[] = {
	{ 500, 500 },		/* first ticket is the base */
	{ 500, 501 },
	{ 100, 502 },		/* a lower base never goes back */
	{ 100001, 100001 },	/* a higher base raises the floor */
	{ 100001, 100002 },
};

Test(store, sequence_starts_at_base, .fini = cleanup)
{
	for (size_t i = 0; i < sizeof(seq_rows) / sizeof(seq_rows[0]); i++) {
		struct store *s = open_store(seq_rows[i].base);
		int64_t n = new_ticket(s);
		cr_expect_eq(n, seq_rows[i].want, "row %zu base %lld: got %lld, want %lld", i, (long long)seq_rows[i].base,
			     (long long)n, (long long)seq_rows[i].want);
		int64_t v = 0;
		cr_expect_eq(store_schema_version(s, &v), 0);
		cr_expect(v >= 1 && v == store_schema_latest(), "schema version got %lld, want %lld", (long long)v,
			  (long long)store_schema_latest());
		store_close(s);
	}
}

struct dedupe_row {
	const char *raw, *from, *to;
	bool want_dup;
	int want_same_as;	/* row index whose id it must reuse, or -1 */
};

static const struct dedupe_row dedupe_rows[] = {
	{ "Subject: a\n\nx\n", "a@example.org", "irt@csirt.example", false, -1 },
	{ "Subject: a\n\nx\n", "a@example.org", "irt@csirt.example", true, 0 },	/* MTA retry */
	{ "Subject: a\n\nx\n", "b@example.org", "irt@csirt.example", false, -1 },	/* other sender */
	{ "Subject: a\n\nx\n", "a@example.org", "abuse@csirt.example", false, -1 },	/* other recipient */
	{ "Subject: a\n\nx \n", "a@example.org", "irt@csirt.example", false, -1 },	/* one byte more */
	{ "", "", "", false, -1 },
	{ "", "", "", true, 5 },
};

Test(store, inbound_dedupe_by_digest, .fini = cleanup)
{
	struct store *s = open_store(100001);
	int64_t ids[sizeof(dedupe_rows) / sizeof(dedupe_rows[0])];
	for (size_t i = 0; i < sizeof(dedupe_rows) / sizeof(dedupe_rows[0]); i++) {
		const struct dedupe_row *row = &dedupe_rows[i];
		bool dup = !row->want_dup;
		int r = store_inbound_add(s, row->raw, strlen(row->raw), row->from, row->to, 1000, &ids[i], &dup);
		cr_assert_eq(r, 0, "row %zu: got %d (%s)", i, r, store_errmsg(s));
		cr_expect_eq(dup, row->want_dup, "row %zu: duplicate got %d, want %d", i, dup, row->want_dup);
		if (row->want_same_as >= 0)
			cr_expect_eq(ids[i], ids[row->want_same_as], "row %zu: id got %lld, want %lld", i, (long long)ids[i],
				     (long long)ids[row->want_same_as]);
	}
	int64_t n = 0;
	store_inbound_count(s, MESSAGE_QUEUED, &n);
	cr_expect_eq(n, 5, "queued got %lld, want 5", (long long)n);
	/* The stored bytes are the bytes given, NULs included. */
	static const char nul[] = "Subject: n\n\na\0b\0c";
	int64_t id;
	bool dup;
	cr_assert_eq(store_inbound_add(s, nul, sizeof(nul) - 1, "", "", 1000, &id, &dup), 0);
	struct message m;
	cr_assert_eq(store_message_get(s, id, true, &m), 0);
	cr_expect_eq(m.raw_len, sizeof(nul) - 1, "raw_len got %zu, want %zu", m.raw_len, sizeof(nul) - 1);
	cr_expect(m.raw && memcmp(m.raw, nul, sizeof(nul) - 1) == 0, "raw bytes differ");
	message_clear(&m);
	store_close(s);
}

Test(store, claim_lease_release, .fini = cleanup)
{
	struct store *s = open_store(100001);
	int64_t a, b;
	bool dup;
	cr_assert_eq(store_inbound_add(s, "A", 1, "", "", 1000, &a, &dup), 0);
	cr_assert_eq(store_inbound_add(s, "B", 1, "", "", 1000, &b, &dup), 0);

	struct step {
		int64_t now;
		int want_r;
		int64_t *want_id;
		int64_t want_attempts;
		bool release;		/* release the claimed message until now + 100 */
	} steps[] = {
		{ 1000, 0, &a, 1, false },		/* oldest first, leased for 60 s */
		{ 1000, 0, &b, 1, true },		/* a is leased: b is next */
		{ 1059, -ENOENT, NULL, 0, false },	/* a still leased, b released until 1100 */
		{ 1060, 0, &a, 2, false },		/* a's lease ran out: claimed again */
		{ 1099, -ENOENT, NULL, 0, false },
		{ 1100, 0, &b, 2, false },		/* b due again */
	};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct message m;
		int r = store_inbound_claim(s, steps[i].now, 60, &m);
		cr_expect_eq(r, steps[i].want_r, "step %zu: got %d, want %d", i, r, steps[i].want_r);
		if (r != 0)
			continue;
		cr_expect_eq(m.id, *steps[i].want_id, "step %zu: id got %lld, want %lld", i, (long long)m.id,
			     (long long)*steps[i].want_id);
		cr_expect_eq(m.attempts, steps[i].want_attempts, "step %zu: attempts got %lld, want %lld", i,
			     (long long)m.attempts, (long long)steps[i].want_attempts);
		cr_expect(m.raw && m.raw_len == 1, "step %zu: claim did not return the raw bytes", i);
		if (steps[i].release)
			cr_expect_eq(store_inbound_release(s, m.id, m.attempts, "boom", steps[i].now + 100), 0);
		message_clear(&m);
	}
	/* Finished messages are never claimed again. Both are held by their
	 * second claim: the first one's writes no longer land. */
	int64_t t = new_ticket(s);
	cr_assert_eq(store_begin(s), 0);
	struct message_fields f = { .subject = "A" };
	cr_expect_eq(store_inbound_finish(s, a, 1, t, &f, 2000), -ESTALE, "a stale claim finished its message");
	cr_expect_eq(store_inbound_park(s, b, 1, t, "gave up", 2000), -ESTALE, "a stale claim parked its message");
	cr_assert_eq(store_inbound_finish(s, a, 2, t, &f, 2000), 0);
	cr_assert_eq(store_inbound_park(s, b, 2, t, "gave up", 2000), 0);
	cr_assert_eq(store_commit(s), 0);
	cr_expect_eq(store_inbound_release(s, a, 2, "late", 3000), -ESTALE, "a finished message was released");
	struct message m;
	int r = store_inbound_claim(s, 1000000, 60, &m);
	cr_expect_eq(r, -ENOENT, "after finish/park: got %d, want -ENOENT", r);
	int64_t n = 0;
	store_inbound_count(s, MESSAGE_PARKED, &n);
	cr_expect_eq(n, 1, "parked got %lld, want 1", (long long)n);
	store_close(s);
}

Test(store, merge_and_follow, .fini = cleanup)
{
	struct store *s = open_store(100001);
	int64_t a = new_ticket(s), b = new_ticket(s), c = new_ticket(s);
	int64_t id;
	bool dup;
	cr_assert_eq(store_inbound_add(s, "A", 1, "", "", 1000, &id, &dup), 0);
	struct message m;
	cr_assert_eq(store_inbound_claim(s, 1000, 60, &m), 0);
	message_clear(&m);
	cr_assert_eq(store_begin(s), 0);
	struct message_fields f = { .subject = "A" };
	cr_assert_eq(store_inbound_finish(s, id, 1, a, &f, 1000), 0);
	cr_assert_eq(store_ticket_merge(s, a, b, 1001), 0);
	cr_assert_eq(store_commit(s), 0);
	cr_assert_eq(store_begin(s), 0);
	cr_assert_eq(store_ticket_merge(s, b, c, 1002), 0);
	cr_assert_eq(store_commit(s), 0);

	struct row {
		int64_t number;
		int want_r;
		int64_t want;
	} rows[] = {
		{ a, 0, c }, { b, 0, c }, { c, 0, c }, { 999, -ENOENT, 0 }, { c + 1, -ENOENT, 0 },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int64_t got = 0;
		int r = store_ticket_follow(s, rows[i].number, &got);
		cr_expect_eq(r, rows[i].want_r, "row %zu: follow(%lld) got %d, want %d", i, (long long)rows[i].number, r,
			     rows[i].want_r);
		if (r == 0)
			cr_expect_eq(got, rows[i].want, "row %zu: follow(%lld) got %lld, want %lld", i,
				     (long long)rows[i].number, (long long)got, (long long)rows[i].want);
	}
	/* The message moved with the merges. */
	struct message *ms = NULL;
	size_t n = 0;
	cr_assert_eq(store_ticket_messages(s, c, &ms, &n), 0);
	cr_expect_eq(n, 1, "messages of %lld: got %zu, want 1", (long long)c, n);
	message_array_free(ms, n);
	struct ticket t;
	cr_assert_eq(store_ticket_get(s, a, &t), 0);
	cr_expect_eq(t.merged_into, b, "merged_into got %lld, want %lld", (long long)t.merged_into, (long long)b);
	ticket_clear(&t);
	/* Merged tickets leave the default listing. */
	struct ticket *ts = NULL;
	struct ticket_filter tf = { 0 };
	cr_assert_eq(store_ticket_list(s, &tf, &ts, &n), 0);
	cr_expect_eq(n, 1, "list got %zu tickets, want 1", n);
	ticket_array_free(ts, n);
	cr_expect_eq(store_ticket_get(s, 424242, &t), -ENOENT);
	store_close(s);
}

Test(store, outbox_claim_and_retry, .fini = cleanup)
{
	struct store *s = open_store(100001);
	int64_t t = new_ticket(s);
	int64_t q, h;
	struct message_fields f = { .message_id = "ack-1.x@csirt.example", .subject = "[X#1] s" };
	cr_assert_eq(store_begin(s), 0);
	cr_assert_eq(store_outbound_add(s, t, OUTBOX_ACK, "", "r@example.org", OUTBOX_QUEUED, "RAW", 3, &f, 1000, &q), 0);
	struct message_fields f2 = { .message_id = "reply-1.x@csirt.example", .subject = "[X#1] s" };
	cr_assert_eq(store_outbound_add(s, t, OUTBOX_REPLY, "irt@csirt.example", "r@example.org", OUTBOX_HELD, "RAW2", 4,
					&f2, 1000, &h), 0);
	cr_assert_eq(store_commit(s), 0);

	struct step {
		int64_t now;
		int want_r;
		int64_t want_attempts;
		int64_t retry_at;	/* mark_retry until; 0: mark sent */
	} steps[] = {
		{ 999, -ENOENT, 0, 0 },		/* not due yet */
		{ 1000, 0, 1, 1060 },		/* claimed, then deferred to 1060 */
		{ 1059, -ENOENT, 0, 0 },
		{ 1060, 0, 2, 1180 },
		{ 1180, 0, 3, 0 },		/* sent */
		{ 999999, -ENOENT, 0, 0 },	/* a sent row (and the held one) never come back */
	};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct outbox_item it;
		int r = store_outbox_claim(s, steps[i].now, 300, &it);
		cr_expect_eq(r, steps[i].want_r, "step %zu: got %d, want %d", i, r, steps[i].want_r);
		if (r != 0)
			continue;
		cr_expect_eq(it.id, q, "step %zu: id got %lld, want %lld", i, (long long)it.id, (long long)q);
		cr_expect_eq(it.attempts, steps[i].want_attempts, "step %zu: attempts got %lld, want %lld", i,
			     (long long)it.attempts, (long long)steps[i].want_attempts);
		cr_expect(it.raw_len == 3 && !memcmp(it.raw, "RAW", 3), "step %zu: raw bytes differ", i);
		cr_expect_str_eq(it.env_from, "", "step %zu: env_from got \"%s\", want null sender", i, it.env_from);
		if (steps[i].retry_at)
			cr_expect_eq(store_outbox_mark_retry(s, it.id, steps[i].retry_at, "421 busy"), 0);
		else
			cr_expect_eq(store_outbox_mark_sent(s, it.id, steps[i].now), 0);
		outbox_item_clear(&it);
	}
	/* A crashed sender's claim comes due after the lease. */
	cr_assert_eq(store_begin(s), 0);
	int64_t q2;
	struct message_fields f3 = { .message_id = "ack-2.x@csirt.example" };
	cr_assert_eq(store_outbound_add(s, t, OUTBOX_ACK, "", "r@example.org", OUTBOX_QUEUED, "R", 1, &f3, 5000, &q2), 0);
	cr_assert_eq(store_commit(s), 0);
	struct outbox_item it;
	cr_assert_eq(store_outbox_claim(s, 5000, 300, &it), 0);
	outbox_item_clear(&it);
	cr_expect_eq(store_outbox_claim(s, 5299, 300, &it), -ENOENT, "claimed again inside the lease");
	int r = store_outbox_claim(s, 5300, 300, &it);
	cr_expect_eq(r, 0, "not claimable after the lease: got %d", r);
	if (r == 0) {
		cr_expect_eq(it.id, q2);
		outbox_item_clear(&it);
	}

	int64_t n = -1;
	cr_assert_eq(store_outbox_count_to(s, "r@example.org", OUTBOX_ACK, 0, &n), 0);
	cr_expect_eq(n, 2, "acks to r@: got %lld, want 2", (long long)n);
	cr_assert_eq(store_outbox_count_to(s, "r@example.org", OUTBOX_ACK, 1001, &n), 0);
	cr_expect_eq(n, 1, "acks to r@ since 1001: got %lld, want 1", (long long)n);
	cr_assert_eq(store_ticket_by_sent_message_id(s, "ack-1.x@csirt.example", &n), 0);
	cr_expect_eq(n, t, "by_sent_message_id got %lld, want %lld", (long long)n, (long long)t);
	cr_expect_eq(store_ticket_by_sent_message_id(s, "unknown@x", &n), -ENOENT);
	store_close(s);
}
