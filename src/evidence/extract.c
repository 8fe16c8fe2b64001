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
};

static uint32_t addr_hash(const struct ip_addr *a)
{
	uint32_t h = 2166136261u ^ a->family;
	for (int i = 0; i < 16; i++)
		h = (h ^ a->bytes[i]) * 16777619u;
	return h;
}

static void table_init(struct addr_table *t, struct evidence_addr **v, size_t *n, size_t max)
{
	t->v = v;
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
	}
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

static void add_port(struct collector *c, uint16_t port, enum event_proto proto, uint64_t n)
{
	struct evidence *ev = c->ev;
	for (size_t i = 0; i < ev->n_ports; i++)
		if (ev->ports[i].port == port && (ev->ports[i].proto == proto || proto == EVENT_PROTO_UNKNOWN)) {
			ev->ports[i].events += n;
			return;
		} else if (ev->ports[i].port == port && ev->ports[i].proto == EVENT_PROTO_UNKNOWN) {
			ev->ports[i].proto = proto;
			ev->ports[i].events += n;
			return;
		}
	if (ev->n_ports == EVIDENCE_PORTS_MAX)
		return;
	if (ev->n_ports == c->ports_cap) {
		c->ports_cap = c->ports_cap ? c->ports_cap * 2 : 8;
		ev->ports = xrealloc(ev->ports, c->ports_cap * sizeof(struct evidence_port));
	}
	ev->ports[ev->n_ports++] = (struct evidence_port){ port, proto, n };
}

static void note_event_time(struct evidence *ev, int64_t t, int32_t offset, enum event_tz tz, uint64_t n)
{
	if (tz == EVENT_TZ_UNKNOWN)
		return;
	if (!ev->first || t < ev->first) {
		ev->first = t;
		ev->first_offset = offset;
	}
	if (!ev->last || t > ev->last) {
		ev->last = t;
		ev->last_offset = offset;
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

static int on_event(void *arg, const struct event *e)
{
	struct collector *c = arg;
	struct evidence *ev = c->ev;
	if (c->opt && c->opt->on_event)
		c->opt->on_event(c->opt->on_event_arg, e);
	uint64_t n = e->count ? e->count : 1;
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
			x->events += n;
			note_time(x, e->tz != EVENT_TZ_UNKNOWN ? e->time : 0);
		}
	}
	if (e->dst.family != IP_NONE) {
		struct evidence_addr *x = table_get(&c->dst, &e->dst);
		if (x) {
			x->events += n;
			note_time(x, e->tz != EVENT_TZ_UNKNOWN ? e->time : 0);
		} else {
			ev->dests_dropped++;
		}
		if (ev->dest_min.family == IP_NONE || ip_compare(&e->dst, &ev->dest_min) < 0)
			ev->dest_min = e->dst;
		if (ev->dest_max.family == IP_NONE || ip_compare(&e->dst, &ev->dest_max) > 0)
			ev->dest_max = e->dst;
	}
	if (e->has_dport)
		add_port(c, e->dport, e->proto, n);
	if (e->proto != EVENT_PROTO_UNKNOWN)
		ev->protos_mentioned |= 1u << e->proto;
	note_event_time(ev, e->time, e->utc_offset, e->tz, n);
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

static void headers_block(struct collector *c, struct str headers)
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
		e.src = h->from;
		e.kind = EVENT_SPAM;
		e.service = "smtp";
		if (h->time) {
			e.time = h->time;
			e.utc_offset = h->offset;
			e.tz = EVENT_TZ_STATED;
		}
		on_event(c, &e);
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
	struct str line;
	while (str_take_line(&text, &line)) {
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
			headers_block(c, str_make(hdr.p, hdr.len));
			buf_reset(&hdr);
			in_headers = false;
		}
		if (is_header_start(line)) {
			in_headers = true;
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
		headers_block(c, str_make(hdr.p, hdr.len));
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
	if (r->has_event)
		on_event(c, &r->event);
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
			add_port(c, (uint16_t)p, ind->ports[i].proto, 0);
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
				note_event_time(ev, r.time, r.offset, r.tz, 0);
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
	free(ev->dests);
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
	table_init(&c->src, &ev->sources, &ev->n_sources, EVIDENCE_SOURCES_MAX);
	table_init(&c->dst, &ev->dests, &ev->n_dests, EVIDENCE_DESTS_MAX);
	buf_init(&c->prose, PROSE_MAX);
	buf_init(&c->prose_all, PROSE_MAX);
}

static void collector_finish(struct collector *c)
{
	prose(c);
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

/* A message whose MIME structure yields no part (a multipart without a
 * boundary): its body is read as text, so that nothing the reporter wrote
 * is lost to a defect. */
static void raw_body(struct collector *c, const char *raw, size_t len)
{
	struct str s = str_make(raw, len), line;
	while (str_take_line(&s, &line))
		if (line.len == 0)
			break;
	text_part(c, s, true);
}

int evidence_extract_message(const char *raw, size_t len, const struct evidence_options *opt, struct evidence *ret)
{
	struct mail_parts parts;
	if (mail_parts_read(raw, len, &parts) < 0)
		return evidence_extract_text(raw, len, opt, ret);
	struct evidence ev;
	evidence_init(&ev);
	struct collector c;
	collector_init(&c, &ev, opt, parts.date);
	/* HTML is read only where the message has no plain text of its own. */
	bool has_plain = false;
	for (size_t i = 0; i < parts.n; i++)
		if (parts.v[i].kind == MAIL_PART_TEXT && !parts.v[i].is_attachment && parts.v[i].depth == 0)
			has_plain = true;
	for (size_t i = 0; i < parts.n; i++) {
		const struct mail_part *p = &parts.v[i];
		struct str t = str_make(p->text, p->text_len);
		switch (p->kind) {
		case MAIL_PART_HEADERS:
			headers_block(&c, t);
			break;
		case MAIL_PART_FEEDBACK: {
			struct arf_report r;
			arf_read_feedback(&c.ctx, t, &r);
			arf_event(&c, &r, false);
			break;
		}
		case MAIL_PART_DATA: {
			struct arf_report r;
			if (str_find_nocase(t, STR_LIT("x-arf")) >= 0 || str_find_nocase(t, STR_LIT("Report-Type")) >= 0 ||
			    str_find_nocase(t, STR_LIT("Source-Type")) >= 0) {
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
	if (parts.n == 0)
		raw_body(&c, raw, len);
	mail_parts_clear(&parts);
	collector_finish(&c);
	*ret = ev;
	return 0;
}
