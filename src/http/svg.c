#include "http/svg.h"

#include <errno.h>
#include <string.h>

/* Calm colours that stay apart for the colour-blind (Okabe-Ito). */
static const char *const colours[SVG_SERIES_MAX] = { "#0072b2", "#e69f00", "#009e73", "#cc79a7" };

int svg_escape(struct buf *out, const char *s, size_t cap)
{
	size_t n = strlen(s);
	if (n > cap) {
		n = cap;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int r;
		switch (c) {
		case '&': r = buf_append_str(out, "&amp;"); break;
		case '<': r = buf_append_str(out, "&lt;"); break;
		case '>': r = buf_append_str(out, "&gt;"); break;
		case '"': r = buf_append_str(out, "&quot;"); break;
		case '\'': r = buf_append_str(out, "&#39;"); break;
		default:
			/* Control bytes are not allowed in XML 1.0. */
			r = buf_append_char(out, c < 0x20 ? '?' : (char)c);
		}
		if (r < 0)
			return r;
	}
	if (strlen(s) > n)
		return buf_append_str(out, "...");
	return 0;
}

static int64_t total(const struct svg_chart *c, size_t bar)
{
	int64_t t = 0;
	for (size_t s = 0; s < c->n_series; s++)
		t += c->values[s][bar];
	return t;
}

int svg_bar_chart(const struct svg_chart *c, struct buf *out)
{
	if (c->n_series == 0 || c->n_series > SVG_SERIES_MAX || c->n_bars > SVG_BARS_MAX)
		return -EINVAL;
	int64_t max = 1;
	for (size_t b = 0; b < c->n_bars; b++)
		if (total(c, b) > max)
			max = total(c, b);
	int r;
	if (c->horizontal) {
		const int row = 18, left = 260, width = 640, top = 28;
		int h = top + row * (int)c->n_bars + 8;
		r = buf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\">",
			       width, h, width, h);
		r = r < 0 ? r : buf_append_str(out, "<title>");
		r = r < 0 ? r : svg_escape(out, c->title, 200);
		r = r < 0 ? r : buf_printf(out, "</title><text x=\"0\" y=\"16\" font-family=\"sans-serif\" font-size=\"13\" fill=\"#333\">");
		r = r < 0 ? r : svg_escape(out, c->title, 200);
		r = r < 0 ? r : buf_append_str(out, "</text>");
		for (size_t b = 0; r >= 0 && b < c->n_bars; b++) {
			int y = top + row * (int)b;
			int64_t v = total(c, b);
			int w = (int)((width - left - 50) * v / max);
			r = buf_printf(out, "<text x=\"%d\" y=\"%d\" font-family=\"sans-serif\" font-size=\"11\" fill=\"#333\" text-anchor=\"end\">",
				       left - 6, y + 12);
			r = r < 0 ? r : svg_escape(out, c->labels[b], SVG_LABEL_MAX);
			r = r < 0 ? r : buf_printf(out, "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>"
						    "<text x=\"%d\" y=\"%d\" font-family=\"sans-serif\" font-size=\"11\" fill=\"#333\">%lld</text>",
						    left, y + 2, w > 1 ? w : 1, row - 5, colours[0], left + w + 4, y + 12, (long long)v);
		}
		return r < 0 ? r : buf_append_str(out, "</svg>");
	}
	const int height = 200, bottom = 30, top = 28, left = 40;
	int bw = c->n_bars ? (int)(720 / c->n_bars) : 8;
	if (bw < 3)
		bw = 3;
	int width = left + bw * (int)c->n_bars + 10;
	if (width < 320)
		width = 320;
	int plot = height - bottom - top;
	r = buf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\">",
		       width, height, width, height);
	r = r < 0 ? r : buf_append_str(out, "<title>");
	r = r < 0 ? r : svg_escape(out, c->title, 200);
	r = r < 0 ? r : buf_append_str(out, "</title><text x=\"0\" y=\"16\" font-family=\"sans-serif\" font-size=\"13\" fill=\"#333\">");
	r = r < 0 ? r : svg_escape(out, c->title, 200);
	r = r < 0 ? r : buf_printf(out, "</text><text x=\"%d\" y=\"%d\" font-family=\"sans-serif\" font-size=\"10\" fill=\"#666\" text-anchor=\"end\">%lld</text>"
				    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#bbb\"/>",
				    left - 4, top + 8, (long long)max, left, height - bottom, width - 5, height - bottom);
	for (size_t s = 0, lx = (size_t)width - 5; r >= 0 && s < c->n_series; s++) {
		/* legend, right-aligned in the title row */
		size_t tw = 7 * strlen(c->series_names[s] ? c->series_names[s] : "") + 16;
		lx -= tw;
		r = buf_printf(out, "<rect x=\"%zu\" y=\"6\" width=\"10\" height=\"10\" fill=\"%s\"/><text x=\"%zu\" y=\"15\" font-family=\"sans-serif\" font-size=\"11\" fill=\"#333\">",
			       lx, colours[s], lx + 13);
		r = r < 0 ? r : svg_escape(out, c->series_names[s] ? c->series_names[s] : "", SVG_LABEL_MAX);
		r = r < 0 ? r : buf_append_str(out, "</text>");
	}
	for (size_t b = 0; r >= 0 && b < c->n_bars; b++) {
		int x = left + bw * (int)b;
		int y = height - bottom;
		for (size_t s = 0; r >= 0 && s < c->n_series; s++) {
			int h = (int)(plot * c->values[s][b] / max);
			if (h <= 0)
				continue;
			y -= h;
			r = buf_printf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>", x, y,
				       bw > 2 ? bw - 1 : bw, h, colours[s]);
		}
		/* a date under every seventh bar */
		if (r >= 0 && b % 7 == 0 && c->labels[b]) {
			r = buf_printf(out, "<text x=\"%d\" y=\"%d\" font-family=\"sans-serif\" font-size=\"10\" fill=\"#666\">", x,
				       height - bottom + 14);
			r = r < 0 ? r : svg_escape(out, c->labels[b], SVG_LABEL_MAX);
			r = r < 0 ? r : buf_append_str(out, "</text>");
		}
	}
	return r < 0 ? r : buf_append_str(out, "</svg>");
}
