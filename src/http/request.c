#include "http/request.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>

#include "util/xalloc.h"

const char *http_arg(const struct http_req *req, const char *name)
{
	for (size_t i = 0; i < req->n_args; i++)
		if (!strcmp(req->args[i].name, name))
			return req->args[i].value;
	return NULL;
}

int http_status_for(int r)
{
	switch (-r) {
	case 0: return 200;
	case EINVAL:
	case EBADMSG: return 400;
	case EACCES: return 403;
	case ENOENT: return 404;
	case EEXIST: return 409;
	case EMSGSIZE: return 413;
	case EAGAIN:
	case ENOSPC:
	case EIO: return 503;
	default: return 500;
	}
}

void http_resp_json(struct http_resp *resp, int status, json_t *j)
{
	resp->status = status;
	resp->content_type = "application/json";
	buf_reset(&resp->body);
	/* ASCII only: every non-ASCII character and every <, >, & in a
	 * stranger's text leaves as \uXXXX, so no sniffing turns it into HTML. */
	char *s = j ? json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_ESCAPE_SLASH) : NULL;
	buf_append_str(&resp->body, s ? s : "null");
	free(s);
	json_decref(j);
}

void http_resp_error(struct http_resp *resp, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	http_resp_json(resp, status, json_pack("{s:s, s:i}", "error", msg ? msg : "error", "status", status));
	free(msg);
}

void http_resp_text(struct http_resp *resp, int status, const char *content_type, const char *text)
{
	resp->status = status;
	resp->content_type = content_type;
	buf_reset(&resp->body);
	buf_append_str(&resp->body, text);
}

json_t *http_req_json(const struct http_req *req, struct http_resp *resp)
{
	if (!req->content_type || strncasecmp(req->content_type, "application/json", 16) != 0) {
		http_resp_error(resp, 415, "send the body as Content-Type: application/json");
		return NULL;
	}
	json_error_t e;
	json_t *j = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &e);
	if (!j) {
		http_resp_error(resp, 400, "bad JSON at line %d column %d: %s", e.line, e.column, e.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		http_resp_error(resp, 400, "bad JSON: expected an object");
		return NULL;
	}
	return j;
}
