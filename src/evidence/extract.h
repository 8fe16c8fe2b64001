/*
 * extract: reads a report the way an experienced analyst does and says
 * what it holds: every abusing source, the destinations (or their count
 * and range), destination ports and protocols, first and last event time
 * in UTC and as reported, the number of events, the kind of abuse, the
 * evidence lines each fact came from, and, for forwarded spam, where the
 * message entered the Internet.
 *
 * Input: a whole message (evidence_extract_message(), through mail/parts)
 * or plain text (evidence_extract_text(): a log file, a pasted report).
 * Log lines are read by evidence/logfmt, prose by evidence/indicators,
 * header blocks by evidence/received; ARF (RFC 5965), X-ARF v0.2 and CSV
 * attachments by their own readers in this file's neighbours.
 *
 * Contract: extraction never fails on content; what is not understood is
 * simply not found. Every list is capped (EVIDENCE_*_MAX); what goes over
 * is counted, not stored. The result owns all its strings (no slices into
 * the input); evidence_free() releases it.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evidence/event.h"
#include "evidence/received.h"
#include "net/ip.h"

#define EVIDENCE_SOURCES_MAX 1024	/* distinct sources kept */
#define EVIDENCE_DESTS_MAX 65536	/* distinct destinations kept (more: counted in range only) */
#define EVIDENCE_PORTS_MAX 1024
#define EVIDENCE_LINES_MAX 20		/* evidence lines kept as samples */
#define EVIDENCE_LINE_MAX 512		/* bytes of one sample line */
#define EVIDENCE_URLS_MAX 64
#define EVIDENCE_STATEMENT_MAX 600	/* bytes of the reporter's own words kept */
#define EVIDENCE_PARTS_MAX 256		/* parts named in provenance (= MAIL_PARTS_MAX) */
#define EVIDENCE_SPREAD_MAX 4		/* lines kept per source between its first and last */
#define EVIDENCE_REF_TEXTS_MAX 2048	/* provenance lines whose text is kept */
#define EVIDENCE_REF_LINE_MAX 240	/* bytes of one provenance line's text */

/*
 * Provenance: where a fact was read. `part` names the part (1-based index
 * into evidence.parts; 0 = no line, e.g. a port named only in prose), `line`
 * the 1-based line within that part's decoded text (0 = the part as a
 * whole: an ARF or X-ARF report). While extracting, `text` is a slice of
 * the input; when extraction returns it is the evidence's own copy (cut to
 * EVIDENCE_REF_LINE_MAX), or NULL when the EVIDENCE_REF_TEXTS_MAX budget
 * was spent on busier facts (part and line still say where to look).
 */
struct evidence_ref {
	uint32_t part;
	uint32_t line;
	const char *text;
	uint32_t len;
};

struct evidence_part {
	char *label;		/* "auth.log (part 2)", "text/plain (part 1)", "text" */
	uint64_t events;	/* events read from it */
	uint32_t first_line, last_line;	/* of those events, 0 none */
};

struct evidence_addr {
	struct ip_addr addr;
	uint64_t events;
	int64_t first, last;	/* UTC, 0 unknown */
	struct evidence_ref ref;	/* the line that first named it */
};

/* A source's lines: the earliest and latest by event time (by position when
 * no time is known) and a spread between them, thinned evenly as more come
 * (every stride-th event kept; the stride doubles when full). */
struct evidence_source_refs {
	struct evidence_ref first, last;
	struct evidence_ref spread[EVIDENCE_SPREAD_MAX];
	uint32_t n_spread;
	uint64_t seen, stride;
};

struct evidence_port {
	uint16_t port;
	enum event_proto proto;
	uint64_t events;
	struct evidence_ref ref;	/* the line that established it */
};

struct evidence_line {
	char *text;		/* a copy, raw (escape before showing) */
	const char *format;	/* static */
};

enum checklist_item {
	CHECK_SOURCE,		/* source IP address */
	CHECK_DESTINATION,	/* destination address(es), or count and range */
	CHECK_PORT,		/* destination port(s) and protocol */
	CHECK_TIME,		/* start and end with timezone */
	CHECK_CLOCK,		/* clock accuracy */
	CHECK_COUNT,		/* number of events */
	CHECK_STATEMENT,	/* a statement of the problem */
	CHECK_EVIDENCE,		/* original log or header evidence */
	CHECK_COUNT_ITEMS,
};

enum check_state { CHECK_PRESENT, CHECK_MISSING, CHECK_DOUBTFUL };

struct check {
	enum check_state state;
	char reason[200];
};

struct evidence {
	struct evidence_addr *sources;
	struct evidence_source_refs *source_refs;	/* beside sources, same index */
	size_t n_sources;
	struct evidence_addr *dests;
	size_t n_dests;
	uint64_t dests_dropped;
	struct ip_addr dest_min, dest_max;
	struct evidence_port *ports;
	size_t n_ports;
	uint64_t n_events;			/* sum of event counts from logs/CSV/ARF */
	uint64_t by_kind[EVENT_KIND_COUNT];
	uint32_t formats;			/* bit i: logfmt registry format i read something */
	int64_t first, last;			/* UTC of the earliest and latest event, 0 none */
	int32_t first_offset, last_offset;	/* as reported */
	uint64_t tz_stated, tz_assumed;		/* events by how their zone is known */
	uint64_t clock_future, clock_old;	/* implausible event times */
	uint64_t prose_count;			/* largest count stated in prose */
	char prose_count_noun[32];
	bool prose_count_approx;
	uint32_t protos_mentioned;		/* bit (1 << enum event_proto) */
	struct evidence_line lines[EVIDENCE_LINES_MAX];
	size_t n_lines;
	uint64_t n_log_lines;			/* lines read by a log format */
	/* provenance (struct evidence_ref) */
	struct evidence_part *parts;		/* every part read, in order */
	size_t n_parts;
	struct evidence_ref first_ref, last_ref;	/* of ev->first, ev->last */
	struct evidence_ref dest_min_ref, dest_max_ref;
	struct evidence_ref kind_ref[EVENT_KIND_COUNT];
	struct evidence_ref proto_ref[EVENT_PROTO_OTHER + 1];
	char **ref_texts;			/* the owned copies refs point into */
	size_t n_ref_texts;
	/* forwarded spam / pasted headers */
	bool has_headers;
	bool has_origin;
	struct ip_addr origin;
	int64_t origin_time;
	int32_t origin_offset;
	char *spam_from_domain;			/* "" when none */
	char *urls[EVIDENCE_URLS_MAX];
	size_t n_urls;
	/* machine-readable reports */
	char *arf_feedback_type;		/* "" when none */
	char *xarf_category;			/* "" when none */
	char *statement;			/* the reporter's own words, "" when none */
	bool mentions_clock;			/* "NTP", "clock synchronised", ... */
	bool was_defanged;
	int64_t reference_time;			/* the message Date (or now) */
	struct check checklist[CHECK_COUNT_ITEMS];
};

struct evidence_options {
	int64_t reference_time;		/* 0: the message Date, else now */
	int32_t default_offset;		/* assumed for lines with no zone */
	const struct received_trust *trust;	/* may be NULL */
	const struct logfmt_user *user_formats;	/* may be NULL (evidence/logfmt/user.h) */
	/* Called with every event read (log lines, CSV, ARF), e.g. for the
	 * pipeline's scan classification (scan/summary.h); may be NULL. The
	 * event's line is valid only during the call. */
	void (*on_event)(void *arg, const struct event *e);
	void *on_event_arg;
};

void evidence_init(struct evidence *ev);
void evidence_free(struct evidence *ev);
int evidence_extract_message(const char *raw, size_t len, const struct evidence_options *opt, struct evidence *ret);
/* The same from the message's parts read already (mail_parse_with_parts),
 * or NULL when it had no message structure; the caller frees them after. */
struct mail_parts;
int evidence_extract_parts(const char *raw, size_t len, const struct mail_parts *parts, const struct evidence_options *opt,
			   struct evidence *ret);
int evidence_extract_text(const char *text, size_t len, const struct evidence_options *opt, struct evidence *ret);
/* Fills ev->checklist from what was found (called by the two above). */
void evidence_check(struct evidence *ev);

const char *checklist_item_name(enum checklist_item i);	/* "source", "destination", ... */
const char *check_state_name(enum check_state s);	/* "present", "missing", "doubtful" */
/* "ssh brute force", "port scan", "address range scan", "spam", ... */
const char *evidence_abuse_type(const struct evidence *ev);
