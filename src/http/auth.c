#include "http/auth.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/secret.h"
#include "util/xalloc.h"

struct limiter_slot {
	char ip[64];
	int64_t minute;
	int64_t count;
};

struct http_limiter {
	pthread_mutex_t lock;
	struct limiter_slot slot[HTTP_LIMITER_SLOTS];
};

struct http_limiter *http_limiter_new(void)
{
	struct http_limiter *l = xcalloc(1, sizeof(*l));
	pthread_mutex_init(&l->lock, NULL);
	return l;
}

void http_limiter_free(struct http_limiter *l)
{
	if (l) {
		pthread_mutex_destroy(&l->lock);
		free(l);
	}
}

bool http_limiter_allow(struct http_limiter *l, const char *ip, int64_t now, int64_t per_minute)
{
	int64_t minute = now / 60;
	pthread_mutex_lock(&l->lock);
	struct limiter_slot *s = NULL, *oldest = &l->slot[0];
	for (size_t i = 0; i < HTTP_LIMITER_SLOTS; i++) {
		if (!strcmp(l->slot[i].ip, ip)) {
			s = &l->slot[i];
			break;
		}
		if (l->slot[i].minute < oldest->minute)
			oldest = &l->slot[i];
	}
	if (!s) {
		s = oldest;
		snprintf(s->ip, sizeof(s->ip), "%s", ip);
		s->count = 0;
		s->minute = minute;
	}
	if (s->minute != minute) {
		s->minute = minute;
		s->count = 0;
	}
	bool ok = ++s->count <= per_minute;
	pthread_mutex_unlock(&l->lock);
	return ok;
}

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

bool auth_identify(struct http_req *req, struct http_resp *resp)
{
	char hash[SECRET_HEX_LEN + 1];
	int64_t uid = 0;
	int r = -ENOENT;
	const char *a = req->authorization;
	if (a && !strncmp(a, "Bearer ", 7)) {
		secret_hash_hex(a + 7, hash);
		r = store_token_get(req->store, hash, &uid);
		req->by_token = r == 0;
	} else if (req->cookie && strlen(req->cookie) == SECRET_HEX_LEN) {
		secret_hash_hex(req->cookie, hash);
		r = store_session_get(req->store, hash, now_s(), &uid, &req->session_csrf);
	}
	if (r == 0)
		r = store_user_get_id(req->store, uid, &req->user);
	if (r < 0) {
		if (r == -ENOENT)
			http_resp_error(resp, 401, "log in first (session missing or expired, or unknown token)");
		else
			http_resp_error(resp, http_status_for(r), "cannot check the session: %s", store_errmsg(req->store));
		return false;
	}
	req->is_authed = true;
	return true;
}

bool auth_check_csrf(struct http_req *req, struct http_resp *resp)
{
	if (req->by_token)
		return true;
	if (!req->session_csrf || !req->csrf || !secret_equal(req->session_csrf, req->csrf)) {
		http_resp_error(resp, 403, "missing or wrong X-CSRF-Token");
		return false;
	}
	return true;
}

bool auth_require_admin(struct http_req *req, struct http_resp *resp)
{
	if (req->user.role != USER_ADMIN) {
		http_resp_error(resp, 403, "only an admin may do this");
		return false;
	}
	return true;
}

static json_t *session_json(const struct desk_user *u, const char *csrf)
{
	return json_pack("{s:s, s:s, s:s?}", "user", u->name, "role", user_role_name(u->role), "csrf", csrf);
}

static int64_t lock_seconds(int64_t failures)
{
	if (failures < AUTH_FAILURES_FREE)
		return 0;
	int64_t s = AUTH_LOCK_BASE_SECONDS;
	for (int64_t i = AUTH_FAILURES_FREE; i < failures && s < AUTH_LOCK_MAX_SECONDS; i++)
		s *= 2;
	return s < AUTH_LOCK_MAX_SECONDS ? s : AUTH_LOCK_MAX_SECONDS;
}

void auth_login(struct http_req *req, struct http_resp *resp)
{
	const struct config *cfg = req->ctx->cfg;
	int64_t now = now_s();
	if (!http_limiter_allow(req->ctx->limiter, req->client_ip, now, cfg->http_logins_per_minute)) {
		resp->retry_after = "60";
		http_resp_error(resp, 429, "too many login attempts from this address; wait a minute");
		return;
	}
	json_t *j = http_req_json(req, resp);
	if (!j)
		return;
	const char *name = json_string_value(json_object_get(j, "name"));
	const char *pw = json_string_value(json_object_get(j, "password"));
	if (!name || !pw || !*name || strlen(name) > AUTH_NAME_MAX) {
		http_resp_error(resp, 400, "expected {\"name\": \"...\", \"password\": \"...\"}");
		json_decref(j);
		return;
	}
	struct desk_user u = { 0 };
	int r = store_user_get(req->store, name, &u);
	if (r == 0 && u.locked_until > now) {
		char *ra = xasprintf("%lld", (long long)(u.locked_until - now));
		http_resp_error(resp, 429, "too many failed logins for this account; try again in %s s", ra);
		free(ra);
		desk_user_clear(&u);
		json_decref(j);
		return;
	}
	/* An unknown name costs the same as a wrong password. */
	bool ok = secret_password_verify(r == 0 ? u.pw_hash : req->ctx->dummy_hash, pw) && r == 0;
	json_decref(j);
	if (!ok) {
		if (r == 0)
			store_user_login_failed(req->store, u.id, now + lock_seconds(u.failures + 1));
		desk_user_clear(&u);
		http_resp_error(resp, 401, "wrong name or password");
		return;
	}
	char token[SECRET_HEX_LEN + 1], hash[SECRET_HEX_LEN + 1], csrf[SECRET_HEX_LEN + 1];
	secret_random_hex(token);
	secret_random_hex(csrf);
	secret_hash_hex(token, hash);
	store_session_expire(req->store, now);
	r = store_user_login_ok(req->store, u.id);
	if (r >= 0)
		r = store_session_add(req->store, hash, u.id, csrf, now, now + cfg->http_session_seconds);
	if (r < 0) {
		http_resp_error(resp, http_status_for(r), "cannot open a session: %s", store_errmsg(req->store));
		desk_user_clear(&u);
		return;
	}
	resp->set_cookie = xasprintf("%s=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Strict%s", HTTP_SESSION_COOKIE,
				     token, (long long)cfg->http_session_seconds,
				     cfg->http_secure_cookies ? "; Secure" : "");
	http_resp_json(resp, 200, session_json(&u, csrf));
	desk_user_clear(&u);
}

void auth_logout(struct http_req *req, struct http_resp *resp)
{
	if (req->cookie) {
		char hash[SECRET_HEX_LEN + 1];
		secret_hash_hex(req->cookie, hash);
		store_session_delete(req->store, hash);
	}
	resp->set_cookie = xasprintf("%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict%s", HTTP_SESSION_COOKIE,
				     req->ctx->cfg->http_secure_cookies ? "; Secure" : "");
	http_resp_json(resp, 200, json_pack("{s:b}", "ok", 1));
}

void auth_session(struct http_req *req, struct http_resp *resp)
{
	http_resp_json(resp, 200, session_json(&req->user, req->session_csrf));
}
