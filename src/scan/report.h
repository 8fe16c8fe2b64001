/*
 * report: the plain-text report a CSIRT asks for, one per abusing source
 * (the guidance in docs/SCANS.md "What a report says"): source address;
 * for an address-range scan the destination port(s), the number of
 * destination addresses and the range; for a port scan the destination
 * address(es) and the port range; for login attempts the service and the
 * count; start and end with the zone and whether it was stated; a line on
 * clock accuracy; the number of events; a one-line statement of the
 * problem; and a sample of the original lines (first, last, a spread).
 *
 * The writer is pure: everything it says comes from the result and the
 * context (no clock, no host lookups), so its output is golden-tested.
 * Log lines are strangers' text: they go through util/escape, one line
 * each, cut at REPORT_LINE_MAX bytes.
 *
 * Errors: -EINVAL for a result that is not abuse (nothing to report);
 * -EMSGSIZE when `out`'s maximum is hit (out keeps what fitted).
 */
#pragma once
#include <stdint.h>

#include "scan/ntpstate.h"
#include "scan/scan.h"
#include "util/buf.h"

#define REPORT_LINE_MAX 1000		/* bytes of one sample log line shown */
#define REPORT_TEXT_MAX (256 * 1024)	/* a whole report body */

struct report_ctx {
	const char *signature;		/* who signs ("The network team of ...") */
	struct ntpstate clock;		/* this host's clock state when written */
	bool clock_confirmed;		/* the reporter said the clock was right */
	const char *system_zone;	/* name of the system zone assumed for unstated times, e.g. "CET" */
};

/* Turns a sample reference back into its log line (ret->len 0 if gone). */
typedef void (*report_line_fn)(void *arg, uint64_t ref, struct str *ret_line);

int report_write(const struct scan_result *r, const struct report_ctx *ctx, report_line_fn line_fn, void *arg,
		 struct buf *out);
/* "Address-range scan from 198.51.100.7: TCP port 23, 240 addresses". */
int report_subject(const struct scan_result *r, struct buf *out);
/* The short forms used by the report, `abusedesk scans` and tickets:
 *   "192.0.2.0 - 192.0.2.255 (256 addresses, 240 hit)", "192.0.2.7",
 *   "192.0.2.7, 192.0.2.9", "TCP ports 1-1024 (812 distinct)",
 *   "TCP port 22", "TCP ports 22, 23, 2323". */
int report_append_destinations(struct buf *b, const struct scan_result *r);
int report_append_ports(struct buf *b, const struct scan_result *r);
/* "2026-11-22 14:03:01 +0100 (2026-11-22 13:03:01 UTC)"; offset 0 gives
 * "2026-11-22 13:03:01 UTC". */
int report_append_time(struct buf *b, int64_t t, int32_t offset);
/* 1234567 -> "1,234,567" */
int report_append_count(struct buf *b, uint64_t n);
/* The one-line statement of the problem. */
int report_append_statement(struct buf *b, const struct scan_result *r);
/* One line per source, as `abusedesk scans` and ticket summaries show it:
 * "198.51.100.7  address-range scan  TCP port 23  192.0.2.0 - 192.0.2.255
 *  (256 addresses, 240 hit)  2026-11-22 14:03:01 UTC .. 2026-11-22
 *  14:15:46 UTC  240 events" (on one line). */
int report_append_oneline(struct buf *b, const struct scan_result *r);
