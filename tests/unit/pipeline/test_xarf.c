/* pipeline/xarf: the X-ARF v0.2 report fields per kind of abuse. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/xarf.h"

static char *format(const char *kind, const char *source, unsigned port, int64_t occurrences, bool has_evidence,
		    const char *from)
{
	struct ip_addr a;
	cr_assert(ip_parse_cstr(source, &a));
	struct xarf_report x = {
		.reported_from = from, .report_id = "7.3.0@csirt.example", .kind = kind, .source = &a,
		.date = 1795000000, .occurrences = occurrences, .port = port, .has_evidence = has_evidence,
	};
	struct buf out;
	buf_init(&out, 1 << 16);
	cr_assert_eq(xarf_report_format(&x, &out), 0);
	return buf_steal(&out);
}

Test(xarf, fields_per_kind)
{
	static const struct {
		const char *kind, *source;
		unsigned port;
		int64_t occurrences;
		bool has_evidence;
		const char *want[8];	/* lines that must be there */
		const char *lacks;	/* a line that must not */
	} rows[] = {
		{ "ssh-brute-force", "198.51.100.23", 0, 5, true,
		  { "---\nReported-From: irt@csirt.example\nCategory: abuse\nReport-Type: login-attack\n",
		    "\nReport-ID: 7.3.0@csirt.example\n", "\nDate: \"2026-11-18T11:06:40+00:00\"\n", "\nSource: 198.51.100.23\nSource-Type: ipv4\n",
		    "\nService: ssh\nPort: 22\nOccurrences: 5\n", "\nVersion: 0.2\nAttachment: text/plain\n",
		    "\nSchema-URL: http://www.x-arf.org/schema/abuse_login-attack_0.1.2.json\n" },
		  NULL },
		{ "login-brute-force", "2001:db8::7", 443, 0, false,
		  { "Report-Type: login-attack\n", "\nSource: \"2001:db8::7\"\nSource-Type: ipv6\n", "\nPort: 443\n",
		    "\nAttachment: none\n" },
		  "Occurrences" },
		{ "port-scan", "203.0.113.9", 0, 100, true,
		  { "\nCategory: info\nReport-Type: info\n", "\nSchema-URL: http://www.x-arf.org/schema/info_unstable.json\n" },
		  "Port:" },
		{ "web-abuse", "203.0.113.9", 80, 1, true, { "\nCategory: info\nReport-Type: hack-attack\n", "\nPort: 80\n" }, NULL },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *got = format(rows[i].kind, rows[i].source, rows[i].port, rows[i].occurrences, rows[i].has_evidence,
				   "irt@csirt.example");
		for (size_t k = 0; k < 8 && rows[i].want[k]; k++)
			cr_expect(strstr(got, rows[i].want[k]), "%s: got\n%s\nwant it to hold\n%s", rows[i].kind, got,
				  rows[i].want[k]);
		if (rows[i].lacks)
			cr_expect(!strstr(got, rows[i].lacks), "%s: got\n%s\nwant no '%s'", rows[i].kind, got, rows[i].lacks);
		free(got);
	}
}

Test(xarf, a_strange_value_cannot_add_a_field)
{
	char *got = format("spam", "192.0.2.1", 0, 0, false, "x\nCategory: fraud\"@csirt.example");
	cr_expect(strstr(got, "\nReported-From: \"x\\x0aCategory: fraud\\\"@csirt.example\"\n"), "got\n%s", got);
	cr_expect(!strstr(got, "\nCategory: fraud"), "a field was added:\n%s", got);
	free(got);
}
