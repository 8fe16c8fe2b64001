#include "pipeline/thread.h"

#include <errno.h>

#include "mail/tag.h"

static int by_message_id(struct store *s, const char *id, int64_t *ret)
{
	if (!id || !*id)
		return -ENOENT;
	int64_t t;
	int r = store_ticket_by_sent_message_id(s, id, &t);
	if (r < 0)
		return r;
	return store_ticket_follow(s, t, ret);
}

int thread_find(struct store *s, const struct config *cfg, const struct mail_parsed *m, int64_t *ret_ticket,
		enum thread_how *ret_how)
{
	int64_t n;
	if (tag_find(m->subject, cfg->tag, &n)) {
		int r = store_ticket_follow(s, n, ret_ticket);
		if (r == 0) {
			*ret_how = THREAD_BY_TAG;
			return 0;
		}
		if (r != -ENOENT)
			return r;
	}
	int r = by_message_id(s, m->in_reply_to, ret_ticket);
	for (size_t i = m->n_references; r == -ENOENT && i > 0; i--)
		r = by_message_id(s, m->references[i - 1], ret_ticket);
	if (r == 0)
		*ret_how = THREAD_BY_REFERENCE;
	return r;
}
