/*
 * Fuzzes the LMTP state machine: the input is a client's byte stream. The
 * first byte picks the chunk size it is fed in and whether commits fail,
 * so every state boundary gets split somewhere. Checks the invariants a
 * server relies on: every reply is a well-formed CRLF-terminated line, the
 * message never exceeds the size limit, and feeding always makes progress.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "intake/lmtp_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool even_length(void *user, const char *addr)
{
	(void)user;
	return strlen(addr) % 2 == 0;
}

static void check_replies(const struct buf *out)
{
	const char *p = out->p ? out->p : "";
	size_t left = out->len;
	while (left) {
		const char *eol = memchr(p, '\n', left);
		if (!eol || eol == p || eol[-1] != '\r')
			abort();
		size_t n = (size_t)(eol - p) + 1;
		if (n < 6 || p[0] < '2' || p[0] > '5' || (p[3] != ' ' && p[3] != '-'))
			abort();
		p += n;
		left -= n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	size_t step = (data[0] & 0x3f) + 1;
	int commit = data[0] & 0x40 ? -EIO : 0;
	const char *in = (const char *)data + 1;
	size_t len = size - 1;
	struct lmtp_proto_config cfg = { .hostname = "fuzz.example", .size_max = 200,
					 .rcpt_ok = data[0] & 0x80 ? even_length : NULL };
	struct lmtp_session *s = lmtp_session_new(&cfg);
	struct buf out;
	buf_init(&out, 1 << 22);
	lmtp_session_greet(s, &out);
	size_t off = 0;
	bool is_closed = false;
	while (off < len && !is_closed) {
		size_t n = len - off < step ? len - off : step;
		size_t done = 0;
		while (done < n) {
			size_t used = 0;
			enum lmtp_event ev = lmtp_session_feed(s, in + off + done, n - done, &used, &out);
			done += used;
			if (ev == LMTP_EVENT_MESSAGE) {
				if (lmtp_session_message(s)->len > cfg.size_max || !lmtp_session_rcpt_count(s))
					abort();
				lmtp_session_message_done(s, commit, 1, &out);
			} else if (ev == LMTP_EVENT_CLOSE) {
				is_closed = true;
				break;
			} else if (done != n) {
				abort();	/* no event, yet bytes left unread */
			}
		}
		off += n;
		check_replies(&out);
		buf_reset(&out);
	}
	buf_free(&out);
	lmtp_session_free(s);
	return 0;
}
