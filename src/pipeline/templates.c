#include "pipeline/templates.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/embedded.h"
#include "util/file.h"
#include "util/xalloc.h"

static const char *const file_names[TEMPLATE_COUNT] = { "ack.txt", "reply.txt", "notify.txt", "copy.txt",
							  "misdirected.txt" };

/* The placeholders each template may use (the pipeline fills all of them). */
static const char *const ack_vars[] = { "team", "tag", "number", "subject", "address", "reporter", "missing" };
static const char *const item_vars[] = { "reason" };
static const char *const reply_vars[] = { "team", "tag", "number", "subject", "address", "body" };
static const char *const notify_vars[] = { "team", "tag", "number", "address", "recipient", "kind", "sources",
					   "reports", "events", "summary", "sample", "inside" };
static const char *const copy_vars[] = { "team", "tag", "number", "address", "reporter", "org", "subject", "ack" };
static const char *const misdirected_vars[] = { "team", "tag", "number", "address", "reporter", "org", "support",
						"subject", "kind" };

static const struct {
	const char *const *names;
	size_t n;
} allowed[TEMPLATE_COUNT] = {
	{ ack_vars, sizeof(ack_vars) / sizeof(ack_vars[0]) },
	{ reply_vars, sizeof(reply_vars) / sizeof(reply_vars[0]) },
	{ notify_vars, sizeof(notify_vars) / sizeof(notify_vars[0]) },
	{ copy_vars, sizeof(copy_vars) / sizeof(copy_vars[0]) },
	{ misdirected_vars, sizeof(misdirected_vars) / sizeof(misdirected_vars[0]) },
};

const char *template_file_name(enum template_id id)
{
	return id < TEMPLATE_COUNT ? file_names[id] : "";
}

void templates_free(struct templates *t)
{
	for (int i = 0; i < TEMPLATE_COUNT; i++) {
		free(t->text[i]);
		t->text[i] = NULL;
	}
	for (int i = 0; i < CHECK_COUNT_ITEMS; i++) {
		free(t->missing[i]);
		free(t->doubtful[i]);
		t->missing[i] = t->doubtful[i] = NULL;
	}
}

/* One item text: the operator's file, else the built-in one, else NULL. */
static int load_item(const char *dir, const char *name, char **ret, char **ret_error)
{
	*ret = NULL;
	if (dir && *dir) {
		char *path = xasprintf("%s/%s", dir, name);
		struct buf b;
		buf_init(&b, TEMPLATE_SIZE_MAX);
		int r = file_read_all(path, TEMPLATE_SIZE_MAX, &b);
		if (r == 0) {
			*ret = buf_steal(&b);
		} else {
			buf_free(&b);
			if (r != -ENOENT) {
				*ret_error = xasprintf("%s: cannot read template (%s)", path, strerror(-r));
				free(path);
				return r;
			}
		}
		free(path);
	}
	if (!*ret) {
		char *key = xasprintf("templates/%s", name);
		const struct embedded_file *f = embedded_find(key);
		free(key);
		if (f)
			*ret = xstrdup((const char *)f->data);
	}
	char *missing = NULL;
	if (*ret && template_check(*ret, item_vars, 1, &missing) < 0) {
		*ret_error = xasprintf("%s: unknown placeholder {{%s}}", name, missing ? missing : "?");
		free(missing);
		free(*ret);
		*ret = NULL;
		return -EINVAL;
	}
	return 0;
}

static int load_items(const char *dir, struct templates *t, char **ret_error)
{
	for (int i = 0; i < CHECK_COUNT_ITEMS; i++) {
		char *m = xasprintf("missing/%s.txt", checklist_item_name(i));
		char *d = xasprintf("doubtful/%s.txt", checklist_item_name(i));
		int r = load_item(dir, m, &t->missing[i], ret_error);
		if (r >= 0)
			r = load_item(dir, d, &t->doubtful[i], ret_error);
		if (r >= 0 && !t->missing[i]) {
			*ret_error = xasprintf("%s: template missing", m);
			r = -EINVAL;
		}
		free(m);
		free(d);
		if (r < 0)
			return r;
	}
	return 0;
}

int templates_missing_text(const struct templates *t, const struct evidence *ev, struct buf *out)
{
	for (int i = 0; i < CHECK_COUNT_ITEMS; i++) {
		const struct check *c = &ev->checklist[i];
		if (c->state == CHECK_PRESENT)
			continue;
		const char *text = c->state == CHECK_DOUBTFUL && t->doubtful[i] ? t->doubtful[i] : t->missing[i];
		if (!text)
			continue;
		struct template_var vars[] = { { "reason", c->reason } };
		char *missing = NULL;
		int r = template_render(text, vars, 1, out, &missing);
		free(missing);
		if (r < 0)
			return r;
	}
	return 0;
}

int templates_load(const char *dir, struct templates *ret, char **ret_error)
{
	struct templates t = { 0 };
	for (int i = 0; i < TEMPLATE_COUNT; i++) {
		char *path = NULL;
		if (dir && *dir) {
			path = xasprintf("%s/%s", dir, file_names[i]);
			struct buf b;
			buf_init(&b, TEMPLATE_SIZE_MAX);
			int r = file_read_all(path, TEMPLATE_SIZE_MAX, &b);
			if (r == 0) {
				t.text[i] = buf_steal(&b);
			} else {
				buf_free(&b);
				if (r != -ENOENT) {
					*ret_error = xasprintf("%s: cannot read template (%s)", path, strerror(-r));
					free(path);
					templates_free(&t);
					return r;
				}
			}
		}
		if (!t.text[i]) {
			char *name = xasprintf("templates/%s", file_names[i]);
			const struct embedded_file *f = embedded_find(name);
			free(name);
			t.text[i] = xstrdup(f ? (const char *)f->data : "");
			free(path);
			path = xasprintf("(built-in)/%s", file_names[i]);
		}
		char *missing = NULL;
		if (template_check(t.text[i], allowed[i].names, allowed[i].n, &missing) < 0) {
			*ret_error = xasprintf("%s: unknown placeholder {{%s}}", path, missing ? missing : "?");
			free(missing);
			free(path);
			templates_free(&t);
			return -EINVAL;
		}
		free(path);
	}
	int r = load_items(dir, &t, ret_error);
	if (r < 0) {
		templates_free(&t);
		return r;
	}
	*ret = t;
	return 0;
}
