/*
 * buf: the one growable byte buffer.
 *
 * Contract: binary-safe, always NUL-terminated (p[len] == 0 once anything was
 * appended), and born with a maximum. An append that would take len past
 * `max` fails with -EMSGSIZE and leaves the content unchanged, so a caller
 * that hits a limit still holds everything it had. Memory grows with what
 * actually arrived, never with a size someone declared.
 *
 * Ownership: the buffer owns p; buf_free() releases it and leaves an empty
 * buffer with the same maximum. buf_steal() hands p to the caller.
 */
#pragma once
#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *p;
	size_t len;
	size_t cap;
	size_t max;
};

void buf_init(struct buf *b, size_t max);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
int buf_append(struct buf *b, const void *p, size_t n);
int buf_append_str(struct buf *b, const char *s);
int buf_append_char(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Returns the content as a heap string (never NULL) and empties b. */
char *buf_steal(struct buf *b);
/* Content as a C string: "" for an empty buffer. */
const char *buf_str(const struct buf *b);
