/* Fuzzes the time parser; a time it accepts must format and its fields be
 * in range. */
#include <stdint.h>
#include <stdlib.h>

#include "evidence/timeparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct timeparse_ctx ctx = { .reference_time = 1795424400LL, .default_offset = 3600 };
	struct str s = str_make((const char *)data, size);
	struct timeparse_result r;
	while (s.len) {
		struct str before = s;
		if (timeparse_take(&ctx, &s, &r)) {
			if (s.len >= before.len || r.millis < 0 || r.millis > 999 || r.offset < -16 * 3600 || r.offset > 16 * 3600)
				abort();
			char out[32];
			timeparse_format_utc(r.time, out);
			timeparse_format_local(r.time, r.offset, out);
			if (s.p < before.p || s.p + s.len != before.p + before.len)
				abort();
		} else {
			str_skip(&s, 1);
		}
	}
	return 0;
}
