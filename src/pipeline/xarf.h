/*
 * xarf: the machine-readable part of a notification to an external abuse
 * mailbox, X-ARF v0.2 (http://www.x-arf.org/specification.html): YAML
 * fields that a receiving desk validates against the schema named in
 * Schema-URL. X-ARF describes one source per report, so the desk sends one
 * message per source to a destination that asked for X-ARF.
 *
 * The kind of abuse picks the report type: SSH and login brute force are
 * "abuse / login-attack" (schema abuse_login-attack_0.1.2); web abuse and
 * intrusion alerts are "info / hack-attack", everything else "info /
 * info" (schema info_unstable: the published schemata have no port scan
 * or spam type). Every value is our own (addresses we formatted, our
 * configured address, numbers), and a string that is not a plain YAML
 * scalar is written double-quoted with escapes, so no report text can add
 * a field.
 */
#pragma once
#include <stdint.h>

#include "net/ip.h"
#include "util/buf.h"

struct xarf_report {
	const char *reported_from;	/* our address */
	const char *report_id;		/* unique, mail-address shaped (the schemata's format) */
	const char *kind;		/* normalised (route_kind_normalise) */
	const struct ip_addr *source;
	int64_t date;			/* the first event from the source, else the report's time */
	int64_t occurrences;		/* events from the source, 0 unknown */
	unsigned port;			/* destination port, 0 unknown */
	bool has_evidence;		/* a logfile.log part follows */
};

/* Appends the YAML document ("---" and one "Field: value" a line). */
int xarf_report_format(const struct xarf_report *x, struct buf *out);
