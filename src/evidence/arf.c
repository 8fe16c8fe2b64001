#include "evidence/arf.h"

#include <jansson.h>
#include <string.h>

#include "evidence/logfmt/lfutil.h"

static void copy_value(char *out, struct str v)
{
	v = str_trim(v);
	if (v.len >= 2 && (v.p[0] == '"' || v.p[0] == '\'') && v.p[v.len - 1] == v.p[0])
		v = str_make(v.p + 1, v.len - 2);
	size_t n = v.len < ARF_VALUE_MAX - 1 ? v.len : ARF_VALUE_MAX - 1;
	memcpy(out, v.p, n);
	out[n] = 0;
}

static void init(struct arf_report *r, const char *format)
{
	memset(r, 0, sizeof(*r));
	lfutil_event_init(&r->event, str_make("", 0), format);
}

static void field(const struct logfmt_ctx *ctx, struct arf_report *r, struct str name, struct str value)
{
	struct event *e = &r->event;
	value = str_trim(value);
	if (value.len >= 2 && (value.p[0] == '"' || value.p[0] == '\'') && value.p[value.len - 1] == value.p[0])
		value = str_make(value.p + 1, value.len - 2);
	if (str_eq_cstr_nocase(name, "Source-IP") || str_eq_cstr_nocase(name, "Source")) {
		struct ip_addr a;
		if (lfutil_ip(value, &a)) {
			e->src = a;
			r->has_event = true;
		}
	} else if (str_eq_cstr_nocase(name, "Destination") || str_eq_cstr_nocase(name, "Destination-IP")) {
		lfutil_ip(value, &e->dst);
	} else if (str_eq_cstr_nocase(name, "Arrival-Date") || str_eq_cstr_nocase(name, "Date") ||
		   str_eq_cstr_nocase(name, "Received-Date")) {
		lfutil_take_time(ctx, &value, e);
	} else if (str_eq_cstr_nocase(name, "Port") || str_eq_cstr_nocase(name, "Destination-Port")) {
		e->has_dport = lfutil_port(value, &e->dport);
	} else if (str_eq_cstr_nocase(name, "Source-Port")) {
		e->has_sport = lfutil_port(value, &e->sport);
	} else if (str_eq_cstr_nocase(name, "Incidents")) {
		uint64_t n;
		if (str_to_u64(value, UINT32_MAX, &n) && n > 0)
			e->count = (uint32_t)n;
	} else if (str_eq_cstr_nocase(name, "Feedback-Type") || str_eq_cstr_nocase(name, "Category") ||
		   (str_eq_cstr_nocase(name, "Report-Type") && !r->type[0])) {
		copy_value(r->type, value);
	} else if (str_eq_cstr_nocase(name, "Report-Type")) {
		size_t l = strlen(r->type);
		if (l + 1 < ARF_VALUE_MAX) {
			r->type[l] = '/';
			copy_value(r->type + l + 1, value);
		}
	} else if (str_eq_cstr_nocase(name, "Reported-Domain")) {
		copy_value(r->domain, value);
	} else if (str_eq_cstr_nocase(name, "Protocol") || str_eq_cstr_nocase(name, "Proto")) {
		e->proto = lfutil_proto(value);
	}
}

static void kind_from_type(struct arf_report *r)
{
	const char *t = r->type;
	struct str s = str_from(t);
	if (str_find_nocase(s, STR_LIT("login")) >= 0 || str_find_nocase(s, STR_LIT("brute")) >= 0)
		r->event.kind = EVENT_LOGIN_FAILURE;
	else if (str_find_nocase(s, STR_LIT("scan")) >= 0 || str_find_nocase(s, STR_LIT("portscan")) >= 0)
		r->event.kind = EVENT_CONNECTION;
	else if (str_find_nocase(s, STR_LIT("abuse")) >= 0 || str_find_nocase(s, STR_LIT("spam")) >= 0 ||
		 str_find_nocase(s, STR_LIT("fraud")) >= 0 || str_find_nocase(s, STR_LIT("virus")) >= 0)
		r->event.kind = EVENT_SPAM;
	else
		r->event.kind = EVENT_OTHER;
}

/* RFC 5965 3.1: header-style fields, folding allowed. */
static void name_value_lines(const struct logfmt_ctx *ctx, struct str text, struct arf_report *r)
{
	struct str line;
	while (str_take_line(&text, &line)) {
		long colon = LFUTIL_FIND(line, ":");
		if (colon <= 0 || line.p[0] == ' ' || line.p[0] == '\t' || line.p[0] == '#')
			continue;
		field(ctx, r, str_trim(str_make(line.p, (size_t)colon)),
		      str_make(line.p + colon + 1, line.len - (size_t)colon - 1));
	}
}

void arf_read_feedback(const struct logfmt_ctx *ctx, struct str text, struct arf_report *ret)
{
	init(ret, "arf");
	name_value_lines(ctx, text, ret);
	if (!ret->type[0])
		memcpy(ret->type, "abuse", 6);
	kind_from_type(ret);
}

void arf_read_xarf(const struct logfmt_ctx *ctx, struct str text, struct arf_report *ret)
{
	init(ret, "x-arf");
	struct str t = str_trim(text);
	if (t.len && t.p[0] == '{') {
		json_error_t err;
		json_t *o = json_loadb(t.p, t.len, 0, &err);
		if (json_is_object(o)) {
			const char *k;
			json_t *v;
			json_object_foreach(o, k, v) {
				char num[32];
				struct str val;
				if (json_is_string(v))
					val = str_make(json_string_value(v), json_string_length(v));
				else if (json_is_integer(v)) {
					int n = snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
					val = str_make(num, (size_t)n);
				} else
					continue;
				field(ctx, ret, str_from(k), val);
			}
		}
		json_decref(o);
	} else {
		name_value_lines(ctx, text, ret);
	}
	kind_from_type(ret);
}
