/*
 * db: the backend door inside store/. Not used outside this folder.
 *
 * store.c writes every query once, with positional parameters $1, $2 ...,
 * and runs it through a struct db_ops; store_sqlite.c (and later
 * store_pg.c) implement the ops. Dialect differences are named fields of
 * db_ops, never string tests scattered through store.c.
 *
 * Results are materialised: a struct db_res owns copies of every cell, so a
 * caller may keep it after the next query. Backend errors are converted to
 * -errno once, in the backend (see docs/ERRORS.md), with the library's own
 * message kept for db_errmsg().
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

enum db_type { DB_NULL, DB_INT, DB_TEXT, DB_BLOB };

/* Parameters one statement may carry, on every backend (SQLite allows
 * thousands; store_pg.c keeps them on its stack). */
#define DB_PARAMS_MAX 64

struct db_val {
	enum db_type type;
	int64_t i;
	const char *p;	/* TEXT: NUL-terminated; BLOB: len bytes */
	size_t len;
};

#define DB_INT_V(x) ((struct db_val){ .type = DB_INT, .i = (int64_t)(x) })
#define DB_TEXT_V(s) db_text(s)
#define DB_BLOB_V(b, n) ((struct db_val){ .type = DB_BLOB, .p = (const char *)(b), .len = (n) })
#define DB_NULL_V ((struct db_val){ .type = DB_NULL })

static inline struct db_val db_text(const char *s)
{
	struct db_val v = { .type = s ? DB_TEXT : DB_NULL, .p = s, .len = 0 };
	if (s) {
		size_t n = 0;
		while (s[n])
			n++;
		v.len = n;
	}
	return v;
}

struct db_res {
	size_t rows;
	size_t cols;
	struct db_val *cells;	/* rows * cols, each p owned and NUL-terminated */
	char **names;		/* cols column names (owned) */
	int64_t changes;	/* rows changed by an INSERT/UPDATE/DELETE */
};

struct db_ops {
	const char *name;
	int (*open)(const char *url, void **ret_conn, char **ret_error);
	void (*close)(void *conn);
	/* Runs one statement. ret_res may be NULL when the caller wants no rows. */
	int (*query)(void *conn, const char *sql, const struct db_val *params, size_t n_params, struct db_res **ret_res);
	/* Runs a script of several statements without parameters (schema). */
	int (*exec_script)(void *conn, const char *sql);
	int (*begin)(void *conn);
	int (*commit)(void *conn);
	int (*rollback)(void *conn);
	const char *(*errmsg)(void *conn);
	/* Column types for schema.c's placeholders {ID}, {INT}, {BLOB}. */
	const char *type_id;
	const char *type_int;
	const char *type_blob;
	/* Next value of a named counter, inside the current transaction. */
	int (*next_seq)(void *conn, const char *name, int64_t *ret);
	/* Raises the counter so that its next value is at least `floor`. */
	int (*seq_floor)(void *conn, const char *name, int64_t floor);
	/* Appended to a row-claiming subquery: " FOR UPDATE SKIP LOCKED" on
	 * PostgreSQL, "" on SQLite (whose writers are already serialised). */
	const char *claim_suffix;
	/* Serialises schema creation between processes, inside the migration's
	 * transaction (PostgreSQL: an advisory lock). NULL: BEGIN already does
	 * (SQLite's BEGIN IMMEDIATE). */
	int (*lock_schema)(void *conn);
	/* After rows were inserted with explicit ids (migrate), makes the
	 * table's next generated id exceed them. NULL: the backend does that
	 * by itself (SQLite's rowid). */
	int (*id_floor)(void *conn, const char *table);
	/* store_set_busy_writer(); NULL: nothing to change (PostgreSQL). */
	int (*set_busy_writer)(void *conn);
};

struct db_res *db_res_free(struct db_res *res);
int64_t db_res_int(const struct db_res *res, size_t row, size_t col);
/* "" for NULL. */
const char *db_res_text(const struct db_res *res, size_t row, size_t col);
const struct db_val *db_res_cell(const struct db_res *res, size_t row, size_t col);
/* Moves a TEXT/BLOB cell's bytes out of the result (the cell becomes NULL). */
char *db_res_take(struct db_res *res, size_t row, size_t col, size_t *ret_len);

extern const struct db_ops db_sqlite_ops;
extern const struct db_ops db_pg_ops;
