#include "pipeline/templates.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/embedded.h"
#include "util/file.h"
#include "util/xalloc.h"

static const char *const file_names[TEMPLATE_COUNT] = { "ack.txt", "reply.txt" };

/* The placeholders each template may use (the pipeline fills all of them). */
static const char *const ack_vars[] = { "team", "tag", "number", "subject", "address", "reporter" };
static const char *const reply_vars[] = { "team", "tag", "number", "subject", "address", "body" };

static const struct {
	const char *const *names;
	size_t n;
} allowed[TEMPLATE_COUNT] = {
	{ ack_vars, sizeof(ack_vars) / sizeof(ack_vars[0]) },
	{ reply_vars, sizeof(reply_vars) / sizeof(reply_vars[0]) },
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
	*ret = t;
	return 0;
}
