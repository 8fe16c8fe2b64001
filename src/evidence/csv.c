#include "evidence/csv.h"

#include <string.h>

#include "evidence/logfmt/lfutil.h"

enum col { C_OTHER, C_SRC, C_DST, C_DPORT, C_SPORT, C_PROTO, C_TIME, C_COUNT };

static enum col column(struct str name)
{
	static const struct { const char *n; enum col c; } names[] = {
		{ "source", C_SRC }, { "src", C_SRC }, { "src_ip", C_SRC }, { "source_ip", C_SRC }, { "ip", C_SRC },
		{ "srcip", C_SRC }, { "attacker", C_SRC }, { "source ip", C_SRC }, { "ip_address", C_SRC },
		{ "destination", C_DST }, { "dst", C_DST }, { "dst_ip", C_DST }, { "dest_ip", C_DST },
		{ "destination_ip", C_DST }, { "dstip", C_DST }, { "target", C_DST }, { "destination ip", C_DST },
		{ "port", C_DPORT }, { "dport", C_DPORT }, { "dst_port", C_DPORT }, { "dest_port", C_DPORT },
		{ "destination_port", C_DPORT }, { "dpt", C_DPORT }, { "sport", C_SPORT }, { "src_port", C_SPORT },
		{ "source_port", C_SPORT }, { "spt", C_SPORT }, { "proto", C_PROTO }, { "protocol", C_PROTO },
		{ "timestamp", C_TIME }, { "time", C_TIME }, { "date", C_TIME }, { "datetime", C_TIME },
		{ "first_seen", C_TIME }, { "date_time", C_TIME }, { "timestamp_utc", C_TIME },
		{ "count", C_COUNT }, { "hits", C_COUNT }, { "attempts", C_COUNT }, { "events", C_COUNT },
	};
	name = str_trim(name);
	if (name.len >= 2 && name.p[0] == '"' && name.p[name.len - 1] == '"')
		name = str_make(name.p + 1, name.len - 2);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (str_eq_cstr_nocase(name, names[i].n))
			return names[i].c;
	return C_OTHER;
}

static char separator(struct str header)
{
	size_t comma = 0, semi = 0, tab = 0;
	for (size_t i = 0; i < header.len; i++) {
		comma += header.p[i] == ',';
		semi += header.p[i] == ';';
		tab += header.p[i] == '\t';
	}
	if (tab > comma && tab > semi)
		return '\t';
	return semi > comma ? ';' : ',';
}

/* The next field of a record (quotes removed; "" inside quotes stays as
 * "" and line breaks stay, since no value we read can hold either). */
static bool next_field(struct str *row, char sep, struct str *ret)
{
	if (row->p == NULL)
		return false;
	struct str r = *row;
	if (r.len && r.p[0] == '"') {
		size_t i = 1;
		while (i < r.len && !(r.p[i] == '"' && (i + 1 == r.len || r.p[i + 1] != '"')))
			i += (r.p[i] == '"') ? 2 : 1;
		*ret = str_make(r.p + 1, i > 1 ? (i < r.len ? i - 1 : r.len - 1) : 0);
		size_t next = i + 1 <= r.len ? i + 1 : r.len;
		if (next < r.len && r.p[next] == sep)
			next++;
		else if (next >= r.len) {
			row->p = NULL;
			return true;
		}
		str_skip(row, next);
		return true;
	}
	bool found = str_split(row, sep, ret);
	if (!found)
		row->p = NULL;
	return true;
}

/*
 * The next record (RFC 4180 2.6-2.7): a quoted field may hold line breaks
 * and doubled quotes, so a record ends at the first newline outside
 * quotes. A quote still open at the end of the text or after
 * CSV_RECORD_MAX bytes is a broken field, not a record swallowing the rest:
 * the record is then the physical line alone (malformation is data).
 */
static bool take_record(struct str *text, struct str *ret)
{
	if (text->len == 0)
		return false;
	const char *p = text->p, *end = p + text->len, *q = p;
	const char *limit = text->len > CSV_RECORD_MAX ? p + CSV_RECORD_MAX : end;
	bool in_quotes = false;
	for (;;) {
		const char *nl = memchr(q, '\n', (size_t)(end - q));
		const char *stop = nl ? nl : end;
		for (const char *x = q; x < stop && (x = memchr(x, '"', (size_t)(stop - x))) != NULL; x++)
			in_quotes = !in_quotes;
		if (!in_quotes) {
			struct str rec = str_make(p, (size_t)(stop - p));
			str_skip(text, nl ? rec.len + 1 : rec.len);
			if (rec.len && rec.p[rec.len - 1] == '\r')
				rec.len--;
			*ret = rec;
			return true;
		}
		if (!nl || nl + 1 >= limit)
			return str_take_line(text, ret);
		q = nl + 1;
	}
}

static size_t header_columns(struct str header, char sep, uint8_t *cols, bool *has_src)
{
	size_t n = 0;
	struct str f, row = header;
	*has_src = false;
	while (n < CSV_COLUMNS_MAX && next_field(&row, sep, &f)) {
		cols[n] = (uint8_t)column(f);
		*has_src |= cols[n] == C_SRC;
		n++;
	}
	return n;
}

bool csv_looks_like(struct str text)
{
	struct str header;
	if (!take_record(&text, &header))
		return false;
	uint8_t cols[CSV_COLUMNS_MAX];
	bool has_src;
	size_t n = header_columns(header, separator(header), cols, &has_src);
	return n >= 2 && has_src;
}

long csv_read(const struct logfmt_ctx *ctx, struct str text, logfmt_event_fn fn, void *arg)
{
	struct str header, line;
	if (!take_record(&text, &header))
		return 0;
	char sep = separator(header);
	uint8_t cols[CSV_COLUMNS_MAX];
	bool has_src;
	size_t ncols = header_columns(header, sep, cols, &has_src);
	if (!has_src)
		return 0;
	long n = 0;
	while (take_record(&text, &line)) {
		struct event e;
		lfutil_event_init(&e, line, "csv");
		e.kind = EVENT_OTHER;
		struct str row = line, f;
		bool ok = false;
		for (size_t i = 0; i < ncols && next_field(&row, sep, &f); i++) {
			f = str_trim(f);
			switch (cols[i]) {
			case C_SRC: ok = lfutil_ip(f, &e.src); break;
			case C_DST: lfutil_ip(f, &e.dst); break;
			case C_DPORT: e.has_dport = lfutil_port(f, &e.dport); break;
			case C_SPORT: e.has_sport = lfutil_port(f, &e.sport); break;
			case C_PROTO: e.proto = lfutil_proto(f); break;
			case C_TIME: lfutil_take_time(ctx, &f, &e); break;
			case C_COUNT: {
				uint64_t c;
				if (str_to_u64(f, UINT32_MAX, &c) && c > 0)
					e.count = (uint32_t)c;
				break;
			}
			default: break;
			}
		}
		if (!ok)
			continue;
		n++;
		int r = fn(arg, &e);
		if (r < 0)
			return r;
	}
	return n;
}
