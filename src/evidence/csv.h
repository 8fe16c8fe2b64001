/*
 * csv: an attachment of rows with a header row in the shapes reporters
 * export (source/src_ip/src/ip/attacker, destination/dst/dst_ip/target,
 * port/dport/dst_port, sport/src_port, proto/protocol,
 * timestamp/time/date/datetime/first_seen, count/hits/attempts/events).
 * Separator ',', ';' or TAB (whichever the header row holds most of);
 * fields may be "quoted" with "" for a quote and line breaks inside
 * (RFC 4180). One event per record with a source address; its line is
 * the whole record.
 */
#pragma once
#include "evidence/logfmt.h"

#define CSV_COLUMNS_MAX 64
#define CSV_RECORD_MAX (64 * 1024)	/* bytes a quoted field may run over lines */

/* Whether the text's first line is a header row we understand. */
bool csv_looks_like(struct str text);
/* Calls fn per row event; returns the number of events. */
long csv_read(const struct logfmt_ctx *ctx, struct str text, logfmt_event_fn fn, void *arg);
