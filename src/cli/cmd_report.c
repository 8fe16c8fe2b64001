/*
 * report: for each abusing source in the given logs, the report a CSIRT
 * asks for (scan/report.h), printed, written as .eml files (--out DIR) or
 * sent through the relay (--send).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/scan_run.h"
#include "mail/mail.h"
#include "outbox/smtp.h"
#include "routing/index.h"
#include "scan/ntpstate.h"
#include "scan/report.h"
#include "util/escape.h"
#include "util/file.h"
#include "util/log.h"
#include "util/xalloc.h"

/* The desk's routing data, when the configured store exists (a reporter
 * who never ran `abusedesk init` has none: everything goes to the CSIRT). */
struct router {
	struct store *s;
	struct routing_index *idx;
};

static void router_open(struct cli *c, struct router *rt)
{
	memset(rt, 0, sizeof(*rt));
	if (strncmp(c->cfg.db, "postgresql:", 11) && strncmp(c->cfg.db, "postgres:", 9) && access(c->cfg.db, F_OK) != 0)
		return;
	if (cli_open_store(c, &rt->s) < 0) {
		log_warn("report: no routing data (the store did not open); reports go to the CSIRT address");
		rt->s = NULL;
		return;
	}
	if (routing_index_load(rt->s, &rt->idx) < 0) {
		log_warn("report: cannot load the routing data (%s); reports go to the CSIRT address", store_errmsg(rt->s));
		store_close(rt->s);
		rt->s = NULL;
	}
}

static void router_close(struct router *rt)
{
	routing_index_free(rt->idx);
	if (rt->s)
		store_close(rt->s);
}

/*
 * Where a report about `src` goes: the source network's abuse contact when
 * the routing data puts it outside the constituency, else (inside, or not
 * known) the CSIRT address (report.to, else desk.address). Heap string.
 */
static char *recipient_for(const struct config *cfg, struct router *rt, const struct ip_addr *src)
{
	if (rt->idx) {
		struct routing_answer a;
		if (routing_lookup_ip(rt->s, rt->idx, src, &a) == 0 && a.where == ROUTING_OUTSIDE && a.contact.mailbox &&
		    *a.contact.mailbox) {
			char *m = xstrdup(a.contact.mailbox);
			routing_answer_clear(&a);
			return m;
		}
		routing_answer_clear(&a);
	}
	return xstrdup(*cfg->report_to ? cfg->report_to : cfg->address);
}

static int compose(const struct cli *c, const char *to, const char *subject, const char *body, struct buf *out)
{
	const char *from = *c->cfg.report_from ? c->cfg.report_from : c->cfg.address;
	const char *host = *c->cfg.hostname ? c->cfg.hostname : mail_addr_domain(from);
	char *mid = mail_new_message_id("report", *host ? host : "localhost");
	struct mail_out m = {
		.from_name = c->cfg.team,
		.from_addr = from,
		.to_addr = to,
		.subject = subject,
		.body = body,
		.message_id = mid,
		.date = cli_now(),
	};
	int r = mail_compose(&m, out);
	free(mid);
	return r;
}

static int run(struct cli *c)
{
	static const struct option opts[] = {
		{ "out", required_argument, 0, 'o' },
		{ "send", no_argument, 0, 's' },
		{ "clock-ok", no_argument, 0, 'k' },
		{ 0, 0, 0, 0 },
	};
	const char *out_dir = NULL;
	bool send = false, clock_ok = false;
	int o;
	optind = 0;
	while ((o = getopt_long(c->argc, c->argv, "o:sk", opts, NULL)) != -1) {
		switch (o) {
		case 'o': out_dir = optarg; break;
		case 's': send = true; break;
		case 'k': clock_ok = true; break;
		default: return EX_USAGE;
		}
	}
	if (optind >= c->argc)
		return cli_fail(-EINVAL, "report: name at least one log file");
	if (out_dir) {
		struct stat sb;
		if (stat(out_dir, &sb) < 0 || !S_ISDIR(sb.st_mode))
			return cli_fail(-ENOENT, "report: --out %s is not a directory", out_dir);
	}
	struct report_ctx ctx = {
		.signature = *c->cfg.report_signature ? c->cfg.report_signature : c->cfg.team,
		.clock_confirmed = clock_ok,
	};
	ntpstate_probe(NULL, &ctx.clock);
	/* A prompt to confirm the clock is for a person to answer before the
	 * report leaves: --send does not send one. */
	if (send && !clock_ok && ctx.clock.sync != NTPSTATE_SYNCED)
		return cli_fail(-EINVAL,
				"report: this host cannot tell whether its clock is synchronised (%s); check the "
				"logging host's clock, then run again with --clock-ok (or review with --out DIR)",
				ctx.clock.how);

	struct scan_run sr;
	int r = scan_run_files(c, c->argv + optind, (size_t)(c->argc - optind), &sr);
	if (r < 0)
		return cli_exit_code(r);
	ctx.system_zone = sr.fst.assumed_zone;
	struct router rt;
	router_open(c, &rt);

	struct buf subject, body, msg;
	buf_init(&subject, 1024);
	buf_init(&body, REPORT_TEXT_MAX);
	buf_init(&msg, REPORT_TEXT_MAX * 2);
	size_t n_reports = 0, n_sent = 0;
	char *to = NULL;
	int code = EX_OK;
	for (size_t i = 0; i < sr.n; i++) {
		const struct scan_result *res = &sr.results[i];
		if (!scan_kind_is_abuse(res->kind))
			continue;
		buf_reset(&subject);
		buf_reset(&body);
		buf_reset(&msg);
		if ((r = report_subject(res, &subject)) < 0 ||
		    (r = report_write(res, &ctx, scan_files_line, sr.files, &body)) < 0) {
			code = cli_fail(r, "report: the report for source %zu is too long", i + 1);
			break;
		}
		n_reports++;
		free(to);
		to = recipient_for(&c->cfg, &rt, &res->src);
		char src[IP_TEXT_MAX];
		ip_format(&res->src, src);
		if (!out_dir && !send) {
			char *shown = escape_dup(str_from(to), ESCAPE_QUOTE_MAX);
			printf("%sTo: %s\nSubject: %s\n\n%s", n_reports > 1 ? "\n======================================\n\n" : "",
			       shown, buf_str(&subject), buf_str(&body));
			free(shown);
			continue;
		}
		if ((r = compose(c, to, buf_str(&subject), buf_str(&body), &msg)) < 0) {
			code = cli_fail(r, "report: cannot compose the report on %s", src);
			break;
		}
		if (out_dir) {
			/* "0001-198.51.100.7.eml"; an IPv6 address's colons become dashes */
			char *path = xasprintf("%s/%04zu-%s.eml", out_dir, n_reports, src);
			for (char *p = path + strlen(out_dir) + 1; *p; p++)
				if (*p == ':')
					*p = '-';
			r = file_write_durable(path, msg.p, msg.len);
			if (r < 0) {
				code = cli_fail(r, "report: cannot write %s", path);
				free(path);
				break;
			}
			printf("%s\n", path);
			free(path);
		}
		if (send) {
			char *err = NULL;
			const char *from = *c->cfg.report_from ? c->cfg.report_from : c->cfg.address;
			r = smtp_send(&c->cfg, from, to, msg.p, msg.len, &err);
			if (r < 0) {
				char *e = escape_dup(str_from(err ? err : ""), ESCAPE_QUOTE_MAX);
				char *t = escape_dup(str_from(to), ESCAPE_QUOTE_MAX);
				code = cli_fail(r, "report: sending the report on %s to %s failed: %s (%zu sent before it)",
						src, t, e, n_sent);
				free(t);
				free(e);
				free(err);
				break;
			}
			free(err);
			n_sent++;
			char *t = escape_dup(str_from(to), ESCAPE_QUOTE_MAX);
			log_info("report on %s sent to %s", src, t);
			free(t);
		}
	}
	if (code == EX_OK && n_reports == 0)
		fprintf(stderr, "abusedesk: nothing to report: no source passed the scan or login thresholds\n");
	free(to);
	router_close(&rt);
	scan_run_note(&sr, stderr);
	buf_free(&subject);
	buf_free(&body);
	buf_free(&msg);
	scan_run_free(&sr);
	return code;
}

const struct cli_command cmd_report = {
	"report",
	run,
	"write the reports a CSIRT asks for about the scans in your logs",
	"usage: abusedesk report [--out DIR] [--send] [--clock-ok] LOG...\n"
	"  One plain-text report per abusing source (address-range scan, port scan,\n"
	"  both, login attempts): printed, or written to DIR as .eml files, or sent\n"
	"  through outbox.relay. Each goes to the source network's abuse contact\n"
	"  when the desk's routing data (store.db) puts it outside the constituency,\n"
	"  else to report.to (default desk.address). --clock-ok\n"
	"  states that the logging host's clock was right; --send needs it when this\n"
	"  host cannot tell. Our own networks are never reported.\n",
};
