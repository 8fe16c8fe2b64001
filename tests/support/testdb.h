/*
 * testdb: a fresh, empty store for one test, on the backend this run is for.
 *
 * Every store-touching test runs twice (tests/unit/meson.build,
 * tests/e2e/meson.build): suite 'unit'/'e2e' on SQLite, suite 'pg' on
 * PostgreSQL. The run says which in the environment:
 *   ABUSEDESK_TEST_DB   "sqlite" (or unset) | "postgresql"  (set by meson)
 *   ABUSEDESK_TEST_PG   the throwaway cluster's URL, from
 *                       eval "$(tests/pg/pg-start.sh)"     (check.sh does it)
 * On SQLite testdb_url() is a new file in a new temporary directory; on
 * PostgreSQL a new database on the cluster (CREATE DATABASE), so tests
 * running in parallel never see each other's rows.
 *
 * Use:  char *url = testdb_url(); if (!url) cr_skip_test("%s", testdb_why());
 *       store_open(url, ...) ... testdb_drop(url);
 */
#pragma once
#include <stdbool.h>

/* Heap URL of a fresh empty store; NULL when this run cannot have one
 * (PostgreSQL asked for but no cluster given): testdb_why() says why. */
char *testdb_url(void);
const char *testdb_why(void);
/* Removes the store (file or database) and frees url. NULL is fine. */
void testdb_drop(char *url);
bool testdb_is_pg(void);
/* Runs SQL (one or more statements, no parameters) on url's store, behind
 * the store door: tests use it to set traps the door cannot (a trigger
 * that makes an update fail). The caller writes the dialect of
 * testdb_is_pg(). 0 or -1 (testdb_why() says why). */
int testdb_exec(const char *url, const char *sql);
/* PostgreSQL only: ends every session on url's database from the server
 * side, as a server restart or a network cut would. 0 or -1. */
int testdb_pg_cut_sessions(const char *url);
