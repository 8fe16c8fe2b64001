/*
 * scan_files: the log files of `abusedesk scans` and `abusedesk report`,
 * read line by line through evidence/logfmt and fed to the scan
 * aggregator merged on UTC time (a k-way merge: each file is mostly in
 * order, so several files with different zones interleave correctly).
 *
 * Files are read in blocks of SCAN_FILES_BLOCK bytes, so memory does not
 * grow with the size of a log; a sample reference (the file's index << 40
 * | the line's offset) is read back with pread() when a report quotes it,
 * and stays valid until scan_files_close(). Lines longer than
 * LOGFMT_LINE_MAX are read only up to it. Lines that state no zone are read in the system zone
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
#define SCAN_FILES_BLOCK (1024 * 1024)	/* read buffer per file */
#define SCAN_FILES_QUOTE_MAX 4096	/* bytes of a line read back for a sample */

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
/* report_line_fn: the line a reference points at (valid until the next call). */
void scan_files_line(void *f, uint64_t ref, struct str *ret_line);
struct scan_files *scan_files_close(struct scan_files *f);
