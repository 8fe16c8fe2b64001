/*
 * extract: the provenance of each fact (evidence_ref): which part and line
 * every source, destination, port, time and count was read from, and that
 * it stays bounded on huge logs.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/extract.h"
#include "evidence/report.h"
#include "util/buf.h"

static void extract(const char *text, struct evidence *ev)
{
	struct evidence_options opt = { .reference_time = 1795400000 };	/* 2026-11-23 */
	cr_assert_eq(evidence_extract_text(text, strlen(text), &opt, ev), 0);
}

static const struct evidence_addr *find(const struct evidence_addr *v, size_t n, const char *ip)
{
	struct ip_addr a;
	cr_assert(ip_parse_cstr(ip, &a));
	for (size_t i = 0; i < n; i++)
		if (ip_equal(&v[i].addr, &a))
			return &v[i];
	return NULL;
}

#define FW(t, src, dst, dpt)                                                                                        \
	"Nov 22 " t " gw kernel: DROP IN=eth0 OUT= SRC=" src " DST=" dst " LEN=60 PROTO=TCP SPT=40000 DPT=" dpt " SYN\n"

/* Lines out of time order: first and last are by time, not by position. */
static const char LOG[] = "Dear abuse team, please look at this.\n"				/* 1 */
			  "\n"									/* 2 */
			  FW("14:05:00", "198.51.100.7", "192.0.2.10", "22")			/* 3 */
			  FW("14:01:00", "198.51.100.7", "192.0.2.11", "22")			/* 4 */
			  "> " FW("14:09:00", "198.51.100.7", "192.0.2.12", "23")		/* 5 */
			  FW("14:03:00", "203.0.113.9", "192.0.2.10", "22")			/* 6 */
			  "Thanks.\n";								/* 7 */

struct row {
	const char *what;
	uint32_t got_line, want_line;
	const char *got_text, *want_prefix;
};

Test(extract, each_fact_names_its_line)
{
	struct evidence ev;
	extract(LOG, &ev);
	cr_assert_eq(ev.n_parts, 1);
	cr_expect_str_eq(ev.parts[0].label, "text");
	const struct evidence_addr *s = find(ev.sources, ev.n_sources, "198.51.100.7");
	cr_assert(s, "source 198.51.100.7 not found");
	const struct evidence_source_refs *sr = &ev.source_refs[s - ev.sources];
	const struct evidence_addr *d12 = find(ev.dests, ev.n_dests, "192.0.2.12");
	const struct evidence_addr *d10 = find(ev.dests, ev.n_dests, "192.0.2.10");
	cr_assert(d12 && d10);
	const struct evidence_port *p23 = NULL;
	for (size_t i = 0; i < ev.n_ports; i++)
		if (ev.ports[i].port == 23)
			p23 = &ev.ports[i];
	cr_assert(p23, "port 23 not found");
	const struct row rows[] = {
		{ "source first (earliest time)", sr->first.line, 4, sr->first.text, "Nov 22 14:01:00" },
		{ "source last (latest time, quoted line)", sr->last.line, 5, sr->last.text, "Nov 22 14:09:00" },
		{ "the source first named", s->ref.line, 3, s->ref.text, "Nov 22 14:05:00" },
		{ "destination 192.0.2.12", d12->ref.line, 5, d12->ref.text, "Nov 22 14:09:00" },
		{ "destination 192.0.2.10 (first of two lines)", d10->ref.line, 3, d10->ref.text, "Nov 22 14:05:00" },
		{ "port 23", p23->ref.line, 5, p23->ref.text, "Nov 22 14:09:00" },
		{ "first event", ev.first_ref.line, 4, ev.first_ref.text, "Nov 22 14:01:00" },
		{ "last event", ev.last_ref.line, 5, ev.last_ref.text, "Nov 22 14:09:00" },
		{ "lowest destination", ev.dest_min_ref.line, 3, ev.dest_min_ref.text, "Nov 22 14:05:00" },
		{ "highest destination", ev.dest_max_ref.line, 5, ev.dest_max_ref.text, "Nov 22 14:09:00" },
		{ "tcp", ev.proto_ref[EVENT_PROTO_TCP].line, 3, ev.proto_ref[EVENT_PROTO_TCP].text, "Nov 22 14:05:00" },
		{ "kind connection", ev.kind_ref[EVENT_CONNECTION].line, 3, ev.kind_ref[EVENT_CONNECTION].text,
		  "Nov 22 14:05:00" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		cr_expect_eq(rows[i].got_line, rows[i].want_line, "%s: got line %u, want %u", rows[i].what,
			     rows[i].got_line, rows[i].want_line);
		cr_expect(rows[i].got_text && !strncmp(rows[i].got_text, rows[i].want_prefix, strlen(rows[i].want_prefix)),
			  "%s: got text \"%s\", want it to start \"%s\"", rows[i].what,
			  rows[i].got_text ? rows[i].got_text : "(none)", rows[i].want_prefix);
	}
	/* the count: 4 events from lines 3-6 of the one part */
	cr_expect_eq(ev.parts[0].events, 4, "part events: got %llu, want 4", (unsigned long long)ev.parts[0].events);
	cr_expect_eq(ev.parts[0].first_line, 3, "part first line: got %u", ev.parts[0].first_line);
	cr_expect_eq(ev.parts[0].last_line, 6, "part last line: got %u", ev.parts[0].last_line);
	evidence_free(&ev);
}

/* The same facts in the JSON the ticket stores and in the text `ticket
 * show` and `extract` print. */
Test(extract, provenance_in_json_and_text)
{
	struct evidence ev;
	extract(LOG, &ev);
	json_t *j = evidence_json(&ev);
	evidence_free(&ev);
	json_t *src = json_array_get(json_object_get(j, "sources"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(src, "ip")), "198.51.100.7");
	json_t *first = json_object_get(json_object_get(src, "lines"), "first");
	cr_expect_str_eq(json_string_value(json_object_get(first, "part")), "text");
	cr_expect_eq(json_integer_value(json_object_get(first, "line")), 4);
	json_t *between = json_object_get(json_object_get(src, "lines"), "between");
	cr_expect_eq(json_array_size(between), 1, "between: got %zu refs, want 1 (line 3; 4 and 5 are first/last)",
		     json_array_size(between));
	cr_expect_eq(json_integer_value(json_object_get(json_array_get(between, 0), "line")), 3);
	json_t *bp = json_array_get(json_object_get(j, "events_by_part"), 0);
	cr_expect_eq(json_integer_value(json_object_get(bp, "events")), 4);
	struct buf out;
	buf_init(&out, 1024 * 1024);
	evidence_render_text(j, &out);
	const char *want[] = { "first    text line 4: Nov 22 14:01:00", "last     text line 5: Nov 22 14:09:00",
			       "also     text line 3:", "4 from text, lines 3-6", "23/tcp   text line 5:" };
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_expect(strstr(buf_str(&out), want[i]), "text lacks \"%s\":\n%s", want[i], buf_str(&out));
	buf_free(&out);
	json_decref(j);
}

/* A huge log: per source at most first, last and EVIDENCE_SPREAD_MAX lines,
 * evenly spread; at most EVIDENCE_REF_TEXTS_MAX texts for all facts. */
Test(extract, provenance_is_bounded)
{
	enum { LINES = 20000, SOURCES = 3000 };
	struct buf b;
	buf_init(&b, 16 * 1024 * 1024);
	for (int i = 0; i < LINES; i++) {
		int src = i < LINES / 2 ? 1 : 1 + i % SOURCES;
		buf_printf(&b, "Nov 22 %02d:%02d:%02d gw kernel: DROP SRC=10.%d.%d.%d DST=192.0.%d.%d PROTO=TCP SPT=1 DPT=%d\n",
			   i / 3600 % 24, i / 60 % 60, i % 60, src / 65536, src / 256 % 256, src % 256, i / 256 % 256,
			   i % 256, 1 + i % 2000);
	}
	struct evidence ev;
	extract(buf_str(&b), &ev);
	buf_free(&b);
	cr_expect_leq(ev.n_ref_texts, EVIDENCE_REF_TEXTS_MAX, "got %zu texts", ev.n_ref_texts);
	size_t with_text = 0, refs = 0;
	for (size_t i = 0; i < ev.n_sources; i++) {
		const struct evidence_source_refs *sr = &ev.source_refs[i];
		cr_expect_leq(sr->n_spread, EVIDENCE_SPREAD_MAX);
		refs++;
		with_text += sr->first.text != NULL;
		cr_expect_gt(sr->first.line, 0, "source %zu has no first line", i);
	}
	cr_expect_gt(with_text, 0);
	/* the busiest source (10.0.0.1, half the log): its spread covers the log */
	const struct evidence_addr *s = find(ev.sources, ev.n_sources, "10.0.0.1");
	cr_assert(s);
	const struct evidence_source_refs *sr = &ev.source_refs[s - ev.sources];
	cr_expect_eq(sr->n_spread >= EVIDENCE_SPREAD_MAX / 2, true);
	cr_expect_gt(sr->spread[sr->n_spread - 1].line, LINES / 4, "spread stops at line %u",
		     sr->spread[sr->n_spread - 1].line);
	cr_expect(sr->first.text, "the busiest source's first line lost its text");
	/* the stored JSON stays small: ports beyond the first ones carry no line */
	json_t *j = evidence_json(&ev);
	size_t i, with_line = 0;
	json_t *p;
	json_array_foreach(json_object_get(j, "ports"), i, p)
		with_line += json_object_get(p, "line") != NULL;
	cr_expect_eq(json_array_size(json_object_get(j, "ports")), EVIDENCE_PORTS_MAX);
	cr_expect_eq(with_line, REPORT_PORT_LINES_LISTED, "got %zu ports with a line", with_line);
	char *text = json_dumps(j, JSON_COMPACT);
	cr_expect_lt(strlen(text), 512 * 1024, "evidence JSON of %zu bytes", strlen(text));
	free(text);
	json_decref(j);
	evidence_free(&ev);
	(void)refs;
}
