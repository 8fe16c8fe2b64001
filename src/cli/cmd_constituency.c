/*
 * constituency: load the organisations the desk serves from the operator's
 * files (all or nothing), or write them back out.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli/cli.h"
#include "constituency/constituency.h"
#include "util/file.h"
#include "util/xalloc.h"

static int cmd_import(struct cli *c, struct store *s)
{
	if (c->argc < 3)
		return cli_fail(-EINVAL, "constituency import: which files?");
	struct constituency k;
	struct buf errors;
	buf_init(&errors, 1024 * 1024);
	int r = constituency_load((const char *const *)c->argv + 2, (size_t)c->argc - 2, &k, &errors);
	if (r < 0) {
		fputs(buf_str(&errors), stderr);
		buf_free(&errors);
		return cli_fail(r, "constituency import: nothing was loaded; the desk keeps the data it had");
	}
	buf_free(&errors);
	r = constituency_replace(s, &k, getenv("USER") ? getenv("USER") : "cli", cli_now());
	if (r < 0) {
		constituency_free(&k);
		return cli_fail(r, "constituency import: %s; the desk keeps the data it had", store_errmsg(s));
	}
	if (c->json) {
		json_t *j = json_pack("{s:I, s:I}", "organisations", (json_int_t)k.n, "prefixes", (json_int_t)k.n_ranges);
		json_dumpf(j, stdout, JSON_SORT_KEYS);
		putchar('\n');
		json_decref(j);
	} else {
		printf("constituency: %zu organisations with %zu prefixes loaded\n", k.n, k.n_ranges);
	}
	constituency_free(&k);
	return EX_OK;
}

static int cmd_export(struct cli *c, struct store *s)
{
	const char *out = NULL;
	for (int i = 2; i < c->argc; i++) {
		if ((!strcmp(c->argv[i], "-o") || !strcmp(c->argv[i], "--output")) && i + 1 < c->argc)
			out = c->argv[++i];
		else
			return cli_fail(-EINVAL, "constituency export: usage: %s", cmd_constituency.usage);
	}
	struct org *orgs;
	size_t n;
	int r = store_org_list(s, &orgs, &n);
	if (r < 0)
		return cli_fail(r, "constituency export: %s", store_errmsg(s));
	struct buf b;
	buf_init(&b, (size_t)CONSTITUENCY_FILE_MAX * 2);
	constituency_export(orgs, n, &b);
	org_array_free(orgs, n);
	if (out)
		r = file_write_durable(out, b.p ? b.p : "", b.len);
	else
		r = fwrite(b.p ? b.p : "", 1, b.len, stdout) == b.len ? 0 : -EIO;
	buf_free(&b);
	if (r < 0)
		return cli_fail(r, "constituency export: cannot write %s: %s", out ? out : "stdout", strerror(-r));
	return EX_OK;
}

static int run(struct cli *c)
{
	if (c->argc < 2 || (strcmp(c->argv[1], "import") && strcmp(c->argv[1], "export")))
		return cli_fail(-EINVAL, "constituency: usage: %s", cmd_constituency.usage);
	struct store *s;
	int r = cli_open_store(c, &s);
	if (r < 0)
		return cli_exit_code(r);
	int code = !strcmp(c->argv[1], "import") ? cmd_import(c, s) : cmd_export(c, s);
	store_close(s);
	return code;
}

const struct cli_command cmd_constituency = {
	"constituency", run,
	"Load the organisations the desk serves (all files or nothing), or write them out.",
	"constituency import FILE... [--json]\n       constituency export [-o FILE]",
};
