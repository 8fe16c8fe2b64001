/*
 * report: the findings of evidence/extract as the analyst sees them, in
 * one JSON shape (stored with the ticket, `extract --json`, `ticket show
 * --json`) and one text rendering (`extract`, `ticket show`). Strangers'
 * text (log lines, statement, URLs) goes through util/escape in the text
 * rendering; in JSON it is a string like any other. Provenance (the line
 * each fact came from) is {"part", "line", "text"} beside the fact; see
 * docs/ARCHITECTURE.md "Evidence".
 */
#pragma once
#include <jansson.h>

#include "evidence/extract.h"
#include "util/buf.h"

#define REPORT_DESTS_LISTED 20	/* destinations listed one by one; more: count and range */
#define REPORT_SOURCES_LISTED 50
#define REPORT_PORT_LINES_LISTED 50	/* ports shown with the line that established them */

json_t *evidence_json(const struct evidence *ev);
/* Appends the human-readable rendering of a stored evidence JSON object. */
int evidence_render_text(const json_t *ev_json, struct buf *out);
/* The checklist part of an evidence JSON: state of item `name` ("missing"...). */
const char *evidence_json_check_state(const json_t *ev_json, const char *item, const char **ret_reason);
