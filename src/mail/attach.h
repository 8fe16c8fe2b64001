/*
 * attach: the MIME parts of a stored message other than its plain-text
 * body: attachments, HTML alternatives and forwarded messages. The web desk
 * lists them and offers them as downloads; it never renders them.
 *
 * Parts are numbered by their position among the message's leaf parts in
 * walk order, so a number taken from mail_attach_list() names the same part
 * in mail_attach_content() for the same bytes. Filenames and content types
 * are strangers' text: one line each, capped, never trusted.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define MAIL_ATTACH_NAME_MAX 255	/* bytes of a filename / content type kept */

struct mail_attachment {
	int index;
	char *content_type;	/* "type/subtype" as declared */
	char *filename;		/* "" when none was given */
	int64_t size;		/* decoded bytes */
};

int mail_attach_list(const char *raw, size_t len, struct mail_attachment **ret, size_t *ret_n);
void mail_attach_free(struct mail_attachment *a, size_t n);
/* The decoded bytes of part `index` into out (out's maximum applies:
 * -EMSGSIZE). -ENOENT when there is no such part. */
int mail_attach_content(const char *raw, size_t len, int index, struct buf *out);
