/*
 * extract: the evidence findings of one report (an .eml file or plain
 * text, "-" for stdin), as `ticket show` would give them, without a store.
 * A file that starts like a message header is read as a message; anything
 * else as plain text (a log file, a pasted report).
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli/cli.h"
#include "evidence/extract.h"
#include "evidence/logfmt/user.h"
#include "evidence/report.h"
#include "mail/mail.h"
#include "util/buf.h"
#include "util/file.h"

/* Whether the text opens with a header field ("Name: value"), as a message does. */
static bool looks_like_message(const char *p, size_t len)
{
	size_t i = 0;
	while (i < len && i < 80 && (char_is_alnum(p[i]) || p[i] == '-'))
		i++;
	return i > 0 && i < len && p[i] == ':';
}

static int run(struct cli *c)
{
	static const struct option opts[] = { { "json", no_argument, 0, 'j' }, { "text", no_argument, 0, 't' }, { 0, 0, 0, 0 } };
	bool as_text = false;
	int o;
	optind = 0;
	while ((o = getopt_long(c->argc, c->argv, "jt", opts, NULL)) != -1) {
		if (o == 'j')
			c->json = true;
		else if (o == 't')
			as_text = true;
		else
			return cli_fail(-EINVAL, "extract: usage: %s", cmd_extract.usage);
	}
	if (optind != c->argc - 1)
		return cli_fail(-EINVAL, "extract: usage: %s", cmd_extract.usage);
	const char *path = c->argv[optind];
	struct buf in;
	buf_init(&in, (size_t)c->cfg.message_size_max);
	int r = strcmp(path, "-") == 0 ? file_read_fd(STDIN_FILENO, &in) : file_read_all(path, in.max, &in);
	if (r < 0) {
		buf_free(&in);
		return cli_fail(r, "extract: %s: cannot read", strcmp(path, "-") == 0 ? "stdin" : path);
	}
	struct received_trust trust;
	if (received_trust_parse(c->cfg.evidence_trusted_relays, &trust) < 0) {
		buf_free(&in);
		return cli_fail(-EINVAL, "extract: evidence.trusted_relays: not a list of addresses or prefixes");
	}
	struct logfmt_user *user = NULL;
	if (*c->cfg.evidence_log_formats_file) {
		char *err = NULL;
		r = logfmt_user_load(c->cfg.evidence_log_formats_file, &user, &err);
		if (r < 0) {
			buf_free(&in);
			r = cli_fail(r, "extract: evidence.log_formats_file: %s", err);
			free(err);
			return r;
		}
	}
	struct evidence_options opt = { .default_offset = (int32_t)c->cfg.evidence_default_utc_offset, .trust = &trust,
					.user_formats = user };
	struct evidence ev;
	mail_init();
	const char *p = in.p ? in.p : "";
	if (!as_text && looks_like_message(p, in.len))
		evidence_extract_message(p, in.len, &opt, &ev);
	else
		evidence_extract_text(p, in.len, &opt, &ev);
	buf_free(&in);
	json_t *j = evidence_json(&ev);
	evidence_free(&ev);
	logfmt_user_free(user);	/* after the JSON: event format names point into it */
	if (c->json) {
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
	} else {
		struct buf out;
		buf_init(&out, 16 * 1024 * 1024);
		evidence_render_text(j, &out);
		fwrite(out.p ? out.p : "", 1, out.len, stdout);
		buf_free(&out);
	}
	json_decref(j);
	return EX_OK;
}

const struct cli_command cmd_extract = {
	"extract", run, "Show what a report holds: sources, destinations, ports, times, counts, checklist.",
	"extract [--json] [--text] FILE|-",
};
