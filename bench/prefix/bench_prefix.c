/* bench-prefix RANGES ADDRS [PASSES]: builds a prefix_table from RANGES
 * (one range per line, as bench/prefix/gen.py writes), then looks up every
 * address of ADDRS PASSES times. Prints one "key value" line per figure.
 * Lines it cannot read are counted and skipped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "net/prefix_table.h"
#include "util/buf.h"
#include "util/file.h"
#include "util/xalloc.h"

/* CPU time of this process: on a machine shared with other jobs, wall
 * time measures the neighbours; CPU time measures us on one core. */
static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long maxrss_kib(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: bench-prefix RANGES ADDRS [PASSES]\n");
		return 64;
	}
	int passes = argc > 3 ? (int)strtol(argv[3], NULL, 10) : 10;
	struct buf rf, af;
	buf_init(&rf, (size_t)1 << 31);
	buf_init(&af, (size_t)1 << 31);
	if (file_read_all(argv[1], (size_t)1 << 31, &rf) < 0 || file_read_all(argv[2], (size_t)1 << 31, &af) < 0) {
		fprintf(stderr, "bench-prefix: cannot read the input\n");
		return 66;
	}
	long rss0 = maxrss_kib();
	double t0 = now_s();
	struct prefix_builder *b = prefix_builder_new();
	struct str s = str_make(rf.p, rf.len), line;
	size_t n4 = 0, n6 = 0, bad = 0;
	uint32_t v = 0;
	while (str_take_line(&s, &line)) {
		struct ip_addr f, l;
		if (!ip_range_parse(line, &f, &l) || prefix_builder_add(b, &f, &l, v++) < 0) {
			bad++;
			continue;
		}
		if (f.family == IP_V4)
			n4++;
		else
			n6++;
	}
	double t1 = now_s();
	struct prefix_table *t;
	prefix_table_build(b, &t);
	double t2 = now_s();
	long rss1 = maxrss_kib();
	buf_free(&rf);

	uint32_t *a4 = NULL;
	struct ip_addr *a6 = NULL;
	size_t na4 = 0, na6 = 0, cap4 = 0, cap6 = 0;
	s = str_make(af.p, af.len);
	while (str_take_line(&s, &line)) {
		struct ip_addr a;
		if (!ip_parse(line, &a))
			continue;
		if (a.family == IP_V4) {
			a4 = xgrow(a4, &cap4, na4 + 1, sizeof(*a4));
			a4[na4++] = ip_v4_u32(&a);
		} else {
			a6 = xgrow(a6, &cap6, na6 + 1, sizeof(*a6));
			a6[na6++] = a;
		}
	}
	buf_free(&af);
	size_t hit4 = 0, hit6 = 0;
	double t3 = now_s();
	for (int p = 0; p < passes; p++)
		for (size_t i = 0; i < na4; i++)
			hit4 += prefix_table_lookup_v4(t, a4[i]) != PREFIX_TABLE_NONE;
	double t4 = now_s();
	for (int p = 0; p < passes; p++)
		for (size_t i = 0; i < na6; i++)
			hit6 += prefix_table_lookup(t, &a6[i]) != PREFIX_TABLE_NONE;
	double t5 = now_s();
	/* Addresses that match any range, once: what grepcidr prints. */
	size_t matched = 0;
	for (size_t i = 0; i < na4; i++)
		matched += prefix_table_lookup_v4(t, a4[i]) != PREFIX_TABLE_NONE;
	for (size_t i = 0; i < na6; i++)
		matched += prefix_table_lookup(t, &a6[i]) != PREFIX_TABLE_NONE;

	printf("ranges_v4 %zu\nranges_v6 %zu\nunreadable %zu\n", n4, n6, bad);
	printf("intervals_v4 %zu\nintervals_v6 %zu\n", prefix_table_intervals(t, IP_V4), prefix_table_intervals(t, IP_V6));
	printf("parse_seconds %.3f\nbuild_seconds %.3f\n", t1 - t0, t2 - t1);
	printf("table_mib %.1f\npeak_rss_build_mib %.1f\n", (double)prefix_table_memory(t) / 1048576.0,
	       (double)(rss1 - rss0) / 1024.0);
	printf("lookups_v4_per_s %.0f\nlookups_v6_per_s %.0f\n", (double)na4 * passes / (t4 - t3),
	       na6 ? (double)na6 * passes / (t5 - t4) : 0.0);
	printf("addresses %zu\nmatched %zu\n", na4 + na6, matched);
	(void)hit4;
	(void)hit6;
	prefix_table_free(t);
	free(a4);
	free(a6);
	return 0;
}
