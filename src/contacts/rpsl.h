/*
 * rpsl: a streaming reader of RPSL objects (RFC 2622 2, as the RIRs'
 * bulk "split" files write them).
 *
 * Bytes go in in chunks of any size (rpsl_feed), objects come out through a
 * callback as soon as their blank line is read, so a file of millions of
 * objects is never held whole: memory is one object (RPSL_OBJECT_MAX).
 *
 * Syntax handled: "attribute: value" lines; continuation lines starting
 * with white space or '+' (RFC 2622 2: the '+' stands for an empty line);
 * objects separated by blank lines; whole-line comments starting with '%'
 * or '#' (RIR dump headers) and end-of-line "#" comments in values.
 *
 * Malformation is data: a line that is none of the above, a continuation
 * before any attribute, an object past RPSL_OBJECT_MAX bytes or
 * RPSL_ATTRS_MAX attributes makes that ONE object malformed: the error
 * callback gets the line number (of the bad line) and a reason, the rest of
 * the object is skipped to its blank line, and reading goes on.
 *
 * Attribute names are lower-cased; values are trimmed, continuation lines
 * joined with one space. Pointers in struct rpsl_object are valid only
 * during the callback.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/str.h"

#define RPSL_LINE_MAX 4096		/* longer lines make the object malformed */
#define RPSL_OBJECT_MAX (256 * 1024)	/* bytes of one object */
#define RPSL_ATTRS_MAX 2000		/* attributes of one object */

struct rpsl_attr {
	struct str name;	/* lower case */
	struct str value;
};

struct rpsl_object {
	const struct rpsl_attr *attrs;	/* attrs[0] names the class: "inetnum", "role" ... */
	size_t n_attrs;
	uint64_t line;			/* of the first attribute */
};

struct rpsl_callbacks {
	void (*object)(void *user, const struct rpsl_object *o);
	void (*error)(void *user, uint64_t line, const char *why);
	void *user;
};

struct rpsl_parser;

struct rpsl_parser *rpsl_parser_new(const struct rpsl_callbacks *cb);
struct rpsl_parser *rpsl_parser_free(struct rpsl_parser *p);
void rpsl_feed(struct rpsl_parser *p, const char *data, size_t len);
/* End of input: the last object, if any, is delivered. */
void rpsl_finish(struct rpsl_parser *p);
/* The first value of an attribute, or an empty slice. */
struct str rpsl_get(const struct rpsl_object *o, const char *name);
