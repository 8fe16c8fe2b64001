/*
 * fmt: numbers and UTC times as text, by hand.
 *
 * `scans` prints a few numbers and times for each of 100,000s of sources,
 * and printf's machinery cost more than the rest of the line; the desk's
 * other writers of times (notifications, the CLI's tables) use the same
 * functions, so a time reads the same everywhere.
 */
#pragma once
#include <stdint.h>

#include "util/buf.h"

#define FMT_U64_MAX 20	/* digits of UINT64_MAX */
#define FMT_UTC_MAX 32	/* fmt_utc()'s text and its NUL, for any t */

/* The decimal digits of n into out (no NUL); returns their number. */
int fmt_u64(uint64_t n, char out[FMT_U64_MAX]);
int buf_append_u64(struct buf *b, uint64_t n);
/* t (seconds since the epoch) as "YYYY-MM-DD HH:MM:SS" in UTC, NUL-ended;
 * a time gmtime cannot express as "(time T)". Returns the length. */
int fmt_utc(int64_t t, char out[FMT_UTC_MAX]);
int buf_append_utc(struct buf *b, int64_t t);
