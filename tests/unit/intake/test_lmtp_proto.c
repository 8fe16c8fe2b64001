/*
 * lmtp_proto: client scripts in, reply codes and stored messages out.
 * Each row runs twice: fed whole (everything pipelined) and byte by byte
 * (every state boundary split), and both must give the same answers.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <strings.h>
#include <string.h>

#include "intake/lmtp_proto.h"

static bool only_ours(void *user, const char *addr)
{
	(void)user;
	return !strcasecmp(addr, "irt@csirt.example") || !strcasecmp(addr, "abuse@csirt.example");
}

struct row {
	const char *name;
	const char *in;
	size_t in_len;		/* 0: strlen(in) */
	size_t size_max;	/* 0: 1 MiB */
	int commit;		/* what the "store" answers */
	const char *want_codes;	/* final reply lines' codes, space-separated */
	const char *want_msg;	/* last committed message, or NULL */
	const char *want_from;
	const char *want_to;
	bool want_closed;
};

#define HELLO "LHLO mx.example\r\n"
#define MAIL_RCPT "MAIL FROM:<rep@example.org>\r\nRCPT TO:<irt@csirt.example>\r\n"
#define LONG_A                                                                                                         \
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
#define LONG_400 LONG_A LONG_A
#define LONG_3200 LONG_400 LONG_400 LONG_400 LONG_400 LONG_400 LONG_400 LONG_400 LONG_400
#define BAD5 "XYZZY\r\nXYZZY\r\nXYZZY\r\nXYZZY\r\nXYZZY\r\n"

static const struct row rows[] = {
	{ "one message", HELLO MAIL_RCPT "DATA\r\nSubject: x\r\n\r\nhello\r\n.\r\nQUIT\r\n", 0, 0, 0,
	  "220 250 250 250 354 250 221", "Subject: x\n\nhello\n", "rep@example.org", "irt@csirt.example", true },
	{ "mixed recipients: one reply per accepted one after the dot",
	  HELLO "MAIL FROM:<r@e.org>\r\nRCPT TO:<irt@csirt.example>\r\nRCPT TO:<other@elsewhere.example>\r\n"
		"RCPT TO:<ABUSE@csirt.example>\r\nDATA\r\nx\r\n.\r\n",
	  0, 0, 0, "220 250 250 250 550 250 354 250 250", "x\n", "r@e.org", "irt@csirt.example,ABUSE@csirt.example" },
	{ "null sender", HELLO "MAIL FROM:<>\r\nRCPT TO:<irt@csirt.example>\r\nDATA\r\n\r\n.\r\n", 0, 0, 0,
	  "220 250 250 250 354 250", "\n", "<>", "irt@csirt.example" },
	{ "source route dropped, space after colon", HELLO "MAIL FROM: <@a.example,@b.example:r@e.org>\r\n", 0, 0, 0,
	  "220 250 250" },
	{ "RSET forgets the transaction", HELLO MAIL_RCPT "RSET\r\nDATA\r\n", 0, 0, 0, "220 250 250 250 250 503" },
	{ "two messages in one session", HELLO MAIL_RCPT "DATA\r\na\r\n.\r\n" MAIL_RCPT "DATA\r\nb\r\n.\r\n", 0, 0, 0,
	  "220 250 250 250 354 250 250 250 354 250", "b\n" },
	{ "dot-unstuffing", HELLO MAIL_RCPT "DATA\r\n..dot\r\n...\r\n.x\r\nmid.dle.\r\n.\r\n", 0, 0, 0,
	  "220 250 250 250 354 250", ".dot\n..\nx\nmid.dle.\n" },
	{ "bare LF line ends", "LHLO a\nMAIL FROM:<r@e.org>\nRCPT TO:<irt@csirt.example>\nDATA\nl1\nl2\n.\n", 0, 0, 0,
	  "220 250 250 250 354 250", "l1\nl2\n" },
	{ "CR not before LF stays", HELLO MAIL_RCPT "DATA\r\na\rb\r\n.\rc\r\n.\r\n", 0, 0, 0, "220 250 250 250 354 250",
	  "a\rb\n\rc\n" },
	{ "8-bit body", HELLO MAIL_RCPT "DATA\r\nsch\xc3\xb6n \xff\r\n.\r\n", 0, 0, 0, "220 250 250 250 354 250",
	  "sch\xc3\xb6n \xff\n" },
	{ "over-size DATA: 552 per recipient, session usable",
	  HELLO MAIL_RCPT "RCPT TO:<abuse@csirt.example>\r\nDATA\r\n" LONG_400 "\r\n.\r\n" MAIL_RCPT "DATA\r\nok\r\n.\r\n",
	  0, 100, 0, "220 250 250 250 250 354 552 552 250 250 354 250", "ok\n" },
	{ "SIZE= over the limit", HELLO "MAIL FROM:<r@e.org> SIZE=5000\r\nMAIL FROM:<r@e.org> SIZE=50 BODY=8BITMIME\r\n",
	  0, 100, 0, "220 250 552 250" },
	{ "bad MAIL parameters", HELLO "MAIL FROM:<r@e.org> BODY=BINARYMIME\r\nMAIL FROM:<r@e.org> AUTH=x\r\n"
		"MAIL FROM:<r@e.org> SIZE=x\r\n", 0, 0, 0, "220 250 501 555 501" },
	{ "commands out of order", "MAIL FROM:<r@e.org>\r\n" HELLO "RCPT TO:<irt@csirt.example>\r\nDATA\r\n"
		"MAIL FROM:<r@e.org>\r\nDATA\r\nMAIL FROM:<r@e.org>\r\n", 0, 0, 0, "220 503 250 503 503 250 503 503" },
	{ "HELO and EHLO are not LMTP", "HELO a\r\nEHLO a\r\n", 0, 0, 0, "220 500 500" },
	{ "unknown, empty and argument-less commands", "FOO\r\n\r\nLHLO\r\nNOOP\r\nVRFY x\r\nHELP\r\n", 0, 0, 0,
	  "220 500 500 501 250 252 214" },
	{ "malformed addresses", HELLO "MAIL FROM:r@e.org\r\nMAIL FROM:<r@e.org\r\nMAIL FROM:<a b@c>\r\n"
		"MAIL FROM:<r@e.org>\r\nRCPT TO:<>\r\nRCPT TO:irt\r\nRCPT TO:<irt@csirt.example> NOTIFY=NEVER\r\n",
	  0, 0, 0, "220 250 501 501 501 250 501 501 555" },
	{ "NUL in a command", HELLO "NO\0OP\r\nNOOP\r\n", sizeof(HELLO "NO\0OP\r\nNOOP\r\n") - 1, 0, 0,
	  "220 250 500 250" },
	{ "overlong command line: one 500, then usable", HELLO "NOOP " LONG_3200 "\r\nNOOP\r\n", 0, 0, 0,
	  "220 250 500 250" },
	{ "too many errors close the session", BAD5 BAD5 BAD5 BAD5 "NOOP\r\n", 0, 0, 0,
	  "220 500 500 500 500 500 500 500 500 500 500 500 500 500 500 500 500 500 500 500 500 421", NULL, NULL, NULL,
	  true },
	{ "store failure: 451 per recipient, then usable",
	  HELLO MAIL_RCPT "RCPT TO:<abuse@csirt.example>\r\nDATA\r\nx\r\n.\r\nNOOP\r\n", 0, 0, -EIO,
	  "220 250 250 250 250 354 451 451 250" },
	{ "nothing after QUIT is read", HELLO "QUIT\r\nNOOP\r\n", 0, 0, 0, "220 250 221", NULL, NULL, NULL, true },
	{ "too many recipients", NULL, 0, 0, 0, NULL },	/* built in the test below */
};

struct result {
	char codes[4096];
	char msg[4096];
	char from[256];
	char to[4096];
	bool is_closed;
};

/* Codes of the final line of each reply ("250 ..." not "250-..."). */
static void codes_of(const struct buf *out, char *codes, size_t n)
{
	const char *p = out->p ? out->p : "";
	while (*p) {
		const char *eol = strstr(p, "\r\n");
		cr_assert(eol, "reply without CRLF: %s", p);
		if (eol - p >= 4 && p[3] == ' ') {
			size_t len = strlen(codes);
			snprintf(codes + len, n - len, "%s%.3s", len ? " " : "", p);
		}
		p = eol + 2;
	}
}

static void run(const struct row *r, size_t step, struct result *res)
{
	memset(res, 0, sizeof(*res));
	struct lmtp_proto_config cfg = { .hostname = "desk.example", .size_max = r->size_max ? r->size_max : 1 << 20,
					 .rcpt_ok = only_ours };
	struct lmtp_session *s = lmtp_session_new(&cfg);
	struct buf out;
	buf_init(&out, 1 << 20);
	lmtp_session_greet(s, &out);
	size_t len = r->in_len ? r->in_len : strlen(r->in);
	size_t off = 0;
	while (off < len && !res->is_closed) {
		size_t n = step && len - off > step ? step : len - off;
		size_t done = 0;
		while (done < n) {
			size_t used = 0;
			enum lmtp_event ev = lmtp_session_feed(s, r->in + off + done, n - done, &used, &out);
			done += used;
			if (ev == LMTP_EVENT_MESSAGE) {
				const struct buf *m = lmtp_session_message(s);
				snprintf(res->msg, sizeof(res->msg), "%.*s", (int)m->len, m->p ? m->p : "");
				snprintf(res->from, sizeof(res->from), "%s", lmtp_session_env_from(s));
				snprintf(res->to, sizeof(res->to), "%s", lmtp_session_env_to(s));
				lmtp_session_message_done(s, r->commit, 7, &out);
			} else if (ev == LMTP_EVENT_CLOSE) {
				res->is_closed = true;
				break;
			} else {
				cr_assert_eq(used, n - done + used, "%s: stopped early without an event", r->name);
			}
		}
		off += n;
	}
	codes_of(&out, res->codes, sizeof(res->codes));
	buf_free(&out);
	lmtp_session_free(s);
}

Test(lmtp_proto, table)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		if (!r->in)
			continue;
		static const size_t steps[] = { 0, 1, 7 };
		for (size_t k = 0; k < 3; k++) {
			struct result res;
			run(r, steps[k], &res);
			cr_expect_str_eq(res.codes, r->want_codes, "%s (step %zu): got codes \"%s\", want \"%s\"", r->name,
					 steps[k], res.codes, r->want_codes);
			if (r->want_msg)
				cr_expect_str_eq(res.msg, r->want_msg, "%s (step %zu): got message \"%s\", want \"%s\"",
						 r->name, steps[k], res.msg, r->want_msg);
			if (r->want_from)
				cr_expect_str_eq(res.from, r->want_from, "%s: got sender \"%s\", want \"%s\"", r->name,
						 res.from, r->want_from);
			if (r->want_to)
				cr_expect_str_eq(res.to, r->want_to, "%s: got recipients \"%s\", want \"%s\"", r->name,
						 res.to, r->want_to);
			cr_expect_eq(res.is_closed, r->want_closed, "%s (step %zu): got closed=%d, want %d", r->name,
				     steps[k], res.is_closed, r->want_closed);
		}
	}
}

Test(lmtp_proto, recipients_capped)
{
	static char in[LMTP_RCPTS_MAX * 40 + 200];
	static char want[LMTP_RCPTS_MAX * 4 + 64];
	size_t n = (size_t)snprintf(in, sizeof(in), HELLO "MAIL FROM:<r@e.org>\r\n");
	size_t w = (size_t)snprintf(want, sizeof(want), "220 250 250");
	for (size_t i = 0; i <= LMTP_RCPTS_MAX; i++) {
		n += (size_t)snprintf(in + n, sizeof(in) - n, "RCPT TO:<irt@csirt.example>\r\n");
		w += (size_t)snprintf(want + w, sizeof(want) - w, i < LMTP_RCPTS_MAX ? " 250" : " 452");
	}
	struct row r = { "too many recipients", in, n, 0, 0, want };
	struct result res;
	run(&r, 0, &res);
	cr_expect_str_eq(res.codes, want, "got %s, want %s", res.codes, want);
}

Test(lmtp_proto, idle_and_goodbye)
{
	struct lmtp_proto_config cfg = { .hostname = "h", .size_max = 1000 };
	struct lmtp_session *s = lmtp_session_new(&cfg);
	struct buf out;
	buf_init(&out, 4096);
	size_t used;
	cr_expect(lmtp_session_is_idle(s), "got busy, want idle at the start");
	lmtp_session_feed(s, HELLO "MAIL FROM:<a@b>\r\n", strlen(HELLO "MAIL FROM:<a@b>\r\n"), &used, &out);
	cr_expect(!lmtp_session_is_idle(s), "got idle, want busy inside a transaction");
	lmtp_session_feed(s, "RSET\r\nNO", 8, &used, &out);
	cr_expect(!lmtp_session_is_idle(s), "got idle, want busy with half a command read");
	lmtp_session_feed(s, "OP\r\n", 4, &used, &out);
	cr_expect(lmtp_session_is_idle(s), "got busy, want idle after RSET and NOOP");
	buf_reset(&out);
	lmtp_session_goodbye(s, true, &out);
	cr_expect(!strncmp(out.p, "421 4.4.2", 9), "got %s, want 421 4.4.2", out.p);
	cr_expect_eq(lmtp_session_feed(s, "NOOP\r\n", 6, &used, &out), LMTP_EVENT_CLOSE, "got open after goodbye");
	buf_free(&out);
	lmtp_session_free(s);
}
