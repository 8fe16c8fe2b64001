#include "scan/scan.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "scan/distinct.h"
#include "util/bigalloc.h"
#include "util/xalloc.h"

/* Sources live in slabs: the first SMALL_CHUNKS hold CHUNK_LEN sources
 * each (so a small budget is not spent on one slab), the rest fill a huge
 * page each (util/bigalloc.h: a random read into a few hundred MB of
 * sources then costs a cache miss, not a page walk too). A small slab
 * (40 KiB) stays under malloc's mmap threshold (128 KiB), so the many
 * short-lived aggregators of the pipeline and the fuzzers reuse heap
 * memory instead of mapping, faulting in and unmapping a slab each. */
#define CHUNK_BITS 6
#define CHUNK_LEN (1u << CHUNK_BITS)
#define SMALL_CHUNKS 32
#define SMALL_TOTAL (SMALL_CHUNKS * CHUNK_LEN)
#define BIG_LEN (BIGALLOC_HUGE / sizeof(struct source))
#define MID_MAX (SCAN_SAMPLE_MAX - 2)

/* A live source, laid out by how often each part is touched: the first
 * 128 bytes (two cache lines, fetched together) hold the lookup key and
 * what every event updates; the sets and ranges come next; what only the
 * first few events or the close read (lists, samples) last. Nothing of
 * struct scan_result is kept here: it is built once, at close. */
struct source {
	/* line 1: lookup and the per-event counts */
	uint64_t hash;
	struct ip_addr src;
	uint8_t flags;			/* SRC_* */
	uint8_t recent_at;
	uint8_t n_mid;
	uint8_t n_dst_list;
	uint8_t n_port_list;
	uint16_t port_min, port_max;
	int64_t first, last;		/* UTC seconds, when SRC_HAS_TIME */
	uint64_t count_raw;		/* sum of event counts, duplicates too */
	/* line 2 */
	int32_t first_offset, last_offset;
	uint64_t count_dedup;		/* the same without duplicate lines */
	uint64_t logins;		/* failed logins (the rest are connections) */
	uint64_t dup_lines;		/* lines equal to one of the recent ones */
	uint64_t seen;			/* events offered to the reservoir */
	uint64_t rng;
	struct scan_sample last_s;
	/* lines 3-4 */
	uint64_t proto[5];		/* events per enum event_proto */
	uint64_t recent[SCAN_DEDUP_RECENT];	/* hashes of the last lines, for duplicates */
	/* sets and ranges */
	struct distinct hosts, ports;
	struct ip_addr dst_min, dst_max;	/* family IP_NONE when no destination was known */
	/* cold: the first events and the close */
	const char *service;		/* of the login events, static */
	const char *format;		/* of the first event, static */
	struct scan_sample first_s;
	struct scan_sample mid[MID_MAX];
	struct ip_addr dst_list[SCAN_LIST_MAX];
	uint16_t port_list[SCAN_LIST_MAX];
};

enum {
	SRC_HAS_TIME = 1,		/* some event had a time */
	SRC_HAS_PORT = 2,		/* some connection had a destination port */
	SRC_TZ_ASSUMED = 4,		/* some event's zone was not stated */
	SRC_TZ_UNKNOWN = 8,		/* some event had no time */
};

/* A table slot holds the low 32 bits of the source's hash, so probes and
 * regrowth do not touch the source itself (one cache miss saved each). */
struct slot {
	uint32_t idx1;			/* index + 1; 0 empty */
	uint32_t tag;			/* (uint32_t)hash; home slot = tag & mask */
};

struct scan {
	struct scan_params p;
	struct source **chunks;
	size_t n_chunks, chunks_cap;
	size_t n;			/* live sources */
	struct slot *tab;		/* open addressing, linear probing */
	size_t tab_cap;			/* power of two, at least 2 n */
	struct scan_result *found;	/* closed abusive episodes */
	size_t n_found, found_cap;
	size_t mem;			/* bytes counted against p.memory_max */
	uint64_t rng;
	struct scan_stats st;
};

static const char *const kind_text[SCAN_KIND_COUNT] = {
	[SCAN_KIND_OTHER] = "connection attempts",
	[SCAN_KIND_LOGIN] = "login attempts",
	[SCAN_KIND_RANGE] = "address-range scan",
	[SCAN_KIND_PORT] = "port scan",
	[SCAN_KIND_BOTH] = "address-range and port scan",
};
static const char *const kind_name[SCAN_KIND_COUNT] = {
	[SCAN_KIND_OTHER] = "other", [SCAN_KIND_LOGIN] = "login", [SCAN_KIND_RANGE] = "range",
	[SCAN_KIND_PORT] = "port",   [SCAN_KIND_BOTH] = "both",
};

const char *scan_kind_text(enum scan_kind k)
{
	return (unsigned)k < SCAN_KIND_COUNT ? kind_text[k] : "?";
}

const char *scan_kind_name(enum scan_kind k)
{
	return (unsigned)k < SCAN_KIND_COUNT ? kind_name[k] : "?";
}

bool scan_kind_is_abuse(enum scan_kind k)
{
	return k != SCAN_KIND_OTHER;
}

void scan_params_default(struct scan_params *p)
{
	*p = (struct scan_params){
		.window = 86400,
		.hosts_min = 10,
		.ports_min = 10,
		.few_max = 5,
		.logins_min = 10,
		.memory_max = (size_t)256 << 20,
	};
}

void scan_params_from_config(const struct config *cfg, struct scan_params *ret)
{
	scan_params_default(ret);
	ret->window = cfg->scan_window_seconds;
	ret->hosts_min = (uint64_t)cfg->scan_hosts_min;
	ret->ports_min = (uint64_t)cfg->scan_ports_min;
	ret->few_max = (uint64_t)cfg->scan_few_max;
	ret->logins_min = (uint64_t)cfg->scan_logins_min;
	ret->memory_max = (size_t)cfg->scan_memory_max_mib << 20;
}

/* docs/SCANS.md "Classification". Scans take precedence over login
 * attempts: a source that does both is reported for the scan, and the
 * report counts its failed logins too. */
enum scan_kind scan_classify(const struct scan_params *p, uint64_t hosts, uint64_t ports, uint64_t logins)
{
	if (hosts >= p->hosts_min && ports <= p->few_max)
		return SCAN_KIND_RANGE;
	if (ports >= p->ports_min && hosts <= p->few_max)
		return SCAN_KIND_PORT;
	if (hosts > p->few_max && ports > p->few_max && (hosts >= p->hosts_min || ports >= p->ports_min))
		return SCAN_KIND_BOTH;
	if (logins >= p->logins_min)
		return SCAN_KIND_LOGIN;
	return SCAN_KIND_OTHER;
}

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static uint64_t addr_hash(const struct ip_addr *a)
{
	return distinct_hash_bytes(a, sizeof(*a));
}

static struct source *at(struct scan *s, size_t i)
{
	if (i < SMALL_TOTAL)
		return &s->chunks[i >> CHUNK_BITS][i & (CHUNK_LEN - 1)];
	i -= SMALL_TOTAL;
	return &s->chunks[SMALL_CHUNKS + i / BIG_LEN][i % BIG_LEN];
}

/* Sources held by the first c slabs, and the bytes of slab c. */
static size_t chunks_cap(size_t c)
{
	return c <= SMALL_CHUNKS ? c * CHUNK_LEN : SMALL_TOTAL + (c - SMALL_CHUNKS) * BIG_LEN;
}

static size_t chunk_bytes(size_t c)
{
	return c < SMALL_CHUNKS ? CHUNK_LEN * sizeof(struct source) : BIGALLOC_HUGE;
}

static size_t source_heap(const struct source *x)
{
	return distinct_bytes(&x->hosts) + distinct_bytes(&x->ports);
}

/* A fresh episode for source x, which keeps its key. The cold part needs
 * no clearing: each of its arrays is read only up to a counter cleared here. */
static void source_init(struct source *x, const struct ip_addr *a, uint64_t h)
{
	memset(x, 0, offsetof(struct source, first_s));
	x->src = *a;
	x->hash = h;
	x->rng = h | 1;
}

struct scan *scan_new(const struct scan_params *p)
{
	struct scan *s = xcalloc(1, sizeof(*s));
	s->p = *p;
	s->rng = 0x2545f4914f6cdd1dULL;
	s->tab_cap = 1024;
	s->tab = bigalloc_zeroed(s->tab_cap * sizeof(struct slot));
	s->mem = s->tab_cap * sizeof(struct slot);
	return s;
}

/* ---- the table: linear probing, backward-shift deletion ---- */

static size_t tab_find(const struct scan *s, const struct ip_addr *a, uint64_t h, bool *ret_found)
{
	size_t mask = s->tab_cap - 1;
	uint32_t tag = (uint32_t)h;
	for (size_t i = tag & mask;; i = (i + 1) & mask) {
		const struct slot *v = &s->tab[i];
		if (!v->idx1) {
			*ret_found = false;
			return i;
		}
		if (v->tag != tag)
			continue;
		struct source *x = at((struct scan *)s, v->idx1 - 1);
		if (x->hash == h && ip_equal(&x->src, a)) {
			*ret_found = true;
			return i;
		}
	}
}

static void tab_grow(struct scan *s)
{
	struct slot *old = s->tab;
	size_t old_cap = s->tab_cap;
	s->mem -= old_cap * sizeof(struct slot);
	s->tab_cap *= 2;
	s->tab = bigalloc_zeroed(s->tab_cap * sizeof(struct slot));
	s->mem += s->tab_cap * sizeof(struct slot);
	size_t mask = s->tab_cap - 1;
	for (size_t j = 0; j < old_cap; j++) {
		if (!old[j].idx1)
			continue;
		size_t i = old[j].tag & mask;
		while (s->tab[i].idx1)
			i = (i + 1) & mask;
		s->tab[i] = old[j];
	}
	bigalloc_free(old, old_cap * sizeof(struct slot));
}

static void tab_delete(struct scan *s, size_t i)
{
	size_t mask = s->tab_cap - 1;
	s->tab[i] = (struct slot){ 0, 0 };
	for (size_t j = (i + 1) & mask; s->tab[j].idx1; j = (j + 1) & mask) {
		size_t home = s->tab[j].tag & mask;
		/* move j back into the hole when its home is not in (i, j] */
		if (((j - home) & mask) >= ((j - i) & mask)) {
			s->tab[i] = s->tab[j];
			s->tab[j] = (struct slot){ 0, 0 };
			i = j;
		}
	}
}

/* ---- episodes ---- */

static int cmp_sample(const void *a, const void *b)
{
	const struct scan_sample *x = a, *y = b;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->ref < y->ref ? -1 : x->ref > y->ref;
}

/* The result of x's episode, computed once, at close. */
static void source_result(const struct scan *s, const struct source *x, struct scan_result *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->src = x->src;
	ret->tz_assumed = x->flags & SRC_TZ_ASSUMED;
	ret->tz_unknown = x->flags & SRC_TZ_UNKNOWN;
	if (x->flags & SRC_HAS_TIME) {
		ret->first = x->first;
		ret->last = x->last;
		ret->first_offset = x->first_offset;
		ret->last_offset = x->last_offset;
	}
	ret->logins = x->logins;
	ret->connections = x->count_dedup - x->logins;
	memcpy(ret->proto, x->proto, sizeof(ret->proto));
	ret->dst_min = x->dst_min;
	ret->dst_max = x->dst_max;
	ret->port_min = x->port_min;
	ret->port_max = x->port_max;
	ret->service = x->service;
	ret->format = x->format;
	ret->n_dst_list = x->n_dst_list;
	memcpy(ret->dst_list, x->dst_list, x->n_dst_list * sizeof(x->dst_list[0]));
	ret->n_port_list = x->n_port_list;
	memcpy(ret->port_list, x->port_list, x->n_port_list * sizeof(x->port_list[0]));

	ret->hosts = distinct_count(&x->hosts);
	ret->hosts_exact = distinct_is_exact(&x->hosts);
	ret->ports = distinct_count(&x->ports);
	ret->ports_exact = distinct_is_exact(&x->ports);
	ret->kind = scan_classify(&s->p, ret->hosts, ret->ports, ret->logins);

	ret->events = x->count_dedup;
	ret->events_exact = true;
	ret->duplicates = x->dup_lines;

	struct scan_sample all[SCAN_SAMPLE_MAX];
	size_t n = 0;
	if (x->seen) {
		all[n++] = x->first_s;
		for (uint8_t i = 0; i < x->n_mid; i++)
			all[n++] = x->mid[i];
		all[n++] = x->last_s;
	}
	qsort(all, n, sizeof(all[0]), cmp_sample);
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (!m || all[i].ref != all[m - 1].ref)
			all[m++] = all[i];
	memcpy(ret->samples, all, m * sizeof(all[0]));
	ret->n_samples = (uint8_t)m;
	ret->total_samples_seen = x->seen;
}

/* Findings count against the budget like everything else: the array
 * grows by a quarter (so a step is small next to the budget) only when
 * the step fits; otherwise the finding is dropped and counted, never
 * silently (scan_stats.findings_dropped, said by `scans` and `report`). */
static void keep_finding(struct scan *s, const struct scan_result *r)
{
	if (s->n_found >= SCAN_FINDINGS_MAX) {
		s->st.findings_dropped++;
		return;
	}
	if (s->n_found == s->found_cap) {
		size_t add = s->found_cap / 4 < 16 ? 16 : s->found_cap / 4;
		size_t bytes = add * sizeof(*s->found);
		if (s->mem + bytes > s->p.memory_max) {
			s->st.findings_dropped++;
			return;
		}
		s->found = xrealloc(s->found, (s->found_cap + add) * sizeof(*s->found));
		s->found_cap += add;
		s->mem += bytes;
		if (s->mem > s->st.memory_peak)
			s->st.memory_peak = s->mem;
	}
	s->found[s->n_found++] = *r;
}

/* Ends x's episode: kept when it was abuse; x starts afresh. */
static void source_close(struct scan *s, struct source *x)
{
	if (x->seen) {
		struct scan_result r;
		source_result(s, x, &r);
		if (scan_kind_is_abuse(r.kind))
			keep_finding(s, &r);
	}
	s->mem -= source_heap(x);
	distinct_free(&x->hosts);
	distinct_free(&x->ports);
	struct ip_addr a = x->src;
	source_init(x, &a, x->hash);
}

/* Removes live source k (swap with the last one). */
static void source_remove(struct scan *s, size_t k)
{
	struct source *x = at(s, k);
	bool found;
	size_t slot = tab_find(s, &x->src, x->hash, &found);
	tab_delete(s, slot);
	s->mem -= source_heap(x);
	distinct_free(&x->hosts);
	distinct_free(&x->ports);
	size_t last = s->n - 1;
	if (k != last) {
		struct source *y = at(s, last);
		size_t yslot = tab_find(s, &y->src, y->hash, &found);
		*x = *y;
		s->tab[yslot].idx1 = (uint32_t)(k + 1);
	}
	s->n--;
	if (s->n_chunks && s->n <= chunks_cap(s->n_chunks - 1)) {
		s->n_chunks--;
		bigalloc_free(s->chunks[s->n_chunks], chunk_bytes(s->n_chunks));
		s->mem -= chunk_bytes(s->n_chunks);
	}
}

/* Drops the source with the fewest events among a few picked at random,
 * sparing `keep`. A source that is already abuse becomes a finding. */
static size_t evict_one(struct scan *s, size_t keep)
{
	size_t victim = (size_t)-1;
	uint64_t best = UINT64_MAX;
	for (int i = 0; i < SCAN_EVICT_SAMPLE; i++) {
		size_t k = (size_t)(xorshift(&s->rng) % s->n);
		if (k == keep)
			continue;
		uint64_t e = at(s, k)->count_raw;
		if (e < best) {
			best = e;
			victim = k;
		}
	}
	if (victim == (size_t)-1)
		return victim;
	struct source *x = at(s, victim);
	struct scan_result r;
	source_result(s, x, &r);
	if (scan_kind_is_abuse(r.kind)) {
		keep_finding(s, &r);
	} else {
		s->st.evicted_sources++;
		s->st.evicted_events += x->count_raw;
	}
	source_remove(s, victim);
	return victim;
}

static size_t source_insert(struct scan *s, const struct ip_addr *a, uint64_t h)
{
	/* Make room first: a new slab or a bigger table is paid for by
	 * evicting, so the count never passes the budget. */
	for (;;) {
		size_t need = 3 * 8 * sizeof(uint64_t);	/* the new source's first keys */
		if (s->n == chunks_cap(s->n_chunks))
			need += chunk_bytes(s->n_chunks);
		if ((s->n + 1) * 2 > s->tab_cap)
			need += s->tab_cap * sizeof(struct slot);
		if (s->n < 2 || s->mem + need <= s->p.memory_max)
			break;
		evict_one(s, (size_t)-1);
	}
	if ((s->n + 1) * 2 > s->tab_cap)
		tab_grow(s);
	if (s->n == chunks_cap(s->n_chunks)) {
		s->chunks = xgrow(s->chunks, &s->chunks_cap, s->n_chunks + 1, sizeof(*s->chunks));
		s->chunks[s->n_chunks] = bigalloc_zeroed(chunk_bytes(s->n_chunks));
		s->mem += chunk_bytes(s->n_chunks);
		s->n_chunks++;
	}
	size_t k = s->n++;
	source_init(at(s, k), a, h);
	bool found;
	size_t slot = tab_find(s, a, h, &found);
	s->tab[slot] = (struct slot){ (uint32_t)(k + 1), (uint32_t)h };
	return k;
}

static void take_sample(struct source *x, int64_t t, uint64_t ref)
{
	struct scan_sample smp = { t, ref };
	if (!x->seen) {
		x->first_s = x->last_s = smp;
	} else {
		/* out-of-order lines: the earliest and latest by time, ties kept first seen */
		if (t < x->first_s.time)
			x->first_s = smp;
		if (t >= x->last_s.time)
			x->last_s = smp;
	}
	x->seen++;
	/* Algorithm R over all events: a uniform spread, reproducible because
	 * the generator is seeded from the source address. */
	if (x->n_mid < MID_MAX) {
		x->mid[x->n_mid++] = smp;
	} else {
		uint64_t j = xorshift(&x->rng) % x->seen;
		if (j < MID_MAX)
			x->mid[j] = smp;
	}
}

static bool event_counts(const struct event *ev)
{
	return ev->src.family != IP_NONE &&
	       (ev->kind == EVENT_LOGIN_FAILURE || ev->kind == EVENT_CONNECTION || ev->kind == EVENT_ALERT);
}

static uint64_t port_key(uint16_t port)
{
	return distinct_mix(0x706f7274ULL ^ port);
}

void scan_prep(const struct scan *s, const struct event *ev, struct scan_prep *ret)
{
	if (!event_counts(ev)) {
		*ret = (struct scan_prep){ 0, 0, 0 };
		return;
	}
	ret->src = addr_hash(&ev->src) | 1;
	ret->dst = ev->dst.family != IP_NONE ? addr_hash(&ev->dst) : 0;
	ret->port = ev->has_dport ? port_key(ev->dport) : 0;
	__builtin_prefetch(&s->tab[(uint32_t)ret->src & (s->tab_cap - 1)]);
}

/* The live source the home slot of p names, or NULL: enough for a hint. */
static const struct source *hint_source(const struct scan *s, const struct scan_prep *p)
{
	const struct slot *v = &s->tab[(uint32_t)p->src & (s->tab_cap - 1)];
	if (!p->src || !v->idx1 || v->tag != (uint32_t)p->src)
		return NULL;
	return at((struct scan *)s, v->idx1 - 1);
}

void scan_prefetch_source(const struct scan *s, const struct scan_prep *p)
{
	const char *x = (const char *)hint_source(s, p);
	if (!x)
		return;
	/* the parts every event touches: up to the destination range */
	for (size_t o = 0; o < offsetof(struct source, first_s); o += 64)
		__builtin_prefetch(x + o, 1);
	/* and one real load: measured on the shared VM, prefetches alone
	 * left most of these misses to the add (a load always walks the
	 * page table; a prefetch may be dropped) */
	(void)*(volatile const char *)x;
}

void scan_prefetch_sets(const struct scan *s, const struct scan_prep *p)
{
	const struct source *x = hint_source(s, p);
	if (!x)
		return;
	if (p->dst)
		distinct_prefetch(&x->hosts, p->dst);
	if (p->port)
		distinct_prefetch(&x->ports, p->port);
}

void scan_add(struct scan *s, const struct event *ev, uint64_t ref)
{
	struct scan_prep p;
	scan_prep(s, ev, &p);
	scan_add_prepared(s, ev, ref, &p);
}

void scan_add_prepared(struct scan *s, const struct event *ev, uint64_t ref, const struct scan_prep *p)
{
	uint64_t h = p->src;
	s->st.events++;
	if (!event_counts(ev)) {
		s->st.ignored++;
		return;
	}
	bool is_login = ev->kind == EVENT_LOGIN_FAILURE;
	bool is_conn = !is_login;
	bool found;
	size_t slot = tab_find(s, &ev->src, h, &found);
	size_t k = found ? s->tab[slot].idx1 - 1 : source_insert(s, &ev->src, h);
	struct source *x = at(s, k);
	size_t heap_before = source_heap(x);

	/* Episodes (docs/SCANS.md "The window"): an event more than the
	 * window after the episode's last event, or before its first, ends
	 * it and opens the next. Order inside the window does not matter. */
	bool has_time = ev->tz != EVENT_TZ_UNKNOWN && ev->time != 0;
	if (has_time && (x->flags & SRC_HAS_TIME) &&
	    (ev->time > x->last + s->p.window || ev->time < x->first - s->p.window)) {
		source_close(s, x);
		heap_before = 0;
	}
	if (has_time) {
		bool had = x->flags & SRC_HAS_TIME;
		if (!had || ev->time < x->first) {
			x->first = ev->time;
			x->first_offset = ev->utc_offset;
		}
		if (!had || ev->time >= x->last) {
			x->last = ev->time;
			x->last_offset = ev->utc_offset;
		}
		x->flags |= SRC_HAS_TIME;
		if (ev->tz == EVENT_TZ_ASSUMED)
			x->flags |= SRC_TZ_ASSUMED;
	} else {
		x->flags |= SRC_TZ_UNKNOWN;
	}
	if (!x->format)
		x->format = ev->format;

	uint64_t w = ev->count ? ev->count : 1;
	x->count_raw += w;
	/* Duplicate lines: the same log read twice (kern.log and syslog) puts
	 * equal lines next to each other once files are merged by time, so a
	 * few recent line hashes per source find them in constant memory. */
	bool is_new_line = true;
	if (ev->line.len) {
		uint64_t lh = distinct_hash_bytes(ev->line.p, ev->line.len) | 1;
		for (int i = 0; i < SCAN_DEDUP_RECENT; i++)
			if (x->recent[i] == lh)
				is_new_line = false;
		if (is_new_line) {
			x->recent[x->recent_at] = lh;
			x->recent_at = (uint8_t)((x->recent_at + 1) % SCAN_DEDUP_RECENT);
		} else {
			x->dup_lines++;
		}
	}
	if (is_new_line) {
		x->count_dedup += w;
		if ((unsigned)ev->proto < 5)
			x->proto[ev->proto] += w;
		if (is_login) {
			x->logins += w;
			if (!x->service)
				x->service = ev->service;
		}
		take_sample(x, has_time ? ev->time : 0, ref);
	}

	if (is_conn && ev->dst.family != IP_NONE) {
		if (distinct_add(&x->hosts, p->dst) && x->n_dst_list < SCAN_LIST_MAX)
			x->dst_list[x->n_dst_list++] = ev->dst;
		if (x->dst_min.family == IP_NONE || ip_compare(&ev->dst, &x->dst_min) < 0)
			x->dst_min = ev->dst;
		if (x->dst_max.family == IP_NONE || ip_compare(&ev->dst, &x->dst_max) > 0)
			x->dst_max = ev->dst;
	}
	if (is_conn && ev->has_dport) {
		if (distinct_add(&x->ports, p->port) && x->n_port_list < SCAN_LIST_MAX)
			x->port_list[x->n_port_list++] = ev->dport;
		bool had = x->flags & SRC_HAS_PORT;
		if (!had || ev->dport < x->port_min)
			x->port_min = ev->dport;
		if (!had || ev->dport > x->port_max)
			x->port_max = ev->dport;
		x->flags |= SRC_HAS_PORT;
	}

	s->mem += source_heap(x) - heap_before;
	if (s->mem > s->st.memory_peak)
		s->st.memory_peak = s->mem;
	while (s->mem > s->p.memory_max && s->n > 1) {
		size_t v = evict_one(s, k);
		if (k == s->n)	/* the current source was the last one: it moved into the hole */
			k = v;
	}
}

static int result_order(const void *a, const void *b)
{
	static const int rank[SCAN_KIND_COUNT] = {
		[SCAN_KIND_BOTH] = 0, [SCAN_KIND_RANGE] = 1, [SCAN_KIND_PORT] = 2, [SCAN_KIND_LOGIN] = 3, [SCAN_KIND_OTHER] = 4,
	};
	const struct scan_result *x = a, *y = b;
	if (rank[x->kind] != rank[y->kind])
		return rank[x->kind] - rank[y->kind];
	if (x->events != y->events)
		return x->events > y->events ? -1 : 1;
	int c = ip_compare(&x->src, &y->src);
	if (c)
		return c;
	return x->first < y->first ? -1 : x->first > y->first;
}

void scan_finish(struct scan *s, struct scan_result **ret, size_t *ret_n)
{
	size_t n = s->n_found + s->n;
	struct scan_result *out = xcalloc(n ? n : 1, sizeof(*out));
	if (s->n_found)
		memcpy(out, s->found, s->n_found * sizeof(*out));
	size_t m = s->n_found;
	for (size_t k = 0; k < s->n; k++) {
		struct source *x = at(s, k);
		if (x->seen)
			source_result(s, x, &out[m++]);
	}
	qsort(out, m, sizeof(*out), result_order);
	s->st.sources = s->n;

	/* empty, ready to be fed again */
	while (s->n)
		source_remove(s, s->n - 1);
	s->mem -= s->found_cap * sizeof(*s->found);
	free(s->found);
	s->found = NULL;
	s->n_found = s->found_cap = 0;
	*ret = out;
	*ret_n = m;
}

void scan_stats_get(const struct scan *s, struct scan_stats *ret)
{
	*ret = s->st;
	if (s->n)
		ret->sources = s->n;
}

struct scan *scan_free(struct scan *s)
{
	if (!s)
		return NULL;
	for (size_t k = 0; k < s->n; k++) {
		struct source *x = at(s, k);
		distinct_free(&x->hosts);
		distinct_free(&x->ports);
	}
	for (size_t c = 0; c < s->n_chunks; c++)
		bigalloc_free(s->chunks[c], chunk_bytes(c));
	free(s->chunks);
	bigalloc_free(s->tab, s->tab_cap * sizeof(struct slot));
	free(s->found);
	free(s);
	return NULL;
}
