/*
 * pool: store connections for the request threads. A struct store is one
 * connection and must not be shared by two threads at once, so each
 * request takes one and gives it back. Connections are opened on demand
 * and kept (at most `keep` idle); the pool never blocks.
 */
#pragma once
#include <stddef.h>

#include "store/store.h"

struct store_pool;

struct store_pool *store_pool_new(const char *url, size_t keep);
struct store_pool *store_pool_free(struct store_pool *p);
int store_pool_take(struct store_pool *p, struct store **ret, char **ret_error);
void store_pool_give(struct store_pool *p, struct store *s);
