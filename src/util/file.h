/*
 * file: whole-file reads and durable writes.
 *
 * file_read_all() reads at most `max` bytes (-EMSGSIZE past that, never
 * trusting a size the file system or a pipe declares). file_write_durable()
 * writes a temporary file beside the target, fsyncs it, renames it over the
 * target and fsyncs the directory, so a crash leaves the old or the new file,
 * never half of one.
 */
#pragma once
#include <stddef.h>

#include "util/buf.h"

int file_read_all(const char *path, size_t max, struct buf *out);
/* Reads a file descriptor to its end into out (out's maximum applies). */
int file_read_fd(int fd, struct buf *out);
int file_write_durable(const char *path, const void *p, size_t len);
