#include "mail/defect.h"

static const char *const names[] = {
	"unparsable", "no-headers", "no-body", "nul-bytes", "8bit-header", "long-line", "bad-mime",
	"bad-encoded-word", "bad-charset", "nesting", "html-only", "no-from", "truncated",
};

void defect_names(uint32_t defects, struct buf *out)
{
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (defects & (1u << i)) {
			if (out->len)
				buf_append_char(out, ',');
			buf_append_str(out, names[i]);
		}
}
