/* Fuzzes the log-format parsers: the first byte picks one parser of the
 * registry (so each is fuzzed on its own), the rest is a log text read line
 * by line through that parser, then through the auto-detecting dispatch. */
#include <stdint.h>
#include <stdlib.h>

#include "evidence/logfmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_event(void *arg, const struct event *e)
{
	(void)arg;
	/* the event's line must lie inside the input */
	if (e->line.len > LOGFMT_LINE_MAX || !e->format)
		abort();
	return 0;
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
	while (str_take_line(&text, &line)) {
		struct event e;
		if (f->parse(&ctx, &st, line, &e) && e.count && (e.line.p < all.p || e.line.p + e.line.len > all.p + all.len))
			abort();
	}
	logfmt_parse_text(&ctx, all, on_event, NULL);
	return 0;
}
