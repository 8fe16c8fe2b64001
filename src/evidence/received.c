#include "evidence/received.h"

#include <errno.h>
#include <string.h>

#include "evidence/logfmt/lfutil.h"
#include "evidence/timeparse.h"

int received_trust_parse(const char *list, struct received_trust *ret)
{
	struct received_trust t = { .n = 0 };
	struct str s = str_from(list ? list : ""), item;
	while (s.len) {
		str_split(&s, ',', &item);
		item = str_trim(item);
		if (!item.len)
			continue;
		if (t.n == RECEIVED_TRUSTED_MAX || !ip_prefix_parse(item, true, &t.v[t.n]))
			return -EINVAL;
		t.n++;
	}
	*ret = t;
	return 0;
}

bool received_is_internal(const struct ip_addr *a)
{
	static const char *const nets[] = { "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8",
					    "169.254.0.0/16", "100.64.0.0/10", "0.0.0.0/8", "::1/128",
					    "fc00::/7", "fe80::/10", "::/128" };
	for (size_t i = 0; i < sizeof(nets) / sizeof(nets[0]); i++) {
		struct ip_prefix p;
		if (ip_prefix_parse(str_from(nets[i]), false, &p) && ip_prefix_contains(&p, a))
			return true;
	}
	return false;
}

/* Calls fn for each header of a block, value unfolded (CRLF + WSP -> WSP)
 * into a bounded scratch buffer. */
#define HEADER_SCRATCH_MAX 8192

typedef bool (*header_fn)(void *arg, struct str name, struct str value);

static void each_header(struct str block, header_fn fn, void *arg)
{
	char scratch[HEADER_SCRATCH_MAX];
	struct str line;
	struct str name = { 0 };
	size_t vlen = 0;
	bool open = false;
	for (;;) {
		bool more = str_take_line(&block, &line);
		if (more && open && line.len && (line.p[0] == ' ' || line.p[0] == '\t')) {
			size_t n = line.len;
			if (vlen + n > sizeof(scratch))
				n = sizeof(scratch) - vlen;
			memcpy(scratch + vlen, line.p, n);
			vlen += n;
			continue;
		}
		if (open && !fn(arg, name, str_make(scratch, vlen)))
			return;
		open = false;
		if (!more || line.len == 0)
			return;	/* the blank line ends the header block */
		long colon = lfutil_find(line, ":", 1);
		if (colon <= 0)
			continue;
		name = str_make(line.p, (size_t)colon);
		struct str v = str_make(line.p + colon + 1, line.len - (size_t)colon - 1);
		vlen = v.len < sizeof(scratch) ? v.len : sizeof(scratch);
		memcpy(scratch, v.p, vlen);
		open = true;
	}
}

struct find_arg {
	const char *name;
	char *out;
	size_t max;
	bool found;
};

static bool find_one(void *arg, struct str name, struct str value)
{
	struct find_arg *f = arg;
	if (!str_eq_cstr_nocase(name, f->name))
		return true;
	value = str_trim(value);
	size_t n = value.len < f->max - 1 ? value.len : f->max - 1;
	memcpy(f->out, value.p, n);
	f->out[n] = 0;
	f->found = true;
	return false;
}

bool received_header_value(struct str headers, const char *name, char *out, size_t out_max)
{
	struct find_arg f = { name, out, out_max, false };
	if (out_max == 0)
		return false;
	each_header(headers, find_one, &f);
	return f.found;
}

/* "from helo (rdns [192.0.2.1]) by mx ...; Sun, 22 Nov 2026 14:03:01 +0000":
 * the address is the first bracketed (or bare) address of the "from"
 * clause; the date follows the last ';'. */
struct received_walk {
	struct received_chain *chain;
	const char *counted;	/* newlines counted up to here (the hop's line) */
	uint32_t line;
};

static bool on_received(void *arg, struct str name, struct str value)
{
	struct received_walk *w = arg;
	struct received_chain *c = w->chain;
	if (!str_eq_cstr_nocase(name, "Received"))
		return true;
	if (c->n == RECEIVED_HOPS_MAX)
		return false;
	struct received_hop h = { .time = 0 };
	for (const char *q = w->counted; q < name.p; q++)
		w->line += *q == '\n';
	w->counted = name.p;
	h.line = w->line;
	struct str v = str_trim(value);
	long by = LFUTIL_FIND(v, " by ");
	struct str from = by >= 0 ? str_make(v.p, (size_t)by) : v;
	if (str_take_lit_nocase(&from, "from ")) {
		for (size_t i = 0; i < from.len; i++) {
			bool start = from.p[i] == '[' || from.p[i] == '(' || (i > 0 && from.p[i - 1] == ' ');
			if (!start)
				continue;
			struct str a = str_make(from.p + i, from.len - i);
			str_take_lit(&a, "[");
			str_take_lit(&a, "(");
			str_take_lit_nocase(&a, "IPv6:");
			if (lfutil_take_ip(&a, &h.from) && (a.len == 0 || a.p[0] == ']' || a.p[0] == ')' || a.p[0] == ' ' ||
							      a.p[0] == ':'))
				break;
			h.from.family = IP_NONE;
		}
	}
	const char *semi = NULL;
	for (size_t i = v.len; i > 0; i--)
		if (v.p[i - 1] == ';') {
			semi = v.p + i;
			break;
		}
	if (semi) {
		struct str d = str_trim(str_make(semi, (size_t)(v.p + v.len - semi)));
		struct timeparse_ctx tc = { 0 };
		struct timeparse_result r;
		if (timeparse_take(&tc, &d, &r)) {
			h.time = r.time;
			h.offset = r.offset;
		}
	}
	c->hops[c->n++] = h;
	return true;
}

void received_parse(struct str headers, const struct received_trust *trust, struct received_chain *ret)
{
	ret->n = 0;
	ret->origin = -1;
	struct received_walk w = { ret, headers.p, 0 };
	each_header(headers, on_received, &w);
	for (size_t i = 0; i < ret->n; i++) {
		const struct ip_addr *a = &ret->hops[i].from;
		if (a->family == IP_NONE || received_is_internal(a))
			continue;
		bool trusted = false;
		for (size_t k = 0; trust && k < trust->n; k++)
			if (ip_prefix_contains(&trust->v[k], a))
				trusted = true;
		if (trusted)
			continue;
		ret->origin = (int)i;
		break;
	}
}
