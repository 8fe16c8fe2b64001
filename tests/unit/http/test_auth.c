#include <criterion/criterion.h>
#include <errno.h>

#include "http/auth.h"

/* One limiter, fed in order: each row is an attempt and whether it passes. */
static const struct {
	const char *ip;
	int64_t now;
	bool want;
} rows[] = {
	{ "192.0.2.1", 600, true },
	{ "192.0.2.1", 601, true },
	{ "192.0.2.1", 630, true },
	{ "192.0.2.1", 640, false },	/* 4th in minute 10, limit 3 */
	{ "192.0.2.2", 640, true },	/* another address has its own count */
	{ "192.0.2.1", 659, false },
	{ "192.0.2.1", 660, true },	/* a new minute */
	{ "2001:db8::1", 660, true },
};

Test(auth, limiter_counts_per_address_and_minute)
{
	struct http_limiter *l = http_limiter_new();
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		bool got = http_limiter_allow(l, rows[i].ip, rows[i].now, 3);
		cr_expect_eq(got, rows[i].want, "row %zu (%s at %lld): got %d, want %d", i, rows[i].ip,
			     (long long)rows[i].now, got, rows[i].want);
	}
	http_limiter_free(l);
}

Test(auth, limiter_forgets_the_oldest_when_full)
{
	struct http_limiter *l = http_limiter_new();
	char ip[64];
	for (int i = 0; i < HTTP_LIMITER_SLOTS + 10; i++) {
		snprintf(ip, sizeof(ip), "10.0.%d.%d", i / 256, i % 256);
		cr_expect(http_limiter_allow(l, ip, 60, 1), "address %d: got refused, want allowed", i);
	}
	cr_expect(!http_limiter_allow(l, ip, 60, 1), "the latest address is still counted");
	http_limiter_free(l);
}
