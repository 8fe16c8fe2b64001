/*
 * embedded: files compiled into the binary by tools/embed.c (the default
 * templates, later the web UI). Read-only for the life of the process.
 */
#pragma once
#include <stddef.h>

struct embedded_file {
	const char *name;
	const unsigned char *data;	/* NUL-terminated for text files */
	size_t len;
};

extern const struct embedded_file embedded_files[];

/* NULL when no file has that name. */
const struct embedded_file *embedded_find(const char *name);
