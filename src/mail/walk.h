/*
 * walk: the one walk over a message's MIME tree inside mail/, shared by
 * parts.c (the evidence view) and attach.c (the web desk's listing and
 * downloads). GMime types appear here, so this header is for mail/ only.
 *
 * Contract: leaves (every part that is not a multipart) are offered to the
 * callback in document order, numbered from 0 in that order (attach.c's
 * part numbers). An attached message (message/rfc822) is itself a leaf; the
 * callback returns true to have its own parts walked too, one message
 * level deeper (msg_depth + 1). At most MAIL_PARTS_MAX objects are looked
 * at; a part nested deeper than MAIL_DEPTH_MAX is skipped and sets
 * too_deep. The callback may set stop to end the walk.
 */
#pragma once
#include <gmime/gmime.h>
#include <stdbool.h>
#include <stddef.h>

#include "mail/parts.h"
#include "util/buf.h"

struct mail_walk {
	int visited;		/* objects looked at (MAIL_PARTS_MAX) */
	int leaves;		/* leaves numbered so far */
	bool too_deep;		/* a part past MAIL_DEPTH_MAX was skipped */
	bool stop;		/* set by the callback: walk no further */
};

struct mail_leaf {
	GMimeObject *obj;
	int index;		/* position among the leaves, in walk order */
	int depth;		/* MIME nesting */
	int msg_depth;		/* 0 = the message's own parts; +1 per attached message */
};

/* Returns true to walk into an attached message's parts. */
typedef bool (*mail_leaf_fn)(void *arg, struct mail_walk *w, const struct mail_leaf *leaf);

/* Parses a message with the loose RFC 2047/address/parameter modes every
 * reader here uses; NULL when GMime finds no message. warn, when not NULL,
 * hears GMime's complaints about the message (mail_parse turns them into
 * defects). *ret_opts is always set and freed by the caller
 * (g_mime_parser_options_free). */
GMimeMessage *mail_walk_parse(const char *raw, size_t len, GMimeParserWarningFunc warn, void *warn_arg,
			      GMimeParserOptions **ret_opts);
/* The bytes to give mail_walk_parse: raw itself, or when it holds NUL
 * bytes a copy in *copy (buf_init'ed by the caller, who frees it) with
 * each NUL shown as U+FFFD. GMime's strings end at a NUL, and so would
 * the report's text; the stored raw message keeps its bytes as they came. */
const char *mail_walk_input(const char *raw, size_t len, struct buf *copy, size_t *ret_len);
/* The evidence view of a parsed message (parts.c): -EBADMSG, and *ret
 * empty, when msg is NULL or has no header at all. */
int mail_parts_from(GMimeMessage *msg, struct mail_parts *ret);
void mail_walk_tree(GMimeMessage *msg, mail_leaf_fn fn, void *arg, struct mail_walk *w);
