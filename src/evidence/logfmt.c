#include "evidence/logfmt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evidence/logfmt/user.h"
#include "util/str.h"

void logfmt_stream_init(struct logfmt_stream *st)
{
	st->hint = -1;
	st->zeek_n = 0;
	st->zeek_sep = '\t';
	memset(&st->stamp, 0, sizeof(st->stamp));
}

int logfmt_parse_line(const struct logfmt_ctx *ctx, struct logfmt_stream *st, struct str line, struct event *ret)
{
	if (line.len > LOGFMT_LINE_MAX)
		line.len = LOGFMT_LINE_MAX;
	if (line.len == 0)
		return -ENOENT;
	size_t n = logfmt_count();
	/* The generic fallback (last) is never a hint: a specific format
	 * later in the paste must still get its chance. */
	int hint = st && st->hint >= 0 && (size_t)st->hint + 1 < n ? st->hint : -1;
	struct event e;
	/* user-defined formats first: the operator knows his own logs */
	if (ctx->user) {
		int u = logfmt_user_parse(ctx, ctx->user, line, &e);
		if (u >= 0) {
			*ret = e;
			return (int)n + u;
		}
	}
	for (int k = -1; k < (int)n; k++) {
		int i = k < 0 ? hint : k;
		if (i < 0 || (k >= 0 && i == hint))
			continue;
		if (!logfmt_get((size_t)i)->parse(ctx, st, line, &e))
			continue;
		if (st)
			st->hint = i;
		/* count 0: a line of this format that is no event (sshd
		 * "Accepted", a Zeek header); no other format may read it. */
		if (e.count == 0)
			return -ENOENT;
		*ret = e;
		return i;
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

static long line_event(const struct logfmt_ctx *ctx, struct logfmt_stream *st, struct str line, logfmt_event_fn fn,
		       void *arg)
{
	if (line.len && line.p[line.len - 1] == '\r')
		line.len--;
	struct event e;
	if (logfmt_parse_line(ctx, st, line, &e) < 0)
		return 0;
	int r = fn(arg, &e);
	return r < 0 ? r : 1;
}

long logfmt_parse_fd(const struct logfmt_ctx *ctx, int fd, logfmt_event_fn fn, void *arg)
{
	struct logfmt_stream st;
	logfmt_stream_init(&st);
	/* chunk + one carried partial line (at most LOGFMT_LINE_MAX kept) */
	size_t cap = LOGFMT_READ_CHUNK + LOGFMT_LINE_MAX;
	char *buf = malloc(cap);
	if (!buf)
		abort();
	size_t have = 0;
	bool skipping = false;	/* inside the cut-off tail of an over-long line */
	long n = 0;
	for (;;) {
		ssize_t got = read(fd, buf + have, cap - have);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			n = -EIO;
			break;
		}
		have += (size_t)got;
		size_t start = 0;
		for (;;) {
			char *nl = memchr(buf + start, '\n', have - start);
			if (!nl)
				break;
			size_t len = (size_t)(nl - (buf + start));
			if (!skipping) {
				long r = line_event(ctx, &st, str_make(buf + start, len), fn, arg);
				if (r < 0) {
					free(buf);
					return r;
				}
				n += r;
			}
			skipping = false;
			start += len + 1;
		}
		if (got == 0) {	/* end: the last line without a newline */
			if (start < have && !skipping) {
				long r = line_event(ctx, &st, str_make(buf + start, have - start), fn, arg);
				if (r < 0) {
					free(buf);
					return r;
				}
				n += r;
			}
			break;
		}
		size_t rest = have - start;
		if (rest >= LOGFMT_LINE_MAX && !skipping) {
			/* an over-long line: read its first LOGFMT_LINE_MAX bytes, drop the rest */
			long r = line_event(ctx, &st, str_make(buf + start, LOGFMT_LINE_MAX), fn, arg);
			if (r < 0) {
				free(buf);
				return r;
			}
			n += r;
			skipping = true;
			rest = 0;
		} else if (skipping) {
			rest = 0;
		}
		memmove(buf, buf + have - rest, rest);
		have = rest;
	}
	free(buf);
	return n;
}
