/*
 * store: the only door to the database.
 *
 * Every query the desk runs is written once, in store.c, with positional
 * parameters ($1, $2, ...), and runs on whichever backend the URL selects:
 * a path (or sqlite:PATH) opens SQLite, postgresql://... (or postgres://)
 * PostgreSQL, where several desk nodes may share one database.
 *
 * Transactions: store_begin()/store_commit()/store_rollback() wrap a unit of
 * work; functions documented "commits" run their own transaction and must
 * not be called inside one. Everything else runs inside the caller's
 * transaction, or on its own in autocommit.
 *
 * Errors: -EAGAIN (busy/locked: retry later), -ENOSPC, -EIO (storage),
 * -ENOENT (no such row), -EEXIST (constraint), -EINVAL (bad call or SQL).
 * On PostgreSQL a lost connection is -EAGAIN too; the next call reconnects.
 * A transaction it interrupted is gone (every call fails until
 * store_rollback()), and a COMMIT whose answer was lost is -EAGAIN: never
 * report work as stored on the strength of it.
 * store_errmsg() has the backend's words for the last failure.
 *
 * Threads: a struct store is one connection; give each thread its own.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/model.h"

#define STORE_LIST_MAX 10000	/* rows one listing returns at most */
#define STORE_MERGE_DEPTH_MAX 32

struct store;

/* True for the URLs that select PostgreSQL (postgresql://, postgres://). */
bool store_url_is_pg(const char *url);
/* The URL as it may be shown: a password in it (user:secret@,
 * password=secret) becomes "***". Heap string. */
char *store_url_display(const char *url);
int store_open(const char *url, struct store **ret_store, char **ret_error);
struct store *store_close(struct store *s);
const char *store_errmsg(struct store *s);
const char *store_backend_name(struct store *s);
/* Creates or upgrades the schema (commits) and makes sure ticket numbers
 * start at no less than ticket_base. */
int store_migrate(struct store *s, int64_t ticket_base);
int store_schema_version(struct store *s, int64_t *ret_version);
/* The version store_migrate() brings a store to: the number of migrations
 * in schema.c, counted there, so appending a migration is the whole change. */
int64_t store_schema_latest(void);

int store_begin(struct store *s);
int store_commit(struct store *s);
int store_rollback(struct store *s);

/* Tunes a connection that writes continually beside other writers of the
 * same database (serve's intake committer, workers, senders); see
 * store_sqlite.c. Call right after store_open(). */
int store_set_busy_writer(struct store *s);

/* Intake. Stores the raw bytes and envelope as a queued inbound message
 * (commits). A message identical in bytes and envelope to one already
 * stored is not stored again: *ret_duplicate is set and *ret_id names the
 * earlier copy, so an MTA's retry after a lost reply cannot double it. */
int store_inbound_add(struct store *s, const void *raw, size_t len, const char *env_from, const char *env_to,
		      int64_t now, int64_t *ret_id, bool *ret_duplicate);
/* Group commit: stores several messages in ONE transaction (commits), so
 * concurrent LMTP sessions share a fsync. The same repeat detection as
 * store_inbound_add() applies to each item (id and is_duplicate are set on
 * success). All or nothing: on failure none is stored. */
struct store_inbound_item {
	const void *raw;
	size_t len;
	const char *env_from;
	const char *env_to;
	int64_t id;		/* out */
	bool is_duplicate;	/* out */
};
int store_inbound_add_batch(struct store *s, struct store_inbound_item *items, size_t n, int64_t now);
/* The same inside the caller's transaction (which commits them): serve
 * lets intake ride on a worker's commit. */
int store_inbound_add_in_tx(struct store *s, struct store_inbound_item *items, size_t n, int64_t now);
/* Claims the oldest queued inbound message (or one whose lease ran out):
 * counts an attempt and leases it (commits). -ENOENT when none is due. */
int store_inbound_claim(struct store *s, int64_t now, int64_t lease_seconds, struct message *ret);
/* Claims up to max queued messages at once, oldest first, in one commit
 * (each counted and leased as above), while their raw bytes together stay
 * under bytes_max (the first is always taken). A message whose lease ran
 * out is claimed alone, when no fresh one is due. Sets *ret_n >= 1;
 * -ENOENT when none is due. */
int store_inbound_claim_batch(struct store *s, int64_t now, int64_t lease_seconds, size_t max, int64_t bytes_max,
			      struct message *ret, size_t *ret_n);
/* The same claim inside the caller's transaction (which commits it): a
 * worker claims its next batch in the transaction that stores the last
 * one, so one commit (one fsync) does both. */
int store_inbound_claim_in_tx(struct store *s, int64_t now, int64_t lease_seconds, size_t max, int64_t bytes_max,
			      struct message *ret, size_t *ret_n);
/* A claim is the message's id and the attempt it counted (struct
 * message.attempts). The calls below write only while that claim still
 * holds: a message whose lease ran out and was claimed again by another
 * worker gives -ESTALE, and nothing is written (the caller rolls back what
 * it did in the same transaction). */
/* Gives back a claimed message that was not processed: queued again, its
 * attempt not counted (commits). */
int store_inbound_unclaim(struct store *s, int64_t id, int64_t attempts);
/* Inside the caller's transaction: the message belongs to ticket and is done. */
int store_inbound_finish(struct store *s, int64_t id, int64_t attempts, int64_t ticket, const struct message_fields *f,
			 int64_t now);
/* Inside the caller's transaction: processing gave up; kept for an analyst. */
int store_inbound_park(struct store *s, int64_t id, int64_t attempts, int64_t ticket, const char *error, int64_t now);
/* Records a failed attempt and makes the message due again at retry_at (commits). */
int store_inbound_release(struct store *s, int64_t id, int64_t attempts, const char *error, int64_t retry_at);
int store_inbound_count(struct store *s, enum message_state state, int64_t *ret);

/* Tickets. */
int store_ticket_create(struct store *s, const struct ticket *t, int64_t *ret_number);
int store_ticket_get(struct store *s, int64_t number, struct ticket *ret);
/* Follows merged_into to the ticket that now carries this number's mail. */
int store_ticket_follow(struct store *s, int64_t number, int64_t *ret_final);
/* The ticket of an outbound message of ours with this Message-ID. */
int store_ticket_by_sent_message_id(struct store *s, const char *message_id, int64_t *ret_ticket);

struct ticket_filter {
	const char *status;	/* NULL: any; "active": new or open */
	const char *kind;	/* NULL: any */
	bool include_merged;
	int64_t before;		/* numbers below this (paging); 0: from the newest */
	size_t limit;		/* 0: STORE_LIST_MAX */
};
int store_ticket_list(struct store *s, const struct ticket_filter *f, struct ticket **ret, size_t *ret_n);
int store_ticket_set_status(struct store *s, int64_t number, enum ticket_status status, int64_t now);
int store_ticket_set_ack(struct store *s, int64_t number, const char *ack, const char *note);
int store_ticket_set_needs_analyst(struct store *s, int64_t number, bool needs);
int store_ticket_touch(struct store *s, int64_t number, int64_t now);
/* Moves from's messages and outbox rows to into and marks from merged. */
int store_ticket_merge(struct store *s, int64_t from, int64_t into, int64_t now);

/* Messages. */
int store_ticket_messages(struct store *s, int64_t ticket, struct message **ret, size_t *ret_n);
int store_message_get(struct store *s, int64_t id, bool with_raw, struct message *ret);
/* Records an outbound message and queues it (state OUTBOX_QUEUED or
 * OUTBOX_HELD), inside the caller's transaction. */
int store_outbound_add(struct store *s, int64_t ticket, enum outbox_purpose purpose, const char *env_from,
		       const char *rcpt, enum outbox_state state, const void *raw, size_t len,
		       const struct message_fields *f, int64_t now, int64_t *ret_outbox_id);

/* Outbox. claim: the next due queued row with its bytes; counts an attempt
 * and pushes next_try out by lease_seconds so a crashed sender's row comes
 * due again (commits). -ENOENT when nothing is due. */
int store_outbox_claim(struct store *s, int64_t now, int64_t lease_seconds, struct outbox_item *ret);
int store_outbox_mark_sent(struct store *s, int64_t id, int64_t now);
int store_outbox_mark_retry(struct store *s, int64_t id, int64_t next_try, const char *error);
int store_outbox_mark_failed(struct store *s, int64_t id, const char *error);

struct outbox_filter {
	const char *state;	/* NULL: any */
	int64_t ticket;		/* 0: any */
	size_t limit;		/* 0: STORE_LIST_MAX */
};
int store_outbox_list(struct store *s, const struct outbox_filter *f, struct outbox_item **ret, size_t *ret_n);
/* Outbound mail of `purpose` to rcpt queued since `since`, any state. */
int store_outbox_count_to(struct store *s, const char *rcpt, enum outbox_purpose purpose, int64_t since, int64_t *ret);

/* Evidence (evidence/extract): one row per report message, the findings as
 * JSON (evidence/report.h) and the checklist items beside it so that they
 * can be queried. Inside the caller's transaction. */
struct store_check {
	const char *item;	/* "source", "time", ... */
	const char *state;	/* "present", "missing", "doubtful" */
	const char *reason;
};
int store_evidence_add(struct store *s, int64_t ticket, int64_t message, const char *abuse_type, int64_t events,
		       const char *report_json, const struct store_check *checks, size_t n_checks, int64_t now,
		       int64_t *ret_id);
/* The newest evidence report of a ticket (heap JSON text); -ENOENT if none. */
int store_evidence_latest(struct store *s, int64_t ticket, char **ret_report_json);

/* Audit trail: who did what to which ticket. */
int store_audit_add(struct store *s, int64_t ticket, const char *actor, const char *action, const char *detail,
		    int64_t now);

/* Routing data (constituency/, routing/). Replacing runs inside the
 * caller's transaction, so an import is all or nothing and a running desk
 * sees the old data until COMMIT; each replace bumps the routing version. */
int store_org_replace_all(struct store *s, const struct org *orgs, size_t n);
/* Every organisation with its ranges, ordered by id. */
int store_org_list(struct store *s, struct org **ret, size_t *ret_n);
/* Deletes the RIR contacts (is_override false) or the overrides. */
int store_contact_clear(struct store *s, bool is_override);
/* A contact whose mailbox may still be "" with handles to resolve. */
int store_contact_add(struct store *s, const struct net_contact *c);
/* RPSL import: remembers what a handle leads to. kind is "role" (nic-hdl ->
 * abuse-mailbox), "org" (organisation -> abuse-mailbox), "org-abuse-c"
 * (organisation -> role handle) or "irt" (irt -> abuse-mailbox). The first
 * definition of a handle wins. */
int store_contact_handle_add(struct store *s, const char *kind, const char *handle, const char *value);
/* Gives every unresolved RIR contact its mailbox: its abuse-c's, else its
 * organisation's abuse-c's, else its organisation's abuse-mailbox, else its
 * irt's; drops those left without one (*ret_dropped) and forgets the
 * handles. */
int store_contact_resolve(struct store *s, int64_t *ret_dropped);
/* A page of contacts with id > after, in id order, at most limit rows;
 * *ret_after is where the next page starts (== after: no more rows). */
int store_contact_page(struct store *s, int64_t after, size_t limit, struct net_contact **ret, size_t *ret_n,
		       int64_t *ret_after);
/* The same page with only id, range and is_override (mailbox, netname and
 * origin NULL): what an index needs, at a fraction of the cost. */
int store_contact_range_page(struct store *s, int64_t after, size_t limit, struct net_contact **ret, size_t *ret_n,
			     int64_t *ret_after);
int store_contact_count(struct store *s, bool is_override, int64_t *ret);
int store_contact_get(struct store *s, int64_t id, struct net_contact *ret);
/* The operator's policies for external destinations (net_policy): all of
 * them deleted, one added, all of them listed (a few thousand at most). */
int store_net_policy_clear(struct store *s);
int store_net_policy_add(struct store *s, const struct net_policy *p);
int store_net_policy_list(struct store *s, struct net_policy **ret, size_t *ret_n);
/* Changes whenever the constituency or the contacts are replaced. */
int store_routing_version(struct store *s, int64_t *ret);

/* Incidents (routing/): a ticket of kind incident keyed by org (the
 * responsible party: "org:ID" or "net:MAILBOX") and classification (the
 * kind of abuse). All inside the caller's transaction. */
/* The newest new/open incident for key and kind; -ENOENT if none. */
int store_incident_find(struct store *s, const char *key, const char *kind, int64_t *ret_number);
/* Links a report's source to the incident (once; a repeat is no change). */
int store_incident_link(struct store *s, int64_t incident, int64_t report, const char *source, int64_t events,
			int64_t now);
/* Was source notified in this incident at or after `since`? */
int store_incident_notified_since(struct store *s, int64_t incident, const char *source, int64_t since,
				  bool *ret_notified);
int store_incident_mark_notified(struct store *s, int64_t incident, int64_t report, const char *source, int64_t now);
/* How many distinct reports and how many events the incident gathered. */
int store_incident_counts(struct store *s, int64_t incident, int64_t *ret_reports, int64_t *ret_events);
/* The links of an incident (incident > 0) or of a report (report > 0). */
int store_incident_links(struct store *s, int64_t incident, int64_t report, struct incident_link **ret,
			 size_t *ret_n);

/* Held notifications: approve (held -> queued, due now) or discard (held
 * or queued -> discarded). -ENOENT when no such row is in those states. */
int store_outbox_approve(struct store *s, int64_t id, int64_t now, int64_t *ret_ticket);
int store_outbox_discard(struct store *s, int64_t id, int64_t *ret_ticket);

/* ---- the web desk (http/) ---- */

#define STORE_QUERY_TEXT_MAX 200	/* bytes of a queue text search */
#define STORE_TOP_MAX 100		/* rows of an overview's top list */

/* The queue as analysts filter it: every field optional (NULL or ""). */
struct ticket_query {
	const char *status;	/* a status, "active" (new or open), or NULL for any */
	const char *kind;
	const char *org;
	const char *classification;
	const char *text;	/* substring of subject or reporter (case-insensitive ASCII) */
	int64_t before;		/* keyset paging: numbers below this; 0: from the newest */
	size_t limit;		/* 0: STORE_LIST_MAX */
};
int store_ticket_query(struct store *s, const struct ticket_query *q, struct ticket **ret, size_t *ret_n);
/* Unmerged tickets per status, indexed by enum ticket_status. */
int store_ticket_counts(struct store *s, int64_t ret[TICKET_STATUS_COUNT]);
int store_ticket_set_classification(struct store *s, int64_t number, const char *classification, int64_t now);
/* Outbox rows per state, indexed by enum outbox_state. */
int store_outbox_counts(struct store *s, int64_t ret[OUTBOX_STATE_COUNT]);
/* One outbox row (without its bytes). (Held mail is approved and discarded
 * with store_outbox_approve/discard above.) */
int store_outbox_get(struct store *s, int64_t id, struct outbox_item *ret);

struct audit_entry {
	int64_t id;
	int64_t at;
	int64_t ticket;
	char *actor;
	char *action;
	char *detail;
};
/* Oldest first; ticket 0: the desk-wide entries (imports, users). */
int store_audit_list(struct store *s, int64_t ticket, struct audit_entry **ret, size_t *ret_n);
void audit_array_free(struct audit_entry *a, size_t n);

/* Overview. Tickets created since `since`, by UTC day and kind. */
struct stat_day {
	int64_t day;		/* days since the epoch */
	enum ticket_kind kind;
	int64_t count;
};
int store_stats_per_day(struct store *s, int64_t since, struct stat_day **ret, size_t *ret_n);
enum stat_top { STAT_TOP_REPORTER, STAT_TOP_ORG };
struct stat_top_row {
	char *name;
	int64_t count;
};
int store_stats_top(struct store *s, enum stat_top what, int64_t since, size_t limit, struct stat_top_row **ret,
		    size_t *ret_n);
void stat_top_array_free(struct stat_top_row *a, size_t n);

/* Analysts. Passwords and tokens reach the store only as hashes. */
enum user_role { USER_ANALYST, USER_ADMIN, USER_ROLE_COUNT };
const char *user_role_name(enum user_role r);
int user_role_from_name(const char *s, enum user_role *ret);

struct desk_user {
	int64_t id;
	char *name;
	enum user_role role;
	char *pw_hash;
	int64_t failures;	/* failed logins since the last success */
	int64_t locked_until;
	int64_t created_at;
};
void desk_user_clear(struct desk_user *u);
/* -EEXIST when the name is taken. */
int store_user_add(struct store *s, const char *name, enum user_role role, const char *pw_hash, int64_t now,
		   int64_t *ret_id);
int store_user_get(struct store *s, const char *name, struct desk_user *ret);
int store_user_get_id(struct store *s, int64_t id, struct desk_user *ret);
int store_user_list(struct store *s, struct desk_user **ret, size_t *ret_n);
void desk_user_array_free(struct desk_user *a, size_t n);
/* Also clears the failure count and lock. */
int store_user_set_password(struct store *s, const char *name, const char *pw_hash);
int store_user_login_failed(struct store *s, int64_t id, int64_t locked_until);
int store_user_login_ok(struct store *s, int64_t id);

/* Sessions and API tokens, looked up by the hash of the secret. */
int store_session_add(struct store *s, const char *token_hash, int64_t user_id, const char *csrf, int64_t now,
		      int64_t expires_at);
/* The session's user and CSRF token; -ENOENT when unknown or expired. */
int store_session_get(struct store *s, const char *token_hash, int64_t now, int64_t *ret_user_id, char **ret_csrf);
int store_session_delete(struct store *s, const char *token_hash);
/* Drops expired sessions. */
int store_session_expire(struct store *s, int64_t now);
int store_token_add(struct store *s, const char *token_hash, int64_t user_id, const char *label, int64_t now);
int store_token_get(struct store *s, const char *token_hash, int64_t *ret_user_id);

/* Copies a whole desk (abusedesk migrate). */
#define STORE_COPY_TABLES_MAX 24
struct store_copy_count {
	const char *table;
	int64_t rows;		/* in the source, and verified equal in the target */
};
/* Copies every ticket, message, outbox row, audit entry, evidence report
 * and the routing data (constituency, contacts, incident links) from `from`
 * into `to`, keeping numbers and ids, and moves the target's ticket
 * sequence and generated ids past them (commits on `to`). Both stores must
 * be migrated to the same schema version (else -EPROTO); `to` must hold no
 * rows (else -EEXIST). The row counts are compared before the commit: -EIO
 * and nothing copied when they differ. ret[] names each table and its rows. */
int store_copy(struct store *from, struct store *to, struct store_copy_count ret[STORE_COPY_TABLES_MAX],
	       size_t *ret_n);
