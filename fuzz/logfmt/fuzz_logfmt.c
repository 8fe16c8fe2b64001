/* Fuzzes the log-format parsers: the first byte picks one parser of the
 * registry (so each is fuzzed on its own), the rest is a log text read line
 * by line through that parser, then through the auto-detecting dispatch.
 * Each line is also read by the netfilter parser's one-pass walk (with
 * its stamp cache) and by the key searches that define it: they must
 * agree (logfmt/iptables.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/logfmt.h"
#include "evidence/logfmt/formats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_event(void *arg, const struct event *e)
{
	(void)arg;
	/* the event's line must lie inside the input */
	if (e->line.len > LOGFMT_LINE_MAX || !e->format)
		abort();
	return 0;
}

static bool same(const struct event *a, const struct event *b)
{
	return ip_equal(&a->src, &b->src) && ip_equal(&a->dst, &b->dst) && a->proto == b->proto &&
	       a->has_sport == b->has_sport && (!a->has_sport || a->sport == b->sport) &&
	       a->has_dport == b->has_dport && (!a->has_dport || a->dport == b->dport) && a->time == b->time &&
	       a->utc_offset == b->utc_offset && a->tz == b->tz && a->kind == b->kind;
}

static void iptables_agree(const struct logfmt_ctx *ctx, struct logfmt_stream *st, struct str line)
{
	struct event fast, slow;
	bool got = logfmt_iptables_parse(ctx, st, line, &fast);
	memset(&slow, 0, sizeof(slow));
	slow.tz = EVENT_TZ_UNKNOWN;
	bool want = memmem(line.p, line.len, " DST=", 5) && logfmt_iptables_fields(ctx, line, &slow);
	if (got != want || (got && !same(&fast, &slow)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	const struct logfmt_format *f = logfmt_get(data[0] % logfmt_count());
	struct logfmt_ctx ctx = { .reference_time = 1795424400LL };
	struct logfmt_stream st;
	logfmt_stream_init(&st);
	struct str text = str_make((const char *)data + 1, size - 1), line;
	struct str all = text;
	struct logfmt_stream ipt;
	logfmt_stream_init(&ipt);
	while (str_take_line(&text, &line)) {
		iptables_agree(&ctx, &ipt, line);
		struct event e;
		if (f->parse(&ctx, &st, line, &e) && e.count && (e.line.p < all.p || e.line.p + e.line.len > all.p + all.len))
			abort();
	}
	logfmt_parse_text(&ctx, all, on_event, NULL);
	return 0;
}
