/*
 * web: the web desk alone (UI and JSON API on http.listen), for a separate
 * UI node; `serve` starts the same server beside the LMTP listener.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli/cli.h"
#include "http/http.h"
#include "util/log.h"

static int run(struct cli *c)
{
	if (c->argc > 1)
		return cli_fail(-EINVAL, "web takes no arguments (set http.listen with --set or the config)");
	struct store *s;
	int r = cli_open_store(c, &s);	/* brings the schema up to date once */
	if (r < 0)
		return cli_exit_code(r);
	store_close(s);

	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	/* Blocked before the server's threads start, so they inherit the mask
	 * and only sigwait() below sees the signals. */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct http_server *srv = NULL;
	char *err = NULL;
	r = http_server_start(&c->cfg, &srv, &err);
	if (r < 0) {
		int code = cli_fail(r, "web: %s", err ? err : strerror(-r));
		free(err);
		return code;
	}
	const char *colon = strrchr(c->cfg.http_listen, ':');
	log_info("web desk listening on http://%.*s:%u/ (store %s)", (int)(colon - c->cfg.http_listen),
		 c->cfg.http_listen, http_server_port(srv), c->cfg.db);
	int sig = 0;
	sigwait(&set, &sig);
	log_info("web desk stopping (signal %d)", sig);
	http_server_stop(srv);
	return EX_OK;
}

const struct cli_command cmd_web = {
	"web", run, "Serve the web desk (UI and JSON API) on http.listen until stopped.", "web",
};
