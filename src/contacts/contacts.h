/*
 * contacts: who to tell about abuse from a network outside the
 * constituency. Two sources, both replaced atomically inside the caller's
 * transaction (a running desk reads the old data until COMMIT):
 *
 *  - RIR bulk data in RPSL (contacts_import_rpsl): inetnum/inet6num objects
 *    lead to an abuse mailbox through abuse-c -> role, org -> organisation
 *    (its abuse-c, else its abuse-mailbox), or mnt-irt -> irt. Files may be
 *    gzip-compressed (zlib reads plain files too; "-" is stdin) and are
 *    streamed: objects go to the store as they are read and the handles are
 *    resolved by the store at the end, so memory does not grow with the
 *    file. A malformed object is reported with its file and line and
 *    skipped; the rest still imports. A range whose handles lead to no
 *    mailbox is dropped, so the enclosing range's contact applies to it.
 *  - the operator's overrides file (contacts_import_overrides): lines
 *    "RANGE MAILBOX"; they take precedence over RIR data. Options on those
 *    lines and "policy" lines say how each destination wants to hear from
 *    us (store net_policy). Any mistake refuses the whole file (-EBADMSG),
 *    like the constituency.
 *
 * zlib is used only in this folder.
 */
#pragma once
#include <stdint.h>

#include "store/store.h"
#include "util/buf.h"

#define CONTACTS_ERRORS_SHOWN 100	/* problems listed; the rest are counted */
#define CONTACTS_OVERRIDES_MAX 100000	/* lines of the overrides file */

struct contacts_stats {
	uint64_t objects;	/* RPSL objects read */
	uint64_t ranges;	/* inetnum/inet6num stored before resolving */
	uint64_t handles;	/* role/organisation/irt objects with a mailbox */
	uint64_t malformed;	/* objects skipped as malformed */
	uint64_t refused;	/* objects with a bad range or mailbox */
	uint64_t unreferenced;	/* ranges naming no abuse-c, org or irt */
	int64_t dropped;	/* ranges whose handles led to no mailbox */
	uint64_t problems;	/* everything reported in errors */
};

int contacts_import_rpsl(struct store *s, const char *const *files, size_t n, struct contacts_stats *st,
			 struct buf *errors);
int contacts_import_overrides(struct store *s, const char *file, size_t *ret_n, struct buf *errors);

/* The overrides file's text, parsed without a store (fuzzed): its contacts
 * ("RANGE MAILBOX [OPTION...]") and its policies (options, "policy
 * RANGE|MAILBOX OPTION..."; docs/ROUTING.md). -EBADMSG when any line is
 * wrong (every problem in errors as FILE:LINE: why), nothing returned. */
struct contacts_overrides {
	struct net_contact *contacts;
	size_t n_contacts;
	struct net_policy *policies;
	size_t n_policies;
};

int contacts_overrides_parse(const char *file, struct str text, struct contacts_overrides *ret, struct buf *errors);
void contacts_overrides_clear(struct contacts_overrides *o);
