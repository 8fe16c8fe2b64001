/* tag: the threading table. Each subject names the ticket it must join
 * (0: none of ours, a new ticket). */
#include <criterion/criterion.h>
#include <string.h>

#include "mail/tag.h"

#define TAG "Janet CSIRT"

struct find_row {
	const char *subject;
	int64_t want;
};

static const struct find_row find_rows[] = {
	{ "[Janet CSIRT#100001] SSH brute force", 100001 },
	{ "Re: [Janet CSIRT#100001] SSH brute force", 100001 },
	{ "RE: [Janet CSIRT#100001] SSH brute force", 100001 },
	{ "Fwd: [Janet CSIRT#100001] SSH brute force", 100001 },
	{ "FW: Re: [Janet CSIRT#100001] scan", 100001 },
	{ "AW: [Janet CSIRT#100001] Portscan", 100001 },
	{ "SV: [Janet CSIRT#100001] Portscan", 100001 },
	{ "Re[2]: [Janet CSIRT#100001] scan", 100001 },
	{ "Re:   [Janet  CSIRT#100001]   scan", 100001 },
	{ "[Janet CSIRT #100001] scan", 100001 },
	{ "[ Janet CSIRT # 100001 ] scan", 100001 },
	{ "[janet csirt#100001] scan", 100001 },
	{ "[JANET CSIRT#100001] scan", 100001 },
	{ "[Janet\tCSIRT#100001] scan", 100001 },
	{ "scan (was: [Janet CSIRT#100002])", 100002 },
	{ "[Janet CSIRT#100001]", 100001 },
	{ "[Janet CSIRT#1234567] big numbers", 1234567 },
	{ "[Janet CSIRT#000042] leading zeros", 42 },
	{ "[Other CERT#100001] their ticket", 0 },			/* another team's tag */
	{ "[Janet CSIRT-2#100001] near miss", 0 },
	{ "[JanetCSIRT#100001] missing space", 0 },
	{ "[Janet CSIRT#] no number", 0 },
	{ "[Janet CSIRT#abc] not a number", 0 },
	{ "[Janet CSIRT#0] zero", 0 },
	{ "[Janet CSIRT#-5] negative", 0 },
	{ "[Janet CSIRT#1000000000000] too many digits", 0 },
	{ "[Janet CSIRT#99999999999999999999999] overflow", 0 },
	{ "[Janet CSIRT#100001 unclosed", 0 },
	{ "[Other CERT#5] [Janet CSIRT#100003] stacked", 100003 },	/* ours after theirs */
	{ "[Janet CSIRT#100004] [Janet CSIRT#100005] stacked", 100004 },	/* the first of ours */
	{ "[[Janet CSIRT#100006]] doubled brackets", 100006 },
	{ "Janet CSIRT#100001 without brackets", 0 },
	{ "", 0 },
	{ "no tag at all", 0 },
	{ "[Janet CSIRT#100001]x glued text", 100001 },
};

Test(tag, find)
{
	for (size_t i = 0; i < sizeof(find_rows) / sizeof(find_rows[0]); i++) {
		const struct find_row *row = &find_rows[i];
		int64_t n = 0;
		bool found = tag_find(row->subject, TAG, &n);
		int64_t got = found ? n : 0;
		cr_expect_eq(got, row->want, "row %zu \"%s\": got %lld, want %lld", i, row->subject, (long long)got,
			     (long long)row->want);
	}
}

struct fmt_row {
	const char *tag;
	int64_t n;
	const char *want;
};

static const struct fmt_row fmt_rows[] = {
	{ TAG, 100001, "[Janet CSIRT#100001]" },
	{ TAG, 1, "[Janet CSIRT#000001]" },
	{ TAG, 1234567, "[Janet CSIRT#1234567]" },
	{ "X", 42, "[X#000042]" },
};

Test(tag, format_round_trips)
{
	for (size_t i = 0; i < sizeof(fmt_rows) / sizeof(fmt_rows[0]); i++) {
		char *got = tag_format(fmt_rows[i].tag, fmt_rows[i].n);
		cr_expect_str_eq(got, fmt_rows[i].want, "row %zu: got \"%s\", want \"%s\"", i, got, fmt_rows[i].want);
		int64_t back = 0;
		cr_expect(tag_find(got, fmt_rows[i].tag, &back) && back == fmt_rows[i].n,
			  "row %zu: \"%s\" does not find its own number (got %lld)", i, got, (long long)back);
		free(got);
	}
}

struct subject_row {
	int64_t n;
	const char *original;
	const char *want;
};

static const struct subject_row subject_rows[] = {
	{ 100001, "SSH brute force", "[Janet CSIRT#100001] SSH brute force" },
	{ 100001, "Re: SSH brute force", "[Janet CSIRT#100001] SSH brute force" },
	{ 100001, "RE: Re: Fwd: scan", "[Janet CSIRT#100001] scan" },
	{ 100001, "Re: [Janet CSIRT#100001] scan", "[Janet CSIRT#100001] scan" },
	{ 100001, "[Janet CSIRT#100001] Re: scan", "[Janet CSIRT#100001] scan" },
	{ 100001, "Re: [Janet CSIRT#100001] Re: [Janet CSIRT#100001] scan", "[Janet CSIRT#100001] scan" },
	{ 100002, "[janet csirt #100001] scan", "[Janet CSIRT#100002] scan" },	/* merged: new number, no stack */
	{ 100001, "AW: SV: Re[3]: scan", "[Janet CSIRT#100001] scan" },
	{ 100001, "scan  with   spaces", "[Janet CSIRT#100001] scan with spaces" },
	{ 100001, "", "[Janet CSIRT#100001]" },
	{ 100001, "Re:", "[Janet CSIRT#100001]" },
	{ 100001, "[Other CERT#5] their report", "[Janet CSIRT#100001] [Other CERT#5] their report" },
	{ 100001, "Reference list", "[Janet CSIRT#100001] Reference list" },	/* "Re" in a word is not a prefix */
	{ 100001, "Fwdx: thing", "[Janet CSIRT#100001] Fwdx: thing" },
};

Test(tag, subject_does_not_stack)
{
	for (size_t i = 0; i < sizeof(subject_rows) / sizeof(subject_rows[0]); i++) {
		const struct subject_row *row = &subject_rows[i];
		char *got = tag_subject(TAG, row->n, row->original);
		cr_expect_str_eq(got, row->want, "row %zu \"%s\": got \"%s\", want \"%s\"", i, row->original, got, row->want);
		/* Composing again from our own subject changes nothing. */
		char *again = tag_subject(TAG, row->n, got);
		cr_expect_str_eq(again, got, "row %zu: not stable: got \"%s\", want \"%s\"", i, again, got);
		free(again);
		free(got);
	}
}

Test(tag, subject_is_bounded)
{
	char big[5000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	char *got = tag_subject(TAG, 100001, big);
	cr_expect(strlen(got) <= TAG_SUBJECT_MAX * 4, "got %zu bytes, want at most %d", strlen(got), TAG_SUBJECT_MAX * 4);
	free(got);
}
