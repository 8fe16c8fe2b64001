/*
 * timeparse: the date-time forms reporters and their logs write, read by
 * hand (no strptime/mktime/locale: they are slow, locale- and TZ-dependent).
 *
 * Forms: ISO 8601 / RFC 3339 ("2026-11-22T14:03:01.123+01:00", "Z", basic
 * "+0100", space instead of T, no zone), RFC 5322 ("Sun, 22 Nov 2026
 * 14:03:01 +0000", obsolete zone names), syslog ("Nov 22 14:03:01", no
 * year), Apache ("22/Nov/2026:14:03:01 +0000", brackets optional), epoch
 * seconds and milliseconds ("1795356181", "1795356181.123",
 * "1795356181123"), Windows "2026-11-22 14:03:01", "2026/11/22 14:03:01",
 * each optionally followed by a zone name (UTC, GMT, BST, CET, CEST, EST,
 * EDT, CST, CDT, MST, MDT, PST, PDT, JST, IST, AEST, ...) or an explicit
 * offset ("+01:00", "+0100", "UTC+1", "GMT-05:00").
 *
 * Contract: timeparse_take() reads from the front of *s and advances it
 * only on success. A time with no zone gets ctx->default_offset and
 * tz = TIMEPARSE_TZ_ASSUMED; a time with no year gets the year that puts
 * it closest before the reference time (so a December line in a report
 * dated January belongs to the previous year: the New Year rollover).
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "evidence/event.h"
#include "util/str.h"

#define TIMEPARSE_FUTURE_SLACK 3600			/* later than the reference by more: flagged */
#define TIMEPARSE_OLD_MAX (5LL * 365 * 86400)	/* older than the reference by more: flagged */
#define TIMEPARSE_EPOCH_MIN 946684800LL		/* 2000-01-01: smaller bare numbers are not epoch times */
#define TIMEPARSE_EPOCH_MAX 4102444800LL	/* 2100-01-01 */

enum timeparse_form {
	TIMEPARSE_ISO8601,
	TIMEPARSE_RFC5322,
	TIMEPARSE_SYSLOG,
	TIMEPARSE_APACHE,
	TIMEPARSE_EPOCH,
	TIMEPARSE_EPOCH_MS,
	TIMEPARSE_FORM_COUNT,
};

struct timeparse_ctx {
	int64_t reference_time;	/* message Date or file mtime (UTC); 0 = unknown */
	int default_year;	/* 0 = derive from reference_time */
	int32_t default_offset;	/* used when the text states no zone */
};

struct timeparse_result {
	int64_t time;		/* UTC seconds */
	int32_t millis;		/* fraction, 0..999 */
	int32_t offset;		/* seconds east of UTC, stated or assumed */
	enum event_tz tz;	/* STATED or ASSUMED */
	enum timeparse_form form;
	bool year_assumed;	/* syslog: the year came from the context */
};

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil); month 1..12. */
int64_t timeparse_days_from_civil(int64_t y, unsigned m, unsigned d);
void timeparse_civil_from_days(int64_t days, int64_t *ret_y, unsigned *ret_m, unsigned *ret_d);

/* Reads one time at the front of *s (see the contract). */
bool timeparse_take(const struct timeparse_ctx *ctx, struct str *s, struct timeparse_result *ret);
/* The whole slice (trimmed) must be one time. */
bool timeparse_parse(const struct timeparse_ctx *ctx, struct str s, struct timeparse_result *ret);
/* Zone name -> offset ("UTC", "CEST", ...); false when unknown. */
bool timeparse_zone(struct str name, int32_t *ret_offset);
/* Month abbreviation ("Nov", "november") -> 1..12, or 0. */
unsigned timeparse_month(struct str name);

/* Clock plausibility: 1 = later than the reference (+slack), -1 = more than
 * TIMEPARSE_OLD_MAX before it, 0 = fine (or no reference). */
int timeparse_plausibility(int64_t t, int64_t reference_time);

/* "2026-11-22T14:03:01Z" / "2026-11-22T14:03:01+01:00" (local time as
 * stated with its offset) into out (at least 32 bytes). */
void timeparse_format_utc(int64_t t, char out[32]);
void timeparse_format_local(int64_t t, int32_t offset, char out[32]);
