/*
 * user: the desk's analysts. `user add NAME [--admin]` prints a one-time
 * password (or takes one typed on a terminal with --prompt); `user passwd
 * NAME` sets a new one the same way and clears a lock-out.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/secret.h"

static int prompt_password(char *out, size_t n)
{
	if (!isatty(STDIN_FILENO))
		return -EINVAL;
	struct termios old, quiet;
	tcgetattr(STDIN_FILENO, &old);
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	fprintf(stderr, "password (at least %d characters): ", SECRET_PASSWORD_MIN);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	char *ok = fgets(out, (int)n, stdin);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	fputc('\n', stderr);
	if (!ok)
		return -EINVAL;
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}

/* The password: typed (--prompt) or generated and printed once. */
static int new_password(bool prompt, char *pw, size_t n, char **ret_hash)
{
	if (prompt) {
		if (prompt_password(pw, n) < 0)
			return -EINVAL;
	} else {
		char gen[21];
		secret_random_password(gen);
		snprintf(pw, n, "%s", gen);
	}
	return secret_password_hash(pw, ret_hash);
}

static int run(struct cli *c)
{
	const char *sub = c->argc > 1 ? c->argv[1] : "";
	const char *name = c->argc > 2 ? c->argv[2] : NULL;
	bool admin = false, prompt = false;
	for (int i = 3; i < c->argc; i++) {
		if (!strcmp(c->argv[i], "--admin"))
			admin = true;
		else if (!strcmp(c->argv[i], "--prompt"))
			prompt = true;
		else
			return cli_fail(-EINVAL, "user: unknown option %s", c->argv[i]);
	}
	bool add = !strcmp(sub, "add"), passwd = !strcmp(sub, "passwd");
	if ((!add && !passwd) || !name || !*name || strlen(name) > 64 || strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@") != strlen(name))
		return cli_fail(-EINVAL, "usage: abusedesk %s (NAME: letters, digits, ._-@)", cmd_user.usage);
	char pw[SECRET_PASSWORD_MAX + 2];
	char *hash = NULL;
	int r = new_password(prompt, pw, sizeof(pw), &hash);
	if (r < 0)
		return cli_fail(r, "user: %s", prompt ? "a password of 10 to 1024 characters, typed on a terminal" : "cannot hash");
	struct store *s;
	if ((r = cli_open_store(c, &s)) < 0) {
		free(hash);
		return cli_exit_code(r);
	}
	int64_t now = (int64_t)time(NULL);
	const char *who = getenv("USER");
	r = store_begin(s);
	if (r >= 0)
		r = add ? store_user_add(s, name, admin ? USER_ADMIN : USER_ANALYST, hash, now, NULL)
			: store_user_set_password(s, name, hash);
	if (r >= 0)
		r = store_audit_add(s, 0, who ? who : "cli", add ? "user-add" : "user-passwd", name, now);
	r = r < 0 ? r : store_commit(s);
	if (r < 0)
		store_rollback(s);
	free(hash);
	int code = EX_OK;
	if (r == -EEXIST)
		code = cli_fail(r, "user %s exists (use 'user passwd %s')", name, name);
	else if (r == -ENOENT)
		code = cli_fail(r, "no user %s", name);
	else if (r < 0)
		code = cli_fail(r, "user: %s", store_errmsg(s));
	else if (prompt)
		printf("%s %s\n", add ? "added" : "password changed for", name);
	else
		printf("%s %s%s; one-time password: %s\n", add ? "added" : "new password for", name,
		       add && admin ? " (admin)" : "", pw);
	store_close(s);
	return code;
}

const struct cli_command cmd_user = {
	"user", run, "Add an analyst or set a password for the web desk.",
	"user add NAME [--admin] [--prompt] | user passwd NAME [--prompt]",
};
