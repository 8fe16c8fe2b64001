#include <criterion/criterion.h>

#include "scan/distinct.h"

struct row {
	uint64_t n;		/* distinct keys added (each added twice) */
	bool exact;
	double tolerance;	/* relative */
};

static const struct row rows[] = {
	{ 0, true, 0 },	       { 1, true, 0 },	      { 1023, true, 0 },	{ 1024, true, 0 },
	{ 1025, false, 0.05 }, { 5000, false, 0.05 }, { 100000, false, 0.05 }, { 1000000, false, 0.05 },
};

Test(distinct, table)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct distinct d = { 0 };
		for (int rep = 0; rep < 2; rep++)
			for (uint64_t k = 0; k < rows[i].n; k++)
				distinct_add(&d, distinct_mix(k + 1));
		uint64_t got = distinct_count(&d);
		cr_expect(distinct_is_exact(&d) == rows[i].exact, "n=%llu: exact got %d, want %d",
			  (unsigned long long)rows[i].n, distinct_is_exact(&d), rows[i].exact);
		double err = rows[i].n ? ((double)got - (double)rows[i].n) / (double)rows[i].n : (double)got;
		if (err < 0)
			err = -err;
		cr_expect(err <= rows[i].tolerance, "n=%llu: got %llu (error %.3f), want within %.2f",
			  (unsigned long long)rows[i].n, (unsigned long long)got, err, rows[i].tolerance);
		cr_expect(distinct_bytes(&d) <= DISTINCT_BYTES_MAX, "n=%llu: %zu bytes, want at most %u",
			  (unsigned long long)rows[i].n, distinct_bytes(&d), DISTINCT_BYTES_MAX);
		distinct_free(&d);
	}
}

Test(distinct, add_reports_new_keys_while_exact)
{
	struct distinct d = { 0 };
	cr_expect(distinct_add(&d, 42), "first add: got not-new, want new");
	cr_expect(!distinct_add(&d, 42), "second add of the same key: got new, want seen");
	distinct_free(&d);
	cr_expect_eq(distinct_count(&d), 0, "after free: got %llu, want 0", (unsigned long long)distinct_count(&d));
}
