/*
 * tag: the ticket reference in subjects, "[Janet CSIRT#100001]".
 *
 * Pure string code (no GMime): it is the heart of threading and is fuzzed
 * on its own. Matching is tolerant the way mail clients and people mangle
 * subjects: any case, extra or missing spaces inside the brackets
 * ("[ janet  csirt #100001 ]"), reply/forward prefixes in many languages.
 * Another team's tag never matches ours.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define TAG_NUMBER_MAX 999999999999LL
#define TAG_SUBJECT_MAX 998	/* RFC 5322 line limit bounds any subject we write */

/* "[TAG#N]" with N at least six digits. */
char *tag_format(const char *tag, int64_t number);
/* Finds the first of our tags in subject; false when there is none. */
bool tag_find(const char *subject, const char *tag, int64_t *ret_number);
/* The subject of our mail about ticket `number` in reply to `original`:
 * reply/forward prefixes and any of our tags removed, "[TAG#N] " in front. */
char *tag_subject(const char *tag, int64_t number, const char *original);
/* original without leading Re:/Fwd:/AW:/SV:/... prefixes (any repetition). */
char *tag_strip_prefixes(const char *original);
