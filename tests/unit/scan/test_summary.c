#include <criterion/criterion.h>
#include <stdlib.h>

#include "gen.h"
#include "scan/summary.h"

/* The pipeline's hook: a ticket's events -> RSIT class and summary text. */
struct row {
	const char *name;
	unsigned hosts, ports, logins;
	const char *rsit;	/* NULL: no class */
	const char *text;	/* must appear */
};

static const struct row rows[] = {
	{ "range scan", 30, 1, 0, "information-gathering/scanner", "address-range scan           TCP port 21" },
	{ "port scan", 1, 30, 0, "information-gathering/scanner", "port scan                    TCP ports 21-50 (30 distinct)" },
	{ "both", 10, 10, 0, "information-gathering/scanner", "address-range and port scan" },
	{ "logins", 0, 0, 25, "intrusion-attempts/brute-force", "ssh, 25 failed logins" },
	{ "below thresholds", 3, 3, 3, NULL, "1 source with connection attempts below the scan thresholds" },
};

Test(summary, table)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *w = &rows[i];
		size_t n = (size_t)w->hosts * w->ports + w->logins, k = 0;
		struct gen_event *g = calloc(n, sizeof(*g));
		struct ip_addr s = gen_addr("198.51.100.7"), d = gen_addr("192.0.2.1");
		for (unsigned h = 0; h < w->hosts; h++)
			for (unsigned p = 0; p < w->ports; p++, k++)
				gen_fill(&g[k], s, gen_nth(d, h), 21 + p, EVENT_CONNECTION, GEN_T0 + (int64_t)k, 0,
					 EVENT_TZ_STATED);
		for (unsigned j = 0; j < w->logins; j++, k++)
			gen_fill(&g[k], s, d, 22, EVENT_LOGIN_FAILURE, GEN_T0 + (int64_t)k, 0, EVENT_TZ_STATED);
		struct event *ev = calloc(n, sizeof(*ev));
		for (size_t j = 0; j < n; j++)
			ev[j] = g[j].ev;
		struct scan_params p;
		scan_params_default(&p);
		struct summary sum;
		cr_assert_eq(summary_make(&p, NULL, ev, n, &sum), 0, "%s: summary_make failed", w->name);
		if (w->rsit)
			cr_expect(sum.rsit && !strcmp(sum.rsit, w->rsit), "%s: rsit got %s, want %s", w->name,
				  sum.rsit ? sum.rsit : "NULL", w->rsit);
		else
			cr_expect(!sum.rsit, "%s: rsit got %s, want NULL", w->name, sum.rsit);
		cr_expect(strstr(sum.text, w->text), "%s: want \"%s\" in\n%s", w->name, w->text, sum.text);
		summary_free(&sum);
		free(ev);
		free(g);
	}
}

/* Our own networks never appear as abusers. */
Test(summary, own_networks_left_out)
{
	struct gen_event g[40];
	struct event ev[40];
	struct ip_addr s = gen_addr("192.0.2.250"), d = gen_addr("192.0.2.1");
	for (unsigned i = 0; i < 40; i++) {
		gen_fill(&g[i], s, gen_nth(d, i), 80, EVENT_CONNECTION, GEN_T0 + i, 0, EVENT_TZ_STATED);
		ev[i] = g[i].ev;
	}
	struct ownnet own;
	char *err = NULL;
	cr_assert_eq(ownnet_parse("192.0.2.0/24", &own, &err), 0, "parse failed");
	struct scan_params p;
	scan_params_default(&p);
	struct summary sum;
	summary_make(&p, &own, ev, 40, &sum);
	cr_expect_eq(sum.n_results, 0, "results got %zu, want 0 (our own scanner)", sum.n_results);
	cr_expect(!sum.rsit, "rsit got %s, want NULL", sum.rsit);
	summary_free(&sum);
	ownnet_free(&own);
}
