/* csv: header shapes, and RFC 4180 quoted fields over several lines. */
#include <criterion/criterion.h>
#include <string.h>

#include "evidence/csv.h"

struct got {
	int n;
	char src[8][IP_TEXT_MAX];
	int dport[8];
	int line_breaks[8];	/* newlines inside the event's record */
};

static int on_event(void *arg, const struct event *e)
{
	struct got *g = arg;
	if (g->n == 8)
		return 0;
	ip_format(&e->src, g->src[g->n]);
	g->dport[g->n] = e->has_dport ? e->dport : -1;
	int nl = 0;
	for (size_t i = 0; i < e->line.len; i++)
		nl += e->line.p[i] == '\n';
	g->line_breaks[g->n] = nl;
	g->n++;
	return 0;
}

struct row {
	const char *name;
	const char *text;
	int want_n;
	const char *want_src[4];
	int want_dport[4];
	int want_breaks[4];
};

static const struct row rows[] = {
	{ "plain rows", "src_ip,port\n198.51.100.1,22\n198.51.100.2,23\n", 2, { "198.51.100.1", "198.51.100.2" }, { 22, 23 },
	  { 0, 0 } },
	{ "a quoted comment over two lines", "src,comment,port\r\n198.51.100.1,\"first line\r\nsecond line\",22\r\n198.51.100.2,x,23\r\n",
	  2, { "198.51.100.1", "198.51.100.2" }, { 22, 23 }, { 1, 0 } },
	{ "doubled quotes and a separator inside", "ip;note;dport\n198.51.100.3;\"he said \"\"stop; now\"\"\n\nok\";25\n", 1,
	  { "198.51.100.3" }, { 25 }, { 2 } },
	{ "a quoted address", "\"source\",\"port\"\n\"198.51.100.4\",\"443\"\n", 1, { "198.51.100.4" }, { 443 }, { 0 } },
	{ "an unterminated quote does not swallow the rest",
	  "src,comment,port\n198.51.100.5,\"never closed,22\n198.51.100.6,fine,80\n", 2, { "198.51.100.5", "198.51.100.6" },
	  { -1, 80 }, { 0, 0 } },
	{ "a quote opened in the last record", "src,port\n198.51.100.7,22\n198.51.100.8,\"2", 2,
	  { "198.51.100.7", "198.51.100.8" }, { 22, 2 }, { 0, 0 } },
	{ "a quoted header field over lines", "\"src\",\"free\ntext\",port\n198.51.100.9,x,21\n", 1, { "198.51.100.9" },
	  { 21 }, { 0 } },
};

Test(csv, records)
{
	struct logfmt_ctx ctx = { .reference_time = 1795400000 };
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *w = &rows[i];
		struct str t = str_from(w->text);
		cr_expect(csv_looks_like(t), "%s: not taken for CSV", w->name);
		struct got g = { 0 };
		long n = csv_read(&ctx, t, on_event, &g);
		cr_expect_eq(n, w->want_n, "%s: got %ld events, want %d", w->name, n, w->want_n);
		for (int k = 0; k < w->want_n && k < g.n; k++) {
			cr_expect_str_eq(g.src[k], w->want_src[k], "%s: event %d: got source %s, want %s", w->name, k,
					 g.src[k], w->want_src[k]);
			cr_expect_eq(g.dport[k], w->want_dport[k], "%s: event %d: got port %d, want %d", w->name, k,
				     g.dport[k], w->want_dport[k]);
			cr_expect_eq(g.line_breaks[k], w->want_breaks[k], "%s: event %d: record holds %d line breaks, want %d",
				     w->name, k, g.line_breaks[k], w->want_breaks[k]);
		}
	}
}
