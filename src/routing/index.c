#include "routing/index.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/prefix_table.h"
#include "util/xalloc.h"

struct org_ref {
	uint32_t org, range;
};

struct routing_index {
	int64_t version;
	struct org *orgs;
	size_t n_orgs;
	struct org_ref *refs;	/* value of the constituency table -> org, range */
	struct prefix_table *inside;
	struct prefix_table *overrides;
	struct prefix_table *rir;
	struct net_policy *policies;	/* range policies first, then mailbox ones by mailbox */
	size_t n_policies, n_range_policies;
	struct prefix_table *policy_ranges;	/* value: index into policies */
};

static const char *const where_names[] = { "unknown", "inside", "outside" };

const char *routing_where_name(enum routing_where w)
{
	return w < ROUTING_WHERE_COUNT ? where_names[w] : "unknown";
}

struct routing_index *routing_index_free(struct routing_index *idx)
{
	if (idx) {
		org_array_free(idx->orgs, idx->n_orgs);
		free(idx->refs);
		prefix_table_free(idx->inside);
		prefix_table_free(idx->overrides);
		prefix_table_free(idx->rir);
		net_policy_array_free(idx->policies, idx->n_policies);
		prefix_table_free(idx->policy_ranges);
		free(idx);
	}
	return NULL;
}

static int load_contacts(struct store *s, struct routing_index *idx)
{
	struct prefix_builder *over = prefix_builder_new(), *rir = prefix_builder_new();
	int64_t after = 0;
	int r = 0;
	for (;;) {
		struct net_contact *page;
		size_t n;
		int64_t next;
		r = store_contact_range_page(s, after, ROUTING_LOAD_PAGE, &page, &n, &next);
		if (r < 0)
			break;
		for (size_t i = 0; r >= 0 && i < n; i++)
			if (page[i].id > 0 && page[i].id < PREFIX_TABLE_NONE)
				r = prefix_builder_add(page[i].is_override ? over : rir, &page[i].first, &page[i].last,
						       (uint32_t)page[i].id);
		net_contact_array_free(page, n);
		if (r < 0 || next == after)
			break;
		after = next;
	}
	if (r < 0) {
		prefix_builder_free(over);
		prefix_builder_free(rir);
		return r;
	}
	prefix_table_build(over, &idx->overrides);
	prefix_table_build(rir, &idx->rir);
	return 0;
}

/* Range policies go into a table of their own (most specific wins, as
 * for contacts); mailbox policies are sorted for a binary search. */
static int policy_order(const void *a, const void *b)
{
	const struct net_policy *x = a, *y = b;
	int xm = *x->mailbox != '\0', ym = *y->mailbox != '\0';
	if (xm != ym)
		return xm - ym;
	if (!xm)
		return (x->id > y->id) - (x->id < y->id);	/* equal ranges: the later line wins */
	return strcmp(x->mailbox, y->mailbox);
}

static int load_policies(struct store *s, struct routing_index *idx)
{
	int r = store_net_policy_list(s, &idx->policies, &idx->n_policies);
	if (r < 0)
		return r;
	qsort(idx->policies, idx->n_policies, sizeof(*idx->policies), policy_order);
	struct prefix_builder *b = prefix_builder_new();
	for (size_t i = 0; i < idx->n_policies && !*idx->policies[i].mailbox; i++) {
		prefix_builder_add(b, &idx->policies[i].first, &idx->policies[i].last, (uint32_t)i);
		idx->n_range_policies++;
	}
	prefix_table_build(b, &idx->policy_ranges);
	return 0;
}

const struct net_policy *routing_policy_find(const struct routing_index *idx, const struct ip_addr *a,
					     const char *mailbox)
{
	uint32_t v = a && a->family ? prefix_table_lookup(idx->policy_ranges, a) : PREFIX_TABLE_NONE;
	if (v != PREFIX_TABLE_NONE)
		return &idx->policies[v];
	size_t lo = idx->n_range_policies, hi = idx->n_policies;
	while (mailbox && lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcasecmp(idx->policies[mid].mailbox, mailbox);
		if (!c)
			return &idx->policies[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

bool routing_policy_is_xarf(const struct net_policy *p, bool dflt)
{
	return p && p->xarf >= 0 ? p->xarf == 1 : dflt;
}

bool routing_policy_is_auto(const struct net_policy *p, const char *kind, bool dflt)
{
	if (!p || !p->has_auto)
		return dflt;
	return routing_list_has(p->notify_auto, "*") || routing_list_has(p->notify_auto, kind);
}

int routing_index_load(struct store *s, struct routing_index **ret)
{
	struct routing_index *idx = xcalloc(1, sizeof(*idx));
	/* The version first: data changed while loading shows as a newer
	 * version, so the next refresh loads again rather than missing it. */
	int r = store_routing_version(s, &idx->version);
	if (r >= 0)
		r = store_org_list(s, &idx->orgs, &idx->n_orgs);
	if (r < 0) {
		routing_index_free(idx);
		return r;
	}
	struct prefix_builder *b = prefix_builder_new();
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < idx->n_orgs; i++)
		for (size_t k = 0; k < idx->orgs[i].n_ranges; k++) {
			idx->refs = xgrow(idx->refs, &cap, n + 1, sizeof(*idx->refs));
			idx->refs[n] = (struct org_ref){ (uint32_t)i, (uint32_t)k };
			prefix_builder_add(b, &idx->orgs[i].ranges[k].first, &idx->orgs[i].ranges[k].last, (uint32_t)n);
			n++;
		}
	prefix_table_build(b, &idx->inside);
	r = load_contacts(s, idx);
	if (r >= 0)
		r = load_policies(s, idx);
	if (r < 0) {
		routing_index_free(idx);
		return r;
	}
	*ret = idx;
	return 0;
}

int routing_index_refresh(struct store *s, struct routing_index **idx)
{
	int64_t v = 0;
	int r = store_routing_version(s, &v);
	if (r < 0)
		return r;
	if (*idx && (*idx)->version == v)
		return 0;
	struct routing_index *fresh;
	r = routing_index_load(s, &fresh);
	if (r < 0)
		return r;
	routing_index_free(*idx);
	*idx = fresh;
	return 0;
}

const struct org *routing_index_orgs(const struct routing_index *idx, size_t *ret_n)
{
	*ret_n = idx->n_orgs;
	return idx->orgs;
}

const struct org *routing_index_org(const struct routing_index *idx, const char *id)
{
	for (size_t i = 0; i < idx->n_orgs; i++)
		if (!strcmp(idx->orgs[i].id, id))
			return &idx->orgs[i];
	return NULL;
}

void routing_answer_clear(struct routing_answer *a)
{
	net_contact_clear(&a->contact);
	free(a->domain);
	memset(a, 0, sizeof(*a));
}

int routing_lookup_ip(struct store *s, const struct routing_index *idx, const struct ip_addr *a,
		      struct routing_answer *ret)
{
	memset(ret, 0, sizeof(*ret));
	uint32_t v = prefix_table_lookup(idx->inside, a);
	if (v != PREFIX_TABLE_NONE) {
		const struct org_ref *ref = &idx->refs[v];
		ret->where = ROUTING_INSIDE;
		ret->org = &idx->orgs[ref->org];
		ret->first = ret->org->ranges[ref->range].first;
		ret->last = ret->org->ranges[ref->range].last;
		return 0;
	}
	v = prefix_table_lookup(idx->overrides, a);
	if (v == PREFIX_TABLE_NONE)
		v = prefix_table_lookup(idx->rir, a);
	if (v == PREFIX_TABLE_NONE)
		return 0;
	int r = store_contact_get(s, v, &ret->contact);
	if (r == -ENOENT)
		return 0;	/* replaced since the index was built */
	if (r < 0)
		return r;
	ret->where = ROUTING_OUTSIDE;
	ret->first = ret->contact.first;
	ret->last = ret->contact.last;
	ret->policy = routing_policy_find(idx, a, ret->contact.mailbox);
	return 0;
}

bool routing_list_has(const char *list, const char *item)
{
	struct str l = str_from(list ? list : ""), x;
	for (bool more = true; more;) {
		more = str_split(&l, ',', &x);
		x = str_trim(x);
		if (x.len && str_eq_cstr_nocase(x, item))
			return true;
	}
	return false;
}

void routing_lookup_domain(const struct routing_index *idx, const char *name, struct routing_answer *ret)
{
	memset(ret, 0, sizeof(*ret));
	const char *at = strrchr(name, '@');
	struct str host = str_from(at ? at + 1 : name);
	while (host.len && host.p[host.len - 1] == '.')
		host.len--;
	size_t best_len = 0;
	for (size_t i = 0; i < idx->n_orgs; i++) {
		struct str l = str_from(idx->orgs[i].domains ? idx->orgs[i].domains : ""), d;
		for (bool more = true; more;) {
			more = str_split(&l, ',', &d);
			d = str_trim(d);
			if (!d.len || d.len > host.len || d.len <= best_len)
				continue;
			struct str tail = str_make(host.p + host.len - d.len, d.len);
			if (!str_eq_nocase(tail, d))
				continue;
			if (host.len > d.len && host.p[host.len - d.len - 1] != '.')
				continue;	/* "xuni-a.example" is not under "uni-a.example" */
			best_len = d.len;
			ret->where = ROUTING_INSIDE;
			ret->org = &idx->orgs[i];
			free(ret->domain);
			ret->domain = str_dup(d);
		}
	}
}
