#include "evidence/event_json.h"

#include "evidence/timeparse.h"

const char *event_tz_name(enum event_tz tz)
{
	switch (tz) {
	case EVENT_TZ_STATED: return "stated";
	case EVENT_TZ_ASSUMED: return "assumed";
	default: return "unknown";
	}
}

json_t *event_json(const struct event *e)
{
	json_t *o = json_object();
	char ip[IP_TEXT_MAX];
	if (e->format)
		json_object_set_new(o, "format", json_string(e->format));
	json_object_set_new(o, "kind", json_string(event_kind_name(e->kind)));
	if (e->src.family != IP_NONE) {
		ip_format(&e->src, ip);
		json_object_set_new(o, "src", json_string(ip));
	}
	if (e->dst.family != IP_NONE) {
		ip_format(&e->dst, ip);
		json_object_set_new(o, "dst", json_string(ip));
	}
	if (e->has_sport)
		json_object_set_new(o, "sport", json_integer(e->sport));
	if (e->has_dport)
		json_object_set_new(o, "dport", json_integer(e->dport));
	if (e->proto != EVENT_PROTO_UNKNOWN)
		json_object_set_new(o, "proto", json_string(event_proto_name(e->proto)));
	if (e->service)
		json_object_set_new(o, "service", json_string(e->service));
	if (e->tz != EVENT_TZ_UNKNOWN) {
		char t[32];
		timeparse_format_utc(e->time, t);
		json_object_set_new(o, "time", json_string(t));
		timeparse_format_local(e->time, e->utc_offset, t);
		json_object_set_new(o, "reported", json_string(t));
	}
	json_object_set_new(o, "tz", json_string(event_tz_name(e->tz)));
	if (e->count != 1)
		json_object_set_new(o, "count", json_integer(e->count));
	return o;
}
