/*
 * store_inbound_add_batch: group commit keeps the digest dedupe, inside a
 * batch and against what was stored before. On every backend (testdb.h).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "testdb.h"

struct row {
	const char *raw;
	const char *from;
	const char *to;
	int want_same_as;	/* index of the row whose id it must get, or -1 for a new one */
	bool want_duplicate;
};

static const struct row rows[] = {
	{ "Subject: a\n\none\n", "r@e.org", "irt@csirt.example", -1, false },
	{ "Subject: b\n\ntwo\n", "r@e.org", "irt@csirt.example", -1, false },
	{ "Subject: a\n\none\n", "r@e.org", "irt@csirt.example", 0, true },	/* same batch, same bytes */
	{ "Subject: a\n\none\n", "other@e.org", "irt@csirt.example", -1, false },	/* other envelope */
	{ "Subject: before\n\n", "r@e.org", "irt@csirt.example", -2, true },	/* stored before the batch */
};
#define N (sizeof(rows) / sizeof(rows[0]))

Test(store_inbound_batch, dedupe)
{
	char *path = testdb_url();
	if (!path)
		cr_skip_test("%s", testdb_why());
	struct store *s;
	char *err = NULL;
	cr_assert_eq(store_open(path, &s, &err), 0, "open: %s", err ? err : "");
	cr_assert_eq(store_migrate(s, 100001), 0, "migrate: %s", store_errmsg(s));
	int64_t before;
	bool dup;
	cr_assert_eq(store_inbound_add(s, "Subject: before\n\n", 17, "r@e.org", "irt@csirt.example", 1, &before, &dup), 0);

	struct store_inbound_item items[N];
	for (size_t i = 0; i < N; i++)
		items[i] = (struct store_inbound_item){ rows[i].raw, strlen(rows[i].raw), rows[i].from, rows[i].to };
	cr_assert_eq(store_inbound_add_batch(s, items, N, 2), 0, "batch: %s", store_errmsg(s));
	for (size_t i = 0; i < N; i++) {
		const struct row *r = &rows[i];
		cr_expect_eq(items[i].is_duplicate, r->want_duplicate, "row %zu: got duplicate=%d, want %d", i,
			     items[i].is_duplicate, r->want_duplicate);
		if (r->want_same_as >= 0)
			cr_expect_eq(items[i].id, items[r->want_same_as].id, "row %zu: got id %lld, want %lld", i,
				     (long long)items[i].id, (long long)items[r->want_same_as].id);
		else if (r->want_same_as == -2)
			cr_expect_eq(items[i].id, before, "row %zu: got id %lld, want the earlier %lld", i,
				     (long long)items[i].id, (long long)before);
		else
			for (size_t j = 0; j < i; j++)
				cr_expect_neq(items[i].id, items[j].id, "row %zu: got the id of row %zu, want a new one", i, j);
	}
	int64_t queued = 0;
	cr_assert_eq(store_inbound_count(s, MESSAGE_QUEUED, &queued), 0);
	cr_expect_eq(queued, 4, "got %lld queued messages, want 4 (3 new + 1 before)", (long long)queued);
	store_close(s);
	testdb_drop(path);
}
