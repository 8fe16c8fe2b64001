/* Fuzzes the MIME part listing and decoding the web desk offers as
 * downloads: every listed part must decode, and within the cap. */
#include <stdint.h>
#include <stdlib.h>

#include "mail/attach.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mail_attachment *p = NULL;
	size_t n = 0;
	mail_attach_list((const char *)data, size, &p, &n);
	for (size_t i = 0; i < n; i++) {
		struct buf b;
		buf_init(&b, 1024 * 1024);
		if (mail_attach_content((const char *)data, size, p[i].index, &b) < 0 && b.len == 0 && p[i].size > 1024 * 1024)
			abort();
		buf_free(&b);
	}
	mail_attach_free(p, n);
	return 0;
}
