#include "cli/scan_files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "evidence/logfmt.h"
#include "util/xalloc.h"

struct one {
	const char *p;
	size_t len;
	size_t pos;			/* start of the next unread line */
	struct logfmt_ctx ctx;
	struct logfmt_stream st;
	struct event ev;		/* the next event, when has_ev */
	uint64_t ref;
	int64_t key;			/* its time, or the file's last known time */
	bool has_ev;
	char zone[16];
};

struct scan_files {
	struct one *f;
	size_t n;
	struct scan_files_stats st;
};

static void unmap(struct one *o)
{
	if (o->p && o->len)
		munmap((void *)o->p, o->len);
	o->p = NULL;
}

int scan_files_open(char *const *paths, size_t n, struct scan_files **ret, char **ret_error)
{
	if (n > SCAN_FILES_MAX) {
		*ret_error = xasprintf("more than %d log files", SCAN_FILES_MAX);
		return -EMSGSIZE;
	}
	struct scan_files *f = xcalloc(1, sizeof(*f));
	f->f = xcalloc(n ? n : 1, sizeof(*f->f));
	int r = 0;
	for (size_t i = 0; i < n; i++, f->n++) {
		struct one *o = &f->f[i];
		int fd = open(paths[i], O_RDONLY | O_CLOEXEC);
		struct stat sb;
		if (fd < 0 || fstat(fd, &sb) < 0) {
			r = errno == ENOENT ? -ENOENT : -EIO;
			*ret_error = xasprintf("%s: %s", paths[i], strerror(errno));
			if (fd >= 0)
				close(fd);
			break;
		}
		if ((uint64_t)sb.st_size >> SCAN_FILES_OFFSET_BITS) {
			close(fd);
			*ret_error = xasprintf("%s: larger than 1 TiB", paths[i]);
			r = -EMSGSIZE;
			break;
		}
		o->len = (size_t)sb.st_size;
		if (o->len) {
			void *m = mmap(NULL, o->len, PROT_READ, MAP_PRIVATE, fd, 0);
			if (m == MAP_FAILED) {
				close(fd);
				*ret_error = xasprintf("%s: cannot map: %s", paths[i], strerror(errno));
				o->len = 0;
				r = -EIO;
				break;
			}
			madvise(m, o->len, MADV_SEQUENTIAL);
			o->p = m;
		}
		close(fd);
		if (o->len >= 2 && (unsigned char)o->p[0] == 0x1f && (unsigned char)o->p[1] == 0x8b) {
			*ret_error = xasprintf("%s: compressed (gzip); decompress it first, e.g. zcat %s > file", paths[i],
					       paths[i]);
			r = -EBADMSG;
			f->n++;
			break;
		}
		/* No zone in a line: the zone this host was in when the file was
		 * last written (syslog writes local time). */
		time_t mt = sb.st_mtime;
		struct tm tm;
		localtime_r(&mt, &tm);
		o->ctx.reference_time = (int64_t)sb.st_mtime;
		o->ctx.default_offset = (int32_t)tm.tm_gmtoff;
		snprintf(o->zone, sizeof(o->zone), "%s", tm.tm_zone ? tm.tm_zone : "");
		logfmt_stream_init(&o->st);
	}
	if (r < 0) {
		scan_files_close(f);
		return r;
	}
	*ret = f;
	return 0;
}

/* Reads lines until the next recognised event (or the end). */
static void advance(struct scan_files *f, size_t idx)
{
	struct one *o = &f->f[idx];
	o->has_ev = false;
	while (o->pos < o->len) {
		const char *start = o->p + o->pos;
		size_t left = o->len - o->pos;
		const char *nl = memchr(start, '\n', left);
		size_t len = nl ? (size_t)(nl - start) : left;
		size_t at = o->pos;
		o->pos += nl ? len + 1 : len;
		if (len && start[len - 1] == '\r')
			len--;
		f->st.lines++;
		if (logfmt_parse_line(&o->ctx, &o->st, str_make(start, len), &o->ev) < 0)
			continue;
		f->st.events++;
		o->ref = (uint64_t)idx << SCAN_FILES_OFFSET_BITS | at;
		if (o->ev.tz != EVENT_TZ_UNKNOWN && o->ev.time)
			o->key = o->ev.time;
		if (o->ev.tz == EVENT_TZ_ASSUMED && !f->st.any_assumed) {
			f->st.any_assumed = true;
			f->st.assumed_offset = o->ctx.default_offset;
			memcpy(f->st.assumed_zone, o->zone, sizeof(o->zone));
		}
		o->has_ev = true;
		return;
	}
}

void scan_files_feed(struct scan_files *f, struct scan *s, struct scan_files_stats *ret)
{
	for (size_t i = 0; i < f->n; i++) {
		f->st.bytes += f->f[i].len;
		advance(f, i);
	}
	for (;;) {
		/* the earliest next event; a handful of files, so a plain scan */
		size_t best = f->n;
		for (size_t i = 0; i < f->n; i++)
			if (f->f[i].has_ev && (best == f->n || f->f[i].key < f->f[best].key))
				best = i;
		if (best == f->n)
			break;
		scan_add(s, &f->f[best].ev, f->f[best].ref);
		advance(f, best);
	}
	*ret = f->st;
}

void scan_files_line(void *arg, uint64_t ref, struct str *ret_line)
{
	const struct scan_files *f = arg;
	size_t idx = (size_t)(ref >> SCAN_FILES_OFFSET_BITS);
	size_t at = (size_t)(ref & ((1ULL << SCAN_FILES_OFFSET_BITS) - 1));
	*ret_line = str_make("", 0);
	if (idx >= f->n || at >= f->f[idx].len)
		return;
	const struct one *o = &f->f[idx];
	const char *start = o->p + at;
	const char *nl = memchr(start, '\n', o->len - at);
	size_t len = nl ? (size_t)(nl - start) : o->len - at;
	if (len && start[len - 1] == '\r')
		len--;
	*ret_line = str_make(start, len);
}

struct scan_files *scan_files_close(struct scan_files *f)
{
	if (!f)
		return NULL;
	for (size_t i = 0; i < f->n; i++)
		unmap(&f->f[i]);
	free(f->f);
	free(f);
	return NULL;
}
