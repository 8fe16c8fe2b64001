#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "evidence/received.h"

struct row {
	const char *name;
	const char *headers;
	const char *trusted;
	const char *origin;	/* NULL: none */
	int64_t time;
};

static const struct row rows[] = {
	{ "the first public hop",
	  "Received: from mx1 (mx1 [10.0.0.5])\n\tby store; Sun, 22 Nov 2026 14:03:05 +0000\n"
	  "Received: from spam.example (unknown [203.0.113.45])\n\tby mx1; Sun, 22 Nov 2026 14:03:04 +0000\n"
	  "Received: from [192.0.2.99] by spam.example; Sun, 22 Nov 2026 14:03:00 +0000\n",
	  "", "203.0.113.45", 1795356184LL },
	{ "a trusted relay is skipped",
	  "Received: from relay (relay [192.0.2.25])\n by mx; Sun, 22 Nov 2026 14:10:00 +0000\n"
	  "Received: from bulk (bulk [IPv6:2001:db8:5::45])\n by relay; Sun, 22 Nov 2026 14:09:58 +0000\n",
	  "192.0.2.25", "2001:db8:5::45", 1795356598LL },
	{ "a trusted prefix", "Received: from a (a [192.0.2.1]) by b; Sun, 22 Nov 2026 14:10:00 +0000\n"
	  "Received: from c (c [198.51.100.3]) by a; Sun, 22 Nov 2026 14:09:00 +0000\n",
	  "192.0.2.0/24", "198.51.100.3", 1795356540LL },
	{ "only internal hops", "Received: from a ([127.0.0.1]) by b; Sun, 22 Nov 2026 14:10:00 +0000\n", "", NULL, 0 },
	{ "no Received at all", "From: x@example.com\nSubject: hi\n", "", NULL, 0 },
	{ "the by clause's address is not the sender",
	  "Received: from a.example by mx (mx [198.51.100.200]); Sun, 22 Nov 2026 14:10:00 +0000\n"
	  "Received: from c (c [198.51.100.3]) by a; Sun, 22 Nov 2026 14:09:00 +0000\n",
	  "", "198.51.100.3", 1795356540LL },
};

Test(received, table)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *w = &rows[i];
		struct received_trust t;
		cr_assert_eq(received_trust_parse(w->trusted, &t), 0, "%s: trust list refused", w->name);
		struct received_chain c;
		received_parse(str_from(w->headers), &t, &c);
		if (!w->origin) {
			cr_expect_eq(c.origin, -1, "%s: got origin %d, want none", w->name, c.origin);
			continue;
		}
		cr_assert_geq(c.origin, 0, "%s: got no origin, want %s", w->name, w->origin);
		char ip[IP_TEXT_MAX];
		ip_format(&c.hops[c.origin].from, ip);
		cr_expect_str_eq(ip, w->origin, "%s: got origin %s, want %s", w->name, ip, w->origin);
		cr_expect_eq(c.hops[c.origin].time, w->time, "%s: got time %lld, want %lld", w->name,
			     (long long)c.hops[c.origin].time, (long long)w->time);
	}
}

Test(received, trust_list_errors)
{
	struct received_trust t;
	cr_expect_eq(received_trust_parse("192.0.2.1, not-an-address", &t), -EINVAL);
	cr_expect_eq(received_trust_parse(" 192.0.2.0/24 , 2001:db8::/32 ,", &t), 0);
	cr_expect_eq(t.n, 2, "got %zu prefixes", t.n);
}

Test(received, header_value_unfolds)
{
	char out[100];
	cr_assert(received_header_value(STR_LIT("Subject: a\nFrom: \"X\"\n <x@example.org>\n\nbody: no\n"), "from", out, sizeof(out)));
	cr_expect_str_eq(out, "\"X\" <x@example.org>", "got [%s]", out);
	cr_expect(!received_header_value(STR_LIT("Subject: a\n\nbody: no\n"), "body", out, sizeof(out)));
}
