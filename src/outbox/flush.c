#include "outbox/flush.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "outbox/smtp.h"

int64_t flush_backoff(const struct config *cfg, int64_t attempts)
{
	int64_t d = cfg->retry_base_seconds;
	for (int64_t i = 1; i < attempts && d < cfg->retry_max_seconds; i++)
		d *= 2;
	return d < cfg->retry_max_seconds ? d : cfg->retry_max_seconds;
}

int flush_run(struct store *s, const struct config *cfg, int64_t now, flush_report_fn report, void *user,
	      struct flush_stats *ret_stats)
{
	return flush_run_some(s, cfg, now, OUTBOX_FLUSH_MAX, report, user, ret_stats);
}

int flush_run_some(struct store *s, const struct config *cfg, int64_t now, size_t max, flush_report_fn report,
		   void *user, struct flush_stats *ret_stats)
{
	struct flush_stats st = { 0 };
	int r = 0;
	/* The lease covers the SMTP transaction with room to spare. */
	int64_t lease = cfg->send_timeout_seconds * 2 + 30;
	for (size_t i = 0; i < max && i < OUTBOX_FLUSH_MAX; i++) {
		struct outbox_item it;
		r = store_outbox_claim(s, now, lease, &it);
		if (r == -ENOENT) {
			r = 0;
			break;
		}
		if (r < 0)
			break;
		char *error = NULL;
		int sr = smtp_send(cfg, it.env_from, it.rcpt, it.raw, it.raw_len, &error);
		int64_t next = 0;
		if (sr == 0) {
			r = store_outbox_mark_sent(s, it.id, now);
			st.sent++;
		} else if (sr == -EPROTO || now - it.created_at >= cfg->expire_seconds) {
			r = store_outbox_mark_failed(s, it.id, error);
			st.failed++;
		} else {
			next = now + flush_backoff(cfg, it.attempts);
			r = store_outbox_mark_retry(s, it.id, next, error);
			st.deferred++;
		}
		if (report)
			report(user, &it, sr, error, next);
		free(error);
		outbox_item_clear(&it);
		if (r < 0)
			break;
	}
	if (ret_stats)
		*ret_stats = st;
	return r;
}
