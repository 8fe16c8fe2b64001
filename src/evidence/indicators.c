#include "evidence/indicators.h"

#include <stdlib.h>
#include <string.h>

#include "evidence/logfmt/lfutil.h"
#include "util/xalloc.h"

struct defang {
	const char *from;
	const char *to;
	unsigned char from_len, to_len;
};

#define D(f, t) { f, t, sizeof(f) - 1, sizeof(t) - 1 }
/* The forms in use by CSIRTs and mail filters (no standard exists). */
static const struct defang defangs[] = {
	D("[.]", "."), D("(.)", "."), D("{.}", "."), D("[dot]", "."), D("(dot)", "."),
	D("[:]", ":"), D("[://]", "://"), D("hxxps", "https"), D("hxxp", "http"),
	D("hXXps", "https"), D("hXXp", "http"), D("[at]", "@"),
};
#undef D

bool indicators_refang(struct str text, char *out, size_t max, size_t *ret_len)
{
	size_t o = 0;
	bool any = false;
	for (size_t i = 0; i < text.len && o < max;) {
		char c = text.p[i];
		if (c == '[' || c == '(' || c == '{' || (c == 'h' && i + 1 < text.len && (text.p[i + 1] | 0x20) == 'x')) {
			size_t k;
			for (k = 0; k < sizeof(defangs) / sizeof(defangs[0]); k++) {
				size_t n = defangs[k].from_len;
				if (i + n <= text.len && memcmp(text.p + i, defangs[k].from, n) == 0)
					break;
			}
			if (k < sizeof(defangs) / sizeof(defangs[0])) {
				size_t tn = defangs[k].to_len;
				if (o + tn > max)
					break;
				memcpy(out + o, defangs[k].to, tn);
				o += tn;
				i += defangs[k].from_len;
				any = true;
				continue;
			}
		}
		out[o++] = c;
		i++;
	}
	*ret_len = o;
	return any;
}

void indicators_add_addr(struct indicators *ind, const struct indicator_addr *a)
{
	for (size_t i = 0; i < ind->n_addrs; i++) {
		struct indicator_addr *x = &ind->addrs[i];
		if (ip_equal(&x->first, &a->first) && ip_equal(&x->last, &a->last) && x->prefix_len == a->prefix_len) {
			x->seen++;
			if (x->role == INDICATOR_ROLE_UNKNOWN)
				x->role = a->role;
			return;
		}
	}
	if (ind->n_addrs == INDICATORS_ADDR_MAX) {
		ind->dropped++;
		return;
	}
	ind->addrs[ind->n_addrs] = *a;
	ind->addrs[ind->n_addrs].seen = 1;
	ind->n_addrs++;
}

static void add_port(struct indicators *ind, uint16_t first, uint16_t last, enum event_proto proto)
{
	if (last < first)
		return;
	for (size_t i = 0; i < ind->n_ports; i++) {
		struct indicator_port *p = &ind->ports[i];
		if (p->first == first && p->last == last) {
			if (p->proto == EVENT_PROTO_UNKNOWN)
				p->proto = proto;
			return;
		}
	}
	if (ind->n_ports == INDICATORS_PORT_MAX) {
		ind->dropped++;
		return;
	}
	ind->ports[ind->n_ports++] = (struct indicator_port){ first, last, proto };
}

static bool boundary(struct str all, const char *p)
{
	return p == all.p || !(char_is_alnum(p[-1]) || p[-1] == '.' || p[-1] == ':' || p[-1] == '-' || p[-1] == '_');
}

static bool word_end(struct str s, size_t n)
{
	return n >= s.len || !char_is_alnum(s.p[n]);
}

/* Last address of a prefix. */
static struct ip_addr prefix_last(struct ip_addr a, unsigned len)
{
	unsigned bits = ip_bits(&a);
	for (unsigned b = len; b < bits; b++)
		a.bytes[b / 8] |= (uint8_t)(0x80 >> (b % 8));
	return a;
}

/* The role the words just before an address give it. */
static enum indicator_role role_before(struct str all, const char *at)
{
	static const struct { const char *w; enum indicator_role r; } words[] = {
		{ "from ", INDICATOR_ROLE_SOURCE }, { "source ", INDICATOR_ROLE_SOURCE }, { "source: ", INDICATOR_ROLE_SOURCE },
		{ "source ip ", INDICATOR_ROLE_SOURCE }, { "source ip: ", INDICATOR_ROLE_SOURCE }, { "src=", INDICATOR_ROLE_SOURCE },
		{ "src: ", INDICATOR_ROLE_SOURCE }, { "src ", INDICATOR_ROLE_SOURCE }, { "attacker ", INDICATOR_ROLE_SOURCE },
		{ "attacker: ", INDICATOR_ROLE_SOURCE }, { "offender ", INDICATOR_ROLE_SOURCE }, { "by ", INDICATOR_ROLE_SOURCE },
		{ "source-ip: ", INDICATOR_ROLE_SOURCE }, { "abusive ip ", INDICATOR_ROLE_SOURCE },
		{ "to ", INDICATOR_ROLE_DEST }, { "our ", INDICATOR_ROLE_DEST }, { "destination ", INDICATOR_ROLE_DEST },
		{ "destination: ", INDICATOR_ROLE_DEST }, { "destination ip ", INDICATOR_ROLE_DEST }, { "dst=", INDICATOR_ROLE_DEST },
		{ "dst: ", INDICATOR_ROLE_DEST }, { "dst ", INDICATOR_ROLE_DEST }, { "target ", INDICATOR_ROLE_DEST },
		{ "target: ", INDICATOR_ROLE_DEST }, { "against ", INDICATOR_ROLE_DEST }, { "victim ", INDICATOR_ROLE_DEST },
		{ "server ", INDICATOR_ROLE_DEST }, { "our host ", INDICATOR_ROLE_DEST }, { "scanned ", INDICATOR_ROLE_DEST },
		{ "on ", INDICATOR_ROLE_DEST }, { "at ", INDICATOR_ROLE_DEST },
	};
	size_t have = (size_t)(at - all.p);
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t n = strlen(words[i].w);
		if (have >= n && str_eq_nocase(str_make(at - n, n), str_make(words[i].w, n)) &&
		    (have == n || !char_is_alnum(at[-(long)n - 1])))
			return words[i].r;
	}
	return INDICATOR_ROLE_UNKNOWN;
}

/* An address, CIDR or dash range at the front of *s. */
static bool take_addr(struct str all, struct str *s, struct indicators *ind)
{
	struct str c = *s;
	struct indicator_addr a = { 0 };
	if (!lfutil_take_ip(&c, &a.first))
		return false;
	/* "1.2.3.4.5" or "1.2.3.4a" is not an address */
	if (c.len && (char_is_alnum(c.p[0]) || (c.p[0] == '.' && c.len > 1 && char_is_digit(c.p[1]))))
		return false;
	a.last = a.first;
	a.prefix_len = (uint8_t)ip_bits(&a.first);
	struct str k = c;
	uint64_t v;
	if (str_take_lit(&k, "/") && str_take_u64(&k, ip_bits(&a.first), &v) && word_end(k, 0)) {
		struct ip_prefix p;
		char txt[IP_TEXT_MAX + 8];
		size_t n = (size_t)(k.p - s->p);
		if (n < sizeof(txt) && ip_prefix_parse(str_make(s->p, n), true, &p)) {
			(void)txt;
			a.first = p.addr;
			a.prefix_len = p.len;
			a.last = prefix_last(p.addr, p.len);
			a.is_range = p.len < ip_bits(&p.addr);
			c = k;
		}
	} else {
		k = c;
		while (k.len && k.p[0] == ' ')
			str_skip(&k, 1);
		if (str_take_lit(&k, "-")) {
			while (k.len && k.p[0] == ' ')
				str_skip(&k, 1);
			struct ip_addr last;
			struct str k2 = k;
			if (lfutil_take_ip(&k2, &last) && last.family == a.first.family && ip_compare(&a.first, &last) < 0) {
				a.last = last;
				a.is_range = true;
				c = k2;
			} else if (a.first.family == IP_V4 && str_take_u64(&k, 255, &v) && word_end(k, 0) &&
				   v > a.first.bytes[3]) {
				a.last = a.first;
				a.last.bytes[3] = (uint8_t)v;	/* "192.0.2.1-40" */
				a.is_range = true;
				c = k;
			}
		}
	}
	a.role = role_before(all, s->p);
	indicators_add_addr(ind, &a);
	*s = c;
	return true;
}

static enum event_proto proto_word(struct str s, size_t *ret_n)
{
	static const struct { const char *w; enum event_proto p; } w[] = {
		{ "tcp", EVENT_PROTO_TCP }, { "udp", EVENT_PROTO_UDP }, { "icmp", EVENT_PROTO_ICMP },
	};
	for (size_t i = 0; i < 3; i++) {
		size_t n = strlen(w[i].w);
		if (s.len >= n && str_eq_nocase(str_make(s.p, n), str_from(w[i].w)) && word_end(s, n)) {
			*ret_n = n;
			return w[i].p;
		}
	}
	return EVENT_PROTO_UNKNOWN;
}

/* "22", "20-25", "20 - 25" */
static bool take_port_range(struct str *s, uint16_t *first, uint16_t *last)
{
	struct str c = *s;
	if (!lfutil_take_port(&c, first))
		return false;
	*last = *first;
	struct str k = c;
	str_skip_space(&k);
	if (str_take_lit(&k, "-") || str_take_lit(&k, "to ")) {
		str_skip_space(&k);
		uint16_t l;
		if (lfutil_take_port(&k, &l) && l > *first) {
			*last = l;
			c = k;
		}
	}
	*s = c;
	return true;
}

/* "port(s) 22[, 23 and 25]" with an optional protocol after ("22/tcp"). */
static bool take_ports_phrase(struct str *s, enum event_proto proto, struct indicators *ind)
{
	struct str c = *s;
	if (!str_take_lit_nocase(&c, "ports") && !str_take_lit_nocase(&c, "port") && !str_take_lit_nocase(&c, "dport") &&
	    !str_take_lit_nocase(&c, "dpt"))
		return false;
	str_take_lit(&c, "s");
	str_take_lit(&c, "=");
	str_take_lit(&c, ":");
	str_skip_space(&c);
	str_take_lit(&c, "#");
	bool any = false;
	for (int i = 0; i < 32; i++) {
		uint16_t a, b;
		if (!take_port_range(&c, &a, &b))
			break;
		enum event_proto p = proto;
		struct str k = c;
		size_t n;
		if (str_take_lit(&k, "/") && (p = proto_word(k, &n)) != EVENT_PROTO_UNKNOWN)
			str_skip(&k, n), c = k;
		else
			p = proto;
		add_port(ind, a, b, p);
		any = true;
		k = c;
		if (!str_take_lit(&k, ",") && !str_take_lit(&k, " and") && !str_take_lit(&k, " or"))
			break;
		str_skip_space(&k);
		c = k;
	}
	if (!any)
		return false;
	*s = c;
	return true;
}

static const char *const count_nouns[] = {
	"connection attempts", "login attempts", "authentication attempts", "attempts", "connections",
	"packets", "probes", "requests", "messages", "emails", "e-mails", "mails", "spam messages",
	"failed logins", "failures", "logins", "hits", "events", "scans", "addresses", "hosts",
	"ip addresses", "ports", "times", "lines", "alerts", "flows",
};

/* "about 3,000 connection attempts", "12 attempts", "over 1 000 packets" */
static bool take_count(struct str *s, bool approx, struct indicators *ind)
{
	struct str c = *s;
	uint64_t n = 0;
	size_t digits = 0;
	while (c.len && digits < 16) {
		if (char_is_digit(c.p[0])) {
			n = n * 10 + (uint64_t)(c.p[0] - '0');
			digits++;
			str_skip(&c, 1);
		} else if ((c.p[0] == ',' || c.p[0] == ' ' || c.p[0] == '.') && c.len > 3 && char_is_digit(c.p[1]) &&
			   char_is_digit(c.p[2]) && char_is_digit(c.p[3]) && (c.len == 4 || !char_is_digit(c.p[4])) &&
			   digits > 0) {
			str_skip(&c, 1);	/* thousands separator */
		} else {
			break;
		}
	}
	if (digits == 0 || (c.len && char_is_alnum(c.p[0])))
		return false;
	str_skip_space(&c);
	for (size_t i = 0; i < sizeof(count_nouns) / sizeof(count_nouns[0]); i++) {
		size_t l = strlen(count_nouns[i]);
		if (c.len >= l && str_eq_nocase(str_make(c.p, l), str_make(count_nouns[i], l)) && word_end(c, l)) {
			if (ind->n_counts < INDICATORS_COUNT_MAX) {
				struct indicator_count *k = &ind->counts[ind->n_counts++];
				k->n = n;
				k->approximate = approx;
				memcpy(k->noun, count_nouns[i], l + 1);
			} else {
				ind->dropped++;
			}
			str_skip(&c, l);
			*s = c;
			return true;
		}
	}
	return false;
}

static void take_url(struct str *s, struct indicators *ind)
{
	size_t n = 0;
	while (n < s->len && !char_is_space(s->p[n]) && s->p[n] != '>' && s->p[n] != '"' && s->p[n] != '<' &&
	       s->p[n] != '\'')
		n++;
	while (n > 0 && (s->p[n - 1] == '.' || s->p[n - 1] == ',' || s->p[n - 1] == ')'))
		n--;
	struct str u = str_make(s->p, n > INDICATORS_URL_LEN_MAX ? INDICATORS_URL_LEN_MAX : n);
	str_skip(s, n);
	for (size_t i = 0; i < ind->n_urls; i++)
		if (strlen(ind->urls[i]) == u.len && memcmp(ind->urls[i], u.p, u.len) == 0)
			return;
	if (ind->n_urls == INDICATORS_URL_MAX) {
		ind->dropped++;
		return;
	}
	ind->urls[ind->n_urls++] = str_dup(u);
}

static const char *const approx_words[] = { "about ", "approximately ", "approx. ", "around ", "over ", "more than ",
					     "roughly ", "some ", "~" };

void indicators_scan(struct str text, struct indicators *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (text.len > INDICATORS_TEXT_MAX)
		text.len = INDICATORS_TEXT_MAX;
	char *norm = xmalloc(text.len + 1);
	size_t len;
	ret->was_defanged = indicators_refang(text, norm, text.len, &len);
	struct str all = str_make(norm, len), c = all;
	while (c.len) {
		if (!boundary(all, c.p)) {
			str_skip(&c, 1);
			continue;
		}
		char ch = c.p[0];
		if ((ch == 'h' || ch == 'H') && (str_starts_nocase(c, "http://") || str_starts_nocase(c, "https://"))) {
			take_url(&c, ret);
			continue;
		}
		if (char_is_xdigit(ch) || ch == ':') {
			if (take_addr(all, &c, ret))
				continue;
		}
		if (char_is_digit(ch)) {
			uint16_t a, b;
			struct str k = c;
			size_t n;
			enum event_proto p;
			/* "22/tcp" */
			if (take_port_range(&k, &a, &b) && str_take_lit(&k, "/") &&
			    (p = proto_word(k, &n)) != EVENT_PROTO_UNKNOWN) {
				str_skip(&k, n);
				add_port(ret, a, b, p);
				ret->protos |= 1u << p;
				c = k;
				continue;
			}
			if (take_count(&c, false, ret))
				continue;
		}
		size_t n;
		enum event_proto p = proto_word(c, &n);
		if (p != EVENT_PROTO_UNKNOWN) {
			ret->protos |= 1u << p;
			struct str k = c;
			str_skip(&k, n);
			uint16_t a, b;
			if (str_take_lit(&k, "/") && take_port_range(&k, &a, &b)) {	/* "tcp/445" */
				add_port(ret, a, b, p);
				c = k;
				continue;
			}
			str_skip_space(&k);
			if (take_ports_phrase(&k, p, ret)) {	/* "TCP port 445" */
				c = k;
				continue;
			}
			str_skip(&c, n);
			continue;
		}
		if (char_is_alpha(ch) && take_ports_phrase(&c, EVENT_PROTO_UNKNOWN, ret))
			continue;
		bool matched = false;
		for (size_t i = 0; i < sizeof(approx_words) / sizeof(approx_words[0]); i++) {
			size_t l = strlen(approx_words[i]);
			if (c.len > l && str_eq_nocase(str_make(c.p, l), str_make(approx_words[i], l))) {
				struct str k = c;
				str_skip(&k, l);
				if (take_count(&k, true, ret)) {
					c = k;
					matched = true;
				}
				break;
			}
		}
		if (!matched)
			str_skip(&c, 1);
	}
	free(norm);
}

void indicators_free(struct indicators *ind)
{
	for (size_t i = 0; i < ind->n_urls; i++)
		free(ind->urls[i]);
	ind->n_urls = 0;
}
