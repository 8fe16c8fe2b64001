/*
 * ticket: list, show and act on tickets.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli/cli.h"
#include "evidence/report.h"
#include "mail/tag.h"
#include "pipeline/outbound.h"
#include "pipeline/templates.h"
#include "util/buf.h"
#include "util/escape.h"
#include "util/file.h"
#include "util/xalloc.h"

#define REPLY_TEXT_MAX (256 * 1024)

static json_t *ticket_json(const struct config *cfg, const struct ticket *t)
{
	char *tag = tag_format(cfg->tag, t->number);
	json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:I, s:I, s:I}",
			      "number", (json_int_t)t->number, "tag", tag, "kind", ticket_kind_name(t->kind), "status",
			      ticket_status_name(t->status), "subject", t->subject, "reporter", t->reporter,
			      "classification", t->classification, "ack", t->ack, "ack_note", t->ack_note,
			      "needs_analyst", t->needs_analyst, "created_at", (json_int_t)t->created_at, "updated_at",
			      (json_int_t)t->updated_at, "messages", (json_int_t)t->n_messages);
	json_object_set_new(j, "merged_into", t->merged_into ? json_integer(t->merged_into) : json_null());
	free(tag);
	return j;
}

static void print_json(json_t *j)
{
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	putchar('\n');
	json_decref(j);
}

/* Writes a stranger's text to the terminal with control bytes escaped. */
static void put_text(const char *s, size_t cap)
{
	char *e = escape_dup(str_from(s), cap);
	fputs(e, stdout);
	free(e);
}

static int cmd_list(struct cli *c, struct store *s)
{
	static const struct option opts[] = {
		{ "status", required_argument, 0, 's' },
		{ "kind", required_argument, 0, 'k' },
		{ "limit", required_argument, 0, 'n' },
		{ "all", no_argument, 0, 'a' },
		{ 0, 0, 0, 0 },
	};
	struct ticket_filter f = { .status = "active" };
	uint64_t limit = 100;
	int o;
	optind = 0;
	while ((o = getopt_long(c->argc - 1, c->argv + 1, "s:k:n:a", opts, NULL)) != -1) {
		enum ticket_status st;
		enum ticket_kind k;
		switch (o) {
		case 's':
			if (strcmp(optarg, "active") && strcmp(optarg, "any") && ticket_status_from_name(optarg, &st) < 0)
				return cli_fail(-EINVAL, "ticket list: --status is new, open, resolved, rejected, active or any");
			f.status = strcmp(optarg, "any") ? optarg : NULL;
			break;
		case 'k':
			if (ticket_kind_from_name(optarg, &k) < 0)
				return cli_fail(-EINVAL, "ticket list: --kind is report or incident");
			f.kind = optarg;
			break;
		case 'n':
			if (!cstr_to_u64(optarg, STORE_LIST_MAX, &limit) || limit == 0)
				return cli_fail(-EINVAL, "ticket list: --limit is 1 to %d", STORE_LIST_MAX);
			break;
		case 'a': f.status = NULL; break;
		default: return EX_USAGE;
		}
	}
	f.limit = (size_t)limit;
	struct ticket *a;
	size_t n;
	int r = store_ticket_list(s, &f, &a, &n);
	if (r < 0)
		return cli_fail(r, "ticket list: %s", store_errmsg(s));
	if (c->json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, ticket_json(&c->cfg, &a[i]));
		print_json(arr);
	} else if (n == 0) {
		printf("no tickets%s\n", f.status ? " (try --status any)" : "");
	} else {
		printf("%-10s %-9s %-8s %4s  %-20s %s\n", "TICKET", "STATUS", "KIND", "MSGS", "CREATED", "SUBJECT");
		for (size_t i = 0; i < n; i++) {
			char when[32];
			cli_time(a[i].created_at, when, sizeof(when));
			printf("%-10lld %-9s %-8s %4lld  %-20s ", (long long)a[i].number, ticket_status_name(a[i].status),
			       ticket_kind_name(a[i].kind), (long long)a[i].n_messages, when);
			put_text(a[i].subject, 70);
			if (a[i].needs_analyst)
				fputs("  [needs analyst]", stdout);
			putchar('\n');
		}
	}
	ticket_array_free(a, n);
	return EX_OK;
}

static int need_number(struct cli *c, int idx, int64_t *ret)
{
	if (c->argc <= idx)
		return cli_fail(-EINVAL, "ticket %s: which ticket? (a number like 100001)", c->argv[1]);
	if (cli_ticket_number(c, c->argv[idx], ret) < 0)
		return cli_fail(-EINVAL, "ticket %s: '%s' is not a ticket number", c->argv[1], c->argv[idx]);
	return 0;
}

static int get_ticket(struct store *s, int64_t n, struct ticket *t)
{
	int r = store_ticket_get(s, n, t);
	if (r == -ENOENT)
		return cli_fail(r, "ticket %lld does not exist", (long long)n);
	if (r < 0)
		return cli_fail(r, "ticket %lld: %s", (long long)n, store_errmsg(s));
	return 0;
}

static int cmd_show(struct cli *c, struct store *s)
{
	int64_t n;
	int code = need_number(c, 2, &n);
	if (code)
		return code;
	struct ticket t;
	if ((code = get_ticket(s, n, &t)))
		return code;
	struct message *msgs = NULL;
	size_t nm = 0;
	struct outbox_item *box = NULL;
	size_t nb = 0;
	int r = store_ticket_messages(s, n, &msgs, &nm);
	struct outbox_filter of = { .ticket = n };
	if (r >= 0)
		r = store_outbox_list(s, &of, &box, &nb);
	if (r < 0) {
		ticket_clear(&t);
		message_array_free(msgs, nm);
		return cli_fail(r, "ticket show: %s", store_errmsg(s));
	}
	/* The newest evidence report of the ticket, if any was extracted. */
	char *evtext = NULL;
	json_t *evj = NULL;
	if (store_evidence_latest(s, n, &evtext) == 0) {
		json_error_t jerr;
		evj = json_loads(evtext, 0, &jerr);
	}
	free(evtext);
	/* A parked or unparsable message is shown from its raw bytes. */
	for (size_t i = 0; i < nm; i++) {
		struct message full;
		if (msgs[i].state == MESSAGE_PARKED && store_message_get(s, msgs[i].id, true, &full) == 0) {
			message_clear(&msgs[i]);
			msgs[i] = full;
		}
	}
	if (c->json) {
		json_t *j = ticket_json(&c->cfg, &t);
		json_t *ja = json_array();
		for (size_t i = 0; i < nm; i++) {
			struct message *m = &msgs[i];
			json_t *jm = json_pack("{s:I, s:s, s:s, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
					       (json_int_t)m->id, "direction", m->is_inbound ? "in" : "out", "state",
					       message_state_name(m->state), "size", (json_int_t)m->size, "received_at",
					       (json_int_t)m->received_at, "envelope_from", m->env_from, "from", m->from_addr,
					       "to", m->to_addr, "subject", m->subject, "message_id", m->message_id, "date",
					       m->date_hdr, "defects", m->defects, "error", m->error);
			json_object_set_new(jm, "text", json_stringn_nocheck(m->body_text, strlen(m->body_text)));
			json_array_append_new(ja, jm);
		}
		json_object_set_new(j, "thread", ja);
		json_t *jb = json_array();
		for (size_t i = 0; i < nb; i++)
			json_array_append_new(jb, json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:s}", "id", (json_int_t)box[i].id,
							    "purpose", outbox_purpose_name(box[i].purpose), "state",
							    outbox_state_name(box[i].state), "to", box[i].rcpt, "attempts",
							    (json_int_t)box[i].attempts, "next_try", (json_int_t)box[i].next_try,
							    "last_error", box[i].last_error));
		json_object_set_new(j, "outbox", jb);
		if (evj)
			json_object_set(j, "evidence", evj);
		print_json(j);
	} else {
		char *tag = tag_format(c->cfg.tag, t.number);
		char when[32], upd[32];
		cli_time(t.created_at, when, sizeof(when));
		cli_time(t.updated_at, upd, sizeof(upd));
		printf("%s  ", tag);
		put_text(t.subject, 200);
		printf("\n  status:   %s (%s)%s\n  reporter: ", ticket_status_name(t.status), ticket_kind_name(t.kind),
		       t.needs_analyst ? ", needs an analyst" : "");
		put_text(t.reporter, 200);
		printf("\n  created:  %s, updated %s\n", when, upd);
		if (t.merged_into)
			printf("  merged into: %lld\n", (long long)t.merged_into);
		if (!strcmp(t.ack, "withheld")) {
			printf("  acknowledgment withheld: %s\n", t.ack_note);
		} else if (*t.ack) {
			printf("  acknowledgment: %s\n", t.ack);
		}
		free(tag);
		if (evj) {
			struct buf eb;
			buf_init(&eb, 16 * 1024 * 1024);
			evidence_render_text(evj, &eb);
			printf("\n--- evidence ---\n%s", buf_str(&eb));
			buf_free(&eb);
		}
		for (size_t i = 0; i < nm; i++) {
			struct message *m = &msgs[i];
			cli_time(m->received_at, when, sizeof(when));
			printf("\n--- message %lld, %s %s, %lld bytes ---\n", (long long)m->id,
			       m->is_inbound ? "received" : "sent", when, (long long)m->size);
			printf("From:    ");
			put_text(*m->from_addr ? m->from_addr : m->env_from, 200);
			printf("\nTo:      ");
			put_text(m->to_addr, 200);
			printf("\nSubject: ");
			put_text(m->subject, 400);
			putchar('\n');
			if (*m->defects)
				printf("Defects: %s\n", m->defects);
			if (*m->error) {
				printf("Error:   ");
				put_text(m->error, 400);
				putchar('\n');
			}
			putchar('\n');
			struct buf b;
			buf_init(&b, (size_t)-1 / 2);
			if (m->state == MESSAGE_PARKED && m->raw)
				escape_append_text(&b, str_make(m->raw, m->raw_len));
			else
				escape_append_text(&b, str_from(m->body_text));
			fputs(buf_str(&b), stdout);
			if (b.len && b.p[b.len - 1] != '\n')
				putchar('\n');
			buf_free(&b);
		}
		if (nb) {
			printf("\n--- outbox ---\n");
			for (size_t i = 0; i < nb; i++) {
				printf("%lld %-6s %-9s to ", (long long)box[i].id, outbox_purpose_name(box[i].purpose),
				       outbox_state_name(box[i].state));
				put_text(box[i].rcpt, 200);
				printf(" (%lld attempt%s)", (long long)box[i].attempts, box[i].attempts == 1 ? "" : "s");
				if (*box[i].last_error) {
					printf(": ");
					put_text(box[i].last_error, 300);
				}
				putchar('\n');
			}
		}
	}
	json_decref(evj);
	outbox_array_free(box, nb);
	message_array_free(msgs, nm);
	ticket_clear(&t);
	return EX_OK;
}

/* Reply text: stdin when it is not a terminal, else $EDITOR on a file. */
static int read_reply_text(struct buf *out)
{
	if (!isatty(STDIN_FILENO))
		return file_read_fd(STDIN_FILENO, out);
	char path[] = "/tmp/abusedesk-reply-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return -EIO;
	close(fd);
	pid_t pid = fork();
	if (pid == 0) {
		/* The editor command may carry arguments ("code -w"); the file
		 * name goes as a separate argument, never into the shell text. */
		execl("/bin/sh", "sh", "-c", "exec $ABUSEDESK_EDITOR \"$1\"", "sh", path, (char *)NULL);
		_exit(127);
	}
	int status = 0;
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		unlink(path);
		return -ECANCELED;
	}
	int r = file_read_all(path, REPLY_TEXT_MAX, out);
	unlink(path);
	return r;
}

static int cmd_reply(struct cli *c, struct store *s)
{
	int64_t n;
	int code = need_number(c, 2, &n);
	if (code)
		return code;
	int64_t final;
	int r = store_ticket_follow(s, n, &final);
	if (r < 0)
		return r == -ENOENT ? cli_fail(r, "ticket %lld does not exist", (long long)n)
				    : cli_fail(r, "ticket reply: %s", store_errmsg(s));
	struct ticket t;
	if ((code = get_ticket(s, final, &t)))
		return code;
	if (!*t.reporter) {
		ticket_clear(&t);
		return cli_fail(-EINVAL, "ticket %lld has no reporter address to reply to", (long long)final);
	}
	const char *editor = getenv("VISUAL");
	if (!editor || !*editor)
		editor = getenv("EDITOR");
	setenv("ABUSEDESK_EDITOR", editor && *editor ? editor : "vi", 1);
	struct buf text;
	buf_init(&text, REPLY_TEXT_MAX);
	r = read_reply_text(&text);
	if (r < 0 || text.len == 0) {
		buf_free(&text);
		ticket_clear(&t);
		return cli_fail(r < 0 ? r : -EINVAL, "ticket reply: no text to send%s",
				r == -EMSGSIZE ? " (over the size limit)" : "; nothing was sent");
	}
	struct templates tpl;
	char *err = NULL;
	if ((r = templates_load(c->cfg.templates, &tpl, &err)) < 0) {
		code = cli_fail(r, "%s", err);
		free(err);
		buf_free(&text);
		ticket_clear(&t);
		return code;
	}
	char *tag = tag_format(c->cfg.tag, final);
	char *num = xasprintf("%lld", (long long)final);
	struct template_var vars[] = {
		{ "team", c->cfg.team }, { "tag", tag }, { "number", num }, { "subject", t.subject },
		{ "address", c->cfg.address }, { "body", buf_str(&text) },
	};
	struct buf body;
	buf_init(&body, REPLY_TEXT_MAX + TEMPLATE_SIZE_MAX);
	r = template_render(tpl.text[TEMPLATE_REPLY], vars, sizeof(vars) / sizeof(vars[0]), &body, NULL);

	/* Thread under the reporter's latest message. */
	struct message *msgs = NULL;
	size_t nm = 0;
	const char *last_in = NULL;
	if (r >= 0)
		r = store_ticket_messages(s, final, &msgs, &nm);
	for (size_t i = 0; r >= 0 && i < nm; i++)
		if (msgs[i].is_inbound && *msgs[i].message_id)
			last_in = msgs[i].message_id;
	int64_t box = 0;
	if (r >= 0 && (r = store_begin(s)) >= 0) {
		struct outbound_request req = {
			.ticket = final,
			.purpose = OUTBOX_REPLY,
			.state = OUTBOX_QUEUED,
			.to = t.reporter,
			.subject = t.subject,
			.body = buf_str(&body),
			.in_reply_to = last_in,
			.references = last_in ? &last_in : NULL,
			.n_references = last_in ? 1 : 0,
		};
		r = outbound_queue(s, &c->cfg, &req, cli_now(), &box);
		if (r >= 0 && t.status == TICKET_NEW)
			r = store_ticket_set_status(s, final, TICKET_OPEN, cli_now());
		if (r >= 0) {
			const char *user = getenv("USER");
			r = store_audit_add(s, final, user ? user : "cli", "reply", t.reporter, cli_now());
		}
		r = r < 0 ? r : store_commit(s);
		if (r < 0)
			store_rollback(s);
	}
	if (r < 0)
		code = cli_fail(r, "ticket reply: %s", store_errmsg(s));
	else
		printf("reply to %s queued as outbox %lld for %s\n", t.reporter, (long long)box, tag);
	message_array_free(msgs, nm);
	buf_free(&body);
	free(num);
	free(tag);
	templates_free(&tpl);
	buf_free(&text);
	ticket_clear(&t);
	return code;
}

static int cmd_set_status(struct cli *c, struct store *s, enum ticket_status st)
{
	int64_t n;
	int code = need_number(c, 2, &n);
	if (code)
		return code;
	int r = store_begin(s);
	if (r >= 0)
		r = store_ticket_set_status(s, n, st, cli_now());
	if (r >= 0) {
		const char *user = getenv("USER");
		r = store_audit_add(s, n, user ? user : "cli", ticket_status_name(st), "", cli_now());
	}
	r = r < 0 ? r : store_commit(s);
	if (r < 0) {
		store_rollback(s);
		return r == -ENOENT ? cli_fail(r, "ticket %lld does not exist", (long long)n)
				    : cli_fail(r, "ticket %s: %s", c->argv[1], store_errmsg(s));
	}
	printf("ticket %lld is %s\n", (long long)n, ticket_status_name(st));
	return EX_OK;
}

static int cmd_merge(struct cli *c, struct store *s)
{
	int64_t from, into;
	int code = need_number(c, 2, &from);
	if (!code)
		code = need_number(c, 3, &into);
	if (code)
		return code;
	int64_t into_final;
	int r = store_ticket_follow(s, into, &into_final);
	if (r < 0)
		return r == -ENOENT ? cli_fail(r, "ticket %lld does not exist", (long long)into)
				    : cli_fail(r, "ticket merge: %s", store_errmsg(s));
	struct ticket t;
	if ((code = get_ticket(s, from, &t)))
		return code;
	bool already = t.merged_into != 0;
	ticket_clear(&t);
	if (already)
		return cli_fail(-EINVAL, "ticket %lld is already merged", (long long)from);
	if (from == into_final)
		return cli_fail(-EINVAL, "cannot merge ticket %lld into itself", (long long)from);
	r = store_begin(s);
	if (r >= 0)
		r = store_ticket_merge(s, from, into_final, cli_now());
	if (r >= 0) {
		const char *user = getenv("USER");
		char *d = xasprintf("merged into %lld", (long long)into_final);
		r = store_audit_add(s, from, user ? user : "cli", "merge", d, cli_now());
		free(d);
	}
	r = r < 0 ? r : store_commit(s);
	if (r < 0) {
		store_rollback(s);
		return cli_fail(r, "ticket merge: %s", store_errmsg(s));
	}
	printf("ticket %lld merged into %lld\n", (long long)from, (long long)into_final);
	return EX_OK;
}

static int run(struct cli *c)
{
	if (c->argc < 2)
		return cli_fail(-EINVAL, "ticket: usage: %s", cmd_ticket.usage);
	const char *sub = c->argv[1];
	/* Each subcommand with the number of ticket numbers it takes (list
	 * parses its own options). */
	static const struct {
		const char *name;
		int args;
	} subs[] = {
		{ "list", -1 }, { "show", 1 }, { "reply", 1 }, { "resolve", 1 }, { "reopen", 1 }, { "reject", 1 }, { "merge", 2 },
	};
	int args = -2;
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (!strcmp(sub, subs[i].name))
			args = subs[i].args;
	if (args == -2)
		return cli_fail(-EINVAL, "ticket: unknown subcommand '%s' (try 'abusedesk ticket --help')", sub);
	if (args >= 0 && c->argc > 2 + args)
		return cli_fail(-EINVAL, "ticket %s: unexpected argument '%s'", sub, c->argv[2 + args]);
	struct store *s;
	int r = cli_open_store(c, &s);
	if (r < 0)
		return cli_exit_code(r);
	int code;
	if (!strcmp(sub, "list"))
		code = cmd_list(c, s);
	else if (!strcmp(sub, "show"))
		code = cmd_show(c, s);
	else if (!strcmp(sub, "reply"))
		code = cmd_reply(c, s);
	else if (!strcmp(sub, "resolve"))
		code = cmd_set_status(c, s, TICKET_RESOLVED);
	else if (!strcmp(sub, "reopen"))
		code = cmd_set_status(c, s, TICKET_OPEN);
	else if (!strcmp(sub, "reject"))
		code = cmd_set_status(c, s, TICKET_REJECTED);
	else
		code = cmd_merge(c, s);
	store_close(s);
	return code;
}

const struct cli_command cmd_ticket = {
	"ticket", run, "List, show, answer and close tickets.",
	"ticket list [--status new|open|resolved|rejected|active|any] [--kind K] [--limit N] [--json]\n"
	"       ticket show N [--json]\n"
	"       ticket reply N            (text on stdin, else $EDITOR)\n"
	"       ticket resolve|reopen|reject N\n"
	"       ticket merge N INTO",
};
