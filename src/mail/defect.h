/*
 * defect: what was wrong with a message, recorded and carried on with.
 *
 * Malformation is data (Postfix's habit): a parser sets flags and goes on.
 * The names are stored on the message and shown to analysts.
 */
#pragma once
#include <stdint.h>

#include "util/buf.h"

enum defect {
	DEFECT_UNPARSABLE = 1u << 0,	/* no message structure at all: shown raw */
	DEFECT_NO_HEADERS = 1u << 1,
	DEFECT_NO_BODY = 1u << 2,
	DEFECT_NUL_BYTES = 1u << 3,
	DEFECT_8BIT_HEADER = 1u << 4,
	DEFECT_LONG_LINE = 1u << 5,	/* a line over RFC 5322's 998 octets */
	DEFECT_BAD_MIME = 1u << 6,	/* GMime warned about the structure */
	DEFECT_BAD_ENCODED_WORD = 1u << 7,
	DEFECT_BAD_CHARSET = 1u << 8,	/* text that was not valid in its charset */
	DEFECT_NESTING = 1u << 9,	/* MIME nested deeper than MAIL_DEPTH_MAX */
	DEFECT_HTML_ONLY = 1u << 10,	/* body text was converted from HTML */
	DEFECT_NO_FROM = 1u << 11,
	DEFECT_TRUNCATED = 1u << 12,	/* text cut at MAIL_TEXT_MAX */
};

/* Appends the names of the set flags, comma-separated. */
void defect_names(uint32_t defects, struct buf *out);
