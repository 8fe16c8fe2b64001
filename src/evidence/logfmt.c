#include "evidence/logfmt.h"

#include <errno.h>

#include "util/str.h"

void logfmt_stream_init(struct logfmt_stream *st)
{
	st->hint = -1;
	st->zeek_n = 0;
	st->zeek_sep = '\t';
}

int logfmt_parse_line(const struct logfmt_ctx *ctx, struct logfmt_stream *st, struct str line, struct event *ret)
{
	if (line.len > LOGFMT_LINE_MAX)
		line.len = LOGFMT_LINE_MAX;
	if (line.len == 0)
		return -ENOENT;
	size_t n = logfmt_count();
	int hint = st ? st->hint : -1;
	/* The generic fallback (last) is never a hint: a specific format
	 * later in the paste must still get its chance. */
	if (hint >= 0 && (size_t)hint + 1 < n && logfmt_get((size_t)hint)->parse(ctx, st, line, ret))
		return hint;
	for (size_t i = 0; i < n; i++) {
		if ((int)i == hint)
			continue;
		if (logfmt_get(i)->parse(ctx, st, line, ret)) {
			if (st)
				st->hint = (int)i;
			return (int)i;
		}
	}
	return -ENOENT;
}

long logfmt_parse_text(const struct logfmt_ctx *ctx, struct str text, logfmt_event_fn fn, void *arg)
{
	struct logfmt_stream st;
	logfmt_stream_init(&st);
	long n = 0;
	struct str line;
	while (str_take_line(&text, &line)) {
		struct event e;
		if (logfmt_parse_line(ctx, &st, line, &e) < 0)
			continue;
		n++;
		int r = fn(arg, &e);
		if (r < 0)
			return r;
	}
	return n;
}
