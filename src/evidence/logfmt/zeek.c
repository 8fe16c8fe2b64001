/* Zeek conn.log in its TSV form (logging/writers/ascii): header lines
 *   #separator \x09
 *   #fields	ts	uid	id.orig_h	id.orig_p	id.resp_h	id.resp_p	proto	...
 * then one connection per line, ts in epoch seconds (UTC). The "#fields"
 * line says which column is which; without one (a pasted excerpt) the
 * default conn.log order is assumed when the line looks like it (epoch
 * time, uid "C...", two addresses). */
#include "evidence/logfmt/formats.h"
#include "evidence/logfmt/lfutil.h"

#include <string.h>

enum zeek_field { ZF_OTHER, ZF_TS, ZF_ORIG_H, ZF_ORIG_P, ZF_RESP_H, ZF_RESP_P, ZF_PROTO, ZF_SERVICE };

static const uint8_t default_cols[] = { ZF_TS, ZF_OTHER, ZF_ORIG_H, ZF_ORIG_P, ZF_RESP_H, ZF_RESP_P, ZF_PROTO, ZF_SERVICE };

static enum zeek_field field_of(struct str name)
{
	static const struct { const char *n; enum zeek_field f; } names[] = {
		{ "ts", ZF_TS }, { "id.orig_h", ZF_ORIG_H }, { "id.orig_p", ZF_ORIG_P },
		{ "id.resp_h", ZF_RESP_H }, { "id.resp_p", ZF_RESP_P }, { "proto", ZF_PROTO }, { "service", ZF_SERVICE },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (str_eq(name, str_from(names[i].n)))
			return names[i].f;
	return ZF_OTHER;
}

static bool header(struct logfmt_stream *st, struct str line)
{
	struct str v = line;
	if (str_take_lit(&v, "#separator ")) {
		if (str_take_lit(&v, "\\x09"))
			st->zeek_sep = '\t';
		else if (v.len == 1)
			st->zeek_sep = v.p[0];
		return true;
	}
	if (!str_take_lit(&line, "#fields"))
		return false;
	char sep = st->zeek_sep ? st->zeek_sep : '\t';
	st->zeek_n = 0;
	str_split(&line, sep, &v);	/* the empty field after "#fields" */
	while (line.len && st->zeek_n < LOGFMT_ZEEK_FIELDS_MAX) {
		struct str name;
		str_split(&line, sep, &name);
		st->zeek_col[st->zeek_n++] = (uint8_t)field_of(name);
	}
	return true;
}

bool logfmt_zeek_parse(const struct logfmt_ctx *ctx, struct logfmt_stream *st, struct str line, struct event *ret)
{
	if (line.len == 0)
		return false;
	if (line.p[0] == '#') {
		/* Header lines change state but are not events. */
		if (st && header(st, line))
			return logfmt_skip(ret, line, "zeek");
		return false;
	}
	if (!char_is_digit(line.p[0]) || !memchr(line.p, '\t', line.len < 32 ? line.len : 32))
		return false;
	const uint8_t *cols = default_cols;
	size_t ncols = sizeof(default_cols);
	char sep = '\t';
	if (st && st->zeek_n) {
		cols = st->zeek_col;
		ncols = st->zeek_n;
		sep = st->zeek_sep ? st->zeek_sep : '\t';
	}
	struct event e;
	lfutil_event_init(&e, line, "zeek");
	bool has_src = false, has_dst = false, has_ts = false;
	struct str c = line;
	for (size_t i = 0; i < ncols && c.len; i++) {
		struct str f;
		str_split(&c, sep, &f);
		switch (cols[i]) {
		case ZF_TS: {
			struct str t = f;
			if (lfutil_take_time(ctx, &t, &e) && t.len == 0)
				has_ts = true;
			break;
		}
		case ZF_ORIG_H: has_src = lfutil_ip(f, &e.src); break;
		case ZF_RESP_H: has_dst = lfutil_ip(f, &e.dst); break;
		case ZF_ORIG_P: e.has_sport = lfutil_port(f, &e.sport); break;
		case ZF_RESP_P: e.has_dport = lfutil_port(f, &e.dport); break;
		case ZF_PROTO: e.proto = lfutil_proto(f); break;
		default: break;
		}
	}
	if (!has_src || !has_dst || !has_ts)
		return false;
	if (e.proto == EVENT_PROTO_ICMP)	/* Zeek puts ICMP type/code in the port columns */
		e.has_sport = e.has_dport = false;
	e.kind = EVENT_CONNECTION;
	*ret = e;
	return true;
}
