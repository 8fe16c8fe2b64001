#include "cli/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "mail/tag.h"
#include "util/fmt.h"
#include "util/str.h"
#include "util/xalloc.h"

int cli_exit_code(int r)
{
	switch (-r) {
	case 0: return EX_OK;
	case EINVAL: return EX_USAGE;
	case ENOENT: return EX_NOINPUT;
	case EBADMSG:
	case EMSGSIZE: return EX_DATAERR;
	case EEXIST: return EX_DATAERR;
	case EAGAIN:
	case ENOSPC:
	case EIO:
	case ECONNREFUSED:
	case ETIMEDOUT: return EX_TEMPFAIL;
	case EPROTO: return EX_PROTOCOL;
	case EACCES: return EX_NOPERM;
	default: return EX_SOFTWARE;
	}
}

int cli_fail(int r, const char *fmt, ...)
{
	va_list ap;
	fputs("abusedesk: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return cli_exit_code(r);
}

int cli_config_load(const struct cli *c, struct config *ret, char **ret_error)
{
	struct config cfg;
	config_defaults(&cfg);
	int r = 0;
	if (c->config_path && (r = config_load(c->config_path, &cfg, ret_error)) < 0)
		goto out;
	for (size_t i = 0; i < c->n_sets; i++) {
		char *kv = xstrdup(c->sets[i]);
		char *eq = strchr(kv, '=');
		if (!eq) {
			*ret_error = xasprintf("--set %s: expected section.key=value", kv);
			free(kv);
			r = -EINVAL;
			goto out;
		}
		*eq = '\0';
		char *why = NULL;
		r = config_set(&cfg, kv, eq + 1, &why);
		free(kv);
		if (r < 0) {
			*ret_error = xasprintf("--set: %s", why);
			free(why);
			goto out;
		}
	}
	if (c->db) {
		free(cfg.db);
		cfg.db = xstrdup(c->db);
	}
out:
	if (r < 0) {
		config_free(&cfg);
		return r;
	}
	*ret = cfg;
	return 0;
}

int cli_open_store_url(struct cli *c, const char *url, struct store **ret)
{
	char *err = NULL;
	struct store *s = NULL;
	char *shown = store_url_display(url);
	int r = store_open(url, &s, &err);
	if (r < 0) {
		fprintf(stderr, "abusedesk: cannot open the store %s: %s\n", shown, err ? err : strerror(-r));
		free(err);
		free(shown);
		return r;
	}
	r = store_migrate(s, c->cfg.ticket_base);
	if (r < 0) {
		if (r == -EPROTO)
			fprintf(stderr, "abusedesk: %s was written by a newer abusedesk; refusing to touch it\n", shown);
		else
			fprintf(stderr, "abusedesk: cannot prepare the store %s: %s\n", shown, store_errmsg(s));
		store_close(s);
		free(shown);
		return r;
	}
	free(shown);
	*ret = s;
	return 0;
}

int cli_open_store(struct cli *c, struct store **ret)
{
	return cli_open_store_url(c, c->cfg.db, ret);
}

int cli_ticket_number(struct cli *c, const char *arg, int64_t *ret)
{
	uint64_t n;
	if (cstr_to_u64(arg, TAG_NUMBER_MAX, &n) && n > 0) {
		*ret = (int64_t)n;
		return 0;
	}
	int64_t t;
	if (tag_find(arg, c->cfg.tag, &t)) {
		*ret = t;
		return 0;
	}
	return -EINVAL;
}

void cli_time(int64_t t, char *out, size_t n)
{
	if (t <= 0) {
		snprintf(out, n, "-");
		return;
	}
	char s[FMT_UTC_MAX];
	fmt_utc(t, s);
	snprintf(out, n, "%sZ", s);
}

int64_t cli_now(void)
{
	return (int64_t)time(NULL);
}

void cli_usage(const struct cli_command *cmd, FILE *f)
{
	fprintf(f, "usage: abusedesk [--config FILE] [--db PATH] %s\n\n%s\n", cmd->usage, cmd->summary);
}

bool cli_wants_help(const struct cli *c, const struct cli_command *cmd)
{
	for (int i = 1; i < c->argc; i++) {
		if (!strcmp(c->argv[i], "--"))
			break;
		if (!strcmp(c->argv[i], "-h") || !strcmp(c->argv[i], "--help")) {
			cli_usage(cmd, stdout);
			return true;
		}
	}
	return false;
}
