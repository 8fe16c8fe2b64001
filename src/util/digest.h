/*
 * digest: a content fingerprint (BLAKE2b-256 via libsodium) as 64 hex
 * characters. Used to recognise an MTA's redelivery of a message we already
 * hold; not a security boundary.
 */
#pragma once
#include <stddef.h>

#define DIGEST_HEX_LEN 64

struct digest_part {
	const void *p;
	size_t len;
};

/* Hashes the parts in order, each followed by its length, so that moving
 * bytes from one part to the next changes the digest. */
void digest_hex(const struct digest_part *parts, size_t n, char ret_hex[DIGEST_HEX_LEN + 1]);
