#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>

#include "gen.h"
#include "scan/report.h"
#include "util/file.h"

/* A report per kind, compared with tests/data/scan/report_<kind>.txt.
 * ABUSEDESK_UPDATE_GOLDEN=1 rewrites the files (review the diff). */

struct stream {
	struct gen_event *g;
	size_t n;
};

static void line_of(void *arg, uint64_t ref, struct str *ret)
{
	struct stream *st = arg;
	if (ref < st->n)
		*ret = st->g[ref].ev.line;
}

static struct stream make(enum scan_kind kind)
{
	struct stream st = { calloc(2000, sizeof(struct gen_event)), 0 };
	struct ip_addr dst = gen_addr("192.0.2.0");
	int64_t t = GEN_T0;
	switch (kind) {
	case SCAN_KIND_RANGE: {
		/* 240 of 192.0.2.0-255 on TCP 23, zone stated as +0100 */
		struct ip_addr src = gen_addr("198.51.100.7");
		for (unsigned i = 0; i < 256; i++)
			if (i == 0 || i == 255 || i % 16 != 7)
				gen_fill(&st.g[st.n++], src, gen_nth(dst, i), 23, EVENT_CONNECTION, t + i * 3, 3600,
					 EVENT_TZ_STATED);
		break;
	}
	case SCAN_KIND_PORT: {
		/* ports 1-1024 at one address, 812 of them, zone not stated */
		struct ip_addr src = gen_addr("203.0.113.66"), d = gen_addr("192.0.2.10");
		for (unsigned p = 1; p <= 1024; p++)
			if (p == 1 || p == 1024 || p % 5 != 3)
				gen_fill(&st.g[st.n++], src, d, p, EVENT_CONNECTION, t + p, 3600, EVENT_TZ_ASSUMED);
		break;
	}
	case SCAN_KIND_BOTH: {
		struct ip_addr src = gen_addr("2001:db8:bad::1"), d6 = gen_addr("2001:db8:1::");
		for (unsigned h = 0; h < 20; h++)
			for (unsigned p = 0; p < 8; p++)
				gen_fill(&st.g[st.n++], src, gen_nth(d6, h), 20 + p * 1000, EVENT_CONNECTION, t + h * 8 + p, 0,
					 EVENT_TZ_STATED);
		break;
	}
	default: {
		struct ip_addr src = gen_addr("198.51.100.200"), d = gen_addr("192.0.2.22");
		for (unsigned i = 0; i < 57; i++)
			gen_fill(&st.g[st.n++], src, d, i, EVENT_LOGIN_FAILURE, t + i * 20, 0, EVENT_TZ_STATED);
		break;
	}
	}
	return st;
}

static void render(enum scan_kind kind, struct buf *out)
{
	struct stream st = make(kind);
	struct scan_params p;
	scan_params_default(&p);
	struct scan *s = scan_new(&p);
	for (size_t i = 0; i < st.n; i++)
		scan_add(s, &st.g[i].ev, i);
	struct scan_result *r;
	size_t n;
	scan_finish(s, &r, &n);
	cr_assert_eq(n, 1, "%s: got %zu results, want 1", scan_kind_name(kind), n);
	cr_assert_eq(r[0].kind, kind, "got %s, want %s", scan_kind_name(r[0].kind), scan_kind_name(kind));
	struct report_ctx ctx = {
		.signature = "Network team, Example University",
		.clock = { NTPSTATE_UNSYNCED, "kernel NTP status", -1 },
		.system_zone = "CET",
	};
	buf_append_str(out, "Subject: ");
	cr_assert(report_subject(&r[0], out) >= 0, "subject failed");
	buf_append_str(out, "\n\n");
	cr_assert(report_write(&r[0], &ctx, line_of, &st, out) >= 0, "report_write failed");
	free(r);
	scan_free(s);
	free(st.g);
}

Test(report, golden_per_kind)
{
	static const enum scan_kind kinds[] = { SCAN_KIND_RANGE, SCAN_KIND_PORT, SCAN_KIND_BOTH, SCAN_KIND_LOGIN };
	const char *dir = getenv("ABUSEDESK_TEST_DATA");
	cr_assert(dir, "ABUSEDESK_TEST_DATA is not set");
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct buf got;
		buf_init(&got, REPORT_TEXT_MAX);
		render(kinds[i], &got);
		char path[512];
		snprintf(path, sizeof(path), "%s/scan/report_%s.txt", dir, scan_kind_name(kinds[i]));
		if (getenv("ABUSEDESK_UPDATE_GOLDEN"))
			file_write_durable(path, got.p, got.len);
		struct buf want;
		buf_init(&want, REPORT_TEXT_MAX);
		cr_assert(file_read_all(path, REPORT_TEXT_MAX, &want) >= 0, "cannot read %s", path);
		cr_expect_str_eq(buf_str(&got), buf_str(&want), "%s: got\n%s\nwant (%s)\n%s", scan_kind_name(kinds[i]),
				 buf_str(&got), path, buf_str(&want));
		buf_free(&got);
		buf_free(&want);
	}
}

/* Every item of the guidance's checklist, by kind (docs/SCANS.md). */
struct crow {
	enum scan_kind kind;
	const char *must[12];
};

static const struct crow crows[] = {
	{ SCAN_KIND_RANGE,
	  { "Source address:        198.51.100.7", "Destination port:      TCP port 23",
	    "Destination addresses: 240", "Range scanned:         192.0.2.0 - 192.0.2.255 (256 addresses, 240 hit)",
	    "Start:                 2026-11-22 15:03:01 +0100 (2026-11-22 14:03:01 UTC)", "End:",
	    "Timezone:              UTC+01:00, as stated in the log", "Clock accuracy:", "Events:                240",
	    "Problem:", "DST=192.0.2.0 ", "DST=192.0.2.255 " } },
	{ SCAN_KIND_PORT,
	  { "Source address:        203.0.113.66", "Destination address:   192.0.2.10",
	    "Ports scanned:         TCP ports 1-1024 (819 distinct)", "Start:", "End:", "assumed: the log did not state its timezone",
	    "(CET)", "PLEASE CONFIRM", "Events:                819", "Problem:", "DPT=1\n", "DPT=1024\n" } },
	{ SCAN_KIND_BOTH,
	  { "Source address:        2001:db8:bad::1", "Destination addresses: 20",
	    "Range scanned:         2001:db8:1:: - 2001:db8:1::13 (20 addresses, 20 hit)",
	    "Ports scanned:         TCP ports 20-7020 (8 distinct)", "Start:", "End:", "Timezone:", "Clock accuracy:",
	    "Events:                160", "Problem:", NULL } },
	{ SCAN_KIND_LOGIN,
	  { "Source address:        198.51.100.200", "Service:               ssh", "Failed logins:         57",
	    "Start:", "End:", "Timezone:", "Clock accuracy:", "Events:                57",
	    "Problem:               198.51.100.200 tried to log in to ssh on our systems 57 times and failed.",
	    "Failed password for root from 198.51.100.200", NULL } },
};

Test(report, checklist_items)
{
	for (size_t i = 0; i < sizeof(crows) / sizeof(crows[0]); i++) {
		struct buf got;
		buf_init(&got, REPORT_TEXT_MAX);
		render(crows[i].kind, &got);
		for (size_t j = 0; j < 12 && crows[i].must[j]; j++)
			cr_expect(strstr(buf_str(&got), crows[i].must[j]), "%s: want \"%s\" in\n%s",
				  scan_kind_name(crows[i].kind), crows[i].must[j], buf_str(&got));
		buf_free(&got);
	}
}

struct frow {
	const char *name;
	int64_t t;
	int32_t off;
	const char *want;
};

static const struct frow frows[] = {
	{ "UTC", GEN_T0, 0, "2026-11-22 14:03:01 UTC" },
	{ "east", GEN_T0, 3600, "2026-11-22 15:03:01 +0100 (2026-11-22 14:03:01 UTC)" },
	{ "west, day before", GEN_T0, -16 * 3600, "2026-11-21 22:03:01 -1600 (2026-11-22 14:03:01 UTC)" },
	{ "half hour", GEN_T0, 5 * 3600 + 1800, "2026-11-22 19:33:01 +0530 (2026-11-22 14:03:01 UTC)" },
};

Test(report, times)
{
	for (size_t i = 0; i < sizeof(frows) / sizeof(frows[0]); i++) {
		struct buf b;
		buf_init(&b, 200);
		report_append_time(&b, frows[i].t, frows[i].off);
		cr_expect_str_eq(buf_str(&b), frows[i].want, "%s: got %s, want %s", frows[i].name, buf_str(&b),
				 frows[i].want);
		buf_free(&b);
	}
}

Test(report, counts)
{
	static const struct {
		uint64_t n;
		const char *want;
	} rows[] = { { 0, "0" }, { 999, "999" }, { 1000, "1,000" }, { 1234567, "1,234,567" } };
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct buf b;
		buf_init(&b, 64);
		report_append_count(&b, rows[i].n);
		cr_expect_str_eq(buf_str(&b), rows[i].want, "got %s, want %s", buf_str(&b), rows[i].want);
		buf_free(&b);
	}
}

Test(report, nothing_to_report_for_other)
{
	struct scan_result r = { .kind = SCAN_KIND_OTHER };
	struct report_ctx ctx = { 0 };
	struct buf b;
	buf_init(&b, 1000);
	cr_expect_eq(report_write(&r, &ctx, NULL, NULL, &b), -EINVAL, "got %d, want -EINVAL", report_write(&r, &ctx, NULL, NULL, &b));
	buf_free(&b);
}
