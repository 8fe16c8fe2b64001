/*
 * constituency: the organisations the desk serves, read from the files an
 * operator generates from their own records (format: docs/CONSTITUENCY.md).
 *
 * A file is a list of stanzas; "org ID" starts one and "key value" lines
 * describe it (name, security, support, domain, prefix, asn, notify-auto).
 * Reading never stops at the first mistake: every problem found is appended
 * to the caller's error buffer as "FILE:LINE: what is wrong" (up to
 * CONSTITUENCY_ERRORS_MAX), so an operator fixes a file in one round. Any
 * error means nothing may be loaded: constituency_load() then returns
 * -EBADMSG and the caller keeps the data it had.
 *
 * Checks across files (constituency_validate): duplicate organisation ids,
 * a domain claimed by two organisations, and ranges of two organisations
 * that overlap (within one organisation overlaps are allowed: they change
 * nothing about who is responsible).
 *
 * Ownership: struct constituency owns its organisations (store/model.h
 * struct org); constituency_free() releases them.
 */
#pragma once
#include <stddef.h>

#include "store/model.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/str.h"

#define CONSTITUENCY_FILE_MAX (64 * 1024 * 1024)
#define CONSTITUENCY_LINE_MAX 4096
#define CONSTITUENCY_ORGS_MAX 100000
#define CONSTITUENCY_RANGES_MAX 1000000	/* over all organisations */
#define CONSTITUENCY_LIST_MAX 1000	/* contacts, domains or ASNs of one organisation */
#define CONSTITUENCY_ID_MAX 64
#define CONSTITUENCY_ERRORS_MAX 50	/* errors reported before "and more" */

struct constituency {
	struct org *orgs;
	size_t n;
	size_t cap;
	size_t n_ranges;
	size_t n_errors;
};

/* Parses one file's text, appending its organisations to c and problems to
 * errors. file names the source in messages. */
void constituency_parse(struct constituency *c, const char *file, struct str text, struct buf *errors);
/* The checks across organisations; appends problems to errors. */
void constituency_validate(struct constituency *c, struct buf *errors);
/* Reads, parses and validates every file. -EBADMSG (errors says why),
 * -ENOENT/-EIO/-EMSGSIZE for an unreadable file; 0 and *ret filled else. */
int constituency_load(const char *const *files, size_t n, struct constituency *ret, struct buf *errors);
void constituency_free(struct constituency *c);
/* import.c: the same from texts in memory, names[i] naming texts[i] in
 * the messages (the web desk's upload). */
int constituency_load_texts(const char *const *names, const struct str *texts, size_t n, struct constituency *ret,
			    struct buf *errors);
/* The checks across files after parsing; on any error frees c and
 * returns -EBADMSG (errors says why). */
int constituency_finish(struct constituency *c, struct buf *errors);
/* Replaces the desk's organisations with c's, with the audit row naming
 * actor, in one transaction (commits): all of it or, on error, none. */
int constituency_replace(struct store *s, const struct constituency *c, const char *actor, int64_t now);
/* Writes organisations in the file format, so export | import round-trips. */
void constituency_export(const struct org *orgs, size_t n, struct buf *out);
/* Is kind listed in an organisation's notify-auto list ("*" lists all)? */
bool constituency_is_auto(const struct org *o, const char *kind);
