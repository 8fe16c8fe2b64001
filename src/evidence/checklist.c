/*
 * The completeness check: each item of the guidance reporters are given
 * ("What to include in your report", Janet CSIRT) judged present, missing
 * or doubtful from what extract found, with the reason in words an
 * analyst (and, through the templates, the reporter) can act on.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "evidence/extract.h"
#include "evidence/logfmt.h"

static const char *const item_names[CHECK_COUNT_ITEMS] = {
	"source", "destination", "port", "time", "clock", "count", "statement", "evidence",
};

static const char *const state_names[] = { "present", "missing", "doubtful" };

const char *checklist_item_name(enum checklist_item i)
{
	return (unsigned)i < CHECK_COUNT_ITEMS ? item_names[i] : "";
}

const char *check_state_name(enum check_state s)
{
	return (unsigned)s < 3 ? state_names[s] : "missing";
}

static uint64_t kind(const struct evidence *ev, enum event_kind k)
{
	return ev->by_kind[k];
}

static bool is_spam(const struct evidence *ev)
{
	return kind(ev, EVENT_SPAM) > 0 || ev->arf_feedback_type[0];
}

static bool service_obvious(const struct evidence *ev)
{
	/* web and mail abuse name their port by their kind (the guidance:
	 * "unless it is obvious, eg for Web or e-mail abuse"); so do sshd logs */
	return is_spam(ev) || kind(ev, EVENT_HTTP_REQUEST) || kind(ev, EVENT_MAIL_REJECT) ||
	       (logfmt_find("sshd") >= 0 && (ev->formats & (1u << logfmt_find("sshd"))));
}

const char *evidence_abuse_type(const struct evidence *ev)
{
	if (is_spam(ev))
		return "spam";
	if (kind(ev, EVENT_LOGIN_FAILURE))
		return ev->n_ports == 1 && ev->ports[0].port == 22 ? "ssh brute force" : "login brute force";
	if (kind(ev, EVENT_HTTP_REQUEST))
		return "web abuse";
	if (kind(ev, EVENT_MAIL_REJECT))
		return "mail abuse";
	if (kind(ev, EVENT_CONNECTION) || kind(ev, EVENT_BLOCK) || kind(ev, EVENT_OTHER)) {
		if (ev->n_dests > 1 && ev->n_ports <= 2)
			return "address range scan";
		if (ev->n_dests <= 1 && ev->n_ports > 2)
			return "port scan";
		if (kind(ev, EVENT_BLOCK) && !kind(ev, EVENT_CONNECTION))
			return "blocked connections";
		return "connection attempts";
	}
	if (kind(ev, EVENT_ALERT))
		return "intrusion alert";
	return "unknown";
}

static void set(struct evidence *ev, enum checklist_item i, enum check_state s, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void set(struct evidence *ev, enum checklist_item i, enum check_state s, const char *fmt, ...)
{
	ev->checklist[i].state = s;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ev->checklist[i].reason, sizeof(ev->checklist[i].reason), fmt, ap);
	va_end(ap);
}

void evidence_check(struct evidence *ev)
{
	/* source */
	if (ev->n_sources > 0 && (ev->n_log_lines > 0 || ev->has_origin || ev->n_events > 0))
		set(ev, CHECK_SOURCE, CHECK_PRESENT, "%zu source address%s found in the evidence", ev->n_sources,
		    ev->n_sources == 1 ? "" : "es");
	else if (ev->n_sources > 0)
		set(ev, CHECK_SOURCE, CHECK_DOUBTFUL, "%zu address%s named in the text, but no log line shows %s as the source",
		    ev->n_sources, ev->n_sources == 1 ? "" : "es", ev->n_sources == 1 ? "it" : "them");
	else if (ev->has_headers)
		set(ev, CHECK_SOURCE, CHECK_DOUBTFUL, "the message headers name no sending address outside the reporter's relays");
	else
		set(ev, CHECK_SOURCE, CHECK_MISSING, "no source address found");

	/* destination */
	if (is_spam(ev) && ev->n_dests == 0)
		set(ev, CHECK_DESTINATION, CHECK_PRESENT, "spam: the recipient's mail server");
	else if (ev->n_dests > 1)
		set(ev, CHECK_DESTINATION, CHECK_PRESENT, "%zu destination addresses%s", ev->n_dests,
		    ev->dests_dropped ? " (more not counted)" : "");
	else if (ev->n_dests == 1)
		set(ev, CHECK_DESTINATION, CHECK_PRESENT, "one destination address");
	else
		set(ev, CHECK_DESTINATION, CHECK_MISSING, "no destination address found");

	/* port and protocol */
	bool proto_known = true;
	for (size_t i = 0; i < ev->n_ports; i++)
		if (ev->ports[i].proto == EVENT_PROTO_UNKNOWN && !(ev->protos_mentioned & ((1u << EVENT_PROTO_TCP) | (1u << EVENT_PROTO_UDP))))
			proto_known = false;
	if (service_obvious(ev))
		set(ev, CHECK_PORT, CHECK_PRESENT, "obvious from the kind of abuse (%s)", evidence_abuse_type(ev));
	else if (ev->n_ports > 0 && proto_known)
		set(ev, CHECK_PORT, CHECK_PRESENT, "%zu destination port%s with protocol", ev->n_ports, ev->n_ports == 1 ? "" : "s");
	else if (ev->n_ports > 0)
		set(ev, CHECK_PORT, CHECK_DOUBTFUL, "destination port%s given without saying TCP or UDP", ev->n_ports == 1 ? "" : "s");
	else if (kind(ev, EVENT_CONNECTION) && (ev->protos_mentioned & (1u << EVENT_PROTO_ICMP)))
		set(ev, CHECK_PORT, CHECK_PRESENT, "ICMP (no ports)");
	else
		set(ev, CHECK_PORT, CHECK_MISSING, "no destination port or protocol found");

	/* time window with zone */
	if (!ev->first)
		set(ev, CHECK_TIME, CHECK_MISSING, "no date or time found");
	else if (ev->tz_assumed && !ev->tz_stated)
		set(ev, CHECK_TIME, CHECK_DOUBTFUL, "times are given without a timezone");
	else if (ev->tz_assumed)
		set(ev, CHECK_TIME, CHECK_DOUBTFUL, "some times are given without a timezone");
	else
		set(ev, CHECK_TIME, CHECK_PRESENT, "times with their timezone");

	/* clock */
	if (ev->clock_future)
		set(ev, CHECK_CLOCK, CHECK_DOUBTFUL, "%llu event time%s later than the report itself",
		    (unsigned long long)ev->clock_future, ev->clock_future == 1 ? " is" : "s are");
	else if (ev->clock_old)
		set(ev, CHECK_CLOCK, CHECK_DOUBTFUL, "%llu event time%s implausibly old", (unsigned long long)ev->clock_old,
		    ev->clock_old == 1 ? " is" : "s are");
	else if (ev->mentions_clock)
		set(ev, CHECK_CLOCK, CHECK_PRESENT, "the reporter says the clock is synchronised");
	else if (ev->first)
		set(ev, CHECK_CLOCK, CHECK_PRESENT, "times are consistent with the report's date");
	else
		set(ev, CHECK_CLOCK, CHECK_MISSING, "no times whose clock could be checked");

	/* count */
	if (ev->n_events > 1 || ev->n_log_lines > 1)
		set(ev, CHECK_COUNT, CHECK_PRESENT, "%llu events in the evidence", (unsigned long long)ev->n_events);
	else if (ev->prose_count)
		set(ev, CHECK_COUNT, CHECK_PRESENT, "%s%llu %s stated", ev->prose_count_approx ? "about " : "",
		    (unsigned long long)ev->prose_count, ev->prose_count_noun);
	else if (ev->n_events == 1)
		set(ev, CHECK_COUNT, CHECK_PRESENT, "one event");
	else
		set(ev, CHECK_COUNT, CHECK_MISSING, "no number of events found");

	/* statement: six words, or (for scripts written without spaces) 25 letters */
	size_t words = 0, letters = 0;
	bool in_word = false;
	for (const unsigned char *p = (const unsigned char *)ev->statement; *p; p++) {
		bool letter = ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z') || *p >= 0xc0;
		letters += letter;
		if (letter && !in_word)
			words++;
		in_word = letter || (in_word && *p >= 0x80);
	}
	if (words >= 6 || letters >= 25)
		set(ev, CHECK_STATEMENT, CHECK_PRESENT, "the reporter describes the problem");
	else if (ev->arf_feedback_type[0] || ev->xarf_category[0])
		set(ev, CHECK_STATEMENT, CHECK_PRESENT, "machine-readable report (%s)",
		    ev->arf_feedback_type[0] ? ev->arf_feedback_type : ev->xarf_category);
	else
		set(ev, CHECK_STATEMENT, CHECK_MISSING, "no description of the problem in the reporter's words");

	/* original evidence */
	if (ev->n_log_lines && ev->has_headers)
		set(ev, CHECK_EVIDENCE, CHECK_PRESENT, "%llu log lines and message headers", (unsigned long long)ev->n_log_lines);
	else if (ev->n_log_lines)
		set(ev, CHECK_EVIDENCE, CHECK_PRESENT, "%llu log lines", (unsigned long long)ev->n_log_lines);
	else if (ev->has_headers)
		set(ev, CHECK_EVIDENCE, CHECK_PRESENT, "message headers");
	else if (is_spam(ev))
		set(ev, CHECK_EVIDENCE, CHECK_MISSING, "no complete message header of the spam");
	else
		set(ev, CHECK_EVIDENCE, CHECK_MISSING, "no log lines or message headers");
}
