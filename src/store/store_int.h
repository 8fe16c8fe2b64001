/*
 * store_int: what the store's own files share (store.c, store_copy.c).
 * Not used outside this folder.
 */
#pragma once
#include "store/db.h"

struct store {
	const struct db_ops *ops;
	void *conn;
};

#define STORE_PARAMS(...) (const struct db_val[]){ __VA_ARGS__ }, sizeof((const struct db_val[]){ __VA_ARGS__ }) / sizeof(struct db_val)
