/*
 * template: fills `{{name}}` placeholders in the texts operators edit
 * (acknowledgments, notifications). Values are inserted verbatim: the texts
 * are plain-text mail bodies, and headers never come from templates.
 *
 * A placeholder with no value is an error (-EINVAL, its name in ret_missing)
 * so that a typo in an operator's template is caught at load time by
 * template_check(), not in a reporter's inbox. `{{#name}}...{{/name}}`
 * keeps the enclosed text only when the value is non-empty.
 */
#pragma once
#include <stddef.h>

#include "util/buf.h"

#define TEMPLATE_SIZE_MAX (64 * 1024)

struct template_var {
	const char *name;
	const char *value;
};

int template_render(const char *tmpl, const struct template_var *vars, size_t n_vars,
		    struct buf *out, char **ret_missing);
/* Checks that every placeholder names one of `names`. */
int template_check(const char *tmpl, const char *const *names, size_t n_names, char **ret_missing);
