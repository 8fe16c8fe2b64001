/*
 * index: who is responsible for an address or a domain.
 *
 * Built from the store: the constituency's organisations (their ranges in
 * one prefix_table) and the external abuse contacts (the operator's
 * overrides in one table, RIR data in another; the values are contact row
 * ids, so the contacts themselves stay in the store and memory holds only
 * the interval table). Order of answers for an address:
 *   1. inside: the most specific constituency range holding it;
 *   2. outside, override: the most specific override range;
 *   3. outside, RIR: the most specific RIR range with an abuse contact;
 *   4. unknown.
 * A domain is inside when it is, or ends in ".", one of an organisation's
 * domains (the longest such domain wins); nothing is resolved in the DNS
 * here (the lookup command resolves other names itself, net/resolve).
 *
 * An outside answer carries the operator's policy for that destination
 * (contacts overrides file, store net_policy): the most specific policy
 * range holding the address, else the policy for the contact's mailbox,
 * else none (the configuration's defaults apply).
 *
 * The index records the store's routing version; routing_index_refresh()
 * rebuilds it when an import has changed the data, so a long-running desk
 * picks up a daily refresh without a restart.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "net/ip.h"
#include "store/store.h"

#define ROUTING_LOAD_PAGE 50000	/* contact rows read per query while loading */

enum routing_where { ROUTING_UNKNOWN, ROUTING_INSIDE, ROUTING_OUTSIDE, ROUTING_WHERE_COUNT };

struct routing_answer {
	enum routing_where where;
	const struct org *org;		/* inside: owned by the index */
	struct ip_addr first, last;	/* the matching range (inside or outside) */
	struct net_contact contact;	/* outside: owned by the answer */
	char *domain;			/* the matching domain (domain lookups) */
	const struct net_policy *policy; /* outside: the destination's policy or NULL; owned by the index */
};

struct routing_index;

int routing_index_load(struct store *s, struct routing_index **ret);
struct routing_index *routing_index_free(struct routing_index *idx);
/* Rebuilds *idx (or builds it when NULL) if the store's data changed. */
int routing_index_refresh(struct store *s, struct routing_index **idx);
const struct org *routing_index_orgs(const struct routing_index *idx, size_t *ret_n);
const struct org *routing_index_org(const struct routing_index *idx, const char *id);

int routing_lookup_ip(struct store *s, const struct routing_index *idx, const struct ip_addr *a,
		      struct routing_answer *ret);
/* The organisation owning a domain or mail address's domain; UNKNOWN else. */
void routing_lookup_domain(const struct routing_index *idx, const char *name, struct routing_answer *ret);
void routing_answer_clear(struct routing_answer *a);
const char *routing_where_name(enum routing_where w);
/* The policy for an outside address with this contact mailbox (either may
 * be NULL), or NULL. */
const struct net_policy *routing_policy_find(const struct routing_index *idx, const struct ip_addr *a,
					     const char *mailbox);
/* What a policy (or, NULL or silent on it, the default) says: X-ARF? sent
 * without approval for this kind? */
bool routing_policy_is_xarf(const struct net_policy *p, bool dflt);
bool routing_policy_is_auto(const struct net_policy *p, const char *kind, bool dflt);
/* Does a ", "-separated list hold item (case-insensitive)? */
bool routing_list_has(const char *list, const char *item);
