/*
 * smtp: hands one composed message to the relay (libcurl's SMTP client).
 *
 * The message is stored with LF line endings; it goes on the wire with CRLF
 * (RFC 5321 2.3.8), and curl does the dot-stuffing. Errors, converted once
 * here: -ECONNREFUSED / -ETIMEDOUT / -EIO (try again later), -EPROTO for a
 * permanent 5xx refusal (do not retry), -EACCES for refused AUTH (retry: an
 * operator will fix the password). ret_error has the relay's words.
 */
#pragma once
#include <stddef.h>

#include "config/config.h"

void smtp_global_init(void);
/* env_from "" sends MAIL FROM:<> (the null sender). */
int smtp_send(const struct config *cfg, const char *env_from, const char *rcpt, const char *raw, size_t len,
	      char **ret_error);
