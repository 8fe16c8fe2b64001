/*
 * import: the constituency from texts already in memory (the web desk's
 * upload) and the one way a loaded constituency replaces the desk's, for
 * the command line and the web desk alike.
 */
#include <errno.h>
#include <stdlib.h>

#include "constituency/constituency.h"
#include "util/xalloc.h"

int constituency_finish(struct constituency *c, struct buf *errors)
{
	constituency_validate(c, errors);
	if (!c->n_errors)
		return 0;
	if (c->n_errors > CONSTITUENCY_ERRORS_MAX)
		buf_printf(errors, "... and %zu more problems\n", c->n_errors - CONSTITUENCY_ERRORS_MAX);
	constituency_free(c);
	return -EBADMSG;
}

int constituency_load_texts(const char *const *names, const struct str *texts, size_t n, struct constituency *ret,
			    struct buf *errors)
{
	struct constituency c = { 0 };
	for (size_t i = 0; i < n; i++) {
		if (texts[i].len > CONSTITUENCY_FILE_MAX) {
			buf_printf(errors, "%s: larger than the limit (CONSTITUENCY_FILE_MAX)\n", names[i]);
			constituency_free(&c);
			return -EMSGSIZE;
		}
		constituency_parse(&c, names[i], texts[i], errors);
	}
	int r = constituency_finish(&c, errors);
	if (r < 0)
		return r;
	*ret = c;
	return 0;
}

int constituency_replace(struct store *s, const struct constituency *c, const char *actor, int64_t now)
{
	int r = store_begin(s);
	if (r >= 0)
		r = store_org_replace_all(s, c->orgs, c->n);
	if (r >= 0) {
		char *detail = xasprintf("%zu organisations, %zu prefixes", c->n, c->n_ranges);
		r = store_audit_add(s, 0, actor, "constituency-import", detail, now);
		free(detail);
	}
	if (r >= 0)
		r = store_commit(s);
	if (r < 0)
		store_rollback(s);
	return r;
}
