#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>

#include "net/ownnet.h"

struct row {
	const char *list;
	const char *addr;
	bool want;
};

static const struct row rows[] = {
	{ "192.0.2.0/24", "192.0.2.77", true },
	{ "192.0.2.0/24", "192.0.3.1", false },
	{ " 192.0.2.0/24 , 2001:db8::/32 ", "2001:db8:ffff::1", true },
	{ "192.0.2.0/24, 2001:db8::/32", "2001:db9::1", false },
	{ "198.51.100.1", "198.51.100.1", true },
	{ "198.51.100.1", "198.51.100.2", false },
	{ "192.0.2.9/24", "192.0.2.200", true }, /* host bits allowed and cleared */
	{ "", "192.0.2.1", false },
};

Test(ownnet, table)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct ownnet o;
		char *err = NULL;
		cr_assert_eq(ownnet_parse(rows[i].list, &o, &err), 0, "'%s': got an error (%s), want 0", rows[i].list,
			     err ? err : "");
		struct ip_addr a;
		cr_assert(ip_parse_cstr(rows[i].addr, &a), "bad test address %s", rows[i].addr);
		bool got = ownnet_contains(&o, &a);
		cr_expect_eq(got, rows[i].want, "'%s' contains %s: got %d, want %d", rows[i].list, rows[i].addr, got,
			     rows[i].want);
		ownnet_free(&o);
	}
}

Test(ownnet, refuses_garbage)
{
	static const char *const bad[] = { "192.0.2.0/33", "example.org", "192.0.2.0/24, nonsense" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ownnet o;
		char *err = NULL;
		cr_expect_eq(ownnet_parse(bad[i], &o, &err), -EINVAL, "'%s': got success, want -EINVAL", bad[i]);
		cr_expect(err && strstr(err, "is not an address"), "'%s': error got '%s'", bad[i], err ? err : "(none)");
		free(err);
	}
}

/* The default: this host's own addresses, loopback among them. */
Test(ownnet, interfaces_include_loopback)
{
	struct ownnet o = { 0 };
	cr_assert_eq(ownnet_add_interfaces(&o), 0, "getifaddrs failed");
	struct ip_addr lo;
	ip_parse_cstr("127.0.0.1", &lo);
	cr_expect(ownnet_contains(&o, &lo), "127.0.0.1: got not ours, want ours (%zu addresses)", o.n);
	cr_expect(o.from_interfaces, "from_interfaces got false");
	ownnet_free(&o);
}
