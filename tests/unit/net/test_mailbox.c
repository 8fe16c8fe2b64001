#include <criterion/criterion.h>

#include "net/mailbox.h"

Test(mailbox, rows)
{
	static const struct {
		const char *in;
		bool want;
	} rows[] = {
		{ "security@uni-a.example.ac.uk", true },
		{ "abuse@example.net", true },
		{ "first.last+tag@a1.example", true },
		{ "x@192.0.2.1.example", true },
		{ "", false },
		{ "abuse", false },
		{ "@example.net", false },
		{ "abuse@", false },
		{ "abuse@localhost", false },
		{ "a..b@example.net", false },
		{ ".a@example.net", false },
		{ "a.@example.net", false },
		{ "a b@example.net", false },
		{ "<abuse@example.net>", false },
		{ "abuse@exa_mple.net", false },
		{ "abuse@-example.net", false },
		{ "abuse@example-.net", false },
		{ "abuse@example..net", false },
		{ "abuse@example.net.", false },
		{ "abuse@@example.net", false },
		{ "Abuse Team <abuse@example.net>", false },
		{ "abuse@exam\nple.net", false },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		bool got = mailbox_is_valid(str_from(rows[i].in));
		cr_expect_eq(got, rows[i].want, "'%s': got %d, want %d", rows[i].in, got, rows[i].want);
	}
}

Test(mailbox, domains)
{
	static const struct {
		const char *in;
		bool want;
	} rows[] = {
		{ "uni-a.example.ac.uk", true }, { "a.b", true }, { "example", false }, { "", false },
		{ "a..b", false }, { "-a.b", false }, { "a-.b", false }, { "a.b-", false }, { "a b.c", false },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		bool got = domain_is_valid(str_from(rows[i].in));
		cr_expect_eq(got, rows[i].want, "'%s': got %d, want %d", rows[i].in, got, rows[i].want);
	}
}
