#include "testdb.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/xalloc.h"

static char why[256];

bool testdb_is_pg(void)
{
	const char *b = getenv("ABUSEDESK_TEST_DB");
	return b && !strncmp(b, "postgres", 8);
}

const char *testdb_why(void)
{
	return why;
}

/* base with its database name replaced: scheme://authority/NAME?params */
static char *with_dbname(const char *base, const char *name)
{
	const char *q = strchr(base, '?');
	size_t end = q ? (size_t)(q - base) : strlen(base);
	size_t slash = end;
	while (slash > 0 && base[slash - 1] != '/')
		slash--;
	return xasprintf("%.*s%s%s", (int)slash, base, name, q ? q : "");
}

static int run_sql(const char *url, const char *sql)
{
	PGconn *db = PQconnectdb(url);
	int r = -1;
	if (PQstatus(db) == CONNECTION_OK) {
		PGresult *res = PQexec(db, sql);
		ExecStatusType st = PQresultStatus(res);
		r = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : -1;
		if (r < 0)
			snprintf(why, sizeof(why), "%s: %s", sql, PQresultErrorMessage(res));
		PQclear(res);
	} else {
		snprintf(why, sizeof(why), "cannot reach the test cluster: %s", PQerrorMessage(db));
	}
	PQfinish(db);
	return r;
}

char *testdb_url(void)
{
	static unsigned counter;
	if (testdb_is_pg()) {
		const char *base = getenv("ABUSEDESK_TEST_PG");
		if (!base || !*base) {
			snprintf(why, sizeof(why),
				 "no PostgreSQL cluster for suite 'pg': run eval \"$(tests/pg/pg-start.sh)\" first");
			return NULL;
		}
		char name[64];
		snprintf(name, sizeof(name), "t_%ld_%u_%ld", (long)getpid(), counter++, (long)random() % 100000);
		char *sql = xasprintf("CREATE DATABASE %s", name);
		int r = run_sql(base, sql);
		free(sql);
		if (r < 0)
			return NULL;
		return with_dbname(base, name);
	}
	char tmpl[] = "/tmp/abusedesk-test.XXXXXX";
	if (!mkdtemp(tmpl)) {
		snprintf(why, sizeof(why), "mkdtemp failed");
		return NULL;
	}
	return xasprintf("%s/abusedesk.db", tmpl);
}

void testdb_drop(char *url)
{
	if (!url)
		return;
	if (!strncmp(url, "postgres", 8)) {
		const char *base = getenv("ABUSEDESK_TEST_PG");
		const char *q = strchr(url, '?');
		size_t end = q ? (size_t)(q - url) : strlen(url);
		size_t slash = end;
		while (slash > 0 && url[slash - 1] != '/')
			slash--;
		char *sql = xasprintf("DROP DATABASE IF EXISTS %.*s WITH (FORCE)", (int)(end - slash), url + slash);
		if (base)
			run_sql(base, sql);
		free(sql);
	} else {
		const char *suffixes[] = { "", "-wal", "-shm", "-journal" };
		for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
			char *p = xasprintf("%s%s", url, suffixes[i]);
			unlink(p);
			free(p);
		}
		char *slash = strrchr(url, '/');
		if (slash) {
			*slash = '\0';
			rmdir(url);
		}
	}
	free(url);
}

int testdb_pg_cut_sessions(const char *url)
{
	const char *q = strchr(url, '?');
	size_t end = q ? (size_t)(q - url) : strlen(url);
	size_t slash = end;
	while (slash > 0 && url[slash - 1] != '/')
		slash--;
	char *sql = xasprintf("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
			      " WHERE datname = '%.*s' AND pid <> pg_backend_pid()",
			      (int)(end - slash), url + slash);
	int r = run_sql(url, sql);
	free(sql);
	return r;
}

int testdb_exec(const char *url, const char *sql)
{
	if (!strncmp(url, "postgres", 8))
		return run_sql(url, sql);
	sqlite3 *db = NULL;
	char *err = NULL;
	int rc = sqlite3_open(url, &db);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, sql, NULL, NULL, &err);
	if (rc != SQLITE_OK)
		snprintf(why, sizeof(why), "%s: %s", sql, err ? err : sqlite3_errmsg(db));
	sqlite3_free(err);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}
