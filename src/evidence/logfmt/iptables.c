/* Linux netfilter LOG / NFLOG as the kernel writes it (nf_log_syslog.c):
 * "[prefix]IN=eth0 OUT= MAC=... SRC=a DST=b LEN=.. ... PROTO=TCP SPT=1 DPT=2 ...",
 * behind a syslog or journal header, or bare from dmesg. */
#include "evidence/logfmt/formats.h"
#include "evidence/logfmt/lfutil.h"

/* Shared with nftables.c: reads the fields, not the format name. */
bool logfmt_iptables_fields(const struct logfmt_ctx *ctx, struct str line, struct event *e);

bool logfmt_iptables_fields(const struct logfmt_ctx *ctx, struct str line, struct event *e)
{
	struct str v;
	if (!LFUTIL_AFTER(line, "SRC=", &v) || !lfutil_take_ip(&v, &e->src))
		return false;
	if (!LFUTIL_AFTER(v, "DST=", &v) || !lfutil_take_ip(&v, &e->dst))
		return false;
	struct str rest = v;
	if (LFUTIL_AFTER(rest, "PROTO=", &v)) {
		e->proto = lfutil_proto(lfutil_token(v, " "));
		rest = v;
	}
	if (LFUTIL_AFTER(rest, "SPT=", &v) && lfutil_take_port(&v, &e->sport))
		e->has_sport = true;
	if (LFUTIL_AFTER(rest, "DPT=", &v) && lfutil_take_port(&v, &e->dport))
		e->has_dport = true;
	e->kind = EVENT_CONNECTION;
	lfutil_line_time(ctx, line, e);
	return true;
}

bool logfmt_iptables_parse(const struct logfmt_ctx *ctx, struct logfmt_stream *st, struct str line, struct event *ret)
{
	(void)st;
	if (!LFUTIL_HAS(line, " DST="))
		return false;
	struct event e;
	lfutil_event_init(&e, line, "iptables");
	if (!logfmt_iptables_fields(ctx, line, &e))
		return false;
	*ret = e;
	return true;
}
