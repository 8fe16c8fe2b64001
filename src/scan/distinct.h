/*
 * distinct: counts distinct 64-bit keys, exactly up to DISTINCT_EXACT_MAX
 * keys and then with a HyperLogLog estimator (Flajolet et al. 2007, with
 * the linear-counting correction for small cardinalities from Heule et al.
 * 2013), so one counter never holds more than DISTINCT_BYTES_MAX bytes.
 *
 * Keys must already be well mixed (distinct_hash_*() below); the estimator
 * reads the top DISTINCT_HLL_P bits as the register index and the rank of
 * the rest. Standard error of the estimate: 1.04 / sqrt(2^P) = 1.6 %.
 *
 * Ownership: the counter owns its heap; distinct_free() releases it and
 * leaves an empty counter. A zeroed struct is a valid empty counter.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define DISTINCT_EXACT_MAX 1024		/* keys counted exactly before the estimator takes over */
#define DISTINCT_HLL_P 12
#define DISTINCT_HLL_M (1u << DISTINCT_HLL_P)	/* registers: one byte each */
#define DISTINCT_BYTES_MAX (2 * DISTINCT_EXACT_MAX * 8)	/* heap held by one counter at most (the full exact set) */

#define DISTINCT_SMALL 8			/* keys held inside the struct, no heap, before the set */

/* Three modes: small (cap 0, no regs: the first keys in small[]), a heap
 * set (keys, cap > 0) and estimating (regs). The heap pointers share the
 * room of small[], which a heap set no longer needs: 8 keys inline hold
 * the ports of most sources (a few common ones), so their events touch
 * no set outside the source. */
struct distinct {
	union {
		uint64_t small[DISTINCT_SMALL];	/* the first keys: most sources never need more */
		struct {
			uint64_t *keys;	/* exact mode: open-addressing set (0 = empty slot), NULL once estimating */
			uint8_t *regs;	/* estimating mode: DISTINCT_HLL_M registers */
		} heap;
	} u;
	uint16_t n;		/* exact mode: keys held */
	uint16_t cap;		/* heap set's slots, a power of two, at least 2 n; 0 otherwise */
	bool is_estimating;	/* u.heap.regs is valid */
};

/* Adds a key; returns true when it was not seen before (always false once
 * the counter estimates, since the estimator cannot tell). */
bool distinct_add(struct distinct *d, uint64_t key);
/* The count: exact while distinct_is_exact(), an estimate after. */
uint64_t distinct_count(const struct distinct *d);
bool distinct_is_exact(const struct distinct *d);
/* Heap bytes held, for the caller's memory budget. */
static inline size_t distinct_bytes(const struct distinct *d)
{
	return d->is_estimating ? DISTINCT_HLL_M : (size_t)d->cap * sizeof(uint64_t);
}
/* Fetches the cache line distinct_add(d, key) will touch (a hint). */
static inline void distinct_prefetch(const struct distinct *d, uint64_t key)
{
	if (d->is_estimating)
		__builtin_prefetch(&d->u.heap.regs[key >> (64 - DISTINCT_HLL_P)]);
	else if (d->cap)	/* a load, not a prefetch: see scan_prefetch_source() */
		(void)*(volatile const uint64_t *)&d->u.heap.keys[(key ? key : 0x8000000000000000ULL) &
								 ((size_t)d->cap - 1)];
}
void distinct_free(struct distinct *d);

/* 64-bit mixing (splitmix64's finaliser) and hashes of common keys.
 * Inline: they run several times per log line, mostly on keys of a size
 * known where they are called (an address), which the compiler then
 * unrolls. */
static inline uint64_t distinct_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/* Eight bytes at a time through the mixer: enough spread for the
 * estimator. Keys (addresses, ports) are short; log lines, hashed to find
 * duplicates, are not: their first 32-byte blocks go through four
 * independent multiply-rotate lanes, so the CPU overlaps them instead of
 * waiting on one chain of mixes, and the lanes are folded into h. */
static inline uint64_t distinct_hash_bytes(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ (uint64_t)n;
	if (n >= 32) {
		uint64_t lane[4] = { h, h ^ 0x632be59bd9b4e019ULL, h ^ 0x8cb92ba72f3d8dd7ULL, h ^ 0xd6e8feb86659fd93ULL };
		while (n >= 32) {
			for (int i = 0; i < 4; i++) {
				uint64_t w;
				memcpy(&w, b + 8 * i, 8);
				lane[i] = (lane[i] ^ w) * 0x9fb21c651e98df25ULL;
				lane[i] = lane[i] << 29 | lane[i] >> 35;
			}
			b += 32;
			n -= 32;
		}
		h = distinct_mix(lane[0] ^ distinct_mix(lane[1] ^ distinct_mix(lane[2] ^ distinct_mix(lane[3]))));
	}
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, b, 8);
		h = distinct_mix(h ^ w) + 0x9e3779b97f4a7c15ULL;
		b += 8;
		n -= 8;
	}
	uint64_t w = 0;
	memcpy(&w, b, n);
	return distinct_mix(h ^ w ^ ((uint64_t)n << 56));
}

