/*
 * route: the one table of paths. Everything under /api/ except login
 * needs a caller (auth_identify); every POST also needs the CSRF token
 * (auth_check_csrf). Static files are the web/ folder built into the
 * binary, served as they are.
 */
#include <string.h>

#include "http/auth.h"
#include "http/handlers.h"
#include "util/embedded.h"
#include "util/str.h"

#define ROUTE_SEGMENTS_MAX 8

static const char *mime_of(const char *name)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{ ".html", "text/html; charset=utf-8" }, { ".css", "text/css; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" }, { ".svg", "image/svg+xml" },
		{ ".ico", "image/x-icon" },
	};
	const char *dot = strrchr(name, '.');
	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(dot, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

static void serve_static(struct http_resp *resp, const char *name)
{
	char key[128];
	if (strlen(name) > 100 || strstr(name, "..")) {
		http_resp_error(resp, 404, "no such file");
		return;
	}
	snprintf(key, sizeof(key), "web/%s", name);
	const struct embedded_file *f = embedded_find(key);
	if (!f) {
		http_resp_error(resp, 404, "no such file");
		return;
	}
	resp->status = 200;
	resp->content_type = mime_of(name);
	resp->fixed = f->data;
	resp->fixed_len = f->len;
	resp->is_cacheable = strcmp(name, "index.html") != 0;
}

static bool seg_num(struct str s, int64_t *ret)
{
	uint64_t v;
	if (!str_to_u64(s, INT64_MAX, &v) || v == 0)
		return false;
	*ret = (int64_t)v;
	return true;
}

static bool seg_is(struct str s, const char *lit)
{
	return s.len == strlen(lit) && !memcmp(s.p, lit, s.len);
}

void http_route(struct http_req *req, struct http_resp *resp)
{
	bool get = !strcmp(req->method, "GET") || !strcmp(req->method, "HEAD");
	bool post = !strcmp(req->method, "POST");
	const char *path = req->path;
	if (get && (!strcmp(path, "/") || !strcmp(path, "/index.html")))
		return serve_static(resp, "index.html");
	if (get && !strncmp(path, "/static/", 8))
		return serve_static(resp, path + 8);
	if (get && !strcmp(path, "/favicon.ico"))
		return http_resp_text(resp, 204, "image/x-icon", "");
	if (get && !strcmp(path, "/healthz"))
		return http_resp_text(resp, 200, "text/plain; charset=utf-8", "ok\n");
	if (get && !strcmp(path, "/metrics"))
		return api_metrics(req, resp);
	if (strncmp(path, "/api/", 5) != 0) {
		http_resp_error(resp, 404, "no such page");
		return;
	}
	if (!get && !post) {
		http_resp_error(resp, 405, "only GET and POST");
		return;
	}

	struct str seg[ROUTE_SEGMENTS_MAX];
	size_t n = 0;
	struct str rest = str_from(path + 5);
	while (rest.len && n < ROUTE_SEGMENTS_MAX) {
		struct str head;
		str_split(&rest, '/', &head);
		seg[n++] = head;
	}
	if (rest.len || n == 0) {
		http_resp_error(resp, 404, "no such endpoint");
		return;
	}
	if (n == 1 && seg_is(seg[0], "login")) {
		if (!post)
			return http_resp_error(resp, 405, "POST your name and password");
		return auth_login(req, resp);
	}
	if (n == 1 && seg_is(seg[0], "session") && get) {
		/* The UI asks at start whether it has a session: "no" is an
		 * answer, not an error. */
		if (!auth_identify(req, resp))
			return http_resp_json(resp, 200, json_pack("{s:n}", "user"));
		return auth_session(req, resp);
	}
	if (!auth_identify(req, resp))
		return;
	if (post && !auth_check_csrf(req, resp))
		return;

	int64_t id, part;
	if (n == 1 && seg_is(seg[0], "logout") && post)
		return auth_logout(req, resp);
	if (n == 1 && seg_is(seg[0], "tickets") && get)
		return api_ticket_list(req, resp);
	if (n == 1 && seg_is(seg[0], "counts") && get)
		return api_counts(req, resp);
	if (n >= 2 && seg_is(seg[0], "tickets") && seg_num(seg[1], &id)) {
		if (n == 2 && get)
			return api_ticket_get(req, resp, id);
		if (n == 3 && post && seg_is(seg[2], "reply"))
			return api_ticket_reply(req, resp, id);
		if (n == 3 && post && seg_is(seg[2], "status"))
			return api_ticket_status(req, resp, id);
		if (n == 3 && post && seg_is(seg[2], "merge"))
			return api_ticket_merge(req, resp, id);
		if (n == 3 && post && seg_is(seg[2], "classification"))
			return api_ticket_classification(req, resp, id);
		if (n == 3 && post && seg_is(seg[2], "link"))
			return api_ticket_link(req, resp, id);
		if (n == 3 && get && seg_is(seg[2], "draft"))
			return api_ticket_draft(req, resp, id);
		if (n == 3 && post && seg_is(seg[2], "write"))
			return api_ticket_write(req, resp, id);
	}
	if (n >= 3 && get && seg_is(seg[0], "messages") && seg_num(seg[1], &id)) {
		if (n == 3 && seg_is(seg[2], "raw"))
			return api_message_raw(req, resp, id);
		if (n == 4 && seg_is(seg[2], "parts") && seg_num(seg[3], &part))
			return api_message_part(req, resp, id, part - 1);
	}
	if (n == 1 && seg_is(seg[0], "outbox") && get)
		return api_outbox_list(req, resp);
	if (n == 2 && get && seg_is(seg[0], "outbox") && seg_num(seg[1], &id))
		return api_outbox_get(req, resp, id);
	if (n == 3 && post && seg_is(seg[0], "outbox") && seg_num(seg[1], &id)) {
		if (seg_is(seg[2], "edit"))
			return api_outbox_edit(req, resp, id);
		if (seg_is(seg[2], "approve"))
			return api_outbox_decide(req, resp, id, true);
		if (seg_is(seg[2], "discard"))
			return api_outbox_decide(req, resp, id, false);
	}
	if (n == 1 && seg_is(seg[0], "overview") && get)
		return api_overview(req, resp);
	if (n == 2 && seg_is(seg[0], "overview") && get) {
		char name[32];
		snprintf(name, sizeof(name), "%.*s", (int)(seg[1].len < 31 ? seg[1].len : 31), seg[1].p);
		return api_overview_svg(req, resp, name);
	}
	if (n == 1 && seg_is(seg[0], "users")) {
		if (!auth_require_admin(req, resp))
			return;
		return get ? api_user_list(req, resp) : api_user_add(req, resp);
	}
	if (n == 1 && seg_is(seg[0], "constituency") && post) {
		if (!auth_require_admin(req, resp))
			return;
		return api_constituency_import(req, resp);
	}
	if (n == 1 && seg_is(seg[0], "audit") && get) {
		if (!auth_require_admin(req, resp))
			return;
		return api_audit_desk(req, resp);
	}
	if (n == 1 && seg_is(seg[0], "tokens") && post)
		return api_token_add(req, resp);
	http_resp_error(resp, 404, "no such endpoint");
}
