/*
 * process: runs the pipeline over the inbound queue until it is empty.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <sysexits.h>

#include "cli/cli.h"
#include "mail/mail.h"
#include "evidence/logfmt/user.h"
#include "pipeline/pipeline.h"
#include "util/escape.h"
#include "util/log.h"

#define PROCESS_BATCH_MAX 1000000

void cli_log_processed(const struct pipeline_result *r)
{
	char *from = escape_dup(str_from(r->env_from), ESCAPE_QUOTE_MAX);
	if (r->is_parked)
		log_warn("process: message %lld parked as ticket %lld for an analyst: %s", (long long)r->message,
			 (long long)r->ticket, r->error);
	else
		log_info("process: message %lld (%lld bytes from %s) -> ticket %lld%s%s%s%s", (long long)r->message,
			 (long long)r->size, from, (long long)r->ticket,
			 r->is_new_ticket ? " (new)" : r->threaded_by ? " (threaded by " : "",
			 !r->is_new_ticket && r->threaded_by ? r->threaded_by : "",
			 !r->is_new_ticket && r->threaded_by ? ")" : "",
			 r->ack_queued ? ", acknowledgment queued" : r->withheld ? ", acknowledgment withheld" : "");
	free(from);
	if (r->is_routed) {
		const struct route_outcome *ro = &r->route;
		if (ro->is_misdirected)
			log_info("process: ticket %lld: misdirected (the reporter's own IT support should handle it); "
				 "reply queued", (long long)r->ticket);
		else if (ro->inside + ro->outside + ro->unknown)
			log_info("process: ticket %lld: sources %zu inside, %zu outside, %zu unknown; %zu incident(s) "
				 "opened; notifications %zu held for approval, %zu queued; %zu linked without a new "
				 "notification%s",
				 (long long)r->ticket, ro->inside, ro->outside, ro->unknown, ro->incidents_opened,
				 ro->notifications_held, ro->notifications_queued, ro->linked_without_notice,
				 ro->copies ? "; acknowledgment copied to the reporter's organisation" : "");
	}
}

static int run(struct cli *c)
{
	static const struct option opts[] = { { "limit", required_argument, 0, 'n' }, { 0, 0, 0, 0 } };
	uint64_t limit = PROCESS_BATCH_MAX;
	int o;
	optind = 0;
	while ((o = getopt_long(c->argc, c->argv, "n:", opts, NULL)) != -1) {
		if (o != 'n')
			return EX_USAGE;	/* getopt said which option, in one line */
		if (!cstr_to_u64(optarg, PROCESS_BATCH_MAX, &limit))
			return cli_fail(-EINVAL, "process: --limit is a number from 0 to %d", PROCESS_BATCH_MAX);
	}
	if (optind < c->argc)
		return cli_fail(-EINVAL, "process: unexpected argument '%s'", c->argv[optind]);
	struct templates tpl;
	char *err = NULL;
	int r = templates_load(c->cfg.templates, &tpl, &err);
	if (r < 0) {
		r = cli_fail(r, "%s", err);
		free(err);
		return r;
	}
	struct store *s;
	r = cli_open_store(c, &s);
	if (r < 0) {
		templates_free(&tpl);
		return cli_exit_code(r);
	}
	mail_init();
	struct logfmt_user *user = NULL;
	if (*c->cfg.evidence_log_formats_file) {
		char *uerr = NULL;
		r = logfmt_user_load(c->cfg.evidence_log_formats_file, &user, &uerr);
		if (r < 0) {
			r = cli_fail(r, "process: evidence.log_formats_file: %s", uerr);
			free(uerr);
			templates_free(&tpl);
			store_close(s);
			return r;
		}
	}
	struct pipeline p = { s, &c->cfg, &tpl, user };
	size_t done = 0, failed = 0, created = 0, acks = 0;
	int code = EX_OK;
	for (uint64_t i = 0; i < limit; i++) {
		struct pipeline_result res;
		r = pipeline_process_next(&p, cli_now(), &res);
		if (r == -ENOENT)
			break;
		if (r < 0 && res.message == 0) {
			log_err("process: cannot claim the next message: %s; will retry on the next run", store_errmsg(s));
			code = cli_exit_code(r);
			pipeline_result_clear(&res);
			break;
		}
		if (r < 0) {
			log_warn("process: message %lld failed (%s); it stays queued and will be retried",
				 (long long)res.message, res.error ? res.error : "?");
			failed++;
			pipeline_result_clear(&res);
			continue;
		}
		done++;
		created += res.is_new_ticket;
		acks += res.ack_queued;
		cli_log_processed(&res);
		pipeline_result_clear(&res);
	}
	if (c->json) {
		json_t *j = json_pack("{s:I, s:I, s:I, s:I}", "processed", (json_int_t)done, "failed", (json_int_t)failed,
				      "new_tickets", (json_int_t)created, "acknowledgments", (json_int_t)acks);
		json_dumpf(j, stdout, JSON_SORT_KEYS);
		putchar('\n');
		json_decref(j);
	} else {
		printf("processed %zu message(s): %zu new ticket(s), %zu acknowledgment(s) queued, %zu failed\n", done,
		       created, acks, failed);
	}
	pipeline_release(&p);
	store_close(s);
	templates_free(&tpl);
	logfmt_user_free(user);
	return code;
}

const struct cli_command cmd_process = {
	"process", run, "Turn queued inbound messages into tickets and queue the acknowledgments.",
	"process [--limit N] [--json]",
};
