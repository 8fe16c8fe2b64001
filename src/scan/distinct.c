#include "scan/distinct.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

static void hll_add(uint8_t *regs, uint64_t key)
{
	uint32_t idx = (uint32_t)(key >> (64 - DISTINCT_HLL_P));
	uint64_t rest = key << DISTINCT_HLL_P;
	/* rank: position of the first 1 bit in the remaining 64-P bits */
	uint8_t rank = rest ? (uint8_t)(__builtin_clzll(rest) + 1) : (uint8_t)(64 - DISTINCT_HLL_P + 1);
	if (rank > regs[idx])
		regs[idx] = rank;
}

/* The exact set stores keys with 0 remapped, so 0 can mark an empty slot. */
static uint64_t nonzero(uint64_t key)
{
	return key ? key : 0x8000000000000000ULL;
}

static bool set_insert(uint64_t *slots, uint16_t cap, uint64_t key)
{
	size_t mask = (size_t)cap - 1;
	for (size_t i = key & mask;; i = (i + 1) & mask) {
		if (slots[i] == key)
			return false;
		if (!slots[i]) {
			slots[i] = key;
			return true;
		}
	}
}

bool distinct_add(struct distinct *d, uint64_t key)
{
	uint64_t k = nonzero(key);
	if (d->is_estimating) {
		hll_add(d->u.heap.regs, k);
		return false;
	}
	if (!d->cap) {
		for (uint16_t i = 0; i < d->n; i++)
			if (d->u.small[i] == k)
				return false;
		if (d->n < DISTINCT_SMALL) {
			d->u.small[d->n++] = k;
			return true;
		}
		/* one key past the inline ones: move to a heap set */
		uint16_t cap = 4 * DISTINCT_SMALL;
		uint64_t *slots = xcalloc(cap, sizeof(uint64_t));
		for (uint16_t i = 0; i < d->n; i++)
			set_insert(slots, cap, d->u.small[i]);
		d->u.heap.keys = slots;
		d->u.heap.regs = NULL;
		d->cap = cap;
	} else {
		size_t mask = (size_t)d->cap - 1;
		for (size_t i = k & mask;; i = (i + 1) & mask) {
			if (d->u.heap.keys[i] == k)
				return false;
			if (!d->u.heap.keys[i])
				break;
		}
	}
	if (d->n < DISTINCT_EXACT_MAX) {
		if ((size_t)(d->n + 1) * 2 > d->cap) {
			uint16_t cap = (uint16_t)(d->cap * 2);
			uint64_t *slots = xcalloc(cap, sizeof(uint64_t));
			for (uint16_t i = 0; i < d->cap; i++)
				if (d->u.heap.keys[i])
					set_insert(slots, cap, d->u.heap.keys[i]);
			free(d->u.heap.keys);
			d->u.heap.keys = slots;
			d->cap = cap;
		}
		set_insert(d->u.heap.keys, d->cap, k);
		d->n++;
		return true;
	}
	/* Past the exact bound: replay the keys into the estimator. */
	uint8_t *regs = xcalloc(DISTINCT_HLL_M, 1);
	for (uint16_t i = 0; i < d->cap; i++)
		if (d->u.heap.keys[i])
			hll_add(regs, d->u.heap.keys[i]);
	hll_add(regs, k);
	free(d->u.heap.keys);
	d->u.heap.keys = NULL;
	d->u.heap.regs = regs;
	d->cap = 0;
	d->is_estimating = true;
	return true;
}

bool distinct_is_exact(const struct distinct *d)
{
	return !d->is_estimating;
}

uint64_t distinct_count(const struct distinct *d)
{
	if (!d->is_estimating)
		return d->n;
	const double m = DISTINCT_HLL_M;
	double sum = 0;
	unsigned zeros = 0;
	for (unsigned i = 0; i < DISTINCT_HLL_M; i++) {
		sum += ldexp(1.0, -(int)d->u.heap.regs[i]);
		zeros += d->u.heap.regs[i] == 0;
	}
	double alpha = 0.7213 / (1.0 + 1.079 / m);
	double e = alpha * m * m / sum;
	if (e <= 2.5 * m && zeros)
		e = m * log(m / zeros);	/* linear counting */
	uint64_t v = (uint64_t)(e + 0.5);
	/* We know at least the exact keys were distinct. */
	return v < DISTINCT_EXACT_MAX + 1 ? DISTINCT_EXACT_MAX + 1 : v;
}

void distinct_free(struct distinct *d)
{
	if (d->is_estimating)
		free(d->u.heap.regs);
	else if (d->cap)
		free(d->u.heap.keys);
	memset(d, 0, sizeof(*d));
}
