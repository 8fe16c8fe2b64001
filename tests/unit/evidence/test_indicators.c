#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/indicators.h"

/* Each row: a text and what must be found in it, as a compact string:
 * addresses "first-last/len" joined by ' ', ports "a-b/proto", counts "n noun". */
struct row {
	const char *text;
	const char *addrs;
	const char *ports;
	const char *counts;
	bool defanged;
};

static const struct row rows[] = {
	{ "attack from 192.0.2.1 on our host", "192.0.2.1-192.0.2.1/32", "", "", false },
	{ "source 192.0.2[.]1 and hxxp://bad[.]example/x", "192.0.2.1-192.0.2.1/32", "", "", true },
	{ "IPv6 2001:DB8:0:0::1 and fe80::1%eth0.", "2001:db8::1-2001:db8::1/128 fe80::1-fe80::1/128", "", "", false },
	{ "v4-mapped ::ffff:192.0.2.7 seen", "::ffff:192.0.2.7-::ffff:192.0.2.7/128", "", "", false },
	{ "scanned 192.0.2.0/24 and 192.0.2.10-192.0.2.20", "192.0.2.0-192.0.2.255/24 192.0.2.10-192.0.2.20/32", "", "", false },
	{ "range 198.51.100.1-40 hit", "198.51.100.1-198.51.100.40/32", "", "", false },
	{ "connections to port 22 and TCP port 445, also 53/udp", "", "22-22/unknown 445-445/tcp 53-53/udp", "", false },
	{ "ports 1-1024 were probed over udp/161", "", "1-1024/unknown 161-161/udp", "", false },
	{ "about 3,000 connection attempts and 12 packets", "", "", "3000 connection attempts~ 12 packets", false },
	{ "over 1 000 000 packets", "", "", "1000000 packets~", false },
	{ "version 1.2.3.4.5 is not an address, nor 300.1.1.1", "", "", "", false },
	{ "same 192.0.2.1, again 192.0.2.1", "192.0.2.1-192.0.2.1/32", "", "", false },
};

static void render(const struct indicators *ind, char *a, char *p, char *c, size_t n)
{
	a[0] = p[0] = c[0] = 0;
	for (size_t i = 0; i < ind->n_addrs; i++) {
		char f[IP_TEXT_MAX], l[IP_TEXT_MAX], t[200];
		ip_format(&ind->addrs[i].first, f);
		ip_format(&ind->addrs[i].last, l);
		snprintf(t, sizeof(t), "%s%s-%s/%u", i ? " " : "", f, l, ind->addrs[i].prefix_len);
		strncat(a, t, n - strlen(a) - 1);
	}
	for (size_t i = 0; i < ind->n_ports; i++) {
		char t[100];
		snprintf(t, sizeof(t), "%s%u-%u/%s", i ? " " : "", ind->ports[i].first, ind->ports[i].last,
			 event_proto_name(ind->ports[i].proto));
		strncat(p, t, n - strlen(p) - 1);
	}
	for (size_t i = 0; i < ind->n_counts; i++) {
		char t[100];
		snprintf(t, sizeof(t), "%s%llu %s%s", i ? " " : "", (unsigned long long)ind->counts[i].n,
			 ind->counts[i].noun, ind->counts[i].approximate ? "~" : "");
		strncat(c, t, n - strlen(c) - 1);
	}
}

Test(indicators, table)
{
	struct indicators *ind = malloc(sizeof(*ind));
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *w = &rows[i];
		indicators_scan(str_from(w->text), ind);
		char a[1024], p[1024], c[1024];
		render(ind, a, p, c, sizeof(a));
		cr_expect_str_eq(a, w->addrs, "%s: got addrs [%s], want [%s]", w->text, a, w->addrs);
		cr_expect_str_eq(p, w->ports, "%s: got ports [%s], want [%s]", w->text, p, w->ports);
		cr_expect_str_eq(c, w->counts, "%s: got counts [%s], want [%s]", w->text, c, w->counts);
		cr_expect_eq(ind->was_defanged, w->defanged, "%s: got defanged %d", w->text, ind->was_defanged);
		indicators_free(ind);
	}
	free(ind);
}

Test(indicators, urls_refanged)
{
	struct indicators *ind = malloc(sizeof(*ind));
	indicators_scan(STR_LIT("click hxxps://evil[.]example/login?x=1. Or <http://b.example/>"), ind);
	cr_assert_eq(ind->n_urls, 2, "got %zu urls", ind->n_urls);
	cr_expect_str_eq(ind->urls[0], "https://evil.example/login?x=1");
	cr_expect_str_eq(ind->urls[1], "http://b.example/");
	indicators_free(ind);
	free(ind);
}
