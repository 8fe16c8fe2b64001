/*
 * scan_run: what `scans` and `report` share: read the logs (scan_files),
 * aggregate (scan/), drop our own networks (net/ownnet), and say in one
 * note what was read, what was assumed and what the memory bound dropped.
 */
#pragma once
#include <stdio.h>

#include "cli/cli.h"
#include "cli/scan_files.h"
#include "net/ownnet.h"
#include "scan/scan.h"

struct scan_run {
	struct scan_result *results;	/* our own sources already removed */
	size_t n;
	struct scan_files_stats fst;
	struct scan_stats sst;
	struct scan_params params;
	struct ownnet own;
	size_t own_skipped;		/* sources inside our own networks */
	struct scan_files *files;	/* kept open: sample lines point into it */
};

/* Logs failures itself (front end); returns -errno. */
int scan_run_files(struct cli *c, char *const *paths, size_t n, struct scan_run *ret);
void scan_run_note(const struct scan_run *run, FILE *f);
void scan_run_free(struct scan_run *run);
