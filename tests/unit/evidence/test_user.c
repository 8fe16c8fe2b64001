#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/logfmt.h"
#include "evidence/logfmt/user.h"

static const char spec[] =
	"# comment\n"
	"honeypot ^(?<time>\\S+) HP-(?<proto>tcp|udp) (?<src>[0-9a-f.:]+) -> (?<dst>[0-9a-f.:]+):(?<dport>\\d+)\n"
	"\n"
	"nat NAT drop (?<src>\\S+)\n";

struct row {
	const char *line;
	int want;		/* user format index, -1 none */
	const char *src;
	int dport;		/* -1 none */
	enum event_proto proto;
};

static const struct row rows[] = {
	{ "2026-11-22T14:03:01Z HP-tcp 198.51.100.7 -> 192.0.2.10:5900", 0, "198.51.100.7", 5900, EVENT_PROTO_TCP },
	{ "2026-11-22T14:03:01Z HP-udp 2001:db8::7 -> 2001:db8::1:161", 0, "2001:db8::7", 161, EVENT_PROTO_UDP },
	{ "x NAT drop 203.0.113.9 y", 1, "203.0.113.9", -1, EVENT_PROTO_UNKNOWN },
	{ "x NAT drop not-an-address", -1, NULL, -1, 0 },
	{ "nothing here", -1, NULL, -1, 0 },
};

Test(logfmt_user, table)
{
	struct logfmt_user *u = NULL;
	char *err = NULL;
	cr_assert_eq(logfmt_user_compile(spec, &u, &err), 0, "compile: %s", err ? err : "");
	cr_assert_eq(logfmt_user_count(u), 2);
	struct logfmt_ctx ctx = { .reference_time = 1795424400LL, .user = u };
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *w = &rows[i];
		struct event e;
		int got = logfmt_user_parse(&ctx, u, str_from(w->line), &e);
		cr_expect_eq(got, w->want, "%s: got format %d, want %d", w->line, got, w->want);
		if (got < 0 || w->want < 0)
			continue;
		char ip[IP_TEXT_MAX];
		ip_format(&e.src, ip);
		cr_expect_str_eq(ip, w->src, "%s: got src %s, want %s", w->line, ip, w->src);
		cr_expect_eq(e.has_dport ? e.dport : -1, w->dport, "%s: got dport %d", w->line, e.has_dport ? e.dport : -1);
		cr_expect_eq(e.proto, w->proto, "%s: got proto %d", w->line, e.proto);
		/* through the dispatcher too: user formats come first */
		struct event d;
		int idx = logfmt_parse_line(&ctx, NULL, str_from(w->line), &d);
		cr_expect_eq(idx, (int)logfmt_count() + w->want, "%s: dispatch got %d", w->line, idx);
	}
	logfmt_user_free(u);
}

Test(logfmt_user, refuses_bad_specs)
{
	static const char *const bad[] = { "x (?<src", "nosrc (?<dst>\\S+)", "onlyname", "name-that-is-far-too-long-for-us-to-keep (?<src>x)" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct logfmt_user *u = NULL;
		char *err = NULL;
		cr_expect_eq(logfmt_user_compile(bad[i], &u, &err), -EINVAL, "%s: accepted", bad[i]);
		cr_expect(err && *err, "%s: no reason given", bad[i]);
		free(err);
	}
}
