/*
 * The store's queries, written once for every backend (see db.h).
 */
#include "store/store.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/schema.h"
#include "store/store_int.h"
#include "util/buf.h"
#include "util/digest.h"
#include "util/xalloc.h"

#define PARAMS STORE_PARAMS
#define Q(s, sql, ...) (s)->ops->query((s)->conn, sql, PARAMS(__VA_ARGS__), NULL)
#define QR(s, sql, res, ...) (s)->ops->query((s)->conn, sql, PARAMS(__VA_ARGS__), res)
#define I(x) DB_INT_V(x)
#define T(x) db_text(x)

/* Fills one array element from a result row; false leaves the row out (a
 * cell it cannot use, such as an address that does not parse), and then
 * the element must own nothing: the next row is filled into it. */
typedef bool row_filler(struct db_res *res, size_t row, void *elem);

/* The one way a listing's result becomes an array: every row of res through
 * fill, in order, into a new array of *ret_n elements of elem_size bytes.
 * Never NULL (one element at least), so the caller's *_array_free is always
 * right. res stays the caller's to free. */
static void *rows_to_array(struct db_res *res, size_t elem_size, row_filler *fill, size_t *ret_n)
{
	char *a = xcalloc(res->rows ? res->rows : 1, elem_size);
	size_t n = 0;
	for (size_t i = 0; i < res->rows; i++)
		if (fill(res, i, a + n * elem_size))
			n++;
	*ret_n = n;
	return a;
}

bool store_url_is_pg(const char *url)
{
	return !strncmp(url, "postgresql://", 13) || !strncmp(url, "postgres://", 11);
}

char *store_url_display(const char *url)
{
	struct buf b;
	buf_init(&b, strlen(url) + 16);
	const char *p = url;
	const char *scheme = strstr(url, "://");
	if (scheme && store_url_is_pg(url)) {
		const char *auth = scheme + 3;
		const char *end = auth + strcspn(auth, "/?");
		const char *at = memchr(auth, '@', (size_t)(end - auth));
		const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
		if (colon) {
			buf_append(&b, url, (size_t)(colon + 1 - url));
			buf_append_str(&b, "***");
			p = at;
		}
	}
	for (;;) {
		const char *pw = strstr(p, "password=");
		if (!pw) {
			buf_append_str(&b, p);
			break;
		}
		buf_append(&b, p, (size_t)(pw + 9 - p));
		buf_append_str(&b, "***");
		p = pw + 9 + strcspn(pw + 9, "& ");
	}
	return buf_steal(&b);
}

int store_open(const char *url, struct store **ret_store, char **ret_error)
{
	const struct db_ops *ops = store_url_is_pg(url) ? &db_pg_ops : &db_sqlite_ops;
	void *conn = NULL;
	int r = ops->open(url, &conn, ret_error);
	if (r < 0)
		return r;
	struct store *s = xcalloc(1, sizeof(*s));
	s->ops = ops;
	s->conn = conn;
	*ret_store = s;
	return 0;
}

struct store *store_close(struct store *s)
{
	if (s) {
		s->ops->close(s->conn);
		free(s);
	}
	return NULL;
}

const char *store_errmsg(struct store *s)
{
	return s->ops->errmsg(s->conn);
}

const char *store_backend_name(struct store *s)
{
	return s->ops->name;
}

int store_set_busy_writer(struct store *s)
{
	return s->ops->set_busy_writer ? s->ops->set_busy_writer(s->conn) : 0;
}

int store_begin(struct store *s)
{
	return s->ops->begin(s->conn);
}

int store_commit(struct store *s)
{
	return s->ops->commit(s->conn);
}

int store_rollback(struct store *s)
{
	return s->ops->rollback(s->conn);
}

/* Runs r = expr inside a transaction of its own. */
static int finish_tx(struct store *s, int r)
{
	if (r < 0) {
		store_rollback(s);
		return r;
	}
	int c = store_commit(s);
	if (c < 0) {
		store_rollback(s);
		return c;
	}
	return r;
}

int store_schema_version(struct store *s, int64_t *ret_version)
{
	struct db_res *res = NULL;
	int r = s->ops->exec_script(s->conn, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
	if (r < 0)
		return r;
	static const char sql[] = "SELECT max(version) FROM schema_version";
	r = s->ops->query(s->conn, sql, NULL, 0, &res);
	if (r < 0)
		return r;
	*ret_version = db_res_int(res, 0, 0);
	db_res_free(res);
	return 0;
}

int64_t store_schema_latest(void)
{
	return (int64_t)schema_migrations_count;
}

int store_migrate(struct store *s, int64_t ticket_base)
{
	int r = store_begin(s);
	if (r < 0)
		return r;
	if (s->ops->lock_schema && (r = s->ops->lock_schema(s->conn)) < 0)
		return finish_tx(s, r);
	int64_t version = 0;
	r = store_schema_version(s, &version);
	if (r < 0)
		return finish_tx(s, r);
	if (version > (int64_t)schema_migrations_count) {
		/* A newer abusedesk wrote this database; do not touch it. */
		return finish_tx(s, -EPROTO);
	}
	for (size_t v = (size_t)version; v < schema_migrations_count; v++) {
		char *script = schema_render(schema_migrations[v], s->ops);
		r = s->ops->exec_script(s->conn, script);
		free(script);
		if (r < 0)
			return finish_tx(s, r);
		static const char sql[] = "INSERT INTO schema_version (version) VALUES ($1)";
		r = Q(s, sql, I(v + 1));
		if (r < 0)
			return finish_tx(s, r);
	}
	r = s->ops->seq_floor(s->conn, "ticket", ticket_base);
	return finish_tx(s, r);
}

/* ---- intake ---- */

/* One message inside the caller's transaction; the digest recognises a
 * repeat of the same bytes and envelope. */
static int inbound_insert(struct store *s, struct store_inbound_item *it, int64_t now)
{
	char digest[DIGEST_HEX_LEN + 1];
	struct digest_part parts[] = {
		{ it->env_from, strlen(it->env_from) },
		{ it->env_to, strlen(it->env_to) },
		{ it->raw, it->len },
	};
	digest_hex(parts, 3, digest);

	static const char ins[] =
		"INSERT INTO message (direction, state, digest, raw, size, env_from, env_to, received_at)"
		" VALUES ('in', 'queued', $1, $2, $3, $4, $5, $6)"
		" ON CONFLICT (digest) DO NOTHING RETURNING id";
	static const char find[] = "SELECT id FROM message WHERE digest = $1";
	struct db_res *res = NULL;
	int r = QR(s, ins, &res, T(digest), DB_BLOB_V(it->raw, it->len), I(it->len), T(it->env_from), T(it->env_to),
		   I(now));
	if (r < 0)
		return r;
	bool dup = res->rows == 0;
	if (dup) {
		db_res_free(res);
		res = NULL;
		r = QR(s, find, &res, T(digest));
		if (r < 0)
			return r;
	}
	it->id = db_res_int(res, 0, 0);
	it->is_duplicate = dup;
	db_res_free(res);
	return 0;
}

int store_inbound_add(struct store *s, const void *raw, size_t len, const char *env_from, const char *env_to,
		      int64_t now, int64_t *ret_id, bool *ret_duplicate)
{
	struct store_inbound_item it = { .raw = raw, .len = len, .env_from = env_from, .env_to = env_to };
	int r = store_inbound_add_batch(s, &it, 1, now);
	if (r < 0)
		return r;
	*ret_id = it.id;
	*ret_duplicate = it.is_duplicate;
	return 0;
}

int store_inbound_add_batch(struct store *s, struct store_inbound_item *items, size_t n, int64_t now)
{
	int r = store_begin(s);
	if (r < 0)
		return r;
	return finish_tx(s, store_inbound_add_in_tx(s, items, n, now));
}

int store_inbound_add_in_tx(struct store *s, struct store_inbound_item *items, size_t n, int64_t now)
{
	int r = 0;
	for (size_t i = 0; i < n && r >= 0; i++)
		r = inbound_insert(s, &items[i], now);
	return r;
}

#define MESSAGE_COLS \
	"id, direction, state, size, received_at, attempts, coalesce(ticket, 0), env_from, env_to, message_id," \
	" subject, from_addr, to_addr, date_hdr, body_text, defects, error"
#define MESSAGE_N_COLS 17

static void message_from_row(struct db_res *res, size_t row, struct message *m)
{
	memset(m, 0, sizeof(*m));
	m->id = db_res_int(res, row, 0);
	m->is_inbound = !strcmp(db_res_text(res, row, 1), "in");
	message_state_from_name(db_res_text(res, row, 2), &m->state);
	m->size = db_res_int(res, row, 3);
	m->received_at = db_res_int(res, row, 4);
	m->attempts = db_res_int(res, row, 5);
	m->ticket = db_res_int(res, row, 6);
	m->env_from = db_res_take(res, row, 7, NULL);
	m->env_to = db_res_take(res, row, 8, NULL);
	m->message_id = db_res_take(res, row, 9, NULL);
	m->subject = db_res_take(res, row, 10, NULL);
	m->from_addr = db_res_take(res, row, 11, NULL);
	m->to_addr = db_res_take(res, row, 12, NULL);
	m->date_hdr = db_res_take(res, row, 13, NULL);
	m->body_text = db_res_take(res, row, 14, NULL);
	m->defects = db_res_take(res, row, 15, NULL);
	m->error = db_res_take(res, row, 16, NULL);
}

static bool message_fill(struct db_res *res, size_t row, void *elem)
{
	message_from_row(res, row, elem);
	return true;
}

static int message_raw(struct store *s, int64_t id, struct message *m)
{
	static const char sql[] = "SELECT raw FROM message WHERE id = $1";
	struct db_res *res = NULL;
	int r = QR(s, sql, &res, I(id));
	if (r < 0)
		return r;
	if (res->rows == 0) {
		db_res_free(res);
		return -ENOENT;
	}
	m->raw = db_res_take(res, 0, 0, &m->raw_len);
	db_res_free(res);
	return 0;
}

/* SQL texts that differ only in how many rows or ids they carry are built
 * once per count and kept for the life of the process: the SQLite backend
 * caches prepared statements by the text's address. Each of the n items
 * is lead followed by per parameters numbered from first on (in
 * parentheses when parens), items separated by ", ". */
static const char *counted_sql(const char *head, const char *lead, size_t per, size_t first, bool parens, size_t n,
			       const char *tail)
{
	struct buf b;
	buf_init(&b, strlen(head) + strlen(tail) + n * (strlen(lead) + per * 8 + 4) + 1);
	buf_append_str(&b, head);
	for (size_t i = 0; i < n; i++) {
		buf_append_str(&b, i ? ", " : "");
		buf_append_str(&b, parens ? "(" : "");
		buf_append_str(&b, lead);
		for (size_t k = 0; k < per; k++)
			buf_printf(&b, "%s$%zu", k ? ", " : "", first + i * per + k);
		buf_append_str(&b, parens ? ")" : "");
	}
	buf_append_str(&b, tail);
	return buf_steal(&b);
}

#define CLAIM_IDS_MAX 32
static_assert(1 + CLAIM_IDS_MAX <= DB_PARAMS_MAX, "a batch claim carries its ids as parameters");
#define CHECK_ROWS_MAX 16
static_assert(1 + 3 * CHECK_ROWS_MAX <= DB_PARAMS_MAX, "checklist rows are parameters");

/* The counted statements, built on first use: claim_sql[n] claims n
 * messages by id ($1 the lease's end), check_sql[n] inserts n checklist
 * rows ($1 the evidence). */
static const char *claim_sql[CLAIM_IDS_MAX + 1];
static const char *check_sql[CHECK_ROWS_MAX + 1];
static pthread_once_t counted_once = PTHREAD_ONCE_INIT;

static void counted_build(void)
{
	for (size_t n = 1; n <= CLAIM_IDS_MAX; n++)
		claim_sql[n] = counted_sql("UPDATE message SET state = 'processing', attempts = attempts + 1,"
					   " lease_until = $1 WHERE id IN (", "", 1, 2, false, n,
					   ") RETURNING " MESSAGE_COLS ", raw");
	for (size_t n = 1; n <= CHECK_ROWS_MAX; n++)
		check_sql[n] = counted_sql("INSERT INTO evidence_check (evidence, item, state, reason) VALUES ", "$1, ", 3,
					   2, true, n, "");
}

static const char *claim_update_sql(size_t n)
{
	pthread_once(&counted_once, counted_build);
	return claim_sql[n];
}

static const char *check_insert_sql(size_t n)
{
	pthread_once(&counted_once, counted_build);
	return check_sql[n];
}

static int cmp_message_id(const void *a, const void *b)
{
	const struct message *x = a, *y = b;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* A query with the backend's claim_suffix appended. SQLite's suffix is
 * empty: the static text is used as is, so its prepared statement is
 * cached (by address) rather than prepared again on every claim. */
static int query_claim(struct store *s, const char *pick, int64_t now, int64_t limit, struct db_res **res)
{
	const char *suffix = s->ops->claim_suffix;
	char *sql = *suffix ? xasprintf("%s%s", pick, suffix) : NULL;
	int r = s->ops->query(s->conn, sql ? sql : pick, PARAMS(I(now), I(limit)), res);
	free(sql);
	return r;
}

int store_inbound_claim(struct store *s, int64_t now, int64_t lease_seconds, struct message *ret)
{
	size_t n = 0;
	int r = store_inbound_claim_batch(s, now, lease_seconds, 1, 0, ret, &n);
	return r < 0 ? r : 0;
}

int store_inbound_claim_batch(struct store *s, int64_t now, int64_t lease_seconds, size_t max, int64_t bytes_max,
			      struct message *ret, size_t *ret_n)
{
	int r = store_begin(s);
	if (r < 0)
		return r;
	size_t n = 0;
	r = finish_tx(s, store_inbound_claim_in_tx(s, now, lease_seconds, max, bytes_max, ret, &n));
	if (r < 0) {
		for (size_t i = 0; i < n; i++)
			message_clear(&ret[i]);
		return r;
	}
	*ret_n = n;
	return 0;
}

int store_inbound_claim_in_tx(struct store *s, int64_t now, int64_t lease_seconds, size_t max, int64_t bytes_max,
			      struct message *ret, size_t *ret_n)
{
	/* SQLite has no FOR UPDATE; its single writer makes the UPDATE atomic.
	 * One state per query: "state = X ... ORDER BY id LIMIT n" walks the
	 * (state, id) index from the oldest and stops after n due rows.
	 * With an OR of the two states SQLite's plan fetched every queued
	 * row and sorted them in a temporary B-tree on each claim (EXPLAIN
	 * QUERY PLAN), so draining n queued messages cost O(n^2) row reads.
	 * Fresh messages go first, several at once; a message whose worker
	 * died (its lease ran out while processing) comes after them, and
	 * alone: it may be the one that killed the worker, and in a batch it
	 * would take its neighbours down with it again. */
	static const char *const picks[] = {
		"SELECT id, size FROM message WHERE state = 'queued' AND direction = 'in' AND lease_until <= $1"
		" ORDER BY id LIMIT $2",
		"SELECT id, size FROM message WHERE state = 'processing' AND direction = 'in' AND lease_until <= $1"
		" ORDER BY id LIMIT $2",
	};
	assert(max > 0);
	struct db_res *res = NULL;
	int r = 0;
	*ret_n = 0;
	for (size_t i = 0; i < sizeof(picks) / sizeof(picks[0]); i++) {
		db_res_free(res);
		res = NULL;
		r = query_claim(s, picks[i], now, i == 0 ? (int64_t)max : 1, &res);
		if (r < 0)
			return r;
		if (res->rows > 0)
			break;
	}
	if (res->rows == 0) {
		db_res_free(res);
		return -ENOENT;
	}
	/* The first message always; the next ones while the batch's raw
	 * bytes stay under bytes_max (the worker holds them all at once). */
	size_t k = 0;
	int64_t bytes = 0;
	int64_t *ids = xcalloc(res->rows, sizeof(*ids));
	for (size_t row = 0; row < res->rows; row++) {
		int64_t size = db_res_int(res, row, 1);
		if (k > 0 && bytes + size > bytes_max)
			break;
		bytes += size;
		ids[k++] = db_res_int(res, row, 0);
	}
	db_res_free(res);
	/* One UPDATE per CLAIM_IDS_MAX messages, the raw bytes coming back
	 * with it: two statements per message before, inside the write lock. */
	size_t n = 0;
	for (size_t done = 0; done < k && r >= 0;) {
		size_t m = k - done < CLAIM_IDS_MAX ? k - done : CLAIM_IDS_MAX;
		struct db_val p[1 + CLAIM_IDS_MAX];
		p[0] = I(now + lease_seconds);
		for (size_t i = 0; i < m; i++)
			p[1 + i] = I(ids[done + i]);
		struct db_res *got = NULL;
		r = s->ops->query(s->conn, claim_update_sql(m), p, 1 + m, &got);
		if (r < 0)
			break;
		for (size_t row = 0; row < got->rows && n < k; row++) {
			message_from_row(got, row, &ret[n]);
			ret[n].raw = db_res_take(got, row, MESSAGE_N_COLS, &ret[n].raw_len);
			n++;
		}
		db_res_free(got);
		done += m;
	}
	free(ids);
	if (r < 0) {
		for (size_t i = 0; i < n; i++)
			message_clear(&ret[i]);
		return r;
	}
	/* RETURNING's order is the backend's: the batch goes oldest first */
	qsort(ret, n, sizeof(*ret), cmp_message_id);
	*ret_n = n;
	return n ? 0 : -ENOENT;
}

static int expect_one(struct store *s, const char *sql, const struct db_val *p, size_t n)
{
	struct db_res *res = NULL;
	int r = s->ops->query(s->conn, sql, p, n, &res);
	if (r < 0)
		return r;
	r = res->changes > 0 ? 0 : -ENOENT;
	db_res_free(res);
	return r;
}

/* The claim checks below ("state = 'processing' AND attempts = $n"): a
 * worker slower than its lease may find its message claimed again by
 * another (attempts counted up); what it then writes about the message
 * must not land, or the message would be processed twice. */
static int claim_held(int r)
{
	return r == -ENOENT ? -ESTALE : r;
}

int store_inbound_unclaim(struct store *s, int64_t id, int64_t attempts)
{
	static const char sql[] = "UPDATE message SET state = 'queued', attempts = attempts - 1, lease_until = 0"
				  " WHERE id = $1 AND state = 'processing' AND attempts = $2";
	int r = store_begin(s);
	if (r < 0)
		return r;
	return finish_tx(s, claim_held(expect_one(s, sql, PARAMS(I(id), I(attempts)))));
}

int store_inbound_finish(struct store *s, int64_t id, int64_t attempts, int64_t ticket, const struct message_fields *f,
			 int64_t now)
{
	static const char sql[] =
		"UPDATE message SET state = 'done', ticket = $2, message_id = $3, subject = $4, from_addr = $5,"
		" to_addr = $6, date_hdr = $7, body_text = $8, defects = $9, processed_at = $10, error = ''"
		" WHERE id = $1 AND direction = 'in' AND state = 'processing' AND attempts = $11";
	return claim_held(expect_one(s, sql, PARAMS(I(id), I(ticket), T(f->message_id ? f->message_id : ""),
						   T(f->subject ? f->subject : ""), T(f->from_addr ? f->from_addr : ""),
						   T(f->to_addr ? f->to_addr : ""), T(f->date_hdr ? f->date_hdr : ""),
						   T(f->body_text ? f->body_text : ""), T(f->defects ? f->defects : ""),
						   I(now), I(attempts))));
}

int store_inbound_park(struct store *s, int64_t id, int64_t attempts, int64_t ticket, const char *error, int64_t now)
{
	static const char sql[] =
		"UPDATE message SET state = 'parked', ticket = $2, error = $3, processed_at = $4"
		" WHERE id = $1 AND state = 'processing' AND attempts = $5";
	return claim_held(expect_one(s, sql, PARAMS(I(id), I(ticket), T(error), I(now), I(attempts))));
}

int store_inbound_release(struct store *s, int64_t id, int64_t attempts, const char *error, int64_t retry_at)
{
	static const char sql[] = "UPDATE message SET state = 'queued', error = $2, lease_until = $3"
				  " WHERE id = $1 AND state = 'processing' AND attempts = $4";
	return claim_held(expect_one(s, sql, PARAMS(I(id), T(error), I(retry_at), I(attempts))));
}

int store_inbound_count(struct store *s, enum message_state state, int64_t *ret)
{
	static const char sql[] = "SELECT count(*) FROM message WHERE direction = 'in' AND state = $1";
	struct db_res *res = NULL;
	int r = QR(s, sql, &res, T(message_state_name(state)));
	if (r < 0)
		return r;
	*ret = db_res_int(res, 0, 0);
	db_res_free(res);
	return 0;
}

/* ---- tickets ---- */

#define TICKET_COLS \
	"t.number, t.kind, t.status, t.subject, t.reporter, t.classification, t.org, coalesce(t.merged_into, 0)," \
	" t.ack, t.ack_note, t.needs_analyst, t.created_at, t.updated_at"

static void ticket_from_row(struct db_res *res, size_t row, struct ticket *t)
{
	memset(t, 0, sizeof(*t));
	t->number = db_res_int(res, row, 0);
	ticket_kind_from_name(db_res_text(res, row, 1), &t->kind);
	ticket_status_from_name(db_res_text(res, row, 2), &t->status);
	t->subject = db_res_take(res, row, 3, NULL);
	t->reporter = db_res_take(res, row, 4, NULL);
	t->classification = db_res_take(res, row, 5, NULL);
	t->org = db_res_take(res, row, 6, NULL);
	t->merged_into = db_res_int(res, row, 7);
	t->ack = db_res_take(res, row, 8, NULL);
	t->ack_note = db_res_take(res, row, 9, NULL);
	t->needs_analyst = db_res_int(res, row, 10) != 0;
	t->created_at = db_res_int(res, row, 11);
	t->updated_at = db_res_int(res, row, 12);
	if (res->cols > 13)
		t->n_messages = db_res_int(res, row, 13);
}

static bool ticket_fill(struct db_res *res, size_t row, void *elem)
{
	ticket_from_row(res, row, elem);
	return true;
}

int store_ticket_create(struct store *s, const struct ticket *t, int64_t *ret_number)
{
	int64_t number;
	int r = s->ops->next_seq(s->conn, "ticket", &number);
	if (r < 0)
		return r;
	static const char sql[] =
		"INSERT INTO ticket (number, kind, status, subject, reporter, classification, org, ack, ack_note,"
		" needs_analyst, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)";
	r = Q(s, sql, I(number), T(ticket_kind_name(t->kind)), T(ticket_status_name(t->status)),
	      T(t->subject ? t->subject : ""), T(t->reporter ? t->reporter : ""),
	      T(t->classification ? t->classification : ""), T(t->org ? t->org : ""), T(t->ack ? t->ack : ""),
	      T(t->ack_note ? t->ack_note : ""), I(t->needs_analyst), I(t->created_at));
	if (r < 0)
		return r;
	*ret_number = number;
	return 0;
}

int store_ticket_get(struct store *s, int64_t number, struct ticket *ret)
{
	static const char sql[] =
		"SELECT " TICKET_COLS ", (SELECT count(*) FROM message m WHERE m.ticket = t.number)"
		" FROM ticket t WHERE t.number = $1";
	struct db_res *res = NULL;
	int r = QR(s, sql, &res, I(number));
	if (r < 0)
		return r;
	if (res->rows == 0) {
		db_res_free(res);
		return -ENOENT;
	}
	ticket_from_row(res, 0, ret);
	db_res_free(res);
	return 0;
}

int store_ticket_follow(struct store *s, int64_t number, int64_t *ret_final)
{
	static const char sql[] = "SELECT coalesce(merged_into, 0) FROM ticket WHERE number = $1";
	for (int depth = 0; depth < STORE_MERGE_DEPTH_MAX; depth++) {
		struct db_res *res = NULL;
		int r = QR(s, sql, &res, I(number));
		if (r < 0)
			return r;
		if (res->rows == 0) {
			db_res_free(res);
			return -ENOENT;
		}
		int64_t next = db_res_int(res, 0, 0);
		db_res_free(res);
		if (next == 0) {
			*ret_final = number;
			return 0;
		}
		number = next;
	}
	return -ELOOP;
}

int store_ticket_by_sent_message_id(struct store *s, const char *message_id, int64_t *ret_ticket)
{
	static const char sql[] =
		"SELECT ticket FROM message WHERE message_id = $1 AND direction = 'out' AND ticket IS NOT NULL LIMIT 1";
	struct db_res *res = NULL;
	int r = QR(s, sql, &res, T(message_id));
	if (r < 0)
		return r;
	if (res->rows == 0) {
		db_res_free(res);
		return -ENOENT;
	}
	*ret_ticket = db_res_int(res, 0, 0);
	db_res_free(res);
	return 0;
}

int store_ticket_list(struct store *s, const struct ticket_filter *f, struct ticket **ret, size_t *ret_n)
{
	static const char sql[] =
		"SELECT " TICKET_COLS ", (SELECT count(*) FROM message m WHERE m.ticket = t.number)"
		" FROM ticket t"
		" WHERE ($1 = '' OR t.status = $1 OR ($1 = 'active' AND t.status IN ('new', 'open')))"
		" AND ($2 = '' OR t.kind = $2)"
		" AND ($3 = 1 OR t.merged_into IS NULL)"
		" AND ($4 = 0 OR t.number < $4)"
		" ORDER BY t.number DESC LIMIT $5";
	size_t limit = f->limit && f->limit < STORE_LIST_MAX ? f->limit : STORE_LIST_MAX;
	struct db_res *res = NULL;
	int r = QR(s, sql, &res, T(f->status ? f->status : ""), T(f->kind ? f->kind : ""), I(f->include_merged),
		   I(f->before), I(limit));
	if (r < 0)
		return r;
	*ret = rows_to_array(res, sizeof(**ret), ticket_fill, ret_n);
	db_res_free(res);
	return 0;
}

int store_ticket_set_status(struct store *s, int64_t number, enum ticket_status status, int64_t now)
{
	static const char sql[] = "UPDATE ticket SET status = $2, updated_at = $3 WHERE number = $1";
	return expect_one(s, sql, PARAMS(I(number), T(ticket_status_name(status)), I(now)));
}

int store_ticket_set_ack(struct store *s, int64_t number, const char *ack, const char *note)
{
	static const char sql[] = "UPDATE ticket SET ack = $2, ack_note = $3 WHERE number = $1";
	return expect_one(s, sql, PARAMS(I(number), T(ack), T(note ? note : "")));
}

int store_ticket_set_needs_analyst(struct store *s, int64_t number, bool needs)
{
	static const char sql[] = "UPDATE ticket SET needs_analyst = $2 WHERE number = $1";
	return expect_one(s, sql, PARAMS(I(number), I(needs)));
}

int store_ticket_touch(struct store *s, int64_t number, int64_t now)
{
	static const char sql[] = "UPDATE ticket SET updated_at = $2 WHERE number = $1";
	return expect_one(s, sql, PARAMS(I(number), I(now)));
}

int store_ticket_merge(struct store *s, int64_t from, int64_t into, int64_t now)
{
	static const char msgs[] = "UPDATE message SET ticket = $2 WHERE ticket = $1";
	static const char outbox[] = "UPDATE outbox SET ticket = $2 WHERE ticket = $1";
	static const char mark[] = "UPDATE ticket SET merged_into = $2, updated_at = $3 WHERE number = $1";
	int r = Q(s, msgs, I(from), I(into));
	if (r >= 0)
		r = Q(s, outbox, I(from), I(into));
	if (r >= 0)
		r = expect_one(s, mark, PARAMS(I(from), I(into), I(now)));
	if (r >= 0)
		r = store_ticket_touch(s, into, now);
	return r;
}

/* ---- messages ---- */

int store_ticket_messages(struct store *s, int64_t ticket, struct message **ret, size_t *ret_n)
{
	static const char sql[] = "SELECT " MESSAGE_COLS " FROM message WHERE ticket = $1 ORDER BY received_at, id";
	struct db_res *res = NULL;
	int r = QR(s, sql, &res, I(ticket));
	if (r < 0)
		return r;
	*ret = rows_to_array(res, sizeof(**ret), message_fill, ret_n);
	db_res_free(res);
	return 0;
}

int store_message_get(struct store *s, int64_t id, bool with_raw, struct message *ret)
{
	static const char sql[] = "SELECT " MESSAGE_COLS " FROM message WHERE id = $1";
	struct db_res *res = NULL;
	int r = QR(s, sql, &res, I(id));
	if (r < 0)
		return r;
	if (res->rows == 0) {
		db_res_free(res);
		return -ENOENT;
	}
	struct message m;
	message_from_row(res, 0, &m);
	db_res_free(res);
	if (with_raw && (r = message_raw(s, id, &m)) < 0) {
		message_clear(&m);
		return r;
	}
	*ret = m;
	return 0;
}

int store_outbound_add(struct store *s, int64_t ticket, enum outbox_purpose purpose, const char *env_from,
		       const char *rcpt, enum outbox_state state, const void *raw, size_t len,
		       const struct message_fields *f, int64_t now, int64_t *ret_outbox_id)
{
	static const char msg[] =
		"INSERT INTO message (direction, state, raw, size, env_from, env_to, received_at, ticket, message_id,"
		" subject, from_addr, to_addr, body_text, processed_at)"
		" VALUES ('out', 'outbound', $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $5) RETURNING id";
	static const char box[] =
		"INSERT INTO outbox (message, ticket, purpose, env_from, rcpt, state, next_try, created_at)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id";
	struct db_res *res = NULL;
	int r = QR(s, msg, &res, DB_BLOB_V(raw, len), I(len), T(env_from), T(rcpt), I(now), I(ticket),
		   T(f->message_id ? f->message_id : ""), T(f->subject ? f->subject : ""),
		   T(f->from_addr ? f->from_addr : ""), T(f->to_addr ? f->to_addr : rcpt),
		   T(f->body_text ? f->body_text : ""));
	if (r < 0)
		return r;
	int64_t message_id = db_res_int(res, 0, 0);
	db_res_free(res);
	res = NULL;
	r = QR(s, box, &res, I(message_id), I(ticket), T(outbox_purpose_name(purpose)), T(env_from), T(rcpt),
	       T(outbox_state_name(state)), I(now));
	if (r < 0)
		return r;
	if (ret_outbox_id)
		*ret_outbox_id = db_res_int(res, 0, 0);
	db_res_free(res);
	return 0;
}

/* ---- outbox ---- */

#define OUTBOX_COLS \
	"o.id, o.message, coalesce(o.ticket, 0), o.purpose, o.state, o.env_from, o.rcpt, o.attempts, o.next_try," \
	" o.created_at, coalesce(o.sent_at, 0), o.last_error, m.subject, m.message_id"

static void outbox_from_row(struct db_res *res, size_t row, struct outbox_item *o)
{
	memset(o, 0, sizeof(*o));
	o->id = db_res_int(res, row, 0);
	o->message = db_res_int(res, row, 1);
	o->ticket = db_res_int(res, row, 2);
	outbox_purpose_from_name(db_res_text(res, row, 3), &o->purpose);
	outbox_state_from_name(db_res_text(res, row, 4), &o->state);
	o->env_from = db_res_take(res, row, 5, NULL);
	o->rcpt = db_res_take(res, row, 6, NULL);
	o->attempts = db_res_int(res, row, 7);
	o->next_try = db_res_int(res, row, 8);
	o->created_at = db_res_int(res, row, 9);
	o->sent_at = db_res_int(res, row, 10);
	o->last_error = db_res_take(res, row, 11, NULL);
	o->subject = db_res_take(res, row, 12, NULL);
	o->message_id = db_res_take(res, row, 13, NULL);
}

static bool outbox_fill(struct db_res *res, size_t row, void *elem)
{
	outbox_from_row(res, row, elem);
	return true;
}

int store_outbox_claim(struct store *s, int64_t now, int64_t lease_seconds, struct outbox_item *ret)
{
	static const char pick[] =
		"SELECT id FROM outbox WHERE state = 'queued' AND next_try <= $1 ORDER BY next_try, id LIMIT $2";
	static const char claim[] = "UPDATE outbox SET attempts = attempts + 1, next_try = $2 WHERE id = $1";
	static const char get[] = "SELECT " OUTBOX_COLS ", m.raw FROM outbox o JOIN message m ON m.id = o.message WHERE o.id = $1";
	struct db_res *res = NULL;
	int r = store_begin(s);
	if (r < 0)
		return r;
	r = query_claim(s, pick, now, 1, &res);
	if (r < 0)
		return finish_tx(s, r);
	if (res->rows == 0) {
		db_res_free(res);
		return finish_tx(s, -ENOENT);
	}
	int64_t id = db_res_int(res, 0, 0);
	db_res_free(res);
	res = NULL;
	r = Q(s, claim, I(id), I(now + lease_seconds));
	if (r >= 0)
		r = QR(s, get, &res, I(id));
	r = finish_tx(s, r);
	if (r < 0) {
		db_res_free(res);
		return r;
	}
	outbox_from_row(res, 0, ret);
	ret->raw = db_res_take(res, 0, 14, &ret->raw_len);
	db_res_free(res);
	return 0;
}

int store_outbox_mark_sent(struct store *s, int64_t id, int64_t now)
{
	static const char sql[] = "UPDATE outbox SET state = 'sent', sent_at = $2, last_error = '' WHERE id = $1";
	return expect_one(s, sql, PARAMS(I(id), I(now)));
}

int store_outbox_mark_retry(struct store *s, int64_t id, int64_t next_try, const char *error)
{
	static const char sql[] = "UPDATE outbox SET next_try = $2, last_error = $3 WHERE id = $1";
	return expect_one(s, sql, PARAMS(I(id), I(next_try), T(error)));
}

int store_outbox_mark_failed(struct store *s, int64_t id, const char *error)
{
	static const char sql[] = "UPDATE outbox SET state = 'failed', last_error = $2 WHERE id = $1";
	return expect_one(s, sql, PARAMS(I(id), T(error)));
}

int store_outbox_list(struct store *s, const struct outbox_filter *f, struct outbox_item **ret, size_t *ret_n)
{
	static const char sql[] =
		"SELECT " OUTBOX_COLS " FROM outbox o JOIN message m ON m.id = o.message"
		" WHERE ($1 = '' OR o.state = $1) AND ($2 = 0 OR o.ticket = $2)"
		" ORDER BY o.id DESC LIMIT $3";
	size_t limit = f->limit && f->limit < STORE_LIST_MAX ? f->limit : STORE_LIST_MAX;
	struct db_res *res = NULL;
	int r = QR(s, sql, &res, T(f->state ? f->state : ""), I(f->ticket), I(limit));
	if (r < 0)
		return r;
	*ret = rows_to_array(res, sizeof(**ret), outbox_fill, ret_n);
	db_res_free(res);
	return 0;
}

int store_outbox_count_to(struct store *s, const char *rcpt, enum outbox_purpose purpose, int64_t since, int64_t *ret)
{
	static const char sql[] =
		"SELECT count(*) FROM outbox WHERE rcpt = $1 AND purpose = $2 AND created_at >= $3";
	struct db_res *res = NULL;
	int r = QR(s, sql, &res, T(rcpt), T(outbox_purpose_name(purpose)), I(since));
	if (r < 0)
		return r;
	*ret = db_res_int(res, 0, 0);
	db_res_free(res);
	return 0;
}

int store_audit_add(struct store *s, int64_t ticket, const char *actor, const char *action, const char *detail,
		    int64_t now)
{
	static const char sql[] = "INSERT INTO audit (at, actor, ticket, action, detail) VALUES ($1, $2, $3, $4, $5)";
	return Q(s, sql, I(now), T(actor), ticket ? I(ticket) : DB_NULL_V, T(action), T(detail ? detail : ""));
}

int store_evidence_add(struct store *s, int64_t ticket, int64_t message, const char *abuse_type, int64_t events,
		       const char *report_json, const struct store_check *checks, size_t n_checks, int64_t now,
		       int64_t *ret_id)
{
	static const char ev[] = "INSERT INTO evidence (ticket, message, at, abuse_type, events, report)"
				 " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
	struct db_res *res = NULL;
	int r = QR(s, ev, &res, I(ticket), I(message), I(now), T(abuse_type), I(events), T(report_json));
	if (r < 0)
		return r;
	int64_t id = db_res_int(res, 0, 0);
	db_res_free(res);
	/* All the rows in one statement (in chunks of CHECK_ROWS_MAX): this
	 * runs inside the write lock for every ticket, and a statement per
	 * row was a fair share of the time serve holds that lock (bench/lmtp). */
	for (size_t done = 0; done < n_checks && r >= 0;) {
		size_t n = n_checks - done < CHECK_ROWS_MAX ? n_checks - done : CHECK_ROWS_MAX;
		struct db_val p[1 + 3 * CHECK_ROWS_MAX];
		p[0] = I(id);
		for (size_t i = 0; i < n; i++) {
			p[1 + 3 * i] = T(checks[done + i].item);
			p[2 + 3 * i] = T(checks[done + i].state);
			p[3 + 3 * i] = T(checks[done + i].reason);
		}
		r = s->ops->query(s->conn, check_insert_sql(n), p, 1 + 3 * n, NULL);
		done += n;
	}
	if (r < 0)
		return r;
	if (ret_id)
		*ret_id = id;
	return 0;
}

int store_evidence_latest(struct store *s, int64_t ticket, char **ret_report_json)
{
	static const char sql[] = "SELECT report FROM evidence WHERE ticket = $1 ORDER BY id DESC LIMIT 1";
	struct db_res *res = NULL;
	int r = QR(s, sql, &res, I(ticket));
	if (r < 0)
		return r;
	if (res->rows == 0) {
		db_res_free(res);
		return -ENOENT;
	}
	*ret_report_json = xstrdup(db_res_text(res, 0, 0));
	db_res_free(res);
	return 0;
}

/* ---- routing data ---- */

#define CONTACT_COLS "id, first_ip, last_ip, mailbox, netname, origin, is_override"

static bool contact_fill(struct db_res *res, size_t row, void *elem);

static int bump_routing_version(struct store *s)
{
	static const char sql[] = "UPDATE data_version SET version = version + 1 WHERE name = $1";
	return Q(s, sql, T("routing"));
}

int store_routing_version(struct store *s, int64_t *ret)
{
	static const char sql[] = "SELECT version FROM data_version WHERE name = $1";
	struct db_res *res = NULL;
	int r = QR(s, sql, &res, T("routing"));
	if (r < 0)
		return r;
	*ret = db_res_int(res, 0, 0);
	db_res_free(res);
	return 0;
}

int store_org_replace_all(struct store *s, const struct org *orgs, size_t n)
{
	static const char del_ranges[] = "DELETE FROM org_range";
	static const char del_orgs[] = "DELETE FROM org";
	static const char ins_org[] =
		"INSERT INTO org (id, name, security, support, domains, asns, notify_auto)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7)";
	static const char ins_range[] = "INSERT INTO org_range (org, first_ip, last_ip) VALUES ($1, $2, $3)";
	int r = s->ops->query(s->conn, del_ranges, NULL, 0, NULL);
	if (r >= 0)
		r = s->ops->query(s->conn, del_orgs, NULL, 0, NULL);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		const struct org *o = &orgs[i];
		r = Q(s, ins_org, T(o->id), T(o->name), T(o->security), T(o->support ? o->support : ""),
		      T(o->domains ? o->domains : ""), T(o->asns ? o->asns : ""), T(o->notify_auto ? o->notify_auto : ""));
		for (size_t k = 0; r >= 0 && k < o->n_ranges; k++) {
			char f[IP_TEXT_MAX], l[IP_TEXT_MAX];
			ip_format(&o->ranges[k].first, f);
			ip_format(&o->ranges[k].last, l);
			r = Q(s, ins_range, T(o->id), T(f), T(l));
		}
	}
	if (r >= 0)
		r = bump_routing_version(s);
	return r;
}

int store_org_list(struct store *s, struct org **ret, size_t *ret_n)
{
	static const char orgs_sql[] =
		"SELECT id, name, security, support, domains, asns, notify_auto FROM org ORDER BY id";
	static const char ranges_sql[] = "SELECT org, first_ip, last_ip FROM org_range ORDER BY org, id";
	struct db_res *res = NULL, *rr = NULL;
	int r = s->ops->query(s->conn, orgs_sql, NULL, 0, &res);
	if (r < 0)
		return r;
	r = s->ops->query(s->conn, ranges_sql, NULL, 0, &rr);
	if (r < 0) {
		db_res_free(res);
		return r;
	}
	struct org *a = xcalloc(res->rows ? res->rows : 1, sizeof(*a));
	size_t k = 0;
	for (size_t i = 0; i < res->rows; i++) {
		struct org *o = &a[i];
		o->id = db_res_take(res, i, 0, NULL);
		o->name = db_res_take(res, i, 1, NULL);
		o->security = db_res_take(res, i, 2, NULL);
		o->support = db_res_take(res, i, 3, NULL);
		o->domains = db_res_take(res, i, 4, NULL);
		o->asns = db_res_take(res, i, 5, NULL);
		o->notify_auto = db_res_take(res, i, 6, NULL);
		/* Both listings are ordered by org id: walk them side by side. */
		size_t cap = 0;
		while (k < rr->rows && strcmp(db_res_text(rr, k, 0), o->id) < 0)
			k++;
		for (; k < rr->rows && !strcmp(db_res_text(rr, k, 0), o->id); k++) {
			struct org_range g = { 0 };
			if (!ip_parse_cstr(db_res_text(rr, k, 1), &g.first) || !ip_parse_cstr(db_res_text(rr, k, 2), &g.last))
				continue;
			o->ranges = xgrow(o->ranges, &cap, o->n_ranges + 1, sizeof(*o->ranges));
			o->ranges[o->n_ranges++] = g;
		}
	}
	*ret = a;
	*ret_n = res->rows;
	db_res_free(res);
	db_res_free(rr);
	return 0;
}

int store_contact_clear(struct store *s, bool is_override)
{
	static const char sql[] = "DELETE FROM net_contact WHERE is_override = $1";
	int r = Q(s, sql, I(is_override));
	if (r >= 0)
		r = bump_routing_version(s);
	return r;
}

int store_contact_add(struct store *s, const struct net_contact *c)
{
	static const char sql[] =
		"INSERT INTO net_contact (first_ip, last_ip, mailbox, netname, origin, is_override, abuse_c, org_ref,"
		" irt_ref) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
	char f[IP_TEXT_MAX], l[IP_TEXT_MAX];
	ip_format(&c->first, f);
	ip_format(&c->last, l);
	return Q(s, sql, T(f), T(l), T(c->mailbox ? c->mailbox : ""), T(c->netname ? c->netname : ""),
		 T(c->origin ? c->origin : ""), I(c->is_override), T(c->abuse_c ? c->abuse_c : ""),
		 T(c->org_ref ? c->org_ref : ""), T(c->irt_ref ? c->irt_ref : ""));
}

int store_contact_handle_add(struct store *s, const char *kind, const char *handle, const char *value)
{
	static const char sql[] =
		"INSERT INTO rpsl_handle (kind, handle, value) VALUES ($1, $2, $3) ON CONFLICT (kind, handle) DO NOTHING";
	return Q(s, sql, T(kind), T(handle), T(value));
}

int store_contact_resolve(struct store *s, int64_t *ret_dropped)
{
	static const char resolve[] =
		"UPDATE net_contact SET mailbox = coalesce("
		"  (SELECT h.value FROM rpsl_handle h WHERE h.kind = 'role' AND h.handle = net_contact.abuse_c),"
		"  (SELECT r.value FROM rpsl_handle o JOIN rpsl_handle r ON r.kind = 'role' AND r.handle = o.value"
		"    WHERE o.kind = 'org-abuse-c' AND o.handle = net_contact.org_ref),"
		"  (SELECT h.value FROM rpsl_handle h WHERE h.kind = 'org' AND h.handle = net_contact.org_ref),"
		"  (SELECT h.value FROM rpsl_handle h WHERE h.kind = 'irt' AND h.handle = net_contact.irt_ref),"
		"  '')"
		" WHERE is_override = $1 AND mailbox = ''";
	static const char drop[] = "DELETE FROM net_contact WHERE is_override = $1 AND mailbox = ''";
	static const char forget[] = "DELETE FROM rpsl_handle";
	int r = Q(s, resolve, I(0));
	if (r < 0)
		return r;
	struct db_res *res = NULL;
	r = QR(s, drop, &res, I(0));
	if (r < 0)
		return r;
	*ret_dropped = res->changes;
	db_res_free(res);
	return s->ops->query(s->conn, forget, NULL, 0, NULL);
}

int store_contact_page(struct store *s, int64_t after, size_t limit, struct net_contact **ret, size_t *ret_n,
		       int64_t *ret_after)
{
	static const char sql[] = "SELECT " CONTACT_COLS " FROM net_contact WHERE id > $1 ORDER BY id LIMIT $2";
	struct db_res *res = NULL;
	int r = QR(s, sql, &res, I(after), I(limit));
	if (r < 0)
		return r;
	*ret = rows_to_array(res, sizeof(**ret), contact_fill, ret_n);
	/* The next page starts after the last row read, even one skipped. */
	*ret_after = res->rows ? db_res_int(res, res->rows - 1, 0) : after;
	db_res_free(res);
	return 0;
}

static bool contact_fill(struct db_res *res, size_t i, void *elem)
{
	struct net_contact *c = elem;
	memset(c, 0, sizeof(*c));
	c->id = db_res_int(res, i, 0);
	if (!ip_parse_cstr(db_res_text(res, i, 1), &c->first) || !ip_parse_cstr(db_res_text(res, i, 2), &c->last))
		return false;
	c->mailbox = db_res_take(res, i, 3, NULL);
	c->netname = db_res_take(res, i, 4, NULL);
	c->origin = db_res_take(res, i, 5, NULL);
	c->is_override = db_res_int(res, i, 6) != 0;
	return true;
}

int store_net_policy_clear(struct store *s)
{
	int r = s->ops->query(s->conn, "DELETE FROM net_policy", NULL, 0, NULL);
	if (r >= 0)
		r = bump_routing_version(s);
	return r;
}

int store_net_policy_add(struct store *s, const struct net_policy *p)
{
	static const char sql[] =
		"INSERT INTO net_policy (first_ip, last_ip, mailbox, xarf, has_auto, notify_auto, origin)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7)";
	char f[IP_TEXT_MAX] = "", l[IP_TEXT_MAX] = "";
	if (p->first.family) {
		ip_format(&p->first, f);
		ip_format(&p->last, l);
	}
	return Q(s, sql, T(f), T(l), T(p->mailbox ? p->mailbox : ""), I(p->xarf), I(p->has_auto),
		 T(p->notify_auto ? p->notify_auto : ""), T(p->origin ? p->origin : ""));
}

static bool net_policy_fill(struct db_res *res, size_t i, void *elem)
{
	struct net_policy *p = elem;
	memset(p, 0, sizeof(*p));
	const char *f = db_res_text(res, i, 1), *l = db_res_text(res, i, 2);
	if (*f && (!ip_parse_cstr(f, &p->first) || !ip_parse_cstr(l, &p->last)))
		return false;
	p->id = db_res_int(res, i, 0);
	p->mailbox = db_res_take(res, i, 3, NULL);
	p->xarf = (int)db_res_int(res, i, 4);
	p->has_auto = db_res_int(res, i, 5) != 0;
	p->notify_auto = db_res_take(res, i, 6, NULL);
	p->origin = db_res_take(res, i, 7, NULL);
	return true;
}

int store_net_policy_list(struct store *s, struct net_policy **ret, size_t *ret_n)
{
	static const char sql[] =
		"SELECT id, first_ip, last_ip, mailbox, xarf, has_auto, notify_auto, origin FROM net_policy ORDER BY id";
	struct db_res *res = NULL;
	int r = s->ops->query(s->conn, sql, NULL, 0, &res);
	if (r < 0)
		return r;
	*ret = rows_to_array(res, sizeof(**ret), net_policy_fill, ret_n);
	db_res_free(res);
	return 0;
}

int store_contact_get(struct store *s, int64_t id, struct net_contact *ret)
{
	static const char sql[] = "SELECT " CONTACT_COLS " FROM net_contact WHERE id = $1";
	struct db_res *res = NULL;
	int r = QR(s, sql, &res, I(id));
	if (r < 0)
		return r;
	r = res->rows && contact_fill(res, 0, ret) ? 0 : -ENOENT;
	db_res_free(res);
	return r;
}

/* Only the range of a net_contact row (the routing index's load). */
static bool contact_range_fill(struct db_res *res, size_t i, void *elem)
{
	struct net_contact *c = elem;
	memset(c, 0, sizeof(*c));
	c->id = db_res_int(res, i, 0);
	c->is_override = db_res_int(res, i, 3) != 0;
	return ip_parse_cstr(db_res_text(res, i, 1), &c->first) && ip_parse_cstr(db_res_text(res, i, 2), &c->last);
}

int store_contact_range_page(struct store *s, int64_t after, size_t limit, struct net_contact **ret, size_t *ret_n,
			     int64_t *ret_after)
{
	static const char sql[] =
		"SELECT id, first_ip, last_ip, is_override FROM net_contact WHERE id > $1 ORDER BY id LIMIT $2";
	struct db_res *res = NULL;
	int r = QR(s, sql, &res, I(after), I(limit));
	if (r < 0)
		return r;
	*ret = rows_to_array(res, sizeof(**ret), contact_range_fill, ret_n);
	*ret_after = res->rows ? db_res_int(res, res->rows - 1, 0) : after;
	db_res_free(res);
	return 0;
}

int store_contact_count(struct store *s, bool is_override, int64_t *ret)
{
	static const char sql[] = "SELECT count(*) FROM net_contact WHERE is_override = $1";
	struct db_res *res = NULL;
	int r = QR(s, sql, &res, I(is_override));
	if (r < 0)
		return r;
	*ret = db_res_int(res, 0, 0);
	db_res_free(res);
	return 0;
}

/* ---- incidents ---- */

int store_incident_find(struct store *s, const char *key, const char *kind, int64_t *ret_number)
{
	static const char sql[] =
		"SELECT number FROM ticket WHERE kind = 'incident' AND org = $1 AND classification = $2"
		" AND status IN ('new', 'open') AND merged_into IS NULL ORDER BY number DESC LIMIT 1";
	struct db_res *res = NULL;
	int r = QR(s, sql, &res, T(key), T(kind));
	if (r < 0)
		return r;
	r = res->rows ? 0 : -ENOENT;
	if (r == 0)
		*ret_number = db_res_int(res, 0, 0);
	db_res_free(res);
	return r;
}

int store_incident_link(struct store *s, int64_t incident, int64_t report, const char *source, int64_t events,
			int64_t now)
{
	static const char sql[] =
		"INSERT INTO incident_link (incident, report, source, events, created_at) VALUES ($1, $2, $3, $4, $5)"
		" ON CONFLICT (incident, report, source) DO NOTHING";
	return Q(s, sql, I(incident), I(report), T(source), I(events), I(now));
}

int store_incident_notified_since(struct store *s, int64_t incident, const char *source, int64_t since,
				  bool *ret_notified)
{
	static const char sql[] =
		"SELECT count(*) FROM incident_link WHERE incident = $1 AND source = $2 AND notified_at > 0"
		" AND notified_at >= $3";
	struct db_res *res = NULL;
	int r = QR(s, sql, &res, I(incident), T(source), I(since));
	if (r < 0)
		return r;
	*ret_notified = db_res_int(res, 0, 0) > 0;
	db_res_free(res);
	return 0;
}

int store_incident_mark_notified(struct store *s, int64_t incident, int64_t report, const char *source, int64_t now)
{
	static const char sql[] =
		"UPDATE incident_link SET notified_at = $4 WHERE incident = $1 AND report = $2 AND source = $3";
	return expect_one(s, sql, PARAMS(I(incident), I(report), T(source), I(now)));
}

int store_incident_counts(struct store *s, int64_t incident, int64_t *ret_reports, int64_t *ret_events)
{
	/* CAST: PostgreSQL's sum() of bigint is numeric. */
	static const char sql[] = "SELECT count(DISTINCT report), CAST(coalesce(sum(events), 0) AS BIGINT)"
				  " FROM incident_link WHERE incident = $1";
	struct db_res *res = NULL;
	int r = QR(s, sql, &res, I(incident));
	if (r < 0)
		return r;
	*ret_reports = db_res_int(res, 0, 0);
	*ret_events = db_res_int(res, 0, 1);
	db_res_free(res);
	return 0;
}

static bool incident_link_fill(struct db_res *res, size_t i, void *elem)
{
	struct incident_link *l = elem;
	l->incident = db_res_int(res, i, 0);
	l->report = db_res_int(res, i, 1);
	l->source = db_res_take(res, i, 2, NULL);
	l->events = db_res_int(res, i, 3);
	l->notified_at = db_res_int(res, i, 4);
	l->created_at = db_res_int(res, i, 5);
	return true;
}

int store_incident_links(struct store *s, int64_t incident, int64_t report, struct incident_link **ret,
			 size_t *ret_n)
{
	static const char sql[] =
		"SELECT incident, report, source, events, notified_at, created_at FROM incident_link"
		" WHERE ($1 = 0 OR incident = $1) AND ($2 = 0 OR report = $2)"
		" ORDER BY incident, report, source LIMIT $3";
	struct db_res *res = NULL;
	int r = QR(s, sql, &res, I(incident), I(report), I(STORE_LIST_MAX));
	if (r < 0)
		return r;
	*ret = rows_to_array(res, sizeof(**ret), incident_link_fill, ret_n);
	db_res_free(res);
	return 0;
}

static int outbox_ticket(struct store *s, int64_t id, int64_t *ret_ticket)
{
	static const char sql[] = "SELECT coalesce(ticket, 0) FROM outbox WHERE id = $1";
	struct db_res *res = NULL;
	int r = QR(s, sql, &res, I(id));
	if (r < 0)
		return r;
	if (ret_ticket)
		*ret_ticket = res->rows ? db_res_int(res, 0, 0) : 0;
	db_res_free(res);
	return 0;
}

int store_outbox_approve(struct store *s, int64_t id, int64_t now, int64_t *ret_ticket)
{
	/* Queued from now on: retries expire counting from the approval, not
	 * from the days the notification may have waited for it. */
	static const char sql[] =
		"UPDATE outbox SET state = 'queued', next_try = $2, created_at = $2 WHERE id = $1 AND state = 'held'";
	int r = expect_one(s, sql, PARAMS(I(id), I(now)));
	return r < 0 ? r : outbox_ticket(s, id, ret_ticket);
}

int store_outbox_discard(struct store *s, int64_t id, int64_t *ret_ticket)
{
	static const char sql[] =
		"UPDATE outbox SET state = 'discarded' WHERE id = $1 AND state IN ('held', 'queued')";
	int r = expect_one(s, sql, PARAMS(I(id)));
	return r < 0 ? r : outbox_ticket(s, id, ret_ticket);
}

/* ---- the web desk ---- */

/* A LIKE pattern matching `text` anywhere, lower-cased, with the pattern
 * characters escaped (ESCAPE '\'), so an analyst's "50%" means 50%. */
static char *like_pattern(const char *text)
{
	size_t n = strlen(text);
	if (n > STORE_QUERY_TEXT_MAX)
		n = STORE_QUERY_TEXT_MAX;
	char *p = xmalloc(2 * n + 3), *o = p;
	*o++ = '%';
	for (size_t i = 0; i < n; i++) {
		char c = text[i];
		if (c == '%' || c == '_' || c == '\\')
			*o++ = '\\';
		*o++ = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
	}
	*o++ = '%';
	*o = '\0';
	return p;
}

int store_ticket_query(struct store *s, const struct ticket_query *q, struct ticket **ret, size_t *ret_n)
{
	/* Keyset paging: ORDER BY number DESC with "number < before" walks the
	 * primary key from where the last page ended, so page 1000 costs what
	 * page 1 costs. The bound is always there (INT64_MAX for the first
	 * page): an "$6 = 0 OR" would hide the range from the planner. The
	 * other filters are optional and tested row by row on that walk. */
	static const char sql[] =
		"SELECT " TICKET_COLS ", (SELECT count(*) FROM message m WHERE m.ticket = t.number)"
		" FROM ticket t"
		" WHERE t.merged_into IS NULL"
		" AND ($1 = '' OR t.status = $1 OR ($1 = 'active' AND t.status IN ('new', 'open')))"
		" AND ($2 = '' OR t.kind = $2)"
		" AND ($3 = '' OR t.org = $3)"
		" AND ($4 = '' OR t.classification = $4)"
		" AND ($5 = '' OR lower(t.subject) LIKE $5 ESCAPE '\\' OR lower(t.reporter) LIKE $5 ESCAPE '\\')"
		" AND t.number < $6"
		" ORDER BY t.number DESC LIMIT $7";
	size_t limit = q->limit && q->limit < STORE_LIST_MAX ? q->limit : STORE_LIST_MAX;
	char *pat = q->text && *q->text ? like_pattern(q->text) : xstrdup("");
	struct db_res *res = NULL;
#define OR_EMPTY(x) T((x) ? (x) : "")
	int r = QR(s, sql, &res, OR_EMPTY(q->status), OR_EMPTY(q->kind), OR_EMPTY(q->org), OR_EMPTY(q->classification),
		   T(pat), I(q->before > 0 ? q->before : INT64_MAX), I(limit));
#undef OR_EMPTY
	free(pat);
	if (r < 0)
		return r;
	*ret = rows_to_array(res, sizeof(**ret), ticket_fill, ret_n);
	db_res_free(res);
	return 0;
}

/* Runs "SELECT name, count(*) ... GROUP BY name" and files each count
 * under the enum value its name has in `names` (n entries); names not in
 * the table are ignored, missing ones count 0. */
static int counts_by_name(struct store *s, const char *sql, const char *(*name_of)(unsigned), int64_t *ret, unsigned n)
{
	struct db_res *res = NULL;
	int r = s->ops->query(s->conn, sql, NULL, 0, &res);
	if (r < 0)
		return r;
	for (unsigned i = 0; i < n; i++)
		ret[i] = 0;
	for (size_t row = 0; row < res->rows; row++)
		for (unsigned i = 0; i < n; i++)
			if (!strcmp(db_res_text(res, row, 0), name_of(i)))
				ret[i] = db_res_int(res, row, 1);
	db_res_free(res);
	return 0;
}

static const char *ticket_status_at(unsigned i)
{
	return ticket_status_name((enum ticket_status)i);
}

static const char *outbox_state_at(unsigned i)
{
	return outbox_state_name((enum outbox_state)i);
}

int store_ticket_counts(struct store *s, int64_t ret[TICKET_STATUS_COUNT])
{
	static const char sql[] = "SELECT status, count(*) FROM ticket WHERE merged_into IS NULL GROUP BY status";
	return counts_by_name(s, sql, ticket_status_at, ret, TICKET_STATUS_COUNT);
}

int store_ticket_set_classification(struct store *s, int64_t number, const char *classification, int64_t now)
{
	static const char sql[] = "UPDATE ticket SET classification = $2, updated_at = $3 WHERE number = $1";
	return expect_one(s, sql, PARAMS(I(number), T(classification), I(now)));
}

int store_outbox_counts(struct store *s, int64_t ret[OUTBOX_STATE_COUNT])
{
	static const char sql[] = "SELECT state, count(*) FROM outbox GROUP BY state";
	return counts_by_name(s, sql, outbox_state_at, ret, OUTBOX_STATE_COUNT);
}

int store_outbox_get(struct store *s, int64_t id, struct outbox_item *ret)
{
	static const char sql[] = "SELECT " OUTBOX_COLS " FROM outbox o JOIN message m ON m.id = o.message WHERE o.id = $1";
	struct db_res *res = NULL;
	int r = QR(s, sql, &res, I(id));
	if (r < 0)
		return r;
	if (res->rows == 0) {
		db_res_free(res);
		return -ENOENT;
	}
	outbox_from_row(res, 0, ret);
	db_res_free(res);
	return 0;
}

static bool audit_fill(struct db_res *res, size_t i, void *elem)
{
	struct audit_entry *e = elem;
	e->id = db_res_int(res, i, 0);
	e->at = db_res_int(res, i, 1);
	e->ticket = db_res_int(res, i, 2);
	e->actor = db_res_take(res, i, 3, NULL);
	e->action = db_res_take(res, i, 4, NULL);
	e->detail = db_res_take(res, i, 5, NULL);
	return true;
}

int store_audit_list(struct store *s, int64_t ticket, struct audit_entry **ret, size_t *ret_n)
{
	static const char sql[] =
		"SELECT id, at, coalesce(ticket, 0), actor, action, detail FROM audit WHERE ticket = $1 ORDER BY id LIMIT $2";
	/* The desk's own entries (imports, users) have no ticket. */
	static const char sql_desk[] =
		"SELECT id, at, 0, actor, action, detail FROM audit WHERE ticket IS NULL ORDER BY id LIMIT $1";
	struct db_res *res = NULL;
	int r = ticket ? QR(s, sql, &res, I(ticket), I(STORE_LIST_MAX)) : QR(s, sql_desk, &res, I(STORE_LIST_MAX));
	if (r < 0)
		return r;
	*ret = rows_to_array(res, sizeof(**ret), audit_fill, ret_n);
	db_res_free(res);
	return 0;
}

void audit_array_free(struct audit_entry *a, size_t n)
{
	for (size_t i = 0; a && i < n; i++) {
		free(a[i].actor);
		free(a[i].action);
		free(a[i].detail);
	}
	free(a);
}

static bool stat_day_fill(struct db_res *res, size_t i, void *elem)
{
	struct stat_day *d = elem;
	d->day = db_res_int(res, i, 0);
	ticket_kind_from_name(db_res_text(res, i, 1), &d->kind);
	d->count = db_res_int(res, i, 2);
	return true;
}

int store_stats_per_day(struct store *s, int64_t since, struct stat_day **ret, size_t *ret_n)
{
	static const char sql[] =
		"SELECT created_at / 86400, kind, count(*) FROM ticket WHERE created_at >= $1"
		" GROUP BY created_at / 86400, kind ORDER BY 1";
	struct db_res *res = NULL;
	int r = QR(s, sql, &res, I(since));
	if (r < 0)
		return r;
	*ret = rows_to_array(res, sizeof(**ret), stat_day_fill, ret_n);
	db_res_free(res);
	return 0;
}

static bool stat_top_fill(struct db_res *res, size_t i, void *elem)
{
	struct stat_top_row *t = elem;
	t->name = db_res_take(res, i, 0, NULL);
	t->count = db_res_int(res, i, 1);
	return true;
}

int store_stats_top(struct store *s, enum stat_top what, int64_t since, size_t limit, struct stat_top_row **ret,
		    size_t *ret_n)
{
	static const char by_reporter[] =
		"SELECT reporter, count(*) FROM ticket WHERE created_at >= $1 AND reporter <> ''"
		" GROUP BY reporter ORDER BY 2 DESC, 1 LIMIT $2";
	static const char by_org[] =
		"SELECT org, count(*) FROM ticket WHERE created_at >= $1 AND org <> ''"
		" GROUP BY org ORDER BY 2 DESC, 1 LIMIT $2";
	if (limit == 0 || limit > STORE_TOP_MAX)
		limit = STORE_TOP_MAX;
	struct db_res *res = NULL;
	int r = QR(s, what == STAT_TOP_ORG ? by_org : by_reporter, &res, I(since), I(limit));
	if (r < 0)
		return r;
	*ret = rows_to_array(res, sizeof(**ret), stat_top_fill, ret_n);
	db_res_free(res);
	return 0;
}

void stat_top_array_free(struct stat_top_row *a, size_t n)
{
	for (size_t i = 0; a && i < n; i++)
		free(a[i].name);
	free(a);
}

static const char *const user_role_names[] = { "analyst", "admin" };

const char *user_role_name(enum user_role r)
{
	return (unsigned)r < USER_ROLE_COUNT ? user_role_names[r] : "unknown";
}

int user_role_from_name(const char *s, enum user_role *ret)
{
	for (int i = 0; s && i < USER_ROLE_COUNT; i++)
		if (!strcmp(s, user_role_names[i])) {
			*ret = (enum user_role)i;
			return 0;
		}
	return -EINVAL;
}

void desk_user_clear(struct desk_user *u)
{
	free(u->name);
	free(u->pw_hash);
	memset(u, 0, sizeof(*u));
}

void desk_user_array_free(struct desk_user *a, size_t n)
{
	for (size_t i = 0; a && i < n; i++)
		desk_user_clear(&a[i]);
	free(a);
}

#define USER_COLS "id, name, role, pw_hash, failures, locked_until, created_at"

static void user_from_row(struct db_res *res, size_t row, struct desk_user *u)
{
	memset(u, 0, sizeof(*u));
	u->id = db_res_int(res, row, 0);
	u->name = db_res_take(res, row, 1, NULL);
	if (user_role_from_name(db_res_text(res, row, 2), &u->role) < 0)
		u->role = USER_ANALYST;
	u->pw_hash = db_res_take(res, row, 3, NULL);
	u->failures = db_res_int(res, row, 4);
	u->locked_until = db_res_int(res, row, 5);
	u->created_at = db_res_int(res, row, 6);
}

int store_user_add(struct store *s, const char *name, enum user_role role, const char *pw_hash, int64_t now,
		   int64_t *ret_id)
{
	static const char sql[] =
		"INSERT INTO desk_user (name, role, pw_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id";
	struct db_res *res = NULL;
	int r = QR(s, sql, &res, T(name), T(user_role_name(role)), T(pw_hash), I(now));
	if (r < 0)
		return r;
	if (ret_id)
		*ret_id = db_res_int(res, 0, 0);
	db_res_free(res);
	return 0;
}

static int user_one(struct store *s, const char *sql, struct db_val key, struct desk_user *ret)
{
	struct db_res *res = NULL;
	int r = s->ops->query(s->conn, sql, &key, 1, &res);
	if (r < 0)
		return r;
	if (res->rows == 0) {
		db_res_free(res);
		return -ENOENT;
	}
	user_from_row(res, 0, ret);
	db_res_free(res);
	return 0;
}

int store_user_get(struct store *s, const char *name, struct desk_user *ret)
{
	static const char sql[] = "SELECT " USER_COLS " FROM desk_user WHERE name = $1";
	return user_one(s, sql, T(name), ret);
}

int store_user_get_id(struct store *s, int64_t id, struct desk_user *ret)
{
	static const char sql[] = "SELECT " USER_COLS " FROM desk_user WHERE id = $1";
	return user_one(s, sql, I(id), ret);
}

static bool user_listing_fill(struct db_res *res, size_t i, void *elem)
{
	struct desk_user *u = elem;
	user_from_row(res, i, u);
	free(u->pw_hash);	/* never leaves the store in a listing */
	u->pw_hash = NULL;
	return true;
}

int store_user_list(struct store *s, struct desk_user **ret, size_t *ret_n)
{
	static const char sql[] = "SELECT " USER_COLS " FROM desk_user ORDER BY name";
	struct db_res *res = NULL;
	int r = s->ops->query(s->conn, sql, NULL, 0, &res);
	if (r < 0)
		return r;
	*ret = rows_to_array(res, sizeof(**ret), user_listing_fill, ret_n);
	db_res_free(res);
	return 0;
}

int store_user_set_password(struct store *s, const char *name, const char *pw_hash)
{
	static const char sql[] = "UPDATE desk_user SET pw_hash = $2, failures = 0, locked_until = 0 WHERE name = $1";
	return expect_one(s, sql, PARAMS(T(name), T(pw_hash)));
}

int store_user_login_failed(struct store *s, int64_t id, int64_t locked_until)
{
	static const char sql[] =
		"UPDATE desk_user SET failures = failures + 1, locked_until = $2 WHERE id = $1";
	return expect_one(s, sql, PARAMS(I(id), I(locked_until)));
}

int store_user_login_ok(struct store *s, int64_t id)
{
	static const char sql[] = "UPDATE desk_user SET failures = 0, locked_until = 0 WHERE id = $1";
	return expect_one(s, sql, PARAMS(I(id)));
}

int store_session_add(struct store *s, const char *token_hash, int64_t user_id, const char *csrf, int64_t now,
		      int64_t expires_at)
{
	static const char sql[] =
		"INSERT INTO desk_session (token_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)";
	return Q(s, sql, T(token_hash), I(user_id), T(csrf), I(now), I(expires_at));
}

int store_session_get(struct store *s, const char *token_hash, int64_t now, int64_t *ret_user_id, char **ret_csrf)
{
	static const char sql[] = "SELECT user_id, csrf FROM desk_session WHERE token_hash = $1 AND expires_at > $2";
	struct db_res *res = NULL;
	int r = QR(s, sql, &res, T(token_hash), I(now));
	if (r < 0)
		return r;
	if (res->rows == 0) {
		db_res_free(res);
		return -ENOENT;
	}
	*ret_user_id = db_res_int(res, 0, 0);
	*ret_csrf = db_res_take(res, 0, 1, NULL);
	db_res_free(res);
	return 0;
}

int store_session_delete(struct store *s, const char *token_hash)
{
	static const char sql[] = "DELETE FROM desk_session WHERE token_hash = $1";
	return Q(s, sql, T(token_hash));
}

int store_session_expire(struct store *s, int64_t now)
{
	static const char sql[] = "DELETE FROM desk_session WHERE expires_at <= $1";
	return Q(s, sql, I(now));
}

int store_token_add(struct store *s, const char *token_hash, int64_t user_id, const char *label, int64_t now)
{
	static const char sql[] = "INSERT INTO desk_token (token_hash, user_id, label, created_at) VALUES ($1, $2, $3, $4)";
	return Q(s, sql, T(token_hash), I(user_id), T(label), I(now));
}

int store_token_get(struct store *s, const char *token_hash, int64_t *ret_user_id)
{
	static const char sql[] = "SELECT user_id FROM desk_token WHERE token_hash = $1";
	struct db_res *res = NULL;
	int r = QR(s, sql, &res, T(token_hash));
	if (r < 0)
		return r;
	if (res->rows == 0) {
		db_res_free(res);
		return -ENOENT;
	}
	*ret_user_id = db_res_int(res, 0, 0);
	db_res_free(res);
	return 0;
}
