/*
 * config: prints the effective configuration as an INI file with every key
 * documented, a starting point for an operator's own file.
 */
#include <errno.h>
#include <sysexits.h>

#include "cli/cli.h"

static int run(struct cli *c)
{
	if (c->argc > 1)
		return cli_fail(-EINVAL, "config takes no arguments");
	config_dump(&c->cfg, stdout);
	return EX_OK;
}

const struct cli_command cmd_config = {
	"config", run, "Print the effective configuration, every key with its documentation.", "config",
};
