/* constituency/import: texts in memory in, every problem named by file and
 * line; a good set replaces the store's organisations with an audit row,
 * a bad set changes nothing. The web desk's upload and the command line's
 * import both come through here. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "constituency/constituency.h"
#include "store/store.h"
#include "testdb.h"

static const char one[] = "org lab-x\n  name Lab X\n  security cert@lab-x.example\n  prefix 198.51.100.0/24\n";
static const char two[] = "org lab-y\n  name Lab Y\n  security cert@lab-y.example\n  prefix 203.0.113.0/24\n";

Test(constituency_import, texts_rows)
{
	static const struct {
		const char *name, *text;
		int want_r;
		const char *want_error;	/* a line that must be in the errors */
	} rows[] = {
		{ "ok.conf", one, 0, NULL },
		{ "bad.conf", "org lab-z\n  prefix 300.0.0.0/8\n", -EBADMSG, "bad.conf:2: " },
		{ "odd.conf", "org lab-z\n  colour blue\n", -EBADMSG, "odd.conf:2: " },
		/* the same range claimed twice, across the two files */
		{ "dup.conf", "org lab-q\n  security q@lab-q.example\n  prefix 198.51.100.128/25\n", -EBADMSG, "dup.conf" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *names[2] = { "first.conf", rows[i].name };
		struct str texts[2] = { str_from(one), str_from(rows[i].text) };
		size_t n = i == 0 ? 1 : 2;
		if (i == 0)
			names[0] = rows[i].name;
		struct constituency c = { 0 };
		struct buf errors;
		buf_init(&errors, 1 << 16);
		int r = constituency_load_texts(names, texts, n, &c, &errors);
		cr_expect_eq(r, rows[i].want_r, "%s: got %d, want %d (%s)", rows[i].name, r, rows[i].want_r, buf_str(&errors));
		if (rows[i].want_error)
			cr_expect(strstr(buf_str(&errors), rows[i].want_error), "%s: got errors \"%s\", want a line with \"%s\"",
				  rows[i].name, buf_str(&errors), rows[i].want_error);
		if (r == 0)
			constituency_free(&c);
		buf_free(&errors);
	}
}

static void load(const char *text, struct constituency *c)
{
	const char *name = "t.conf";
	struct str s = str_from(text);
	struct buf errors;
	buf_init(&errors, 1 << 16);
	cr_assert_eq(constituency_load_texts(&name, &s, 1, c, &errors), 0, "%s", buf_str(&errors));
	buf_free(&errors);
}

Test(constituency_import, replace_is_whole_and_audited)
{
	char *url = testdb_url();
	if (!url)
		cr_skip_test("%s", testdb_why());
	struct store *s = NULL;
	char *err = NULL;
	cr_assert_eq(store_open(url, &s, &err), 0, "%s", err ? err : "?");
	cr_assert_eq(store_migrate(s, 100000), 0, "%s", store_errmsg(s));
	struct constituency a, b;
	load(one, &a);
	load(two, &b);
	cr_assert_eq(constituency_replace(s, &a, "ada", 1000), 0, "%s", store_errmsg(s));
	cr_assert_eq(constituency_replace(s, &b, "sam", 2000), 0, "%s", store_errmsg(s));
	struct org *orgs = NULL;
	size_t n = 0;
	cr_assert_eq(store_org_list(s, &orgs, &n), 0);
	cr_expect_eq(n, 1, "orgs: got %zu, want 1 (the second import replaced the first)", n);
	cr_expect_str_eq(orgs[0].id, "lab-y");
	org_array_free(orgs, n);
	struct audit_entry *au = NULL;
	size_t na = 0;
	cr_assert_eq(store_audit_list(s, 0, &au, &na), 0);
	cr_assert_eq(na, 2, "audit rows: got %zu, want 2", na);
	cr_expect_str_eq(au[1].actor, "sam");
	cr_expect_str_eq(au[1].action, "constituency-import");
	cr_expect_str_eq(au[1].detail, "1 organisations, 1 prefixes");
	audit_array_free(au, na);
	constituency_free(&a);
	constituency_free(&b);
	store_close(s);
	testdb_drop(url);
}
