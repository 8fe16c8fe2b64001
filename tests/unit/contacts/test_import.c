/* contacts import: hand-written RPSL objects (tests/data/rpsl/cases.db),
 * loaded into a real SQLite store and looked up through routing/index. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "contacts/contacts.h"
#include "net/prefix_table.h"
#include "routing/index.h"
#include "util/xalloc.h"
#include "testdb.h"

static char dir[] = "/tmp/abusedesk-test-XXXXXX";	/* the overrides file */
static char *url;	/* a fresh store on this run's backend (testdb.h) */
static struct store *s;

static void setup(void)
{
	cr_assert(mkdtemp(dir));
	url = testdb_url();
	if (!url)
		cr_skip_test("%s", testdb_why());
	char *err = NULL;
	cr_assert_eq(store_open(url, &s, &err), 0, "%s", err ? err : "");
	cr_assert_eq(store_migrate(s, 100000), 0, "%s", store_errmsg(s));
}

static void teardown(void)
{
	s = store_close(s);
	testdb_drop(url);
	url = NULL;
	char *p = xasprintf("%s/over", dir);
	unlink(p);
	free(p);
	rmdir(dir);
}

static char *data(const char *name)
{
	const char *root = getenv("ABUSEDESK_TEST_DATA");
	return xasprintf("%s/rpsl/%s", root ? root : "tests/data", name);
}

static void lookup(struct routing_index *idx, const char *addr, const char *want_mailbox, const char *want_range)
{
	struct ip_addr a;
	cr_assert(ip_parse_cstr(addr, &a));
	struct routing_answer ans;
	cr_assert_eq(routing_lookup_ip(s, idx, &a, &ans), 0);
	const char *got = ans.where == ROUTING_OUTSIDE ? ans.contact.mailbox : "unknown";
	cr_expect_str_eq(got, want_mailbox, "%s: got %s, want %s", addr, got, want_mailbox);
	if (want_range && ans.where == ROUTING_OUTSIDE) {
		char r[2 * IP_TEXT_MAX + 4];
		ip_range_format(&ans.first, &ans.last, r);
		cr_expect_str_eq(r, want_range, "%s: range %s, want %s", addr, r, want_range);
	}
	routing_answer_clear(&ans);
}

Test(contacts_import, rpsl_cases, .init = setup, .fini = teardown)
{
	char *file = data("cases.db");
	struct contacts_stats st;
	struct buf errors;
	buf_init(&errors, 1 << 20);
	cr_assert_eq(store_begin(s), 0);
	int r = contacts_import_rpsl(s, (const char *const *)&file, 1, &st, &errors);
	cr_assert_eq(r, 0, "import: got %d, want 0", r);
	cr_assert_eq(store_commit(s), 0);

	/* The malformed object is reported at its bad line; the rest imports. */
	char *want = xasprintf("%s:37: malformed object skipped", file);
	cr_expect(strstr(buf_str(&errors), want), "errors: got '%s', want a line with '%s'", buf_str(&errors), want);
	free(want);
	want = xasprintf("%s:40: inetnum '100.71.0.0 - 100.70.0.0' is not a range", file);
	cr_expect(strstr(buf_str(&errors), want), "errors: got '%s', want '%s'", buf_str(&errors), want);
	free(want);
	cr_expect(strstr(buf_str(&errors), ":72: role ROLE4-TEST: 'not a mailbox' is not a mail address"),
		  "errors: got '%s'", buf_str(&errors));
	cr_expect_eq(st.malformed, 1, "malformed: got %llu, want 1", (unsigned long long)st.malformed);
	cr_expect_eq(st.unreferenced, 1, "unreferenced: got %llu, want 1 (NO-REFERENCE)",
		     (unsigned long long)st.unreferenced);
	cr_expect_eq(st.dropped, 1, "dropped: got %lld, want 1 (MISSING-CONTACT)", (long long)st.dropped);

	struct routing_index *idx;
	cr_assert_eq(routing_index_load(s, &idx), 0);
	lookup(idx, "100.64.1.1", "abuse@role-one.example", "100.64.0.0/16");	/* abuse-c -> role */
	lookup(idx, "100.65.1.1", "abuse@org-a.example", NULL);			/* org -> abuse-c -> role */
	lookup(idx, "100.66.1.1", "abuse@org-b.example", NULL);			/* org -> abuse-mailbox */
	lookup(idx, "100.67.0.99", "irt@irt.example", "100.67.0.0 - 100.67.0.99");	/* mnt-irt, not CIDR */
	lookup(idx, "100.67.0.100", "unknown", NULL);
	/* A role without abuse-mailbox: the enclosing range's contact applies. */
	lookup(idx, "100.67.0.15", "irt@irt.example", "100.67.0.0 - 100.67.0.99");
	lookup(idx, "100.68.0.1", "unknown", NULL);				/* no reference at all */
	lookup(idx, "100.69.0.1", "abuse@role-one.example", NULL);		/* continuation lines */
	lookup(idx, "100.70.0.1", "unknown", NULL);				/* the malformed object */
	lookup(idx, "2001:db8:abc::1", "abuse@role-one.example", "2001:db8:abc::/48");
	routing_index_free(idx);

	/* A second import replaces the first, whole; an index loaded before
	 * it notices on refresh (a running desk), and only then. */
	cr_assert_eq(routing_index_load(s, &idx), 0);
	struct routing_index *before = idx;
	cr_assert_eq(routing_index_refresh(s, &idx), 0);
	cr_expect_eq(idx, before, "refresh without a change: got a new index, want the same");
	char *sample = xasprintf("%s/../../etc/rpsl/sample.db", getenv("ABUSEDESK_TEST_DATA") ? getenv("ABUSEDESK_TEST_DATA") : "tests/data");
	buf_reset(&errors);
	cr_assert_eq(store_begin(s), 0);
	cr_assert_eq(contacts_import_rpsl(s, (const char *const *)&sample, 1, &st, &errors), 0);
	cr_assert_eq(store_commit(s), 0);
	cr_assert_eq(routing_index_refresh(s, &idx), 0);
	lookup(idx, "100.64.1.1", "unknown", NULL);
	lookup(idx, "203.0.113.77", "abuse@hosting.example.com", "203.0.113.64/27");
	lookup(idx, "203.0.113.200", "abuse@transit.example.net", "203.0.113.0/24");
	routing_index_free(idx);
	free(sample);
	buf_free(&errors);
	free(file);
}

Test(contacts_import, overrides_win_and_bad_files_change_nothing, .init = setup, .fini = teardown)
{
	char *path = xasprintf("%s/over", dir);
	FILE *f = fopen(path, "w");
	fputs("# comment\n100.64.0.0 - 100.64.0.255 noc@override.example  # agreed\n", f);
	fclose(f);
	char *file = data("cases.db");
	struct contacts_stats st;
	struct buf errors;
	buf_init(&errors, 1 << 20);
	size_t n = 0;
	cr_assert_eq(store_begin(s), 0);
	cr_assert_eq(contacts_import_rpsl(s, (const char *const *)&file, 1, &st, &errors), 0);
	cr_assert_eq(contacts_import_overrides(s, path, &n, &errors), 0);
	cr_assert_eq(store_commit(s), 0);
	cr_expect_eq(n, 1, "overrides: got %zu, want 1", n);
	struct routing_index *idx;
	cr_assert_eq(routing_index_load(s, &idx), 0);
	lookup(idx, "100.64.0.7", "noc@override.example", "100.64.0.0/24");
	lookup(idx, "100.64.1.7", "abuse@role-one.example", NULL);
	routing_index_free(idx);

	/* One bad line refuses the whole file; the old overrides stay. */
	f = fopen(path, "w");
	fputs("100.66.0.0/16 good@override.example\n100.67.0.0/16 not-a-mailbox\n", f);
	fclose(f);
	buf_reset(&errors);
	cr_assert_eq(store_begin(s), 0);
	int r = contacts_import_overrides(s, path, &n, &errors);
	cr_expect_eq(r, -EBADMSG, "bad overrides: got %d, want -EBADMSG", r);
	store_rollback(s);
	cr_expect(strstr(buf_str(&errors), "over:2: 'not-a-mailbox' is not a mail address"), "errors: got '%s'",
		  buf_str(&errors));
	cr_assert_eq(routing_index_load(s, &idx), 0);
	lookup(idx, "100.64.0.7", "noc@override.example", NULL);
	lookup(idx, "100.66.0.7", "abuse@org-b.example", NULL);
	routing_index_free(idx);
	unlink(path);
	free(path);
	free(file);
	buf_free(&errors);
}

/* What the policy for an address (and its contact's mailbox) says:
 * "xarf|plain|-" then "auto:KINDS" / "held" / "-", or "none". */
static void policy(struct routing_index *idx, const char *addr, const char *want)
{
	struct ip_addr a;
	cr_assert(ip_parse_cstr(addr, &a));
	struct routing_answer ans;
	cr_assert_eq(routing_lookup_ip(s, idx, &a, &ans), 0);
	char got[256] = "none";
	const struct net_policy *p = ans.policy;
	if (p)
		snprintf(got, sizeof(got), "%s %s%s", p->xarf < 0 ? "-" : p->xarf ? "xarf" : "plain",
			 !p->has_auto ? "-" : *p->notify_auto ? "auto:" : "held", p->has_auto ? p->notify_auto : "");
	cr_expect_str_eq(got, want, "%s: policy got '%s', want '%s'", addr, got, want);
	routing_answer_clear(&ans);
}

Test(contacts_import, overrides_policies, .init = setup, .fini = teardown)
{
	char *path = xasprintf("%s/over", dir);
	FILE *f = fopen(path, "w");
	fputs("# an override with its policy\n"
	      "100.64.0.0 - 100.64.0.255 noc@override.example xarf auto=port-scan,SSH-Brute-Force\n"
	      "policy abuse@ROLE-one.example plain held\n"
	      "policy 100.64.1.0/24 xarf\n"
	      "policy 100.65.0.0 - 100.65.255.255 auto=*   # org-a's RIR range\n",
	      f);
	fclose(f);
	char *file = data("cases.db");
	struct contacts_stats st;
	struct buf errors;
	buf_init(&errors, 1 << 20);
	size_t n = 0;
	cr_assert_eq(store_begin(s), 0);
	cr_assert_eq(contacts_import_rpsl(s, (const char *const *)&file, 1, &st, &errors), 0);
	int r = contacts_import_overrides(s, path, &n, &errors);
	cr_assert_eq(r, 0, "overrides: got %d (%s)", r, buf_str(&errors));
	cr_assert_eq(store_commit(s), 0);
	struct routing_index *idx;
	cr_assert_eq(routing_index_load(s, &idx), 0);
	lookup(idx, "100.64.0.7", "noc@override.example", "100.64.0.0/24");
	policy(idx, "100.64.0.7", "xarf auto:port-scan, ssh-brute-force");	/* the override's own */
	policy(idx, "100.64.1.7", "xarf -");		/* a range policy wins over the mailbox's */
	policy(idx, "100.64.2.7", "plain held");	/* the mailbox's, case-insensitive */
	policy(idx, "100.65.1.1", "- auto:*");		/* a policy for an RIR range */
	policy(idx, "100.66.1.1", "none");
	routing_index_free(idx);

	/* Mistakes refuse the whole file, each with its line. */
	static const struct {
		const char *text, *want;
	} rows[] = {
		{ "100.64.0.0/24 noc@override.example xarff\n", "over:1: 'xarff' is not an option" },
		{ "100.64.0.0/24 noc@override.example auto=port scan\n", "over:1: 'scan' is not an option" },
		{ "100.64.0.0/24 xarf\n", "over:1: expected 'RANGE MAILBOX" },
		{ "100.64.0.0/24 noc@override.example auto=\n", "over:1: 'auto=' is not an option" },
		{ "100.64.0.0/24 noc@override.example auto=a;b\n", "over:1: 'auto=a;b' is not an option" },
		{ "policy abuse@x.example\n", "over:1: a policy needs an option" },
		{ "policy 100.64.0.0/24 abuse@x.example xarf\n", "over:1: expected 'RANGE MAILBOX" },
		{ "policy 100.64.0.0/33 xarf\n", "over:1: '100.64.0.0/33' is not an address range" },
		{ "policy a@x.example xarf\npolicy A@x.example held\n", "over:2: policy for a@x.example given twice (also at line 1)" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		f = fopen(path, "w");
		fputs(rows[i].text, f);
		fclose(f);
		buf_reset(&errors);
		cr_assert_eq(store_begin(s), 0);
		r = contacts_import_overrides(s, path, &n, &errors);
		store_rollback(s);
		cr_expect_eq(r, -EBADMSG, "row %zu: got %d, want -EBADMSG", i, r);
		char *want = xasprintf("%s/%s", dir, rows[i].want);
		cr_expect(strstr(buf_str(&errors), want), "row %zu: got '%s', want '%s'", i, buf_str(&errors), want);
		free(want);
	}
	/* ... and the policies loaded before stay */
	cr_assert_eq(routing_index_load(s, &idx), 0);
	policy(idx, "100.64.2.7", "plain held");
	routing_index_free(idx);
	buf_free(&errors);
	free(file);
	free(path);
}
