/*
 * model: the desk's records as the rest of the code sees them, and the
 * name<->string tables of their enums. The strings are the ones stored in
 * SQL and shown in JSON and the CLI; change one and you change all three.
 *
 * Ownership: every char * in these structs is heap memory owned by the
 * struct; the *_clear() functions free them and zero the struct.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/ip.h"

enum ticket_kind { TICKET_REPORT, TICKET_INCIDENT, TICKET_KIND_COUNT };
enum ticket_status { TICKET_NEW, TICKET_OPEN, TICKET_RESOLVED, TICKET_REJECTED, TICKET_STATUS_COUNT };
enum message_state { MESSAGE_QUEUED, MESSAGE_PROCESSING, MESSAGE_DONE, MESSAGE_PARKED, MESSAGE_OUTBOUND, MESSAGE_STATE_COUNT };
enum outbox_state { OUTBOX_QUEUED, OUTBOX_HELD, OUTBOX_SENT, OUTBOX_FAILED, OUTBOX_DISCARDED, OUTBOX_STATE_COUNT };
enum outbox_purpose { OUTBOX_ACK, OUTBOX_REPLY, OUTBOX_NOTIFY, OUTBOX_COPY, OUTBOX_PURPOSE_COUNT };

const char *ticket_kind_name(enum ticket_kind k);
const char *ticket_status_name(enum ticket_status s);
const char *message_state_name(enum message_state s);
const char *outbox_state_name(enum outbox_state s);
const char *outbox_purpose_name(enum outbox_purpose p);
/* -EINVAL for a name not in the table. */
int ticket_kind_from_name(const char *s, enum ticket_kind *ret);
int ticket_status_from_name(const char *s, enum ticket_status *ret);
int message_state_from_name(const char *s, enum message_state *ret);
int outbox_state_from_name(const char *s, enum outbox_state *ret);
int outbox_purpose_from_name(const char *s, enum outbox_purpose *ret);

struct ticket {
	int64_t number;
	enum ticket_kind kind;
	enum ticket_status status;
	char *subject;
	char *reporter;		/* address acknowledgments and replies go to */
	char *classification;	/* RSIT taxonomy, e.g. information-gathering/scanner */
	char *org;
	int64_t merged_into;	/* 0 when not merged */
	char *ack;		/* "queued", "withheld" or "" */
	char *ack_note;		/* why an acknowledgment was withheld */
	bool needs_analyst;	/* parked: processing failed, raw text kept */
	int64_t created_at;
	int64_t updated_at;
	int64_t n_messages;	/* filled by listings */
};

/* What the pipeline learnt from an inbound message, or what we composed. */
struct message_fields {
	const char *message_id;
	const char *subject;
	const char *from_addr;
	const char *to_addr;
	const char *date_hdr;
	const char *body_text;
	const char *defects;	/* comma-separated DEFECT names */
};

struct message {
	int64_t id;
	bool is_inbound;
	enum message_state state;
	int64_t size;
	int64_t received_at;
	int64_t attempts;
	int64_t ticket;
	char *env_from;
	char *env_to;
	char *message_id;
	char *subject;
	char *from_addr;
	char *to_addr;
	char *date_hdr;
	char *body_text;
	char *defects;
	char *error;
	char *raw;		/* only when asked for */
	size_t raw_len;
};

struct outbox_item {
	int64_t id;
	int64_t message;
	int64_t ticket;
	enum outbox_purpose purpose;
	enum outbox_state state;
	char *env_from;
	char *rcpt;
	int64_t attempts;
	int64_t next_try;
	int64_t created_at;
	int64_t sent_at;
	char *last_error;
	char *subject;
	char *message_id;
	char *raw;		/* only when claimed for sending */
	size_t raw_len;
};

void ticket_clear(struct ticket *t);
void message_clear(struct message *m);
void outbox_item_clear(struct outbox_item *o);
void ticket_array_free(struct ticket *a, size_t n);
void message_array_free(struct message *a, size_t n);
void outbox_array_free(struct outbox_item *a, size_t n);

/* ---- routing data: the constituency and external abuse contacts ---- */

struct org_range {
	struct ip_addr first, last;
	uint32_t line;		/* where it was read (not stored) */
};

/* An organisation of the constituency. Lists are ", "-separated. */
struct org {
	char *id;		/* short id: letters, digits, '-' */
	char *name;
	char *security;		/* designated security contact(s) */
	char *support;		/* IT support contact */
	char *domains;
	char *asns;
	char *notify_auto;	/* abuse kinds notified without approval; "*" all */
	struct org_range *ranges;
	size_t n_ranges;
	char *file;		/* where it was read (not stored) */
	uint32_t line;
};

/* An external network's abuse contact, from RIR data or the overrides. */
struct net_contact {
	int64_t id;
	struct ip_addr first, last;
	char *mailbox;
	char *netname;
	char *origin;		/* the object it came from, e.g. "inetnum 192.0.2.0 - 192.0.2.255" */
	bool is_override;
	/* While importing RPSL: handles still to resolve to a mailbox. */
	const char *abuse_c, *org_ref, *irt_ref;
};

/* The operator's policy for an external destination: a range (first.family
 * set) or a mailbox. */
struct net_policy {
	int64_t id;
	struct ip_addr first, last;
	char *mailbox;			/* "" for a range policy; lower case */
	int xarf;			/* -1 not said, 0 plain text, 1 X-ARF */
	bool has_auto;			/* notify_auto was said ("" = held) */
	char *notify_auto;		/* ", "-separated kinds sent at once, "*" all */
	char *origin;			/* "overrides FILE:LINE" */
};

void net_policy_clear(struct net_policy *p);
void net_policy_array_free(struct net_policy *a, size_t n);

void org_clear(struct org *o);
void org_array_free(struct org *a, size_t n);
void net_contact_clear(struct net_contact *c);
void net_contact_array_free(struct net_contact *a, size_t n);

/* A report (and one of its abusing sources) gathered by an incident. */
struct incident_link {
	int64_t incident;
	int64_t report;
	char *source;
	int64_t events;
	int64_t notified_at;	/* 0: this link did not notify */
	int64_t created_at;
};

void incident_link_array_free(struct incident_link *a, size_t n);
