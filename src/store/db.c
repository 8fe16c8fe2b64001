#include "store/db.h"

#include <stdlib.h>

#include "util/xalloc.h"

struct db_res *db_res_free(struct db_res *res)
{
	if (!res)
		return NULL;
	for (size_t i = 0; i < res->rows * res->cols; i++)
		free((char *)res->cells[i].p);
	free(res->cells);
	for (size_t i = 0; res->names && i < res->cols; i++)
		free(res->names[i]);
	free(res->names);
	free(res);
	return NULL;
}

const struct db_val *db_res_cell(const struct db_res *res, size_t row, size_t col)
{
	static const struct db_val null_val = { .type = DB_NULL };
	if (!res || row >= res->rows || col >= res->cols)
		return &null_val;
	return &res->cells[row * res->cols + col];
}

int64_t db_res_int(const struct db_res *res, size_t row, size_t col)
{
	const struct db_val *v = db_res_cell(res, row, col);
	if (v->type == DB_INT)
		return v->i;
	if (v->type == DB_TEXT) {
		/* PostgreSQL hands every value back as text. */
		return strtoll(v->p, NULL, 10);
	}
	return 0;
}

const char *db_res_text(const struct db_res *res, size_t row, size_t col)
{
	const struct db_val *v = db_res_cell(res, row, col);
	return (v->type == DB_TEXT || v->type == DB_BLOB) && v->p ? v->p : "";
}

char *db_res_take(struct db_res *res, size_t row, size_t col, size_t *ret_len)
{
	if (!res || row >= res->rows || col >= res->cols) {
		if (ret_len)
			*ret_len = 0;
		return xstrdup("");
	}
	struct db_val *v = &res->cells[row * res->cols + col];
	char *p = (char *)v->p;
	size_t len = v->len;
	if (!p) {
		p = xstrdup("");
		len = 0;
	}
	v->p = NULL;
	v->len = 0;
	v->type = DB_NULL;
	if (ret_len)
		*ret_len = len;
	return p;
}
