/*
 * arf: the machine-readable abuse reports that are "Name: value" fields:
 * ARF (RFC 5965 3.1-3.3: message/feedback-report with Feedback-Type,
 * Source-IP, Arrival-Date, Reported-Domain, Incidents) and X-ARF v0.2 (its
 * second part, YAML "Source:", "Source-Type:", "Category:", "Report-Type:",
 * "Date:", "Port:", "Service:", "Destination:"; or the same keys as JSON),
 * flat or nested in maps and lists (YAML) or objects and arrays (JSON,
 * also X-ARF v0.3's {"Report": {"SourceIp", "DestinationPort", ...}}).
 *
 * Each report becomes one event (count = Incidents where given) with the
 * first source and destination; further destinations of a list are in
 * more_dst. Never fails: a report without a source address yields no event.
 */
#pragma once
#include <stdbool.h>

#include "evidence/event.h"
#include "evidence/logfmt.h"

#define ARF_VALUE_MAX 256	/* bytes of a field value kept */
#define ARF_DEPTH_MAX 8		/* X-ARF nesting read (YAML maps/lists, JSON objects) */
#define ARF_DESTS_MAX 64	/* destinations of one report beyond the first (lists) */

struct arf_report {
	struct event event;	/* line: empty */
	bool has_event;
	char type[ARF_VALUE_MAX];	/* ARF Feedback-Type or X-ARF Category/Report-Type */
	char domain[ARF_VALUE_MAX];	/* ARF Reported-Domain */
	struct str at;			/* the line naming the source (a slice of the text), or empty */
	struct ip_addr more_dst[ARF_DESTS_MAX];	/* a list of destinations: the others */
	size_t n_more_dst;
};

void arf_read_feedback(const struct logfmt_ctx *ctx, struct str text, struct arf_report *ret);
void arf_read_xarf(const struct logfmt_ctx *ctx, struct str text, struct arf_report *ret);
