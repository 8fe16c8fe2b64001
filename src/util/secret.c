#include "util/secret.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

static void init(void)
{
	/* sodium_init() is idempotent and thread-safe once it returned. */
	if (sodium_init() < 0)
		abort();
}

int secret_password_hash(const char *password, char **ret_hash)
{
	size_t n = strlen(password);
	if (n < SECRET_PASSWORD_MIN || n > SECRET_PASSWORD_MAX)
		return -EINVAL;
	init();
	char out[crypto_pwhash_STRBYTES];
	if (crypto_pwhash_str_alg(out, password, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
				  crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return -ENOMEM;
	*ret_hash = xstrdup(out);
	return 0;
}

bool secret_password_verify(const char *hash, const char *password)
{
	size_t n = strlen(password);
	if (n > SECRET_PASSWORD_MAX || strlen(hash) >= crypto_pwhash_STRBYTES)
		return false;
	init();
	return crypto_pwhash_str_verify(hash, password, n) == 0;
}

void secret_random_hex(char ret[SECRET_HEX_LEN + 1])
{
	unsigned char b[SECRET_HEX_LEN / 2];
	init();
	randombytes_buf(b, sizeof(b));
	sodium_bin2hex(ret, SECRET_HEX_LEN + 1, b, sizeof(b));
}

void secret_random_password(char ret[21])
{
	static const char set[] = "abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789";
	init();
	for (int i = 0; i < 20; i++)
		ret[i] = set[randombytes_uniform(sizeof(set) - 1)];
	ret[20] = '\0';
}

void secret_hash_hex(const char *token, char ret[SECRET_HEX_LEN + 1])
{
	unsigned char h[SECRET_HEX_LEN / 2];
	init();
	crypto_generichash(h, sizeof(h), (const unsigned char *)token, strlen(token), NULL, 0);
	sodium_bin2hex(ret, SECRET_HEX_LEN + 1, h, sizeof(h));
}

bool secret_equal(const char *a, const char *b)
{
	size_t n = strlen(a);
	if (n == 0 || n != strlen(b))
		return false;
	return sodium_memcmp(a, b, n) == 0;
}
