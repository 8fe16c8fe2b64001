#include "store/model.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const ticket_kind_names[] = { "report", "incident" };
static const char *const ticket_status_names[] = { "new", "open", "resolved", "rejected" };
static const char *const message_state_names[] = { "queued", "processing", "done", "parked", "outbound" };
static const char *const outbox_state_names[] = { "queued", "held", "sent", "failed", "discarded" };
static const char *const outbox_purpose_names[] = { "ack", "reply", "notify", "copy" };

static const char *name_of(const char *const *names, size_t n, unsigned v)
{
	return v < n ? names[v] : "unknown";
}

static int from_name(const char *const *names, size_t n, const char *s, unsigned *ret)
{
	for (unsigned i = 0; s && i < n; i++)
		if (!strcmp(names[i], s)) {
			*ret = i;
			return 0;
		}
	return -EINVAL;
}

#define ENUM_TABLE(type, prefix, names)                                           \
	const char *prefix##_name(enum type v)                                    \
	{                                                                         \
		return name_of(names, sizeof(names) / sizeof(names[0]), (unsigned)v); \
	}                                                                         \
	int prefix##_from_name(const char *s, enum type *ret)                     \
	{                                                                         \
		unsigned v;                                                       \
		int r = from_name(names, sizeof(names) / sizeof(names[0]), s, &v); \
		if (r == 0)                                                       \
			*ret = (enum type)v;                                      \
		return r;                                                         \
	}

ENUM_TABLE(ticket_kind, ticket_kind, ticket_kind_names)
ENUM_TABLE(ticket_status, ticket_status, ticket_status_names)
ENUM_TABLE(message_state, message_state, message_state_names)
ENUM_TABLE(outbox_state, outbox_state, outbox_state_names)
ENUM_TABLE(outbox_purpose, outbox_purpose, outbox_purpose_names)

void ticket_clear(struct ticket *t)
{
	free(t->subject);
	free(t->reporter);
	free(t->classification);
	free(t->org);
	free(t->ack);
	free(t->ack_note);
	memset(t, 0, sizeof(*t));
}

void message_clear(struct message *m)
{
	free(m->env_from);
	free(m->env_to);
	free(m->message_id);
	free(m->subject);
	free(m->from_addr);
	free(m->to_addr);
	free(m->date_hdr);
	free(m->body_text);
	free(m->defects);
	free(m->error);
	free(m->raw);
	memset(m, 0, sizeof(*m));
}

void outbox_item_clear(struct outbox_item *o)
{
	free(o->env_from);
	free(o->rcpt);
	free(o->last_error);
	free(o->subject);
	free(o->message_id);
	free(o->raw);
	memset(o, 0, sizeof(*o));
}

#define ARRAY_FREE(fn, type, clear) \
	void fn(type *a, size_t n)  \
	{                           \
		for (size_t i = 0; i < n; i++) \
			clear(&a[i]);   \
		free(a);                \
	}

ARRAY_FREE(ticket_array_free, struct ticket, ticket_clear)
ARRAY_FREE(message_array_free, struct message, message_clear)
ARRAY_FREE(outbox_array_free, struct outbox_item, outbox_item_clear)

void org_clear(struct org *o)
{
	free(o->id);
	free(o->name);
	free(o->security);
	free(o->support);
	free(o->domains);
	free(o->asns);
	free(o->notify_auto);
	free(o->ranges);
	free(o->file);
	memset(o, 0, sizeof(*o));
}

void net_contact_clear(struct net_contact *c)
{
	free(c->mailbox);
	free(c->netname);
	free(c->origin);
	memset(c, 0, sizeof(*c));
}

void net_policy_clear(struct net_policy *p)
{
	free(p->mailbox);
	free(p->notify_auto);
	free(p->origin);
	memset(p, 0, sizeof(*p));
}

ARRAY_FREE(org_array_free, struct org, org_clear)
ARRAY_FREE(net_policy_array_free, struct net_policy, net_policy_clear)
ARRAY_FREE(net_contact_array_free, struct net_contact, net_contact_clear)

static void incident_link_clear(struct incident_link *l)
{
	free(l->source);
	memset(l, 0, sizeof(*l));
}

ARRAY_FREE(incident_link_array_free, struct incident_link, incident_link_clear)
