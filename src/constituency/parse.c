/* The constituency file format (docs/CONSTITUENCY.md): line by line, every
 * problem reported with its file and line, reading on after each. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "constituency/constituency.h"
#include "net/mailbox.h"
#include "net/prefix_table.h"
#include "util/escape.h"
#include "util/xalloc.h"

struct parser {
	struct constituency *c;
	struct buf *errors;
	const char *file;
	size_t line;
	struct org *org;	/* the stanza being read, or NULL */
	size_t range_cap;
	size_t n_security, n_support, n_domains, n_asns, n_kinds;
};

static void fail(struct parser *p, size_t line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(struct parser *p, size_t line, const char *fmt, ...)
{
	if (p->c->n_errors++ >= CONSTITUENCY_ERRORS_MAX)
		return;
	va_list ap;
	va_start(ap, fmt);
	buf_printf(p->errors, "%s:%zu: ", p->file, line);
	buf_vprintf(p->errors, fmt, ap);
	buf_append_char(p->errors, '\n');
	va_end(ap);
}

/* The operator's text, quoted safely for a terminal. */
static char *q(struct str s)
{
	return escape_dup(s, ESCAPE_QUOTE_MAX);
}

static bool id_is_valid(struct str s)
{
	if (s.len == 0 || s.len > CONSTITUENCY_ID_MAX || !char_is_alnum((unsigned char)s.p[0]))
		return false;
	for (size_t i = 0; i < s.len; i++) {
		int ch = (unsigned char)s.p[i];
		if (!(char_is_digit(ch) || (ch >= 'a' && ch <= 'z') || ch == '-'))
			return false;
	}
	return true;
}

static bool kind_is_valid(struct str s)
{
	if (s.len == 1 && s.p[0] == '*')
		return true;
	if (s.len == 0 || s.len > CONSTITUENCY_ID_MAX)
		return false;
	for (size_t i = 0; i < s.len; i++) {
		int ch = (unsigned char)s.p[i];
		if (!(char_is_digit(ch) || (ch >= 'a' && ch <= 'z') || ch == '-' || ch == '/' || ch == '_'))
			return false;
	}
	return true;
}

static void list_add(char **field, size_t *count, struct str item, bool lower)
{
	char *v = str_dup(item);
	for (char *x = v; lower && *x; x++)
		*x = (char)char_lower((unsigned char)*x);
	char *joined = *field && **field ? xasprintf("%s, %s", *field, v) : xstrdup(v);
	free(v);
	free(*field);
	*field = joined;
	(*count)++;
}

/* Takes the next item of a list separated by commas and/or white space. */
static bool next_item(struct str *s, bool space_separates, struct str *ret)
{
	while (s->len && (s->p[0] == ',' || (space_separates && char_is_space((unsigned char)s->p[0]))))
		str_skip(s, 1);
	if (s->len == 0)
		return false;
	size_t n = 0;
	while (n < s->len && s->p[n] != ',' && !(space_separates && char_is_space((unsigned char)s->p[n])))
		n++;
	*ret = str_trim(str_make(s->p, n));
	str_skip(s, n);
	return true;
}

static void org_end(struct parser *p)
{
	struct org *o = p->org;
	if (!o)
		return;
	if (!o->name || !*o->name)
		fail(p, o->line, "organisation '%s' has no name", o->id);
	if (!o->security || !*o->security)
		fail(p, o->line, "organisation '%s' has no security contact", o->id);
	/* Absent lists are empty, never NULL, for everyone reading them. */
	char **lists[] = { &o->name, &o->security, &o->support, &o->domains, &o->asns, &o->notify_auto };
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		if (!*lists[i])
			*lists[i] = xstrdup("");
	p->org = NULL;
}

static void org_begin(struct parser *p, struct str value)
{
	org_end(p);
	if (!id_is_valid(value)) {
		char *v = q(value);
		fail(p, p->line, "'%s' is not an organisation id (lower-case letters, digits and '-', at most %d)", v,
		     CONSTITUENCY_ID_MAX);
		free(v);
	}
	struct constituency *c = p->c;
	if (c->n >= CONSTITUENCY_ORGS_MAX) {
		fail(p, p->line, "more than %d organisations", CONSTITUENCY_ORGS_MAX);
		return;
	}
	c->orgs = xgrow(c->orgs, &c->cap, c->n + 1, sizeof(*c->orgs));
	struct org *o = &c->orgs[c->n++];
	memset(o, 0, sizeof(*o));
	o->id = str_dup(value);
	o->file = xstrdup(p->file);
	o->line = (uint32_t)p->line;
	p->org = o;
	p->range_cap = 0;
	p->n_security = p->n_support = p->n_domains = p->n_asns = p->n_kinds = 0;
}

static void add_mailboxes(struct parser *p, const char *key, char **field, size_t *count, struct str value)
{
	struct str item;
	while (next_item(&value, true, &item)) {
		if (!mailbox_is_valid(item)) {
			char *v = q(item);
			fail(p, p->line, "%s: '%s' is not a mail address", key, v);
			free(v);
		} else if (*count >= CONSTITUENCY_LIST_MAX) {
			fail(p, p->line, "%s: more than %d addresses", key, CONSTITUENCY_LIST_MAX);
			return;
		} else {
			list_add(field, count, item, false);
		}
	}
}

static void add_ranges(struct parser *p, struct str value)
{
	struct org *o = p->org;
	struct str item;
	while (next_item(&value, false, &item)) {
		struct org_range g = { .line = (uint32_t)p->line };
		if (!ip_range_parse(item, &g.first, &g.last)) {
			char *v = q(item);
			fail(p, p->line, "prefix: '%s' is not a prefix or a range (a.b.c.d/n, x::/n, first - last; "
					 "no host bits after the prefix length)", v);
			free(v);
			continue;
		}
		if (p->c->n_ranges >= CONSTITUENCY_RANGES_MAX) {
			fail(p, p->line, "more than %d prefixes in all", CONSTITUENCY_RANGES_MAX);
			return;
		}
		o->ranges = xgrow(o->ranges, &p->range_cap, o->n_ranges + 1, sizeof(*o->ranges));
		o->ranges[o->n_ranges++] = g;
		p->c->n_ranges++;
	}
}

static void add_asns(struct parser *p, struct str value)
{
	struct str item;
	while (next_item(&value, true, &item)) {
		struct str digits = item;
		str_take_lit_nocase(&digits, "AS");
		uint64_t n;
		if (!str_to_u64(digits, UINT32_MAX, &n)) {
			char *v = q(item);
			fail(p, p->line, "asn: '%s' is not an AS number (AS64500 or 64500)", v);
			free(v);
			continue;
		}
		if (p->n_asns >= CONSTITUENCY_LIST_MAX) {
			fail(p, p->line, "asn: more than %d", CONSTITUENCY_LIST_MAX);
			return;
		}
		char *as = xasprintf("AS%llu", (unsigned long long)n);
		list_add(&p->org->asns, &p->n_asns, str_from(as), false);
		free(as);
	}
}

static void field(struct parser *p, struct str key, struct str value)
{
	struct org *o = p->org;
	struct str item;
	if (str_eq_cstr_nocase(key, "name")) {
		if (o->name)
			fail(p, p->line, "name given twice for '%s'", o->id);
		else if (value.len == 0)
			fail(p, p->line, "name is empty");
		else
			o->name = escape_header_value(value, 200);
	} else if (str_eq_cstr_nocase(key, "security")) {
		add_mailboxes(p, "security", &o->security, &p->n_security, value);
	} else if (str_eq_cstr_nocase(key, "support")) {
		add_mailboxes(p, "support", &o->support, &p->n_support, value);
	} else if (str_eq_cstr_nocase(key, "domain")) {
		while (next_item(&value, true, &item)) {
			if (!domain_is_valid(item)) {
				char *v = q(item);
				fail(p, p->line, "domain: '%s' is not a domain name", v);
				free(v);
			} else if (p->n_domains >= CONSTITUENCY_LIST_MAX) {
				fail(p, p->line, "domain: more than %d", CONSTITUENCY_LIST_MAX);
				break;
			} else {
				list_add(&o->domains, &p->n_domains, item, true);
			}
		}
	} else if (str_eq_cstr_nocase(key, "prefix")) {
		add_ranges(p, value);
	} else if (str_eq_cstr_nocase(key, "asn")) {
		add_asns(p, value);
	} else if (str_eq_cstr_nocase(key, "notify-auto")) {
		while (next_item(&value, true, &item)) {
			if (!kind_is_valid(item) || p->n_kinds >= CONSTITUENCY_LIST_MAX) {
				char *v = q(item);
				fail(p, p->line, "notify-auto: '%s' is not a kind of abuse (e.g. scanner, or * for all)", v);
				free(v);
				continue;
			}
			list_add(&o->notify_auto, &p->n_kinds, item, true);
		}
	} else {
		char *k = q(key);
		fail(p, p->line, "unknown key '%s' (org, name, security, support, domain, prefix, asn, notify-auto)", k);
		free(k);
	}
}

/* Drops a comment: '#' at the start or after white space (a mail address
 * may hold '#'). */
static struct str uncomment(struct str line)
{
	for (size_t i = 0; i < line.len; i++)
		if (line.p[i] == '#' && (i == 0 || char_is_space((unsigned char)line.p[i - 1])))
			return str_make(line.p, i);
	return line;
}

void constituency_parse(struct constituency *c, const char *file, struct str text, struct buf *errors)
{
	struct parser p = { .c = c, .errors = errors, .file = file };
	struct str line;
	while (str_take_line(&text, &line)) {
		p.line++;
		if (line.len > CONSTITUENCY_LINE_MAX) {
			fail(&p, p.line, "line longer than %d bytes", CONSTITUENCY_LINE_MAX);
			continue;
		}
		if (memchr(line.p, '\0', line.len)) {
			fail(&p, p.line, "NUL byte in the line");
			continue;
		}
		line = str_trim(uncomment(line));
		if (line.len == 0)
			continue;
		size_t n = 0;
		while (n < line.len && !char_is_space((unsigned char)line.p[n]))
			n++;
		struct str key = str_make(line.p, n), value = str_trim(str_make(line.p + n, line.len - n));
		if (str_eq_cstr_nocase(key, "org")) {
			org_begin(&p, value);
		} else if (!p.org) {
			char *k = q(key);
			fail(&p, p.line, "'%s' before any 'org ID' line", k);
			free(k);
		} else {
			field(&p, key, value);
		}
	}
	org_end(&p);
}

void constituency_free(struct constituency *c)
{
	org_array_free(c->orgs, c->n);
	memset(c, 0, sizeof(*c));
}

bool constituency_is_auto(const struct org *o, const char *kind)
{
	struct str list = str_from(o->notify_auto ? o->notify_auto : ""), item;
	while (next_item(&list, true, &item))
		if ((item.len == 1 && item.p[0] == '*') || str_eq_cstr_nocase(item, kind))
			return true;
	return false;
}
