/*
 * cli: the command-line front end. One file per subcommand; each is a thin
 * layer over the library that parses options, calls it, prints, and maps
 * the result to an exit code through cli_exit_code() (the only place that
 * decides one).
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config/config.h"
#include "store/store.h"

struct cli {
	struct config cfg;
	const char *config_path;	/* NULL: defaults only */
	const char *const *sets;	/* --set section.key=value, in order */
	size_t n_sets;
	const char *db;			/* --db, or NULL */
	bool json;
	int argc;			/* the subcommand's own arguments, argv[0] its name */
	char **argv;
};

struct cli_command {
	const char *name;
	int (*run)(struct cli *c);
	const char *summary;
	const char *usage;
};

/* The configuration as the command line asked for it: defaults, then the
 * file, then each --set, then --db. Used at start and by serve's reload.
 * -EINVAL with the reason in ret_error; ret is untouched then. */
int cli_config_load(const struct cli *c, struct config *ret, char **ret_error);
struct pipeline_result;
struct outbox_item;
/* The one log line for a processed message (process and serve). */
void cli_log_processed(const struct pipeline_result *r);
/* flush_report_fn: the one log line per send attempt (outbox flush, serve). */
void cli_outbox_report(void *user, const struct outbox_item *it, int r, const char *error, int64_t next_try);
/* -errno -> sysexits.h code. */
int cli_exit_code(int r);
/* Prints "abusedesk: what: why" on stderr and returns the exit code. */
int cli_fail(int r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Opens the configured store and brings its schema up to date. */
int cli_open_store(struct cli *c, struct store **ret);
/* The same for another store than the configured one (migrate). */
int cli_open_store_url(struct cli *c, const char *url, struct store **ret);
/* Reads a ticket number ("100001" or "[TAG#100001]") from an argument. */
int cli_ticket_number(struct cli *c, const char *arg, int64_t *ret);
/* "2026-11-22 14:03:01Z" in out (at least 32 bytes). */
void cli_time(int64_t t, char *out, size_t n);
int64_t cli_now(void);
void cli_usage(const struct cli_command *cmd, FILE *f);
/* True when argv has -h/--help; prints usage on stdout then. */
bool cli_wants_help(const struct cli *c, const struct cli_command *cmd);

extern const struct cli_command cmd_init, cmd_deliver, cmd_process, cmd_ticket, cmd_outbox, cmd_config, cmd_serve,
	cmd_migrate, cmd_extract;
extern const struct cli_command cmd_constituency, cmd_contacts, cmd_lookup, cmd_incident;
extern const struct cli_command cmd_scans, cmd_report;
extern const struct cli_command cmd_user;
