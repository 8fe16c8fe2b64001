/* Linux netfilter LOG / NFLOG as the kernel writes it (nf_log_syslog.c):
 * "[prefix]IN=eth0 OUT= MAC=... SRC=a DST=b LEN=.. ... PROTO=TCP SPT=1 DPT=2 ...",
 * behind a syslog or journal header, or bare from dmesg.
 *
 * The reading is defined by logfmt_iptables_fields() (key searches, each
 * from where the last value ended). This is the format of the 10-million-
 * line logs of bench/scans, so logfmt_iptables_parse() first reads the
 * line in one left-to-right pass over its '=' signs (fields_fast()),
 * which finds the first occurrence of each key exactly as the searches
 * would; where it cannot be sure it gives the line to the searches.
 * fuzz/logfmt checks that both readings agree on every input. */
#include <string.h>

#include "evidence/logfmt/formats.h"
#include "evidence/logfmt/lfutil.h"

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

/* Whether the three or five bytes before line[i] are the key k. */
static inline bool key3_before(const char *line, size_t i, const char k[3])
{
	return i >= 3 && line[i - 3] == k[0] && line[i - 2] == k[1] && line[i - 1] == k[2];
}

static inline bool key5_before(const char *line, size_t i, const char k[5])
{
	return i >= 5 && line[i - 5] == k[0] && key3_before(line, i, k + 2) && line[i - 4] == k[1];
}

/* The first '=' at or after line[from], as an index, or len: eight
 * bytes at a time (a zero-byte test of the word XOR "========", exact:
 * no false hits), the tail a byte at a time. */
static size_t next_eq(struct str line, size_t from)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const uint64_t low7 = 0x7f7f7f7f7f7f7f7fULL;
	while (from + 8 <= line.len) {
		uint64_t w;
		memcpy(&w, line.p + from, 8);
		w ^= 0x3d3d3d3d3d3d3d3dULL;	/* '=' bytes become 0 */
		uint64_t zero = ~(((w & low7) + low7) | w | low7);
		if (zero)
			return from + (size_t)(__builtin_ctzll(zero) >> 3);
		from += 8;
	}
#endif
	while (from < line.len && line.p[from] != '=')
		from++;
	return from;
}

/* lfutil_take_port() (str_take_u64() with 65535) at line[i], inline: a
 * run of up to 19 digits, at most 65535, not followed by a digit. */
static bool port_at(struct str line, size_t i, uint16_t *ret)
{
	uint64_t v = 0;
	size_t n = 0;
	while (i + n < line.len && n < 19 && char_is_digit(line.p[i + n])) {
		v = v * 10 + (uint64_t)(line.p[i + n] - '0');
		n++;
	}
	if (n == 0 || v > 65535 || (i + n < line.len && char_is_digit(line.p[i + n])))
		return false;
	*ret = (uint16_t)v;
	return true;
}

enum fast { FAST_NOT_MINE = -1, FAST_UNSURE = 0, FAST_READ = 1 };

/* The addresses, protocol and ports as logfmt_iptables_fields() reads
 * them. A key's first occurrence at or after a position is the first '='
 * at least the key's length past it with the key before it, so walking
 * the '=' signs once finds what each search would. FAST_NOT_MINE where
 * the searches fail too; FAST_UNSURE when " DST=" is not where the walk
 * found DST= (the searches may still find one elsewhere). */
static enum fast fields_fast(struct str line, struct event *e)
{
	size_t i = next_eq(line, 3);
	while (i < line.len && !key3_before(line.p, i, "SRC"))
		i = next_eq(line, i + 1);
	if (i >= line.len)
		return FAST_NOT_MINE;
	struct str v = str_make(line.p + i + 1, line.len - i - 1);
	if (!lfutil_take_ip(&v, &e->src))
		return FAST_NOT_MINE;
	size_t at = (size_t)(v.p - line.p);	/* the searches go on from here */
	i = next_eq(line, at + 3);
	while (i < line.len && !key3_before(line.p, i, "DST"))
		i = next_eq(line, i + 1);
	if (i >= line.len)
		return FAST_NOT_MINE;
	bool spaced = i >= at + 4 && line.p[i - 4] == ' ';
	v = str_make(line.p + i + 1, line.len - i - 1);
	if (!lfutil_take_ip(&v, &e->dst))
		return FAST_NOT_MINE;
	if (!spaced)
		return FAST_UNSURE;
	at = (size_t)(v.p - line.p);
	/* PROTO=, then SPT= and DPT= from behind PROTO='s '=' (from `at`
	 * when there is no PROTO=): a port key seen before PROTO= counts
	 * only if no PROTO= follows. */
	size_t proto = 0, spt = 0, dpt = 0;	/* index of the value, 0 = not found */
	for (i = next_eq(line, at); i < line.len; i = next_eq(line, i + 1)) {
		size_t from = proto ? proto : at;
		if (!proto && i >= at + 5 && key5_before(line.p, i, "PROTO")) {
			proto = i + 1;
			spt = dpt = 0;
		} else if (!spt && i >= from + 3 && key3_before(line.p, i, "SPT")) {
			spt = i + 1;
		} else if (!dpt && i >= from + 3 && key3_before(line.p, i, "DPT")) {
			dpt = i + 1;
		}
		if (proto && spt && dpt)
			break;
	}
	if (proto)
		e->proto = lfutil_proto(lfutil_token(str_make(line.p + proto, line.len - proto), " "));
	if (spt && port_at(line, spt, &e->sport))
		e->has_sport = true;
	if (dpt && port_at(line, dpt, &e->dport))
		e->has_dport = true;
	return FAST_READ;
}

bool logfmt_iptables_parse(const struct logfmt_ctx *ctx, struct logfmt_stream *st, struct str line, struct event *ret)
{
	struct event e;
	lfutil_event_init(&e, line, "iptables");
	enum fast f = fields_fast(line, &e);
	if (f == FAST_NOT_MINE)
		return false;
	if (f == FAST_UNSURE) {
		if (!LFUTIL_HAS(line, " DST="))
			return false;
		lfutil_event_init(&e, line, "iptables");
		if (!logfmt_iptables_fields(ctx, line, &e))
			return false;
		*ret = e;
		return true;
	}
	e.kind = EVENT_CONNECTION;
	lfutil_line_time_cached(ctx, st, line, &e);
	*ret = e;
	return true;
}
