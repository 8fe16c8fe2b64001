/* Checks across organisations, loading files whole or not at all, export. */
#include "constituency/constituency.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "net/prefix_table.h"
#include "util/file.h"
#include "util/xalloc.h"

struct range_ref {
	const struct org *org;
	const struct org_range *r;
};

static int cmp_range_ref(const void *a, const void *b)
{
	const struct range_ref *x = a, *y = b;
	int c = ip_compare(&x->r->first, &y->r->first);
	return c ? c : ip_compare(&y->r->last, &x->r->last);
}

static int cmp_org_id(const void *a, const void *b)
{
	const struct org *const *x = a, *const *y = b;
	return strcmp((*x)->id, (*y)->id);
}

static void problem(struct constituency *c, struct buf *errors, const struct org *o, uint32_t line, const char *what)
{
	if (c->n_errors++ < CONSTITUENCY_ERRORS_MAX)
		buf_printf(errors, "%s:%u: %s\n", o->file ? o->file : "-", (unsigned)line, what);
}

static void check_ids(struct constituency *c, struct buf *errors)
{
	/* n is small (organisations): a sorted copy of pointers is enough. */
	const struct org **v = xcalloc(c->n + 1, sizeof(*v));
	for (size_t i = 0; i < c->n; i++)
		v[i] = &c->orgs[i];
	if (c->n)
		qsort(v, c->n, sizeof(*v), cmp_org_id);
	for (size_t i = 1; i < c->n; i++)
		if (!strcmp(v[i]->id, v[i - 1]->id)) {
			char *m = xasprintf("organisation '%s' is defined twice (also at %s:%u)", v[i]->id, v[i - 1]->file,
					    (unsigned)v[i - 1]->line);
			problem(c, errors, v[i], v[i]->line, m);
			free(m);
		}
	free(v);
}

struct domain_ref {
	char *domain;
	const struct org *org;
};

static int cmp_domain_ref(const void *a, const void *b)
{
	return strcmp(((const struct domain_ref *)a)->domain, ((const struct domain_ref *)b)->domain);
}

static void check_domains(struct constituency *c, struct buf *errors)
{
	struct domain_ref *v = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < c->n; i++) {
		struct str list = str_from(c->orgs[i].domains ? c->orgs[i].domains : ""), item;
		for (bool more = true; more;) {
			more = str_split(&list, ',', &item);
			item = str_trim(item);
			if (item.len) {
				v = xgrow(v, &cap, n + 1, sizeof(*v));
				v[n++] = (struct domain_ref){ str_dup(item), &c->orgs[i] };
			}
		}
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_domain_ref);
	for (size_t i = 1; i < n; i++)
		if (!strcmp(v[i].domain, v[i - 1].domain) && strcmp(v[i].org->id, v[i - 1].org->id)) {
			char *m = xasprintf("domain %s is claimed by '%s' and '%s'", v[i].domain, v[i - 1].org->id,
					    v[i].org->id);
			problem(c, errors, v[i].org, v[i].org->line, m);
			free(m);
		}
	for (size_t i = 0; i < n; i++)
		free(v[i].domain);
	free(v);
}

static void check_overlaps(struct constituency *c, struct buf *errors)
{
	size_t n = 0;
	for (size_t i = 0; i < c->n; i++)
		n += c->orgs[i].n_ranges;
	struct range_ref *v = xcalloc(n + 1, sizeof(*v));
	n = 0;
	for (size_t i = 0; i < c->n; i++)
		for (size_t k = 0; k < c->orgs[i].n_ranges; k++)
			v[n++] = (struct range_ref){ &c->orgs[i], &c->orgs[i].ranges[k] };
	if (n)
		qsort(v, n, sizeof(*v), cmp_range_ref);
	/* Sorted by first address: a range overlaps an earlier one exactly
	 * when it starts at or before the furthest end seen so far. */
	const struct range_ref *reach = NULL;
	for (size_t i = 0; i < n; i++) {
		if (reach && reach->r->first.family == v[i].r->first.family &&
		    ip_compare(&v[i].r->first, &reach->r->last) <= 0 && reach->org != v[i].org) {
			char a[2 * IP_TEXT_MAX + 4], b[2 * IP_TEXT_MAX + 4];
			ip_range_format(&v[i].r->first, &v[i].r->last, a);
			ip_range_format(&reach->r->first, &reach->r->last, b);
			char *m = xasprintf("%s of '%s' overlaps %s of '%s' (%s:%u)", a, v[i].org->id, b, reach->org->id,
					    reach->org->file, (unsigned)reach->r->line);
			problem(c, errors, v[i].org, v[i].r->line, m);
			free(m);
		}
		if (!reach || reach->r->first.family != v[i].r->first.family ||
		    ip_compare(&v[i].r->last, &reach->r->last) > 0)
			reach = &v[i];
	}
	free(v);
}

void constituency_validate(struct constituency *c, struct buf *errors)
{
	check_ids(c, errors);
	check_domains(c, errors);
	check_overlaps(c, errors);
}

int constituency_load(const char *const *files, size_t n, struct constituency *ret, struct buf *errors)
{
	struct constituency c = { 0 };
	for (size_t i = 0; i < n; i++) {
		struct buf text;
		buf_init(&text, CONSTITUENCY_FILE_MAX);
		int r = file_read_all(files[i], CONSTITUENCY_FILE_MAX, &text);
		if (r < 0) {
			buf_printf(errors, "%s: %s\n", files[i],
				   r == -EMSGSIZE ? "larger than the limit (CONSTITUENCY_FILE_MAX)" : strerror(-r));
			buf_free(&text);
			constituency_free(&c);
			return r;
		}
		constituency_parse(&c, files[i], str_make(text.p ? text.p : "", text.len), errors);
		buf_free(&text);
	}
	int r = constituency_finish(&c, errors);
	if (r < 0)
		return r;
	*ret = c;
	return 0;
}

static void put_list(struct buf *out, const char *key, const char *list)
{
	struct str l = str_from(list ? list : ""), item;
	for (;;) {
		bool more = str_split(&l, ',', &item);
		item = str_trim(item);
		if (item.len)
			buf_printf(out, "  %-12s %.*s\n", key, (int)item.len, item.p);
		if (!more)
			break;
	}
}

void constituency_export(const struct org *orgs, size_t n, struct buf *out)
{
	buf_printf(out, "# abusedesk constituency: %zu organisations (format: docs/CONSTITUENCY.md)\n", n);
	for (size_t i = 0; i < n; i++) {
		const struct org *o = &orgs[i];
		buf_printf(out, "\norg %s\n  %-12s %s\n", o->id, "name", o->name);
		put_list(out, "security", o->security);
		put_list(out, "support", o->support);
		put_list(out, "domain", o->domains);
		for (size_t k = 0; k < o->n_ranges; k++) {
			char r[2 * IP_TEXT_MAX + 4];
			ip_range_format(&o->ranges[k].first, &o->ranges[k].last, r);
			buf_printf(out, "  %-12s %s\n", "prefix", r);
		}
		put_list(out, "asn", o->asns);
		put_list(out, "notify-auto", o->notify_auto);
	}
}
