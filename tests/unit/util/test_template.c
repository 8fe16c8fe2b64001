/* template: placeholders, sections, and missing names caught. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/template.h"

static const struct template_var vars[] = {
	{ "tag", "[Janet CSIRT#100001]" },
	{ "team", "Janet CSIRT" },
	{ "empty", "" },
	{ "note", "see below" },
};
#define N_VARS (sizeof(vars) / sizeof(vars[0]))

struct row {
	const char *tmpl;
	int want_r;
	const char *want;		/* output, when want_r == 0 */
	const char *want_missing;	/* name reported, when want_r < 0 */
};

static const struct row rows[] = {
	{ "no placeholders", 0, "no placeholders", NULL },
	{ "", 0, "", NULL },
	{ "Ref {{tag}}.", 0, "Ref [Janet CSIRT#100001].", NULL },
	{ "{{team}}{{tag}}", 0, "Janet CSIRT[Janet CSIRT#100001]", NULL },
	{ "a{{#note}} ({{note}}){{/note}}b", 0, "a (see below)b", NULL },
	{ "a{{#empty}} dropped {{tag}}{{/empty}}b", 0, "ab", NULL },
	{ "{{#empty}}x{{#note}}y{{/note}}z{{/empty}}!", 0, "!", NULL },	/* nested in a dropped section */
	{ "{{#note}}x{{#empty}}y{{/empty}}z{{/note}}", 0, "xz", NULL },
	{ "{{tga}}", -EINVAL, NULL, "tga" },
	{ "ok {{#nosuch}}x{{/nosuch}}", -EINVAL, NULL, "nosuch" },
	{ "unclosed {{tag", -EINVAL, NULL, "(unclosed {{)" },
	{ "single { brace }", 0, "single { brace }", NULL },
};

Test(template, render)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *row = &rows[i];
		struct buf out;
		buf_init(&out, TEMPLATE_SIZE_MAX);
		char *missing = NULL;
		int r = template_render(row->tmpl, vars, N_VARS, &out, &missing);
		cr_expect_eq(r, row->want_r, "row %zu \"%s\": got %d, want %d", i, row->tmpl, r, row->want_r);
		if (r == 0 && row->want_r == 0)
			cr_expect_str_eq(buf_str(&out), row->want, "row %zu: got \"%s\", want \"%s\"", i, buf_str(&out),
					 row->want);
		if (row->want_missing)
			cr_expect(missing && !strcmp(missing, row->want_missing), "row %zu: missing got \"%s\", want \"%s\"",
				  i, missing ? missing : "(null)", row->want_missing);
		free(missing);
		buf_free(&out);
	}
}

Test(template, check)
{
	static const char *const names[] = { "tag", "team" };
	char *missing = NULL;
	int r = template_check("{{tag}} {{team}}", names, 2, &missing);
	cr_expect_eq(r, 0, "got %d, want 0", r);
	r = template_check("{{tag}} {{number}}", names, 2, &missing);
	cr_expect_eq(r, -EINVAL, "got %d, want -EINVAL", r);
	cr_expect(missing && !strcmp(missing, "number"), "missing got \"%s\", want \"number\"", missing ? missing : "(null)");
	free(missing);
}

Test(template, output_limit)
{
	struct buf out;
	buf_init(&out, 10);
	char *missing = NULL;
	int r = template_render("{{tag}}", vars, N_VARS, &out, &missing);
	cr_expect_eq(r, -EMSGSIZE, "got %d, want -EMSGSIZE", r);
	free(missing);
	buf_free(&out);
}
