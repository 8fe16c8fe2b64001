/*
 * bench-extract DIR: runs the evidence extractor over every file of DIR
 * (read one at a time, as a desk would), renders the findings as JSON, and
 * prints messages/s, MB/s and peak RSS on one line as JSON for run.sh.
 * Not a test: timing lives here, never in the test suite.
 */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "evidence/extract.h"
#include "evidence/report.h"
#include "mail/mail.h"
#include "util/buf.h"
#include "util/file.h"

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: bench-extract DIR\n");
		return 64;
	}
	DIR *d = opendir(argv[1]);
	if (!d) {
		perror(argv[1]);
		return 66;
	}
	size_t n = 0, cap = 1024;
	char **names = malloc(cap * sizeof(char *));
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap)
			names = realloc(names, (cap *= 2) * sizeof(char *));
		size_t l = strlen(argv[1]) + strlen(de->d_name) + 2;
		names[n] = malloc(l);
		snprintf(names[n], l, "%s/%s", argv[1], de->d_name);
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(char *), cmp);
	mail_init();
	struct evidence_options opt = { 0 };
	struct timespec t0, t1;
	struct rusage ru0;
	getrusage(RUSAGE_SELF, &ru0);
	double cpu0 = (double)ru0.ru_utime.tv_sec + (double)ru0.ru_utime.tv_usec / 1e6 + (double)ru0.ru_stime.tv_sec +
		      (double)ru0.ru_stime.tv_usec / 1e6;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	size_t bytes = 0, sources = 0;
	for (size_t i = 0; i < n; i++) {
		struct buf b;
		buf_init(&b, 64 * 1024 * 1024);
		if (file_read_all(names[i], b.max, &b) < 0) {
			fprintf(stderr, "%s: cannot read\n", names[i]);
			return 66;
		}
		bytes += b.len;
		struct evidence ev;
		evidence_extract_message(b.p ? b.p : "", b.len, &opt, &ev);
		sources += ev.n_sources;
		json_t *j = evidence_json(&ev);
		char *s = json_dumps(j, JSON_COMPACT);
		free(s);
		json_decref(j);
		evidence_free(&ev);
		buf_free(&b);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	/* CPU time too: on a shared machine wall time measures the neighbours */
	double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
		     (double)ru.ru_stime.tv_usec / 1e6 - cpu0;
	printf("{\"impl\": \"abusedesk\", \"messages\": %zu, \"bytes\": %zu, \"seconds\": %.3f, \"cpu_seconds\": %.3f, "
	       "\"msgs_per_s\": %.1f, \"mb_per_s\": %.2f, \"msgs_per_cpu_s\": %.1f, \"mb_per_cpu_s\": %.2f, "
	       "\"peak_rss_kb\": %ld, \"sources\": %zu}\n",
	       n, bytes, secs, cpu, (double)n / secs, (double)bytes / 1e6 / secs, (double)n / cpu, (double)bytes / 1e6 / cpu,
	       ru.ru_maxrss, sources);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return 0;
}
