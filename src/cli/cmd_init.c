#include "cli/cli.h"

#include <errno.h>
#include <sysexits.h>

static int run(struct cli *c)
{
	if (c->argc > 1)
		return cli_fail(-EINVAL, "init takes no arguments");
	struct store *s;
	int r = cli_open_store(c, &s);
	if (r < 0)
		return cli_exit_code(r);
	int64_t v = 0;
	store_schema_version(s, &v);
	printf("abusedesk: store %s (%s) ready at schema version %lld\n", c->cfg.db, store_backend_name(s), (long long)v);
	store_close(s);
	return EX_OK;
}

const struct cli_command cmd_init = {
	"init", run, "Create the store, or bring its schema up to date.", "init",
};
