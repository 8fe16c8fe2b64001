/* nftables `log` statement: the kernel writes the same fields as
 * iptables LOG, so a line is told apart only by its prefix ("nft", the
 * convention of `log prefix "nft-drop: "`), or the "table/chain" trace
 * prefix nft uses by default ("inet filter input"). Lines with neither
 * are read as iptables. */
#include "evidence/logfmt/formats.h"
#include "evidence/logfmt/lfutil.h"

bool logfmt_nftables_parse(const struct logfmt_ctx *ctx, struct logfmt_stream *st, struct str line, struct event *ret)
{
	(void)st;
	long in = LFUTIL_FIND(line, "IN=");
	if (in < 0 || !LFUTIL_HAS(line, " DST="))
		return false;
	struct str prefix = str_make(line.p, (size_t)in);
	if (str_find_nocase(prefix, STR_LIT("nft")) < 0 && !LFUTIL_HAS(prefix, "inet filter ") &&
	    !LFUTIL_HAS(prefix, "ip filter ") && !LFUTIL_HAS(prefix, "ip6 filter "))
		return false;
	struct event e;
	lfutil_event_init(&e, line, "nftables");
	if (!logfmt_iptables_fields(ctx, line, &e))
		return false;
	*ret = e;
	return true;
}
