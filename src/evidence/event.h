/*
 * event: one normalised fact from a log line or a report, the currency
 * between the log-format parsers (evidence/logfmt/), the evidence
 * extractor, and the scan aggregator (scan/).
 *
 * Times are UTC seconds; the offset the source stated (or assumed) is kept
 * beside them so a report can show "14:03:01 +0100 (13:03:01 UTC)", and
 * tz says whether the zone was stated, assumed (system zone) or unknown.
 * `line` is a slice into the caller's input: valid only as long as it.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "net/ip.h"
#include "util/str.h"

enum event_proto { EVENT_PROTO_UNKNOWN, EVENT_PROTO_TCP, EVENT_PROTO_UDP, EVENT_PROTO_ICMP, EVENT_PROTO_OTHER };

enum event_kind {
	EVENT_CONNECTION,	/* a packet or connection attempt (firewall, flow log) */
	EVENT_LOGIN_FAILURE,	/* a failed authentication (sshd, mail AUTH, web login) */
	EVENT_BLOCK,		/* a ban or block decision (fail2ban, IPS) */
	EVENT_HTTP_REQUEST,	/* a web request (access log) */
	EVENT_MAIL_REJECT,	/* mail refused by an MTA */
	EVENT_SPAM,		/* a spam message (Received chain, ARF) */
	EVENT_ALERT,		/* an IDS alert (Suricata, Zeek notice) */
	EVENT_OTHER,
	EVENT_KIND_COUNT,
};

enum event_tz {
	EVENT_TZ_UNKNOWN,	/* no time at all */
	EVENT_TZ_STATED,	/* the source gave an offset or zone name */
	EVENT_TZ_ASSUMED,	/* no zone in the source; the default offset was used */
};

struct event {
	struct ip_addr src;
	struct ip_addr dst;	/* family IP_NONE when unknown */
	uint16_t sport;
	uint16_t dport;
	bool has_sport;
	bool has_dport;
	enum event_proto proto;
	enum event_kind kind;
	int64_t time;		/* UTC seconds since the epoch; 0 when unknown */
	int32_t utc_offset;	/* seconds east of UTC, as stated or assumed */
	enum event_tz tz;
	uint32_t count;		/* events this line stands for (usually 1) */
	const char *format;	/* static name of the format that read it */
	const char *service;	/* static: "ssh", "smtp", "http", ... or NULL */
	struct str line;	/* the original line */
};

const char *event_proto_name(enum event_proto p);
const char *event_kind_name(enum event_kind k);
