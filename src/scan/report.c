#include "scan/report.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "util/escape.h"
#include "util/fmt.h"

/* s, then spaces up to `width` (printf's "%-*s"). */
static int append_padded(struct buf *b, const char *s, size_t width)
{
	size_t n = strlen(s);
	int e = buf_append(b, s, n);
	static const char spaces[] = "                                ";
	if (e >= 0 && n < width)
		e = buf_append(b, spaces, width - n < sizeof(spaces) - 1 ? width - n : sizeof(spaces) - 1);
	return e;
}

int report_append_count(struct buf *b, uint64_t n)
{
	char digits[FMT_U64_MAX];
	int len = fmt_u64(n, digits);
	char out[48];
	int o = 0;
	for (int i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	return buf_append(b, out, (size_t)o);
}

static int append_approx(struct buf *b, uint64_t n, bool exact)
{
	if (!exact) {
		int r = buf_append_str(b, "about ");
		if (r < 0)
			return r;
	}
	return report_append_count(b, n);
}

static int append_stamp(struct buf *b, int64_t t, int32_t offset, bool with_zone)
{
	int r = buf_append_utc(b, t + offset);
	if (r < 0 || !with_zone)
		return r;
	int32_t a = offset < 0 ? -offset : offset;
	return buf_printf(b, " %c%02d%02d", offset < 0 ? '-' : '+', a / 3600, a % 3600 / 60);
}

int report_append_time(struct buf *b, int64_t t, int32_t offset)
{
	int r;
	if (offset == 0) {
		if ((r = append_stamp(b, t, 0, false)) < 0)
			return r;
		return buf_append_str(b, " UTC");
	}
	if ((r = append_stamp(b, t, offset, true)) < 0 || (r = buf_append_str(b, " (")) < 0 ||
	    (r = append_stamp(b, t, 0, false)) < 0)
		return r;
	return buf_append_str(b, " UTC)");
}

static int append_addr(struct buf *b, const struct ip_addr *a)
{
	char t[IP_TEXT_MAX];
	ip_format(a, t);
	return buf_append_str(b, t);
}

/* Addresses in [min, max]: exact up to 2^64 - 1, else a power of two. */
static int append_span(struct buf *b, const struct ip_addr *lo, const struct ip_addr *hi)
{
	unsigned __int128 x = 0, y = 0;
	for (int i = 0; i < 16; i++) {
		x = (x << 8) | lo->bytes[i];
		y = (y << 8) | hi->bytes[i];
	}
	if (lo->family == IP_V4) {
		x >>= 96;
		y >>= 96;
	}
	unsigned __int128 d = y - x;
	if (d < (unsigned __int128)UINT64_MAX) {
		int r = report_append_count(b, (uint64_t)d + 1);
		return r < 0 ? r : buf_append_str(b, (uint64_t)d + 1 == 1 ? " address" : " addresses");
	}
	int bits = 127;
	while (bits > 0 && !((d >> bits) & 1))
		bits--;
	return buf_printf(b, "about 2^%d addresses", bits + 1);
}

static const char *proto_label(const struct scan_result *r)
{
	bool tcp = r->proto[EVENT_PROTO_TCP] > 0, udp = r->proto[EVENT_PROTO_UDP] > 0;
	if (tcp && udp)
		return "TCP/UDP";
	if (udp)
		return "UDP";
	if (tcp)
		return "TCP";
	return "";
}

int report_append_destinations(struct buf *b, const struct scan_result *r)
{
	int e = 0;
	if (r->dst_min.family == IP_NONE)
		return buf_append_str(b, "not in the log");
	if (r->hosts_exact && r->hosts <= r->n_dst_list && r->hosts <= SCAN_LIST_MAX) {
		/* a few: name them all, in address order */
		struct ip_addr a[SCAN_LIST_MAX];
		size_t n = r->n_dst_list;
		for (size_t i = 0; i < n; i++) {
			a[i] = r->dst_list[i];
			for (size_t j = i; j > 0 && ip_compare(&a[j], &a[j - 1]) < 0; j--) {
				struct ip_addr t = a[j];
				a[j] = a[j - 1];
				a[j - 1] = t;
			}
		}
		for (size_t i = 0; i < n && e >= 0; i++) {
			if (i)
				e = buf_append_str(b, ", ");
			if (e >= 0)
				e = append_addr(b, &a[i]);
		}
		return e;
	}
	if (r->dst_min.family != r->dst_max.family) {
		/* IPv4 and IPv6 at once: a range over both families means nothing */
		if ((e = append_approx(b, r->hosts, r->hosts_exact)) < 0)
			return e;
		return buf_append_str(b, " addresses, IPv4 and IPv6");
	}
	if ((e = append_addr(b, &r->dst_min)) < 0 || (e = buf_append_str(b, " - ")) < 0 ||
	    (e = append_addr(b, &r->dst_max)) < 0 || (e = buf_append_str(b, " (")) < 0 ||
	    (e = append_span(b, &r->dst_min, &r->dst_max)) < 0 || (e = buf_append_str(b, ", ")) < 0 ||
	    (e = append_approx(b, r->hosts, r->hosts_exact)) < 0)
		return e;
	return buf_append_str(b, " hit)");
}

int report_append_ports(struct buf *b, const struct scan_result *r)
{
	const char *proto = proto_label(r);
	int e;
	if (r->ports == 0)
		return buf_printf(b, "%s%sno ports (%s)", proto, *proto ? " " : "",
				  r->proto[EVENT_PROTO_ICMP] ? "ICMP" : "no port in the log");
	if (r->ports_exact && r->ports <= r->n_port_list) {
		uint16_t p[SCAN_LIST_MAX];
		size_t n = r->n_port_list;
		for (size_t i = 0; i < n; i++) {
			p[i] = r->port_list[i];
			for (size_t j = i; j > 0 && p[j] < p[j - 1]; j--) {
				uint16_t t = p[j];
				p[j] = p[j - 1];
				p[j - 1] = t;
			}
		}
		if ((e = buf_append_str(b, proto)) < 0 || (e = buf_append_str(b, *proto ? " " : "")) < 0 ||
		    (e = buf_append_str(b, n == 1 ? "port " : "ports ")) < 0)
			return e;
		for (size_t i = 0; i < n && e >= 0; i++)
			if ((e = buf_append_str(b, i ? ", " : "")) >= 0)
				e = buf_append_u64(b, p[i]);
		return e;
	}
	if ((e = buf_append_str(b, proto)) < 0 || (e = buf_append_str(b, *proto ? " ports " : "ports ")) < 0 ||
	    (e = buf_append_u64(b, r->port_min)) < 0 || (e = buf_append_char(b, '-')) < 0 ||
	    (e = buf_append_u64(b, r->port_max)) < 0 || (e = buf_append_str(b, " (")) < 0 ||
	    (e = append_approx(b, r->ports, r->ports_exact)) < 0)
		return e;
	return buf_append_str(b, " distinct)");
}

int report_append_statement(struct buf *b, const struct scan_result *r)
{
	char src[IP_TEXT_MAX];
	ip_format(&r->src, src);
	int e;
	switch (r->kind) {
	case SCAN_KIND_RANGE:
		if ((e = buf_printf(b, "%s scanned ", src)) < 0 || (e = append_approx(b, r->hosts, r->hosts_exact)) < 0 ||
		    (e = buf_append_str(b, " addresses of our network on ")) < 0 || (e = report_append_ports(b, r)) < 0)
			return e;
		return buf_append_str(b, ".");
	case SCAN_KIND_PORT:
		if ((e = buf_printf(b, "%s scanned ", src)) < 0 || (e = report_append_ports(b, r)) < 0 ||
		    (e = buf_append_str(b, " at ")) < 0 || (e = report_append_destinations(b, r)) < 0)
			return e;
		return buf_append_str(b, ".");
	case SCAN_KIND_BOTH:
		if ((e = buf_printf(b, "%s scanned ", src)) < 0 || (e = append_approx(b, r->hosts, r->hosts_exact)) < 0 ||
		    (e = buf_append_str(b, " addresses of our network on ")) < 0 ||
		    (e = append_approx(b, r->ports, r->ports_exact)) < 0)
			return e;
		return buf_append_str(b, " ports.");
	case SCAN_KIND_LOGIN:
		if ((e = buf_printf(b, "%s tried to log in to %s%s ", src, r->service ? r->service : "our",
				    r->service ? " on our systems" : " systems")) < 0 ||
		    (e = report_append_count(b, r->logins)) < 0)
			return e;
		return buf_append_str(b, r->logins == 1 ? " time and failed." : " times and failed.");
	default: return -EINVAL;
	}
}

int report_subject(const struct scan_result *r, struct buf *out)
{
	char src[IP_TEXT_MAX];
	ip_format(&r->src, src);
	int e;
	switch (r->kind) {
	case SCAN_KIND_RANGE:
		if ((e = buf_printf(out, "Address-range scan from %s: ", src)) < 0 || (e = report_append_ports(out, r)) < 0 ||
		    (e = buf_append_str(out, ", ")) < 0 || (e = append_approx(out, r->hosts, r->hosts_exact)) < 0)
			return e;
		return buf_append_str(out, " addresses");
	case SCAN_KIND_PORT:
		if ((e = buf_printf(out, "Port scan from %s: ", src)) < 0 || (e = append_approx(out, r->ports, r->ports_exact)) < 0 ||
		    (e = buf_append_str(out, " ports at ")) < 0 || (e = report_append_destinations(out, r)) < 0)
			return e;
		return 0;
	case SCAN_KIND_BOTH:
		if ((e = buf_printf(out, "Address-range and port scan from %s: ", src)) < 0 ||
		    (e = append_approx(out, r->hosts, r->hosts_exact)) < 0 || (e = buf_append_str(out, " addresses, ")) < 0 ||
		    (e = append_approx(out, r->ports, r->ports_exact)) < 0)
			return e;
		return buf_append_str(out, " ports");
	case SCAN_KIND_LOGIN:
		if ((e = buf_printf(out, "Login attempts from %s: ", src)) < 0 || (e = report_append_count(out, r->logins)) < 0)
			return e;
		return buf_printf(out, " failed %s%slogins", r->service ? r->service : "", r->service ? " " : "");
	default: return -EINVAL;
	}
}

static int field(struct buf *b, const char *name)
{
	return buf_printf(b, "%-22s ", name);
}

static int append_zone_line(struct buf *b, const struct scan_result *r, const struct report_ctx *ctx)
{
	int32_t off = r->first_offset, a = off < 0 ? -off : off;
	char zone[16];
	snprintf(zone, sizeof(zone), "UTC%c%02d:%02d", off < 0 ? '-' : '+', a / 3600, a % 3600 / 60);
	if (r->tz_assumed)
		return buf_printf(b,
				  "%s, assumed: the log did not state its timezone, so the system zone\n"
				  "%22s of the host that read it (%s) was used\n",
				  zone, "", ctx->system_zone && *ctx->system_zone ? ctx->system_zone : "local time");
	return buf_printf(b, "%s, as stated in the log\n", zone);
}

static int append_clock_line(struct buf *b, const struct report_ctx *ctx)
{
	if (ctx->clock_confirmed)
		return buf_append_str(b, "checked by us: the logging host's clock was accurate at the time\n");
	switch (ctx->clock.sync) {
	case NTPSTATE_SYNCED:
		if (ctx->clock.esterror_us >= 0)
			return buf_printf(b,
					  "synchronised by NTP (%s, estimated error %" PRId64 " ms)\n"
					  "%22s on the host that wrote this report\n",
					  ctx->clock.how, (ctx->clock.esterror_us + 999) / 1000, "");
		return buf_printf(b, "synchronised by NTP (%s) on the host that wrote this report\n", ctx->clock.how);
	case NTPSTATE_UNSYNCED:
		return buf_printf(b,
				  "NOT synchronised by NTP on the host that wrote this report (%s);\n"
				  "%22s PLEASE CONFIRM the logging host's clock was accurate at the time\n",
				  ctx->clock.how, "");
	default:
		return buf_printf(b,
				  "not known; PLEASE CONFIRM the logging host's clock was accurate\n"
				  "%22s at the time\n",
				  "");
	}
}

static int append_events(struct buf *b, const struct scan_result *r)
{
	int e = append_approx(b, r->events, r->events_exact);
	static const char *const names[] = { "other", "TCP", "UDP", "ICMP", "other" };
	static const enum event_proto order[] = { EVENT_PROTO_TCP, EVENT_PROTO_UDP, EVENT_PROTO_ICMP, EVENT_PROTO_OTHER,
						  EVENT_PROTO_UNKNOWN };
	uint64_t other = 0;
	bool open = false;
	for (size_t i = 0; i < 5 && e >= 0; i++) {
		uint64_t n = r->proto[order[i]];
		if (order[i] == EVENT_PROTO_OTHER || order[i] == EVENT_PROTO_UNKNOWN) {
			other += n;
			if (order[i] == EVENT_PROTO_OTHER)
				continue;
			n = other;
		}
		if (!n || n == r->events)
			continue;
		e = buf_printf(b, "%s%s ", open ? ", " : " (", names[order[i]]);
		if (e >= 0)
			e = report_append_count(b, n);
		open = true;
	}
	if (e >= 0 && open)
		e = buf_append_str(b, ")");
	if (e >= 0 && r->logins && r->kind != SCAN_KIND_LOGIN) {
		e = buf_append_str(b, ", of them ");
		if (e >= 0)
			e = report_append_count(b, r->logins);
		if (e >= 0)
			e = buf_append_str(b, " failed logins");
	}
	if (e >= 0 && r->duplicates) {
		e = buf_append_str(b, "; ");
		if (e >= 0)
			e = append_approx(b, r->duplicates, r->events_exact);
		if (e >= 0)
			e = buf_append_str(b, r->duplicates == 1 ? " duplicate line not counted" : " duplicate lines not counted");
	}
	return e < 0 ? e : buf_append_str(b, "\n");
}

int report_write(const struct scan_result *r, const struct report_ctx *ctx, report_line_fn line_fn, void *arg,
		 struct buf *out)
{
	if (!scan_kind_is_abuse(r->kind))
		return -EINVAL;
	char src[IP_TEXT_MAX];
	ip_format(&r->src, src);
	int e;
	const char *article = r->kind == SCAN_KIND_LOGIN ? "" : r->kind == SCAN_KIND_PORT ? "a " : "an ";
	if ((e = buf_printf(out, "Hello,\n\nWe are reporting %s%s from %s, seen in our logs:\n\n", article,
			    scan_kind_text(r->kind), src)) < 0)
		return e;

	if ((e = field(out, "Source address:")) < 0 || (e = buf_printf(out, "%s\n", src)) < 0 ||
	    (e = field(out, "Kind of abuse:")) < 0 || (e = buf_printf(out, "%s\n", scan_kind_text(r->kind))) < 0)
		return e;
	switch (r->kind) {
	case SCAN_KIND_RANGE:
		if ((e = field(out, "Destination port:")) < 0 || (e = report_append_ports(out, r)) < 0 ||
		    (e = buf_append_str(out, "\n")) < 0 || (e = field(out, "Destination addresses:")) < 0 ||
		    (e = append_approx(out, r->hosts, r->hosts_exact)) < 0 || (e = buf_append_str(out, "\n")) < 0 ||
		    (e = field(out, "Range scanned:")) < 0 || (e = report_append_destinations(out, r)) < 0 ||
		    (e = buf_append_str(out, "\n")) < 0)
			return e;
		break;
	case SCAN_KIND_PORT:
		if ((e = field(out, r->hosts == 1 ? "Destination address:" : "Destination addresses:")) < 0 ||
		    (e = report_append_destinations(out, r)) < 0 || (e = buf_append_str(out, "\n")) < 0 ||
		    (e = field(out, "Ports scanned:")) < 0 || (e = report_append_ports(out, r)) < 0 ||
		    (e = buf_append_str(out, "\n")) < 0)
			return e;
		break;
	case SCAN_KIND_BOTH:
		if ((e = field(out, "Destination addresses:")) < 0 || (e = append_approx(out, r->hosts, r->hosts_exact)) < 0 ||
		    (e = buf_append_str(out, "\n")) < 0 || (e = field(out, "Range scanned:")) < 0 ||
		    (e = report_append_destinations(out, r)) < 0 || (e = buf_append_str(out, "\n")) < 0 ||
		    (e = field(out, "Ports scanned:")) < 0 || (e = report_append_ports(out, r)) < 0 ||
		    (e = buf_append_str(out, "\n")) < 0)
			return e;
		break;
	default:
		if ((e = field(out, "Service:")) < 0 || (e = buf_printf(out, "%s\n", r->service ? r->service : "not named in the log")) < 0 ||
		    (e = field(out, "Failed logins:")) < 0 || (e = report_append_count(out, r->logins)) < 0 ||
		    (e = buf_append_str(out, "\n")) < 0)
			return e;
		if (r->dst_min.family != IP_NONE &&
		    ((e = field(out, "Destination:")) < 0 || (e = report_append_destinations(out, r)) < 0 ||
		     (e = buf_append_str(out, "\n")) < 0))
			return e;
		break;
	}
	if (r->first || r->last) {
		if ((e = field(out, "Start:")) < 0 || (e = report_append_time(out, r->first, r->first_offset)) < 0 ||
		    (e = buf_append_str(out, "\n")) < 0 || (e = field(out, "End:")) < 0 ||
		    (e = report_append_time(out, r->last, r->last_offset)) < 0 || (e = buf_append_str(out, "\n")) < 0 ||
		    (e = field(out, "Timezone:")) < 0 || (e = append_zone_line(out, r, ctx)) < 0)
			return e;
	} else if ((e = field(out, "Start, end:")) < 0 || (e = buf_append_str(out, "the log lines carry no time\n")) < 0) {
		return e;
	}
	if ((e = field(out, "Clock accuracy:")) < 0 || (e = append_clock_line(out, ctx)) < 0 ||
	    (e = field(out, "Events:")) < 0 || (e = append_events(out, r)) < 0 || (e = field(out, "Problem:")) < 0 ||
	    (e = report_append_statement(out, r)) < 0 || (e = buf_append_str(out, "\n\n")) < 0)
		return e;

	if (r->n_samples) {
		if ((e = buf_append_str(out, "A sample of the original log lines (")) < 0)
			return e;
		if (r->n_samples < r->total_samples_seen)
			e = buf_printf(out, "%u of ", (unsigned)r->n_samples);
		if (e >= 0)
			e = report_append_count(out, r->total_samples_seen);
		if (e >= 0)
			e = buf_append_str(out, r->n_samples < r->total_samples_seen ? ": the first, the last and a spread between"
										: (r->total_samples_seen == 1 ? " line" : ", all of them"));
		if (e < 0 || (e = buf_append_str(out, "):\n\n")) < 0)
			return e;
		for (size_t i = 0; i < r->n_samples; i++) {
			struct str line = { "", 0 };
			if (line_fn)
				line_fn(arg, r->samples[i].ref, &line);
			if (!line.len)
				continue;
			if ((e = buf_append_str(out, "  ")) < 0 || (e = escape_append(out, line, REPORT_LINE_MAX)) < 0 ||
			    (e = buf_append_str(out, "\n")) < 0)
				return e;
		}
		if ((e = buf_append_str(out, "\n")) < 0)
			return e;
	}
	if ((e = buf_append_str(out,
				"Please look into this and stop the activity. We can send the complete\n"
				"logs on request.\n")) < 0)
		return e;
	if (ctx->signature && *ctx->signature)
		e = buf_printf(out, "\n-- \n%s\n", ctx->signature);
	return e;
}

int report_append_oneline(struct buf *b, const struct scan_result *r)
{
	char src[IP_TEXT_MAX];
	ip_format(&r->src, src);
	int e;
	if ((e = append_padded(b, src, 15)) < 0 || (e = buf_append_str(b, "  ")) < 0 ||
	    (e = append_padded(b, scan_kind_text(r->kind), 27)) < 0 || (e = buf_append_str(b, "  ")) < 0)
		return e;
	if (r->kind == SCAN_KIND_LOGIN || (r->logins && !r->connections)) {
		e = buf_printf(b, "%s, ", r->service ? r->service : "service not named");
		if (e >= 0)
			e = report_append_count(b, r->logins);
		if (e >= 0)
			e = buf_append_str(b, " failed logins");
	} else {
		e = report_append_ports(b, r);
	}
	if (e < 0 || (e = buf_append_str(b, "  ")) < 0 || (e = report_append_destinations(b, r)) < 0 ||
	    (e = buf_append_str(b, "  ")) < 0)
		return e;
	if (r->first || r->last) {
		if ((e = append_stamp(b, r->first, 0, false)) < 0 || (e = buf_append_str(b, " UTC .. ")) < 0 ||
		    (e = append_stamp(b, r->last, 0, false)) < 0 || (e = buf_append_str(b, " UTC  ")) < 0)
			return e;
	} else if ((e = buf_append_str(b, "no time  ")) < 0) {
		return e;
	}
	if ((e = append_approx(b, r->events, r->events_exact)) < 0)
		return e;
	return buf_append_str(b, r->events == 1 ? " event" : " events");
}
