/*
 * store_copy: moves a whole desk from one store to another (abusedesk
 * migrate), e.g. SQLite -> PostgreSQL, through the generic db_ops.
 *
 * Table by table in foreign-key order, each paged by its key, with the
 * columns the source returns (SELECT *): a migration that adds a column
 * needs nothing here; one that adds a table adds a row to copy_tables
 * (tests/unit/store/test_store_copy.c checks every table is listed).
 * Every key is kept: ticket numbers, message and outbox ids, so Message-IDs,
 * tags and threads stay valid. Afterwards the target's generated ids and
 * ticket sequence continue past what was copied, and every table's row
 * count is compared before the target commits: the copy lands whole or not
 * at all.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/store_int.h"
#include "util/buf.h"
#include "util/xalloc.h"

static const struct copy_table {
	const char *name;
	const char *key;	/* unique key columns, "a" or "a, b": pages the copy */
	const char *deferred;	/* self-reference written after all rows: NULL none */
	bool has_id;		/* generated ids (db_ops.id_floor afterwards) */
	bool is_replaced;	/* rows the migrations seed: the target's are replaced */
	size_t batch;		/* rows per page: messages carry their raw bytes */
} copy_tables[] = {
	{ "ticket", "number", "merged_into", false, false, 500 },
	{ "message", "id", NULL, true, false, 50 },
	{ "outbox", "id", NULL, true, false, 500 },
	{ "audit", "id", NULL, true, false, 500 },
	{ "evidence", "id", NULL, true, false, 200 },
	{ "evidence_check", "evidence, item", NULL, false, false, 1000 },
	{ "org", "id", NULL, false, false, 500 },
	{ "org_range", "id", NULL, true, false, 1000 },
	{ "net_contact", "id", NULL, true, false, 1000 },
	{ "rpsl_handle", "kind, handle", NULL, false, false, 1000 },
	{ "data_version", "name", NULL, false, true, 100 },
	{ "incident_link", "incident, report, source", NULL, false, false, 1000 },
	/* Analysts come along with their passwords and API tokens; sessions
	 * too, so nobody is logged out by a move. */
	{ "desk_user", "id", NULL, true, false, 500 },
	{ "desk_session", "token_hash", NULL, false, false, 1000 },
	{ "desk_token", "token_hash", NULL, false, false, 1000 },
	{ "net_policy", "id", NULL, true, false, 1000 },
};
#define N_COPY_TABLES (sizeof(copy_tables) / sizeof(copy_tables[0]))
#define COPY_KEYS_MAX 4
_Static_assert(N_COPY_TABLES <= STORE_COPY_TABLES_MAX, "raise STORE_COPY_TABLES_MAX");

static int count_rows(struct store *s, const char *table, int64_t *ret)
{
	char *sql = xasprintf("SELECT count(*) FROM %s", table);
	struct db_res *res = NULL;
	int r = s->ops->query(s->conn, sql, NULL, 0, &res);
	free(sql);
	if (r < 0)
		return r;
	*ret = db_res_int(res, 0, 0);
	db_res_free(res);
	return 0;
}

/* "INSERT INTO t (a, b) VALUES ($1, $2)" for the result's columns but skip. */
static char *insert_sql(const char *table, const struct db_res *res, size_t skip, size_t *ret_n)
{
	struct buf cols, vals;
	buf_init(&cols, 1 << 16);
	buf_init(&vals, 1 << 16);
	size_t n = 0;
	for (size_t j = 0; j < res->cols; j++) {
		if (j == skip)
			continue;
		n++;
		buf_printf(&cols, "%s%s", n > 1 ? ", " : "", res->names[j]);
		buf_printf(&vals, "%s$%zu", n > 1 ? ", " : "", n);
	}
	char *sql = xasprintf("INSERT INTO %s (%s) VALUES (%s)", table, buf_str(&cols), buf_str(&vals));
	buf_free(&cols);
	buf_free(&vals);
	*ret_n = n;
	return sql;
}

struct deferred {
	int64_t key;
	int64_t value;
};

/* Splits "a, b" into the key's column names (pointers into buf). */
static size_t key_columns(const char *key, char *buf, size_t size, const char *cols[COPY_KEYS_MAX])
{
	snprintf(buf, size, "%s", key);
	size_t n = 0;
	for (char *p = buf; *p && n < COPY_KEYS_MAX;) {
		cols[n++] = p;
		char *comma = strchr(p, ',');
		if (!comma)
			break;
		*comma = '\0';
		p = comma + 1;
		while (*p == ' ')
			p++;
	}
	return n;
}

/*
 * Pages through the source in key order. The next page starts after the
 * last row's key, compared as a row value "(a, b) > ($1, $2)" with the
 * values the source returned: integer and text keys, single or composite,
 * the same text on both backends. The source's own collation orders and
 * compares, so the paging is consistent whatever the target's.
 */
static int copy_one(struct store *from, struct store *to, const struct copy_table *t)
{
	char keybuf[128];
	const char *keys[COPY_KEYS_MAX];
	size_t n_keys = key_columns(t->key, keybuf, sizeof(keybuf), keys);
	struct buf placeholders;
	buf_init(&placeholders, 256);
	for (size_t k = 0; k < n_keys; k++)
		buf_printf(&placeholders, "%s$%zu", k ? ", " : "", k + 1);
	char *first = xasprintf("SELECT * FROM %s ORDER BY %s LIMIT %zu", t->name, t->key, t->batch);
	char *next = xasprintf("SELECT * FROM %s WHERE (%s) > (%s) ORDER BY %s LIMIT %zu", t->name, t->key,
			       buf_str(&placeholders), t->key, t->batch);
	buf_free(&placeholders);
	char *insert = NULL;
	size_t n_insert = 0, key_col[COPY_KEYS_MAX] = { 0 }, skip = (size_t)-1, id_col = 0;
	struct db_val *params = NULL;
	struct db_val last[COPY_KEYS_MAX];
	char *last_text[COPY_KEYS_MAX] = { 0 };
	struct deferred *later = NULL;
	size_t n_later = 0, cap_later = 0;
	bool is_first = true;
	int r = 0;
	if (t->is_replaced) {
		char *del = xasprintf("DELETE FROM %s", t->name);
		r = to->ops->query(to->conn, del, NULL, 0, NULL);
		free(del);
		if (r < 0)
			goto out;
	}
	for (;;) {
		struct db_res *res = NULL;
		r = is_first ? from->ops->query(from->conn, first, NULL, 0, &res)
			     : from->ops->query(from->conn, next, last, n_keys, &res);
		if (r < 0)
			goto out;
		if (!insert) {
			for (size_t j = 0; j < res->cols; j++) {
				for (size_t k = 0; k < n_keys; k++)
					if (!strcmp(res->names[j], keys[k]))
						key_col[k] = j;
				if (t->deferred && !strcmp(res->names[j], t->deferred))
					skip = j;
				if (!strcmp(res->names[j], keys[0]))
					id_col = j;
			}
			insert = insert_sql(t->name, res, skip, &n_insert);
			params = xcalloc(res->cols + 1, sizeof(*params));
		}
		for (size_t i = 0; i < res->rows; i++) {
			size_t n = 0;
			for (size_t j = 0; j < res->cols; j++)
				if (j != skip)
					params[n++] = *db_res_cell(res, i, j);
			r = to->ops->query(to->conn, insert, params, n_insert, NULL);
			if (r < 0) {
				db_res_free(res);
				goto out;
			}
			if (skip != (size_t)-1 && db_res_cell(res, i, skip)->type != DB_NULL) {
				later = xgrow(later, &cap_later, n_later + 1, sizeof(*later));
				later[n_later++] = (struct deferred){ db_res_int(res, i, id_col), db_res_int(res, i, skip) };
			}
		}
		size_t rows = res->rows;
		if (rows > 0) {
			/* Keep the last row's key: its text outlives this page. */
			for (size_t k = 0; k < n_keys; k++) {
				free(last_text[k]);
				last_text[k] = NULL;
				last[k] = *db_res_cell(res, rows - 1, key_col[k]);
				if (last[k].type == DB_TEXT || last[k].type == DB_BLOB) {
					last_text[k] = xstrndup(last[k].p, last[k].len);
					last[k].p = last_text[k];
				}
			}
		}
		db_res_free(res);
		is_first = false;
		if (rows < t->batch)
			break;
	}
	if (n_later) {
		char *update = xasprintf("UPDATE %s SET %s = $2 WHERE %s = $1", t->name, t->deferred, t->key);
		for (size_t i = 0; i < n_later && r >= 0; i++)
			r = to->ops->query(to->conn, update,
					   STORE_PARAMS(DB_INT_V(later[i].key), DB_INT_V(later[i].value)), NULL);
		free(update);
		if (r < 0)
			goto out;
	}
	if (t->has_id && to->ops->id_floor)
		r = to->ops->id_floor(to->conn, t->name);
out:
	for (size_t k = 0; k < COPY_KEYS_MAX; k++)
		free(last_text[k]);
	free(first);
	free(next);
	free(insert);
	free(params);
	free(later);
	return r;
}

/* The next ticket number the source would give, so the target continues
 * from there: the counter row (SQLite) or past the highest number. */
static int next_ticket(struct store *s, int64_t *ret)
{
	static const char sql[] =
		"SELECT coalesce((SELECT max(value) FROM seq WHERE name = 'ticket'), 0),"
		" coalesce((SELECT max(number) FROM ticket), 0) + 1";
	struct db_res *res = NULL;
	int r = s->ops->query(s->conn, sql, NULL, 0, &res);
	if (r < 0)
		return r;
	int64_t a = db_res_int(res, 0, 0), b = db_res_int(res, 0, 1);
	*ret = a > b ? a : b;
	db_res_free(res);
	return 0;
}

static int copy_all(struct store *from, struct store *to, struct store_copy_count *ret, size_t *ret_n)
{
	int64_t va = 0, vb = 0;
	int r = store_schema_version(from, &va);
	if (r >= 0)
		r = store_schema_version(to, &vb);
	if (r < 0)
		return r;
	if (va != vb)
		return -EPROTO;	/* both are migrated first; a difference is a newer abusedesk */
	for (size_t i = 0; i < N_COPY_TABLES; i++) {
		int64_t n = 0;
		if (copy_tables[i].is_replaced)
			continue;
		if ((r = count_rows(to, copy_tables[i].name, &n)) < 0)
			return r;
		if (n)
			return -EEXIST;	/* never merge two desks by accident */
	}
	for (size_t i = 0; i < N_COPY_TABLES; i++)
		if ((r = copy_one(from, to, &copy_tables[i])) < 0)
			return r;
	int64_t next = 0;
	if ((r = next_ticket(from, &next)) < 0 || (r = to->ops->seq_floor(to->conn, "ticket", next)) < 0)
		return r;
	for (size_t i = 0; i < N_COPY_TABLES; i++) {
		int64_t a = 0, b = 0;
		if ((r = count_rows(from, copy_tables[i].name, &a)) < 0 ||
		    (r = count_rows(to, copy_tables[i].name, &b)) < 0)
			return r;
		if (a != b)
			return -EIO;
		ret[i] = (struct store_copy_count){ copy_tables[i].name, a };
	}
	*ret_n = N_COPY_TABLES;
	return 0;
}

int store_copy(struct store *from, struct store *to, struct store_copy_count ret[STORE_COPY_TABLES_MAX],
	       size_t *ret_n)
{
	/* The source's transaction keeps writers out (SQLite) while we read. */
	int r = store_begin(from);
	if (r < 0)
		return r;
	if ((r = store_begin(to)) < 0) {
		store_rollback(from);
		return r;
	}
	struct store_copy_count counts[STORE_COPY_TABLES_MAX];
	size_t n = 0;
	r = copy_all(from, to, counts, &n);
	if (r >= 0)
		r = store_commit(to);
	if (r < 0)
		store_rollback(to);
	store_rollback(from);
	if (r < 0)
		return r;
	memcpy(ret, counts, n * sizeof(*counts));
	*ret_n = n;
	return 0;
}
