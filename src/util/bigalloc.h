/*
 * bigalloc: zeroed blocks for large tables that are read at random (the
 * scan aggregator's sources and hash table).
 *
 * A block of BIGALLOC_HUGE bytes or more is mapped on its own, aligned to
 * BIGALLOC_HUGE and marked MADV_HUGEPAGE: with 4 KiB pages a random read
 * into a table of hundreds of megabytes misses the TLB as well as the
 * cache, and a page walk costs more than the miss (far more in a VM).
 * Smaller blocks come from xcalloc(). Where the kernel has transparent
 * huge pages off, the hint is ignored and the block is an ordinary mapping.
 *
 * Contract as xalloc.h: never fails (out of memory aborts). bigalloc_free()
 * takes the size given to bigalloc_zeroed() and accepts NULL.
 */
#pragma once
#include <stddef.h>

#define BIGALLOC_HUGE ((size_t)2 << 20)	/* x86-64 and arm64 (4 KiB base) huge page */

void *bigalloc_zeroed(size_t n);
void bigalloc_free(void *p, size_t n);
