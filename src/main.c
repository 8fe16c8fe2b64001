/*
 * abusedesk: one executable, one subcommand per file under cli/.
 *
 * Global options (--config FILE, --db URL, --json, --set section.key=value)
 * may stand anywhere before "--"; they are taken out of argv here so each
 * subcommand sees only its own arguments.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli/cli.h"
#include "util/log.h"
#include "util/xalloc.h"

static const struct cli_command *const commands[] = {
	&cmd_init, &cmd_deliver, &cmd_process, &cmd_serve, &cmd_ticket, &cmd_outbox, &cmd_config, &cmd_extract,
	&cmd_constituency, &cmd_contacts, &cmd_lookup, &cmd_incident, &cmd_scans, &cmd_report, &cmd_migrate, &cmd_user,
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f,
		"usage: abusedesk [--config FILE] [--db PATH] [--json] COMMAND [ARGS]\n\n"
		"An abuse-report desk for network CSIRTs.\n\ncommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(f, "\n'abusedesk COMMAND --help' tells more. Without --config every setting has\n"
		   "its default (see 'abusedesk config'); ABUSEDESK_CONFIG names a file too.\n");
}

/* Removes argv[i] and, when takes_value, argv[i+1]. */
static void drop(int *argc, char **argv, int i, int n)
{
	memmove(&argv[i], &argv[i + n], (size_t)(*argc - i - n + 1) * sizeof(char *));
	*argc -= n;
}

int main(int argc, char **argv)
{
	struct cli c = { 0 };
	const char *db = NULL;
	char **sets = xcalloc((size_t)argc + 1, sizeof(char *));
	size_t n_sets = 0;
	for (int i = 1; i < argc;) {
		const char *a = argv[i];
		if (!strcmp(a, "--"))
			break;
		const char *val = NULL;
		int n = 0;
		if (!strcmp(a, "--config") || !strcmp(a, "--db") || !strcmp(a, "--set")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "abusedesk: %s needs a value\n", a);
				free(sets);
				return EX_USAGE;
			}
			val = argv[i + 1];
			n = 2;
		} else if (!strncmp(a, "--config=", 9) || !strncmp(a, "--db=", 5) || !strncmp(a, "--set=", 6)) {
			val = strchr(a, '=') + 1;
			n = 1;
		} else if (!strcmp(a, "--json")) {
			c.json = true;
			drop(&argc, argv, i, 1);
			continue;
		} else {
			i++;
			continue;
		}
		if (!strncmp(a, "--config", 8))
			c.config_path = val;
		else if (!strncmp(a, "--db", 4))
			db = val;
		else
			sets[n_sets++] = (char *)val;
		drop(&argc, argv, i, n);
	}
	if (!c.config_path)
		c.config_path = getenv("ABUSEDESK_CONFIG");

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		free(sets);
		return argc < 2 ? EX_USAGE : EX_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("abusedesk %s\n", ABUSEDESK_VERSION);
		free(sets);
		return EX_OK;
	}
	const struct cli_command *cmd = NULL;
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (!strcmp(argv[1], commands[i]->name))
			cmd = commands[i];
	if (!cmd) {
		fprintf(stderr, "abusedesk: unknown command '%s' (try 'abusedesk --help')\n", argv[1]);
		free(sets);
		return EX_USAGE;
	}

	c.sets = (const char *const *)sets;
	c.n_sets = n_sets;
	c.db = db;
	char *err = NULL;
	if (cli_config_load(&c, &c.cfg, &err) < 0) {
		fprintf(stderr, "abusedesk: %s\n", err);
		free(err);
		free(sets);
		return EX_CONFIG;
	}
	enum log_level level;
	if (log_level_from_string(c.cfg.log_level, &level) == 0)
		log_set_level(level);
	if (c.cfg.log_syslog)
		log_open_syslog("abusedesk");

	c.argc = argc - 1;
	c.argv = argv + 1;
	int code = cli_wants_help(&c, cmd) ? EX_OK : cmd->run(&c);
	config_free(&c.cfg);
	free(sets);
	return code;
}
