/*
 * scans: one line per source seen in the given logs, with its kind
 * (address-range scan, port scan, both, login attempts, connection
 * attempts), ports, destinations, first and last time and events.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli/cli.h"
#include "cli/scan_run.h"
#include "scan/report.h"

static json_t *result_json(const struct scan_result *r)
{
	char src[IP_TEXT_MAX], lo[IP_TEXT_MAX] = "", hi[IP_TEXT_MAX] = "", first[32], last[32];
	ip_format(&r->src, src);
	if (r->dst_min.family != IP_NONE) {
		ip_format(&r->dst_min, lo);
		ip_format(&r->dst_max, hi);
	}
	cli_time(r->first, first, sizeof(first));
	cli_time(r->last, last, sizeof(last));
	struct buf ports, dsts;
	buf_init(&ports, 4096);
	buf_init(&dsts, 4096);
	report_append_ports(&ports, r);
	report_append_destinations(&dsts, r);
	json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:i, s:i, s:b, s:I, s:b, s:s, s:s, s:s, s:I, s:b, s:i, s:i,"
			      " s:s, s:I, s:s?, s:{s:I, s:I, s:I, s:I}}",
			      "source", src, "kind", scan_kind_name(r->kind), "kind_text", scan_kind_text(r->kind), "events",
			      (json_int_t)r->events, "duplicates", (json_int_t)r->duplicates, "first", first, "last", last,
			      "first_offset", (int)r->first_offset, "last_offset", (int)r->last_offset, "tz_assumed",
			      r->tz_assumed, "destinations", (json_int_t)r->hosts, "destinations_exact", r->hosts_exact,
			      "destination_min", lo, "destination_max", hi, "destinations_text", buf_str(&dsts), "ports",
			      (json_int_t)r->ports, "ports_exact", r->ports_exact, "port_min", (int)r->port_min, "port_max",
			      (int)r->port_max, "ports_text", buf_str(&ports), "logins", (json_int_t)r->logins, "service",
			      r->service, "protocols", "tcp", (json_int_t)r->proto[EVENT_PROTO_TCP], "udp",
			      (json_int_t)r->proto[EVENT_PROTO_UDP], "icmp", (json_int_t)r->proto[EVENT_PROTO_ICMP], "other",
			      (json_int_t)(r->proto[EVENT_PROTO_OTHER] + r->proto[EVENT_PROTO_UNKNOWN]));
	buf_free(&ports);
	buf_free(&dsts);
	return o;
}

static int run(struct cli *c)
{
	static const struct option opts[] = {
		{ "abuse", no_argument, 0, 'a' },
		{ 0, 0, 0, 0 },
	};
	bool abuse_only = false;
	int o;
	optind = 0;
	while ((o = getopt_long(c->argc, c->argv, "a", opts, NULL)) != -1) {
		switch (o) {
		case 'a': abuse_only = true; break;
		default: return EX_USAGE;
		}
	}
	if (optind >= c->argc)
		return cli_fail(-EINVAL, "scans: name at least one log file");

	struct scan_run run;
	int r = scan_run_files(c, c->argv + optind, (size_t)(c->argc - optind), &run);
	if (r < 0)
		return cli_exit_code(r);

	if (c->json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < run.n; i++)
			if (!abuse_only || scan_kind_is_abuse(run.results[i].kind))
				json_array_append_new(arr, result_json(&run.results[i]));
		json_t *doc = json_pack("{s:o, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:b, s:s}}", "sources", arr, "stats",
					"lines", (json_int_t)run.fst.lines, "bytes", (json_int_t)run.fst.bytes, "events",
					(json_int_t)run.fst.events, "own_sources_skipped", (json_int_t)run.own_skipped,
					"evicted_sources", (json_int_t)run.sst.evicted_sources, "evicted_events",
					(json_int_t)run.sst.evicted_events, "memory_peak", (json_int_t)run.sst.memory_peak,
					"zone_assumed", run.fst.any_assumed, "assumed_zone", run.fst.assumed_zone);
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII);
		putchar('\n');
		json_decref(doc);
	} else {
		struct buf line;
		buf_init(&line, 8192);
		for (size_t i = 0; i < run.n; i++) {
			if (abuse_only && !scan_kind_is_abuse(run.results[i].kind))
				continue;
			buf_reset(&line);
			report_append_oneline(&line, &run.results[i]);
			fputs(buf_str(&line), stdout);
			putchar('\n');
		}
		buf_free(&line);
		scan_run_note(&run, stderr);
	}
	scan_run_free(&run);
	return EX_OK;
}

const struct cli_command cmd_scans = {
	"scans",
	run,
	"sources in firewall and sshd logs: address-range scans, port scans, logins",
	"usage: abusedesk scans [--abuse] [--json] LOG...\n"
	"  One line per source: kind, ports, destinations, first and last time (UTC),\n"
	"  events. --abuse lists only scans and login attempts. Thresholds and the\n"
	"  window are the [scan] keys (docs/SCANS.md). Our own networks\n"
	"  (report.own_networks, default this host's addresses) are left out.\n",
};
