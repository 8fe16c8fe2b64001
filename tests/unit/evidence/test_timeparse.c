#include <criterion/criterion.h>
#include <string.h>

#include "evidence/timeparse.h"

/* 2026-11-22T14:03:01Z */
#define T0 1795356181LL
/* The report's Date: 2026-11-23T09:00:00Z */
#define REF 1795424400LL

struct row {
	const char *in;
	bool ok;
	int64_t time;
	int32_t offset;
	enum event_tz tz;
	enum timeparse_form form;
};

static const struct row rows[] = {
	{ "2026-11-22T14:03:01Z", true, T0, 0, EVENT_TZ_STATED, TIMEPARSE_ISO8601 },
	{ "2026-11-22T15:03:01+01:00", true, T0, 3600, EVENT_TZ_STATED, TIMEPARSE_ISO8601 },
	{ "2026-11-22T09:03:01-0500", true, T0, -18000, EVENT_TZ_STATED, TIMEPARSE_ISO8601 },
	{ "2026-11-22T14:03:01.123456Z", true, T0, 0, EVENT_TZ_STATED, TIMEPARSE_ISO8601 },
	{ "2026-11-22 14:03:01", true, T0, 0, EVENT_TZ_ASSUMED, TIMEPARSE_ISO8601 },
	{ "2026/11/22 14:03:01", true, T0, 0, EVENT_TZ_ASSUMED, TIMEPARSE_ISO8601 },
	{ "2026-11-22 15:03:01 CET", true, T0, 3600, EVENT_TZ_STATED, TIMEPARSE_ISO8601 },
	{ "2026-11-22 06:03:01 PST", true, T0, -28800, EVENT_TZ_STATED, TIMEPARSE_ISO8601 },
	{ "2026-11-22 16:03:01 UTC+2", true, T0, 7200, EVENT_TZ_STATED, TIMEPARSE_ISO8601 },
	{ "2026-11-22 14:03:01 GMT", true, T0, 0, EVENT_TZ_STATED, TIMEPARSE_ISO8601 },
	{ "Sun, 22 Nov 2026 14:03:01 +0000", true, T0, 0, EVENT_TZ_STATED, TIMEPARSE_RFC5322 },
	{ "Sun, 22 Nov 2026 14:03:01 +0000 (UTC)", true, T0, 0, EVENT_TZ_STATED, TIMEPARSE_RFC5322 },
	{ "22 Nov 2026 09:03:01 EST", true, T0, -18000, EVENT_TZ_STATED, TIMEPARSE_RFC5322 },
	{ "22 Nov 26 14:03:01 GMT", true, T0, 0, EVENT_TZ_STATED, TIMEPARSE_RFC5322 },
	{ "Nov 22 14:03:01", true, T0, 0, EVENT_TZ_ASSUMED, TIMEPARSE_SYSLOG },
	{ "Nov 22 14:03:01 2026", true, T0, 0, EVENT_TZ_ASSUMED, TIMEPARSE_SYSLOG },
	{ "Nov 22 2026 14:03:01", true, T0, 0, EVENT_TZ_ASSUMED, TIMEPARSE_SYSLOG },
	{ "Sun Nov 22 14:03:01 2026", true, T0, 0, EVENT_TZ_ASSUMED, TIMEPARSE_SYSLOG },
	{ "[22/Nov/2026:14:03:01 +0000]", true, T0, 0, EVENT_TZ_STATED, TIMEPARSE_APACHE },
	{ "22/Nov/2026:15:03:01 +0100", true, T0, 3600, EVENT_TZ_STATED, TIMEPARSE_APACHE },
	{ "1795356181", true, T0, 0, EVENT_TZ_STATED, TIMEPARSE_EPOCH },
	{ "1795356181.512", true, T0, 0, EVENT_TZ_STATED, TIMEPARSE_EPOCH },
	{ "1795356181512", true, T0, 0, EVENT_TZ_STATED, TIMEPARSE_EPOCH_MS },
	/* refused */
	{ "2026-02-30 10:00:00", false, 0, 0, 0, 0 },
	{ "2025-02-29 10:00:00", false, 0, 0, 0, 0 },
	{ "2026-11-22T25:00:00Z", false, 0, 0, 0, 0 },
	{ "12345", false, 0, 0, 0, 0 },
	{ "Foo 22 14:03:01", false, 0, 0, 0, 0 },
	{ "2026-11-22", false, 0, 0, 0, 0 },
	{ "", false, 0, 0, 0, 0 },
	{ "99/Nov/2026:14:03:01 +0000", false, 0, 0, 0, 0 },
};

Test(timeparse, table)
{
	struct timeparse_ctx ctx = { .reference_time = REF };
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *w = &rows[i];
		struct timeparse_result r;
		memset(&r, 0, sizeof(r));
		bool ok = timeparse_parse(&ctx, str_from(w->in), &r);
		cr_expect_eq(ok, w->ok, "%s: got ok=%d, want %d", w->in, ok, w->ok);
		if (!ok || !w->ok)
			continue;
		cr_expect_eq(r.time, w->time, "%s: got time %lld, want %lld", w->in, (long long)r.time,
			     (long long)w->time);
		cr_expect_eq(r.offset, w->offset, "%s: got offset %d, want %d", w->in, r.offset, w->offset);
		cr_expect_eq(r.tz, w->tz, "%s: got tz %d, want %d", w->in, r.tz, w->tz);
		cr_expect_eq(r.form, w->form, "%s: got form %d, want %d", w->in, r.form, w->form);
	}
}

Test(timeparse, syslog_year_rollover)
{
	/* A report dated 2027-01-02 about a line "Dec 31 23:59:00": 2026. */
	struct timeparse_ctx ctx = { .reference_time = 1798848000LL + 86400 };
	struct timeparse_result r;
	cr_assert(timeparse_parse(&ctx, STR_LIT("Dec 31 23:59:00"), &r));
	char out[32];
	timeparse_format_utc(r.time, out);
	cr_expect_str_eq(out, "2026-12-31T23:59:00Z", "got %s", out);
	cr_expect(r.year_assumed);
	/* ... and "Jan  1 00:00:10" in the same report: 2027. */
	cr_assert(timeparse_parse(&ctx, STR_LIT("Jan  1 00:00:10"), &r));
	timeparse_format_utc(r.time, out);
	cr_expect_str_eq(out, "2027-01-01T00:00:10Z", "got %s", out);
}

Test(timeparse, default_offset_applies_when_unstated)
{
	struct timeparse_ctx ctx = { .reference_time = REF, .default_offset = 3600 };
	struct timeparse_result r;
	cr_assert(timeparse_parse(&ctx, STR_LIT("Nov 22 15:03:01"), &r));
	cr_expect_eq(r.time, T0, "got %lld", (long long)r.time);
	cr_expect_eq(r.tz, EVENT_TZ_ASSUMED);
	char out[32];
	timeparse_format_local(r.time, r.offset, out);
	cr_expect_str_eq(out, "2026-11-22T15:03:01+01:00", "got %s", out);
}

Test(timeparse, host_names_are_not_zones)
{
	struct timeparse_ctx ctx = { .reference_time = REF };
	struct str s = STR_LIT("Nov 22 14:03:01 mst-gw sshd[1]: x");
	struct timeparse_result r;
	cr_assert(timeparse_take(&ctx, &s, &r));
	cr_expect_eq(r.tz, EVENT_TZ_ASSUMED);
	cr_expect(str_starts_nocase(s, " mst-gw"), "rest: %.*s", (int)s.len, s.p);
}

Test(timeparse, plausibility)
{
	cr_expect_eq(timeparse_plausibility(REF + 7200, REF), 1);
	cr_expect_eq(timeparse_plausibility(REF - 10LL * 365 * 86400, REF), -1);
	cr_expect_eq(timeparse_plausibility(T0, REF), 0);
	cr_expect_eq(timeparse_plausibility(T0, 0), 0);
}

Test(timeparse, civil_round_trip)
{
	for (int64_t d = -800000; d < 800000; d += 997) {
		int64_t y;
		unsigned m, dd;
		timeparse_civil_from_days(d, &y, &m, &dd);
		int64_t back = timeparse_days_from_civil(y, m, dd);
		cr_assert_eq(back, d, "day %lld -> %lld-%u-%u -> %lld", (long long)d, (long long)y, m, dd,
			     (long long)back);
	}
}
