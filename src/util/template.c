#include "util/template.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

static const struct template_var *find_var(const struct template_var *vars, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(vars[i].name) == len && memcmp(vars[i].name, name, len) == 0)
			return &vars[i];
	return NULL;
}

/* Walks tmpl; for each `{{...}}` calls back with the name (and its
 * section marker '#' or '/' or 0). Text between is appended when `out`. */
static int walk(const char *tmpl, const struct template_var *vars, size_t n_vars, struct buf *out, char **ret_missing)
{
	const char *p = tmpl;
	int skipping = 0;	/* depth of sections being dropped */
	while (*p) {
		const char *open = strstr(p, "{{");
		if (!open) {
			if (out && !skipping)
				return buf_append_str(out, p);
			return 0;
		}
		if (out && !skipping) {
			int r = buf_append(out, p, (size_t)(open - p));
			if (r < 0)
				return r;
		}
		const char *close = strstr(open + 2, "}}");
		if (!close) {
			if (ret_missing)
				*ret_missing = xstrdup("(unclosed {{)");
			return -EINVAL;
		}
		const char *name = open + 2;
		char marker = 0;
		if (*name == '#' || *name == '/')
			marker = *name++;
		size_t len = (size_t)(close - name);
		const struct template_var *v = find_var(vars, n_vars, name, len);
		if (!v) {
			if (ret_missing)
				*ret_missing = xstrndup(name, len);
			return -EINVAL;
		}
		if (marker == '#') {
			if (skipping || !v->value || !*v->value)
				skipping++;
		} else if (marker == '/') {
			if (skipping)
				skipping--;
		} else if (out && !skipping && v->value) {
			int r = buf_append_str(out, v->value);
			if (r < 0)
				return r;
		}
		p = close + 2;
	}
	return 0;
}

int template_render(const char *tmpl, const struct template_var *vars, size_t n_vars,
		    struct buf *out, char **ret_missing)
{
	return walk(tmpl, vars, n_vars, out, ret_missing);
}

int template_check(const char *tmpl, const char *const *names, size_t n_names, char **ret_missing)
{
	struct template_var *vars = xcalloc(n_names, sizeof(*vars));
	for (size_t i = 0; i < n_names; i++)
		vars[i] = (struct template_var){ names[i], "x" };
	int r = walk(tmpl, vars, n_names, NULL, ret_missing);
	free(vars);
	return r;
}
