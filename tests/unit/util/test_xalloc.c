/* xalloc: xstrndup caps, as strndup does, and never reads past a NUL. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

struct row {
	const char *in;
	size_t n;
	const char *want;
};

static const struct row rows[] = {
	{ "hello", 3, "hel" }, { "hello", 5, "hello" }, { "hello", 500, "hello" }, { "", 10, "" }, { "a\0b", 3, "a" },
};

Test(xalloc, strndup_caps)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		/* A heap copy of exactly the string, so ASan sees any over-read. */
		char *src = strdup(rows[i].in);
		char *got = xstrndup(src, rows[i].n);
		cr_expect_str_eq(got, rows[i].want, "row %zu: got \"%s\", want \"%s\"", i, got, rows[i].want);
		free(got);
		free(src);
	}
}
