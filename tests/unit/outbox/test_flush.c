/* flush_backoff: doubling from retry_base_seconds, capped at retry_max_seconds. */
#include <criterion/criterion.h>

#include "config/config.h"
#include "outbox/flush.h"

struct row {
	int64_t base, max, attempts, want;
};

static const struct row rows[] = {
	{ 60, 3600, 1, 60 }, { 60, 3600, 2, 120 }, { 60, 3600, 3, 240 }, { 60, 3600, 6, 1920 },
	{ 60, 3600, 7, 3600 }, { 60, 3600, 1000000, 3600 }, { 60, 3600, 0, 60 },
	{ 100, 50, 1, 50 },	/* base above max: max wins */
	{ 86400, 86400, 40, 86400 },
};

Test(flush, backoff)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct config c;
		config_defaults(&c);
		c.retry_base_seconds = rows[i].base;
		c.retry_max_seconds = rows[i].max;
		int64_t got = flush_backoff(&c, rows[i].attempts);
		cr_expect_eq(got, rows[i].want, "row %zu (attempts %lld): got %lld, want %lld", i,
			     (long long)rows[i].attempts, (long long)got, (long long)rows[i].want);
		config_free(&c);
	}
}
