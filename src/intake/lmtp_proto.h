/*
 * lmtp_proto: the LMTP server's protocol, as a pure state machine.
 *
 * Bytes in, replies out; no sockets, no clock, no store. The I/O around it
 * (intake/lmtp_server.c) reads from the client, feeds the bytes here, writes
 * what lands in the reply buffer, and when a message is complete commits it
 * and hands the outcome back with lmtp_session_message_done(), which writes
 * one reply per accepted recipient (RFC 2033 4.2).
 *
 * Protocol: RFC 2033 (LHLO; HELO/EHLO are refused) with RFC 5321 syntax and
 * the extensions PIPELINING (RFC 2920), 8BITMIME (RFC 6152), SIZE (RFC 1870)
 * and ENHANCEDSTATUSCODES (RFC 2034/3463).
 *
 * Invariants and limits:
 * - Memory is bounded: a command line is at most LMTP_LINE_MAX bytes; a
 *   longer one is read to its end, discarded, and answered 500 5.5.6 once.
 *   A message is at most size_max bytes after dot-unstuffing; past that the
 *   rest of DATA is read and discarded (the sticky error: keep reading,
 *   answer once) and each recipient gets 552 5.3.4 after the final dot; the
 *   session stays usable.
 * - A NUL byte in a command line makes that command 500 5.5.2.
 * - After LMTP_ERRORS_MAX refused commands the session is closed with 421.
 * - At most LMTP_RCPTS_MAX recipients per transaction (452 4.5.3 past it).
 * - The stored message has LF line endings (as from the pipe transport), so
 *   the store's digest recognises the same message from either door.
 *
 * Recipients: rcpt_ok decides which addresses we accept (550 5.1.1 for the
 * others); NULL accepts every recipient.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define LMTP_LINE_MAX 2048	/* a command line (RFC 5321 4.5.3.1.4 allows 512, extensions need more) */
#define LMTP_PATH_MAX 256	/* an address between < > (RFC 5321 4.5.3.1.3) */
#define LMTP_RCPTS_MAX 100	/* recipients per transaction (RFC 5321 4.5.3.1.8) */
#define LMTP_ERRORS_MAX 20	/* refused commands before we hang up */

struct lmtp_proto_config {
	const char *hostname;	/* in the greeting and the LHLO reply */
	size_t size_max;	/* message size limit, advertised as SIZE */
	bool (*rcpt_ok)(void *user, const char *addr);
	void *user;
};

enum lmtp_event {
	LMTP_EVENT_NONE,	/* everything fed was consumed; feed more */
	LMTP_EVENT_MESSAGE,	/* a message is complete: commit it, then message_done */
	LMTP_EVENT_CLOSE,	/* send what is in the reply buffer, then hang up */
};

struct lmtp_session;

struct lmtp_session *lmtp_session_new(const struct lmtp_proto_config *cfg);
struct lmtp_session *lmtp_session_free(struct lmtp_session *s);

/* Appends the 220 greeting. */
void lmtp_session_greet(struct lmtp_session *s, struct buf *out);
/* Consumes bytes from p (at most n) and appends replies to out. Stops early
 * after a complete message or a command that ends the session, with
 * *ret_consumed telling how far it got; the caller feeds the rest after
 * handling the event. Once LMTP_EVENT_CLOSE was returned, every later call
 * returns it again and consumes nothing. */
enum lmtp_event lmtp_session_feed(struct lmtp_session *s, const char *p, size_t n, size_t *ret_consumed,
				  struct buf *out);

/* The complete message (LF line endings) and its envelope, valid after
 * LMTP_EVENT_MESSAGE until lmtp_session_message_done(). env_from is "<>" for
 * the null sender; env_to the accepted recipients, comma-separated. */
const struct buf *lmtp_session_message(const struct lmtp_session *s);
const char *lmtp_session_env_from(const struct lmtp_session *s);
const char *lmtp_session_env_to(const struct lmtp_session *s);
size_t lmtp_session_rcpt_count(const struct lmtp_session *s);

/* Answers the message: r is the store's result (0: committed as queue_id;
 * -EMSGSIZE: 552; any other error: 451 4.3.0 so the MTA retries), one reply
 * per accepted recipient. Resets the transaction. The only place an error
 * becomes an LMTP reply. */
void lmtp_session_message_done(struct lmtp_session *s, int r, long long queue_id, struct buf *out);

/* True between transactions with no partial command buffered: a good
 * moment to say 421 and close when the server stops. */
bool lmtp_session_is_idle(const struct lmtp_session *s);
/* For the I/O layer's timeouts: complete command lines read so far (each
 * one starts the per-command clock again), and whether the client is
 * sending DATA, with how many bytes since the 354. */
uint64_t lmtp_session_commands(const struct lmtp_session *s);
bool lmtp_session_data_progress(const struct lmtp_session *s, uint64_t *ret_bytes);
/* Appends "421 4.3.2 <host> shutting down" (or the idle-timeout variant). */
void lmtp_session_goodbye(struct lmtp_session *s, bool is_timeout, struct buf *out);
