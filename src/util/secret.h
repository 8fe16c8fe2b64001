/*
 * secret: passwords, session cookies and API tokens (libsodium).
 *
 * Passwords are kept only as argon2id hashes (crypto_pwhash_str, the
 * "interactive" cost: about 64 MiB and a tenth of a second per check).
 * Session and API tokens are 32 random bytes in hex; the store keeps only
 * their BLAKE2b hash, so a copy of the database opens no sessions.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#define SECRET_HEX_LEN 64		/* a token or a token hash in hex */
#define SECRET_PASSWORD_MAX 1024	/* bytes of a password we hash */
#define SECRET_PASSWORD_MIN 10

/* -EINVAL for a password outside MIN..MAX, -ENOMEM when argon2 cannot get
 * its memory. */
int secret_password_hash(const char *password, char **ret_hash);
bool secret_password_verify(const char *hash, const char *password);
/* 32 random bytes as 64 hex characters. */
void secret_random_hex(char ret[SECRET_HEX_LEN + 1]);
/* A password a person can type: 20 characters from an unambiguous set. */
void secret_random_password(char ret[21]);
/* BLAKE2b-256 of the token, hex. */
void secret_hash_hex(const char *token, char ret[SECRET_HEX_LEN + 1]);
/* Compares in constant time (for CSRF tokens). */
bool secret_equal(const char *a, const char *b);
