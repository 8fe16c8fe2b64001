/* RPSL and overrides into the store (see contacts.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "contacts/contacts.h"
#include "contacts/rpsl.h"
#include "net/mailbox.h"
#include "net/prefix_table.h"
#include "util/escape.h"
#include "util/file.h"
#include "util/xalloc.h"

#define READ_CHUNK (256 * 1024)
#define NETNAME_MAX 80
#define OVERRIDES_WORDS_MAX 16		/* words on one overrides line */
#define OVERRIDES_KINDS_MAX 4096	/* bytes of one auto= list */

struct import {
	struct store *s;
	struct contacts_stats *st;
	struct buf *errors;
	const char *file;
	int store_error;	/* the first store failure stops the import */
};

static void problem(struct import *im, uint64_t line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void problem(struct import *im, uint64_t line, const char *fmt, ...)
{
	if (im->st->problems++ >= CONTACTS_ERRORS_SHOWN)
		return;
	va_list ap;
	va_start(ap, fmt);
	buf_printf(im->errors, "%s:%llu: ", im->file, (unsigned long long)line);
	buf_vprintf(im->errors, fmt, ap);
	buf_append_char(im->errors, '\n');
	va_end(ap);
}

static char *lower_dup(struct str s)
{
	char *d = str_dup(s);
	for (char *p = d; *p; p++)
		*p = (char)char_lower((unsigned char)*p);
	return d;
}

static void on_error(void *user, uint64_t line, const char *why)
{
	struct import *im = user;
	im->st->malformed++;
	problem(im, line, "malformed object skipped: %s", why);
}

static void add_handle(struct import *im, const char *kind, struct str handle, struct str value, bool is_mailbox,
		       uint64_t line)
{
	if (handle.len == 0 || value.len == 0)
		return;
	if (is_mailbox && !mailbox_is_valid(value)) {
		char *h = escape_dup(handle, ESCAPE_QUOTE_MAX), *v = escape_dup(value, ESCAPE_QUOTE_MAX);
		problem(im, line, "%s %s: '%s' is not a mail address", kind, h, v);
		free(h);
		free(v);
		im->st->refused++;
		return;
	}
	char *k = lower_dup(handle), *v = is_mailbox ? str_dup(value) : lower_dup(value);
	int r = store_contact_handle_add(im->s, kind, k, v);
	if (r < 0 && !im->store_error)
		im->store_error = r;
	im->st->handles++;
	free(k);
	free(v);
}

static void add_range(struct import *im, const struct rpsl_object *o, struct str cls)
{
	struct str text = o->attrs[0].value;
	struct ip_addr first, last;
	bool v6 = str_eq_cstr_nocase(cls, "inet6num");
	if (!ip_range_parse(text, &first, &last) || (first.family == IP_V6) != v6) {
		char *t = escape_dup(text, ESCAPE_QUOTE_MAX);
		problem(im, o->line, "%.*s '%s' is not a range", (int)cls.len, cls.p, t);
		free(t);
		im->st->refused++;
		return;
	}
	struct str abuse_c = rpsl_get(o, "abuse-c"), org = rpsl_get(o, "org"), irt = rpsl_get(o, "mnt-irt");
	if (!abuse_c.len && !org.len && !irt.len) {
		im->st->unreferenced++;
		return;
	}
	char range[2 * IP_TEXT_MAX + 4];
	ip_range_format(&first, &last, range);
	struct str nn = rpsl_get(o, "netname");
	char *netname = escape_header_value(nn, NETNAME_MAX);
	char *origin = xasprintf("%.*s %s", (int)cls.len, cls.p, range);
	char *a = lower_dup(abuse_c), *g = lower_dup(org), *i = lower_dup(irt);
	struct net_contact c = {
		.first = first, .last = last, .netname = netname, .origin = origin,
		.abuse_c = a, .org_ref = g, .irt_ref = i,
	};
	int r = store_contact_add(im->s, &c);
	if (r < 0 && !im->store_error)
		im->store_error = r;
	im->st->ranges++;
	free(a);
	free(g);
	free(i);
	free(netname);
	free(origin);
}

static void on_object(void *user, const struct rpsl_object *o)
{
	struct import *im = user;
	im->st->objects++;
	if (im->store_error)
		return;
	struct str cls = o->attrs[0].name;
	if (str_eq_cstr_nocase(cls, "inetnum") || str_eq_cstr_nocase(cls, "inet6num")) {
		add_range(im, o, cls);
	} else if (str_eq_cstr_nocase(cls, "role") || str_eq_cstr_nocase(cls, "person")) {
		add_handle(im, "role", rpsl_get(o, "nic-hdl"), rpsl_get(o, "abuse-mailbox"), true, o->line);
	} else if (str_eq_cstr_nocase(cls, "organisation") || str_eq_cstr_nocase(cls, "organization")) {
		struct str id = o->attrs[0].value;
		add_handle(im, "org-abuse-c", id, rpsl_get(o, "abuse-c"), false, o->line);
		add_handle(im, "org", id, rpsl_get(o, "abuse-mailbox"), true, o->line);
	} else if (str_eq_cstr_nocase(cls, "irt")) {
		struct str mb = rpsl_get(o, "abuse-mailbox");
		add_handle(im, "irt", o->attrs[0].value, mb.len ? mb : rpsl_get(o, "e-mail"), true, o->line);
	}
}

/* Streams one file (gzip or plain; "-" is stdin) through the parser. */
static int read_file(struct import *im, const char *path)
{
	gzFile f;
	if (!strcmp(path, "-")) {
		int fd = dup(0);
		f = fd >= 0 ? gzdopen(fd, "rb") : NULL;
	} else {
		f = gzopen(path, "rb");
	}
	if (!f)
		return errno == ENOENT ? -ENOENT : -EIO;
	struct rpsl_callbacks cb = { on_object, on_error, im };
	struct rpsl_parser *p = rpsl_parser_new(&cb);
	char *chunk = xmalloc(READ_CHUNK);
	int r = 0;
	for (;;) {
		int n = gzread(f, chunk, READ_CHUNK);
		if (n < 0) {
			int zerr;
			const char *msg = gzerror(f, &zerr);
			problem(im, 0, "cannot read: %s", msg);
			r = -EIO;
			break;
		}
		if (n == 0)
			break;
		rpsl_feed(p, chunk, (size_t)n);
		if (im->store_error)
			break;
	}
	if (r == 0)
		rpsl_finish(p);
	free(chunk);
	rpsl_parser_free(p);
	gzclose(f);
	return r < 0 ? r : im->store_error;
}

int contacts_import_rpsl(struct store *s, const char *const *files, size_t n, struct contacts_stats *st,
			 struct buf *errors)
{
	memset(st, 0, sizeof(*st));
	struct import im = { .s = s, .st = st, .errors = errors };
	int r = store_contact_clear(s, false);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		im.file = files[i];
		r = read_file(&im, files[i]);
		if (r == -ENOENT || r == -EIO)
			buf_printf(errors, "%s: %s\n", files[i], strerror(-r));
	}
	if (r >= 0)
		r = store_contact_resolve(s, &st->dropped);
	return r;
}

/* An overrides line's trailing option: "xarf", "plain", "held",
 * "auto=KIND,KIND" or "auto=*" into p (the kinds into kinds). */
static bool take_option(struct str w, struct net_policy *p, struct buf *kinds)
{
	if (str_eq_cstr_nocase(w, "xarf") || str_eq_cstr_nocase(w, "plain")) {
		p->xarf = str_eq_cstr_nocase(w, "xarf");
		return true;
	}
	if (str_eq_cstr_nocase(w, "held")) {
		p->has_auto = true;
		return true;
	}
	struct str list = w, item;
	if (!str_take_lit_nocase(&list, "auto=") || !list.len)
		return false;
	p->has_auto = true;
	for (bool more = true; more;) {
		more = str_split(&list, ',', &item);
		if (!item.len)
			return false;
		bool is_kind = item.len == 1 && item.p[0] == '*';
		for (size_t i = 0; !is_kind && i < item.len; i++)
			if (!char_is_alnum((unsigned char)item.p[i]) && !strchr("-/_", item.p[i]))
				return false;
		if (buf_printf(kinds, "%s", kinds->len ? ", " : "") < 0)
			return false;	/* over OVERRIDES_KINDS_MAX */
		for (size_t i = 0; i < item.len; i++)
			if (buf_append_char(kinds, (char)char_lower((unsigned char)item.p[i])) < 0)
				return false;
	}
	return true;
}

static bool is_option(struct str w)
{
	return str_eq_cstr_nocase(w, "xarf") || str_eq_cstr_nocase(w, "plain") || str_eq_cstr_nocase(w, "held") ||
	       str_starts_nocase(w, "auto=");
}

static int cmp_policy_mailbox(const void *a, const void *b)
{
	const struct net_policy *x = a, *y = b;
	return strcmp(x->mailbox, y->mailbox);
}

/* One line: "RANGE MAILBOX [OPTION...]" (v) or "policy RANGE|MAILBOX
 * OPTION..." (pv). Problems are reported; false when the line is refused. */
static bool override_line(struct import *im, uint64_t lineno, struct str line, struct net_contact *ret_c,
			  bool *ret_has_c, struct net_policy *ret_p, bool *ret_has_p)
{
	struct str w[OVERRIDES_WORDS_MAX], rest = line;
	size_t n = 0;
	while (rest.len) {
		size_t k = 0;
		while (k < rest.len && char_is_space((unsigned char)rest.p[k]))
			k++;
		rest = str_make(rest.p + k, rest.len - k);
		if (!rest.len)
			break;
		if (n == OVERRIDES_WORDS_MAX) {
			problem(im, lineno, "more than %d words", OVERRIDES_WORDS_MAX);
			return false;
		}
		k = 0;
		while (k < rest.len && !char_is_space((unsigned char)rest.p[k]))
			k++;
		w[n++] = str_make(rest.p, k);
		rest = str_make(rest.p + k, rest.len - k);
	}
	bool is_policy = n && str_eq_cstr_nocase(w[0], "policy");
	size_t first = is_policy, end = n;
	while (end > first && is_option(w[end - 1]))
		end--;
	struct net_policy p = { .xarf = -1 };
	struct buf kinds;
	buf_init(&kinds, OVERRIDES_KINDS_MAX);
	bool ok = true;
	for (size_t i = end; ok && i < n; i++)
		if (!take_option(w[i], &p, &kinds)) {
			char *t = escape_dup(w[i], ESCAPE_QUOTE_MAX);
			problem(im, lineno, "'%s' is not an option (xarf, plain, held, auto=KIND,...)", t);
			free(t);
			ok = false;
		}
	if (ok && is_policy && end == n) {
		problem(im, lineno, "a policy needs an option (xarf, plain, held, auto=KIND,...)");
		ok = false;
	}
	/* What the line is about: a mailbox, a range, or a range then a mailbox. */
	struct str mb = { 0 }, range = { 0 };
	if (ok && end > first) {
		/* An override's last word is its mailbox; a policy's target is a
		 * mailbox when it looks like one. */
		struct str last = w[end - 1];
		if (!is_policy || memchr(last.p, '@', last.len)) {
			mb = last;
			end--;
		}
		if (end > first)
			range = str_make(w[first].p, (size_t)(w[end - 1].p + w[end - 1].len - w[first].p));
	}
	struct net_contact c = { .is_override = true };
	bool has_range = range.len && ip_range_parse(range, &c.first, &c.last);
	if (ok && !is_policy && mb.len && !memchr(mb.p, '@', mb.len) && range.len &&
	    memchr(range.p, '@', range.len)) {
		char *t = escape_dup(mb, ESCAPE_QUOTE_MAX);	/* "RANGE MAILBOX xarff" */
		problem(im, lineno, "'%s' is not an option (xarf, plain, held, auto=KIND,...)", t);
		free(t);
		ok = false;
	} else if (ok && (is_policy ? (range.len && mb.len) || (!range.len && !mb.len) : !range.len || !mb.len)) {
		char *t = escape_dup(line, ESCAPE_QUOTE_MAX);
		problem(im, lineno, "expected 'RANGE MAILBOX [OPTION...]' or 'policy RANGE|MAILBOX OPTION...', got '%s'", t);
		free(t);
		ok = false;
	} else if (ok && range.len && !has_range) {
		char *t = escape_dup(range, ESCAPE_QUOTE_MAX);
		problem(im, lineno, "'%s' is not an address range", t);
		free(t);
		ok = false;
	} else if (ok && mb.len && !mailbox_is_valid(mb)) {
		char *t = escape_dup(mb, ESCAPE_QUOTE_MAX);
		problem(im, lineno, "'%s' is not a mail address", t);
		free(t);
		ok = false;
	}
	*ret_has_c = ok && !is_policy;
	*ret_has_p = ok && (p.xarf >= 0 || p.has_auto);
	if (*ret_has_c) {
		c.mailbox = str_dup(mb);
		c.origin = xasprintf("override %s:%llu", im->file, (unsigned long long)lineno);
		*ret_c = c;
	}
	if (*ret_has_p) {
		if (has_range) {
			p.first = c.first;
			p.last = c.last;
			p.mailbox = xstrdup("");
		} else {
			p.mailbox = lower_dup(mb);
		}
		p.notify_auto = xstrdup(buf_str(&kinds));
		p.origin = xasprintf("overrides %s:%llu", im->file, (unsigned long long)lineno);
		p.id = (int64_t)lineno;	/* until stored: for the duplicate check */
		*ret_p = p;
	}
	buf_free(&kinds);
	return ok;
}

int contacts_overrides_parse(const char *file, struct str text, struct contacts_overrides *ret, struct buf *errors)
{
	struct contacts_stats st = { 0 };
	struct import im = { .st = &st, .errors = errors, .file = file };
	struct contacts_overrides o = { 0 };
	size_t cap = 0, pcap = 0;
	struct str line;
	uint64_t lineno = 0;
	while (str_take_line(&text, &line)) {
		lineno++;
		const char *hash = memchr(line.p, '#', line.len);
		if (hash)
			line.len = (size_t)(hash - line.p);
		line = str_trim(line);
		if (!line.len)
			continue;
		if (o.n_contacts + o.n_policies >= CONTACTS_OVERRIDES_MAX) {
			problem(&im, lineno, "more than %d overrides", CONTACTS_OVERRIDES_MAX);
			break;
		}
		struct net_contact c;
		struct net_policy p;
		bool has_c, has_p;
		if (!override_line(&im, lineno, line, &c, &has_c, &p, &has_p))
			continue;
		if (has_c) {
			o.contacts = xgrow(o.contacts, &cap, o.n_contacts + 1, sizeof(*o.contacts));
			o.contacts[o.n_contacts++] = c;
		}
		if (has_p) {
			o.policies = xgrow(o.policies, &pcap, o.n_policies + 1, sizeof(*o.policies));
			o.policies[o.n_policies++] = p;
		}
	}
	/* A mailbox given two policies is a mistake, not "the last wins". */
	struct net_policy *sorted = xcalloc(o.n_policies + 1, sizeof(*sorted));
	size_t n_mb = 0;
	for (size_t i = 0; i < o.n_policies; i++)
		if (*o.policies[i].mailbox)
			sorted[n_mb++] = o.policies[i];
	qsort(sorted, n_mb, sizeof(*sorted), cmp_policy_mailbox);
	for (size_t i = 1; i < n_mb; i++) {
		int64_t a = sorted[i - 1].id, b = sorted[i].id;	/* their lines */
		if (!strcmp(sorted[i].mailbox, sorted[i - 1].mailbox))
			problem(&im, (uint64_t)(a > b ? a : b), "policy for %s given twice (also at line %lld)",
				sorted[i].mailbox, (long long)(a > b ? b : a));
	}
	free(sorted);
	if (st.problems) {
		contacts_overrides_clear(&o);
		return -EBADMSG;
	}
	*ret = o;
	return 0;
}

void contacts_overrides_clear(struct contacts_overrides *o)
{
	net_contact_array_free(o->contacts, o->n_contacts);
	net_policy_array_free(o->policies, o->n_policies);
	memset(o, 0, sizeof(*o));
}

int contacts_import_overrides(struct store *s, const char *file, size_t *ret_n, struct buf *errors)
{
	struct buf text;
	buf_init(&text, (size_t)CONTACTS_OVERRIDES_MAX * 256);
	int r = file_read_all(file, text.max, &text);
	if (r < 0) {
		buf_printf(errors, "%s: %s\n", file, strerror(-r));
		buf_free(&text);
		return r;
	}
	struct contacts_overrides o;
	r = contacts_overrides_parse(file, str_make(text.p ? text.p : "", text.len), &o, errors);
	buf_free(&text);
	if (r < 0)
		return r;
	r = store_contact_clear(s, true);
	if (r >= 0)
		r = store_net_policy_clear(s);
	for (size_t i = 0; r >= 0 && i < o.n_contacts; i++)
		r = store_contact_add(s, &o.contacts[i]);
	for (size_t i = 0; r >= 0 && i < o.n_policies; i++)
		r = store_net_policy_add(s, &o.policies[i]);
	if (r >= 0)
		*ret_n = o.n_contacts + o.n_policies;
	contacts_overrides_clear(&o);
	return r;
}
