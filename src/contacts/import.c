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
	struct contacts_stats st = { 0 };
	struct import im = { .s = s, .st = &st, .errors = errors, .file = file };
	struct net_contact *v = NULL;
	size_t n = 0, cap = 0;
	struct str all = str_make(text.p ? text.p : "", text.len), line;
	uint64_t lineno = 0;
	while (str_take_line(&all, &line)) {
		lineno++;
		const char *hash = memchr(line.p, '#', line.len);
		if (hash)
			line.len = (size_t)(hash - line.p);
		line = str_trim(line);
		if (!line.len)
			continue;
		/* The mailbox is the last word; the range is the rest ("a - b"). */
		size_t sp = line.len;
		while (sp > 0 && !char_is_space((unsigned char)line.p[sp - 1]))
			sp--;
		struct str range = str_trim(str_make(line.p, sp)), mb = str_make(line.p + sp, line.len - sp);
		struct net_contact c = { .is_override = true };
		if (!range.len || !ip_range_parse(range, &c.first, &c.last)) {
			char *t = escape_dup(line, ESCAPE_QUOTE_MAX);
			problem(&im, lineno, "expected 'RANGE MAILBOX', got '%s'", t);
			free(t);
			continue;
		}
		if (!mailbox_is_valid(mb)) {
			char *t = escape_dup(mb, ESCAPE_QUOTE_MAX);
			problem(&im, lineno, "'%s' is not a mail address", t);
			free(t);
			continue;
		}
		if (n >= CONTACTS_OVERRIDES_MAX) {
			problem(&im, lineno, "more than %d overrides", CONTACTS_OVERRIDES_MAX);
			break;
		}
		c.mailbox = str_dup(mb);
		c.origin = xasprintf("override %s:%llu", file, (unsigned long long)lineno);
		v = xgrow(v, &cap, n + 1, sizeof(*v));
		v[n++] = c;
	}
	buf_free(&text);
	r = st.problems ? -EBADMSG : store_contact_clear(s, true);
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = store_contact_add(s, &v[i]);
	net_contact_array_free(v, n);
	if (r >= 0)
		*ret_n = n;
	return r;
}
