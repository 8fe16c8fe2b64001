#include "util/digest.h"

#include <sodium.h>
#include <stdint.h>

void digest_hex(const struct digest_part *parts, size_t n, char ret_hex[DIGEST_HEX_LEN + 1])
{
	crypto_generichash_state st;
	unsigned char out[32];
	crypto_generichash_init(&st, NULL, 0, sizeof(out));
	for (size_t i = 0; i < n; i++) {
		uint64_t len = parts[i].len;
		if (len)
			crypto_generichash_update(&st, parts[i].p, len);
		crypto_generichash_update(&st, (const unsigned char *)&len, sizeof(len));
	}
	crypto_generichash_final(&st, out, sizeof(out));
	sodium_bin2hex(ret_hex, DIGEST_HEX_LEN + 1, out, sizeof(out));
}
