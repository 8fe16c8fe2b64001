/*
 * outbox: what we are sending, and sending it.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli/cli.h"
#include "outbox/flush.h"
#include "util/escape.h"
#include "util/log.h"
#include "util/xalloc.h"

static int cmd_list(struct cli *c, struct store *s)
{
	static const struct option opts[] = {
		{ "state", required_argument, 0, 's' },
		{ "ticket", required_argument, 0, 't' },
		{ "limit", required_argument, 0, 'n' },
		{ 0, 0, 0, 0 },
	};
	struct outbox_filter f = { 0 };
	uint64_t limit = 100;
	int o;
	optind = 0;
	while ((o = getopt_long(c->argc - 1, c->argv + 1, "s:t:n:", opts, NULL)) != -1) {
		enum outbox_state st;
		switch (o) {
		case 's':
			if (outbox_state_from_name(optarg, &st) < 0)
				return cli_fail(-EINVAL, "outbox list: --state is queued, held, sent, failed or discarded");
			f.state = optarg;
			break;
		case 't':
			if (cli_ticket_number(c, optarg, &f.ticket) < 0)
				return cli_fail(-EINVAL, "outbox list: '%s' is not a ticket number", optarg);
			break;
		case 'n':
			if (!cstr_to_u64(optarg, STORE_LIST_MAX, &limit) || limit == 0)
				return cli_fail(-EINVAL, "outbox list: --limit is 1 to %d", STORE_LIST_MAX);
			break;
		default: return EX_USAGE;
		}
	}
	f.limit = (size_t)limit;
	struct outbox_item *a;
	size_t n;
	int r = store_outbox_list(s, &f, &a, &n);
	if (r < 0)
		return cli_fail(r, "outbox list: %s", store_errmsg(s));
	if (c->json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(
				arr, json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:s, s:s}", "id",
					       (json_int_t)a[i].id, "ticket", (json_int_t)a[i].ticket, "purpose",
					       outbox_purpose_name(a[i].purpose), "state", outbox_state_name(a[i].state),
					       "envelope_from", a[i].env_from, "to", a[i].rcpt, "subject", a[i].subject,
					       "attempts", (json_int_t)a[i].attempts, "next_try", (json_int_t)a[i].next_try,
					       "created_at", (json_int_t)a[i].created_at, "sent_at", (json_int_t)a[i].sent_at,
					       "last_error", a[i].last_error, "message_id", a[i].message_id));
		json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
		putchar('\n');
		json_decref(arr);
	} else if (n == 0) {
		printf("the outbox is empty\n");
	} else {
		printf("%-6s %-9s %-6s %-9s %-30s %4s  %s\n", "ID", "TICKET", "KIND", "STATE", "TO", "TRY", "NEXT/SENT");
		for (size_t i = 0; i < n; i++) {
			char when[32];
			cli_time(a[i].state == OUTBOX_SENT ? a[i].sent_at : a[i].next_try, when, sizeof(when));
			char *to = escape_dup(str_from(a[i].rcpt), 60);
			printf("%-6lld %-9lld %-6s %-9s %-30s %4lld  %s\n", (long long)a[i].id, (long long)a[i].ticket,
			       outbox_purpose_name(a[i].purpose), outbox_state_name(a[i].state), to,
			       (long long)a[i].attempts, when);
			free(to);
			if (*a[i].last_error && a[i].state != OUTBOX_SENT) {
				char *e = escape_dup(str_from(a[i].last_error), 300);
				printf("       last error: %s\n", e);
				free(e);
			}
		}
	}
	outbox_array_free(a, n);
	return EX_OK;
}

void cli_outbox_report(void *user, const struct outbox_item *it, int r, const char *error, int64_t next_try)
{
	(void)user;
	char *to = escape_dup(str_from(it->rcpt), ESCAPE_QUOTE_MAX);
	if (r == 0) {
		log_info("outbox %lld: %s for ticket %lld sent to %s", (long long)it->id, outbox_purpose_name(it->purpose),
			 (long long)it->ticket, to);
	} else if (next_try) {
		char when[32];
		cli_time(next_try, when, sizeof(when));
		log_warn("outbox %lld: not sent to %s: %s; will retry at %s", (long long)it->id, to, error, when);
	} else {
		log_err("outbox %lld: giving up on %s: %s", (long long)it->id, to, error);
	}
	free(to);
}

static int cmd_flush(struct cli *c, struct store *s)
{
	if (c->argc > 2)
		return cli_fail(-EINVAL, "outbox flush: unexpected argument '%s'", c->argv[2]);
	struct flush_stats st;
	int r = flush_run(s, &c->cfg, cli_now(), cli_outbox_report, NULL, &st);
	if (r < 0)
		return cli_fail(r, "outbox flush: %s; the rest stays queued", store_errmsg(s));
	if (c->json) {
		json_t *j = json_pack("{s:I, s:I, s:I}", "sent", (json_int_t)st.sent, "deferred", (json_int_t)st.deferred,
				      "failed", (json_int_t)st.failed);
		json_dumpf(j, stdout, JSON_SORT_KEYS);
		putchar('\n');
		json_decref(j);
	} else {
		printf("sent %zu, deferred %zu, failed %zu\n", st.sent, st.deferred, st.failed);
	}
	/* Deferred mail is not an error of this command: it stays queued. */
	return EX_OK;
}

/* approve: a held notification goes out with the next flush; discard: it
 * never will. Both are recorded in the ticket's audit trail. */
static int cmd_decide(struct cli *c, struct store *s, bool is_approve)
{
	const char *verb = is_approve ? "approve" : "discard";
	int code = EX_OK;
	for (int i = 2; i < c->argc; i++) {
		uint64_t id;
		if (!cstr_to_u64(c->argv[i], INT64_MAX, &id) || id == 0)
			return cli_fail(-EINVAL, "outbox %s: '%s' is not an outbox id (see 'outbox list --state held')", verb,
					c->argv[i]);
		int64_t now = cli_now(), ticket = 0;
		int r = store_begin(s);
		if (r >= 0)
			r = is_approve ? store_outbox_approve(s, (int64_t)id, now, &ticket)
				       : store_outbox_discard(s, (int64_t)id, &ticket);
		if (r >= 0) {
			char *detail = xasprintf("outbox %llu", (unsigned long long)id);
			r = store_audit_add(s, ticket, getenv("USER") ? getenv("USER") : "cli",
					    is_approve ? "notification-approved" : "notification-discarded", detail, now);
			free(detail);
		}
		if (r >= 0)
			r = store_commit(s);
		if (r < 0) {
			store_rollback(s);
			code = cli_fail(r, "outbox %s %llu: %s", verb, (unsigned long long)id,
					r == -ENOENT ? (is_approve ? "no held message with this id" : "no held or queued message with this id")
						     : store_errmsg(s));
			continue;
		}
		printf("outbox %llu: %s\n", (unsigned long long)id,
		       is_approve ? "approved; it goes out with the next 'outbox flush'" : "discarded");
	}
	return code;
}

static int run(struct cli *c)
{
	static const char *const subs[] = { "list", "flush", "approve", "discard" };
	size_t sub = 0;
	while (c->argc >= 2 && sub < 4 && strcmp(c->argv[1], subs[sub]))
		sub++;
	if (c->argc < 2 || sub == 4 || (sub >= 2 && c->argc < 3))
		return cli_fail(-EINVAL, "outbox: usage: %s", cmd_outbox.usage);
	struct store *s;
	int r = cli_open_store(c, &s);
	if (r < 0)
		return cli_exit_code(r);
	int code = sub == 0 ? cmd_list(c, s) : sub == 1 ? cmd_flush(c, s) : cmd_decide(c, s, sub == 2);
	store_close(s);
	return code;
}

const struct cli_command cmd_outbox = {
	"outbox", run, "Show the outbound queue, or send what is due through the relay.",
	"outbox list [--state S] [--ticket N] [--limit N] [--json]\n       outbox flush [--json]\n"
	"       outbox approve ID...   (a held notification goes out with the next flush)\n"
	"       outbox discard ID...",
};
