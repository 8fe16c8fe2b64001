/*
 * escape: the one door through which text from strangers reaches a log line,
 * a terminal or an outbound header.
 *
 * Report text, header values, envelope addresses and log lines are written
 * by people we do not know, some of them hostile. Before such text is shown
 * it goes through here: control characters (including CR and LF, which would
 * forge log lines or headers, and ESC, which would drive a terminal) become
 * visible escapes, and the quoted value is capped in length.
 */
#pragma once
#include <stddef.h>

#include "util/buf.h"
#include "util/str.h"

#define ESCAPE_QUOTE_MAX 200	/* bytes of a stranger's value shown in a log line */

/* Appends s with every byte outside printable ASCII/UTF-8 text written as
 * \xNN (and \n, \r, \t spelled out), stopping after `cap` input bytes with
 * "..." appended. Invalid UTF-8 is escaped byte by byte. */
int escape_append(struct buf *out, struct str s, size_t cap);
/* The same into a fresh heap string. */
char *escape_dup(struct str s, size_t cap);
/* For terminal output of a whole text (a message body): keeps LF and TAB,
 * escapes other control bytes and invalid UTF-8. No cap. */
int escape_append_text(struct buf *out, struct str s);
/* A single-line value for a header we compose: CR, LF and other controls
 * become spaces, runs of white space fold to one, capped at `cap` bytes
 * (cut on a UTF-8 boundary). */
char *escape_header_value(struct str s, size_t cap);
