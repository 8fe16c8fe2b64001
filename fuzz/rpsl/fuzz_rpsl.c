/* Fuzzes the RPSL reader: the input is fed in chunks whose sizes come from
 * the first byte, and every object and error must agree with a one-shot
 * feed of the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "contacts/rpsl.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_object(void *user, const struct rpsl_object *o)
{
	struct buf *b = user;
	buf_printf(b, "%llu:", (unsigned long long)o->line);
	for (size_t i = 0; i < o->n_attrs; i++) {
		if (o->attrs[i].name.len == 0)
			abort();	/* every attribute has a name */
		buf_append(b, o->attrs[i].name.p, o->attrs[i].name.len);
		buf_append_char(b, '=');
		buf_append(b, o->attrs[i].value.p, o->attrs[i].value.len);
		buf_append_char(b, '|');
	}
	(void)rpsl_get(o, "abuse-c");
}

static void on_error(void *user, uint64_t line, const char *why)
{
	buf_printf(user, "E%llu:%s;", (unsigned long long)line, why);
}

static void run(const uint8_t *data, size_t size, size_t chunk, struct buf *out)
{
	struct rpsl_callbacks cb = { on_object, on_error, out };
	struct rpsl_parser *p = rpsl_parser_new(&cb);
	for (size_t i = 0; i < size; i += chunk)
		rpsl_feed(p, (const char *)data + i, size - i < chunk ? size - i : chunk);
	rpsl_finish(p);
	rpsl_parser_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	size_t chunk = (size_t)data[0] % 17 + 1;
	struct buf a, b;
	buf_init(&a, (size_t)1 << 30);
	buf_init(&b, (size_t)1 << 30);
	run(data + 1, size - 1, size, &a);
	run(data + 1, size - 1, chunk, &b);
	if (a.len != b.len || (a.len && memcmp(a.p, b.p, a.len)))
		abort();
	buf_free(&a);
	buf_free(&b);
	return 0;
}
