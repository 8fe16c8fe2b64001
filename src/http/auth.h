/*
 * auth: who is asking, and may they.
 *
 * A caller is known by a session cookie (set by POST /api/login, random,
 * HttpOnly, SameSite=Strict, Secure with http.secure_cookies; the store
 * keeps its hash and expiry) or by an API token (Authorization: Bearer).
 * A state-changing request with a cookie must carry the session's CSRF
 * token in X-CSRF-Token; a Bearer request carries no ambient authority and
 * needs none.
 *
 * Password guessing is slowed twice: per address (http.logins_per_minute,
 * 429 past it; HTTP_LIMITER_SLOTS addresses tracked, the oldest forgotten)
 * and per account (after AUTH_FAILURES_FREE failures the account is locked
 * for AUTH_LOCK_BASE_SECONDS, doubling per failure up to AUTH_LOCK_MAX_SECONDS).
 */
#pragma once
#include <stdbool.h>

#include "http/request.h"

#define HTTP_LIMITER_SLOTS 4096
#define AUTH_FAILURES_FREE 5
#define AUTH_LOCK_BASE_SECONDS 30
#define AUTH_LOCK_MAX_SECONDS 3600
#define AUTH_NAME_MAX 64

struct http_limiter *http_limiter_new(void);
void http_limiter_free(struct http_limiter *l);
/* Counts an attempt from ip; false when over the per-minute limit. */
bool http_limiter_allow(struct http_limiter *l, const char *ip, int64_t now, int64_t per_minute);

/* Identifies the caller from cookie or token; false (with resp set to 401)
 * when there is none or it is not valid. */
bool auth_identify(struct http_req *req, struct http_resp *resp);
/* For state-changing requests: false (resp 403) without the right CSRF token. */
bool auth_check_csrf(struct http_req *req, struct http_resp *resp);
/* false (resp 403) unless the caller is an admin. */
bool auth_require_admin(struct http_req *req, struct http_resp *resp);

void auth_login(struct http_req *req, struct http_resp *resp);
/* These two expect a caller already identified (and, for logout, the
 * CSRF token checked) by the router. */
void auth_logout(struct http_req *req, struct http_resp *resp);
void auth_session(struct http_req *req, struct http_resp *resp);
