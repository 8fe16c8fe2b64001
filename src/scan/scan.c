#include "scan/scan.h"

#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "scan/distinct.h"
#include "util/xalloc.h"

#define CHUNK_BITS 8
#define CHUNK_LEN (1u << CHUNK_BITS)	/* sources per slab: the budget's overshoot is at most one slab */
#define MID_MAX (SCAN_SAMPLE_MAX - 2)

/* Hot fields first: a lookup compares hash and r.src, which share the
 * first cache line; most events then touch only the next few. */
struct source {
	uint64_t hash;
	struct scan_result r;		/* counts filled in as events arrive; the rest at close */
	struct distinct hosts, ports;
	uint64_t recent[SCAN_DEDUP_RECENT];	/* hashes of the last lines, for duplicates */
	uint64_t rng;
	uint64_t dup_lines;		/* lines equal to one of the recent ones */
	uint64_t count_raw;		/* sum of event counts */
	uint64_t count_dedup;		/* the same without duplicate lines */
	uint8_t recent_at;
	uint64_t seen;			/* events offered to the reservoir */
	struct scan_sample first, last;
	struct scan_sample mid[MID_MAX];
	uint8_t n_mid;
	bool has_time;
	bool has_port;
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
	return &s->chunks[i >> CHUNK_BITS][i & (CHUNK_LEN - 1)];
}

static size_t source_heap(const struct source *x)
{
	return distinct_bytes(&x->hosts) + distinct_bytes(&x->ports);
}

static void source_reset(struct source *x)
{
	struct ip_addr src = x->r.src;
	uint64_t hash = x->hash;
	distinct_free(&x->hosts);
	distinct_free(&x->ports);
	memset(x, 0, sizeof(*x));
	x->r.src = src;
	x->hash = hash;
	x->rng = hash | 1;
}

struct scan *scan_new(const struct scan_params *p)
{
	struct scan *s = xcalloc(1, sizeof(*s));
	s->p = *p;
	s->rng = 0x2545f4914f6cdd1dULL;
	s->tab_cap = 1024;
	s->tab = xcalloc(s->tab_cap, sizeof(struct slot));
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
		if (x->hash == h && ip_equal(&x->r.src, a)) {
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
	s->tab = xcalloc(s->tab_cap, sizeof(struct slot));
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
	free(old);
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

/* Fills the parts of x->r that are computed once, at close. */
static void source_result(const struct scan *s, struct source *x, struct scan_result *ret)
{
	*ret = x->r;
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
		all[n++] = x->first;
		for (uint8_t i = 0; i < x->n_mid; i++)
			all[n++] = x->mid[i];
		all[n++] = x->last;
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

static void keep_finding(struct scan *s, const struct scan_result *r)
{
	if (s->n_found >= SCAN_FINDINGS_MAX) {
		s->st.findings_dropped++;
		return;
	}
	size_t old = s->found_cap;
	s->found = xgrow(s->found, &s->found_cap, s->n_found + 1, sizeof(*s->found));
	s->mem += (s->found_cap - old) * sizeof(*s->found);
	s->found[s->n_found++] = *r;
}

static void source_close(struct scan *s, struct source *x)
{
	if (x->seen) {
		struct scan_result r;
		source_result(s, x, &r);
		if (scan_kind_is_abuse(r.kind))
			keep_finding(s, &r);
	}
	s->mem -= source_heap(x);
	source_reset(x);
}

/* Removes live source k (swap with the last one). */
static void source_remove(struct scan *s, size_t k)
{
	struct source *x = at(s, k);
	bool found;
	size_t slot = tab_find(s, &x->r.src, x->hash, &found);
	tab_delete(s, slot);
	s->mem -= source_heap(x);
	distinct_free(&x->hosts);
	distinct_free(&x->ports);
	size_t last = s->n - 1;
	if (k != last) {
		struct source *y = at(s, last);
		size_t yslot = tab_find(s, &y->r.src, y->hash, &found);
		*x = *y;
		s->tab[yslot].idx1 = (uint32_t)(k + 1);
	}
	s->n--;
	if (s->n_chunks && s->n <= (s->n_chunks - 1) * CHUNK_LEN) {
		free(s->chunks[--s->n_chunks]);
		s->mem -= CHUNK_LEN * sizeof(struct source);
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
		if (s->n == s->n_chunks * CHUNK_LEN)
			need += CHUNK_LEN * sizeof(struct source);
		if ((s->n + 1) * 2 > s->tab_cap)
			need += s->tab_cap * sizeof(struct slot);
		if (s->n < 2 || s->mem + need <= s->p.memory_max)
			break;
		evict_one(s, (size_t)-1);
	}
	if ((s->n + 1) * 2 > s->tab_cap)
		tab_grow(s);
	if (s->n == s->n_chunks * CHUNK_LEN) {
		s->chunks = xgrow(s->chunks, &s->chunks_cap, s->n_chunks + 1, sizeof(*s->chunks));
		s->chunks[s->n_chunks++] = xmalloc(CHUNK_LEN * sizeof(struct source));
		s->mem += CHUNK_LEN * sizeof(struct source);
	}
	size_t k = s->n++;
	struct source *x = at(s, k);
	memset(x, 0, sizeof(*x));
	x->r.src = *a;
	x->hash = h;
	x->rng = h | 1;
	bool found;
	size_t slot = tab_find(s, a, h, &found);
	s->tab[slot] = (struct slot){ (uint32_t)(k + 1), (uint32_t)h };
	return k;
}

static void take_sample(struct source *x, int64_t t, uint64_t ref)
{
	struct scan_sample smp = { t, ref };
	if (!x->seen) {
		x->first = x->last = smp;
	} else {
		/* out-of-order lines: the earliest and latest by time, ties kept first seen */
		if (t < x->first.time)
			x->first = smp;
		if (t >= x->last.time)
			x->last = smp;
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

void scan_add(struct scan *s, const struct event *ev, uint64_t ref)
{
	s->st.events++;
	bool is_login = ev->kind == EVENT_LOGIN_FAILURE;
	bool is_conn = ev->kind == EVENT_CONNECTION || ev->kind == EVENT_ALERT;
	if (ev->src.family == IP_NONE || (!is_login && !is_conn)) {
		s->st.ignored++;
		return;
	}
	uint64_t h = addr_hash(&ev->src);
	bool found;
	size_t slot = tab_find(s, &ev->src, h, &found);
	size_t k = found ? s->tab[slot].idx1 - 1 : source_insert(s, &ev->src, h);
	struct source *x = at(s, k);
	struct scan_result *r = &x->r;
	size_t heap_before = source_heap(x);

	bool has_time = ev->tz != EVENT_TZ_UNKNOWN && ev->time != 0;
	if (has_time && x->has_time) {
		int64_t lo = ev->time < r->first ? ev->time : r->first;
		int64_t hi = ev->time > r->last ? ev->time : r->last;
		if (hi - lo >= s->p.window) {
			source_close(s, x);
			heap_before = 0;
		}
	}
	if (has_time) {
		if (!x->has_time || ev->time < r->first) {
			r->first = ev->time;
			r->first_offset = ev->utc_offset;
		}
		if (!x->has_time || ev->time >= r->last) {
			r->last = ev->time;
			r->last_offset = ev->utc_offset;
		}
		x->has_time = true;
		if (ev->tz == EVENT_TZ_ASSUMED)
			r->tz_assumed = true;
	} else {
		r->tz_unknown = true;
	}
	if (!r->format)
		r->format = ev->format;

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
			r->proto[ev->proto] += w;
		if (is_login) {
			r->logins += w;
			if (!r->service)
				r->service = ev->service;
		} else {
			r->connections += w;
		}
		take_sample(x, has_time ? ev->time : 0, ref);
	}

	if (is_conn && ev->dst.family != IP_NONE) {
		if (distinct_add(&x->hosts, addr_hash(&ev->dst)) && r->n_dst_list < SCAN_LIST_MAX)
			r->dst_list[r->n_dst_list++] = ev->dst;
		if (r->dst_min.family == IP_NONE || ip_compare(&ev->dst, &r->dst_min) < 0)
			r->dst_min = ev->dst;
		if (r->dst_max.family == IP_NONE || ip_compare(&ev->dst, &r->dst_max) > 0)
			r->dst_max = ev->dst;
	}
	if (is_conn && ev->has_dport) {
		if (distinct_add(&x->ports, distinct_mix(0x706f7274ULL ^ ev->dport)) && r->n_port_list < SCAN_LIST_MAX)
			r->port_list[r->n_port_list++] = ev->dport;
		if (!x->has_port || ev->dport < r->port_min)
			r->port_min = ev->dport;
		if (!x->has_port || ev->dport > r->port_max)
			r->port_max = ev->dport;
		x->has_port = true;
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
		free(s->chunks[c]);
	free(s->chunks);
	free(s->tab);
	free(s->found);
	free(s);
	return NULL;
}
