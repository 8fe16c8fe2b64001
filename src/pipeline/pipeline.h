/*
 * pipeline: an inbound message becomes part of a ticket.
 *
 * The same code runs under `abusedesk process` and the daemon's workers.
 * For one queued message: claim it (an attempt is counted and committed
 * first, so a message that crashes us is noticed), parse it, then in ONE
 * transaction thread it to a ticket or open a new one, record what was
 * read, and queue the acknowledgment (or record why it was withheld).
 * A crash anywhere before COMMIT leaves the message queued; the next run
 * does the whole step again, so nothing is done twice.
 *
 * A new report is then routed (pipeline/route.h): incidents and
 * notifications for its abusing sources, a copy of the acknowledgment to
 * the reporter's organisation, in the same transaction.
 *
 * A message that has used up its attempts is parked: it becomes a ticket
 * marked for an analyst, with the error, and its raw text readable.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "pipeline/route.h"
#include "pipeline/templates.h"
#include "routing/index.h"
#include "store/store.h"

#define PIPELINE_ERROR_MAX 500
#define PIPELINE_BATCH_MAX 32			/* messages a worker claims and commits at once */
#define PIPELINE_BATCH_BYTES_MAX (8 << 20)	/* their raw bytes, held in memory together */

struct pipeline_result {
	int status;		/* 0, or < 0: this attempt failed (error says why) */
	int64_t message;	/* the inbound message's id */
	int64_t ticket;
	bool is_new_ticket;
	bool is_parked;
	bool ack_queued;
	const char *withheld;	/* static reason, or NULL */
	const char *threaded_by;/* "tag", "reference" or NULL for a new ticket */
	int64_t size;
	char *env_from;		/* owned: pipeline_result_clear() */
	char *error;		/* owned: why this attempt failed */
	bool is_routed;		/* a new report went through pipeline/route */
	struct route_outcome route;
};

struct pipeline {
	struct store *store;
	const struct config *cfg;
	const struct templates *templates;
	const struct logfmt_user *user_formats;	/* evidence.log_formats_file, compiled; may be NULL */
	/* Who is responsible for what: loaded on first use and reloaded when
	 * an import changed the data; pipeline_release() frees it. */
	struct routing_index *routing;
	/* Claim ahead (serve's workers): the transaction that stores a batch
	 * also claims the next one, so one commit (one fsync, one turn at
	 * the write lock) does both. The claim is durable before the batch
	 * is parsed, as a claim of its own would be; its lease is twice
	 * pipeline.lease_seconds (it waits for the batch before it).
	 * pipeline_release() gives back a batch claimed and not processed. */
	bool is_claim_ahead;
	struct message *ahead;
	size_t n_ahead;
	/* Other writes sharing a batch's commit (serve: the LMTP intake
	 * waiting for one). before_commit runs inside the batch's
	 * transaction after its own writes, after_commit once the
	 * transaction ended, with its outcome (< 0: rolled back). NULL:
	 * none. */
	int (*before_commit)(void *arg, struct store *s, int64_t now);
	void (*after_commit)(void *arg, struct store *s, int r);
	void *commit_arg;
};

/* Processes the next due message. -ENOENT when the queue is empty; another
 * negative value when this attempt failed (the message is released for a
 * later retry and ret->error says why). */
int pipeline_process_next(struct pipeline *p, int64_t now, struct pipeline_result *ret);
/* Processes up to max due messages (claimed together, see
 * store_inbound_claim_batch) and stores them in ONE transaction; if that
 * fails, each is redone in a transaction of its own, so a message that
 * fails is retried alone and the others are kept. ret[0..*ret_n) say how
 * each went (status). Returns -ENOENT when the queue is empty, another
 * negative value when nothing could be claimed. */
int pipeline_process_batch(struct pipeline *p, int64_t now, size_t max, struct pipeline_result *ret, size_t *ret_n);
void pipeline_result_clear(struct pipeline_result *r);
/* Frees what the pipeline loaded for itself (the routing index) and gives
 * back a batch claimed ahead and not processed. */
void pipeline_release(struct pipeline *p);
