/*
 * deliver: the MTA's pipe hands us one message on stdin.
 *
 * Store first, parse later: the raw bytes and envelope are committed before
 * we exit 0, whatever the bytes are. Exit 75 (EX_TEMPFAIL) when they could
 * not be committed, so the MTA keeps the message and retries; 65
 * (EX_DATAERR) only for a message over desk.message_size_max.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/buf.h"
#include "util/escape.h"
#include "util/file.h"
#include "util/log.h"
#include "util/xalloc.h"

#define DELIVER_RECIPIENTS_MAX 1000

static int run(struct cli *c)
{
	const char *sender = NULL;
	struct buf rcpts;
	buf_init(&rcpts, DELIVER_RECIPIENTS_MAX * 256);
	static const struct option opts[] = {
		{ "sender", required_argument, 0, 's' },
		{ "recipient", required_argument, 0, 'r' },
		{ 0, 0, 0, 0 },
	};
	int o;
	optind = 0;
	while ((o = getopt_long(c->argc, c->argv, "s:r:", opts, NULL)) != -1) {
		switch (o) {
		case 's': sender = optarg; break;
		case 'r':
			if (rcpts.len)
				buf_append_char(&rcpts, ',');
			if (buf_append_str(&rcpts, optarg) < 0) {
				buf_free(&rcpts);
				return cli_fail(-EINVAL, "deliver: too many recipients");
			}
			break;
		default: buf_free(&rcpts); return EX_USAGE;
		}
	}
	if (optind < c->argc) {
		buf_free(&rcpts);
		return cli_fail(-EINVAL, "deliver: unexpected argument '%s' (the message comes on stdin)", c->argv[optind]);
	}
	/* Postfix passes the null sender as an empty ${sender}; we keep it
	 * as "<>" so that "unknown" (no --sender) stays distinguishable. */
	char *env_from = xstrdup(!sender ? "" : *sender ? sender : "<>");

	struct buf msg;
	buf_init(&msg, (size_t)c->cfg.message_size_max);
	int r = file_read_fd(STDIN_FILENO, &msg);
	if (r == -EMSGSIZE) {
		r = cli_fail(-EMSGSIZE, "deliver: message larger than the limit of %lld bytes; not accepted",
			     (long long)c->cfg.message_size_max);
		goto out;
	}
	if (r < 0) {
		r = cli_fail(r, "deliver: cannot read the message from stdin; try again later");
		goto out;
	}

	struct store *s;
	r = cli_open_store(c, &s);
	if (r < 0) {
		r = cli_exit_code(r == -EINVAL || r == -EPROTO ? -EIO : r);
		goto out;
	}
	int64_t id = 0;
	bool dup = false;
	r = store_inbound_add(s, msg.p ? msg.p : "", msg.len, env_from, buf_str(&rcpts), cli_now(), &id, &dup);
	if (r < 0) {
		/* Whatever went wrong, the MTA still holds the message: ask it to
		 * try again rather than bounce a report. */
		log_err("deliver: cannot store the message (%s); the MTA will retry", store_errmsg(s));
		store_close(s);
		r = EX_TEMPFAIL;
		goto out;
	}
	store_close(s);
	char *from = escape_dup(str_from(env_from), ESCAPE_QUOTE_MAX);
	log_info("queued message %lld: %zu bytes from %s%s", (long long)id, msg.len, from,
		 dup ? " (a repeat of one already stored; kept once)" : "");
	free(from);
	r = EX_OK;
out:
	free(env_from);
	buf_free(&msg);
	buf_free(&rcpts);
	return r;
}

const struct cli_command cmd_deliver = {
	"deliver", run,
	"Store one message from stdin in the inbound queue (for the MTA's pipe transport).",
	"deliver [--sender ADDR] [--recipient ADDR]... < message",
};
