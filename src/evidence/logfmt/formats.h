/*
 * formats: the line parsers, one per file in this folder, each of type
 * logfmt_parse_fn (evidence/logfmt.h). registry.c lists them in detection
 * order; a parser must refuse quickly (one memchr/memmem) a line that is
 * not its format, because every unrecognised line is offered to all.
 * A parser that knows a line as its own but finds no event in it
 * (sshd "Accepted ...", a Zeek "#fields" header, an ASA "Built" line)
 * returns true with count 0 (logfmt_skip()), so that the generic fallback
 * does not make a false event of it.
 */
#pragma once
#include "evidence/logfmt.h"

/* Marks *ret as "my line, no event" and returns true. */
static inline bool logfmt_skip(struct event *ret, struct str line, const char *format)
{
	ret->count = 0;
	ret->line = line;
	ret->format = format;
	return true;
}

bool logfmt_nftables_parse(const struct logfmt_ctx *ctx, struct logfmt_stream *st, struct str line, struct event *ret);
bool logfmt_iptables_parse(const struct logfmt_ctx *ctx, struct logfmt_stream *st, struct str line, struct event *ret);
bool logfmt_sshd_parse(const struct logfmt_ctx *ctx, struct logfmt_stream *st, struct str line, struct event *ret);
bool logfmt_access_parse(const struct logfmt_ctx *ctx, struct logfmt_stream *st, struct str line, struct event *ret);
bool logfmt_postfix_parse(const struct logfmt_ctx *ctx, struct logfmt_stream *st, struct str line, struct event *ret);
bool logfmt_exim_parse(const struct logfmt_ctx *ctx, struct logfmt_stream *st, struct str line, struct event *ret);
bool logfmt_asa_parse(const struct logfmt_ctx *ctx, struct logfmt_stream *st, struct str line, struct event *ret);
bool logfmt_pf_parse(const struct logfmt_ctx *ctx, struct logfmt_stream *st, struct str line, struct event *ret);
bool logfmt_winfw_parse(const struct logfmt_ctx *ctx, struct logfmt_stream *st, struct str line, struct event *ret);
bool logfmt_zeek_parse(const struct logfmt_ctx *ctx, struct logfmt_stream *st, struct str line, struct event *ret);
bool logfmt_suricata_parse(const struct logfmt_ctx *ctx, struct logfmt_stream *st, struct str line, struct event *ret);
bool logfmt_fail2ban_parse(const struct logfmt_ctx *ctx, struct logfmt_stream *st, struct str line, struct event *ret);
/* The netfilter fields (SRC=, DST=, PROTO=, SPT=, DPT=) and the line's
 * time: iptables.c, shared with nftables.c. */
bool logfmt_iptables_fields(const struct logfmt_ctx *ctx, struct str line, struct event *e);
bool logfmt_generic_parse(const struct logfmt_ctx *ctx, struct logfmt_stream *st, struct str line, struct event *ret);
