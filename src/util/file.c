#include "util/file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/xalloc.h"

int file_read_fd(int fd, struct buf *out)
{
	char chunk[65536];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -EIO;
		}
		if (n == 0)
			return 0;
		int r = buf_append(out, chunk, (size_t)n);
		if (r < 0)
			return r;
	}
}

int file_read_all(const char *path, size_t max, struct buf *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT : -EIO;
	size_t saved = out->max;
	if (max < saved - out->len)
		out->max = out->len + max;
	int r = file_read_fd(fd, out);
	out->max = saved;
	close(fd);
	return r;
}

int file_write_durable(const char *path, const void *p, size_t len)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	int r = 0;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		free(tmp);
		return errno == ENOSPC ? -ENOSPC : -EIO;
	}
	const char *c = p;
	size_t left = len;
	while (left > 0) {
		ssize_t n = write(fd, c, left);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = errno == ENOSPC ? -ENOSPC : -EIO;
			break;
		}
		c += n;
		left -= (size_t)n;
	}
	if (r == 0 && fsync(fd) < 0)
		r = -EIO;
	if (close(fd) < 0 && r == 0)
		r = -EIO;
	if (r == 0 && rename(tmp, path) < 0)
		r = -EIO;
	if (r < 0) {
		unlink(tmp);
	} else {
		char *dir = xstrdup(path);
		int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
		free(dir);
	}
	free(tmp);
	return r;
}
