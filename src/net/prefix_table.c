#include "net/prefix_table.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* 128-bit keys keep the sweep one piece of code for both families; GCC and
 * Clang have them on every 64-bit target Debian builds for. */
__extension__ typedef unsigned __int128 u128;

#define V6_INDEX_BITS 16
#define V4_BUCKETS (1u << PREFIX_TABLE_V4_INDEX_BITS)
#define V6_BUCKETS (1u << V6_INDEX_BITS)

struct range4 {
	uint32_t first, last, value, seq;
};

struct range6 {
	u128 first, last;
	uint32_t value, seq;
};

struct prefix_builder {
	struct range4 *r4;
	size_t n4, cap4;
	struct range6 *r6;
	size_t n6, cap6;
	uint32_t seq;
};

struct iv4 {
	uint32_t start;
	uint32_t value;
};

/* index4 entries: a bucket lying in one interval holds that interval's
 * value with DIRECT set (no second memory access); others hold nothing
 * but the flag clear, and the slice comes from start4. */
#define DIRECT 0x80000000u

struct prefix_table {
	struct iv4 *iv4;	/* sorted by start; iv4[0].start == 0 */
	size_t n4;
	uint32_t *index4;	/* V4_BUCKETS: DIRECT | value, or 0 */
	uint32_t *start4;	/* V4_BUCKETS + 1: the interval holding the bucket's first address */
	u128 *start6;		/* sorted; start6[0] == 0 */
	uint32_t *value6;
	size_t n6;
	uint32_t *index6;	/* V6_BUCKETS + 1 */
};

static u128 key_of(const struct ip_addr *a)
{
	u128 k = 0;
	for (unsigned i = 0; i < ip_bits(a) / 8; i++)
		k = k << 8 | a->bytes[i];
	return k;
}

struct prefix_builder *prefix_builder_new(void)
{
	return xcalloc(1, sizeof(struct prefix_builder));
}

struct prefix_builder *prefix_builder_free(struct prefix_builder *b)
{
	if (b) {
		free(b->r4);
		free(b->r6);
		free(b);
	}
	return NULL;
}

size_t prefix_builder_count(const struct prefix_builder *b)
{
	return b->n4 + b->n6;
}

int prefix_builder_add(struct prefix_builder *b, const struct ip_addr *first, const struct ip_addr *last,
		       uint32_t value)
{
	if (first->family != last->family || first->family == IP_NONE || value == PREFIX_TABLE_NONE ||
	    ip_compare(first, last) > 0)
		return -EINVAL;
	if (b->n4 + b->n6 >= PREFIX_TABLE_RANGES_MAX)
		return -EMSGSIZE;
	if (first->family == IP_V4) {
		b->r4 = xgrow(b->r4, &b->cap4, b->n4 + 1, sizeof(*b->r4));
		b->r4[b->n4++] = (struct range4){ ip_v4_u32(first), ip_v4_u32(last), value, b->seq++ };
	} else {
		b->r6 = xgrow(b->r6, &b->cap6, b->n6 + 1, sizeof(*b->r6));
		b->r6[b->n6++] = (struct range6){ key_of(first), key_of(last), value, b->seq++ };
	}
	return 0;
}

int prefix_builder_add_prefix(struct prefix_builder *b, const struct ip_prefix *p, uint32_t value)
{
	struct ip_addr first, last;
	ip_prefix_range(p, &first, &last);
	return prefix_builder_add(b, &first, &last, value);
}

/* ---- the sweep, shared by both families ---- */

struct sweep {
	const struct prefix_builder *b;
	bool v6;
	size_t n;
};

static u128 s_first(const struct sweep *s, size_t i)
{
	return s->v6 ? s->b->r6[i].first : s->b->r4[i].first;
}

static u128 s_last(const struct sweep *s, size_t i)
{
	return s->v6 ? s->b->r6[i].last : s->b->r4[i].last;
}

static uint32_t s_value(const struct sweep *s, size_t i)
{
	return s->v6 ? s->b->r6[i].value : s->b->r4[i].value;
}

static uint32_t s_seq(const struct sweep *s, size_t i)
{
	return s->v6 ? s->b->r6[i].seq : s->b->r4[i].seq;
}

/* Heap order: smaller range first; of equal size, the later one. */
static bool s_better(const struct sweep *s, uint32_t a, uint32_t b)
{
	u128 sa = s_last(s, a) - s_first(s, a), sb = s_last(s, b) - s_first(s, b);
	if (sa != sb)
		return sa < sb;
	return s_seq(s, a) > s_seq(s, b);
}

static void heap_push(const struct sweep *s, uint32_t *h, size_t *n, uint32_t v)
{
	size_t i = (*n)++;
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!s_better(s, v, h[parent]))
			break;
		h[i] = h[parent];
		i = parent;
	}
	h[i] = v;
}

static void heap_pop(const struct sweep *s, uint32_t *h, size_t *n)
{
	uint32_t v = h[--(*n)];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= *n)
			break;
		if (c + 1 < *n && s_better(s, h[c + 1], h[c]))
			c++;
		if (!s_better(s, h[c], v))
			break;
		h[i] = h[c];
		i = c;
	}
	if (*n)
		h[i] = v;
}

static int cmp_u128(const void *a, const void *b)
{
	u128 x, y;
	memcpy(&x, a, sizeof(x));
	memcpy(&y, b, sizeof(y));
	return x < y ? -1 : x > y;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int cmp_range4(const void *a, const void *b)
{
	uint32_t x = ((const struct range4 *)a)->first, y = ((const struct range4 *)b)->first;
	return x < y ? -1 : x > y;
}

static int cmp_range6(const void *a, const void *b)
{
	const struct range6 *x = a, *y = b;
	return x->first < y->first ? -1 : x->first > y->first;
}

typedef void emit_fn(void *user, u128 start, uint32_t value);

/* Splits the family's ranges into disjoint intervals, calling emit for each
 * (the first starts at 0; each differs in value from the one before). */
static void sweep_run(struct prefix_builder *b, bool v6, emit_fn *emit, void *user)
{
	struct sweep s = { b, v6, v6 ? b->n6 : b->n4 };
	u128 max = v6 ? ~(u128)0 : (u128)UINT32_MAX;
	emit(user, 0, PREFIX_TABLE_NONE);
	if (s.n == 0)
		return;
	if (v6)
		qsort(b->r6, b->n6, sizeof(*b->r6), cmp_range6);
	else
		qsort(b->r4, b->n4, sizeof(*b->r4), cmp_range4);

	/* Every point where the answer may change: a first, or one past a last.
	 * IPv4 points fit in 64 bits, which halves the memory and sort time. */
	size_t nb = 0;
	void *bounds;
	if (v6) {
		u128 *p = xcalloc(2 * s.n + 1, sizeof(u128));
		for (size_t i = 0; i < s.n; i++) {
			p[nb++] = s_first(&s, i);
			if (s_last(&s, i) != max)
				p[nb++] = s_last(&s, i) + 1;
		}
		qsort(p, nb, sizeof(u128), cmp_u128);
		bounds = p;
	} else {
		uint64_t *p = xcalloc(2 * s.n + 1, sizeof(uint64_t));
		for (size_t i = 0; i < s.n; i++) {
			p[nb++] = b->r4[i].first;
			p[nb++] = (uint64_t)b->r4[i].last + 1;
		}
		qsort(p, nb, sizeof(uint64_t), cmp_u64);
		bounds = p;
	}

	uint32_t *heap = xcalloc(s.n + 1, sizeof(uint32_t));
	size_t nh = 0, next = 0;
	uint32_t prev = PREFIX_TABLE_NONE;
	for (size_t k = 0; k < nb; k++) {
		u128 p = v6 ? ((u128 *)bounds)[k] : (u128)((uint64_t *)bounds)[k];
		if (k > 0 && p == (v6 ? ((u128 *)bounds)[k - 1] : (u128)((uint64_t *)bounds)[k - 1]))
			continue;
		if (p > max)
			break;	/* one past 255.255.255.255 */
		while (next < s.n && s_first(&s, next) == p)
			heap_push(&s, heap, &nh, (uint32_t)next++);
		/* Lazy deletion: only the top must be a range still open here. */
		while (nh && s_last(&s, heap[0]) < p)
			heap_pop(&s, heap, &nh);
		uint32_t v = nh ? s_value(&s, heap[0]) : PREFIX_TABLE_NONE;
		if (v != prev) {
			emit(user, p, v);
			prev = v;
		}
	}
	free(heap);
	free(bounds);
}

struct out4 {
	struct iv4 *iv;
	size_t n, cap;
};

static void emit4(void *user, u128 start, uint32_t value)
{
	struct out4 *o = user;
	if (o->n && o->iv[o->n - 1].start == (uint32_t)start) {
		o->iv[o->n - 1].value = value;	/* the opening 0 interval replaced */
		return;
	}
	o->iv = xgrow(o->iv, &o->cap, o->n + 1, sizeof(*o->iv));
	o->iv[o->n++] = (struct iv4){ (uint32_t)start, value };
}

struct out6 {
	u128 *start;
	uint32_t *value;
	size_t n, cap, vcap;
};

static void emit6(void *user, u128 start, uint32_t value)
{
	struct out6 *o = user;
	if (o->n && o->start[o->n - 1] == start) {
		o->value[o->n - 1] = value;
		return;
	}
	o->start = xgrow(o->start, &o->cap, o->n + 1, sizeof(*o->start));
	o->value = xgrow(o->value, &o->vcap, o->n + 1, sizeof(*o->value));
	o->start[o->n] = start;
	o->value[o->n++] = value;
}

/* index[k] = the interval holding the bucket's first address. */
static void index4_fill(struct prefix_table *t)
{
	t->index4 = xcalloc(V4_BUCKETS, sizeof(uint32_t));
	t->start4 = xcalloc(V4_BUCKETS + 1, sizeof(uint32_t));
	size_t i = 0;
	for (uint64_t k = 0; k < V4_BUCKETS; k++) {
		uint32_t a = (uint32_t)(k << (32 - PREFIX_TABLE_V4_INDEX_BITS));
		while (i + 1 < t->n4 && t->iv4[i + 1].start <= a)
			i++;
		t->start4[k] = (uint32_t)i;
	}
	t->start4[V4_BUCKETS] = (uint32_t)(t->n4 - 1);
	for (uint64_t k = 0; k < V4_BUCKETS; k++) {
		uint32_t lo = t->start4[k], hi = t->start4[k + 1];
		/* One interval covers the bucket when the next one starts only at
		 * or after the next bucket (hi's interval may start exactly there). */
		uint64_t next = (k + 1) << (32 - PREFIX_TABLE_V4_INDEX_BITS);
		bool one = lo == hi || (hi == lo + 1 && t->iv4[hi].start == next);
		uint32_t v = t->iv4[lo].value;
		if (one && (v < (DIRECT - 1) || v == PREFIX_TABLE_NONE))
			t->index4[k] = v == PREFIX_TABLE_NONE ? PREFIX_TABLE_NONE : DIRECT | v;
	}
}

static void index6_fill(struct prefix_table *t)
{
	t->index6 = xcalloc(V6_BUCKETS + 1, sizeof(uint32_t));
	size_t i = 0;
	for (uint64_t k = 0; k < V6_BUCKETS; k++) {
		u128 a = (u128)k << (128 - V6_INDEX_BITS);
		while (i + 1 < t->n6 && t->start6[i + 1] <= a)
			i++;
		t->index6[k] = (uint32_t)i;
	}
	t->index6[V6_BUCKETS] = (uint32_t)(t->n6 - 1);
}

/* No interval, or the one that covers everything with no value. */
static bool is_empty(size_t n, uint32_t first_value)
{
	return n == 0 || (n == 1 && first_value == PREFIX_TABLE_NONE);
}

int prefix_table_build(struct prefix_builder *b, struct prefix_table **ret_table)
{
	struct prefix_table *t = xcalloc(1, sizeof(*t));
	struct out4 o4 = { 0 };
	sweep_run(b, false, emit4, &o4);
	free(b->r4);
	b->r4 = NULL;
	t->iv4 = xrealloc(o4.iv, o4.n * sizeof(*o4.iv));
	t->n4 = o4.n;
	struct out6 o6 = { 0 };
	sweep_run(b, true, emit6, &o6);
	t->start6 = o6.start;
	t->value6 = o6.value;
	t->n6 = o6.n;
	prefix_builder_free(b);
	/* A family without a single range needs no index: its 1 M buckets
	 * cost 8 MiB and a few ms to fill (serve builds four tables per
	 * worker), and every lookup answers NONE. */
	if (!is_empty(t->n4, t->n4 ? t->iv4[0].value : PREFIX_TABLE_NONE))
		index4_fill(t);
	if (!is_empty(t->n6, t->n6 ? t->value6[0] : PREFIX_TABLE_NONE))
		index6_fill(t);
	*ret_table = t;
	return 0;
}

struct prefix_table *prefix_table_free(struct prefix_table *t)
{
	if (t) {
		free(t->iv4);
		free(t->index4);
		free(t->start4);
		free(t->start6);
		free(t->value6);
		free(t->index6);
		free(t);
	}
	return NULL;
}

uint32_t prefix_table_lookup_v4(const struct prefix_table *t, uint32_t addr)
{
	if (!t->index4)
		return PREFIX_TABLE_NONE;	/* no range at all */
	uint32_t k = addr >> (32 - PREFIX_TABLE_V4_INDEX_BITS);
	uint32_t d = t->index4[k];
	if (d & DIRECT)
		return d == PREFIX_TABLE_NONE ? d : d & ~DIRECT;
	uint32_t lo = t->start4[k], hi = t->start4[k + 1];
	/* The answer is the last interval starting at or before addr. */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo + 1) / 2;
		if (t->iv4[mid].start <= addr)
			lo = mid;
		else
			hi = mid - 1;
	}
	return t->iv4[lo].value;
}

static uint32_t lookup6(const struct prefix_table *t, u128 addr)
{
	if (!t->index6)
		return PREFIX_TABLE_NONE;
	uint32_t k = (uint32_t)(addr >> (128 - V6_INDEX_BITS));
	uint32_t lo = t->index6[k], hi = t->index6[k + 1];
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo + 1) / 2;
		if (t->start6[mid] <= addr)
			lo = mid;
		else
			hi = mid - 1;
	}
	return t->value6[lo];
}

uint32_t prefix_table_lookup(const struct prefix_table *t, const struct ip_addr *a)
{
	if (a->family == IP_V4)
		return prefix_table_lookup_v4(t, ip_v4_u32(a));
	if (a->family == IP_V6)
		return lookup6(t, key_of(a));
	return PREFIX_TABLE_NONE;
}

size_t prefix_table_intervals(const struct prefix_table *t, enum ip_family f)
{
	return f == IP_V4 ? t->n4 : f == IP_V6 ? t->n6 : 0;
}

size_t prefix_table_memory(const struct prefix_table *t)
{
	return sizeof(*t) + t->n4 * sizeof(struct iv4) + (t->index4 ? (2 * V4_BUCKETS + 1) * sizeof(uint32_t) : 0) +
	       t->n6 * (sizeof(u128) + sizeof(uint32_t)) + (t->index6 ? (V6_BUCKETS + 1) * sizeof(uint32_t) : 0);
}

/* ---- ranges as text ---- */

void ip_prefix_range(const struct ip_prefix *p, struct ip_addr *ret_first, struct ip_addr *ret_last)
{
	struct ip_addr f = p->addr, l = p->addr;
	for (unsigned i = p->len; i < ip_bits(&p->addr); i++) {
		f.bytes[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
		l.bytes[i / 8] |= (uint8_t)(0x80 >> (i % 8));
	}
	*ret_first = f;
	*ret_last = l;
}

bool ip_range_parse(struct str s, struct ip_addr *ret_first, struct ip_addr *ret_last)
{
	s = str_trim(s);
	struct str head;
	if (str_split(&s, '-', &head)) {
		struct ip_addr f, l;
		if (!ip_parse(str_trim(head), &f) || !ip_parse(str_trim(s), &l) || f.family != l.family ||
		    ip_compare(&f, &l) > 0)
			return false;
		*ret_first = f;
		*ret_last = l;
		return true;
	}
	struct ip_prefix p;
	if (!ip_prefix_parse(head, false, &p))
		return false;
	ip_prefix_range(&p, ret_first, ret_last);
	return true;
}

/* The prefix length when [first, last] is exactly one prefix, else -1. */
static int as_prefix(const struct ip_addr *first, const struct ip_addr *last)
{
	unsigned bits = ip_bits(first);
	u128 f = key_of(first), l = key_of(last);
	u128 size = l - f;	/* 2^k - 1 for a prefix */
	if (bits == 128 && f == 0 && size == ~(u128)0)
		return 0;
	u128 n = size + 1;
	if (n & (n - 1))
		return -1;
	if (f & size)
		return -1;
	int k = 0;
	while (n > 1) {
		n >>= 1;
		k++;
	}
	return (int)bits - k;
}

void ip_range_format(const struct ip_addr *first, const struct ip_addr *last, char out[2 * IP_TEXT_MAX + 4])
{
	char a[IP_TEXT_MAX], b[IP_TEXT_MAX];
	ip_format(first, a);
	int len = as_prefix(first, last);
	if (len >= 0) {
		snprintf(out, 2 * IP_TEXT_MAX + 4, "%s/%d", a, len);
		return;
	}
	ip_format(last, b);
	snprintf(out, 2 * IP_TEXT_MAX + 4, "%s - %s", a, b);
}
