/*
 * The PostgreSQL backend: db_pg_ops, over libpq.
 *
 * Several desk nodes share one database, so this backend is where the
 * multi-node rules live:
 *   - ticket numbers come from a real sequence (ticket_seq): unique and
 *     increasing across nodes, gaps allowed (a rolled-back ticket);
 *   - rows are claimed with FOR UPDATE SKIP LOCKED (claim_suffix), so two
 *     nodes never take the same message or outbox row;
 *   - a lost connection is -EAGAIN (intake answers 451, deliver exits 75)
 *     and the next call reconnects. A transaction that was open when the
 *     connection went is gone: every call up to the caller's rollback fails
 *     with -EAGAIN, and a COMMIT whose answer was lost is reported as failed,
 *     never as done (the MTA retries; intake's digest stores a retry once).
 *
 * Parameters go out typed (int8, text, bytea), so the server never has to
 * guess the type of `$1 = ''`; bytea travels in binary. Results come back as
 * text: int2/int4/int8 columns become DB_INT, bytea is unescaped to DB_BLOB,
 * everything else is DB_TEXT. Statements are prepared once per connection
 * and cached by their SQL text.
 *
 * SQLite stores any bytes in a TEXT column; a UTF8 PostgreSQL database
 * refuses invalid UTF-8. Text parameters are therefore made valid here
 * (each invalid byte becomes U+FFFD) instead of failing the message; the raw
 * message bytes are bytea and kept exactly.
 */
#include <errno.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "util/buf.h"
#include "util/xalloc.h"

#define PG_STMT_CACHE 256	/* prepared statements per connection; more run unprepared */
#define PG_TEXT_MAX ((size_t)1 << 30)	/* PostgreSQL's own limit for one value */

/* Type OIDs from pg_type.h (stable since PostgreSQL 7). */
#define PG_OID_BOOL 16
#define PG_OID_BYTEA 17
#define PG_OID_INT8 20
#define PG_OID_INT2 21
#define PG_OID_INT4 23
#define PG_OID_TEXT 25

struct pg_conn {
	PGconn *db;
	char *error;
	bool in_tx;		/* BEGIN sent, no COMMIT/ROLLBACK yet */
	bool tx_lost;		/* the connection went while in_tx */
	unsigned generation;	/* bumped on reconnect: prepared names die with the session */
	struct {
		char *text;		/* our copy of the SQL: the key */
		char name[24];
	} cache[PG_STMT_CACHE];
};

static void set_error(struct pg_conn *c, const char *msg)
{
	free(c->error);
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		n--;	/* libpq ends its messages with a newline */
	c->error = xstrndup(msg, n);
}

/* The one place libpq's failures become -errno (docs/ERRORS.md). */
static int store_pg_errno(PGconn *db, const PGresult *res)
{
	if (!db || PQstatus(db) != CONNECTION_OK)
		return -EAGAIN;	/* connection lost: retry later, we reconnect */
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (!state || strlen(state) != 5)
		return -EIO;
	if (!strncmp(state, "08", 2))
		return -EAGAIN;	/* connection exception */
	if (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03") || !strcmp(state, "55006"))
		return -EAGAIN;	/* serialization failure, deadlock, lock not available, object in use */
	if (!strcmp(state, "25006"))
		return -EAGAIN;	/* read-only: a standby not yet promoted refuses writes */
	if (!strncmp(state, "57P", 3) || !strcmp(state, "57014"))
		return -EAGAIN;	/* admin/crash shutdown, cannot connect now, query cancelled */
	if (!strcmp(state, "53100"))
		return -ENOSPC;	/* disk full */
	if (!strncmp(state, "53", 2))
		return -EAGAIN;	/* out of memory, too many connections */
	if (!strncmp(state, "23", 2))
		return -EEXIST;	/* unique, foreign key, not null, check */
	if (!strcmp(state, "22001") || !strcmp(state, "54000") || !strcmp(state, "54001"))
		return -EMSGSIZE;	/* value too long, program limit exceeded */
	if (!strncmp(state, "22", 2) || !strncmp(state, "42", 2) || !strncmp(state, "25", 2) ||
	    !strncmp(state, "26", 2) || !strncmp(state, "34", 2))
		return -EINVAL;	/* data, syntax, transaction state, statement/cursor name */
	return -EIO;
}

static int fail(struct pg_conn *c, PGresult *res)
{
	const char *msg = res ? PQresultErrorMessage(res) : "";
	set_error(c, *msg ? msg : PQerrorMessage(c->db));
	int r = store_pg_errno(c->db, res);
	if (r == -EAGAIN && c->in_tx && PQstatus(c->db) != CONNECTION_OK)
		c->tx_lost = true;
	PQclear(res);
	return r;
}

static void cache_clear(struct pg_conn *c)
{
	for (size_t i = 0; i < PG_STMT_CACHE; i++)
		free(c->cache[i].text);
	memset(c->cache, 0, sizeof(c->cache));
}

static void ignore_notice(void *arg, const char *message)
{
	/* CREATE ... IF NOT EXISTS says "already exists, skipping"; the library
	 * does not log. */
	(void)arg;
	(void)message;
}

/* Every session's settings. lock_timeout is SQLite's busy timeout
 * (SQLITE_BUSY_MS): a writer that waits longer for a lock another
 * session holds gives up with 55P03, which is -EAGAIN (deliver exits 75,
 * intake answers 451) instead of hanging until the MTA kills it. */
static const char session_setup[] =
	"SET client_encoding = 'UTF8'; SET client_min_messages = warning; SET lock_timeout = '10s'";

static int pg_open(const char *url, void **ret_conn, char **ret_error)
{
	PGconn *db = PQconnectdb(url);
	if (!db) {
		*ret_error = xasprintf("%s: out of memory", url);
		return -ENOMEM;
	}
	if (PQstatus(db) != CONNECTION_OK) {
		/* The password, if any, is in the URL: do not repeat it. */
		*ret_error = xasprintf("PostgreSQL: %s", PQerrorMessage(db));
		size_t n = strlen(*ret_error);
		if (n && (*ret_error)[n - 1] == '\n')
			(*ret_error)[n - 1] = '\0';
		PQfinish(db);
		return -EAGAIN;
	}
	PQsetNoticeProcessor(db, ignore_notice, NULL);
	PGresult *res = PQexec(db, session_setup);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		*ret_error = xasprintf("PostgreSQL: %s", PQresultErrorMessage(res));
		int r = store_pg_errno(db, res);
		PQclear(res);
		PQfinish(db);
		return r;
	}
	PQclear(res);
	struct pg_conn *c = xcalloc(1, sizeof(*c));
	c->db = db;
	*ret_conn = c;
	return 0;
}

static void pg_close(void *conn)
{
	struct pg_conn *c = conn;
	if (!c)
		return;
	PQfinish(c->db);
	cache_clear(c);
	free(c->error);
	free(c);
}

/*
 * Makes sure there is a live session before a call. After a loss inside a
 * transaction, nothing runs until the caller has rolled back: reconnecting
 * there would run the rest of its work outside the transaction it began.
 */
static int ready(struct pg_conn *c)
{
	if (c->tx_lost) {
		set_error(c, "the connection to PostgreSQL was lost inside a transaction");
		return -EAGAIN;
	}
	if (PQstatus(c->db) == CONNECTION_OK)
		return 0;
	PQreset(c->db);
	if (PQstatus(c->db) != CONNECTION_OK) {
		set_error(c, PQerrorMessage(c->db));
		return -EAGAIN;
	}
	PQsetNoticeProcessor(c->db, ignore_notice, NULL);
	c->generation++;
	cache_clear(c);
	PGresult *res = PQexec(c->db, session_setup);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return fail(c, res);
	PQclear(res);
	return 0;
}

/* Length of the valid UTF-8 sequence at p (at most n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	if (p[0] < 0x80)
		return 1;
	size_t len = p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 && p[0] < 0xe0 ? 2 : 0;
	if (!len || len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if (len == 3 && ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0)))
		return 0;	/* overlong, surrogate */
	if (len == 4 && ((p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90)))
		return 0;	/* overlong, above U+10FFFF */
	return len;
}

/* NULL when s is valid UTF-8; otherwise a heap copy with U+FFFD for each bad byte. */
static char *utf8_fixed(const char *s, size_t n)
{
	size_t i = 0, l;
	while (i < n && (l = utf8_len((const unsigned char *)s + i, n - i)))
		i += l;
	if (i == n)
		return NULL;
	struct buf b;
	buf_init(&b, PG_TEXT_MAX);
	buf_append(&b, s, i);
	while (i < n) {
		l = utf8_len((const unsigned char *)s + i, n - i);
		if (l) {
			buf_append(&b, s + i, l);
			i += l;
		} else {
			buf_append_str(&b, "\xef\xbf\xbd");
			i++;
		}
	}
	return buf_steal(&b);
}

/* The cache slot holding sql, or the free slot to prepare it in; -1 when
 * full. Keyed by the text (FNV-1a), not the address: callers may build SQL
 * on the heap (claim_suffix), and hashing 200 bytes costs nothing next to
 * a round trip to the server. */
static int cache_slot(struct pg_conn *c, const char *sql, bool *ret_found)
{
	uint64_t h = 14695981039346656037u;
	for (const unsigned char *p = (const unsigned char *)sql; *p; p++)
		h = (h ^ *p) * 1099511628211u;
	for (size_t k = 0; k < PG_STMT_CACHE; k++) {
		size_t i = (size_t)((h + k) % PG_STMT_CACHE);
		if (!c->cache[i].text) {
			*ret_found = false;
			return (int)i;
		}
		if (!strcmp(c->cache[i].text, sql)) {
			*ret_found = true;
			return (int)i;
		}
	}
	return -1;
}

static void copy_cell(const PGresult *pr, int row, int col, struct db_val *out)
{
	if (PQgetisnull(pr, row, col)) {
		out->type = DB_NULL;
		return;
	}
	const char *v = PQgetvalue(pr, row, col);
	switch (PQftype(pr, col)) {
	case PG_OID_INT2:
	case PG_OID_INT4:
	case PG_OID_INT8:
		out->type = DB_INT;
		out->i = strtoll(v, NULL, 10);
		return;
	case PG_OID_BOOL:
		out->type = DB_INT;
		out->i = v[0] == 't';
		return;
	case PG_OID_BYTEA: {
		size_t n = 0;
		unsigned char *raw = PQunescapeBytea((const unsigned char *)v, &n);
		char *copy = xmalloc(n + 1);
		if (n)
			memcpy(copy, raw, n);
		copy[n] = '\0';
		PQfreemem(raw);
		out->type = DB_BLOB;
		out->p = copy;
		out->len = n;
		return;
	}
	default: {
		size_t n = (size_t)PQgetlength(pr, row, col);
		out->type = DB_TEXT;
		out->p = xstrndup(v, n);
		out->len = n;
		return;
	}
	}
}

static int pg_query(void *conn, const char *sql, const struct db_val *params, size_t n_params, struct db_res **ret_res)
{
	struct pg_conn *c = conn;
	if (n_params > DB_PARAMS_MAX) {
		set_error(c, "too many parameters");
		return -EINVAL;
	}
	int r = ready(c);
	if (r < 0)
		return r;
	Oid types[DB_PARAMS_MAX];
	const char *values[DB_PARAMS_MAX];
	int lengths[DB_PARAMS_MAX];
	int formats[DB_PARAMS_MAX];
	char ints[DB_PARAMS_MAX][24];
	char *fixed[DB_PARAMS_MAX] = { 0 };
	for (size_t i = 0; i < n_params; i++) {
		const struct db_val *v = &params[i];
		lengths[i] = 0;
		formats[i] = 0;
		switch (v->type) {
		case DB_INT:
			types[i] = PG_OID_INT8;
			snprintf(ints[i], sizeof(ints[i]), "%lld", (long long)v->i);
			values[i] = ints[i];
			break;
		case DB_TEXT:
			types[i] = PG_OID_TEXT;
			fixed[i] = utf8_fixed(v->p, v->len);
			values[i] = fixed[i] ? fixed[i] : v->p;
			break;
		case DB_BLOB:
			types[i] = PG_OID_BYTEA;
			values[i] = v->p ? v->p : "";
			lengths[i] = (int)v->len;
			formats[i] = 1;
			break;
		default:
			types[i] = 0;	/* NULL: the server infers the type */
			values[i] = NULL;
			break;
		}
	}
	bool found = false;
	int slot = cache_slot(c, sql, &found);
	PGresult *pr = NULL;
	if (slot >= 0 && !found) {
		snprintf(c->cache[slot].name, sizeof(c->cache[slot].name), "ad%u_%d", c->generation, slot);
		pr = PQprepare(c->db, c->cache[slot].name, sql, (int)n_params, types);
		if (PQresultStatus(pr) != PGRES_COMMAND_OK) {
			r = fail(c, pr);
			goto out;
		}
		PQclear(pr);
		c->cache[slot].text = xstrdup(sql);
	}
	if (slot >= 0)
		pr = PQexecPrepared(c->db, c->cache[slot].name, (int)n_params, values, lengths, formats, 0);
	else
		pr = PQexecParams(c->db, sql, (int)n_params, types, values, lengths, formats, 0);
	ExecStatusType st = PQresultStatus(pr);
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		r = fail(c, pr);
		goto out;
	}
	if (ret_res) {
		struct db_res *res = xcalloc(1, sizeof(*res));
		res->rows = (size_t)PQntuples(pr);
		res->cols = (size_t)PQnfields(pr);
		res->cells = xcalloc(res->rows * res->cols + 1, sizeof(struct db_val));
		res->names = xcalloc(res->cols ? res->cols : 1, sizeof(char *));
		for (size_t j = 0; j < res->cols; j++)
			res->names[j] = xstrdup(PQfname(pr, (int)j));
		for (size_t i = 0; i < res->rows; i++)
			for (size_t j = 0; j < res->cols; j++)
				copy_cell(pr, (int)i, (int)j, &res->cells[i * res->cols + j]);
		const char *changes = PQcmdTuples(pr);
		res->changes = *changes ? strtoll(changes, NULL, 10) : 0;
		*ret_res = res;
	}
	PQclear(pr);
	r = 0;
out:
	for (size_t i = 0; i < n_params; i++)
		free(fixed[i]);
	return r;
}

static int pg_exec(struct pg_conn *c, const char *sql)
{
	PGresult *pr = PQexec(c->db, sql);
	ExecStatusType st = PQresultStatus(pr);
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
		return fail(c, pr);
	PQclear(pr);
	return 0;
}

static int pg_exec_script(void *conn, const char *sql)
{
	struct pg_conn *c = conn;
	int r = ready(c);
	return r < 0 ? r : pg_exec(c, sql);
}

static int pg_begin(void *conn)
{
	struct pg_conn *c = conn;
	int r = ready(c);
	if (r < 0)
		return r;
	r = pg_exec(c, "BEGIN");
	if (r == 0)
		c->in_tx = true;
	return r;
}

static int pg_commit(void *conn)
{
	struct pg_conn *c = conn;
	if (c->tx_lost) {
		set_error(c, "the connection to PostgreSQL was lost inside a transaction; nothing was committed");
		return -EAGAIN;
	}
	int r = pg_exec(c, "COMMIT");
	if (r < 0 && PQstatus(c->db) != CONNECTION_OK)
		c->tx_lost = true;	/* the answer was lost: not known to be committed */
	if (r == 0)
		c->in_tx = false;
	return r;
}

static int pg_rollback(void *conn)
{
	struct pg_conn *c = conn;
	bool was_lost = c->tx_lost || PQstatus(c->db) != CONNECTION_OK;
	c->in_tx = false;
	c->tx_lost = false;
	if (was_lost)
		return 0;	/* the server dropped the transaction with the session */
	return pg_exec(c, "ROLLBACK");
}

static const char *pg_errmsg(void *conn)
{
	struct pg_conn *c = conn;
	return c && c->error ? c->error : "no error";
}

/* The sequence behind a counter name: "ticket" -> ticket_seq. Names are
 * store.c's own constants; anything else is refused, not quoted. */
static int seq_ident(const char *name, char *out, size_t n)
{
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || *p == '_'))
			return -EINVAL;
	if (!*name || (size_t)snprintf(out, n, "%s_seq", name) >= n)
		return -EINVAL;
	return 0;
}

static int pg_next_seq(void *conn, const char *name, int64_t *ret)
{
	static const char sql[] = "SELECT nextval(CAST($1 AS TEXT)::regclass)";
	char ident[64];
	int r = seq_ident(name, ident, sizeof(ident));
	if (r < 0)
		return r;
	struct db_res *res = NULL;
	r = pg_query(conn, sql, (struct db_val[]){ db_text(ident) }, 1, &res);
	if (r < 0)
		return r;
	*ret = db_res_int(res, 0, 0);
	db_res_free(res);
	return 0;
}

static int pg_seq_floor(void *conn, const char *name, int64_t floor)
{
	/* setval is not transactional; it only ever raises the sequence here,
	 * so a rolled-back migration leaves nothing wrong behind. The next
	 * value is last_value itself until the first nextval (is_called). */
	char ident[64];
	int r = seq_ident(name, ident, sizeof(ident));
	if (r < 0)
		return r;
	char *create = xasprintf("CREATE SEQUENCE IF NOT EXISTS %s", ident);
	r = pg_exec_script(conn, create);
	free(create);
	if (r < 0)
		return r;
	char *sql = xasprintf("SELECT setval('%s', $1, false) FROM %s"
			      " WHERE CASE WHEN is_called THEN last_value + 1 ELSE last_value END < $1",
			      ident, ident);
	r = pg_query(conn, sql, (struct db_val[]){ DB_INT_V(floor) }, 1, NULL);
	free(sql);
	return r;
}

static int pg_lock_schema(void *conn)
{
	/* Two nodes starting on a fresh database must not both create the
	 * schema; the lock ends with the transaction. */
	return pg_exec_script(conn, "SELECT pg_advisory_xact_lock(4242001)");
}

/* After rows were copied in with their ids (migrate), the identity must
 * continue past them. */
static int pg_id_floor(void *conn, const char *table)
{
	for (const char *p = table; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || *p == '_'))
			return -EINVAL;
	if (!*table)
		return -EINVAL;
	char *q = xasprintf("SELECT setval(pg_get_serial_sequence($1, 'id'), coalesce(max(id), 0) + 1, false) FROM %s",
			    table);
	int r = pg_query(conn, q, (struct db_val[]){ db_text(table) }, 1, NULL);
	free(q);
	return r;
}

const struct db_ops db_pg_ops = {
	.name = "postgresql",
	.open = pg_open,
	.close = pg_close,
	.query = pg_query,
	.exec_script = pg_exec_script,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.errmsg = pg_errmsg,
	.type_id = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
	.type_int = "BIGINT",
	.type_blob = "BYTEA",
	.next_seq = pg_next_seq,
	.seq_floor = pg_seq_floor,
	.lock_schema = pg_lock_schema,
	.id_floor = pg_id_floor,
	.claim_suffix = " FOR UPDATE SKIP LOCKED",
};
