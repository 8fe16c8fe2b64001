/*
 * scan_files: the log files of `abusedesk scans` and `abusedesk report`,
 * read line by line through evidence/logfmt and fed to the scan
 * aggregator merged on UTC time (a k-way merge: each file is mostly in
 * order, so several files with different zones interleave correctly).
 *
 * Files are mapped read-only; event lines and sample references stay
 * valid until scan_files_close(). A reference is the file's index << 40 |
 * the line's offset. Lines that state no zone are read in the system zone
 * at the file's modification time (localtime), and the stats say so.
 * Compressed files are refused (-EBADMSG): decompress them first. Nothing
 * here resolves a name or opens a socket.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scan/scan.h"
#include "util/str.h"

#define SCAN_FILES_MAX 256		/* log files per run */
#define SCAN_FILES_OFFSET_BITS 40	/* a file of up to 1 TiB */

struct scan_files_stats {
	uint64_t bytes;
	uint64_t lines;
	uint64_t events;		/* lines a format recognised */
	bool any_assumed;		/* some line stated no zone */
	int32_t assumed_offset;		/* the system zone's offset used then */
	char assumed_zone[16];		/* its name ("CET") */
};

struct scan_files;

int scan_files_open(char *const *paths, size_t n, struct scan_files **ret, char **ret_error);
/* Feeds every event of every file to s, in time order. */
void scan_files_feed(struct scan_files *f, struct scan *s, struct scan_files_stats *ret);
/* report_line_fn: the line a reference points at. */
void scan_files_line(void *f, uint64_t ref, struct str *ret_line);
struct scan_files *scan_files_close(struct scan_files *f);
