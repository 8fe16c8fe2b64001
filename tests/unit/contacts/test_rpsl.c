/* rpsl: objects and errors out of text, whatever the chunking. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contacts/rpsl.h"
#include "util/buf.h"

/* Each object becomes "line:class=value|attr=value|...;" and each error
 * "E<line>;", so a whole run compares as one string. */
static void on_object(void *user, const struct rpsl_object *o)
{
	struct buf *b = user;
	buf_printf(b, "%llu:", (unsigned long long)o->line);
	for (size_t i = 0; i < o->n_attrs; i++)
		buf_printf(b, "%s%.*s=%.*s", i ? "|" : "", (int)o->attrs[i].name.len, o->attrs[i].name.p,
			   (int)o->attrs[i].value.len, o->attrs[i].value.p);
	buf_append_char(b, ';');
}

static void on_error(void *user, uint64_t line, const char *why)
{
	(void)why;
	buf_printf(user, "E%llu;", (unsigned long long)line);
}

static char *run(const char *in, size_t chunk)
{
	struct buf b;
	buf_init(&b, 1 << 20);
	struct rpsl_callbacks cb = { on_object, on_error, &b };
	struct rpsl_parser *p = rpsl_parser_new(&cb);
	size_t n = strlen(in);
	for (size_t i = 0; i < n; i += chunk)
		rpsl_feed(p, in + i, n - i < chunk ? n - i : chunk);
	rpsl_finish(p);
	rpsl_parser_free(p);
	return buf_steal(&b);
}

Test(rpsl, rows)
{
	static const struct {
		const char *in, *want;
	} rows[] = {
		{ "", "" },
		{ "role: R\nnic-hdl: X1\n", "1:role=R|nic-hdl=X1;" },
		{ "role: R\n\n\nrole: S\n", "1:role=R;4:role=S;" },
		{ "% comment\n# comment\nROLE:  R  \r\nNic-Hdl:X1\r\n", "3:role=R|nic-hdl=X1;" },
		{ "descr: a\n  b\n\tc\n+\n+ d\n", "1:descr=a b c d;" },
		{ "descr:\n  later\n", "1:descr=later;" },
		{ "abuse-c: R1 # the role\n", "1:abuse-c=R1;" },
		{ "role: R\nnot an attribute\nnic-hdl: X\n\nrole: S\n", "E2;5:role=S;" },
		{ "  leading continuation\nrole: R\n\nrole: S\n", "E1;4:role=S;" },
		{ ": no name\n\nrole: S", "E1;3:role=S;" },
		{ "role: R\n   \t \nrole: S\n", "1:role=R;3:role=S;" },
		{ "role: R", "1:role=R;" },
		{ "a b: c\n", "E1;" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		static const size_t chunks[] = { 1, 2, 7, 4096 };
		for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
			char *got = run(rows[i].in, chunks[c]);
			cr_expect_str_eq(got, rows[i].want, "row %zu, chunks of %zu: got '%s', want '%s'", i, chunks[c], got,
					 rows[i].want);
			free(got);
		}
	}
}

Test(rpsl, limits)
{
	/* A line past RPSL_LINE_MAX spoils its object only. */
	struct buf in;
	buf_init(&in, 1 << 20);
	buf_append_str(&in, "role: R\ndescr: ");
	for (int i = 0; i < RPSL_LINE_MAX + 10; i++)
		buf_append_char(&in, 'x');
	buf_append_str(&in, "\n\nrole: S\n");
	char *got = run(buf_str(&in), 100);
	cr_expect_str_eq(got, "E2;4:role=S;", "long line: got '%s'", got);
	free(got);
	buf_free(&in);

	/* More attributes than RPSL_ATTRS_MAX. */
	buf_init(&in, 1 << 22);
	for (int i = 0; i < RPSL_ATTRS_MAX + 1; i++)
		buf_append_str(&in, "remarks: x\n");
	buf_append_str(&in, "\nrole: S\n");
	got = run(buf_str(&in), 4096);
	char want[64];
	snprintf(want, sizeof(want), "E%d;%d:role=S;", RPSL_ATTRS_MAX + 1, RPSL_ATTRS_MAX + 3);
	cr_expect_str_eq(got, want, "many attributes: got '%s', want '%s'", got, want);
	free(got);
	buf_free(&in);
}
