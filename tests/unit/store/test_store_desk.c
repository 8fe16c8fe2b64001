/* The web desk's queries, on both backends (testdb.h): suite 'unit' on
 * SQLite, suite 'pg' on PostgreSQL. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "testdb.h"

static struct store *s;
static char *url;

static void setup(void)
{
	url = testdb_url();
	if (!url)
		cr_skip_test("%s", testdb_why());
	char *err = NULL;
	cr_assert_eq(store_open(url, &s, &err), 0, "%s", err ? err : "");
	cr_assert_eq(store_migrate(s, 100001), 0, "%s", store_errmsg(s));
	static const struct {
		const char *subject, *reporter, *org, *cls;
		enum ticket_status st;
		enum ticket_kind kind;
	} rows[] = {
		{ "SSH brute force", "a@uni-a.example", "uni-a", "intrusion-attempts/brute-force", TICKET_NEW, TICKET_REPORT },
		{ "Port scan", "b@uni-b.example", "uni-b", "information-gathering/scanner", TICKET_OPEN, TICKET_REPORT },
		{ "Phishing 100% real", "c@example.net", "uni-a", "fraud/phishing", TICKET_RESOLVED, TICKET_REPORT },
		{ "Scanning campaign", "", "uni-b", "information-gathering/scanner", TICKET_NEW, TICKET_INCIDENT },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct ticket t = { .kind = rows[i].kind, .status = rows[i].st, .subject = (char *)rows[i].subject,
				    .reporter = (char *)rows[i].reporter, .org = (char *)rows[i].org,
				    .classification = (char *)rows[i].cls, .created_at = 1000 + (int64_t)i };
		int64_t n;
		cr_assert_eq(store_ticket_create(s, &t, &n), 0, "%s", store_errmsg(s));
	}
}

static void teardown(void)
{
	s = store_close(s);
	testdb_drop(url);
	url = NULL;
}

static const struct {
	struct ticket_query q;
	size_t want;
	int64_t first;
} query_rows[] = {
	{ { 0 }, 4, 100004 },
	{ { .status = "active" }, 3, 100004 },
	{ { .status = "new" }, 2, 100004 },
	{ { .kind = "incident" }, 1, 100004 },
	{ { .org = "uni-a" }, 2, 100003 },
	{ { .classification = "information-gathering/scanner" }, 2, 100004 },
	{ { .text = "SCAN" }, 2, 100004 },		/* case-insensitive, subject */
	{ { .text = "uni-b.example" }, 1, 100002 },	/* the source */
	{ { .text = "100%" }, 1, 100003 },		/* % is literal */
	{ { .text = "_" }, 0, 0 },			/* _ is literal */
	{ { .before = 100003 }, 2, 100002 },		/* keyset paging */
	{ { .limit = 1 }, 1, 100004 },
};

Test(store_desk, query_filters, .init = setup, .fini = teardown)
{
	for (size_t i = 0; i < sizeof(query_rows) / sizeof(query_rows[0]); i++) {
		struct ticket *a = NULL;
		size_t n = 0;
		cr_assert_eq(store_ticket_query(s, &query_rows[i].q, &a, &n), 0, "%s", store_errmsg(s));
		cr_expect_eq(n, query_rows[i].want, "row %zu: got %zu tickets, want %zu", i, n, query_rows[i].want);
		if (n && query_rows[i].first)
			cr_expect_eq(a[0].number, query_rows[i].first, "row %zu: got #%lld first, want #%lld", i,
				     (long long)a[0].number, (long long)query_rows[i].first);
		ticket_array_free(a, n);
	}
}

Test(store_desk, counts_merge_and_stats, .init = setup, .fini = teardown)
{
	int64_t c[TICKET_STATUS_COUNT];
	cr_assert_eq(store_ticket_merge(s, 100002, 100004, 2000), 0);
	cr_assert_eq(store_ticket_counts(s, c), 0);
	cr_expect_eq(c[TICKET_NEW], 2, "got %lld new, want 2", (long long)c[TICKET_NEW]);
	cr_expect_eq(c[TICKET_OPEN], 0, "got %lld open, want 0 (the open one was merged)", (long long)c[TICKET_OPEN]);
	cr_expect_eq(c[TICKET_RESOLVED], 1);
	struct stat_top_row *t = NULL;
	size_t n = 0;
	cr_assert_eq(store_stats_top(s, STAT_TOP_ORG, 0, 10, &t, &n), 0);
	cr_expect_eq(n, 2);
	cr_expect_eq(t[0].count, 2);
	stat_top_array_free(t, n);
	struct stat_day *d = NULL;
	cr_assert_eq(store_stats_per_day(s, 0, &d, &n), 0);
	cr_expect_eq(n, 2, "got %zu day/kind rows, want 2 (one day, two kinds)", n);
	free(d);
}

Test(store_desk, users_sessions_tokens, .init = setup, .fini = teardown)
{
	int64_t id, uid = 0;
	cr_assert_eq(store_user_add(s, "ada", USER_ADMIN, "hash", 1, &id), 0);
	cr_expect_eq(store_user_add(s, "ada", USER_ANALYST, "hash", 1, NULL), -EEXIST);
	struct desk_user u;
	cr_assert_eq(store_user_get(s, "ada", &u), 0);
	cr_expect_eq(u.role, USER_ADMIN);
	desk_user_clear(&u);
	cr_assert_eq(store_user_login_failed(s, id, 500), 0);
	cr_assert_eq(store_user_get_id(s, id, &u), 0);
	cr_expect_eq(u.failures, 1);
	cr_expect_eq(u.locked_until, 500);
	desk_user_clear(&u);
	cr_assert_eq(store_user_set_password(s, "ada", "new"), 0);
	cr_assert_eq(store_user_get_id(s, id, &u), 0);
	cr_expect_eq(u.failures, 0, "a new password clears the lock");
	desk_user_clear(&u);
	cr_expect_eq(store_user_set_password(s, "nobody", "x"), -ENOENT);

	char *csrf = NULL;
	cr_assert_eq(store_session_add(s, "h1", id, "c1", 100, 200), 0);
	cr_expect_eq(store_session_get(s, "h1", 150, &uid, &csrf), 0);
	cr_expect_str_eq(csrf, "c1");
	free(csrf);
	csrf = NULL;
	cr_expect_eq(store_session_get(s, "h1", 200, &uid, &csrf), -ENOENT, "an expired session is no session");
	cr_expect_eq(store_session_expire(s, 300), 0);
	cr_assert_eq(store_token_add(s, "t1", id, "script", 1), 0);
	cr_expect_eq(store_token_get(s, "t1", &uid), 0);
	cr_expect_eq(uid, id);
	cr_expect_eq(store_token_get(s, "t2", &uid), -ENOENT);
}

Test(store_desk, outbox_approve_only_held_and_get, .init = setup, .fini = teardown)
{
	struct message_fields f = { .subject = "s" };
	int64_t held, queued;
	cr_assert_eq(store_outbound_add(s, 100001, OUTBOX_NOTIFY, "a@b", "c@d", OUTBOX_HELD, "x", 1, &f, 10, &held), 0);
	cr_assert_eq(store_outbound_add(s, 100001, OUTBOX_ACK, "a@b", "c@d", OUTBOX_QUEUED, "x", 1, &f, 10, &queued), 0);
	cr_expect_eq(store_outbox_approve(s, queued, 20, NULL), -ENOENT, "a queued row is not held");
	cr_expect_eq(store_outbox_approve(s, held, 20, NULL), 0);
	cr_expect_eq(store_outbox_approve(s, held, 20, NULL), -ENOENT, "an approved row is no longer held");
	int64_t c[OUTBOX_STATE_COUNT];
	cr_assert_eq(store_outbox_counts(s, c), 0);
	cr_expect_eq(c[OUTBOX_QUEUED], 2);
	cr_expect_eq(c[OUTBOX_HELD], 0);
	struct outbox_item o;
	cr_assert_eq(store_outbox_get(s, held, &o), 0);
	cr_expect_eq(o.ticket, 100001);
	cr_expect_eq(o.state, OUTBOX_QUEUED);
	cr_expect_str_eq(o.rcpt, "c@d");
	outbox_item_clear(&o);
	cr_expect_eq(store_outbox_get(s, 999, &o), -ENOENT);
}
