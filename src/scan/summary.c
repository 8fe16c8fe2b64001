#include "scan/summary.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "scan/report.h"
#include "util/buf.h"

#define SUMMARY_LINE_ROOM 1024	/* more than one line and the closing counts take */

const char *summary_rsit(enum scan_kind k)
{
	switch (k) {
	case SCAN_KIND_RANGE:
	case SCAN_KIND_PORT:
	case SCAN_KIND_BOTH: return "information-gathering/scanner";
	case SCAN_KIND_LOGIN: return "intrusion-attempts/brute-force";
	default: return NULL;
	}
}

int summary_make(const struct scan_params *p, const struct ownnet *own, const struct event *events, size_t n,
		 struct summary *ret)
{
	struct scan *s = scan_new(p);
	for (size_t i = 0; i < n; i++)
		scan_add(s, &events[i], i);
	int e = summary_finish(s, own, ret);
	scan_free(s);
	return e;
}

int summary_finish(struct scan *s, const struct ownnet *own, struct summary *ret)
{
	struct scan_result *r;
	size_t nr;
	scan_finish(s, &r, &nr);
	if (own) {
		size_t m = 0;
		for (size_t i = 0; i < nr; i++)
			if (!ownnet_contains(own, &r[i].src))
				r[m++] = r[i];
		nr = m;
	}

	struct buf b;
	buf_init(&b, SUMMARY_TEXT_MAX);
	int e = 0;
	size_t n_abuse = 0, n_other = 0, n_unlisted = 0;
	for (size_t i = 0; i < nr; i++) {
		if (!scan_kind_is_abuse(r[i].kind)) {
			n_other++;
			continue;
		}
		/* one line is far below SUMMARY_LINE_ROOM; stopping early
		 * leaves room for the closing counts, so nothing is cut */
		if (n_abuse >= SUMMARY_LINES_MAX || b.len + SUMMARY_LINE_ROOM > SUMMARY_TEXT_MAX) {
			n_abuse++;
			n_unlisted++;
			continue;
		}
		n_abuse++;
		if ((e = report_append_oneline(&b, &r[i])) >= 0)
			e = buf_append_str(&b, "\n");
	}
	if (e >= 0 && n_unlisted)
		e = buf_printf(&b, "... and %zu more abusing sources\n", n_unlisted);
	if (e >= 0 && n_other)
		e = buf_printf(&b, "%zu source%s with connection attempts below the scan thresholds\n", n_other,
			       n_other == 1 ? "" : "s");
	memset(ret, 0, sizeof(*ret));
	ret->kind = nr && scan_kind_is_abuse(r[0].kind) ? r[0].kind : SCAN_KIND_OTHER;
	ret->rsit = summary_rsit(ret->kind);
	ret->text = buf_steal(&b);
	ret->results = r;
	ret->n_results = nr;
	ret->n_abuse = n_abuse;
	return e < 0 ? -EMSGSIZE : 0;
}

void summary_free(struct summary *s)
{
	free(s->text);
	free(s->results);
	memset(s, 0, sizeof(*s));
}
