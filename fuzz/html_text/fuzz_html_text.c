/* Fuzzes html_text(): no crash, and no '<' followed by a tag name survives
 * from markup (decoded &lt; is text and allowed, so only check the bound). */
#include <stdint.h>
#include <stdlib.h>

#include "mail/html_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out;
	buf_init(&out, 1 << 20);
	html_text((const char *)data, size, &out);
	if (out.len > out.max)
		abort();
	buf_free(&out);
	return 0;
}
