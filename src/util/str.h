/*
 * str: read-only slices of bytes and the cursor functions that parse them.
 *
 * Contract: a struct str never owns its bytes and is never assumed to be
 * NUL-terminated. Every parsing function takes its bound from the slice and
 * advances the slice only on success, so a failed parse leaves the cursor
 * where it was. Numbers are read only through str_take_u64() and friends,
 * which take an explicit maximum and refuse overflow.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct str {
	const char *p;
	size_t len;
};

#define STR_LIT(s) ((struct str){ (s), sizeof(s) - 1 })

struct str str_from(const char *s);
struct str str_make(const char *p, size_t len);
bool str_eq(struct str a, struct str b);
bool str_eq_nocase(struct str a, struct str b);
bool str_eq_cstr_nocase(struct str a, const char *s);
bool str_starts_nocase(struct str s, const char *prefix);
/* Index of the first occurrence of needle (case-insensitive ASCII), or -1. */
long str_find_nocase(struct str hay, struct str needle);
struct str str_trim(struct str s);
/* Drops n bytes from the front (n is clamped to len). */
void str_skip(struct str *s, size_t n);
void str_skip_space(struct str *s);
/* Splits off everything up to the first `sep` (exclusive) into ret_head and
 * moves s past the separator; without a separator the whole slice is the
 * head and s becomes empty. Returns whether a separator was found. */
bool str_split(struct str *s, char sep, struct str *ret_head);
/* Takes the next line (without CR LF / LF). False when s is empty. */
bool str_take_line(struct str *s, struct str *ret_line);
/* Consumes `lit` if s starts with it (case-insensitive with _nocase). */
bool str_take_lit(struct str *s, const char *lit);
bool str_take_lit_nocase(struct str *s, const char *lit);
/* Reads decimal digits into *ret (at most `max`); false on no digits or a
 * value above max. At most 19 digits are considered. */
bool str_take_u64(struct str *s, uint64_t max, uint64_t *ret);
/* Whole-slice unsigned number, e.g. for option values. */
bool str_to_u64(struct str s, uint64_t max, uint64_t *ret);
bool cstr_to_u64(const char *s, uint64_t max, uint64_t *ret);
bool cstr_to_i64(const char *s, int64_t min, int64_t max, int64_t *ret);
/* Heap copy with a terminating NUL. */
char *str_dup(struct str s);

static inline bool char_is_digit(int c) { return c >= '0' && c <= '9'; }
static inline bool char_is_space(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }
static inline bool char_is_alpha(int c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
static inline bool char_is_alnum(int c) { return char_is_alpha(c) || char_is_digit(c); }
static inline bool char_is_xdigit(int c) { return char_is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }
static inline int char_lower(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }
