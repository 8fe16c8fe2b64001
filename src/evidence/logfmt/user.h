/*
 * user: log formats an operator defines in a file named by the config key
 * evidence.log_formats_file, one per line:
 *
 *     NAME PCRE2-PATTERN
 *
 * with named groups (?<src>...) (required), (?<dst>...), (?<dport>...),
 * (?<sport>...), (?<proto>...), (?<time>...) (any form timeparse reads).
 * Blank lines and lines starting with '#' are skipped. User formats are
 * tried before the built-in ones. Compiled once (logfmt_user_load); the
 * event's format name points into the struct, valid until it is freed.
 * PCRE2 is used only here, off the built-in formats' hot path.
 */
#pragma once
#include "evidence/logfmt.h"

#define LOGFMT_USER_NAME_MAX 32
#define LOGFMT_USER_FILE_MAX (64 * 1024)

/* -EINVAL with "LINE: why" in ret_error for a bad line or pattern. */
int logfmt_user_compile(const char *spec, struct logfmt_user **ret, char **ret_error);
int logfmt_user_load(const char *path, struct logfmt_user **ret, char **ret_error);
struct logfmt_user *logfmt_user_free(struct logfmt_user *u);
size_t logfmt_user_count(const struct logfmt_user *u);
/* The index of the user format that read the line, or -1. */
int logfmt_user_parse(const struct logfmt_ctx *ctx, const struct logfmt_user *u, struct str line, struct event *ret);
