/*
 * overview: the last 90 days at a glance (reports per day and kind, top
 * sources and organisations) as JSON and as server-drawn SVG, and
 * /metrics in the Prometheus text format.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/handlers.h"
#include "http/svg.h"
#include "util/xalloc.h"

#define OVERVIEW_DAYS 90
#define OVERVIEW_TOP 15

static int64_t today(void)
{
	return (int64_t)time(NULL) / 86400;
}

/* counts[kind][d] for the OVERVIEW_DAYS days ending today. */
static int per_day(struct store *s, int64_t counts[TICKET_KIND_COUNT][OVERVIEW_DAYS])
{
	memset(counts, 0, sizeof(int64_t) * TICKET_KIND_COUNT * OVERVIEW_DAYS);
	int64_t first = today() - OVERVIEW_DAYS + 1;
	struct stat_day *d = NULL;
	size_t n = 0;
	int r = store_stats_per_day(s, first * 86400, &d, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		int64_t k = d[i].day - first;
		if (k >= 0 && k < OVERVIEW_DAYS && (unsigned)d[i].kind < TICKET_KIND_COUNT)
			counts[d[i].kind][k] += d[i].count;
	}
	free(d);
	return 0;
}

static void day_label(int64_t day, char out[16])
{
	time_t t = (time_t)(day * 86400);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 16, "%m-%d", &tm);
}

void api_overview(struct http_req *req, struct http_resp *resp)
{
	int64_t counts[TICKET_KIND_COUNT][OVERVIEW_DAYS];
	int r = per_day(req->store, counts);
	struct stat_top_row *src = NULL, *org = NULL;
	size_t ns = 0, no = 0;
	int64_t since = (today() - OVERVIEW_DAYS + 1) * 86400;
	if (r >= 0)
		r = store_stats_top(req->store, STAT_TOP_REPORTER, since, OVERVIEW_TOP, &src, &ns);
	if (r >= 0)
		r = store_stats_top(req->store, STAT_TOP_ORG, since, OVERVIEW_TOP, &org, &no);
	if (r < 0) {
		stat_top_array_free(src, ns);
		return http_resp_error(resp, http_status_for(r), "overview: %s", store_errmsg(req->store));
	}
	json_t *days = json_array();
	int64_t first = today() - OVERVIEW_DAYS + 1;
	for (int d = 0; d < OVERVIEW_DAYS; d++) {
		json_t *row = json_pack("{s:I}", "day", (json_int_t)((first + d) * 86400));
		for (int k = 0; k < TICKET_KIND_COUNT; k++)
			json_object_set_new(row, ticket_kind_name((enum ticket_kind)k), json_integer(counts[k][d]));
		json_array_append_new(days, row);
	}
	json_t *js = json_array(), *jo = json_array();
	for (size_t i = 0; i < ns; i++)
		json_array_append_new(js, json_pack("{s:s, s:I}", "name", src[i].name, "count", (json_int_t)src[i].count));
	for (size_t i = 0; i < no; i++)
		json_array_append_new(jo, json_pack("{s:s, s:I}", "name", org[i].name, "count", (json_int_t)org[i].count));
	stat_top_array_free(src, ns);
	stat_top_array_free(org, no);
	http_resp_json(resp, 200, json_pack("{s:i, s:o, s:o, s:o}", "days", OVERVIEW_DAYS, "per_day", days,
					    "top_sources", js, "top_orgs", jo));
}

void api_overview_svg(struct http_req *req, struct http_resp *resp, const char *which)
{
	struct buf *out = &resp->body;
	buf_reset(out);
	int r;
	if (!strcmp(which, "per-day.svg") || !strcmp(which, "per-kind.svg")) {
		int64_t counts[TICKET_KIND_COUNT][OVERVIEW_DAYS];
		if ((r = per_day(req->store, counts)) < 0)
			return http_resp_error(resp, http_status_for(r), "overview: %s", store_errmsg(req->store));
		if (!strcmp(which, "per-day.svg")) {
			char label_buf[OVERVIEW_DAYS][16];
			const char *labels[OVERVIEW_DAYS];
			int64_t first = today() - OVERVIEW_DAYS + 1;
			for (int d = 0; d < OVERVIEW_DAYS; d++) {
				day_label(first + d, label_buf[d]);
				labels[d] = label_buf[d];
			}
			struct svg_chart c = { .title = "Tickets per day, last 90 days (UTC)", .labels = labels,
					       .n_bars = OVERVIEW_DAYS, .n_series = TICKET_KIND_COUNT };
			for (int k = 0; k < TICKET_KIND_COUNT; k++) {
				c.values[k] = counts[k];
				c.series_names[k] = ticket_kind_name((enum ticket_kind)k);
			}
			r = svg_bar_chart(&c, out);
		} else {
			int64_t tot[TICKET_KIND_COUNT] = { 0 };
			const char *labels[TICKET_KIND_COUNT];
			for (int k = 0; k < TICKET_KIND_COUNT; k++) {
				labels[k] = ticket_kind_name((enum ticket_kind)k);
				for (int d = 0; d < OVERVIEW_DAYS; d++)
					tot[k] += counts[k][d];
			}
			struct svg_chart c = { .title = "Tickets per kind, last 90 days", .labels = labels,
					       .n_bars = TICKET_KIND_COUNT, .n_series = 1, .horizontal = 1,
					       .values = { tot }, .series_names = { "tickets" } };
			r = svg_bar_chart(&c, out);
		}
	} else if (!strcmp(which, "top-sources.svg") || !strcmp(which, "top-orgs.svg")) {
		bool is_org = !strcmp(which, "top-orgs.svg");
		struct stat_top_row *t = NULL;
		size_t n = 0;
		r = store_stats_top(req->store, is_org ? STAT_TOP_ORG : STAT_TOP_REPORTER,
				    (today() - OVERVIEW_DAYS + 1) * 86400, OVERVIEW_TOP, &t, &n);
		if (r < 0)
			return http_resp_error(resp, http_status_for(r), "overview: %s", store_errmsg(req->store));
		const char **labels = xcalloc(n + 1, sizeof(*labels));
		int64_t *v = xcalloc(n + 1, sizeof(*v));
		for (size_t i = 0; i < n; i++) {
			labels[i] = t[i].name;
			v[i] = t[i].count;
		}
		struct svg_chart c = { .title = is_org ? "Top organisations, last 90 days" : "Top sources, last 90 days",
				       .labels = labels, .n_bars = n, .n_series = 1, .horizontal = 1,
				       .values = { v }, .series_names = { "tickets" } };
		r = svg_bar_chart(&c, out);
		free(labels);
		free(v);
		stat_top_array_free(t, n);
	} else {
		return http_resp_error(resp, 404, "no such chart");
	}
	if (r < 0)
		return http_resp_error(resp, 500, "cannot draw the chart");
	resp->status = 200;
	resp->content_type = "image/svg+xml";
}

void api_metrics(struct http_req *req, struct http_resp *resp)
{
	int64_t tc[TICKET_STATUS_COUNT], oc[OUTBOX_STATE_COUNT], queued = 0, parked = 0;
	int r = store_ticket_counts(req->store, tc);
	if (r >= 0)
		r = store_outbox_counts(req->store, oc);
	if (r >= 0)
		r = store_inbound_count(req->store, MESSAGE_QUEUED, &queued);
	if (r >= 0)
		r = store_inbound_count(req->store, MESSAGE_PARKED, &parked);
	if (r < 0)
		return http_resp_text(resp, 503, "text/plain; charset=utf-8", "# store not available\n");
	struct buf *b = &resp->body;
	buf_reset(b);
	buf_append_str(b, "# HELP abusedesk_tickets Tickets (not merged) by status.\n# TYPE abusedesk_tickets gauge\n");
	for (int i = 0; i < TICKET_STATUS_COUNT; i++)
		buf_printf(b, "abusedesk_tickets{status=\"%s\"} %lld\n", ticket_status_name((enum ticket_status)i),
			   (long long)tc[i]);
	buf_printf(b, "# HELP abusedesk_queue_depth Inbound messages waiting to be processed.\n"
		      "# TYPE abusedesk_queue_depth gauge\nabusedesk_queue_depth %lld\n", (long long)queued);
	buf_printf(b, "# HELP abusedesk_parked Inbound messages parked for an analyst.\n"
		      "# TYPE abusedesk_parked gauge\nabusedesk_parked %lld\n", (long long)parked);
	buf_append_str(b, "# HELP abusedesk_outbox Outbound mail by state.\n# TYPE abusedesk_outbox gauge\n");
	for (int i = 0; i < OUTBOX_STATE_COUNT; i++)
		buf_printf(b, "abusedesk_outbox{state=\"%s\"} %lld\n", outbox_state_name((enum outbox_state)i),
			   (long long)oc[i]);
	resp->status = 200;
	resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
}
