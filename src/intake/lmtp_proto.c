/*
 * lmtp_proto: RFC 2033 server state machine. See lmtp_proto.h.
 */
#include "intake/lmtp_proto.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/str.h"
#include "util/xalloc.h"

enum state { ST_CMD, ST_DATA, ST_WAIT, ST_CLOSED };
enum dot { DOT_NONE, DOT_SEEN, DOT_CR };

struct lmtp_session {
	struct lmtp_proto_config cfg;
	enum state state;
	bool has_lhlo;
	bool has_mail;
	char *env_from;
	struct buf env_to;	/* accepted recipients, comma-separated */
	size_t n_rcpts;
	struct buf line;	/* the command line being read */
	bool is_line_long;	/* sticky: the line went past LMTP_LINE_MAX */
	struct buf msg;		/* DATA after dot-unstuffing, LF line ends */
	bool is_msg_long;	/* sticky: the message went past size_max */
	bool is_bol;		/* DATA: at the beginning of a line */
	bool has_cr;		/* DATA: a CR waiting to see whether LF follows */
	enum dot dot;		/* DATA: a dot at the beginning of the line */
	unsigned errors;
	uint64_t commands;	/* complete command lines read (timeouts) */
	uint64_t data_bytes;	/* bytes read since DATA's 354 (timeouts) */
};

struct lmtp_session *lmtp_session_new(const struct lmtp_proto_config *cfg)
{
	struct lmtp_session *s = xcalloc(1, sizeof(*s));
	s->cfg = *cfg;
	buf_init(&s->env_to, LMTP_RCPTS_MAX * (LMTP_PATH_MAX + 1));
	buf_init(&s->line, LMTP_LINE_MAX);
	buf_init(&s->msg, cfg->size_max);
	return s;
}

static void transaction_reset(struct lmtp_session *s)
{
	s->has_mail = false;
	free(s->env_from);
	s->env_from = NULL;
	buf_reset(&s->env_to);
	s->n_rcpts = 0;
	buf_free(&s->msg);	/* a large message's memory goes back at once */
	s->is_msg_long = false;
}

struct lmtp_session *lmtp_session_free(struct lmtp_session *s)
{
	if (s) {
		transaction_reset(s);
		buf_free(&s->env_to);
		buf_free(&s->line);
		free(s);
	}
	return NULL;
}

static void reply(struct buf *out, int code, const char *enh, const char *text)
{
	buf_printf(out, "%d %s %s\r\n", code, enh, text);
}

void lmtp_session_greet(struct lmtp_session *s, struct buf *out)
{
	buf_printf(out, "220 %s LMTP abusedesk ready\r\n", s->cfg.hostname);
}

void lmtp_session_goodbye(struct lmtp_session *s, bool is_timeout, struct buf *out)
{
	if (is_timeout)
		buf_printf(out, "421 4.4.2 %s timeout, closing\r\n", s->cfg.hostname);
	else
		buf_printf(out, "421 4.3.2 %s shutting down, try again later\r\n", s->cfg.hostname);
	s->state = ST_CLOSED;
}

/* Counts a refused command; past the limit the session ends. */
static void refuse(struct lmtp_session *s, struct buf *out, int code, const char *enh, const char *text)
{
	reply(out, code, enh, text);
	if (++s->errors >= LMTP_ERRORS_MAX) {
		reply(out, 421, "4.7.0", "too many errors, closing");
		s->state = ST_CLOSED;
	}
}

/*
 * Reads "<path>" (RFC 5321 4.1.2) after FROM:/TO:, dropping an old source
 * route ("@a,@b:"). Returns the address (maybe "") or NULL when malformed.
 */
static char *take_path(struct str *args)
{
	str_skip_space(args);	/* "MAIL FROM: <a>" is common enough to accept */
	if (!args->len || args->p[0] != '<')
		return NULL;
	size_t i = 1;
	bool in_quote = false;
	for (; i < args->len; i++) {
		unsigned char c = (unsigned char)args->p[i];
		if (c < 0x20 || c == 0x7f)
			return NULL;
		if (in_quote && c == '\\' && i + 1 < args->len) {
			i++;
			continue;
		}
		if (c == '"')
			in_quote = !in_quote;
		else if (!in_quote && c == '>')
			break;
		else if (!in_quote && c == ' ')
			return NULL;
	}
	if (i >= args->len)
		return NULL;
	struct str path = str_make(args->p + 1, i - 1);
	if (path.len > LMTP_PATH_MAX)
		return NULL;
	if (path.len && path.p[0] == '@') {
		struct str route;
		if (!str_split(&path, ':', &route))
			return NULL;
	}
	str_skip(args, i + 1);
	return str_dup(path);
}

/* ESMTP parameters of MAIL (RFC 5321 4.1.2 Mail-parameters). */
static int mail_params(struct lmtp_session *s, struct str args, struct buf *out)
{
	while (args.len) {
		str_skip_space(&args);
		struct str p;
		str_split(&args, ' ', &p);
		if (!p.len)
			continue;
		if (str_take_lit_nocase(&p, "SIZE=")) {
			uint64_t n;
			if (!str_to_u64(p, UINT64_MAX / 2, &n)) {
				refuse(s, out, 501, "5.5.4", "bad SIZE parameter");
				return -EINVAL;
			}
			if (n > s->cfg.size_max) {
				reply(out, 552, "5.3.4", "message size exceeds our limit");
				return -EMSGSIZE;
			}
		} else if (str_take_lit_nocase(&p, "BODY=")) {
			if (!str_eq_cstr_nocase(p, "7BIT") && !str_eq_cstr_nocase(p, "8BITMIME")) {
				refuse(s, out, 501, "5.5.4", "BODY must be 7BIT or 8BITMIME");
				return -EINVAL;
			}
		} else {
			refuse(s, out, 555, "5.5.4", "unsupported MAIL parameter");
			return -EINVAL;
		}
	}
	return 0;
}

static void cmd_lhlo(struct lmtp_session *s, struct str args, struct buf *out)
{
	if (!str_trim(args).len) {
		refuse(s, out, 501, "5.5.4", "LHLO needs a host name");
		return;
	}
	transaction_reset(s);
	s->has_lhlo = true;
	buf_printf(out,
		   "250-%s\r\n250-PIPELINING\r\n250-SIZE %zu\r\n250-8BITMIME\r\n250 ENHANCEDSTATUSCODES\r\n",
		   s->cfg.hostname, s->cfg.size_max);
}

static void cmd_mail(struct lmtp_session *s, struct str args, struct buf *out)
{
	if (!s->has_lhlo) {
		refuse(s, out, 503, "5.5.1", "say LHLO first");
		return;
	}
	if (s->has_mail) {
		refuse(s, out, 503, "5.5.1", "nested MAIL command");
		return;
	}
	if (!str_take_lit_nocase(&args, "FROM:")) {
		refuse(s, out, 501, "5.5.4", "syntax: MAIL FROM:<address>");
		return;
	}
	char *path = take_path(&args);
	if (!path) {
		refuse(s, out, 501, "5.1.7", "bad sender address syntax");
		return;
	}
	if (mail_params(s, args, out) < 0) {
		free(path);
		return;
	}
	if (!*path) {
		free(path);
		path = xstrdup("<>");
	}
	s->env_from = path;
	s->has_mail = true;
	reply(out, 250, "2.1.0", "sender ok");
}

static void cmd_rcpt(struct lmtp_session *s, struct str args, struct buf *out)
{
	if (!s->has_mail) {
		refuse(s, out, 503, "5.5.1", "need MAIL before RCPT");
		return;
	}
	if (!str_take_lit_nocase(&args, "TO:")) {
		refuse(s, out, 501, "5.5.4", "syntax: RCPT TO:<address>");
		return;
	}
	char *path = take_path(&args);
	if (!path || !*path) {
		free(path);
		refuse(s, out, 501, "5.1.3", "bad recipient address syntax");
		return;
	}
	if (str_trim(args).len) {
		free(path);
		refuse(s, out, 555, "5.5.4", "unsupported RCPT parameter");
		return;
	}
	if (s->n_rcpts >= LMTP_RCPTS_MAX) {
		free(path);
		reply(out, 452, "4.5.3", "too many recipients");
		return;
	}
	if (s->cfg.rcpt_ok && !s->cfg.rcpt_ok(s->cfg.user, path)) {
		free(path);
		reply(out, 550, "5.1.1", "no such mailbox here");
		return;
	}
	if (s->env_to.len)
		buf_append_char(&s->env_to, ',');
	buf_append_str(&s->env_to, path);
	s->n_rcpts++;
	free(path);
	reply(out, 250, "2.1.5", "recipient ok");
}

static void cmd_data(struct lmtp_session *s, struct str args, struct buf *out)
{
	if (!s->has_mail) {
		refuse(s, out, 503, "5.5.1", "need MAIL before DATA");
		return;
	}
	if (!s->n_rcpts) {
		/* RFC 2033 4.2: no successful RCPT, no DATA. */
		refuse(s, out, 503, "5.5.1", "no valid recipients");
		return;
	}
	if (str_trim(args).len) {
		refuse(s, out, 501, "5.5.4", "DATA takes no arguments");
		return;
	}
	buf_init(&s->msg, s->cfg.size_max);
	s->is_msg_long = false;
	s->is_bol = true;
	s->has_cr = false;
	s->dot = DOT_NONE;
	s->data_bytes = 0;
	s->state = ST_DATA;
	reply(out, 354, "2.0.0", "go ahead, end with <CR><LF>.<CR><LF>");
}

static void command(struct lmtp_session *s, struct str line, struct buf *out)
{
	if (memchr(line.p, '\0', line.len)) {
		refuse(s, out, 500, "5.5.2", "NUL byte in command");
		return;
	}
	struct str verb;
	struct str args = line;
	str_split(&args, ' ', &verb);
	if (str_eq_cstr_nocase(verb, "LHLO"))
		cmd_lhlo(s, args, out);
	else if (str_eq_cstr_nocase(verb, "MAIL"))
		cmd_mail(s, args, out);
	else if (str_eq_cstr_nocase(verb, "RCPT"))
		cmd_rcpt(s, args, out);
	else if (str_eq_cstr_nocase(verb, "DATA"))
		cmd_data(s, args, out);
	else if (str_eq_cstr_nocase(verb, "RSET")) {
		transaction_reset(s);
		reply(out, 250, "2.0.0", "reset");
	} else if (str_eq_cstr_nocase(verb, "NOOP"))
		reply(out, 250, "2.0.0", "ok");
	else if (str_eq_cstr_nocase(verb, "QUIT")) {
		buf_printf(out, "221 2.0.0 %s closing\r\n", s->cfg.hostname);
		s->state = ST_CLOSED;
	} else if (str_eq_cstr_nocase(verb, "VRFY"))
		reply(out, 252, "2.5.2", "cannot verify, send some mail");
	else if (str_eq_cstr_nocase(verb, "HELP"))
		reply(out, 214, "2.0.0", "LHLO MAIL RCPT DATA RSET NOOP QUIT");
	else if (str_eq_cstr_nocase(verb, "HELO") || str_eq_cstr_nocase(verb, "EHLO"))
		refuse(s, out, 500, "5.5.1", "this is LMTP: say LHLO (RFC 2033)");
	else
		refuse(s, out, 500, "5.5.2", "command not recognised");
}

static void msg_append(struct lmtp_session *s, const char *p, size_t n)
{
	if (s->is_msg_long || !n)
		return;
	if (buf_append(&s->msg, p, n) < 0) {
		/* Keep reading, answer once: the rest of DATA is discarded. */
		s->is_msg_long = true;
		buf_free(&s->msg);
	}
}

/* The final dot arrived. Returns true when a message waits for commit. */
static bool data_end(struct lmtp_session *s, struct buf *out)
{
	if (s->is_msg_long) {
		for (size_t i = 0; i < s->n_rcpts; i++)
			reply(out, 552, "5.3.4", "message size exceeds our limit");
		transaction_reset(s);
		s->state = ST_CMD;
		return false;
	}
	if (!s->msg.p)
		buf_append(&s->msg, "", 0);	/* an empty message is still a message */
	s->state = ST_WAIT;
	return true;
}

/*
 * DATA bytes (RFC 5321 4.1.1.4, 4.5.2): a line "." ends the message, a
 * leading dot on any other line is removed, CR LF becomes LF. A bare LF
 * is taken as a line end too (Postfix does the same).
 */
static size_t data_feed(struct lmtp_session *s, const char *p, size_t n, bool *ret_end, struct buf *out)
{
	size_t i = 0;
	*ret_end = false;
	while (i < n) {
		char c = p[i];
		if (s->dot == DOT_SEEN) {
			if (c == '\r') {
				s->dot = DOT_CR;
				i++;
				continue;
			}
			s->dot = DOT_NONE;
			if (c == '\n') {
				i++;
				*ret_end = data_end(s, out);
				return i;
			}
			s->is_bol = false;	/* the stuffed dot is dropped */
		} else if (s->dot == DOT_CR) {
			s->dot = DOT_NONE;
			if (c == '\n') {
				i++;
				*ret_end = data_end(s, out);
				return i;
			}
			s->is_bol = false;
			s->has_cr = true;	/* ".\rX": the dot goes, the CR stays pending */
		}
		if (s->has_cr) {
			s->has_cr = false;
			if (c == '\n') {
				msg_append(s, "\n", 1);
				s->is_bol = true;
				i++;
				continue;
			}
			msg_append(s, "\r", 1);
			s->is_bol = false;
		}
		if (s->is_bol && c == '.') {
			s->dot = DOT_SEEN;
			s->is_bol = false;
			i++;
			continue;
		}
		if (c == '\r') {
			s->has_cr = true;
			i++;
			continue;
		}
		if (c == '\n') {
			msg_append(s, "\n", 1);
			s->is_bol = true;
			i++;
			continue;
		}
		/* A run of ordinary bytes goes in at once. */
		size_t j = i + 1;
		while (j < n && p[j] != '\r' && p[j] != '\n')
			j++;
		msg_append(s, p + i, j - i);
		s->is_bol = false;
		i = j;
	}
	return i;
}

enum lmtp_event lmtp_session_feed(struct lmtp_session *s, const char *p, size_t n, size_t *ret_consumed,
				  struct buf *out)
{
	size_t i = 0;
	enum lmtp_event ev = LMTP_EVENT_NONE;
	while (i < n && ev == LMTP_EVENT_NONE) {
		if (s->state == ST_CLOSED || s->state == ST_WAIT)
			break;
		if (s->state == ST_DATA) {
			bool is_end;
			size_t used = data_feed(s, p + i, n - i, &is_end, out);
			s->data_bytes += used;
			i += used;
			if (is_end)
				ev = LMTP_EVENT_MESSAGE;
			continue;
		}
		const char *lf = memchr(p + i, '\n', n - i);
		size_t chunk = lf ? (size_t)(lf - (p + i)) : n - i;
		if (!s->is_line_long && buf_append(&s->line, p + i, chunk) < 0) {
			s->is_line_long = true;
			buf_reset(&s->line);
		}
		i += chunk;
		if (!lf)
			break;
		i++;	/* the LF */
		s->commands++;
		if (s->is_line_long) {
			s->is_line_long = false;
			refuse(s, out, 500, "5.5.6", "command line too long");
		} else {
			struct str line = str_make(s->line.p ? s->line.p : "", s->line.len);
			if (line.len && line.p[line.len - 1] == '\r')
				line.len--;
			command(s, line, out);
		}
		buf_reset(&s->line);
	}
	if (s->state == ST_CLOSED)
		ev = LMTP_EVENT_CLOSE;
	else if (s->state == ST_WAIT)
		ev = LMTP_EVENT_MESSAGE;
	*ret_consumed = i;
	return ev;
}

const struct buf *lmtp_session_message(const struct lmtp_session *s)
{
	return &s->msg;
}

const char *lmtp_session_env_from(const struct lmtp_session *s)
{
	return s->env_from ? s->env_from : "<>";
}

const char *lmtp_session_env_to(const struct lmtp_session *s)
{
	return buf_str(&s->env_to);
}

size_t lmtp_session_rcpt_count(const struct lmtp_session *s)
{
	return s->n_rcpts;
}

void lmtp_session_message_done(struct lmtp_session *s, int r, long long queue_id, struct buf *out)
{
	if (s->state != ST_WAIT)
		return;
	for (size_t i = 0; i < s->n_rcpts; i++) {
		if (r >= 0)
			buf_printf(out, "250 2.0.0 queued as %lld\r\n", queue_id);
		else if (r == -EMSGSIZE)
			reply(out, 552, "5.3.4", "message size exceeds our limit");
		else
			/* Store first, then yes: without a commit the MTA keeps it. */
			reply(out, 451, "4.3.0", "cannot store the message now, try again later");
	}
	transaction_reset(s);
	s->state = ST_CMD;
}

bool lmtp_session_is_idle(const struct lmtp_session *s)
{
	return s->state == ST_CMD && !s->has_mail && !s->line.len && !s->is_line_long;
}

uint64_t lmtp_session_commands(const struct lmtp_session *s)
{
	return s->commands;
}

bool lmtp_session_data_progress(const struct lmtp_session *s, uint64_t *ret_bytes)
{
	if (s->state != ST_DATA)
		return false;
	*ret_bytes = s->data_bytes;
	return true;
}
