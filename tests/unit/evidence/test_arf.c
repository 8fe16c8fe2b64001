/* arf: ARF fields, and X-ARF flat, nested YAML and nested JSON. */
#include <criterion/criterion.h>
#include <string.h>

#include "evidence/arf.h"

struct row {
	const char *name;
	const char *text;
	const char *want_src;	/* NULL: no event */
	const char *want_dst;	/* "" when none */
	int want_dport, want_sport;	/* -1 when none */
	int64_t want_time;
	uint32_t want_count;
	const char *want_type;
	const char *want_at;	/* prefix of the line naming the source */
};

static const struct row rows[] = {
	{ "flat YAML", "---\nCategory: abuse\nReport-Type: login-attack\nSource: 198.51.100.70\nPort: 22\n"
		       "Date: Sun, 22 Nov 2026 14:03:01 +0000\n",
	  "198.51.100.70", "", 22, -1, 1795356181, 1, "abuse/login-attack", "Source: 198.51.100.70" },
	{ "YAML maps under Source and Destination",
	  "Reported-From: a@example.org\nCategory: abuse\nReport-Type: portscan\nSource:\n  IP: 198.51.100.71\n"
	  "  Port: 40000\n  Type: ipv4\nDestination:\n  IP: 192.0.2.40\n  Port: 445\nDate: 2026-11-22T14:03:01Z\n",
	  "198.51.100.71", "192.0.2.40", 445, 40000, 1795356181, 1, "abuse/portscan", "  IP: 198.51.100.71" },
	{ "YAML lists, items at the key's indent and below",
	  "Category: abuse\nSource:\n- 198.51.100.72\n- 198.51.100.99\nDestination:\n    - 192.0.2.41\nPorts: [23, 2323]\n"
	  "Attachment: |\n  Source: 203.0.113.1\n  free text\nIncidents: 17\n",
	  "198.51.100.72", "192.0.2.41", 23, -1, 0, 17, "abuse", "- 198.51.100.72" },
	{ "YAML list of maps under a container", "Report:\n  Sources:\n    - Source:\n        Address: 198.51.100.73\n"
						    "        Port: 5000\n  Report-Type: login-attack\n",
	  "198.51.100.73", "", -1, 5000, 0, 1, "login-attack", "        Address: 198.51.100.73" },
	{ "flat JSON", "{\"Category\": \"abuse\", \"Report-Type\": \"portscan\",\n \"Source\": \"198.51.100.74\", \"Port\": 22}",
	  "198.51.100.74", "", 22, -1, 0, 1, "abuse/portscan", " \"Source\": \"198.51.100.74\"" },
	{ "JSON X-ARF v0.3 shape",
	  "{\"Version\": \"3\", \"ReporterInfo\": {\"ReporterOrg\": \"Example\"},\n"
	  " \"Report\": {\"ReportClass\": \"Activity\", \"ReportType\": \"LoginAttack\",\n"
	  "  \"Date\": \"2026-11-22T14:03:01Z\",\n  \"SourceIp\": \"198.51.100.75\", \"SourcePort\": 51000,\n"
	  "  \"DestinationIp\": \"192.0.2.42\", \"DestinationPort\": 22, \"Count\": 12}}",
	  "198.51.100.75", "192.0.2.42", 22, 51000, 1795356181, 12, "Activity/LoginAttack", "  \"SourceIp\"" },
	{ "JSON nested objects and arrays",
	  "{\"Category\": \"abuse\", \"Source\": {\"Ip\": [\"198.51.100.76\", \"198.51.100.77\"], \"Port\": 1234},\n"
	  " \"Destination\": {\"Ip\": \"192.0.2.43\", \"Port\": 3389}, \"Details\": {\"Protocol\": \"tcp\"}}",
	  "198.51.100.76", "192.0.2.43", 3389, 1234, 0, 1, "abuse", "{\"Category\"" },
	{ "JSON without a source", "{\"Category\": \"abuse\", \"Report\": {\"Destination\": \"192.0.2.44\"}}", NULL, "", -1,
	  -1, 0, 1, "abuse", "" },
	{ "JSON nested past the depth cap",
	  "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":{\"i\":{\"Source\":\"198.51.100.78\"}}}}}}}}}}", NULL, "", -1,
	  -1, 0, 1, "", "" },
	{ "broken JSON", "{\"Source\": \"198.51.100.79\",", NULL, "", -1, -1, 0, 1, "", "" },
};

Test(arf, xarf)
{
	struct logfmt_ctx ctx = { .reference_time = 1795400000 };
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *w = &rows[i];
		struct arf_report r;
		arf_read_xarf(&ctx, str_from(w->text), &r);
		cr_expect_str_eq(r.type, w->want_type, "%s: got type \"%s\", want \"%s\"", w->name, r.type, w->want_type);
		if (!w->want_src) {
			cr_expect(!r.has_event, "%s: got an event, want none", w->name);
			continue;
		}
		cr_assert(r.has_event, "%s: no event", w->name);
		char ip[IP_TEXT_MAX];
		ip_format(&r.event.src, ip);
		cr_expect_str_eq(ip, w->want_src, "%s: got source %s, want %s", w->name, ip, w->want_src);
		if (*w->want_dst) {
			ip_format(&r.event.dst, ip);
			cr_expect_str_eq(ip, w->want_dst, "%s: got destination %s, want %s", w->name, ip, w->want_dst);
		} else {
			cr_expect_eq(r.event.dst.family, IP_NONE, "%s: got a destination, want none", w->name);
		}
		int dport = r.event.has_dport ? r.event.dport : -1, sport = r.event.has_sport ? r.event.sport : -1;
		cr_expect_eq(dport, w->want_dport, "%s: got port %d, want %d", w->name, dport, w->want_dport);
		cr_expect_eq(sport, w->want_sport, "%s: got source port %d, want %d", w->name, sport, w->want_sport);
		int64_t t = r.event.tz == EVENT_TZ_UNKNOWN ? 0 : r.event.time;
		cr_expect_eq(t, w->want_time, "%s: got time %lld, want %lld", w->name, (long long)t, (long long)w->want_time);
		cr_expect_eq(r.event.count, w->want_count, "%s: got count %u, want %u", w->name, r.event.count, w->want_count);
		cr_expect(r.at.len >= strlen(w->want_at) && !memcmp(r.at.p, w->want_at, strlen(w->want_at)),
			  "%s: got source line \"%.*s\", want \"%s...\"", w->name, (int)r.at.len, r.at.p, w->want_at);
	}
}

Test(arf, feedback)
{
	struct logfmt_ctx ctx = { .reference_time = 1795400000 };
	struct arf_report r;
	arf_read_feedback(&ctx,
			  str_from("Feedback-Type: abuse\nUser-Agent: x/1\nVersion: 1\nSource-IP: 198.51.100.60\n"
				   "Arrival-Date: Sun, 22 Nov 2026 14:03:01 +0000\nIncidents: 7\n"),
			  &r);
	char ip[IP_TEXT_MAX];
	cr_assert(r.has_event);
	ip_format(&r.event.src, ip);
	cr_expect_str_eq(ip, "198.51.100.60");
	cr_expect_eq(r.event.count, 7);
	cr_expect_str_eq(r.type, "abuse");
	cr_expect(r.at.len && !strncmp(r.at.p, "Source-IP:", 10), "got source line \"%.*s\"", (int)r.at.len, r.at.p);
}

/* A list of destinations: the first on the event, the others beside it. */
Test(arf, destination_lists)
{
	struct logfmt_ctx ctx = { .reference_time = 1795400000 };
	static const char *const texts[] = {
		"Source: 198.51.100.80\nDestination:\n  - 192.0.2.60\n  - 192.0.2.61\n  - 192.0.2.60\n  - 192.0.2.62\n",
		"{\"Source\": \"198.51.100.80\", \"Destination\": [\"192.0.2.60\", \"192.0.2.61\", \"192.0.2.62\"]}",
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct arf_report r;
		arf_read_xarf(&ctx, str_from(texts[i]), &r);
		char ip[IP_TEXT_MAX];
		ip_format(&r.event.dst, ip);
		cr_expect_str_eq(ip, "192.0.2.60", "row %zu: got first destination %s", i, ip);
		cr_expect_eq(r.n_more_dst, 2, "row %zu: got %zu more destinations, want 2", i, r.n_more_dst);
		if (r.n_more_dst == 2) {
			ip_format(&r.more_dst[1], ip);
			cr_expect_str_eq(ip, "192.0.2.62", "row %zu: got %s", i, ip);
		}
	}
}
