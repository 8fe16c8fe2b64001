/*
 * log: the front ends' one way to tell the operator something.
 *
 * Library code does not log (it returns -errno and keeps a message in its
 * handle); the CLI and the daemon log once, with the ticket or session id,
 * and say what happens next. Lines go to stderr, and to syslog when
 * log_open_syslog() was called. Anything from a stranger in a log line must
 * have gone through escape_*() first.
 */
#pragma once
#include <stdbool.h>

enum log_level { LOG_LEVEL_ERR, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

void log_set_level(enum log_level level);
/* "error", "warning", "info", "debug"; -EINVAL for anything else. */
int log_level_from_string(const char *s, enum log_level *ret);
void log_open_syslog(const char *ident);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...) log_msg(LOG_LEVEL_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)
