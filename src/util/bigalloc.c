#include "util/bigalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "util/xalloc.h"

static size_t round_up(size_t n)
{
	return (n + BIGALLOC_HUGE - 1) & ~(BIGALLOC_HUGE - 1);
}

void *bigalloc_zeroed(size_t n)
{
	if (n < BIGALLOC_HUGE)
		return xcalloc(1, n ? n : 1);
	size_t len = round_up(n);
	/* map one huge page more than needed and trim both ends to the alignment */
	char *p = mmap(NULL, len + BIGALLOC_HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "abusedesk: out of memory allocating %zu bytes\n", n);
		abort();
	}
	uintptr_t a = ((uintptr_t)p + BIGALLOC_HUGE - 1) & ~(uintptr_t)(BIGALLOC_HUGE - 1);
	char *q = (char *)a;
	if (q > p)
		munmap(p, (size_t)(q - p));
	if (q + len < p + len + BIGALLOC_HUGE)
		munmap(q + len, (size_t)(p + len + BIGALLOC_HUGE - (q + len)));
	/* a hint: without transparent huge pages it fails and changes nothing */
	(void)madvise(q, len, MADV_HUGEPAGE);
	return q;
}

void bigalloc_free(void *p, size_t n)
{
	if (!p)
		return;
	if (n < BIGALLOC_HUGE)
		free(p);
	else
		munmap(p, round_up(n));
}
