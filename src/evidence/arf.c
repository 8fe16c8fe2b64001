/*
 * arf: ARF (RFC 5965 3.1-3.3) and X-ARF reports (see arf.h).
 *
 * X-ARF comes flat ("Source: 192.0.2.1") and nested: YAML maps and lists
 * ("Source:\n  IP: ...\n  Port: ...", "Destination:\n  - a\n  - b",
 * "Ports: [22, 2222]") and JSON objects ({"Report": {"SourceIp": ...}},
 * {"Source": {"Ip": ..., "Port": ...}}). Every key is made canonical
 * (lower case, '-', '_', ' ' and '.' dropped) and a key inside a Source or
 * Destination map is read with that role in front ("Port" under "Source"
 * is the source port). Any other container passes its role on unchanged.
 * The first source address wins; nesting deeper than ARF_DEPTH_MAX is
 * not read.
 */
#include "evidence/arf.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "evidence/logfmt/lfutil.h"

#define ARF_KEY_MAX 64	/* bytes of a canonical key (role + name) */

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

/* "Source-IP" -> "sourceip"; role ("source", "destination") in front. */
static void canonical(const char *role, struct str name, char out[ARF_KEY_MAX])
{
	size_t n = 0;
	for (const char *p = role; *p && n < ARF_KEY_MAX - 1; p++)
		out[n++] = *p;
	for (size_t i = 0; i < name.len && n < ARF_KEY_MAX - 1; i++) {
		char ch = name.p[i];
		if (ch == '-' || ch == '_' || ch == ' ' || ch == '.')
			continue;
		out[n++] = (char)char_lower((unsigned char)ch);
	}
	out[n] = 0;
}

static bool is_one_of(const char *k, const char *const *names)
{
	for (; *names; names++)
		if (!strcmp(k, *names))
			return true;
	return false;
}

static const char *const SRC_KEYS[] = { "sourceip", "source", "srcip", "src", "sourceaddress", "sourceipaddress",
					"sourceaddr", "sourcevalue", NULL };
static const char *const DST_KEYS[] = { "destinationip", "destination", "dstip", "dst", "destinationaddress",
					"destinationipaddress", "destinationaddr", "destinationvalue", "target",
					"targetip", NULL };
static const char *const DPORT_KEYS[] = { "port", "destinationport", "dstport", "dport", "targetport", "ports",
					  "destinationports", NULL };
static const char *const SPORT_KEYS[] = { "sourceport", "srcport", "sport", NULL };
static const char *const TIME_KEYS[] = { "arrivaldate", "date", "receiveddate", "time", "timestamp", "datetime",
					 "sourcedate", "destinationdate", NULL };
static const char *const COUNT_KEYS[] = { "incidents", "count", "events", "attempts", NULL };
static const char *const TYPE_KEYS[] = { "feedbacktype", "category", "reportclass", NULL };
static const char *const PROTO_KEYS[] = { "protocol", "proto", "sourceprotocol", "destinationprotocol", NULL };

/* The role a map under this key gives its keys ("" = none). */
static const char *role_of(const char *k)
{
	if (!strcmp(k, "source") || !strcmp(k, "src") || !strcmp(k, "attacker") || !strcmp(k, "offender"))
		return "source";
	if (!strcmp(k, "destination") || !strcmp(k, "dst") || !strcmp(k, "target") || !strcmp(k, "victim"))
		return "destination";
	return NULL;
}

/* One key (canonical) and its value; `at` is the value's place in the
 * report text (its line is the report's provenance), may be empty. */
static void field(const struct logfmt_ctx *ctx, struct arf_report *r, const char *k, struct str value, struct str at)
{
	struct event *e = &r->event;
	value = str_trim(value);
	if (value.len >= 2 && (value.p[0] == '"' || value.p[0] == '\'') && value.p[value.len - 1] == value.p[0])
		value = str_make(value.p + 1, value.len - 2);
	if (is_one_of(k, SRC_KEYS)) {
		struct ip_addr a;
		if (!r->has_event && lfutil_ip(value, &a)) {
			e->src = a;
			r->has_event = true;
			r->at = at;
		}
	} else if (is_one_of(k, DST_KEYS)) {
		struct ip_addr a;
		if (!lfutil_ip(value, &a))
			return;
		if (e->dst.family == IP_NONE)
			e->dst = a;
		else if (r->n_more_dst < ARF_DESTS_MAX && !ip_equal(&a, &e->dst))
			r->more_dst[r->n_more_dst++] = a;
	} else if (is_one_of(k, TIME_KEYS)) {
		if (e->tz == EVENT_TZ_UNKNOWN)
			lfutil_take_time(ctx, &value, e);
	} else if (is_one_of(k, DPORT_KEYS)) {
		if (!e->has_dport)
			e->has_dport = lfutil_port(value, &e->dport);
	} else if (is_one_of(k, SPORT_KEYS)) {
		if (!e->has_sport)
			e->has_sport = lfutil_port(value, &e->sport);
	} else if (is_one_of(k, COUNT_KEYS)) {
		uint64_t n;
		if (str_to_u64(value, UINT32_MAX, &n) && n > 0)
			e->count = (uint32_t)n;
	} else if (is_one_of(k, TYPE_KEYS) || (!strcmp(k, "reporttype") && !r->type[0])) {
		copy_value(r->type, value);
	} else if (!strcmp(k, "reporttype")) {
		size_t l = strlen(r->type);
		if (l + 1 < ARF_VALUE_MAX) {
			r->type[l] = '/';
			copy_value(r->type + l + 1, value);
		}
	} else if (!strcmp(k, "reporteddomain")) {
		copy_value(r->domain, value);
	} else if (is_one_of(k, PROTO_KEYS)) {
		if (e->proto == EVENT_PROTO_UNKNOWN)
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
		char k[ARF_KEY_MAX];
		canonical("", str_trim(str_make(line.p, (size_t)colon)), k);
		field(ctx, r, k, str_make(line.p + colon + 1, line.len - (size_t)colon - 1), line);
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

/* ---- X-ARF as JSON ---- */

struct json_walk {
	const struct logfmt_ctx *ctx;
	struct arf_report *r;
	struct str text;	/* the JSON text, to place a value in it */
};

/* The line of the JSON text where a string value first appears. */
static struct str json_at(const struct json_walk *w, struct str value)
{
	long i = value.len ? str_find_nocase(w->text, value) : -1;
	if (i < 0)
		return str_make("", 0);
	const char *p = w->text.p + i;
	while (p > w->text.p && p[-1] != '\n')
		p--;
	const char *end = memchr(p, '\n', (size_t)(w->text.p + w->text.len - p));
	return str_make(p, (size_t)((end ? end : w->text.p + w->text.len) - p));
}

static void json_value(struct json_walk *w, const char *role, const char *key, json_t *v, int depth);

static void json_scalar(struct json_walk *w, const char *k, json_t *v)
{
	char num[32];
	struct str val;
	if (json_is_string(v)) {
		val = str_make(json_string_value(v), json_string_length(v));
	} else if (json_is_integer(v)) {
		int n = snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
		val = str_make(num, (size_t)n);
	} else {
		return;
	}
	field(w->ctx, w->r, k, val, json_at(w, val));
}

static void json_object_walk(struct json_walk *w, const char *role, json_t *o, int depth)
{
	const char *key;
	json_t *v;
	json_object_foreach(o, key, v)
		json_value(w, role, key, v, depth);
}

static void json_value(struct json_walk *w, const char *role, const char *key, json_t *v, int depth)
{
	if (depth > ARF_DEPTH_MAX)
		return;
	char bare[ARF_KEY_MAX], k[ARF_KEY_MAX];
	canonical("", str_from(key), bare);
	canonical(role, str_from(key), k);
	const char *inner = role_of(bare);
	if (!inner)
		inner = role;
	if (json_is_object(v)) {
		json_object_walk(w, inner, v, depth + 1);
	} else if (json_is_array(v)) {
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x) {
			if (json_is_object(x))
				json_object_walk(w, inner, x, depth + 1);
			else
				json_scalar(w, k, x);
		}
	} else {
		json_scalar(w, k, v);
	}
}

/* ---- X-ARF as YAML (the subset reports use) ---- */

struct yaml_level {
	size_t indent;
	char key[ARF_KEY_MAX];	/* canonical, with role: what "- item" lines are */
	const char *role;	/* for keys of a map at this level */
};

static size_t indent_of(struct str line)
{
	size_t i = 0;
	while (i < line.len && (line.p[i] == ' ' || line.p[i] == '\t'))
		i++;
	return i;
}

/* "[22, 2222]": each element a value of key k. */
static void yaml_flow(const struct logfmt_ctx *ctx, struct arf_report *r, const char *k, struct str v, struct str at)
{
	str_skip(&v, 1);
	if (v.len && v.p[v.len - 1] == ']')
		v.len--;
	struct str item;
	while (v.len) {
		str_split(&v, ',', &item);
		field(ctx, r, k, item, at);
	}
}

static void yaml_lines(const struct logfmt_ctx *ctx, struct str text, struct arf_report *r)
{
	struct yaml_level st[ARF_DEPTH_MAX + 1];
	size_t n = 1;
	st[0] = (struct yaml_level){ 0, "", "" };
	size_t block_indent = 0;	/* > 0: inside a "|" or ">" block scalar */
	struct str line;
	while (str_take_line(&text, &line)) {
		size_t ind = indent_of(line);
		struct str body = str_make(line.p + ind, line.len - ind);
		if (body.len == 0 || body.p[0] == '#' || str_starts_nocase(body, "---") || str_starts_nocase(body, "..."))
			continue;
		if (block_indent) {
			if (ind >= block_indent)
				continue;
			block_indent = 0;
		}
		bool is_item = body.p[0] == '-' && (body.len == 1 || body.p[1] == ' ');
		/* a level holds the lines indented deeper than its key; a list's
		 * items may also stand at the key's own indent */
		while (n > 1 && ind + is_item < st[n - 1].indent)
			n--;
		if (is_item) {
			str_skip(&body, 1);
			body = str_trim(body);
			ind += 2;
		}
		long colon = LFUTIL_FIND(body, ":");
		bool is_pair = colon > 0 && ((size_t)colon + 1 == body.len || body.p[colon + 1] == ' ');
		if (is_item && !is_pair) {
			/* "- value": an element of the list the parent key opened */
			const char *k = n > 1 ? st[n - 1].key : "";
			if (body.len && body.p[0] == '[')
				yaml_flow(ctx, r, k, body, line);
			else
				field(ctx, r, k, body, line);
			continue;
		}
		if (!is_pair)
			continue;
		const char *role = st[n - 1].role;
		struct str name = str_trim(str_make(body.p, (size_t)colon));
		struct str value = str_trim(str_make(body.p + colon + 1, body.len - (size_t)colon - 1));
		char bare[ARF_KEY_MAX], k[ARF_KEY_MAX];
		canonical("", name, bare);
		canonical(role, name, k);
		if (value.len && (value.p[0] == '|' || value.p[0] == '>')) {
			block_indent = ind + 1;
			continue;
		}
		if (value.len && value.p[0] == '[') {
			yaml_flow(ctx, r, k, value, line);
			continue;
		}
		if (value.len) {
			field(ctx, r, k, value, line);
			continue;
		}
		/* "Key:" alone opens a map or a list below it */
		if (n <= ARF_DEPTH_MAX) {
			const char *inner = role_of(bare);
			st[n] = (struct yaml_level){ .indent = ind + 1, .role = inner ? inner : role };
			memcpy(st[n].key, k, sizeof(k));
			n++;
		}
	}
}

void arf_read_xarf(const struct logfmt_ctx *ctx, struct str text, struct arf_report *ret)
{
	init(ret, "x-arf");
	struct str t = str_trim(text);
	if (t.len && t.p[0] == '{') {
		json_error_t err;
		json_t *o = json_loadb(t.p, t.len, 0, &err);
		if (json_is_object(o)) {
			struct json_walk w = { ctx, ret, t };
			json_object_walk(&w, "", o, 0);
		}
		json_decref(o);
	} else {
		yaml_lines(ctx, text, ret);
	}
	kind_from_type(ret);
}
