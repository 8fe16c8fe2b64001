/* Fuzzes the tag parser: the first byte picks a tag, the rest is a subject. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/tag.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const tags[] = { "Janet CSIRT", "X", "a b  c" };
	if (size == 0)
		return 0;
	const char *tag = tags[data[0] % 3];
	char *subject = xstrndup((const char *)data + 1, size - 1);
	int64_t n;
	if (tag_find(subject, tag, &n)) {
		/* What we write must thread back to the same ticket. */
		char *again = tag_subject(tag, n, subject);
		int64_t m;
		if (!tag_find(again, tag, &m) || m != n)
			abort();
		free(again);
	}
	free(tag_strip_prefixes(subject));
	free(subject);
	return 0;
}
