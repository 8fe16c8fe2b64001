/* Fuzzes mail_parse(): any bytes must give a result with every field set. */
#include <stdint.h>
#include <stdlib.h>

#include "mail/mail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mail_parsed m;
	if (mail_parse((const char *)data, size, &m) != 0)
		abort();
	if (!m.subject || !m.body_text || !m.from_addr || !m.message_id)
		abort();
	mail_parsed_clear(&m);
	return 0;
}
