/*
 * extract: walks a report (see extract.h). One collector gathers events
 * from every reader; addresses are kept in open-addressing hash tables so
 * that a scan report of 100 000 lines costs one lookup per line.
 */
#include "evidence/extract.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "evidence/arf.h"
#include "evidence/csv.h"
#include "evidence/indicators.h"
#include "evidence/logfmt.h"
#include "evidence/logfmt/lfutil.h"
#include "evidence/timeparse.h"
#include "mail/parts.h"
#include "util/buf.h"
#include "util/xalloc.h"

#define PROSE_MAX (1024 * 1024)		/* prose bytes looked at for indicators */
#define PASTED_HEADERS_MAX (64 * 1024)	/* one pasted header block */

struct addr_table {
	struct evidence_addr **v;	/* the evidence's array (it may move) */
	struct evidence_source_refs **refs;	/* grown beside v when not NULL */
	size_t *n;
	size_t cap;			/* of v */
	size_t max;
	uint32_t *slot;			/* index + 1, 0 = empty */
	size_t n_slots;
};

struct collector {
	struct evidence *ev;
	struct logfmt_ctx ctx;
	const struct evidence_options *opt;
	struct addr_table src, dst;
	size_t ports_cap;
	struct buf prose;		/* the reporter's own words (depth 0) */
	struct buf prose_all;		/* all prose, for indicators */
	const char *last_format;	/* the format name last looked up, and its index */
	int last_format_index;
	/* provenance: the part being read and its line count so far */
	uint32_t part;			/* 1-based into ev->parts, 0 none */
	struct str part_text;
	const char *counted;		/* newlines of part_text counted up to here */
	uint32_t counted_line;		/* 1-based line number at `counted` */
	struct evidence_ref forced;	/* for an event with no line of its own (a Received hop) */
};

static uint32_t addr_hash(const struct ip_addr *a)
{
	uint32_t h = 2166136261u ^ a->family;
	for (int i = 0; i < 16; i++)
		h = (h ^ a->bytes[i]) * 16777619u;
	return h;
}

static void table_init(struct addr_table *t, struct evidence_addr **v, struct evidence_source_refs **refs, size_t *n,
		       size_t max)
{
	t->v = v;
	t->refs = refs;
	t->n = n;
	t->cap = 0;
	t->max = max;
	t->n_slots = 64;
	t->slot = xcalloc(t->n_slots, sizeof(uint32_t));
}

static void table_rehash(struct addr_table *t)
{
	free(t->slot);
	t->n_slots *= 2;
	t->slot = xcalloc(t->n_slots, sizeof(uint32_t));
	for (size_t i = 0; i < *t->n; i++) {
		size_t h = addr_hash(&(*t->v)[i].addr) & (t->n_slots - 1);
		while (t->slot[h])
			h = (h + 1) & (t->n_slots - 1);
		t->slot[h] = (uint32_t)i + 1;
	}
}

/* The entry for a, added when new; NULL when the table is full. */
static struct evidence_addr *table_get(struct addr_table *t, const struct ip_addr *a)
{
	size_t h = addr_hash(a) & (t->n_slots - 1);
	while (t->slot[h]) {
		struct evidence_addr *x = &(*t->v)[t->slot[h] - 1];
		if (ip_equal(&x->addr, a))
			return x;
		h = (h + 1) & (t->n_slots - 1);
	}
	if (*t->n >= t->max)
		return NULL;
	if (*t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		*t->v = xrealloc(*t->v, t->cap * sizeof(struct evidence_addr));
		if (t->refs)
			*t->refs = xrealloc(*t->refs, t->cap * sizeof(struct evidence_source_refs));
	}
	if (t->refs)
		memset(&(*t->refs)[*t->n], 0, sizeof(struct evidence_source_refs));
	struct evidence_addr *x = &(*t->v)[*t->n];
	memset(x, 0, sizeof(*x));
	x->addr = *a;
	t->slot[h] = (uint32_t)++*t->n;
	if (*t->n * 2 > t->n_slots)
		table_rehash(t);
	return table_get(t, a);
}

static void note_time(struct evidence_addr *x, int64_t t)
{
	if (!t)
		return;
	if (!x->first || t < x->first)
		x->first = t;
	if (t > x->last)
		x->last = t;
}

static bool ref_is_set(const struct evidence_ref *r)
{
	return r->part != 0;
}

static void add_port(struct collector *c, uint16_t port, enum event_proto proto, uint64_t n,
		     const struct evidence_ref *ref)
{
	struct evidence *ev = c->ev;
	for (size_t i = 0; i < ev->n_ports; i++) {
		struct evidence_port *x = &ev->ports[i];
		if (x->port != port)
			continue;
		if (x->proto == proto || proto == EVENT_PROTO_UNKNOWN || x->proto == EVENT_PROTO_UNKNOWN) {
			if (x->proto == EVENT_PROTO_UNKNOWN)
				x->proto = proto;
			x->events += n;
			if (!ref_is_set(&x->ref))
				x->ref = *ref;
			return;
		}
	}
	if (ev->n_ports == EVIDENCE_PORTS_MAX)
		return;
	if (ev->n_ports == c->ports_cap) {
		c->ports_cap = c->ports_cap ? c->ports_cap * 2 : 8;
		ev->ports = xrealloc(ev->ports, c->ports_cap * sizeof(struct evidence_port));
	}
	ev->ports[ev->n_ports++] = (struct evidence_port){ port, proto, n, *ref };
}

static void note_event_time(struct evidence *ev, int64_t t, int32_t offset, enum event_tz tz, uint64_t n,
			    const struct evidence_ref *ref)
{
	if (tz == EVENT_TZ_UNKNOWN)
		return;
	if (!ev->first || t < ev->first) {
		ev->first = t;
		ev->first_offset = offset;
		ev->first_ref = *ref;
	}
	if (!ev->last || t > ev->last) {
		ev->last = t;
		ev->last_offset = offset;
		ev->last_ref = *ref;
	}
	if (tz == EVENT_TZ_STATED)
		ev->tz_stated += n;
	else
		ev->tz_assumed += n;
	int p = timeparse_plausibility(t, ev->reference_time);
	if (p > 0)
		ev->clock_future += n;
	else if (p < 0)
		ev->clock_old += n;
}

static void keep_line(struct evidence *ev, struct str line, const char *format)
{
	if (ev->n_lines == EVIDENCE_LINES_MAX || line.len == 0)
		return;
	size_t n = line.len > EVIDENCE_LINE_MAX ? EVIDENCE_LINE_MAX : line.len;
	ev->lines[ev->n_lines].text = xstrndup(line.p, n);
	ev->lines[ev->n_lines].format = format;
	ev->n_lines++;
}

/* Starts a part: provenance refs name it and count its lines from here. */
static void begin_part(struct collector *c, char *label, struct str text)
{
	struct evidence *ev = c->ev;
	c->part_text = text;
	c->counted = text.p;
	c->counted_line = 1;
	if (ev->n_parts == EVIDENCE_PARTS_MAX) {
		free(label);
		c->part = 0;
		return;
	}
	ev->parts = xrealloc(ev->parts, (ev->n_parts + 1) * sizeof(*ev->parts));
	ev->parts[ev->n_parts++] = (struct evidence_part){ .label = label };
	c->part = (uint32_t)ev->n_parts;
}

/* The 1-based line of the current part where p lies; 0 when p is not in it.
 * Lines are read in order, so the count goes on from the last call. */
static uint32_t line_of(struct collector *c, const char *p)
{
	const char *base = c->part_text.p, *end = base + c->part_text.len;
	if (!base || p < base || p > end)
		return 0;
	if (p < c->counted) {
		c->counted = base;
		c->counted_line = 1;
	}
	const char *q = c->counted;
	while (q < p && (q = memchr(q, '\n', (size_t)(p - q))) != NULL) {
		c->counted_line++;
		q++;
	}
	c->counted = p;
	return c->counted_line;
}

static struct evidence_ref ref_of(struct collector *c, const struct event *e)
{
	struct evidence_ref r = { 0 };
	if (!c->part)
		return r;
	if (ref_is_set(&c->forced))
		return c->forced;
	r.part = c->part;
	if (e->line.len) {
		r.line = line_of(c, e->line.p);
		if (r.line) {
			r.text = e->line.p;
			r.len = (uint32_t)(e->line.len < EVIDENCE_REF_LINE_MAX * 4 ? e->line.len : EVIDENCE_REF_LINE_MAX * 4);
		}
	}
	return r;
}

static void note_source(struct evidence_addr *x, struct evidence_source_refs *sr, const struct event *e,
			const struct evidence_ref *ref)
{
	if (!sr->seen) {
		x->ref = *ref;
		sr->first = sr->last = *ref;
		sr->stride = 1;
	} else if (e->tz != EVENT_TZ_UNKNOWN && e->time) {
		if (!x->first || e->time < x->first)
			sr->first = *ref;
		if (e->time >= x->last)
			sr->last = *ref;
	} else if (!x->last) {
		sr->last = *ref;	/* no times at all: position decides */
	}
	/* the spread: every stride-th event; when full, keep every other one */
	if (sr->seen % sr->stride == 0) {
		if (sr->n_spread == EVIDENCE_SPREAD_MAX) {
			for (uint32_t i = 0; i < EVIDENCE_SPREAD_MAX / 2; i++)
				sr->spread[i] = sr->spread[2 * i];
			sr->n_spread = EVIDENCE_SPREAD_MAX / 2;
			sr->stride *= 2;
		}
		if (sr->seen % sr->stride == 0)
			sr->spread[sr->n_spread++] = *ref;
	}
	sr->seen++;
}

static int on_event(void *arg, const struct event *e)
{
	struct collector *c = arg;
	struct evidence *ev = c->ev;
	if (c->opt && c->opt->on_event)
		c->opt->on_event(c->opt->on_event_arg, e);
	uint64_t n = e->count ? e->count : 1;
	struct evidence_ref ref = ref_of(c, e);
	if (c->part) {
		struct evidence_part *pt = &ev->parts[c->part - 1];
		pt->events += n;
		if (ref.line) {
			if (!pt->first_line)
				pt->first_line = ref.line;
			pt->last_line = ref.line;
		}
	}
	enum event_kind kind = e->kind < EVENT_KIND_COUNT ? e->kind : EVENT_OTHER;
	if (!ref_is_set(&ev->kind_ref[kind]))
		ev->kind_ref[kind] = ref;
	if (e->proto <= EVENT_PROTO_OTHER && e->proto != EVENT_PROTO_UNKNOWN && !ref_is_set(&ev->proto_ref[e->proto]))
		ev->proto_ref[e->proto] = ref;
	ev->n_events += n;
	ev->by_kind[e->kind < EVENT_KIND_COUNT ? e->kind : EVENT_OTHER] += n;
	if (e->format != c->last_format) {
		c->last_format = e->format;
		c->last_format_index = e->format ? logfmt_find(e->format) : -1;
	}
	int fi = c->last_format_index;
	if (fi >= 0 && fi < 32)
		ev->formats |= 1u << fi;
	if (e->src.family != IP_NONE) {
		struct evidence_addr *x = table_get(&c->src, &e->src);
		if (x) {
			note_source(x, &ev->source_refs[x - ev->sources], e, &ref);
			x->events += n;
			note_time(x, e->tz != EVENT_TZ_UNKNOWN ? e->time : 0);
		}
	}
	if (e->dst.family != IP_NONE) {
		struct evidence_addr *x = table_get(&c->dst, &e->dst);
		if (x) {
			if (!x->events && !ref_is_set(&x->ref))
				x->ref = ref;
			x->events += n;
			note_time(x, e->tz != EVENT_TZ_UNKNOWN ? e->time : 0);
		} else {
			ev->dests_dropped++;
		}
		if (ev->dest_min.family == IP_NONE || ip_compare(&e->dst, &ev->dest_min) < 0) {
			ev->dest_min = e->dst;
			ev->dest_min_ref = ref;
		}
		if (ev->dest_max.family == IP_NONE || ip_compare(&e->dst, &ev->dest_max) > 0) {
			ev->dest_max = e->dst;
			ev->dest_max_ref = ref;
		}
	}
	if (e->has_dport)
		add_port(c, e->dport, e->proto, n, &ref);
	if (e->proto != EVENT_PROTO_UNKNOWN)
		ev->protos_mentioned |= 1u << e->proto;
	note_event_time(ev, e->time, e->utc_offset, e->tz, n, &ref);
	if (e->line.len) {
		ev->n_log_lines++;
		keep_line(ev, e->line, e->format);
	}
	return 0;
}

/* Header names that start a pasted header block. */
static bool is_header_start(struct str line)
{
	static const char *const names[] = { "Received:", "Return-Path:", "Authentication-Results:", "DKIM-Signature:",
					     "ARC-Seal:", "X-Originating-IP:", "Received-SPF:", "Delivered-To:" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (str_starts_nocase(line, names[i]))
			return true;
	return false;
}

static bool is_header_line(struct str line)
{
	if (line.len && (line.p[0] == ' ' || line.p[0] == '\t'))
		return true;
	size_t i = 0;
	while (i < line.len && i < 76 && (char_is_alnum(line.p[i]) || line.p[i] == '-'))
		i++;
	return i > 0 && i < line.len && line.p[i] == ':';
}

/* The k-th line (0-based) after `start` in the current part, as a ref. */
static struct evidence_ref ref_at(struct collector *c, const char *start, uint32_t k)
{
	struct evidence_ref r = { 0 };
	uint32_t line = c->part ? line_of(c, start) : 0;
	if (!line)
		return r;
	const char *end = c->part_text.p + c->part_text.len, *p = start;
	for (uint32_t i = 0; i < k && p < end; i++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		p = nl ? nl + 1 : end;
	}
	const char *nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
	size_t len = (size_t)((nl ? nl : end) - p);
	if (len && p[len - 1] == '\r')
		len--;
	r.part = c->part;
	r.line = line + k;
	r.text = p;
	r.len = (uint32_t)(len < EVIDENCE_REF_LINE_MAX * 4 ? len : EVIDENCE_REF_LINE_MAX * 4);
	return r;
}

/* A header block; `start` is where its first line lies in the current
 * part (so the origin's Received: line can be named), NULL if nowhere. */
static void headers_block(struct collector *c, struct str headers, const char *start)
{
	struct evidence *ev = c->ev;
	ev->has_headers = true;
	struct received_chain *chain = xmalloc(sizeof(*chain));
	received_parse(headers, c->opt->trust, chain);
	char from[512];
	if (!ev->spam_from_domain[0] && received_header_value(headers, "From", from, sizeof(from))) {
		char *at = strrchr(from, '@');
		if (at) {
			size_t n = strcspn(at + 1, "> \t\"");
			free(ev->spam_from_domain);
			ev->spam_from_domain = xstrndup(at + 1, n);
			for (char *p = ev->spam_from_domain; *p; p++)
				*p = (char)char_lower(*p);
		}
	}
	if (chain->origin >= 0) {
		const struct received_hop *h = &chain->hops[chain->origin];
		if (!ev->has_origin) {
			ev->has_origin = true;
			ev->origin = h->from;
			ev->origin_time = h->time;
			ev->origin_offset = h->offset;
		}
		struct event e;
		lfutil_event_init(&e, str_make("", 0), "received");
		if (start)
			c->forced = ref_at(c, start, h->line);
		e.src = h->from;
		e.kind = EVENT_SPAM;
		e.service = "smtp";
		if (h->time) {
			e.time = h->time;
			e.utc_offset = h->offset;
			e.tz = EVENT_TZ_STATED;
		}
		on_event(c, &e);
		c->forced = (struct evidence_ref){ 0 };
	}
	free(chain);
}

static void add_prose(struct collector *c, struct str line, bool own_words)
{
	buf_append(&c->prose_all, line.p, line.len);
	buf_append_char(&c->prose_all, '\n');
	if (own_words) {
		buf_append(&c->prose, line.p, line.len);
		buf_append_char(&c->prose, '\n');
	}
}

/* A text part: log lines to logfmt, pasted header blocks to received,
 * the rest is prose. Quoting ("> ") is stripped first. */
static void text_part(struct collector *c, struct str text, bool own_words)
{
	if (csv_looks_like(text)) {
		csv_read(&c->ctx, text, on_event, c);
		return;
	}
	struct logfmt_stream st;
	logfmt_stream_init(&st);
	struct buf hdr;
	buf_init(&hdr, PASTED_HEADERS_MAX);
	bool in_headers = false;
	const char *hdr_start = NULL;
	struct str line;
	while (str_take_line(&text, &line)) {
		const char *raw_line = line.p;
		while (line.len && line.p[0] == '>') {
			str_skip(&line, 1);
			if (line.len && line.p[0] == ' ')
				str_skip(&line, 1);
		}
		if (in_headers && line.len && is_header_line(line)) {
			buf_append(&hdr, line.p, line.len);
			buf_append_char(&hdr, '\n');
			continue;
		}
		if (in_headers) {
			headers_block(c, str_make(hdr.p, hdr.len), hdr_start);
			buf_reset(&hdr);
			in_headers = false;
		}
		if (is_header_start(line)) {
			in_headers = true;
			hdr_start = raw_line;
			buf_append(&hdr, line.p, line.len);
			buf_append_char(&hdr, '\n');
			continue;
		}
		struct event e;
		if (logfmt_parse_line(&c->ctx, &st, line, &e) >= 0) {
			on_event(c, &e);
			continue;
		}
		add_prose(c, line, own_words);
	}
	if (in_headers)
		headers_block(c, str_make(hdr.p, hdr.len), hdr_start);
	buf_free(&hdr);
}

static void arf_event(struct collector *c, const struct arf_report *r, bool is_xarf)
{
	struct evidence *ev = c->ev;
	char **slot = is_xarf ? &ev->xarf_category : &ev->arf_feedback_type;
	if (!**slot && r->type[0]) {
		free(*slot);
		*slot = xstrdup(r->type);
	}
	if (r->has_event) {
		if (r->at.len)
			c->forced = ref_at(c, r->at.p, 0);	/* the line naming the source */
		on_event(c, &r->event);
		/* a list of destinations: the others are facts of the same report */
		for (size_t i = 0; i < r->n_more_dst; i++) {
			const struct ip_addr *a = &r->more_dst[i];
			struct evidence_addr *x = table_get(&c->dst, a);
			if (!x)
				ev->dests_dropped++;
			else if (!ref_is_set(&x->ref))
				x->ref = c->forced;
			if (ip_compare(a, &ev->dest_min) < 0) {
				ev->dest_min = *a;
				ev->dest_min_ref = c->forced;
			}
			if (ip_compare(a, &ev->dest_max) > 0) {
				ev->dest_max = *a;
				ev->dest_max_ref = c->forced;
			}
		}
		c->forced = (struct evidence_ref){ 0 };
	}
	ev->has_headers |= !is_xarf;	/* ARF carries the original headers beside it */
}

/* Times and clock words in prose; counts, ports, addresses by indicators. */
static void prose(struct collector *c)
{
	struct evidence *ev = c->ev;
	struct str all = str_make(c->prose_all.p ? c->prose_all.p : "", c->prose_all.len);
	struct indicators *ind = xmalloc(sizeof(*ind));
	indicators_scan(all, ind);
	ev->was_defanged = ind->was_defanged;
	ev->protos_mentioned |= ind->protos;
	bool log_sources = ev->n_sources > 0;
	for (size_t i = 0; i < ind->n_addrs; i++) {
		const struct indicator_addr *a = &ind->addrs[i];
		if (a->is_range) {
			/* a range scanned is a destination fact */
			if (a->role != INDICATOR_ROLE_SOURCE) {
				if (ev->dest_min.family == IP_NONE || ip_compare(&a->first, &ev->dest_min) < 0)
					ev->dest_min = a->first;
				if (ev->dest_max.family == IP_NONE || ip_compare(&a->last, &ev->dest_max) > 0)
					ev->dest_max = a->last;
				table_get(&c->dst, &a->first);
				table_get(&c->dst, &a->last);
			}
			continue;
		}
		if (a->role == INDICATOR_ROLE_DEST)
			table_get(&c->dst, &a->first);
		else if (a->role == INDICATOR_ROLE_SOURCE || !log_sources)
			table_get(&c->src, &a->first);
	}
	for (size_t i = 0; i < ind->n_ports; i++)
		for (uint32_t p = ind->ports[i].first; p <= ind->ports[i].last && p - ind->ports[i].first < 16; p++)
			add_port(c, (uint16_t)p, ind->ports[i].proto, 0, &(struct evidence_ref){ 0 });
	for (size_t i = 0; i < ind->n_counts; i++)
		if (ind->counts[i].n > ev->prose_count && strcmp(ind->counts[i].noun, "times") != 0) {
			ev->prose_count = ind->counts[i].n;
			memcpy(ev->prose_count_noun, ind->counts[i].noun, sizeof(ev->prose_count_noun));
			ev->prose_count_approx = ind->counts[i].approximate;
		}
	for (size_t i = 0; i < ind->n_urls && ev->n_urls < EVIDENCE_URLS_MAX; i++)
		ev->urls[ev->n_urls++] = xstrdup(ind->urls[i]);
	indicators_free(ind);
	free(ind);

	/* times in prose ("on 22 Nov 2026 14:03 CET") */
	struct timeparse_ctx tc = { .reference_time = ev->reference_time, .default_offset = c->ctx.default_offset };
	struct str s = all;
	while (s.len) {
		if (s.p == all.p || !char_is_alnum(s.p[-1])) {
			struct timeparse_result r;
			if ((char_is_digit(s.p[0]) || char_is_alpha(s.p[0])) && timeparse_take(&tc, &s, &r)) {
				note_event_time(ev, r.time, r.offset, r.tz, 0, &(struct evidence_ref){ 0 });
				continue;
			}
		}
		str_skip(&s, 1);
	}
	struct str own = str_make(c->prose.p ? c->prose.p : "", c->prose.len);
	ev->mentions_clock = str_find_nocase(own, STR_LIT("ntp")) >= 0 ||
			     str_find_nocase(own, STR_LIT("clock is accurate")) >= 0 ||
			     str_find_nocase(own, STR_LIT("clock was accurate")) >= 0 ||
			     str_find_nocase(own, STR_LIT("clocks are synchron")) >= 0 ||
			     str_find_nocase(own, STR_LIT("time-synchron")) >= 0 ||
			     str_find_nocase(own, STR_LIT("clock synchron")) >= 0;
	/* the statement: the reporter's words, white space folded */
	struct buf b;
	buf_init(&b, EVIDENCE_STATEMENT_MAX);
	bool space = true;
	for (size_t i = 0; i < own.len && b.len + 4 < EVIDENCE_STATEMENT_MAX; i++) {
		unsigned char ch = (unsigned char)own.p[i];
		if (char_is_space(ch) || ch < 0x20) {
			if (!space)
				buf_append_char(&b, ' ');
			space = true;
			continue;
		}
		buf_append_char(&b, (char)ch);
		space = false;
	}
	while (b.len && b.p[b.len - 1] == ' ')
		b.p[--b.len] = 0;
	/* cut on a character boundary */
	while (b.len && ((unsigned char)b.p[b.len - 1] & 0xc0) == 0x80 && b.len == EVIDENCE_STATEMENT_MAX - 4)
		b.p[--b.len] = 0;
	free(ev->statement);
	ev->statement = buf_steal(&b);
}

void evidence_init(struct evidence *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->spam_from_domain = xstrdup("");
	ev->arf_feedback_type = xstrdup("");
	ev->xarf_category = xstrdup("");
	ev->statement = xstrdup("");
}

void evidence_free(struct evidence *ev)
{
	free(ev->sources);
	free(ev->source_refs);
	free(ev->dests);
	for (size_t i = 0; i < ev->n_parts; i++)
		free(ev->parts[i].label);
	free(ev->parts);
	for (size_t i = 0; i < ev->n_ref_texts; i++)
		free(ev->ref_texts[i]);
	free(ev->ref_texts);
	free(ev->ports);
	for (size_t i = 0; i < ev->n_lines; i++)
		free(ev->lines[i].text);
	for (size_t i = 0; i < ev->n_urls; i++)
		free(ev->urls[i]);
	free(ev->spam_from_domain);
	free(ev->arf_feedback_type);
	free(ev->xarf_category);
	free(ev->statement);
	memset(ev, 0, sizeof(*ev));
}

static void collector_init(struct collector *c, struct evidence *ev, const struct evidence_options *opt, int64_t date)
{
	memset(c, 0, sizeof(*c));
	c->ev = ev;
	c->opt = opt;
	ev->reference_time = opt->reference_time ? opt->reference_time : date ? date : (int64_t)time(NULL);
	c->ctx.reference_time = ev->reference_time;
	c->ctx.default_offset = opt->default_offset;
	c->ctx.user = opt->user_formats;
	table_init(&c->src, &ev->sources, &ev->source_refs, &ev->n_sources, EVIDENCE_SOURCES_MAX);
	table_init(&c->dst, &ev->dests, NULL, &ev->n_dests, EVIDENCE_DESTS_MAX);
	buf_init(&c->prose, PROSE_MAX);
	buf_init(&c->prose_all, PROSE_MAX);
}

/*
 * Provenance texts: until now refs are slices of the input. Each gets its
 * own copy, shared by refs to the same line, in the order an analyst reads
 * (the time window, the busiest sources, ports, kinds, destinations) until
 * EVIDENCE_REF_TEXTS_MAX copies are made; later refs keep part and line.
 */
#define KEPT_SLOTS (EVIDENCE_REF_TEXTS_MAX * 2)

struct kept {
	struct evidence *ev;
	uint64_t key[KEPT_SLOTS];	/* part << 32 | line, 0 = empty */
	uint32_t idx[KEPT_SLOTS];	/* into ev->ref_texts */
};

static void keep_ref(struct kept *k, struct evidence_ref *r)
{
	if (!r->text || !r->line) {
		r->text = NULL;
		r->len = 0;
		return;
	}
	uint64_t key = (uint64_t)r->part << 32 | r->line;
	size_t h = (size_t)((key * 0x9e3779b97f4a7c15ull) >> 40) & (KEPT_SLOTS - 1);
	while (k->key[h] && k->key[h] != key)
		h = (h + 1) & (KEPT_SLOTS - 1);
	struct evidence *ev = k->ev;
	if (!k->key[h]) {
		if (ev->n_ref_texts == EVIDENCE_REF_TEXTS_MAX) {
			r->text = NULL;
			r->len = 0;
			return;
		}
		size_t n = r->len;
		while (n && (r->text[n - 1] == '\r' || r->text[n - 1] == '\n'))
			n--;
		if (n > EVIDENCE_REF_LINE_MAX) {
			n = EVIDENCE_REF_LINE_MAX;
			while (n && ((unsigned char)r->text[n] & 0xc0) == 0x80)
				n--;	/* cut on a character boundary */
		}
		if (!ev->ref_texts)
			ev->ref_texts = xcalloc(EVIDENCE_REF_TEXTS_MAX, sizeof(char *));
		k->key[h] = key;
		k->idx[h] = (uint32_t)ev->n_ref_texts;
		ev->ref_texts[ev->n_ref_texts++] = xstrndup(r->text, n);
	}
	r->text = ev->ref_texts[k->idx[h]];
	r->len = (uint32_t)strlen(r->text);
}

static int cmp_busiest(const void *a, const void *b)
{
	const struct evidence_addr *x = *(const struct evidence_addr *const *)a, *y = *(const struct evidence_addr *const *)b;
	if (x->events != y->events)
		return x->events < y->events ? 1 : -1;
	return ip_compare(&x->addr, &y->addr);
}

/* The table's entries, busiest first (the order report.c lists them in). */
static struct evidence_addr **busiest(struct evidence_addr *v, size_t n)
{
	struct evidence_addr **o = xmalloc((n ? n : 1) * sizeof(*o));
	for (size_t i = 0; i < n; i++)
		o[i] = &v[i];
	qsort(o, n, sizeof(*o), cmp_busiest);
	return o;
}

static void refs_keep(struct evidence *ev)
{
	struct kept *k = xcalloc(1, sizeof(*k));
	k->ev = ev;
	keep_ref(k, &ev->first_ref);
	keep_ref(k, &ev->last_ref);
	struct evidence_addr **o = busiest(ev->sources, ev->n_sources);
	for (size_t i = 0; i < ev->n_sources; i++) {
		struct evidence_source_refs *sr = &ev->source_refs[o[i] - ev->sources];
		keep_ref(k, &sr->first);
		keep_ref(k, &sr->last);
		for (uint32_t j = 0; j < sr->n_spread; j++)
			keep_ref(k, &sr->spread[j]);
		keep_ref(k, &o[i]->ref);
	}
	free(o);
	for (size_t i = 0; i < ev->n_ports; i++)
		keep_ref(k, &ev->ports[i].ref);
	for (int i = 0; i <= EVENT_PROTO_OTHER; i++)
		keep_ref(k, &ev->proto_ref[i]);
	for (int i = 0; i < EVENT_KIND_COUNT; i++)
		keep_ref(k, &ev->kind_ref[i]);
	keep_ref(k, &ev->dest_min_ref);
	keep_ref(k, &ev->dest_max_ref);
	o = busiest(ev->dests, ev->n_dests);
	for (size_t i = 0; i < ev->n_dests; i++)
		keep_ref(k, &o[i]->ref);
	free(o);
	free(k);
}

static void collector_finish(struct collector *c)
{
	prose(c);
	refs_keep(c->ev);
	free(c->src.slot);
	free(c->dst.slot);
	buf_free(&c->prose);
	buf_free(&c->prose_all);
	evidence_check(c->ev);
}

int evidence_extract_text(const char *text, size_t len, const struct evidence_options *opt, struct evidence *ret)
{
	struct evidence ev;
	evidence_init(&ev);
	struct collector c;
	collector_init(&c, &ev, opt, 0);
	begin_part(&c, xstrdup("text"), str_make(text, len));
	text_part(&c, str_make(text, len), true);
	collector_finish(&c);
	*ret = ev;
	return 0;
}

static bool is_xarf_yaml(struct str t)
{
	struct str head = str_make(t.p, t.len < 400 ? t.len : 400);
	return str_find_nocase(head, STR_LIT("Reported-From:")) >= 0 &&
	       (str_find_nocase(t, STR_LIT("Report-Type:")) >= 0 || str_find_nocase(t, STR_LIT("Source-Type:")) >= 0);
}

/* A part as the analyst can find it: "auth.log (part 2)",
 * "text/plain (part 1)", "attached message headers (part 3)". */
static char *part_label(const struct mail_part *p, size_t i)
{
	struct buf b;
	buf_init(&b, 512);
	if (p->filename[0])
		buf_append(&b, p->filename, strnlen(p->filename, 200));
	else if (p->kind == MAIL_PART_HEADERS)
		buf_printf(&b, "%s headers", p->depth > 0 ? "attached message" : "pasted");
	else
		buf_append(&b, p->content_type, strnlen(p->content_type, 100));
	buf_printf(&b, " (part %zu)", i + 1);
	return buf_steal(&b);
}

/* A message whose MIME structure yields no part (a multipart without a
 * boundary): its body is read as text, so that nothing the reporter wrote
 * is lost to a defect. */
static void raw_body(struct collector *c, const char *raw, size_t len)
{
	struct str s = str_make(raw, len), line;
	while (str_take_line(&s, &line))
		if (line.len == 0)
			break;
	begin_part(c, xstrdup("body"), s);
	text_part(c, s, true);
}

int evidence_extract_message(const char *raw, size_t len, const struct evidence_options *opt, struct evidence *ret)
{
	struct mail_parts parts;
	int r = mail_parts_read(raw, len, &parts);
	r = evidence_extract_parts(raw, len, r < 0 ? NULL : &parts, opt, ret);
	mail_parts_clear(&parts);
	return r;
}

int evidence_extract_parts(const char *raw, size_t len, const struct mail_parts *parts,
			   const struct evidence_options *opt, struct evidence *ret)
{
	if (!parts)
		return evidence_extract_text(raw, len, opt, ret);
	struct evidence ev;
	evidence_init(&ev);
	struct collector c;
	collector_init(&c, &ev, opt, parts->date);
	/* HTML is read only where the message has no plain text of its own. */
	bool has_plain = false;
	for (size_t i = 0; i < parts->n; i++)
		if (parts->v[i].kind == MAIL_PART_TEXT && !parts->v[i].is_attachment && parts->v[i].depth == 0)
			has_plain = true;
	for (size_t i = 0; i < parts->n; i++) {
		const struct mail_part *p = &parts->v[i];
		struct str t = str_make(p->text, p->text_len);
		begin_part(&c, part_label(p, i), t);
		switch (p->kind) {
		case MAIL_PART_HEADERS:
			headers_block(&c, t, t.p);
			break;
		case MAIL_PART_FEEDBACK: {
			struct arf_report r;
			arf_read_feedback(&c.ctx, t, &r);
			arf_event(&c, &r, false);
			break;
		}
		case MAIL_PART_DATA: {
			struct arf_report r;
			/* X-ARF v0.2 keys, or v0.3's {"ReportClass", "ReportType"} */
			if (str_find_nocase(t, STR_LIT("x-arf")) >= 0 || str_find_nocase(t, STR_LIT("Report-Type")) >= 0 ||
			    str_find_nocase(t, STR_LIT("Source-Type")) >= 0 || str_find_nocase(t, STR_LIT("ReportType")) >= 0 ||
			    str_find_nocase(t, STR_LIT("ReportClass")) >= 0) {
				arf_read_xarf(&c.ctx, t, &r);
				arf_event(&c, &r, true);
			} else {
				text_part(&c, t, false);
			}
			break;
		}
		case MAIL_PART_HTML:
			if (has_plain && p->depth == 0 && !p->is_attachment)
				break;
			text_part(&c, t, p->depth == 0 && !p->is_attachment);
			break;
		case MAIL_PART_TEXT:
			/* X-ARF v0.2's second part is text/plain YAML */
			if (p->depth == 0 && is_xarf_yaml(t)) {
				struct arf_report r;
				arf_read_xarf(&c.ctx, t, &r);
				arf_event(&c, &r, true);
				break;
			}
			text_part(&c, t, p->depth == 0 && !p->is_attachment);
			break;
		}
	}
	if (parts->n == 0)
		raw_body(&c, raw, len);
	collector_finish(&c);	/* before the caller frees the parts: refs are slices of their text */
	*ret = ev;
	return 0;
}
