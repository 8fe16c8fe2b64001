/*
 * lfutil: the small cursor helpers every log-format parser shares (find a
 * key, read an address or a port, read the line's leading time). All work
 * on slices, never allocate and advance the cursor only on success.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "evidence/event.h"
#include "evidence/logfmt.h"
#include "util/str.h"

/* Starts an event for `line` read by `format` (count 1, nothing known). */
void lfutil_event_init(struct event *e, struct str line, const char *format);
/* Offset of the first occurrence of needle in hay (case-sensitive), or -1. */
long lfutil_find(struct str hay, const char *needle, size_t needle_len);
#define LFUTIL_FIND(hay, lit) lfutil_find((hay), (lit), sizeof(lit) - 1)
/* Whether hay contains the literal. */
#define LFUTIL_HAS(hay, lit) (lfutil_find((hay), (lit), sizeof(lit) - 1) >= 0)
/* The slice after the first occurrence of the literal key ("SRC="), or
 * false when absent. */
bool lfutil_after(struct str hay, const char *key, size_t key_len, struct str *ret);
#define LFUTIL_AFTER(hay, lit, ret) lfutil_after((hay), (lit), sizeof(lit) - 1, (ret))
/* The run of characters up to the first of `stops` (or the end). */
struct str lfutil_token(struct str s, const char *stops);
/* An IPv4/IPv6 address at the front of *s (the longest run of address
 * characters, zone id stripped). */
bool lfutil_take_ip(struct str *s, struct ip_addr *ret);
/* A whole slice as an address. */
bool lfutil_ip(struct str s, struct ip_addr *ret);
/* A decimal port 0..65535 at the front of *s. */
bool lfutil_take_port(struct str *s, uint16_t *ret);
bool lfutil_port(struct str s, uint16_t *ret);
/* "tcp", "TCP", "6" -> EVENT_PROTO_*. */
enum event_proto lfutil_proto(struct str s);
/* Reads a time at the front of *s into e (time, offset, tz). */
bool lfutil_take_time(const struct logfmt_ctx *ctx, struct str *s, struct event *e);
/* A syslog header: "<time> <host> " is consumed; the tag ("sshd[12]:",
 * "kernel:") is left at the front. */
bool lfutil_take_syslog_head(const struct logfmt_ctx *ctx, struct str *s, struct event *e);
/* The time at the start of a line, behind a syslog header or alone. */
void lfutil_line_time(const struct logfmt_ctx *ctx, struct str line, struct event *e);
/* The same, remembering in st (may be NULL) the last classic syslog
 * stamp ("Nov 22 14:03:01 host") and its time: the next line with the
 * same 15 bytes and context is not parsed again. */
void lfutil_line_time_cached(const struct logfmt_ctx *ctx, struct logfmt_stream *st, struct str line,
			     struct event *e);
/* The shared shape of an MTA's rejection line (Postfix, Exim): the client
 * is the first "[address]" in `from`, with an optional ":port" behind it;
 * the event becomes SMTP (TCP port 25) of `kind`. false when no bracketed
 * address is found. */
bool lfutil_mta_reject(struct str from, enum event_kind kind, struct event *e);
