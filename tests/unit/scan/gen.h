/* Synthetic event streams for the scan tests: one source sending to a grid
 * of destination addresses and ports, with a line of text for each event
 * (kept in a caller's array so the line slices stay valid). */
#pragma once
#include <stdio.h>
#include <string.h>

#include "evidence/event.h"
#include "net/ip.h"

#define GEN_T0 1795356181LL /* 2026-11-22T14:03:01Z */
#define GEN_LINE 256

struct gen_event {
	struct event ev;
	char text[GEN_LINE];
};

static inline struct ip_addr gen_addr(const char *s)
{
	struct ip_addr a;
	if (!ip_parse_cstr(s, &a))
		memset(&a, 0, sizeof(a));
	return a;
}

/* The i-th address after base (IPv4 or IPv6: the last 4 bytes count). */
static inline struct ip_addr gen_nth(struct ip_addr base, unsigned i)
{
	unsigned at = base.family == IP_V4 ? 3 : 15;
	unsigned v = ((unsigned)base.bytes[at - 1] << 8 | base.bytes[at]) + i;
	base.bytes[at] = (uint8_t)v;
	base.bytes[at - 1] = (uint8_t)(v >> 8);
	return base;
}

static inline void gen_fill(struct gen_event *g, struct ip_addr src, struct ip_addr dst, unsigned dport,
			    enum event_kind kind, int64_t t, int32_t offset, enum event_tz tz)
{
	memset(g, 0, sizeof(*g));
	g->ev.src = src;
	g->ev.dst = dst;
	g->ev.dport = (uint16_t)dport;
	g->ev.has_dport = kind == EVENT_CONNECTION;
	g->ev.proto = EVENT_PROTO_TCP;
	g->ev.kind = kind;
	g->ev.time = t;
	g->ev.utc_offset = offset;
	g->ev.tz = tz;
	g->ev.count = 1;
	g->ev.format = kind == EVENT_CONNECTION ? "iptables" : "sshd";
	g->ev.service = kind == EVENT_LOGIN_FAILURE ? "ssh" : NULL;
	char s[IP_TEXT_MAX], d[IP_TEXT_MAX];
	ip_format(&src, s);
	ip_format(&dst, d);
	if (kind == EVENT_CONNECTION)
		snprintf(g->text, sizeof(g->text), "%lld IN=eth0 SRC=%s DST=%s PROTO=TCP DPT=%u", (long long)t, s, d, dport);
	else
		snprintf(g->text, sizeof(g->text), "%lld sshd: Failed password for root from %s port 4%u ssh2", (long long)t,
			 s, dport);
	g->ev.line = str_from(g->text);
}
