/* Fuzzes the evidence extractor over whole messages (MIME, charsets, ARF,
 * X-ARF, CSV, pasted headers, prose) and renders the findings as the CLI
 * and ticket show do. */
#include <stdint.h>
#include <stdlib.h>

#include "evidence/extract.h"
#include "evidence/report.h"
#include "mail/mail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mail_init();
	struct received_trust trust;
	received_trust_parse("192.0.2.25, 2001:db8::/32", &trust);
	struct evidence_options opt = { .reference_time = 1795424400LL, .trust = &trust };
	struct evidence ev;
	if (evidence_extract_message((const char *)data, size, &opt, &ev) < 0)
		abort();
	json_t *j = evidence_json(&ev);
	struct buf b;
	buf_init(&b, 1 << 24);
	evidence_render_text(j, &b);
	buf_free(&b);
	json_decref(j);
	evidence_free(&ev);
	/* the same bytes read as plain text */
	if (evidence_extract_text((const char *)data, size, &opt, &ev) < 0)
		abort();
	evidence_free(&ev);
	return 0;
}
