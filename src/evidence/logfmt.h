/*
 * logfmt: recognise and read log lines of the formats reporters paste
 * (firewalls, sshd, web and mail servers, IDS), one line at a time.
 *
 * Contract:
 *  - logfmt_parse_line() looks at ONE line (no CR/LF) and, when some format
 *    recognises it, fills *ret and returns the index of that format in the
 *    registry (>= 0). A line no format reads returns -ENOENT and leaves *ret
 *    untouched. It never allocates, never logs and never fails otherwise.
 *  - Detection is by content, line by line: `hint` (the index returned for
 *    the previous line, or -1) is tried first, since a pasted log is
 *    usually one format throughout; then the registry in order
 *    (logfmt/registry.c), the generic free-text fallback last.
 *  - ret->line points into `line`; ret->format is a static name.
 *  - Times: a line that states no zone gets ctx->default_offset and
 *    tz = EVENT_TZ_ASSUMED (STATED when ctx->offset_is_stated); a line
 *    with no year (syslog) takes it from ctx->default_year or
 *    ctx->reference_time, with the New Year rollover (timeparse.h).
 *  - Stateful formats (Zeek's "#fields" header) keep their state in a
 *    struct logfmt_stream; logfmt_parse_line() alone treats every line
 *    on its own.
 *
 * Each format is one file in logfmt/ with one function of type
 * logfmt_parse_fn; adding one: docs/LOGFMT.md.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evidence/event.h"
#include "util/str.h"

#define LOGFMT_LINE_MAX 65536		/* longer lines are read only up to this */
#define LOGFMT_USER_FORMATS_MAX 32	/* user-defined formats in the config */
#define LOGFMT_ZEEK_FIELDS_MAX 64	/* columns remembered from a "#fields" line */

struct logfmt_user;	/* compiled user-defined formats (logfmt/user.c) */

struct logfmt_ctx {
	int64_t reference_time;	/* the message Date (or file mtime), UTC seconds; 0 = now unknown */
	int default_year;	/* year for lines without one; 0 = from reference_time */
	int32_t default_offset;	/* seconds east of UTC for lines that state no zone */
	bool offset_is_stated;	/* the reporter stated default_offset (e.g. "all times CET"): tz STATED */
	const struct logfmt_user *user;	/* user-defined formats, tried first; may be NULL */
};

/* The last syslog stamp read in a stream and the time it gave
 * (lfutil_line_time_cached(): a log has the same stamp on many lines). */
struct logfmt_stamp {
	char text[15];			/* "Nov 22 14:03:01"; empty (NUL first) = nothing cached */
	struct logfmt_ctx ctx;		/* the context it was read in */
	int64_t time;
	int32_t offset;
	enum event_tz tz;
};

/* State across lines of one stream (Zeek TSV columns, the format hint). */
struct logfmt_stream {
	int hint;			/* last matching format, -1 at start */
	uint8_t zeek_n;			/* columns in zeek_col (0 = no header seen) */
	uint8_t zeek_col[LOGFMT_ZEEK_FIELDS_MAX];	/* enum logfmt_zeek_field per column */
	char zeek_sep;			/* "#separator" (default TAB) */
	struct logfmt_stamp stamp;
};

/* One format's line parser: true when it read the line into *ret. */
typedef bool (*logfmt_parse_fn)(const struct logfmt_ctx *ctx, struct logfmt_stream *st, struct str line,
				struct event *ret);

struct logfmt_format {
	const char *name;	/* "iptables", "sshd", ... (the event's format) */
	logfmt_parse_fn parse;
};

/* The registry, in detection order. */
size_t logfmt_count(void);
const struct logfmt_format *logfmt_get(size_t i);
/* Index of a format by name, or -ENOENT. */
int logfmt_find(const char *name);

void logfmt_stream_init(struct logfmt_stream *st);

/* Reads one line; see the contract above. `st` may be NULL (no state).
 * A user-defined format's index is logfmt_count() + its index in ctx->user. */
int logfmt_parse_line(const struct logfmt_ctx *ctx, struct logfmt_stream *st, struct str line,
		      struct event *ret);

/* Called for each event of logfmt_parse_text(); return < 0 to stop. */
typedef int (*logfmt_event_fn)(void *arg, const struct event *e);

/* Reads every line of a text (a whole log file, an attachment, a body),
 * calling fn for each recognised line. Returns the number of events, or
 * the callback's negative value. */
long logfmt_parse_text(const struct logfmt_ctx *ctx, struct str text, logfmt_event_fn fn, void *arg);

#define LOGFMT_READ_CHUNK (1024 * 1024)	/* bytes read at a time by logfmt_parse_fd */

/* The same over a file descriptor read to its end in chunks (a log file of
 * any size in bounded memory; a line longer than LOGFMT_LINE_MAX is cut).
 * An event's line is valid only during the callback. Returns the number
 * of events, -EIO on a read error, or the callback's negative value. */
long logfmt_parse_fd(const struct logfmt_ctx *ctx, int fd, logfmt_event_fn fn, void *arg);
