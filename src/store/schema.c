/*
 * The schema, written once for every backend. Types that differ between
 * dialects are named placeholders, filled in from db_ops by schema_render():
 *   {ID}   an auto-numbered 64-bit primary key
 *   {INT}  a 64-bit integer
 *   {BLOB} raw bytes
 * Migration i takes the schema from version i to i+1; a change to the
 * schema is a new string at the end, never an edit of an old one.
 */
#include "store/schema.h"

#include <stddef.h>
#include <string.h>

#include "util/buf.h"

const char *const schema_migrations[] = {
	/* 1: tickets, messages (the inbound queue and our outbound mail), outbox, audit */
	"CREATE TABLE seq (name TEXT PRIMARY KEY, value {INT} NOT NULL);"
	"CREATE TABLE ticket ("
	"  number {INT} PRIMARY KEY,"
	"  kind TEXT NOT NULL DEFAULT 'report',"
	"  status TEXT NOT NULL DEFAULT 'new',"
	"  subject TEXT NOT NULL DEFAULT '',"
	"  reporter TEXT NOT NULL DEFAULT '',"
	"  classification TEXT NOT NULL DEFAULT '',"
	"  org TEXT NOT NULL DEFAULT '',"
	"  merged_into {INT} REFERENCES ticket(number),"
	"  ack TEXT NOT NULL DEFAULT '',"
	"  ack_note TEXT NOT NULL DEFAULT '',"
	"  needs_analyst {INT} NOT NULL DEFAULT 0,"
	"  created_at {INT} NOT NULL,"
	"  updated_at {INT} NOT NULL);"
	"CREATE INDEX ticket_status ON ticket(status, number);"
	"CREATE TABLE message ("
	"  id {ID},"
	"  direction TEXT NOT NULL,"
	"  state TEXT NOT NULL,"
	"  digest TEXT UNIQUE,"
	"  raw {BLOB} NOT NULL,"
	"  size {INT} NOT NULL,"
	"  env_from TEXT NOT NULL DEFAULT '',"
	"  env_to TEXT NOT NULL DEFAULT '',"
	"  received_at {INT} NOT NULL,"
	"  attempts {INT} NOT NULL DEFAULT 0,"
	"  lease_until {INT} NOT NULL DEFAULT 0,"
	"  error TEXT NOT NULL DEFAULT '',"
	"  ticket {INT} REFERENCES ticket(number),"
	"  message_id TEXT NOT NULL DEFAULT '',"
	"  subject TEXT NOT NULL DEFAULT '',"
	"  from_addr TEXT NOT NULL DEFAULT '',"
	"  to_addr TEXT NOT NULL DEFAULT '',"
	"  date_hdr TEXT NOT NULL DEFAULT '',"
	"  body_text TEXT NOT NULL DEFAULT '',"
	"  defects TEXT NOT NULL DEFAULT '',"
	"  processed_at {INT});"
	"CREATE INDEX message_queue ON message(state, id);"
	"CREATE INDEX message_ticket ON message(ticket, id);"
	"CREATE INDEX message_msgid ON message(message_id);"
	"CREATE TABLE outbox ("
	"  id {ID},"
	"  message {INT} NOT NULL REFERENCES message(id),"
	"  ticket {INT} REFERENCES ticket(number),"
	"  purpose TEXT NOT NULL,"
	"  env_from TEXT NOT NULL,"
	"  rcpt TEXT NOT NULL,"
	"  state TEXT NOT NULL,"
	"  attempts {INT} NOT NULL DEFAULT 0,"
	"  next_try {INT} NOT NULL,"
	"  last_error TEXT NOT NULL DEFAULT '',"
	"  created_at {INT} NOT NULL,"
	"  sent_at {INT});"
	"CREATE INDEX outbox_due ON outbox(state, next_try);"
	"CREATE INDEX outbox_rcpt ON outbox(rcpt, purpose, created_at);"
	"CREATE TABLE audit ("
	"  id {ID},"
	"  at {INT} NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  ticket {INT},"
	"  action TEXT NOT NULL,"
	"  detail TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX audit_ticket ON audit(ticket, id);",
	/* 2: evidence found in each report (evidence/extract) and its checklist */
	"CREATE TABLE evidence ("
	"  id {ID},"
	"  ticket {INT} NOT NULL,"
	"  message {INT} NOT NULL,"
	"  at {INT} NOT NULL,"
	"  abuse_type TEXT NOT NULL,"
	"  events {INT} NOT NULL,"
	"  report TEXT NOT NULL);"
	"CREATE INDEX evidence_ticket ON evidence(ticket, id);"
	"CREATE TABLE evidence_check ("
	"  evidence {INT} NOT NULL,"
	"  item TEXT NOT NULL,"
	"  state TEXT NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  PRIMARY KEY (evidence, item));",
	/* 3: routing data: the constituency's organisations and their ranges,
	 * external abuse contacts (RIR data and the operator's overrides), a
	 * version each import bumps so a running desk reloads its index, and
	 * the links of incidents to the reports they gathered */
	"CREATE TABLE org ("
	"  id TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  security TEXT NOT NULL,"
	"  support TEXT NOT NULL DEFAULT '',"
	"  domains TEXT NOT NULL DEFAULT '',"
	"  asns TEXT NOT NULL DEFAULT '',"
	"  notify_auto TEXT NOT NULL DEFAULT '');"
	"CREATE TABLE org_range ("
	"  id {ID},"
	"  org TEXT NOT NULL REFERENCES org(id),"
	"  first_ip TEXT NOT NULL,"
	"  last_ip TEXT NOT NULL);"
	"CREATE INDEX org_range_org ON org_range(org);"
	"CREATE TABLE net_contact ("
	"  id {ID},"
	"  first_ip TEXT NOT NULL,"
	"  last_ip TEXT NOT NULL,"
	"  mailbox TEXT NOT NULL,"
	"  netname TEXT NOT NULL DEFAULT '',"
	"  origin TEXT NOT NULL DEFAULT '',"
	"  is_override {INT} NOT NULL DEFAULT 0,"
	"  abuse_c TEXT NOT NULL DEFAULT '',"
	"  org_ref TEXT NOT NULL DEFAULT '',"
	"  irt_ref TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX net_contact_kind ON net_contact(is_override, id);"
	"CREATE TABLE rpsl_handle ("
	"  kind TEXT NOT NULL,"
	"  handle TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  PRIMARY KEY (kind, handle));"
	"CREATE TABLE data_version (name TEXT PRIMARY KEY, version {INT} NOT NULL);"
	"INSERT INTO data_version (name, version) VALUES ('routing', 0);"
	/* an incident's reports: one row per report and abusing source */
	"CREATE TABLE incident_link ("
	"  incident {INT} NOT NULL REFERENCES ticket(number),"
	"  report {INT} NOT NULL REFERENCES ticket(number),"
	"  source TEXT NOT NULL,"
	"  events {INT} NOT NULL DEFAULT 0,"
	"  notified_at {INT} NOT NULL DEFAULT 0,"
	"  created_at {INT} NOT NULL,"
	"  PRIMARY KEY (incident, report, source));"
	"CREATE INDEX incident_link_source ON incident_link(incident, source, notified_at);"
	"CREATE INDEX incident_link_report ON incident_link(report);"
	"CREATE INDEX ticket_incident ON ticket(kind, org, classification, status);",
	/* 4: the web desk: analysts, their sessions and API tokens; indexes for
	 * the queue's filters and the overview (table names avoid the SQL
	 * keyword USER, reserved in PostgreSQL) */
	"CREATE TABLE desk_user ("
	"  id {ID},"
	"  name TEXT NOT NULL UNIQUE,"
	"  role TEXT NOT NULL,"
	"  pw_hash TEXT NOT NULL,"
	"  failures {INT} NOT NULL DEFAULT 0,"
	"  locked_until {INT} NOT NULL DEFAULT 0,"
	"  created_at {INT} NOT NULL);"
	"CREATE TABLE desk_session ("
	"  token_hash TEXT PRIMARY KEY,"
	"  user_id {INT} NOT NULL REFERENCES desk_user(id),"
	"  csrf TEXT NOT NULL,"
	"  created_at {INT} NOT NULL,"
	"  expires_at {INT} NOT NULL);"
	"CREATE INDEX desk_session_expiry ON desk_session(expires_at);"
	"CREATE TABLE desk_token ("
	"  token_hash TEXT PRIMARY KEY,"
	"  user_id {INT} NOT NULL REFERENCES desk_user(id),"
	"  label TEXT NOT NULL DEFAULT '',"
	"  created_at {INT} NOT NULL);"
	"CREATE INDEX ticket_status_merged ON ticket(status, merged_into);"
	"CREATE INDEX ticket_created ON ticket(created_at);"
	"CREATE INDEX ticket_org ON ticket(org, number);"
	"CREATE INDEX ticket_class ON ticket(classification, number);",
	/* 5: the operator's policy per external destination (the contacts
	 * overrides file): a range (first_ip/last_ip) or a mailbox; xarf -1
	 * not said, 0 plain, 1 X-ARF; has_auto says whether notify_auto was
	 * given ("" = held) */
	"CREATE TABLE net_policy ("
	"  id {ID},"
	"  first_ip TEXT NOT NULL DEFAULT '',"
	"  last_ip TEXT NOT NULL DEFAULT '',"
	"  mailbox TEXT NOT NULL DEFAULT '',"
	"  xarf {INT} NOT NULL DEFAULT -1,"
	"  has_auto {INT} NOT NULL DEFAULT 0,"
	"  notify_auto TEXT NOT NULL DEFAULT '',"
	"  origin TEXT NOT NULL DEFAULT '');",
};

const size_t schema_migrations_count = sizeof(schema_migrations) / sizeof(schema_migrations[0]);

char *schema_render(const char *sql, const struct db_ops *ops)
{
	static const struct {
		const char *token;
		size_t offset;
	} tokens[] = {
		{ "{ID}", offsetof(struct db_ops, type_id) },
		{ "{INT}", offsetof(struct db_ops, type_int) },
		{ "{BLOB}", offsetof(struct db_ops, type_blob) },
	};
	struct buf b;
	buf_init(&b, (size_t)-1 / 2);
	for (const char *p = sql; *p;) {
		size_t i;
		for (i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++) {
			size_t n = strlen(tokens[i].token);
			if (!strncmp(p, tokens[i].token, n)) {
				buf_append_str(&b, *(const char *const *)((const char *)ops + tokens[i].offset));
				p += n;
				break;
			}
		}
		if (i == sizeof(tokens) / sizeof(tokens[0]))
			buf_append_char(&b, *p++);
	}
	return buf_steal(&b);
}
