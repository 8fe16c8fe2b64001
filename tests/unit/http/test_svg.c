#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "http/svg.h"

static const struct {
	const char *in;
	size_t cap;
	const char *want;
} escape_rows[] = {
	{ "plain", 60, "plain" },
	{ "<script>alert(1)</script>", 60, "&lt;script&gt;alert(1)&lt;/script&gt;" },
	{ "a&b\"c'd", 60, "a&amp;b&quot;c&#39;d" },
	{ "ctl\x01\x1b", 60, "ctl??" },
	{ "abcdef", 3, "abc..." },
	{ "\xc3\xa9\xc3\xa9", 3, "\xc3\xa9..." },	/* cut on a character boundary */
};

Test(svg, escape)
{
	for (size_t i = 0; i < sizeof(escape_rows) / sizeof(escape_rows[0]); i++) {
		struct buf b;
		buf_init(&b, 1024);
		cr_assert_eq(svg_escape(&b, escape_rows[i].in, escape_rows[i].cap), 0);
		cr_expect_str_eq(buf_str(&b), escape_rows[i].want, "row %zu: got %s, want %s", i, buf_str(&b),
				 escape_rows[i].want);
		buf_free(&b);
	}
}

Test(svg, chart_labels_are_escaped_and_bars_drawn)
{
	const char *labels[] = { "<b>evil</b>@example.org", "ok" };
	int64_t v[] = { 3, 1 };
	struct svg_chart c = { .title = "Top <sources>", .labels = labels, .n_bars = 2, .n_series = 1,
			       .horizontal = 1, .values = { v }, .series_names = { "tickets" } };
	struct buf b;
	buf_init(&b, 1 << 20);
	cr_assert_eq(svg_bar_chart(&c, &b), 0);
	const char *s = buf_str(&b);
	cr_expect(strncmp(s, "<svg ", 5) == 0, "got %.20s, want an <svg> element", s);
	cr_expect(strstr(s, "&lt;b&gt;evil") != NULL, "label not escaped: %s", s);
	cr_expect(strstr(s, "<b>") == NULL, "raw markup from a label: %s", s);
	cr_expect(strstr(s, "Top &lt;sources&gt;") != NULL, "title not escaped");
	cr_expect(strstr(s, "<script") == NULL);
	size_t rects = 0;
	for (const char *p = s; (p = strstr(p, "<rect")); p++)
		rects++;
	cr_expect_eq(rects, 2, "got %zu bars, want 2", rects);
	buf_free(&b);
}

Test(svg, stacked_days_and_limits)
{
	const char *labels[3] = { "11-01", "11-02", "11-03" };
	int64_t a[] = { 1, 0, 2 }, b2[] = { 0, 0, 1 };
	struct svg_chart c = { .title = "t", .labels = labels, .n_bars = 3, .n_series = 2, .values = { a, b2 },
			       .series_names = { "report", "incident" } };
	struct buf b;
	buf_init(&b, 1 << 20);
	cr_assert_eq(svg_bar_chart(&c, &b), 0);
	size_t rects = 0;
	for (const char *p = buf_str(&b); (p = strstr(p, "<rect")); p++)
		rects++;
	/* 3 non-zero segments + 2 legend swatches */
	cr_expect_eq(rects, 5, "got %zu rects, want 5", rects);
	buf_reset(&b);
	c.n_series = SVG_SERIES_MAX + 1;
	cr_expect_eq(svg_bar_chart(&c, &b), -EINVAL);
	c.n_series = 1;
	c.n_bars = SVG_BARS_MAX + 1;
	cr_expect_eq(svg_bar_chart(&c, &b), -EINVAL);
	buf_free(&b);
}
