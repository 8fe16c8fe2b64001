/*
 * summary: the pipeline's door to the scan aggregator. Given a ticket's
 * events (from evidence/logfmt over the report's text), it classifies the
 * ticket in the RSIT taxonomy and writes the text of the ticket's evidence
 * section: one line per abusing source (report_append_oneline()), then a
 * count of the sources below the thresholds.
 *
 *   information-gathering/scanner   an address-range, port, or both scan
 *   intrusion-attempts/brute-force  login attempts
 *   NULL                            nothing above the thresholds
 *
 * The ticket takes the classification of its busiest abusive source
 * (scans before logins, then most events). Sources inside `own` (may be
 * NULL) are left out. The text stays under SUMMARY_TEXT_MAX: past
 * SUMMARY_LINES_MAX sources (or the size) the rest are counted, not
 * listed. Returns 0 (an error only from the buffer, which cannot happen
 * within these bounds).
 */
#pragma once
#include <stddef.h>

#include "evidence/event.h"
#include "net/ownnet.h"
#include "scan/scan.h"

#define SUMMARY_TEXT_MAX (64 * 1024)
#define SUMMARY_LINES_MAX 100	/* abusive sources listed; the rest are counted */

struct summary {
	const char *rsit;		/* static, or NULL */
	enum scan_kind kind;		/* of the busiest abusive source, SCAN_KIND_OTHER if none */
	char *text;			/* heap, never NULL */
	struct scan_result *results;	/* every source, scans first (scan_finish order) */
	size_t n_results;
	size_t n_abuse;
};

const char *summary_rsit(enum scan_kind k);
int summary_make(const struct scan_params *p, const struct ownnet *own, const struct event *events, size_t n,
		 struct summary *ret);
/* The same for a caller that streams its events: scan_new(p), scan_add()
 * for each event as it is read (ref: anything, e.g. 0), then this, which
 * finishes s (it may be fed again or freed after). */
int summary_finish(struct scan *s, const struct ownnet *own, struct summary *ret);
void summary_free(struct summary *s);
