/* Fuzzes the constituency file parser and its checks; whatever parses
 * cleanly must export to text that parses cleanly to the same export. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "constituency/constituency.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct constituency c = { 0 };
	struct buf errors;
	buf_init(&errors, 1 << 20);
	constituency_parse(&c, "fuzz", str_make((const char *)data, size), &errors);
	constituency_validate(&c, &errors);
	if (c.n_errors == 0) {
		struct buf a, b;
		buf_init(&a, 1 << 26);
		buf_init(&b, 1 << 26);
		constituency_export(c.orgs, c.n, &a);
		struct constituency c2 = { 0 };
		constituency_parse(&c2, "export", str_make(a.p ? a.p : "", a.len), &errors);
		constituency_validate(&c2, &errors);
		if (c2.n_errors)
			abort();
		constituency_export(c2.orgs, c2.n, &b);
		if (a.len != b.len || memcmp(a.p, b.p, a.len))
			abort();
		constituency_free(&c2);
		buf_free(&a);
		buf_free(&b);
	}
	constituency_free(&c);
	buf_free(&errors);
	return 0;
}
