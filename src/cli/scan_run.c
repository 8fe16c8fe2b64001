#include "cli/scan_run.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "scan/report.h"
#include "util/escape.h"
#include "util/log.h"

int scan_run_files(struct cli *c, char *const *paths, size_t n, struct scan_run *ret)
{
	memset(ret, 0, sizeof(*ret));
	char *err = NULL;
	int r = ownnet_parse(c->cfg.report_own_networks, &ret->own, &err);
	if (r < 0) {
		cli_fail(r, "report.own_networks: %s", err);
		free(err);
		return r;
	}
	if (ret->own.n == 0 && (r = ownnet_add_interfaces(&ret->own)) < 0) {
		cli_fail(r, "cannot list this host's interface addresses; set report.own_networks");
		return r;
	}
	if ((r = scan_files_open(paths, n, &ret->files, &err)) < 0) {
		char *e = escape_dup(str_from(err), ESCAPE_QUOTE_MAX);
		cli_fail(r, "%s", e);
		free(e);
		free(err);
		ownnet_free(&ret->own);
		return r;
	}
	scan_params_from_config(&c->cfg, &ret->params);
	struct scan *s = scan_new(&ret->params);
	scan_files_feed(ret->files, s, &ret->fst);
	scan_stats_get(s, &ret->sst);
	scan_finish(s, &ret->results, &ret->n);
	scan_free(s);

	/* Our own networks are never reported: filtered per source, not per
	 * event, so the check costs nothing on a 10-million-line log. */
	size_t m = 0;
	for (size_t i = 0; i < ret->n; i++) {
		if (ownnet_contains(&ret->own, &ret->results[i].src)) {
			ret->own_skipped++;
			continue;
		}
		ret->results[m++] = ret->results[i];
	}
	ret->n = m;
	return 0;
}

void scan_run_note(const struct scan_run *run, FILE *f)
{
	struct buf b;
	buf_init(&b, 4096);
	buf_append_str(&b, "abusedesk: ");
	report_append_count(&b, run->fst.lines);
	buf_append_str(&b, " lines, ");
	report_append_count(&b, run->fst.events);
	buf_printf(&b, " events, %zu sources", run->n);
	if (run->own_skipped)
		buf_printf(&b, "; %zu of our own (%s) left out", run->own_skipped,
			   run->own.from_interfaces ? "this host's addresses" : "report.own_networks");
	fprintf(f, "%s\n", buf_str(&b));
	if (run->fst.any_assumed) {
		int32_t o = run->fst.assumed_offset, a = o < 0 ? -o : o;
		fprintf(f, "abusedesk: some lines state no timezone; they were read in this system's zone, %s (UTC%c%02d:%02d)\n",
			run->fst.assumed_zone, o < 0 ? '-' : '+', a / 3600, a % 3600 / 60);
	}
	if (run->sst.evicted_sources)
		fprintf(f,
			"abusedesk: memory bound (scan.memory_max_mib = %zu) reached: %llu quiet sources with %llu events "
			"were dropped\n",
			run->params.memory_max >> 20, (unsigned long long)run->sst.evicted_sources,
			(unsigned long long)run->sst.evicted_events);
	if (run->sst.findings_dropped)
		fprintf(f, "abusedesk: %llu abusive episodes were not kept (more than %d, or past scan.memory_max_mib = %zu)\n",
			(unsigned long long)run->sst.findings_dropped, SCAN_FINDINGS_MAX, run->params.memory_max >> 20);
	buf_free(&b);
}

void scan_run_free(struct scan_run *run)
{
	free(run->results);
	scan_files_close(run->files);
	ownnet_free(&run->own);
	memset(run, 0, sizeof(*run));
}
