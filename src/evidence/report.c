#include "evidence/report.h"

#include <string.h>

#include "evidence/timeparse.h"
#include "util/escape.h"

static json_t *addr_json(const struct evidence_addr *a)
{
	char ip[IP_TEXT_MAX], t[32];
	ip_format(&a->addr, ip);
	json_t *o = json_pack("{s:s, s:I}", "ip", ip, "events", (json_int_t)a->events);
	if (a->first) {
		timeparse_format_utc(a->first, t);
		json_object_set_new(o, "first", json_string(t));
		timeparse_format_utc(a->last, t);
		json_object_set_new(o, "last", json_string(t));
	}
	return o;
}

static int cmp_events(const void *a, const void *b)
{
	const struct evidence_addr *x = a, *y = b;
	if (x->events != y->events)
		return x->events < y->events ? 1 : -1;
	return ip_compare(&x->addr, &y->addr);
}

static json_t *addr_list(const struct evidence_addr *v, size_t n, size_t max)
{
	/* the busiest first, so that a cut list keeps the ones that matter */
	struct evidence_addr *s = malloc((n ? n : 1) * sizeof(*s));
	if (n) {
		memcpy(s, v, n * sizeof(*s));
		qsort(s, n, sizeof(*s), cmp_events);
	}
	json_t *a = json_array();
	for (size_t i = 0; i < n && i < max; i++)
		json_array_append_new(a, addr_json(&s[i]));
	free(s);
	return a;
}

json_t *evidence_json(const struct evidence *ev)
{
	json_t *o = json_object();
	char t[32], ip[IP_TEXT_MAX];
	json_object_set_new(o, "abuse_type", json_string(evidence_abuse_type(ev)));
	json_object_set_new(o, "sources_total", json_integer((json_int_t)ev->n_sources));
	json_object_set_new(o, "sources", addr_list(ev->sources, ev->n_sources, REPORT_SOURCES_LISTED));
	json_t *d = json_object();
	json_object_set_new(d, "count", json_integer((json_int_t)(ev->n_dests + ev->dests_dropped)));
	if (ev->dest_min.family != IP_NONE) {
		ip_format(&ev->dest_min, ip);
		json_object_set_new(d, "range_first", json_string(ip));
		ip_format(&ev->dest_max, ip);
		json_object_set_new(d, "range_last", json_string(ip));
	}
	json_object_set_new(d, "listed", addr_list(ev->dests, ev->n_dests, REPORT_DESTS_LISTED));
	json_object_set_new(o, "destinations", d);
	json_t *ports = json_array();
	for (size_t i = 0; i < ev->n_ports; i++)
		json_array_append_new(ports, json_pack("{s:i, s:s, s:I}", "port", ev->ports[i].port, "proto",
						       event_proto_name(ev->ports[i].proto), "events",
						       (json_int_t)ev->ports[i].events));
	json_object_set_new(o, "ports", ports);
	if (ev->first) {
		json_t *w = json_object();
		timeparse_format_utc(ev->first, t);
		json_object_set_new(w, "first_utc", json_string(t));
		timeparse_format_local(ev->first, ev->first_offset, t);
		json_object_set_new(w, "first_reported", json_string(t));
		timeparse_format_utc(ev->last, t);
		json_object_set_new(w, "last_utc", json_string(t));
		timeparse_format_local(ev->last, ev->last_offset, t);
		json_object_set_new(w, "last_reported", json_string(t));
		json_object_set_new(w, "zone", json_string(ev->tz_assumed ? (ev->tz_stated ? "partly stated" : "unstated")
									  : "stated"));
		json_object_set_new(o, "time", w);
	}
	json_object_set_new(o, "events", json_integer((json_int_t)ev->n_events));
	if (ev->prose_count)
		json_object_set_new(o, "stated_count", json_pack("{s:I, s:s, s:b}", "n", (json_int_t)ev->prose_count, "of",
								 ev->prose_count_noun, "approximate", ev->prose_count_approx));
	json_t *kinds = json_object();
	for (int k = 0; k < EVENT_KIND_COUNT; k++)
		if (ev->by_kind[k])
			json_object_set_new(kinds, event_kind_name(k), json_integer((json_int_t)ev->by_kind[k]));
	json_object_set_new(o, "kinds", kinds);
	json_object_set_new(o, "log_lines", json_integer((json_int_t)ev->n_log_lines));
	json_t *lines = json_array();
	for (size_t i = 0; i < ev->n_lines; i++)
		json_array_append_new(lines, json_pack("{s:s, s:s}", "format", ev->lines[i].format ? ev->lines[i].format : "",
						       "line", ev->lines[i].text));
	json_object_set_new(o, "evidence_lines", lines);
	if (ev->has_origin || ev->spam_from_domain[0] || ev->n_urls) {
		json_t *s = json_object();
		if (ev->has_origin) {
			ip_format(&ev->origin, ip);
			json_object_set_new(s, "origin_ip", json_string(ip));
			if (ev->origin_time) {
				timeparse_format_utc(ev->origin_time, t);
				json_object_set_new(s, "received_utc", json_string(t));
			}
		}
		if (ev->spam_from_domain[0])
			json_object_set_new(s, "from_domain", json_string(ev->spam_from_domain));
		json_t *u = json_array();
		for (size_t i = 0; i < ev->n_urls; i++)
			json_array_append_new(u, json_string(ev->urls[i]));
		json_object_set_new(s, "urls", u);
		json_object_set_new(o, "mail", s);
	}
	if (ev->arf_feedback_type[0])
		json_object_set_new(o, "arf_feedback_type", json_string(ev->arf_feedback_type));
	if (ev->xarf_category[0])
		json_object_set_new(o, "xarf_category", json_string(ev->xarf_category));
	json_object_set_new(o, "statement", json_string(ev->statement));
	json_t *cl = json_array();
	for (int i = 0; i < CHECK_COUNT_ITEMS; i++)
		json_array_append_new(cl, json_pack("{s:s, s:s, s:s}", "item", checklist_item_name(i), "state",
						    check_state_name(ev->checklist[i].state), "reason",
						    ev->checklist[i].reason));
	json_object_set_new(o, "checklist", cl);
	return o;
}

static const char *jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static void quoted(struct buf *out, const char *s, size_t cap)
{
	escape_append(out, str_from(s), cap);
}

int evidence_render_text(const json_t *o, struct buf *out)
{
	buf_printf(out, "Abuse type:    %s\n", jstr(o, "abuse_type"));
	json_t *src = json_object_get(o, "sources");
	buf_printf(out, "Sources:       %lld\n", (long long)json_integer_value(json_object_get(o, "sources_total")));
	size_t i;
	json_t *v;
	json_array_foreach(src, i, v) {
		buf_printf(out, "  %-39s %lld events", jstr(v, "ip"), (long long)json_integer_value(json_object_get(v, "events")));
		if (*jstr(v, "first"))
			buf_printf(out, "  %s .. %s", jstr(v, "first"), jstr(v, "last"));
		buf_append_char(out, '\n');
	}
	json_t *d = json_object_get(o, "destinations");
	buf_printf(out, "Destinations:  %lld", (long long)json_integer_value(json_object_get(d, "count")));
	if (*jstr(d, "range_first"))
		buf_printf(out, " (range %s - %s)", jstr(d, "range_first"), jstr(d, "range_last"));
	buf_append_char(out, '\n');
	json_array_foreach(json_object_get(d, "listed"), i, v)
		buf_printf(out, "  %s\n", jstr(v, "ip"));
	buf_printf(out, "Ports:        ");
	json_array_foreach(json_object_get(o, "ports"), i, v)
		buf_printf(out, " %lld/%s", (long long)json_integer_value(json_object_get(v, "port")), jstr(v, "proto"));
	buf_append_char(out, '\n');
	json_t *w = json_object_get(o, "time");
	if (w) {
		buf_printf(out, "First event:   %s (reported %s)\n", jstr(w, "first_utc"), jstr(w, "first_reported"));
		buf_printf(out, "Last event:    %s (reported %s)\n", jstr(w, "last_utc"), jstr(w, "last_reported"));
		buf_printf(out, "Timezone:      %s\n", jstr(w, "zone"));
	}
	buf_printf(out, "Events:        %lld", (long long)json_integer_value(json_object_get(o, "events")));
	json_t *sc = json_object_get(o, "stated_count");
	if (sc)
		buf_printf(out, " (reporter says %s%lld %s)", json_is_true(json_object_get(sc, "approximate")) ? "about " : "",
			   (long long)json_integer_value(json_object_get(sc, "n")), jstr(sc, "of"));
	buf_append_char(out, '\n');
	json_t *m = json_object_get(o, "mail");
	if (m) {
		if (*jstr(m, "origin_ip"))
			buf_printf(out, "Spam origin:   %s received %s\n", jstr(m, "origin_ip"), jstr(m, "received_utc"));
		if (*jstr(m, "from_domain")) {
			buf_printf(out, "From domain:   ");
			quoted(out, jstr(m, "from_domain"), 200);
			buf_append_char(out, '\n');
		}
		json_array_foreach(json_object_get(m, "urls"), i, v) {
			buf_printf(out, "URL:           ");
			quoted(out, json_string_value(v), 200);
			buf_append_char(out, '\n');
		}
	}
	if (*jstr(o, "arf_feedback_type"))
		buf_printf(out, "ARF type:      %s\n", jstr(o, "arf_feedback_type"));
	if (*jstr(o, "xarf_category"))
		buf_printf(out, "X-ARF:         %s\n", jstr(o, "xarf_category"));
	if (*jstr(o, "statement")) {
		buf_printf(out, "Statement:     ");
		quoted(out, jstr(o, "statement"), 300);
		buf_append_char(out, '\n');
	}
	buf_printf(out, "Checklist:\n");
	json_array_foreach(json_object_get(o, "checklist"), i, v)
		buf_printf(out, "  %-12s %-9s %s\n", jstr(v, "item"), jstr(v, "state"), jstr(v, "reason"));
	json_t *lines = json_object_get(o, "evidence_lines");
	if (json_array_size(lines)) {
		buf_printf(out, "Evidence lines (%lld read, first %zu shown):\n",
			   (long long)json_integer_value(json_object_get(o, "log_lines")), json_array_size(lines));
		json_array_foreach(lines, i, v) {
			buf_printf(out, "  [%s] ", jstr(v, "format"));
			quoted(out, jstr(v, "line"), 300);
			buf_append_char(out, '\n');
		}
	}
	return 0;
}

const char *evidence_json_check_state(const json_t *o, const char *item, const char **ret_reason)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(o, "checklist"), i, v) {
		if (strcmp(jstr(v, "item"), item) == 0) {
			if (ret_reason)
				*ret_reason = jstr(v, "reason");
			return jstr(v, "state");
		}
	}
	if (ret_reason)
		*ret_reason = "";
	return "";
}
