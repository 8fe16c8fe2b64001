/* Suricata EVE JSON (eve.json), one object per line:
 *   {"timestamp":"2026-11-22T14:03:01.123456+0000","flow_id":1,"event_type":"alert",
 *    "src_ip":"A","src_port":P,"dest_ip":"B","dest_port":Q,"proto":"TCP","alert":{...}}
 * Read by key, not by a JSON parser: the keys are unique at the top level
 * and their values are plain strings and numbers. */
#include "evidence/logfmt/formats.h"
#include "evidence/logfmt/lfutil.h"

static bool string_value(struct str line, const char *key, size_t n, struct str *ret)
{
	struct str v;
	if (!lfutil_after(line, key, n, &v))
		return false;
	str_skip_space(&v);
	if (!str_take_lit(&v, "\""))
		return false;
	*ret = lfutil_token(v, "\"");
	return ret->len < v.len;
}

static bool port_value(struct str line, const char *key, size_t n, uint16_t *ret)
{
	struct str v;
	if (!lfutil_after(line, key, n, &v))
		return false;
	str_skip_space(&v);
	return lfutil_take_port(&v, ret);
}

#define SV(line, lit, ret) string_value((line), (lit), sizeof(lit) - 1, (ret))
#define PV(line, lit, ret) port_value((line), (lit), sizeof(lit) - 1, (ret))

bool logfmt_suricata_parse(const struct logfmt_ctx *ctx, struct logfmt_stream *st, struct str line, struct event *ret)
{
	(void)st;
	struct str t = str_trim(line);
	if (!t.len || t.p[0] != '{' || !LFUTIL_HAS(t, "\"event_type\""))
		return false;
	struct event e;
	lfutil_event_init(&e, line, "suricata");
	struct str v;
	if (!SV(t, "\"src_ip\":", &v) || !lfutil_ip(v, &e.src))
		return false;
	if (SV(t, "\"dest_ip\":", &v))
		lfutil_ip(v, &e.dst);
	e.has_sport = PV(t, "\"src_port\":", &e.sport);
	e.has_dport = PV(t, "\"dest_port\":", &e.dport);
	if (SV(t, "\"proto\":", &v))
		e.proto = lfutil_proto(v);
	if (SV(t, "\"timestamp\":", &v))
		lfutil_take_time(ctx, &v, &e);
	e.kind = EVENT_CONNECTION;
	if (SV(t, "\"event_type\":", &v) && (str_eq(v, STR_LIT("alert")) || str_eq(v, STR_LIT("anomaly"))))
		e.kind = EVENT_ALERT;
	*ret = e;
	return true;
}
