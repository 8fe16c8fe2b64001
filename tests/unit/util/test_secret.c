#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/secret.h"

static const struct {
	const char *pw;
	int want;
} hash_rows[] = {
	{ "correct horse battery", 0 },
	{ "short", -EINVAL },	/* under SECRET_PASSWORD_MIN */
	{ "", -EINVAL },
};

Test(secret, password_hash_and_verify)
{
	for (size_t i = 0; i < sizeof(hash_rows) / sizeof(hash_rows[0]); i++) {
		char *h = NULL;
		int r = secret_password_hash(hash_rows[i].pw, &h);
		cr_expect_eq(r, hash_rows[i].want, "row %zu: got %d, want %d", i, r, hash_rows[i].want);
		if (r == 0) {
			cr_expect(strncmp(h, "$argon2id$", 10) == 0, "got %s, want an argon2id hash", h);
			cr_expect(secret_password_verify(h, hash_rows[i].pw), "the right password must verify");
			cr_expect(!secret_password_verify(h, "correct horse battery!"), "a wrong one must not");
			cr_expect(!secret_password_verify("garbage", hash_rows[i].pw), "a broken hash never verifies");
		}
		free(h);
	}
}

Test(secret, tokens_are_random_and_hashed)
{
	char a[SECRET_HEX_LEN + 1], b[SECRET_HEX_LEN + 1], ha[SECRET_HEX_LEN + 1], ha2[SECRET_HEX_LEN + 1];
	secret_random_hex(a);
	secret_random_hex(b);
	cr_expect_eq(strlen(a), SECRET_HEX_LEN);
	cr_expect(strcmp(a, b) != 0, "two tokens must differ");
	secret_hash_hex(a, ha);
	secret_hash_hex(a, ha2);
	cr_expect_str_eq(ha, ha2, "the hash must be stable");
	cr_expect(strcmp(ha, a) != 0, "the hash is not the token");
	char pw[21];
	secret_random_password(pw);
	cr_expect_eq(strlen(pw), 20);
}

static const struct {
	const char *a, *b;
	bool want;
} equal_rows[] = {
	{ "abc", "abc", true }, { "abc", "abd", false }, { "abc", "abcd", false }, { "", "", false },
};

Test(secret, equal)
{
	for (size_t i = 0; i < sizeof(equal_rows) / sizeof(equal_rows[0]); i++)
		cr_expect_eq(secret_equal(equal_rows[i].a, equal_rows[i].b), equal_rows[i].want, "row %zu: got %d, want %d",
			     i, !equal_rows[i].want, equal_rows[i].want);
}
