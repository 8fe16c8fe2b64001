#include <criterion/criterion.h>
#include <stdlib.h>

#include "gen.h"
#include "scan/scan.h"

static struct scan_params params(void)
{
	struct scan_params p;
	scan_params_default(&p);
	return p;
}

/* One source, a grid of hosts x ports (connection events), plus logins. */
static struct gen_event *grid(const char *src, const char *dst0, unsigned hosts, unsigned ports, unsigned logins,
			      size_t *ret_n)
{
	size_t n = (size_t)hosts * ports + logins, k = 0;
	struct gen_event *g = calloc(n ? n : 1, sizeof(*g));
	struct ip_addr s = gen_addr(src), d = gen_addr(dst0);
	for (unsigned h = 0; h < hosts; h++)
		for (unsigned p = 0; p < ports; p++, k++)
			gen_fill(&g[k], s, gen_nth(d, h), 20 + p, EVENT_CONNECTION, GEN_T0 + (int64_t)k, 0, EVENT_TZ_STATED);
	for (unsigned i = 0; i < logins; i++, k++)
		gen_fill(&g[k], s, gen_nth(d, 0), 22, EVENT_LOGIN_FAILURE, GEN_T0 + (int64_t)k, 0, EVENT_TZ_STATED);
	*ret_n = n;
	return g;
}

static struct scan_result *run(struct scan *s, struct gen_event *g, size_t n, size_t *ret_n)
{
	for (size_t i = 0; i < n; i++)
		scan_add(s, &g[i].ev, i);
	struct scan_result *r;
	scan_finish(s, &r, ret_n);
	return r;
}

struct krow {
	const char *name;
	const char *src;
	unsigned hosts, ports, logins;
	enum scan_kind want;
};

static const struct krow krows[] = {
	/* address-range scan: hosts_min 10 on at most few_max 5 ports */
	{ "9 hosts, 1 port", "198.51.100.7", 9, 1, 0, SCAN_KIND_OTHER },
	{ "10 hosts, 1 port", "198.51.100.7", 10, 1, 0, SCAN_KIND_RANGE },
	{ "10 hosts, 5 ports", "198.51.100.7", 10, 5, 0, SCAN_KIND_RANGE },
	{ "10 hosts, 6 ports", "198.51.100.7", 10, 6, 0, SCAN_KIND_BOTH },
	{ "256 hosts, 1 port", "198.51.100.7", 256, 1, 0, SCAN_KIND_RANGE },
	/* port scan: ports_min 10 at at most 5 addresses */
	{ "1 host, 9 ports", "198.51.100.7", 1, 9, 0, SCAN_KIND_OTHER },
	{ "1 host, 10 ports", "198.51.100.7", 1, 10, 0, SCAN_KIND_PORT },
	{ "4 hosts, 10 ports", "198.51.100.7", 4, 10, 0, SCAN_KIND_PORT },
	{ "5 hosts, 10 ports", "198.51.100.7", 5, 10, 0, SCAN_KIND_PORT },
	{ "6 hosts, 10 ports", "198.51.100.7", 6, 10, 0, SCAN_KIND_BOTH },
	{ "1 host, 1000 ports", "198.51.100.7", 1, 1000, 0, SCAN_KIND_PORT },
	/* neither side reaches its minimum */
	{ "4 hosts, 4 ports", "198.51.100.7", 4, 4, 0, SCAN_KIND_OTHER },
	{ "5 hosts, 5 ports", "198.51.100.7", 5, 5, 0, SCAN_KIND_OTHER },
	{ "6 hosts, 9 ports", "198.51.100.7", 6, 9, 0, SCAN_KIND_OTHER },
	{ "9 hosts, 9 ports", "198.51.100.7", 9, 9, 0, SCAN_KIND_OTHER },
	{ "9 hosts, 10 ports", "198.51.100.7", 9, 10, 0, SCAN_KIND_BOTH },
	/* logins */
	{ "9 failed logins", "198.51.100.7", 0, 0, 9, SCAN_KIND_OTHER },
	{ "10 failed logins", "198.51.100.7", 0, 0, 10, SCAN_KIND_LOGIN },
	{ "scan and logins: the scan wins", "198.51.100.7", 20, 1, 50, SCAN_KIND_RANGE },
	/* IPv6 */
	{ "IPv6 range scan", "2001:db8:bad::7", 300, 1, 0, SCAN_KIND_RANGE },
	{ "IPv6 port scan", "2001:db8:bad::7", 1, 40, 0, SCAN_KIND_PORT },
};

Test(scan, classification_table)
{
	for (size_t i = 0; i < sizeof(krows) / sizeof(krows[0]); i++) {
		const struct krow *w = &krows[i];
		bool v6 = strchr(w->src, ':') != NULL;
		size_t n, nr;
		struct gen_event *g = grid(w->src, v6 ? "2001:db8:1::1" : "192.0.2.1", w->hosts, w->ports, w->logins, &n);
		struct scan_params p = params();
		struct scan *s = scan_new(&p);
		struct scan_result *r = run(s, g, n, &nr);
		cr_assert_eq(nr, 1, "%s: got %zu results, want 1", w->name, nr);
		cr_expect_eq(r[0].kind, w->want, "%s: got %s, want %s", w->name, scan_kind_name(r[0].kind),
			     scan_kind_name(w->want));
		cr_expect_eq(r[0].events, n, "%s: events got %llu, want %zu", w->name, (unsigned long long)r[0].events, n);
		if (w->hosts <= 64)
			cr_expect_eq(r[0].hosts, w->hosts, "%s: hosts got %llu, want %u", w->name,
				     (unsigned long long)r[0].hosts, w->hosts);
		else
			cr_expect(r[0].hosts > w->hosts * 0.9 && r[0].hosts < w->hosts * 1.1, "%s: hosts got %llu, want about %u",
				  w->name, (unsigned long long)r[0].hosts, w->hosts);
		if (w->ports <= 64)
			cr_expect_eq(r[0].ports, w->ports, "%s: ports got %llu, want %u", w->name,
				     (unsigned long long)r[0].ports, w->ports);
		cr_expect_eq(r[0].first, GEN_T0, "%s: first got %lld, want %lld", w->name, (long long)r[0].first,
			     (long long)GEN_T0);
		cr_expect_eq(r[0].last, GEN_T0 + (int64_t)n - 1, "%s: last got %lld, want %lld", w->name,
			     (long long)r[0].last, (long long)(GEN_T0 + (int64_t)n - 1));
		cr_expect(r[0].n_samples <= SCAN_SAMPLE_MAX, "%s: %u samples, want at most %d", w->name, r[0].n_samples,
			  SCAN_SAMPLE_MAX);
		free(r);
		scan_free(s);
		free(g);
	}
}

/* Lines out of order, and every line read twice (two files holding the
 * same lines, merged by time: each copy lands within a few lines of the
 * other) change nothing but the duplicate count. */
Test(scan, out_of_order_and_duplicates)
{
	size_t n, nr;
	struct gen_event *g = grid("198.51.100.7", "192.0.2.1", 40, 1, 0, &n);
	srand(7);
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = (size_t)rand() % (i + 1);
		struct gen_event t = g[i];
		g[i] = g[j];
		g[j] = t;
	}
	struct gen_event *twice = calloc(2 * n, sizeof(*twice));
	for (size_t i = 0; i < n; i += 2)
		for (size_t k = 0; k < 4 && i + k % 2 < n; k++)
			twice[2 * i + k] = g[i + k % 2];
	for (size_t i = 0; i < 2 * n; i++)
		twice[i].ev.line = str_from(twice[i].text);
	struct scan_params p = params();
	struct scan *s = scan_new(&p);
	struct scan_result *r = run(s, twice, 2 * n, &nr);
	cr_assert_eq(nr, 1, "got %zu results, want 1", nr);
	cr_expect_eq(r[0].kind, SCAN_KIND_RANGE, "kind got %s, want range", scan_kind_name(r[0].kind));
	cr_expect_eq(r[0].events, n, "events got %llu, want %zu (duplicates removed)", (unsigned long long)r[0].events, n);
	cr_expect_eq(r[0].duplicates, n, "duplicates got %llu, want %zu", (unsigned long long)r[0].duplicates, n);
	cr_expect_eq(r[0].hosts, 40, "hosts got %llu, want 40", (unsigned long long)r[0].hosts);
	cr_expect_eq(r[0].first, GEN_T0, "first got %lld, want %lld", (long long)r[0].first, (long long)GEN_T0);
	cr_expect_eq(r[0].last, GEN_T0 + 39, "last got %lld, want %lld", (long long)r[0].last, (long long)GEN_T0 + 39);
	char lo[IP_TEXT_MAX], hi[IP_TEXT_MAX];
	ip_format(&r[0].dst_min, lo);
	ip_format(&r[0].dst_max, hi);
	cr_expect_str_eq(lo, "192.0.2.1", "range start got %s, want 192.0.2.1", lo);
	cr_expect_str_eq(hi, "192.0.2.40", "range end got %s, want 192.0.2.40", hi);
	/* samples: first and last by time, in time order */
	cr_expect_eq(r[0].samples[0].time, GEN_T0, "first sample at %lld, want %lld", (long long)r[0].samples[0].time,
		     (long long)GEN_T0);
	cr_expect_eq(r[0].samples[r[0].n_samples - 1].time, GEN_T0 + 39, "last sample at %lld, want %lld",
		     (long long)r[0].samples[r[0].n_samples - 1].time, (long long)GEN_T0 + 39);
	for (size_t i = 1; i < r[0].n_samples; i++)
		cr_expect(r[0].samples[i - 1].time <= r[0].samples[i].time, "samples out of order at %zu", i);
	free(r);
	scan_free(s);
	free(twice);
	free(g);
}

/* A mixture of sources, interleaved as several files merged would be. */
Test(scan, mixture_of_sources)
{
	size_t n1, n2, n3, n4, nr;
	struct gen_event *a = grid("198.51.100.1", "192.0.2.1", 50, 1, 0, &n1);	 /* range */
	struct gen_event *b = grid("198.51.100.2", "192.0.2.9", 1, 30, 0, &n2);	 /* port */
	struct gen_event *c = grid("2001:db8::2", "192.0.2.9", 0, 0, 12, &n3);	 /* login */
	struct gen_event *d = grid("203.0.113.5", "192.0.2.9", 2, 2, 0, &n4);	 /* other */
	struct scan_params p = params();
	struct scan *s = scan_new(&p);
	size_t most = n1 > n2 ? n1 : n2;
	for (size_t i = 0; i < most; i++) {
		if (i < n1)
			scan_add(s, &a[i].ev, i);
		if (i < n2)
			scan_add(s, &b[i].ev, i);
		if (i < n3)
			scan_add(s, &c[i].ev, i);
		if (i < n4)
			scan_add(s, &d[i].ev, i);
	}
	struct scan_result *r;
	scan_finish(s, &r, &nr);
	cr_assert_eq(nr, 4, "got %zu results, want 4", nr);
	static const struct {
		const char *src;
		enum scan_kind kind;
	} want[] = {
		{ "198.51.100.1", SCAN_KIND_RANGE },
		{ "198.51.100.2", SCAN_KIND_PORT },
		{ "2001:db8::2", SCAN_KIND_LOGIN },
		{ "203.0.113.5", SCAN_KIND_OTHER },
	};
	for (size_t i = 0; i < 4; i++) {
		char t[IP_TEXT_MAX];
		ip_format(&r[i].src, t);
		cr_expect_str_eq(t, want[i].src, "row %zu: source got %s, want %s", i, t, want[i].src);
		cr_expect_eq(r[i].kind, want[i].kind, "row %zu: kind got %s, want %s", i, scan_kind_name(r[i].kind),
			     scan_kind_name(want[i].kind));
	}
	free(r);
	scan_free(s);
	free(a);
	free(b);
	free(c);
	free(d);
}

/* Activity further apart than the window is two episodes; the closed one
 * is kept because it was a scan. */
Test(scan, window_splits_episodes)
{
	size_t n, nr;
	struct gen_event *g = grid("198.51.100.7", "192.0.2.1", 20, 1, 0, &n);
	for (size_t i = 10; i < n; i++)
		g[i].ev.time += 2 * 86400;
	struct scan_params p = params();
	struct scan *s = scan_new(&p);
	struct scan_result *r = run(s, g, n, &nr);
	cr_assert_eq(nr, 2, "got %zu results, want 2 episodes", nr);
	cr_expect_eq(r[0].kind, SCAN_KIND_RANGE, "first result got %s, want range (10 hosts)", scan_kind_name(r[0].kind));
	cr_expect_eq(r[1].kind, SCAN_KIND_RANGE, "second result got %s, want range (10 hosts)", scan_kind_name(r[1].kind));
	cr_expect_eq(r[0].hosts + r[1].hosts, 20, "hosts got %llu + %llu, want 20", (unsigned long long)r[0].hosts,
		     (unsigned long long)r[1].hosts);
	free(r);
	scan_free(s);

	/* the same with a window of a week: one episode */
	p.window = 7 * 86400;
	s = scan_new(&p);
	r = run(s, g, n, &nr);
	cr_expect_eq(nr, 1, "week window: got %zu results, want 1", nr);
	free(r);
	scan_free(s);
	free(g);
}

/* docs/SCANS.md "The window": a gap longer than the window between a
 * source's events starts a new episode; any shorter gap, however long the
 * activity lasts, does not; and the order of the lines does not matter. */
struct erow {
	const char *name;
	int64_t gap;			/* seconds between the two bursts of 12 hosts */
	int64_t step;			/* seconds between events inside a burst */
	int64_t window;
	bool reversed;			/* fed newest first */
	size_t want_results;
	uint64_t want_hosts0;		/* hosts of the first result (the larger episode first) */
};

static const struct erow erows[] = {
	{ "bursts 30 h apart", 30 * 3600, 60, 86400, false, 2, 12 },
	{ "bursts 30 h apart, newest first", 30 * 3600, 60, 86400, true, 2, 12 },
	{ "bursts exactly the window apart", 86400, 60, 86400, false, 1, 24 },
	{ "bursts a second more than the window apart", 86401, 60, 86400, false, 2, 12 },
	{ "every 2 h for 3 days: one episode", 2 * 3600, 2 * 3600, 86400, false, 1, 24 },
	{ "every 2 h for 3 days, newest first", 2 * 3600, 2 * 3600, 86400, true, 1, 24 },
	{ "every 2 h, window 1 h: no scan", 2 * 3600, 2 * 3600, 3600, false, 1, 1 },
	{ "bursts 30 h apart, window 2 days", 30 * 3600, 60, 2 * 86400, false, 1, 24 },
};

Test(scan, episodes_by_gap)
{
	for (size_t t = 0; t < sizeof(erows) / sizeof(erows[0]); t++) {
		const struct erow *e = &erows[t];
		size_t n = 24;
		struct gen_event *g = calloc(n, sizeof(*g));
		struct ip_addr s0 = gen_addr("198.51.100.7"), d0 = gen_addr("192.0.2.1");
		int64_t at = GEN_T0;
		for (size_t i = 0; i < n; i++) {
			if (i)
				at += i == 12 ? e->gap : e->step;
			size_t k = e->reversed ? n - 1 - i : i;
			gen_fill(&g[k], s0, gen_nth(d0, (unsigned)i), 23, EVENT_CONNECTION, at, 0, EVENT_TZ_STATED);
			g[k].ev.line = str_from(g[k].text);
		}
		struct scan_params p = params();
		p.window = e->window;
		struct scan *s = scan_new(&p);
		size_t nr;
		struct scan_result *r = run(s, g, n, &nr);
		cr_expect_eq(nr, e->want_results, "%s: got %zu results, want %zu", e->name, nr, e->want_results);
		if (nr) {
			cr_expect_eq(r[0].hosts, e->want_hosts0, "%s: hosts got %llu, want %llu", e->name,
				     (unsigned long long)r[0].hosts, (unsigned long long)e->want_hosts0);
			uint64_t events = 0;
			for (size_t i = 0; i < nr; i++)
				events += r[i].events;
			if (e->want_results == 2) {
				cr_expect_eq(events, n, "%s: events got %llu, want %zu", e->name, (unsigned long long)events, n);
				cr_expect(r[0].last < r[1].first || r[1].last < r[0].first, "%s: episodes overlap", e->name);
			}
		}
		free(r);
		scan_free(s);
		free(g);
	}
}

/* 300,000 one-event sources through a 2 MiB budget: memory stays bounded,
 * the drop is counted, and the one real scanner among them survives. */
Test(scan, memory_bound_and_eviction)
{
	struct scan_params p = params();
	p.memory_max = 2u << 20;
	struct scan *s = scan_new(&p);
	struct gen_event g;
	struct ip_addr scanner = gen_addr("198.51.100.99"), dst = gen_addr("192.0.2.1");
	uint64_t ref = 0;
	for (unsigned i = 0; i < 300000; i++) {
		struct ip_addr src = ip_v4_from_u32(0x0a000000u + i);
		gen_fill(&g, src, dst, 80, EVENT_CONNECTION, GEN_T0 + i / 100, 0, EVENT_TZ_STATED);
		scan_add(s, &g.ev, ref++);
		if (i % 1000 == 0) {
			gen_fill(&g, scanner, gen_nth(dst, i / 1000), 23, EVENT_CONNECTION, GEN_T0 + i / 100, 0,
				 EVENT_TZ_STATED);
			scan_add(s, &g.ev, ref++);
		}
	}
	struct scan_stats st;
	scan_stats_get(s, &st);
	/* the bound: the budget, plus what one event may add to the source it
	 * updates before the eviction that pays for it (scan.h) */
	size_t bound = p.memory_max + SCAN_EVENT_BYTES_MAX;
	cr_expect(st.memory_peak <= bound, "memory peak %zu, want at most %zu", st.memory_peak, bound);
	cr_expect(st.evicted_sources > 0, "evicted got 0, want some");
	cr_expect_eq(st.evicted_events, st.evicted_sources, "evicted events %llu, want one per source (%llu)",
		     (unsigned long long)st.evicted_events, (unsigned long long)st.evicted_sources);
	struct scan_result *r;
	size_t nr;
	scan_finish(s, &r, &nr);
	char t[IP_TEXT_MAX];
	ip_format(&r[0].src, t);
	cr_expect_str_eq(t, "198.51.100.99", "first result got %s, want the scanner", t);
	cr_expect_eq(r[0].kind, SCAN_KIND_RANGE, "scanner kind got %s, want range", scan_kind_name(r[0].kind));
	cr_expect(r[0].hosts >= 270 && r[0].hosts <= 330, "scanner hosts got %llu, want 300 within the estimate's 10 %%",
		  (unsigned long long)r[0].hosts);
	free(r);
	scan_free(s);
}

Test(scan, kind_names)
{
	static const struct {
		enum scan_kind k;
		const char *name, *text;
	} rows[] = {
		{ SCAN_KIND_RANGE, "range", "address-range scan" },
		{ SCAN_KIND_PORT, "port", "port scan" },
		{ SCAN_KIND_BOTH, "both", "address-range and port scan" },
		{ SCAN_KIND_LOGIN, "login", "login attempts" },
		{ SCAN_KIND_OTHER, "other", "connection attempts" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		cr_expect_str_eq(scan_kind_name(rows[i].k), rows[i].name, "name got %s, want %s", scan_kind_name(rows[i].k),
				 rows[i].name);
		cr_expect_str_eq(scan_kind_text(rows[i].k), rows[i].text, "text got %s, want %s", scan_kind_text(rows[i].k),
				 rows[i].text);
	}
}
