#include "pipeline/xarf.h"

#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <time.h>

#define XARF_SCHEMA_BASE "http://www.x-arf.org/schema/"

static const struct {
	const char *kind;
	const char *category, *type, *schema, *service;
	unsigned port;
} types[] = {
	{ "ssh-brute-force", "abuse", "login-attack", "abuse_login-attack_0.1.2.json", "ssh", 22 },
	{ "login-brute-force", "abuse", "login-attack", "abuse_login-attack_0.1.2.json", NULL, 0 },
	{ "web-abuse", "info", "hack-attack", "info_unstable.json", NULL, 0 },
	{ "intrusion-alert", "info", "hack-attack", "info_unstable.json", NULL, 0 },
};
static const size_t n_types = sizeof(types) / sizeof(types[0]);

/* A YAML plain scalar needs no quoting when it holds only these and does
 * not start with an indicator (YAML 1.1 9.1.3); else double-quoted. */
static int scalar(struct buf *out, const char *v)
{
	bool is_plain = *v && !strchr("-?:,[]{}#&*!|>'\"%@`", *v);
	for (const char *p = v; is_plain && *p; p++)
		is_plain = char_is_alnum((unsigned char)*p) || strchr("@._+/- ", *p);
	if (is_plain && v[strlen(v) - 1] != ' ')
		return buf_append_str(out, v);
	int r = buf_append_char(out, '"');
	for (const char *p = v; r >= 0 && *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '"' || c == '\\')
			r = buf_printf(out, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			r = buf_printf(out, "\\x%02x", c);
		else
			r = buf_append_char(out, (char)c);
	}
	return r >= 0 ? buf_append_char(out, '"') : r;
}

/* Appends "Name: value"; after a failed append (*r < 0) does nothing. */
static void field(struct buf *out, int *r, const char *name, const char *v)
{
	if (*r >= 0)
		*r = buf_printf(out, "%s: ", name);
	if (*r >= 0)
		*r = scalar(out, v);
	if (*r >= 0)
		*r = buf_append_char(out, '\n');
}

int xarf_report_format(const struct xarf_report *x, struct buf *out)
{
	size_t t = 0;
	while (t < n_types && strcmp(types[t].kind, x->kind ? x->kind : ""))
		t++;
	const char *category = t < n_types ? types[t].category : "info";
	const char *type = t < n_types ? types[t].type : "info";
	const char *schema = t < n_types ? types[t].schema : "info_unstable.json";
	unsigned port = x->port ? x->port : t < n_types ? types[t].port : 0;

	char src[IP_TEXT_MAX], date[40];
	ip_format(x->source, src);
	time_t d = (time_t)x->date;
	struct tm tm;
	/* The schemata's "date-time" format: ISO 8601 / RFC 3339, UTC. */
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S+00:00", gmtime_r(&d, &tm));

	char port_text[16] = "", count[24] = "";
	if (port)
		snprintf(port_text, sizeof(port_text), "%u", port);
	if (x->occurrences > 0)
		snprintf(count, sizeof(count), "%lld", (long long)x->occurrences);
	const struct {
		const char *name, *value;
	} fields[] = {
		{ "Reported-From", x->reported_from }, { "Category", category }, { "Report-Type", type },
		{ "Report-ID", x->report_id }, { "Date", date }, { "Source", src },
		{ "Source-Type", x->source->family == IP_V6 ? "ipv6" : "ipv4" },
		{ "Service", t < n_types && types[t].service ? types[t].service : "" }, { "Port", port_text },
		{ "Occurrences", count }, { "User-Agent", "abusedesk" }, { "Version", "0.2" },
		{ "Attachment", x->has_evidence ? "text/plain" : "none" },
	};
	size_t before = out->len;
	int r = buf_append_str(out, "---\n");
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (fields[i].value && *fields[i].value)
			field(out, &r, fields[i].name, fields[i].value);
	if (r >= 0)
		r = buf_printf(out, "Schema-URL: %s%s\n", XARF_SCHEMA_BASE, schema);
	if (r < 0) {
		out->len = before;	/* all of it or nothing */
		if (out->p)
			out->p[before] = '\0';
	}
	return r;
}
