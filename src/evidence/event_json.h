/*
 * event_json: an event as a JSON object, the one shape `extract --json`,
 * the fixture corpus and the ticket's stored evidence share:
 *   {"format","kind","src","dst","sport","dport","proto","service",
 *    "time" (UTC, "…Z"), "reported" (as stated, with its offset),
 *    "tz" ("stated"|"assumed"|"unknown"), "count"}
 * Absent facts are left out, never written as 0. The log line is not part
 * of it (callers add it, escaped, where they show it).
 */
#pragma once
#include <jansson.h>

#include "evidence/event.h"

const char *event_tz_name(enum event_tz tz);
json_t *event_json(const struct event *e);
