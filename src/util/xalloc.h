/*
 * xalloc: allocation that cannot fail.
 *
 * Contract: every function here either returns usable memory or aborts the
 * process with a message on stderr. Out of memory is not an error we can
 * recover from in a mail daemon without risking a half-written state, and the
 * MTA retries whatever we had not yet acknowledged.
 */
#pragma once
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* Grows an array of `*cap` elements of `size` bytes so that it holds at
 * least `need`; doubles to keep appends amortised O(1). */
void *xgrow(void *p, size_t *cap, size_t need, size_t size);
char *xstrdup(const char *s);
/* At most n bytes of s, stopping at its NUL (as strndup). */
char *xstrndup(const char *s, size_t n);
/* printf into a fresh heap string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
