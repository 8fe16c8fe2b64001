/*
 * util/fmt: the hand-made number and time text must be what printf would
 * write ("%04d-%02d-%02d %02d:%02d:%02d" of gmtime's fields for a time),
 * for every value the desk can meet.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/fmt.h"

static void check_u64(uint64_t n)
{
	char want[32], got[FMT_U64_MAX + 1];
	snprintf(want, sizeof(want), "%" PRIu64, n);
	int len = fmt_u64(n, got);
	got[len] = '\0';
	cr_assert_str_eq(got, want, "fmt_u64(%" PRIu64 ")", n);
	struct buf b;
	buf_init(&b, 64);
	buf_append_str(&b, "n=");
	cr_assert_eq(buf_append_u64(&b, n), 0);
	cr_assert_str_eq(buf_str(&b) + 2, want);
	buf_free(&b);
}

Test(fmt, u64_is_printfs_text)
{
	uint64_t p = 1;
	for (int i = 0; i < 20; i++, p *= 10) {
		check_u64(p - 1);
		check_u64(p);
		check_u64(p + 1);
	}
	check_u64(UINT64_MAX);
	uint64_t x = 88172645463325252ULL;	/* xorshift: values of every length */
	for (int i = 0; i < 100000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		check_u64(x >> (x % 64));
	}
}

static void check_utc(int64_t t)
{
	char want[64];
	time_t tt = (time_t)t;
	struct tm tm;
	cr_assert(gmtime_r(&tt, &tm));
	snprintf(want, sizeof(want), "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec);
	struct buf b;
	buf_init(&b, 64);
	cr_assert_eq(buf_append_utc(&b, t), 0);
	char got[64];
	snprintf(got, sizeof(got), "%s", buf_str(&b));
	buf_free(&b);
	cr_assert_str_eq(got, want, "buf_append_utc(%" PRId64 ")", t);
}

Test(fmt, utc_is_printfs_text)
{
	/* the epoch, before it, leap days, the ends of four-digit years */
	int64_t fixed[] = { 0, -1, 59, 86399, 86400, 951782400 /* 2000-02-29 */, 1709164800 /* 2024-02-29 */,
			    -62167219200 /* 0000-01-01 */, 253402300799 /* 9999-12-31 23:59:59 */, 1798761599 };
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		check_utc(fixed[i]);
	for (int64_t t = -62167219200; t < 253402300799; t += 7777777 + t % 9973)
		check_utc(t);
}

Test(fmt, utc_outside_four_digit_years)
{
	struct buf b;
	buf_init(&b, 64);
	cr_assert_eq(buf_append_utc(&b, 253402300800), 0);	/* 10000-01-01: printf's wider year */
	cr_assert_str_eq(buf_str(&b), "10000-01-01 00:00:00");
	buf_reset(&b);
	cr_assert_eq(buf_append_utc(&b, INT64_MAX), 0);	/* no calendar holds it */
	cr_assert_str_eq(buf_str(&b), "(time 9223372036854775807)");
	buf_free(&b);
	/* the longest texts fit the caller's array, and the length is theirs */
	int64_t wide[] = { INT64_MIN, INT64_MAX, (int64_t)1 << 55, -((int64_t)1 << 55) };
	for (size_t i = 0; i < sizeof(wide) / sizeof(wide[0]); i++) {
		char out[FMT_UTC_MAX];
		int n = fmt_utc(wide[i], out);
		cr_assert(n > 0 && n < FMT_UTC_MAX, "fmt_utc(%" PRId64 ") wrote %d bytes", wide[i], n);
		cr_assert_eq((size_t)n, strlen(out));
	}
}
