/* constituency: the file format, its checks, and export round trips. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "constituency/constituency.h"
#include "net/prefix_table.h"

static const char good[] =
	"# a comment\n"
	"org uni-x\n"
	"  name      University X\n"
	"  security  sec@uni-x.example.ac.uk, csirt@uni-x.example.ac.uk\n"
	"  support   help#desk@uni-x.example.ac.uk   # '#' inside an address is not a comment\n"
	"  domain    uni-x.example.ac.uk Other.Example.AC.UK\n"
	"  prefix    192.0.2.0/28\n"
	"  prefix    198.51.100.10 - 198.51.100.20, 2001:db8:100::/48\n"
	"  asn       AS64496 64497\n"
	"  notify-auto scanner\n"
	"\n"
	"org lab-y\n"
	"  name Lab Y\n"
	"  security sec@lab-y.example\n"
	"  prefix 192.0.2.16/28\n";	/* adjacent to uni-x: fine */

Test(constituency, good_file)
{
	struct constituency c = { 0 };
	struct buf errors;
	buf_init(&errors, 1 << 16);
	constituency_parse(&c, "good", str_from(good), &errors);
	constituency_validate(&c, &errors);
	cr_assert_eq(c.n_errors, 0, "errors: %s", buf_str(&errors));
	cr_assert_eq(c.n, 2, "orgs: got %zu, want 2", c.n);
	const struct org *o = &c.orgs[0];
	static const struct {
		const char *what, *got, *want;
	} rows[] = {
		{ "id", NULL, "uni-x" }, { "name", NULL, "University X" },
		{ "security", NULL, "sec@uni-x.example.ac.uk, csirt@uni-x.example.ac.uk" },
		{ "support", NULL, "help#desk@uni-x.example.ac.uk" },
		{ "domains", NULL, "uni-x.example.ac.uk, other.example.ac.uk" },
		{ "asns", NULL, "AS64496, AS64497" }, { "notify_auto", NULL, "scanner" },
	};
	const char *got[] = { o->id, o->name, o->security, o->support, o->domains, o->asns, o->notify_auto };
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		cr_expect_str_eq(got[i], rows[i].want, "%s: got '%s', want '%s'", rows[i].what, got[i], rows[i].want);
	cr_expect_eq(o->n_ranges, 3, "ranges: got %zu, want 3", o->n_ranges);
	cr_expect(constituency_is_auto(o, "scanner"), "notify-auto scanner: got false, want true");
	cr_expect(!constituency_is_auto(o, "spam"), "notify-auto spam: got true, want false");

	/* Export, parse again, export again: the same text. */
	struct buf a, b;
	buf_init(&a, 1 << 20);
	buf_init(&b, 1 << 20);
	constituency_export(c.orgs, c.n, &a);
	struct constituency c2 = { 0 };
	constituency_parse(&c2, "export", str_make(a.p, a.len), &errors);
	cr_assert_eq(c2.n_errors, 0, "re-import errors: %s", buf_str(&errors));
	constituency_export(c2.orgs, c2.n, &b);
	cr_expect_str_eq(buf_str(&a), buf_str(&b), "round trip: got\n%s\nwant\n%s", buf_str(&b), buf_str(&a));
	buf_free(&a);
	buf_free(&b);
	constituency_free(&c2);
	constituency_free(&c);
	buf_free(&errors);
}

Test(constituency, errors_with_lines)
{
	static const struct {
		const char *in, *want;
	} rows[] = {
		{ "name X\n", "f:1: 'name' before any 'org ID' line" },
		{ "org Bad_Id\n name X\n security a@b.example\n", "f:1: 'Bad_Id' is not an organisation id" },
		{ "org x\n security a@b.example\n", "f:1: organisation 'x' has no name" },
		{ "org x\n name X\n", "f:1: organisation 'x' has no security contact" },
		{ "org x\n name X\n security nobody\n", "f:3: security: 'nobody' is not a mail address" },
		{ "org x\n name X\n security a@b.example\n support a@@b.example\n", "f:4: support: 'a@@b.example' is not" },
		{ "org x\n name X\n security a@b.example\n prefix 192.0.2.1/24\n", "f:4: prefix: '192.0.2.1/24' is not" },
		{ "org x\n name X\n security a@b.example\n prefix 192.0.2.9 - 192.0.2.1\n", "f:4: prefix: '192.0.2.9 - 192.0.2.1'" },
		{ "org x\n name X\n security a@b.example\n prefix 300.1.1.1\n", "f:4: prefix: '300.1.1.1' is not" },
		{ "org x\n name X\n security a@b.example\n domain -bad.example\n", "f:4: domain: '-bad.example' is not" },
		{ "org x\n name X\n security a@b.example\n asn ASX\n", "f:4: asn: 'ASX' is not an AS number" },
		{ "org x\n name X\n security a@b.example\n colour blue\n", "f:4: unknown key 'colour'" },
		{ "org x\n name X\n name Y\n security a@b.example\n", "f:3: name given twice" },
		{ "org x\n name X\n security a@b.example\norg x\n name Y\n security a@b.example\n",
		  "f:4: organisation 'x' is defined twice (also at f:1)" },
		{ "org x\n name X\n security a@b.example\n domain d.example\norg y\n name Y\n security a@b.example\n domain D.example\n",
		  "f:5: domain d.example is claimed by 'x' and 'y'" },
		{ "org x\n name X\n security a@b.example\n prefix 192.0.2.0/24\norg y\n name Y\n security a@b.example\n prefix 192.0.2.255\n",
		  "f:8: 192.0.2.255/32 of 'y' overlaps 192.0.2.0/24 of 'x' (f:4)" },
		{ "org x\n name X\n security a@b.example\n prefix 2001:db8::/32\norg y\n name Y\n security a@b.example\n prefix 2001:db8:ffff::/48\n",
		  "f:8: 2001:db8:ffff::/48 of 'y' overlaps 2001:db8::/32 of 'x' (f:4)" },
		{ "org x\n name X\n security a@b.example\n prefix 10.0.0.0 - 10.0.0.9\norg y\n name Y\n security a@b.example\n prefix 10.0.0.5 - 10.0.1.0\n",
		  "f:8: 10.0.0.5 - 10.0.1.0 of 'y' overlaps 10.0.0.0 - 10.0.0.9 of 'x' (f:4)" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct constituency c = { 0 };
		struct buf errors;
		buf_init(&errors, 1 << 16);
		constituency_parse(&c, "f", str_from(rows[i].in), &errors);
		constituency_validate(&c, &errors);
		cr_expect(c.n_errors > 0, "row %zu: got no error, want '%s'", i, rows[i].want);
		cr_expect(strstr(buf_str(&errors), rows[i].want), "row %zu: got '%s', want '%s'", i, buf_str(&errors),
			  rows[i].want);
		constituency_free(&c);
		buf_free(&errors);
	}
}

Test(constituency, sample_data_loads)
{
	const char *root = getenv("ABUSEDESK_TEST_DATA");
	char files[3][512];
	const char *names[] = { "universities.conf", "colleges.conf", "research.conf" };
	const char *v[3];
	for (int i = 0; i < 3; i++) {
		snprintf(files[i], sizeof(files[i]), "%s/../../etc/constituency/%s", root ? root : "tests/data", names[i]);
		v[i] = files[i];
	}
	struct constituency c;
	struct buf errors;
	buf_init(&errors, 1 << 16);
	int r = constituency_load(v, 3, &c, &errors);
	cr_assert_eq(r, 0, "sample data: got %d (%s), want 0", r, buf_str(&errors));
	cr_expect_eq(c.n, 20, "organisations: got %zu, want 20", c.n);
	constituency_free(&c);
	buf_free(&errors);
}
