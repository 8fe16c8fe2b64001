#include "evidence/report.h"

#include <stdio.h>
#include <string.h>

#include "evidence/timeparse.h"
#include "util/escape.h"
#include "util/xalloc.h"

/* A provenance ref: {"part": label, "line": n, "text": ...}; NULL when
 * the fact was read from no line (prose, a part beyond the cap). */
static json_t *ref_json(const struct evidence *ev, const struct evidence_ref *r)
{
	if (!r->part || r->part > ev->n_parts)
		return NULL;
	json_t *o = json_pack("{s:s}", "part", ev->parts[r->part - 1].label);
	if (r->line)
		json_object_set_new(o, "line", json_integer(r->line));
	if (r->text)
		json_object_set_new(o, "text", json_stringn(r->text, r->len));
	return o;
}

static void set_ref(json_t *o, const char *key, const struct evidence *ev, const struct evidence_ref *r)
{
	json_t *j = ref_json(ev, r);
	if (j)
		json_object_set_new(o, key, j);
}

static bool same_line(const struct evidence_ref *a, const struct evidence_ref *b)
{
	return a->part == b->part && a->line == b->line;
}

/* A source's lines: first and last by time, and the spread between them. */
static json_t *source_lines(const struct evidence *ev, const struct evidence_source_refs *sr)
{
	json_t *o = json_object();
	set_ref(o, "first", ev, &sr->first);
	if (!same_line(&sr->first, &sr->last))
		set_ref(o, "last", ev, &sr->last);
	json_t *a = json_array();
	for (uint32_t i = 0; i < sr->n_spread; i++) {
		const struct evidence_ref *r = &sr->spread[i];
		bool dup = same_line(r, &sr->first) || same_line(r, &sr->last);
		for (uint32_t k = 0; k < i && !dup; k++)
			dup = same_line(r, &sr->spread[k]);
		json_t *j = dup ? NULL : ref_json(ev, r);
		if (j)
			json_array_append_new(a, j);
	}
	if (json_array_size(a))
		json_object_set_new(o, "between", a);
	else
		json_decref(a);
	return o;
}

static json_t *addr_json(const struct evidence *ev, const struct evidence_addr *a, bool is_source)
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
	if (is_source) {
		json_t *l = source_lines(ev, &ev->source_refs[a - ev->sources]);
		if (json_object_size(l))
			json_object_set_new(o, "lines", l);
		else
			json_decref(l);
	} else {
		set_ref(o, "line", ev, &a->ref);
	}
	return o;
}

static int cmp_events(const void *a, const void *b)
{
	const struct evidence_addr *x = *(const struct evidence_addr *const *)a, *y = *(const struct evidence_addr *const *)b;
	if (x->events != y->events)
		return x->events < y->events ? 1 : -1;
	return ip_compare(&x->addr, &y->addr);
}

static json_t *addr_list(const struct evidence *ev, const struct evidence_addr *v, size_t n, size_t max)
{
	/* the busiest first, so that a cut list keeps the ones that matter */
	const struct evidence_addr **s = xmalloc((n ? n : 1) * sizeof(*s));
	for (size_t i = 0; i < n; i++)
		s[i] = &v[i];
	qsort(s, n, sizeof(*s), cmp_events);
	json_t *a = json_array();
	for (size_t i = 0; i < n && i < max; i++)
		json_array_append_new(a, addr_json(ev, s[i], v == ev->sources));
	free(s);
	return a;
}

json_t *evidence_json(const struct evidence *ev)
{
	json_t *o = json_object();
	char t[32], ip[IP_TEXT_MAX];
	json_object_set_new(o, "abuse_type", json_string(evidence_abuse_type(ev)));
	json_object_set_new(o, "sources_total", json_integer((json_int_t)ev->n_sources));
	json_object_set_new(o, "sources", addr_list(ev, ev->sources, ev->n_sources, REPORT_SOURCES_LISTED));
	json_t *d = json_object();
	json_object_set_new(d, "count", json_integer((json_int_t)(ev->n_dests + ev->dests_dropped)));
	if (ev->dest_min.family != IP_NONE) {
		ip_format(&ev->dest_min, ip);
		json_object_set_new(d, "range_first", json_string(ip));
		ip_format(&ev->dest_max, ip);
		json_object_set_new(d, "range_last", json_string(ip));
		set_ref(d, "range_first_line", ev, &ev->dest_min_ref);
		set_ref(d, "range_last_line", ev, &ev->dest_max_ref);
	}
	json_object_set_new(d, "listed", addr_list(ev, ev->dests, ev->n_dests, REPORT_DESTS_LISTED));
	json_object_set_new(o, "destinations", d);
	json_t *ports = json_array();
	for (size_t i = 0; i < ev->n_ports; i++) {
		json_t *po = json_pack("{s:i, s:s, s:I}", "port", ev->ports[i].port, "proto",
				       event_proto_name(ev->ports[i].proto), "events", (json_int_t)ev->ports[i].events);
		if (i < REPORT_PORT_LINES_LISTED)	/* a port scan's 1000 ports: the first ones say enough */
			set_ref(po, "line", ev, &ev->ports[i].ref);
		json_array_append_new(ports, po);
	}
	json_object_set_new(o, "ports", ports);
	json_t *pl = json_object();
	for (int i = 0; i <= EVENT_PROTO_OTHER; i++)
		set_ref(pl, event_proto_name(i), ev, &ev->proto_ref[i]);
	json_object_set_new(o, "proto_lines", pl);
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
		set_ref(w, "first_line", ev, &ev->first_ref);
		set_ref(w, "last_line", ev, &ev->last_ref);
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
	json_t *kl = json_object();
	for (int k = 0; k < EVENT_KIND_COUNT; k++)
		set_ref(kl, event_kind_name(k), ev, &ev->kind_ref[k]);
	json_object_set_new(o, "kind_lines", kl);
	/* the count's provenance: how many events each part gave, on which lines */
	json_t *bp = json_array();
	for (size_t i = 0; i < ev->n_parts; i++) {
		const struct evidence_part *pt = &ev->parts[i];
		if (!pt->events)
			continue;
		json_t *po = json_pack("{s:s, s:I}", "part", pt->label, "events", (json_int_t)pt->events);
		if (pt->first_line) {
			json_object_set_new(po, "first_line", json_integer(pt->first_line));
			json_object_set_new(po, "last_line", json_integer(pt->last_line));
		}
		json_array_append_new(bp, po);
	}
	json_object_set_new(o, "events_by_part", bp);
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

/* "auth.log (part 2) line 14" (a stranger's file name, escaped). */
static void put_where(struct buf *out, const json_t *r)
{
	quoted(out, jstr(r, "part"), 120);
	json_int_t line = json_integer_value(json_object_get(r, "line"));
	if (line)
		buf_printf(out, " line %lld", (long long)line);
}

/* One provenance row: "      LABEL WHERE: TEXT". */
static void put_ref(struct buf *out, const char *label, const json_t *r)
{
	if (!json_is_object(r))
		return;
	buf_printf(out, "      %-8s ", label);
	put_where(out, r);
	if (*jstr(r, "text")) {
		buf_printf(out, ": ");
		quoted(out, jstr(r, "text"), 200);
	}
	buf_append_char(out, '\n');
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
		json_t *l = json_object_get(v, "lines");
		put_ref(out, "first", json_object_get(l, "first"));
		put_ref(out, "last", json_object_get(l, "last"));
		size_t k;
		json_t *r;
		json_array_foreach(json_object_get(l, "between"), k, r)
			put_ref(out, "also", r);
	}
	json_t *d = json_object_get(o, "destinations");
	buf_printf(out, "Destinations:  %lld", (long long)json_integer_value(json_object_get(d, "count")));
	if (*jstr(d, "range_first"))
		buf_printf(out, " (range %s - %s)", jstr(d, "range_first"), jstr(d, "range_last"));
	buf_append_char(out, '\n');
	put_ref(out, "lowest", json_object_get(d, "range_first_line"));
	put_ref(out, "highest", json_object_get(d, "range_last_line"));
	json_array_foreach(json_object_get(d, "listed"), i, v) {
		buf_printf(out, "  %s", jstr(v, "ip"));
		json_t *r = json_object_get(v, "line");
		if (r) {
			buf_printf(out, "  (");
			put_where(out, r);
			buf_append_char(out, ')');
		}
		buf_append_char(out, '\n');
	}
	buf_printf(out, "Ports:        ");
	json_array_foreach(json_object_get(o, "ports"), i, v)
		buf_printf(out, " %lld/%s", (long long)json_integer_value(json_object_get(v, "port")), jstr(v, "proto"));
	buf_append_char(out, '\n');
	json_array_foreach(json_object_get(o, "ports"), i, v) {
		char label[32];
		snprintf(label, sizeof(label), "%lld/%s", (long long)json_integer_value(json_object_get(v, "port")),
			 jstr(v, "proto"));
		put_ref(out, label, json_object_get(v, "line"));
	}
	const char *pk;
	json_object_foreach(json_object_get(o, "proto_lines"), pk, v)
		put_ref(out, pk, v);
	json_t *w = json_object_get(o, "time");
	if (w) {
		buf_printf(out, "First event:   %s (reported %s)\n", jstr(w, "first_utc"), jstr(w, "first_reported"));
		put_ref(out, "read at", json_object_get(w, "first_line"));
		buf_printf(out, "Last event:    %s (reported %s)\n", jstr(w, "last_utc"), jstr(w, "last_reported"));
		put_ref(out, "read at", json_object_get(w, "last_line"));
		buf_printf(out, "Timezone:      %s\n", jstr(w, "zone"));
	}
	buf_printf(out, "Events:        %lld", (long long)json_integer_value(json_object_get(o, "events")));
	json_t *sc = json_object_get(o, "stated_count");
	if (sc)
		buf_printf(out, " (reporter says %s%lld %s)", json_is_true(json_object_get(sc, "approximate")) ? "about " : "",
			   (long long)json_integer_value(json_object_get(sc, "n")), jstr(sc, "of"));
	buf_append_char(out, '\n');
	json_array_foreach(json_object_get(o, "events_by_part"), i, v) {
		buf_printf(out, "      %lld from ", (long long)json_integer_value(json_object_get(v, "events")));
		quoted(out, jstr(v, "part"), 120);
		if (json_integer_value(json_object_get(v, "first_line")))
			buf_printf(out, ", lines %lld-%lld", (long long)json_integer_value(json_object_get(v, "first_line")),
				   (long long)json_integer_value(json_object_get(v, "last_line")));
		buf_append_char(out, '\n');
	}
	json_object_foreach(json_object_get(o, "kind_lines"), pk, v)
		put_ref(out, pk, v);
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
