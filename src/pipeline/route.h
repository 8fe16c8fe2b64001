/*
 * route: who hears about a report, decided per abusing source.
 *
 * For a new report ticket, inside the pipeline's transaction:
 *  - each source inside the constituency: the open incident of that
 *    organisation and kind of abuse (opened when there is none) gathers the
 *    report; a notification to the organisation's security contact(s) is
 *    queued carrying the incident's tag, the evidence summary and the log
 *    lines that name the source;
 *  - each source outside with a known abuse contact: the same, keyed by the
 *    contact's mailbox, notification to that mailbox;
 *  - a source nobody is known for is counted and left to the analyst;
 *  - a source already notified in its incident within
 *    routing.renotify_seconds is linked without a new notification;
 *  - notifications are HELD for an analyst's approval (`abusedesk outbox
 *    approve ID`) unless the organisation lists the kind in notify-auto, or
 *    for external networks the destination's policy (contacts overrides
 *    file: per range or mailbox, per kind) or else
 *    routing.notify_external_auto says so;
 *  - an external destination whose policy (else routing.xarf) asks for
 *    X-ARF gets one message per source with an X-ARF v0.2 report and the
 *    evidence lines as parts of their own (pipeline/xarf.h);
 *  - the reporter's own organisation (by the domain of the reporter's
 *    address) gets a copy of the acknowledgment at its security contact(s);
 *  - a report of a kind in routing.misdirected_kinds (spam) from a
 *    constituency user about sources all outside the constituency gets a
 *    reply pointing the reporter to their IT support, and no notification
 *    goes out for it; the ticket is kept. Only when the reporter was
 *    acknowledged (never an automatic reply to automatic mail).
 *
 * Incidents are tickets (kind incident) with the responsible party in
 * their org column ("org:ID" or "net:MAILBOX") and the kind of abuse in
 * classification, so replies tagged with an incident's tag thread into it
 * like any ticket, and `ticket reply` on an incident writes to its
 * contacts (the incident's reporter field).
 *
 * The input is plain data (sources, kind, texts), so the evidence module's
 * types stop at the pipeline and this is testable on its own.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "net/ip.h"
#include "pipeline/templates.h"
#include "routing/index.h"
#include "store/store.h"

#define ROUTE_SOURCES_MAX 256		/* sources routed per report; the rest are counted */
#define ROUTE_KIND_MAX 64		/* bytes of a normalised kind */
#define ROUTE_SAMPLE_LINES_MAX 10	/* log lines in one notification */

struct route_source {
	struct ip_addr addr;
	int64_t events;
	int64_t first, last;		/* UTC of its first and last event, 0 unknown */
	const char *detail;		/* the scan aggregator's line(s) about it, or NULL */
};

struct route_report {
	int64_t ticket;			/* the report */
	const char *kind;		/* normalised (route_kind_normalise): keys, policy */
	const char *kind_text;		/* in words, for the texts ("ssh brute force") */
	const char *reporter;		/* the address the acknowledgment went to */
	const char *subject;
	const struct route_source *sources;
	size_t n_sources;
	const char *summary;		/* the report's destinations and ports, for a party whose
					 * sources have no detail; times and events are summed here */
	const char *const *lines;	/* evidence lines (raw; escaped here) */
	size_t n_lines;
	const char *ack_body;		/* the acknowledgment queued, or NULL */
	unsigned port;			/* the (first) destination port reported, 0 none */
};

struct route_outcome {
	size_t inside, outside, unknown, over_limit;
	size_t incidents_opened;
	size_t notifications_held, notifications_queued;
	size_t linked_without_notice;	/* notified recently: linked only */
	size_t copies;
	bool is_misdirected;
};

struct route_ctx {
	struct store *store;
	const struct config *cfg;
	const struct templates *templates;
	const struct routing_index *index;
};

int route_report(const struct route_ctx *ctx, const struct route_report *rep, int64_t now, struct route_outcome *ret);
/* "SSH brute force" -> "ssh-brute-force"; "" -> "unclassified". */
void route_kind_normalise(const char *kind, char out[ROUTE_KIND_MAX]);
