/* store_url_is_pg / store_url_display: which backend a URL selects, and a
 * password never shown. No database needed. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "store/store.h"

static const struct {
	const char *url;
	bool want_pg;
	const char *want_shown;
} rows[] = {
	{ "./abusedesk.db", false, "./abusedesk.db" },
	{ "sqlite:/var/lib/abusedesk/desk.db", false, "sqlite:/var/lib/abusedesk/desk.db" },
	{ "postgresql://desk@db1/abusedesk", true, "postgresql://desk@db1/abusedesk" },
	{ "postgres://desk:s3cret@db1:5432/abusedesk", true, "postgres://desk:***@db1:5432/abusedesk" },
	{ "postgresql:///abusedesk?host=/run/pg&password=s3cret&sslmode=require", true,
	  "postgresql:///abusedesk?host=/run/pg&password=***&sslmode=require" },
	{ "postgresql://db1/x?password=a&user=u&password=b", true, "postgresql://db1/x?password=***&user=u&password=***" },
	{ "postgresql:/no-slashes", false, "postgresql:/no-slashes" },
	{ "", false, "" },
};

Test(store_url, backend_and_display)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		bool pg = store_url_is_pg(rows[i].url);
		cr_assert_eq(pg, rows[i].want_pg, "row %zu '%s': is_pg got %d, want %d", i, rows[i].url, pg, rows[i].want_pg);
		char *shown = store_url_display(rows[i].url);
		cr_assert_str_eq(shown, rows[i].want_shown, "row %zu: got '%s', want '%s'", i, shown, rows[i].want_shown);
		free(shown);
	}
}
