#include "cli/scan_files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "evidence/logfmt.h"
#include "util/xalloc.h"

struct one {
	int fd;
	char *buf;			/* SCAN_FILES_BLOCK bytes */
	size_t start, end;		/* unread bytes are buf[start, end) */
	uint64_t buf_off;		/* file offset of buf[0] */
	bool eof;
	bool skip_to_nl;		/* inside a line longer than the block */
	uint64_t size;
	struct logfmt_ctx ctx;
	struct logfmt_stream st;
	struct event ev;		/* the next event, when has_ev; its line is in buf */
	uint64_t ref;
	int64_t key;			/* its time, or the file's last known time */
	bool has_ev;
	char zone[16];
};

/* Events are parsed in batches of SCAN_FILES_BATCH, then added in
 * stages over the whole batch (scan/scan.h): every event's table slot,
 * then every source, then the lines of every distinct set, then the adds.
 * Each stage's memory accesses are independent of one another, so the
 * core has a batch of cache misses in flight at once instead of one
 * chain per event. */
#define SCAN_FILES_BATCH 64

struct flight {
	struct event ev;		/* its line is in a file's block: added before any refill */
	uint64_t ref;
	struct scan_prep prep;
};

struct scan_files {
	struct one *f;
	size_t n;
	struct scan *s;			/* during scan_files_feed() */
	struct flight batch[SCAN_FILES_BATCH];
	size_t batch_n;
	struct scan_files_stats st;
	char quote[SCAN_FILES_QUOTE_MAX];
};

int scan_files_open(char *const *paths, size_t n, struct scan_files **ret, char **ret_error)
{
	if (n > SCAN_FILES_MAX) {
		*ret_error = xasprintf("more than %d log files", SCAN_FILES_MAX);
		return -EMSGSIZE;
	}
	struct scan_files *f = xcalloc(1, sizeof(*f));
	f->f = xcalloc(n ? n : 1, sizeof(*f->f));
	int r = 0;
	for (size_t i = 0; i < n; i++) {
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
		o->fd = fd;
		f->n++;
		if ((uint64_t)sb.st_size >> SCAN_FILES_OFFSET_BITS) {
			*ret_error = xasprintf("%s: larger than 1 TiB", paths[i]);
			r = -EMSGSIZE;
			break;
		}
		o->size = (uint64_t)sb.st_size;
		unsigned char magic[2];
		if (pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
			*ret_error = xasprintf("%s: compressed (gzip); decompress it first, e.g. zcat %s > file", paths[i],
					       paths[i]);
			r = -EBADMSG;
			break;
		}
		posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
		o->buf = xmalloc(SCAN_FILES_BLOCK);
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

/* Adds every event of the batch. */
static void drain(struct scan_files *f)
{
	struct flight *b = f->batch;
	size_t n = f->batch_n;
	for (size_t i = 0; i < n; i++)
		scan_prep(f->s, &b[i].ev, &b[i].prep);
	for (size_t i = 0; i < n; i++)
		scan_prefetch_source(f->s, &b[i].prep);
	for (size_t i = 0; i < n; i++)
		scan_prefetch_sets(f->s, &b[i].prep);
	for (size_t i = 0; i < n; i++)
		scan_add_prepared(f->s, &b[i].ev, b[i].ref, &b[i].prep);
	f->batch_n = 0;
}

static void push(struct scan_files *f, const struct event *ev, uint64_t ref)
{
	struct flight *g = &f->batch[f->batch_n++];
	g->ev = *ev;
	g->ref = ref;
	if (f->batch_n == SCAN_FILES_BATCH)
		drain(f);
}

/* Moves the unread tail to the front and fills the rest of the block;
 * the events in flight point into blocks, so they are added first. */
static void refill(struct scan_files *f, struct one *o)
{
	drain(f);
	size_t keep = o->end - o->start;
	memmove(o->buf, o->buf + o->start, keep);
	o->buf_off += o->start;
	o->start = 0;
	o->end = keep;
	while (!o->eof && o->end < SCAN_FILES_BLOCK) {
		ssize_t k = read(o->fd, o->buf + o->end, SCAN_FILES_BLOCK - o->end);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			/* a read error ends the file like its end would: what was
			 * read is used, and the stats show the lines */
			o->eof = true;
			break;
		}
		o->end += (size_t)k;
	}
}

/* The next line of o (without LF / CR LF); false at the end. A line
 * longer than the block is returned cut at LOGFMT_LINE_MAX, and the rest
 * of it is skipped on the next call. */
static bool next_line(struct scan_files *f, struct one *o, struct str *ret, uint64_t *ret_off)
{
	for (;;) {
		const char *p = o->buf + o->start;
		size_t left = o->end - o->start;
		const char *nl = left ? memchr(p, '\n', left) : NULL;
		if (o->skip_to_nl) {
			o->start = nl ? (size_t)(nl - o->buf) + 1 : o->end;
			o->skip_to_nl = !nl;
		} else if (nl || (o->eof && left)) {
			size_t len = nl ? (size_t)(nl - p) : left;
			*ret_off = o->buf_off + o->start;
			o->start += nl ? len + 1 : len;
			if (len > LOGFMT_LINE_MAX)
				len = LOGFMT_LINE_MAX;
			if (len && p[len - 1] == '\r')
				len--;
			*ret = str_make(p, len);
			return true;
		} else if (left == SCAN_FILES_BLOCK) {
			*ret_off = o->buf_off + o->start;
			*ret = str_make(p, LOGFMT_LINE_MAX);
			o->start = o->end;
			o->skip_to_nl = true;
			return true;
		}
		if (o->eof && o->start == o->end)
			return false;
		refill(f, o);
	}
}

/* Reads lines until the next recognised event (or the end). */
static void advance(struct scan_files *f, size_t idx)
{
	struct one *o = &f->f[idx];
	o->has_ev = false;
	struct str line;
	uint64_t off;
	while (next_line(f, o, &line, &off)) {
		f->st.lines++;
		if (!line.len || logfmt_parse_line(&o->ctx, &o->st, line, &o->ev) < 0)
			continue;
		f->st.events++;
		o->ref = (uint64_t)idx << SCAN_FILES_OFFSET_BITS | off;
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
	f->s = s;
	for (size_t i = 0; i < f->n; i++) {
		f->st.bytes += f->f[i].size;
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
		push(f, &f->f[best].ev, f->f[best].ref);
		advance(f, best);
	}
	drain(f);
	f->s = NULL;
	*ret = f->st;
}

void scan_files_line(void *arg, uint64_t ref, struct str *ret_line)
{
	struct scan_files *f = arg;
	size_t idx = (size_t)(ref >> SCAN_FILES_OFFSET_BITS);
	uint64_t at = ref & ((1ULL << SCAN_FILES_OFFSET_BITS) - 1);
	*ret_line = str_make("", 0);
	if (idx >= f->n)
		return;
	ssize_t k = pread(f->f[idx].fd, f->quote, sizeof(f->quote), (off_t)at);
	if (k <= 0)
		return;
	const char *nl = memchr(f->quote, '\n', (size_t)k);
	size_t len = nl ? (size_t)(nl - f->quote) : (size_t)k;
	if (len && f->quote[len - 1] == '\r')
		len--;
	*ret_line = str_make(f->quote, len);
}

struct scan_files *scan_files_close(struct scan_files *f)
{
	if (!f)
		return NULL;
	for (size_t i = 0; i < f->n; i++) {
		close(f->f[i].fd);
		free(f->f[i].buf);
	}
	free(f->f);
	free(f);
	return NULL;
}
