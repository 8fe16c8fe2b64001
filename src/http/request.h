/*
 * request: what a handler sees of an HTTP request and what it answers,
 * without libmicrohttpd's types (server.c converts both ways), so the
 * handlers read as plain functions over plain structs.
 *
 * Every string in struct http_req is owned by the server for the life of
 * the request. A handler fills struct http_resp; http_resp_* helpers set a
 * status with a JSON body. Errors map to statuses in one place,
 * http_status_for() (docs/ERRORS.md -> HTTP).
 */
#pragma once
#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "pipeline/templates.h"
#include "store/store.h"
#include "util/buf.h"

#define HTTP_ARGS_MAX 32		/* query parameters read; more are ignored */
#define HTTP_HEADER_BYTES_MAX (32 * 1024)	/* request line + headers (431 past it) */
#define HTTP_RESPONSE_MAX (64 * 1024 * 1024)	/* a generated body */
#define HTTP_SESSION_COOKIE "abusedesk_session"

struct http_arg {
	const char *name;
	const char *value;
};

struct http_ctx;

struct http_req {
	const char *method;
	const char *path;
	struct http_arg args[HTTP_ARGS_MAX];
	size_t n_args;
	const char *cookie;		/* value of the session cookie, or NULL */
	const char *authorization;
	const char *csrf;		/* X-CSRF-Token */
	const char *content_type;
	const char *origin;		/* Origin, or NULL */
	char client_ip[64];
	const char *body;
	size_t body_len;
	struct http_ctx *ctx;
	struct store *store;
	/* Filled by auth once the caller is known. */
	bool is_authed;
	bool by_token;			/* Bearer: no cookie, no CSRF needed */
	struct desk_user user;
	char *session_csrf;
};

struct http_resp {
	int status;
	const char *content_type;
	struct buf body;
	const void *fixed;		/* static bytes instead of body (embedded files) */
	size_t fixed_len;
	char *set_cookie;
	char *disposition;		/* Content-Disposition */
	bool is_cacheable;		/* embedded static files */
	const char *retry_after;
};

/* What every thread shares; read-only after start except where noted. */
struct http_ctx {
	const struct config *cfg;
	struct templates tpl;
	struct http_limiter *limiter;	/* has its own lock */
	char *dummy_hash;		/* checked for unknown names, to take as long */
	/* Who is responsible for an address (routing/index.h), built on first
	 * use and rebuilt when an import changed the data; one request at a
	 * time looks it up. */
	pthread_mutex_t routing_lock;
	struct routing_index *routing;
};

const char *http_arg(const struct http_req *req, const char *name);
/* -errno -> HTTP status (docs/ERRORS.md). */
int http_status_for(int r);
void http_resp_json(struct http_resp *resp, int status, json_t *j);	/* steals j */
void http_resp_error(struct http_resp *resp, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void http_resp_text(struct http_resp *resp, int status, const char *content_type, const char *text);
/* Parses the body as a JSON object: 400 with the parser's words otherwise
 * (and 415 when the Content-Type is not application/json). */
json_t *http_req_json(const struct http_req *req, struct http_resp *resp);

/* The router: every request goes through here (route.c). */
void http_route(struct http_req *req, struct http_resp *resp);
