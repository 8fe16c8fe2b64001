/* Apache httpd and nginx access logs, Common and Combined Log Format
 * (Apache mod_log_config "%h %l %u %t \"%r\" %>s %b[ \"%{Referer}i\"
 * \"%{User-agent}i\"]"; nginx's default "combined" is the same), with an
 * optional leading virtual host ("vhost_combined": "%v:%p %h ..."). */
#include "evidence/logfmt/formats.h"
#include "evidence/logfmt/lfutil.h"

bool logfmt_access_parse(const struct logfmt_ctx *ctx, struct logfmt_stream *st, struct str line, struct event *ret)
{
	(void)st;
	long br = LFUTIL_FIND(line, " [");
	if (br < 0 || br > 300)
		return false;
	struct str c = line;
	struct event e;
	lfutil_event_init(&e, line, "apache");
	/* %h: the client; with a vhost first, the client is the second token. */
	struct str tok = lfutil_token(c, " ");
	if (!lfutil_ip(tok, &e.src)) {
		str_skip(&c, tok.len + 1);
		tok = lfutil_token(c, " ");
		if (!lfutil_ip(tok, &e.src))
			return false;
	}
	str_skip(&c, tok.len);
	/* " %l %u [" */
	for (int i = 0; i < 2; i++) {
		if (!str_take_lit(&c, " "))
			return false;
		str_skip(&c, lfutil_token(c, " ").len);
	}
	if (!str_take_lit(&c, " ") || !c.len || c.p[0] != '[')
		return false;
	if (!lfutil_take_time(ctx, &c, &e))
		return false;
	if (!str_take_lit(&c, " \""))
		return false;
	struct str req = lfutil_token(c, "\"");
	str_skip(&c, req.len);
	if (!str_take_lit(&c, "\" "))
		return false;
	uint64_t status;
	if (!str_take_u64(&c, 999, &status))
		return false;
	e.kind = EVENT_HTTP_REQUEST;
	e.proto = EVENT_PROTO_TCP;
	e.service = "http";
	*ret = e;
	return true;
}
