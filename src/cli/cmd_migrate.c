/*
 * migrate: moves the whole desk from one store to another, typically from
 * the SQLite file to PostgreSQL when the desk grows past one machine.
 * Both stores are brought to the current schema, every row is copied with
 * its numbers and ids (store_copy), and the row counts are compared before
 * the target commits. The target must be empty; the source is not changed.
 * Stop the desk (MTA delivery, process, serve) while it runs.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli/cli.h"

static int run(struct cli *c)
{
	static const struct option opts[] = {
		{ "from", required_argument, 0, 'f' },
		{ "to", required_argument, 0, 't' },
		{ 0, 0, 0, 0 },
	};
	const char *from = c->cfg.db, *to = NULL;
	int o;
	optind = 0;
	while ((o = getopt_long(c->argc, c->argv, "f:t:", opts, NULL)) != -1) {
		if (o == 'f')
			from = optarg;
		else if (o == 't')
			to = optarg;
		else
			return cli_fail(-EINVAL, "migrate: usage: %s", cmd_migrate.usage);
	}
	if (!to || optind != c->argc)
		return cli_fail(-EINVAL, "migrate: usage: %s", cmd_migrate.usage);
	if (!strcmp(from, to))
		return cli_fail(-EINVAL, "migrate: --from and --to name the same store");
	struct store *src = NULL, *dst = NULL;
	int r = cli_open_store_url(c, from, &src);
	if (r < 0)
		return cli_exit_code(r);
	r = cli_open_store_url(c, to, &dst);
	if (r < 0) {
		store_close(src);
		return cli_exit_code(r);
	}
	struct store_copy_count counts[STORE_COPY_TABLES_MAX];
	size_t n = 0;
	r = store_copy(src, dst, counts, &n);
	char *shown_from = store_url_display(from), *shown_to = store_url_display(to);
	int code = EX_OK;
	if (r == -EEXIST) {
		code = cli_fail(r, "migrate: %s already holds a desk; migrate only into an empty store", shown_to);
	} else if (r < 0) {
		code = cli_fail(r, "migrate: %s -> %s failed (%s / %s); nothing was committed", shown_from, shown_to,
				store_errmsg(src), store_errmsg(dst));
	} else if (c->json) {
		json_t *j = json_object();
		for (size_t i = 0; i < n; i++)
			json_object_set_new(j, counts[i].table, json_integer((json_int_t)counts[i].rows));
		json_t *top = json_pack("{s:s, s:s, s:o}", "from", store_backend_name(src), "to", store_backend_name(dst),
					"rows", j);
		json_dumpf(top, stdout, JSON_SORT_KEYS);
		putchar('\n');
		json_decref(top);
	} else {
		printf("migrated %s (%s) -> %s (%s), row counts verified:\n", shown_from, store_backend_name(src), shown_to,
		       store_backend_name(dst));
		for (size_t i = 0; i < n; i++)
			printf("  %-10s %lld\n", counts[i].table, (long long)counts[i].rows);
	}
	free(shown_from);
	free(shown_to);
	store_close(dst);
	store_close(src);
	return code;
}

const struct cli_command cmd_migrate = {
	"migrate", run,
	"Copy the whole desk into another, empty store (e.g. SQLite -> PostgreSQL) and verify the counts.",
	"migrate [--from URL] --to URL    (--from defaults to the configured store)",
};
