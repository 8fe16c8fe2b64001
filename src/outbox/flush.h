/*
 * flush: sends what is due in the outbox, one message at a time.
 *
 * Each row is claimed (an attempt counted and committed) before it is sent,
 * so a sender that dies mid-send leaves a row that comes due again after
 * the lease; the stored Message-ID makes a repeat recognisable. A temporary
 * failure backs off exponentially (retry_base_seconds doubling up to
 * retry_max_seconds); a permanent refusal, or a message older than
 * expire_seconds, ends as "failed" with the reason. Nothing is dropped.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "store/store.h"

#define OUTBOX_FLUSH_MAX 100000	/* rows one flush looks at, at most */

struct flush_stats {
	size_t sent;
	size_t deferred;
	size_t failed;
};

/* Called once per attempt so the front end can log it; r is the send
 * result, error the relay's words (NULL on success). */
typedef void (*flush_report_fn)(void *user, const struct outbox_item *item, int r, const char *error,
				int64_t next_try);

/* Delay before the next try after `attempts` failed attempts. */
int64_t flush_backoff(const struct config *cfg, int64_t attempts);
/* Sends everything due at `now`. Returns a store error, else 0. */
int flush_run(struct store *s, const struct config *cfg, int64_t now, flush_report_fn report, void *user,
	      struct flush_stats *ret_stats);
/* The same for at most `max` rows, so a long-running sender can look up
 * between rounds (to stop, or to see a reloaded config). */
int flush_run_some(struct store *s, const struct config *cfg, int64_t now, size_t max, flush_report_fn report,
		   void *user, struct flush_stats *ret_stats);
