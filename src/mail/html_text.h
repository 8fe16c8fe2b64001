/*
 * html_text: turns an HTML body into plain text for an analyst to read.
 *
 * Never renders: tags are dropped, the contents of script, style, head,
 * title-less noise and comments are dropped, block elements become line
 * breaks, character references are decoded (numeric and the common named
 * ones). The output is UTF-8 text with no markup at all, so whatever the
 * attacker wrote cannot execute wherever the text is shown later.
 */
#pragma once
#include <stddef.h>

#include "util/buf.h"

#define HTML_TEXT_MAX (4 * 1024 * 1024)

/* Appends the text of html[0..len) to out (capped by out's maximum). */
int html_text(const char *html, size_t len, struct buf *out);
