/*
 * svg: bar charts drawn by the server, so the overview needs no chart
 * library and no script. Pure: series in, SVG text out. Labels are
 * XML-escaped (they may be reporters' addresses); the charts carry no
 * script, no links and no external references.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define SVG_SERIES_MAX 4	/* stacked series in one chart */
#define SVG_BARS_MAX 400
#define SVG_LABEL_MAX 60	/* bytes of a label shown */

struct svg_chart {
	const char *title;
	const char *const *labels;		/* one per bar */
	const int64_t *values[SVG_SERIES_MAX];	/* values[s][bar] */
	const char *series_names[SVG_SERIES_MAX];
	size_t n_series;
	size_t n_bars;
	int horizontal;				/* 1: labelled rows (top lists) */
};

/* -EINVAL for more series or bars than the maxima. */
int svg_bar_chart(const struct svg_chart *c, struct buf *out);
/* Appends s with & < > " ' as entities, capped at `cap` bytes. */
int svg_escape(struct buf *out, const char *s, size_t cap);
