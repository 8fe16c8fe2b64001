/*
 * scan: the per-source aggregator that tells an address-range scan from a
 * port scan (see docs/SCANS.md for the definitions and the thresholds).
 *
 * Feed it normalised events (evidence/event.h) in any order; it keeps, per
 * source address and per window, the distinct destination addresses and
 * ports (exact up to DISTINCT_EXACT_MAX, estimated past it), the address
 * and port ranges, the protocol mix, the event count, first and last time
 * and a few sample references. scan_finish() classifies each source.
 *
 * Window (docs/SCANS.md "The window"): a source's events form episodes;
 * an event more than `window` seconds after the episode's last event (or
 * before its first: lines out of order) closes it and opens the next. So
 * two bursts further apart than the window are two episodes, each with its
 * own first, last and counts, and activity that never pauses that long is
 * one episode however long it lasts. A closed episode is classified then
 * and kept only when it is abuse (a scan or login attempts). Lines out of
 * order by less than the window land in the right episode; callers that
 * merge several files feed events in UTC order (cli/scan_files.c does).
 *
 * Memory: every byte the aggregator holds on the heap is counted against
 * params.memory_max (peak at most memory_max + SCAN_EVENT_BYTES_MAX). When a new source would take it past that, the source
 * with the fewest events among SCAN_EVICT_SAMPLE live sources picked at
 * random (Redis's approximated LFU) is dropped; its events are counted in
 * scan_stats.evicted_events and the drop is reported, never silent. Kept
 * findings (closed abusive episodes) count against the same budget and
 * are capped at SCAN_FINDINGS_MAX; past either, they are dropped and
 * counted (scan_stats.findings_dropped).
 *
 * Samples: the aggregator does not copy log lines. Each event comes with a
 * caller's 64-bit reference (file and offset, array index); a result holds
 * the references of the first and last events and a deterministic
 * reservoir sample of the rest, which the caller turns back into lines.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evidence/event.h"
#include "net/ip.h"
#include "scan/distinct.h"

#define SCAN_SAMPLE_MAX 8		/* sample references per result: first, last and 6 between */
#define SCAN_LIST_MAX 5			/* destination addresses kept by value ("a few") */
#define SCAN_EVICT_SAMPLE 8		/* live sources compared when one must go */
#define SCAN_FINDINGS_MAX 1000000	/* closed abusive episodes kept */
/* What one event can add before the eviction that pays for it: both sets
 * of the source it updates growing at once. Peak memory is at most
 * memory_max + SCAN_EVENT_BYTES_MAX. */
#define SCAN_EVENT_BYTES_MAX (2 * DISTINCT_BYTES_MAX)
#define SCAN_DEDUP_RECENT 8		/* recent line hashes per source that duplicates are checked against */

enum scan_kind {
	SCAN_KIND_OTHER,		/* connection attempts below the thresholds */
	SCAN_KIND_LOGIN,		/* login attempts (failed authentications) */
	SCAN_KIND_RANGE,		/* address-range scan: many addresses, few ports */
	SCAN_KIND_PORT,			/* port scan: many ports, few addresses */
	SCAN_KIND_BOTH,			/* many addresses and many ports */
	SCAN_KIND_COUNT,
};

struct scan_params {
	int64_t window;			/* seconds */
	uint64_t hosts_min;		/* distinct addresses that make an address-range scan */
	uint64_t ports_min;		/* distinct ports that make a port scan */
	uint64_t few_max;		/* "a few" ports or addresses */
	uint64_t logins_min;		/* failed logins that make login attempts */
	size_t memory_max;		/* heap bytes for live sources and findings */
};

struct scan_sample {
	int64_t time;
	uint64_t ref;
};

struct scan_result {
	/* counted as events arrive (kept together: they are the hot part) */
	struct ip_addr src;
	enum scan_kind kind;
	bool tz_assumed;		/* some event's zone was not stated */
	bool tz_unknown;		/* some event had no time */
	bool events_exact;		/* always true today; false would print "about" */
	bool hosts_exact;
	bool ports_exact;
	uint8_t n_dst_list;
	uint8_t n_port_list;
	uint8_t n_samples;
	int32_t first_offset, last_offset;	/* as stated or assumed in the log */
	int64_t first, last;		/* UTC seconds */
	uint64_t connections;		/* connection-like events (not logins) */
	uint64_t logins;		/* failed logins */
	uint64_t proto[5];		/* events per enum event_proto */
	struct ip_addr dst_min, dst_max;	/* family IP_NONE when no destination was known */
	uint16_t port_min, port_max;
	/* filled in at close */
	uint64_t events;		/* events, duplicate lines not counted */
	uint64_t duplicates;		/* duplicate lines not counted */
	uint64_t hosts;			/* distinct destination addresses */
	uint64_t ports;			/* distinct destination ports */
	uint64_t total_samples_seen;
	const char *service;		/* of the login events ("ssh", ...), static */
	const char *format;		/* of the first event, static */
	struct ip_addr dst_list[SCAN_LIST_MAX];	/* the first distinct destinations */
	uint16_t port_list[SCAN_LIST_MAX];	/* the first distinct ports */
	struct scan_sample samples[SCAN_SAMPLE_MAX];	/* sorted by time */
};

struct scan_stats {
	uint64_t events;		/* events fed */
	uint64_t ignored;		/* events without a source address */
	uint64_t sources;		/* live sources at the end */
	uint64_t evicted_sources;	/* dropped for the memory budget */
	uint64_t evicted_events;
	uint64_t findings_dropped;	/* closed abusive episodes not kept: past SCAN_FINDINGS_MAX or the budget */
	size_t memory_peak;		/* heap bytes counted against memory_max */
};

struct scan;

/* The defaults of docs/SCANS.md (the config table uses the same values). */
void scan_params_default(struct scan_params *p);
/* From the [scan] keys of the config table. */
struct config;
void scan_params_from_config(const struct config *cfg, struct scan_params *ret);
struct scan *scan_new(const struct scan_params *p);
/* Adds one event. Events of kinds other than connections, blocks, alerts
 * and failed logins, and events without a source, are counted and ignored. */
void scan_add(struct scan *s, const struct event *ev, uint64_t ref);
/* The same in steps, for a reader that keeps a few events in flight so
 * the cache misses of different events overlap instead of adding up:
 * scan_prep() hashes the event's keys and prefetches the table slot of
 * its source; some events later scan_prefetch_source() prefetches the
 * source, later still scan_prefetch_sets() the lines of its distinct sets
 * the event will touch, and scan_add_prepared() adds it. Prefetches are
 * hints: any interleaving gives the result of scan_add() alone. */
struct scan_prep {
	uint64_t src, dst, port;	/* key hashes; src 0: the event does not count */
};
void scan_prep(const struct scan *s, const struct event *ev, struct scan_prep *ret);
void scan_prefetch_source(const struct scan *s, const struct scan_prep *p);
void scan_prefetch_sets(const struct scan *s, const struct scan_prep *p);
void scan_add_prepared(struct scan *s, const struct event *ev, uint64_t ref, const struct scan_prep *p);
/* Closes every episode and returns the results (abusive closed episodes
 * and every live source), sorted by kind (scans first), then events,
 * descending. The array belongs to the caller (free()). The aggregator
 * is empty afterwards but may be fed again. */
void scan_finish(struct scan *s, struct scan_result **ret, size_t *ret_n);
void scan_stats_get(const struct scan *s, struct scan_stats *ret);
struct scan *scan_free(struct scan *s);

/* The classification rule alone (docs/SCANS.md), for one set of counts. */
enum scan_kind scan_classify(const struct scan_params *p, uint64_t hosts, uint64_t ports, uint64_t logins);
bool scan_kind_is_abuse(enum scan_kind k);
/* "address-range scan", "port scan", ... and the short names used in
 * JSON and on the command line ("range", "port", "both", "login", "other"). */
const char *scan_kind_text(enum scan_kind k);
const char *scan_kind_name(enum scan_kind k);
