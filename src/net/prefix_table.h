/*
 * prefix_table: which range is the most specific one holding an address.
 *
 * Input: ranges [first, last] of IPv4 or IPv6 addresses, each with a 32-bit
 * value chosen by the caller (an index into its own records). Ranges need
 * not be CIDR-aligned (RIR inetnum objects are not) and may nest or even
 * overlap. The answer for an address is the value of the SMALLEST range
 * holding it ("most specific wins"); among ranges of equal size the one
 * added last wins, so a later file overrides an earlier one.
 *
 * Design (docs/PREFIX_TABLE.md has the measurements):
 *  - build: the range bounds are swept once in address order with a heap of
 *    the ranges open at that point, smallest on top; this splits the address
 *    space into disjoint intervals, each labelled with its most specific
 *    owner (adjacent intervals with the same owner are merged). O(n log n).
 *  - IPv4 lookup: 2^PREFIX_TABLE_V4_INDEX_BITS buckets on the top bits of
 *    the address. A bucket lying inside one interval (the common case)
 *    holds that interval's value itself: one memory access answers. Other
 *    buckets give the slice of intervals that can hold the address, which
 *    is binary-searched; each interval is 8 bytes (start, value) so the
 *    answer lies in the cache line the search touched.
 *  - IPv6: the same intervals with 128-bit starts, indexed by the top 16
 *    bits, binary search within the bucket.
 * Memory: 8 MiB of IPv4 index, 256 KiB of IPv6 index, plus 8 bytes per
 * IPv4 interval and 20 per IPv6 interval (at most 2n+1 intervals for n
 * ranges).
 *
 * Ownership: a built table is immutable, so threads may share it; the
 * builder is freed by prefix_table_build() whether or not it succeeds.
 * Errors: -EINVAL for a range whose first > last or whose ends differ in
 * family; -EMSGSIZE past PREFIX_TABLE_RANGES_MAX ranges.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/ip.h"

#define PREFIX_TABLE_NONE UINT32_MAX		/* lookup: no range holds the address */
#define PREFIX_TABLE_RANGES_MAX (64u * 1024 * 1024)	/* ranges one table takes */
#define PREFIX_TABLE_V4_INDEX_BITS 20

struct prefix_builder;
struct prefix_table;

struct prefix_builder *prefix_builder_new(void);
struct prefix_builder *prefix_builder_free(struct prefix_builder *b);
/* value must not be PREFIX_TABLE_NONE. */
int prefix_builder_add(struct prefix_builder *b, const struct ip_addr *first, const struct ip_addr *last,
		       uint32_t value);
int prefix_builder_add_prefix(struct prefix_builder *b, const struct ip_prefix *p, uint32_t value);
size_t prefix_builder_count(const struct prefix_builder *b);
/* Consumes b. */
int prefix_table_build(struct prefix_builder *b, struct prefix_table **ret_table);
struct prefix_table *prefix_table_free(struct prefix_table *t);

/* The most specific range's value, or PREFIX_TABLE_NONE. */
uint32_t prefix_table_lookup(const struct prefix_table *t, const struct ip_addr *a);
uint32_t prefix_table_lookup_v4(const struct prefix_table *t, uint32_t addr);
/* Intervals after the split (for the benchmark and tests) and the bytes held. */
size_t prefix_table_intervals(const struct prefix_table *t, enum ip_family f);
size_t prefix_table_memory(const struct prefix_table *t);

/* The first and last address of a prefix. */
void ip_prefix_range(const struct ip_prefix *p, struct ip_addr *ret_first, struct ip_addr *ret_last);
/* "a.b.c.d - e.f.g.h" (RPSL inetnum) or a prefix; false when not a range. */
bool ip_range_parse(struct str s, struct ip_addr *ret_first, struct ip_addr *ret_last);
/* The range as a prefix when it is exactly one, else "first - last". */
void ip_range_format(const struct ip_addr *first, const struct ip_addr *last, char out[2 * IP_TEXT_MAX + 4]);
