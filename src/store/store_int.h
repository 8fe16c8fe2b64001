/*
 * store_int: what the store's own files share (store.c, store_copy.c).
 * Not used outside this folder.
 */
#pragma once
#include "store/db.h"

struct store {
	const struct db_ops *ops;
	void *conn;
	/* The row-claiming queries with the dialect's claim_suffix, built once
	 * per store so their address (the statement cache key) stays put. */
	char *inbound_pick_sql;
	char *outbox_pick_sql;
};

#define STORE_PARAMS(...) (const struct db_val[]){ __VA_ARGS__ }, sizeof((const struct db_val[]){ __VA_ARGS__ }) / sizeof(struct db_val)
