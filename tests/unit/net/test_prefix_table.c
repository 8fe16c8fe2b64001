/* prefix_table: fixed cases, then random nested and overlapping ranges
 * checked against a brute-force scan of every range. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "net/prefix_table.h"

__extension__ typedef unsigned __int128 u128;

static struct ip_addr A(const char *s)
{
	struct ip_addr a;
	cr_assert(ip_parse_cstr(s, &a), "test address %s", s);
	return a;
}

static void add(struct prefix_builder *b, const char *range, uint32_t v)
{
	struct ip_addr f, l;
	cr_assert(ip_range_parse(str_from(range), &f, &l), "test range %s", range);
	cr_assert_eq(prefix_builder_add(b, &f, &l, v), 0, "add %s", range);
}

Test(prefix_table, fixed_rows)
{
	struct prefix_builder *b = prefix_builder_new();
	add(b, "0.0.0.0/0", 1);
	add(b, "10.0.0.0/8", 2);
	add(b, "10.1.0.0 - 10.1.2.255", 3);	/* not CIDR-aligned */
	add(b, "10.1.2.0/24", 4);		/* same size as nothing; nested in 3 */
	add(b, "10.1.3.0/24", 5);		/* adjacent to 3, inside 2 */
	add(b, "10.1.3.7/32", 6);
	add(b, "255.255.255.255/32", 7);
	add(b, "::/0", 10);
	add(b, "2001:db8::/32", 11);
	add(b, "2001:db8::1/128", 12);
	add(b, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", 13);
	add(b, "2001:db8:1:: - 2001:db8:1:0:ffff:ffff:ffff:ffff", 14);
	add(b, "2001:db8:1::/64", 15);	/* same range as 14, added later: wins */
	struct prefix_table *t;
	cr_assert_eq(prefix_table_build(b, &t), 0);
	static const struct {
		const char *addr;
		uint32_t want;
	} rows[] = {
		{ "0.0.0.0", 1 }, { "9.255.255.255", 1 }, { "10.0.0.0", 2 }, { "10.0.255.255", 2 },
		{ "10.1.0.0", 3 }, { "10.1.1.255", 3 }, { "10.1.2.0", 4 }, { "10.1.2.255", 4 },
		{ "10.1.3.0", 5 }, { "10.1.3.6", 5 }, { "10.1.3.7", 6 }, { "10.1.3.8", 5 },
		{ "10.1.4.0", 2 }, { "11.0.0.0", 1 }, { "255.255.255.254", 1 }, { "255.255.255.255", 7 },
		{ "::", 10 }, { "2001:db8::", 11 }, { "2001:db8::1", 12 }, { "2001:db8::2", 11 },
		{ "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", 11 }, { "2001:db9::", 10 },
		{ "2001:db8:1::5", 15 }, { "2001:db8:1:1::", 11 },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", 10 }, { "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 13 },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct ip_addr a = A(rows[i].addr);
		uint32_t got = prefix_table_lookup(t, &a);
		cr_expect_eq(got, rows[i].want, "%s: got %u, want %u", rows[i].addr, got, rows[i].want);
	}
	prefix_table_free(t);
}

Test(prefix_table, empty_and_errors)
{
	struct prefix_builder *b = prefix_builder_new();
	struct ip_addr f = A("10.0.0.2"), l = A("10.0.0.1"), six = A("::1");
	cr_expect_eq(prefix_builder_add(b, &f, &l, 1), -EINVAL, "first > last is refused");
	cr_expect_eq(prefix_builder_add(b, &l, &six, 1), -EINVAL, "mixed families are refused");
	cr_expect_eq(prefix_builder_add(b, &l, &f, PREFIX_TABLE_NONE), -EINVAL, "the NONE value is refused");
	struct prefix_table *t;
	cr_assert_eq(prefix_table_build(b, &t), 0);
	cr_expect_eq(prefix_table_lookup(t, &f), PREFIX_TABLE_NONE, "empty table: got a value, want none");
	cr_expect_eq(prefix_table_lookup(t, &six), PREFIX_TABLE_NONE, "empty table v6: got a value, want none");
	prefix_table_free(t);
}

Test(prefix_table, range_text)
{
	static const struct {
		const char *in, *want;
	} rows[] = {
		{ "192.0.2.0 - 192.0.2.255", "192.0.2.0/24" },
		{ "192.0.2.0-192.0.2.127", "192.0.2.0/25" },
		{ "192.0.2.1 - 192.0.2.2", "192.0.2.1 - 192.0.2.2" },
		{ "0.0.0.0 - 255.255.255.255", "0.0.0.0/0" },
		{ "2001:db8::/32", "2001:db8::/32" },
		{ "::/0", "::/0" },
		{ "2001:db8::1", "2001:db8::1/128" },
		{ "2001:db8:: - 2001:db8::2", "2001:db8:: - 2001:db8::2" },
		{ "10.0.0.5 - 10.0.0.4", NULL },
		{ "10.0.0.0/8 - 1.1.1.1", NULL },
		{ "10.0.0.1/8", NULL },
		{ "10.0.0.0 - ::1", NULL },
		{ "nonsense", NULL },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct ip_addr f, l;
		bool ok = ip_range_parse(str_from(rows[i].in), &f, &l);
		cr_expect_eq(ok, rows[i].want != NULL, "%s: parsed %d, want %d", rows[i].in, ok, rows[i].want != NULL);
		if (!ok || !rows[i].want)
			continue;
		char out[2 * IP_TEXT_MAX + 4];
		ip_range_format(&f, &l, out);
		cr_expect_str_eq(out, rows[i].want, "%s: got %s, want %s", rows[i].in, out, rows[i].want);
	}
}

/* ---- random ranges vs brute force ---- */

struct rr {
	u128 first, last;
	uint32_t value;
};

static uint64_t rng_state = 88172645463325252ull;
static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static u128 rnd128(void)
{
	return (u128)rnd() << 64 | rnd();
}

static struct ip_addr to_addr(u128 k, bool v6)
{
	struct ip_addr a = { .family = v6 ? IP_V6 : IP_V4 };
	unsigned n = v6 ? 16 : 4;
	for (unsigned i = n; i-- > 0;) {
		a.bytes[i] = (uint8_t)k;
		k >>= 8;
	}
	return a;
}

static uint32_t brute(const struct rr *r, size_t n, u128 a)
{
	uint32_t best = PREFIX_TABLE_NONE;
	u128 best_size = 0;
	for (size_t i = 0; i < n; i++) {
		if (a < r[i].first || a > r[i].last)
			continue;
		u128 size = r[i].last - r[i].first;
		/* Later ranges win ties, as the table promises. */
		if (best == PREFIX_TABLE_NONE || size <= best_size) {
			best = r[i].value;
			best_size = size;
		}
	}
	return best;
}

static void random_family(bool v6)
{
	unsigned bits = v6 ? 128 : 32;
	u128 max = v6 ? ~(u128)0 : (u128)UINT32_MAX;
	enum { N = 1500, Q = 20000 };
	struct rr *r = calloc(N, sizeof(*r));
	size_t n = 0;
	/* The whole space and the single-address extremes. */
	r[n++] = (struct rr){ 0, max, 0 };
	r[n++] = (struct rr){ 0, 0, 1 };
	r[n++] = (struct rr){ max, max, 2 };
	while (n < N) {
		unsigned kind = rnd() % 4;
		u128 f, l;
		if (kind == 0 || n < 10) {
			/* A random CIDR prefix, often long so that it nests. */
			unsigned len = (unsigned)(rnd() % (bits + 1));
			u128 mask = len == 0 ? 0 : (max << (bits - len)) & max;
			f = rnd128() & mask & max;
			l = f | (~mask & max);
		} else if (kind == 1) {
			/* Nested inside an earlier range, not aligned. */
			const struct rr *p = &r[rnd() % n];
			u128 span = p->last - p->first;
			u128 a = span ? rnd128() % (span + (span < max)) : 0, c = span ? rnd128() % (span + (span < max)) : 0;
			f = p->first + (a < c ? a : c);
			l = p->first + (a < c ? c : a);
		} else if (kind == 2) {
			/* Adjacent to an earlier range. */
			const struct rr *p = &r[rnd() % n];
			if (p->last == max)
				continue;
			f = p->last + 1;
			u128 room = max - f;
			l = f + (room ? rnd128() % (room < 100000 ? room + 1 : 100000) : 0);
		} else {
			/* A small arbitrary range anywhere (may overlap partially). */
			f = rnd128() & max;
			u128 room = max - f;
			l = f + (room ? rnd128() % (room < 5000 ? room + 1 : 5000) : 0);
		}
		r[n] = (struct rr){ f, l, (uint32_t)n };
		n++;
	}
	struct prefix_builder *b = prefix_builder_new();
	for (size_t i = 0; i < n; i++) {
		struct ip_addr f = to_addr(r[i].first, v6), l = to_addr(r[i].last, v6);
		cr_assert_eq(prefix_builder_add(b, &f, &l, r[i].value), 0);
	}
	struct prefix_table *t;
	cr_assert_eq(prefix_table_build(b, &t), 0);
	for (size_t q = 0; q < Q; q++) {
		u128 a;
		const struct rr *p = &r[rnd() % n];
		switch (q % 5) {
		case 0: a = p->first; break;
		case 1: a = p->last; break;
		case 2: a = p->first ? p->first - 1 : 0; break;
		case 3: a = p->last < max ? p->last + 1 : max; break;
		default: a = rnd128() & max; break;
		}
		struct ip_addr addr = to_addr(a, v6);
		uint32_t got = prefix_table_lookup(t, &addr), want = brute(r, n, a);
		if (got != want) {
			char s[IP_TEXT_MAX];
			ip_format(&addr, s);
			cr_assert_eq(got, want, "%s: got %u, want %u", s, got, want);
		}
	}
	prefix_table_free(t);
	free(r);
}

Test(prefix_table, random_v4_vs_brute_force)
{
	rng_state = 88172645463325252ull;
	for (int round = 0; round < 4; round++)
		random_family(false);
}

Test(prefix_table, random_v6_vs_brute_force)
{
	rng_state = 1234567;
	for (int round = 0; round < 4; round++)
		random_family(true);
}

/* Without the whole-space range: addresses outside every range. */
Test(prefix_table, sparse_v4_vs_brute_force)
{
	rng_state = 42;
	enum { N = 300 };
	struct rr r[N];
	struct prefix_builder *b = prefix_builder_new();
	for (size_t i = 0; i < N; i++) {
		u128 f = rnd() & 0xffffffffu, len = rnd() % 70000;
		u128 l = f + len > 0xffffffffu ? 0xffffffffu : f + len;
		r[i] = (struct rr){ f, l, (uint32_t)i };
		struct ip_addr fa = to_addr(f, false), la = to_addr(l, false);
		prefix_builder_add(b, &fa, &la, (uint32_t)i);
	}
	struct prefix_table *t;
	prefix_table_build(b, &t);
	for (int q = 0; q < 20000; q++) {
		u128 a = q % 2 ? (rnd() & 0xffffffffu) : r[rnd() % N].last + 1;
		a &= 0xffffffffu;
		uint32_t got = prefix_table_lookup_v4(t, (uint32_t)a), want = brute(r, N, a);
		cr_assert_eq(got, want, "%u: got %u, want %u", (unsigned)a, got, want);
	}
	prefix_table_free(t);
}
