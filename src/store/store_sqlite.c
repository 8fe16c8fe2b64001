/*
 * The SQLite backend: one file, one door (db_sqlite_ops).
 *
 * Durability: WAL with synchronous=FULL, so a COMMIT that returned has been
 * fsynced (NORMAL may lose the last transactions on power loss, which would
 * break "250 means stored"). Writers take the lock up front (BEGIN
 * IMMEDIATE) so a reader never has to upgrade and deadlock.
 *
 * Prepared statements are cached by the address of their SQL text: store.c
 * passes string literals, so the address names the statement.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/db.h"
#include "util/xalloc.h"

#define SQLITE_STMT_CACHE 256
#define SQLITE_STMT_PROBE 8
#define SQLITE_BUSY_MS 10000
#define SQLITE_BUSY_STEP_US 250

/*
 * The writer gate: one per database file, shared by this process's
 * connections to it. SQLite lets one writer in at a time and makes the
 * others poll (busy_wait below); in the daemon the committer, the workers
 * and the senders are threads of one process, so they queue on a mutex
 * instead and the lock passes to the next writer the moment it is free,
 * without sleeping and retrying. Other processes still meet SQLite's own
 * lock and the busy handler.
 */
struct gate {
	char *path;
	pthread_mutex_t lock;
	size_t refs;
	struct gate *next;
};

static pthread_mutex_t gates_lock = PTHREAD_MUTEX_INITIALIZER;
static struct gate *gates;

static struct gate *gate_get(const char *path)
{
	if (!*path || !strcmp(path, ":memory:") || !strncmp(path, "file:", 5))
		return NULL;	/* private databases, or URIs we do not compare */
	pthread_mutex_lock(&gates_lock);
	struct gate *g = gates;
	while (g && strcmp(g->path, path))
		g = g->next;
	if (!g) {
		g = xcalloc(1, sizeof(*g));
		g->path = xstrdup(path);
		pthread_mutex_init(&g->lock, NULL);
		g->next = gates;
		gates = g;
	}
	g->refs++;
	pthread_mutex_unlock(&gates_lock);
	return g;
}

static void gate_put(struct gate *g)
{
	if (!g)
		return;
	pthread_mutex_lock(&gates_lock);
	if (--g->refs == 0) {
		struct gate **pp = &gates;
		while (*pp != g)
			pp = &(*pp)->next;
		*pp = g->next;
		pthread_mutex_destroy(&g->lock);
		free(g->path);
		free(g);
	}
	pthread_mutex_unlock(&gates_lock);
}

struct sqlite_conn {
	sqlite3 *db;
	struct gate *gate;	/* NULL: not shared */
	bool has_gate;		/* this connection's write transaction holds it */
	char *error;
	struct timespec busy_since; /* when the current wait for the lock began */
	struct {
		const char *sql;
		sqlite3_stmt *stmt;
	} cache[SQLITE_STMT_CACHE];
};

/* The one place SQLite result codes become -errno (docs/ERRORS.md). */
static int store_sqlite_errno(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW: return 0;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: return -EAGAIN;
	case SQLITE_FULL: return -ENOSPC;
	case SQLITE_CONSTRAINT: return -EEXIST;
	case SQLITE_NOTFOUND: return -ENOENT;
	case SQLITE_TOOBIG: return -EMSGSIZE;
	case SQLITE_MISUSE:
	case SQLITE_RANGE:
	case SQLITE_ERROR: return -EINVAL;
	default: return -EIO;
	}
}

static int fail(struct sqlite_conn *c, int rc)
{
	free(c->error);
	c->error = xstrdup(sqlite3_errmsg(c->db));
	return store_sqlite_errno(rc);
}

/*
 * SQLite's own busy timeout sleeps in growing steps of up to 100 ms. In the
 * daemon several connections of one process (the LMTP committer, the
 * workers, the senders) hand the write lock to each other every few
 * milliseconds, and a waiter asleep for 100 ms leaves it idle: waiting in
 * short steps keeps group commit's fsyncs back to back. The limit is on
 * elapsed time, not on the number of steps: on a loaded machine each short
 * sleep overshoots, and counting steps would stretch the wait far past it.
 */
static int busy_wait(void *user, int count)
{
	struct sqlite_conn *c = user;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (count == 0)
		c->busy_since = now;
	int64_t waited_us = (int64_t)(now.tv_sec - c->busy_since.tv_sec) * 1000000 +
			    (now.tv_nsec - c->busy_since.tv_nsec) / 1000;
	if (waited_us >= (int64_t)SQLITE_BUSY_MS * 1000)
		return 0;
	struct timespec ts = { 0, SQLITE_BUSY_STEP_US * 1000 };
	nanosleep(&ts, NULL);
	return 1;
}

static int sq_open(const char *url, void **ret_conn, char **ret_error)
{
	const char *path = url;
	if (!strncmp(path, "sqlite:", 7))
		path += 7;
	struct sqlite_conn *c = xcalloc(1, sizeof(*c));
	int rc = sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL);
	if (rc != SQLITE_OK) {
		*ret_error = xasprintf("%s: %s", path, c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		int r = store_sqlite_errno(rc);
		sqlite3_close(c->db);
		free(c);
		return r < 0 ? r : -EIO;
	}
	sqlite3_busy_handler(c->db, busy_wait, c);
	c->gate = gate_get(path);
	sqlite3_extended_result_codes(c->db, 1);
	char *msg = NULL;
	rc = sqlite3_exec(c->db,
			  "PRAGMA journal_mode=WAL;"
			  "PRAGMA synchronous=FULL;"
			  "PRAGMA foreign_keys=ON;"
			  /* Readers (the web desk's threads, one connection each)
			   * map the file instead of copying pages through a small
			   * per-connection cache: the queue at 100,000 tickets
			   * (bench/http). Writes still go through the WAL. */
			  "PRAGMA mmap_size=268435456;"
			  "PRAGMA cache_size=-8192;",
			  NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		*ret_error = xasprintf("%s: %s", path, msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		int r = store_sqlite_errno(rc);
		sqlite3_close(c->db);
		gate_put(c->gate);
		free(c);
		return r < 0 ? r : -EIO;
	}
	*ret_conn = c;
	return 0;
}

static void sq_close(void *conn)
{
	struct sqlite_conn *c = conn;
	if (!c)
		return;
	for (size_t i = 0; i < SQLITE_STMT_CACHE; i++)
		sqlite3_finalize(c->cache[i].stmt);
	sqlite3_close(c->db);
	if (c->has_gate)
		pthread_mutex_unlock(&c->gate->lock);
	gate_put(c->gate);
	free(c->error);
	free(c);
}

/* Looks in SQLITE_STMT_PROBE slots from the address's own: a direct-mapped
 * cache let two statements of one request whose addresses collided evict
 * each other and be parsed again on every call (the web desk's queue). */
static sqlite3_stmt *cached(struct sqlite_conn *c, const char *sql, int *ret_rc)
{
	size_t h = ((uintptr_t)sql >> 3) % SQLITE_STMT_CACHE, slot = h;
	for (size_t k = 0; k < SQLITE_STMT_PROBE; k++) {
		size_t i = (h + k) % SQLITE_STMT_CACHE;
		/* The address is the key, the text the check: a caller's heap
		 * string freed and reallocated at the same address with other SQL
		 * must not get the old statement. */
		if (c->cache[i].sql == sql && c->cache[i].stmt && !strcmp(sqlite3_sql(c->cache[i].stmt), sql)) {
			*ret_rc = SQLITE_OK;
			return c->cache[i].stmt;
		}
		if (!c->cache[i].stmt && slot == h && c->cache[h].stmt)
			slot = i;	/* the first free slot, if ours is taken */
	}
	sqlite3_stmt *st = NULL;
	*ret_rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
	if (*ret_rc != SQLITE_OK)
		return NULL;
	sqlite3_finalize(c->cache[slot].stmt);
	c->cache[slot].sql = sql;
	c->cache[slot].stmt = st;
	return st;
}

static int bind_params(sqlite3_stmt *st, const struct db_val *params, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char name[32];
		snprintf(name, sizeof(name), "$%zu", i + 1);
		int idx = sqlite3_bind_parameter_index(st, name);
		if (idx == 0)
			continue;	/* parameter not used by this statement */
		const struct db_val *v = &params[i];
		int rc;
		switch (v->type) {
		case DB_INT: rc = sqlite3_bind_int64(st, idx, v->i); break;
		case DB_TEXT: rc = sqlite3_bind_text64(st, idx, v->p, v->len, SQLITE_STATIC, SQLITE_UTF8); break;
		case DB_BLOB: rc = sqlite3_bind_blob64(st, idx, v->p ? v->p : "", v->len, SQLITE_STATIC); break;
		default: rc = sqlite3_bind_null(st, idx); break;
		}
		if (rc != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}

static void copy_cell(sqlite3_stmt *st, int col, struct db_val *out)
{
	switch (sqlite3_column_type(st, col)) {
	case SQLITE_INTEGER:
		out->type = DB_INT;
		out->i = sqlite3_column_int64(st, col);
		break;
	case SQLITE_FLOAT:
		out->type = DB_INT;
		out->i = (int64_t)sqlite3_column_double(st, col);
		break;
	case SQLITE_NULL:
		out->type = DB_NULL;
		break;
	default: {
		bool blob = sqlite3_column_type(st, col) == SQLITE_BLOB;
		const void *p = blob ? sqlite3_column_blob(st, col) : (const void *)sqlite3_column_text(st, col);
		size_t n = (size_t)sqlite3_column_bytes(st, col);
		char *copy = xmalloc(n + 1);
		if (n)
			memcpy(copy, p, n);
		copy[n] = '\0';
		out->type = blob ? DB_BLOB : DB_TEXT;
		out->p = copy;
		out->len = n;
		break;
	}
	}
}

static int sq_query(void *conn, const char *sql, const struct db_val *params, size_t n_params, struct db_res **ret_res)
{
	struct sqlite_conn *c = conn;
	int rc;
	sqlite3_stmt *st = cached(c, sql, &rc);
	if (!st)
		return fail(c, rc);
	rc = bind_params(st, params, n_params);
	if (rc != SQLITE_OK) {
		sqlite3_reset(st);
		return fail(c, rc);
	}
	struct db_res *res = xcalloc(1, sizeof(*res));
	res->cols = (size_t)sqlite3_column_count(st);
	res->names = xcalloc(res->cols ? res->cols : 1, sizeof(char *));
	for (size_t i = 0; i < res->cols; i++)
		res->names[i] = xstrdup(sqlite3_column_name(st, (int)i));
	size_t cap = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!ret_res)
			continue;
		res->cells = xgrow(res->cells, &cap, (res->rows + 1) * res->cols, sizeof(struct db_val));
		for (size_t i = 0; i < res->cols; i++) {
			res->cells[res->rows * res->cols + i] = (struct db_val){ .type = DB_NULL };
			copy_cell(st, (int)i, &res->cells[res->rows * res->cols + i]);
		}
		res->rows++;
	}
	int r = 0;
	if (rc != SQLITE_DONE)
		r = fail(c, rc);
	res->changes = sqlite3_changes64(c->db);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (r < 0 || !ret_res) {
		db_res_free(res);
		return r;
	}
	*ret_res = res;
	return 0;
}

static int sq_exec_script(void *conn, const char *sql)
{
	struct sqlite_conn *c = conn;
	char *msg = NULL;
	int rc = sqlite3_exec(c->db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		free(c->error);
		c->error = xstrdup(msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return store_sqlite_errno(rc);
	}
	return 0;
}

static int sq_simple(struct sqlite_conn *c, const char *sql)
{
	int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : fail(c, rc);
}

/* Lets the gate go once the write transaction has ended. */
static void gate_leave(struct sqlite_conn *c)
{
	if (c->has_gate && sqlite3_get_autocommit(c->db)) {
		c->has_gate = false;
		pthread_mutex_unlock(&c->gate->lock);
	}
}

static int sq_begin(void *conn)
{
	struct sqlite_conn *c = conn;
	if (c->gate && !c->has_gate) {
		/* As long as SQLite's busy timeout, and the same answer after it. */
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += SQLITE_BUSY_MS / 1000;
		int e = pthread_mutex_timedlock(&c->gate->lock, &until);
		if (e != 0) {
			free(c->error);
			c->error = xstrdup("database is locked (by another thread of this process)");
			return -EAGAIN;
		}
		c->has_gate = true;
	}
	int r = sq_simple(conn, "BEGIN IMMEDIATE");
	gate_leave(c);
	return r;
}

static int sq_commit(void *conn)
{
	int r = sq_simple(conn, "COMMIT");
	gate_leave(conn);
	return r;
}

static int sq_rollback(void *conn)
{
	struct sqlite_conn *c = conn;
	int r = 0;
	if (!sqlite3_get_autocommit(c->db))	/* else SQLite already rolled back (e.g. on SQLITE_FULL) */
		r = sq_simple(conn, "ROLLBACK");
	gate_leave(c);
	return r;
}

/*
 * A connection that writes all the time beside others (serve's committer,
 * workers and senders) reads through its page cache, not the memory map:
 * each time another connection has grown the file, SQLite remaps it at
 * the next transaction (munmap: a TLB shootdown on every core, then page
 * faults), which cost serve more than the reads it saved (bench/lmtp).
 */
static int sq_set_busy_writer(void *conn)
{
	return sq_simple(conn, "PRAGMA mmap_size=0");
}

static const char *sq_errmsg(void *conn)
{
	struct sqlite_conn *c = conn;
	return c && c->error ? c->error : "no error";
}

static int sq_next_seq(void *conn, const char *name, int64_t *ret)
{
	static const char sql[] = "UPDATE seq SET value = value + 1 WHERE name = $1 RETURNING value - 1";
	struct db_res *res = NULL;
	int r = sq_query(conn, sql, (struct db_val[]){ db_text(name) }, 1, &res);
	if (r < 0)
		return r;
	if (res->rows != 1) {
		db_res_free(res);
		return -ENOENT;
	}
	*ret = db_res_int(res, 0, 0);
	db_res_free(res);
	return 0;
}

static int sq_seq_floor(void *conn, const char *name, int64_t floor)
{
	static const char sql_ins[] = "INSERT INTO seq (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING";
	static const char sql_up[] = "UPDATE seq SET value = $2 WHERE name = $1 AND value < $2";
	struct db_val p[] = { db_text(name), DB_INT_V(floor) };
	int r = sq_query(conn, sql_ins, p, 2, NULL);
	if (r < 0)
		return r;
	return sq_query(conn, sql_up, p, 2, NULL);
}

const struct db_ops db_sqlite_ops = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.query = sq_query,
	.exec_script = sq_exec_script,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.errmsg = sq_errmsg,
	.set_busy_writer = sq_set_busy_writer,
	.type_id = "INTEGER PRIMARY KEY",	/* the rowid alias */
	.type_int = "INTEGER",
	.type_blob = "BLOB",
	.next_seq = sq_next_seq,
	.seq_floor = sq_seq_floor,
	.claim_suffix = "",
};
