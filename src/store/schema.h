/*
 * schema: the database schema as migrations, one text for every backend.
 * Internal to store/.
 */
#pragma once
#include <stddef.h>

#include "store/db.h"

extern const char *const schema_migrations[];
extern const size_t schema_migrations_count;

/* The migration text with the dialect's types filled in (heap string). */
char *schema_render(const char *sql, const struct db_ops *ops);
