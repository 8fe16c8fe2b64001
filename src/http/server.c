/*
 * server: libmicrohttpd's only user. Turns a connection's request into a
 * struct http_req, runs the router, and sends the struct http_resp back
 * with the security headers every answer carries.
 *
 * Limits: the body is read up to http.body_max (413 after reading no more),
 * request line and headers fit in HTTP_HEADER_BYTES_MAX of connection
 * memory (libmicrohttpd answers 431 past it), http.connections_max
 * connections at once, idle connections dropped after HTTP_IDLE_SECONDS.
 */
#include "http/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "http/auth.h"
#include "http/pool.h"
#include "http/request.h"
#include "routing/index.h"
#include "util/secret.h"
#include "util/str.h"
#include "util/xalloc.h"

#define HTTP_IDLE_SECONDS 60

struct http_server {
	struct MHD_Daemon *d;
	struct http_ctx ctx;
	struct store_pool *pool;
	uint16_t port;
	struct sockaddr_in addr;
};

struct conn_state {
	struct buf body;
	bool is_too_big;
	bool is_started;
};

/* The headers every answer carries. The UI is same-origin files only: no
 * inline script or style, no framing, no sniffing, no referrer. */
static void add_security_headers(struct MHD_Response *r)
{
	MHD_add_response_header(r, "Content-Security-Policy",
				"default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; "
				"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
}

static enum MHD_Result send_resp(struct MHD_Connection *conn, struct http_resp *resp)
{
	struct MHD_Response *r;
	if (resp->fixed) {
		r = MHD_create_response_from_buffer(resp->fixed_len, (void *)resp->fixed, MHD_RESPMEM_PERSISTENT);
	} else {
		size_t len = resp->body.len;
		char *p = buf_steal(&resp->body);
		r = MHD_create_response_from_buffer(len, p, MHD_RESPMEM_MUST_FREE);
	}
	if (!r)
		return MHD_NO;
	add_security_headers(r);
	MHD_add_response_header(r, "Content-Type", resp->content_type ? resp->content_type : "application/json");
	MHD_add_response_header(r, "Cache-Control", resp->is_cacheable ? "private, max-age=300" : "no-store");
	if (resp->set_cookie)
		MHD_add_response_header(r, "Set-Cookie", resp->set_cookie);
	if (resp->disposition)
		MHD_add_response_header(r, "Content-Disposition", resp->disposition);
	if (resp->retry_after)
		MHD_add_response_header(r, "Retry-After", resp->retry_after);
	enum MHD_Result ret = MHD_queue_response(conn, (unsigned)resp->status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	struct http_req *req = cls;
	if (req->n_args >= HTTP_ARGS_MAX)
		return MHD_NO;
	req->args[req->n_args++] = (struct http_arg){ key, value ? value : "" };
	return MHD_YES;
}

static void client_ip(struct MHD_Connection *conn, char *out, size_t n)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(out, n, "?");
	if (!ci || !ci->client_addr)
		return;
	if (ci->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, out, (socklen_t)n);
	else if (ci->client_addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr, out, (socklen_t)n);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	(void)version;
	struct http_server *srv = cls;
	struct conn_state *st = *con_cls;
	if (!st) {
		st = xcalloc(1, sizeof(*st));
		buf_init(&st->body, (size_t)srv->ctx.cfg->http_body_max);
		*con_cls = st;
		/* Never trust a declared size, but refuse a declared excess at once. */
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
		uint64_t n;
		if (cl && cstr_to_u64(cl, UINT64_MAX, &n) && n > (uint64_t)srv->ctx.cfg->http_body_max) {
			/* Answered before the body is read; libmicrohttpd then
			 * closes the connection instead of reading it. */
			struct http_resp resp = { .status = 413 };
			buf_init(&resp.body, HTTP_RESPONSE_MAX);
			http_resp_error(&resp, 413, "the request body is over http.body_max (%lld bytes)",
					(long long)srv->ctx.cfg->http_body_max);
			enum MHD_Result ret = send_resp(conn, &resp);
			buf_free(&resp.body);
			return ret;
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (!st->is_too_big && buf_append(&st->body, upload_data, *upload_data_size) < 0)
			st->is_too_big = true;
		*upload_data_size = 0;	/* keep reading, answer once at the end */
		return MHD_YES;
	}
	struct http_resp resp = { .status = 500 };
	buf_init(&resp.body, HTTP_RESPONSE_MAX);
	if (st->is_too_big) {
		http_resp_error(&resp, 413, "the request body is over http.body_max (%lld bytes)",
				(long long)srv->ctx.cfg->http_body_max);
		enum MHD_Result ret = send_resp(conn, &resp);
		buf_free(&resp.body);
		return ret;
	}
	struct http_req req = { .method = method, .path = url, .ctx = &srv->ctx };
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg, &req);
	req.cookie = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, HTTP_SESSION_COOKIE);
	req.authorization = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
	req.csrf = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-CSRF-Token");
	req.content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
	req.origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
	client_ip(conn, req.client_ip, sizeof(req.client_ip));
	req.body = buf_str(&st->body);
	req.body_len = st->body.len;

	char *err = NULL;
	int r = store_pool_take(srv->pool, &req.store, &err);
	if (r < 0) {
		http_resp_error(&resp, 503, "the store is not available: %s", err ? err : "?");
		free(err);
	} else {
		http_route(&req, &resp);
		store_pool_give(srv->pool, req.store);
	}
	desk_user_clear(&req.user);
	free(req.session_csrf);
	enum MHD_Result ret = send_resp(conn, &resp);
	buf_free(&resp.body);
	free(resp.set_cookie);
	free(resp.disposition);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)cls, (void)conn, (void)toe;
	struct conn_state *st = *con_cls;
	if (st) {
		buf_free(&st->body);
		free(st);
		*con_cls = NULL;
	}
}

static void quiet_logger(void *cls, const char *fmt, va_list ap)
{
	/* Library code does not log; connection-level failures show as
	 * failed requests at the client. */
	(void)cls, (void)fmt, (void)ap;
}

static int parse_listen(const char *s, struct sockaddr_in *ret)
{
	const char *colon = strrchr(s, ':');
	if (!colon)
		return -EINVAL;
	char host[64];
	size_t hl = (size_t)(colon - s);
	if (hl == 0 || hl >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, hl);
	host[hl] = '\0';
	uint64_t port;
	if (!cstr_to_u64(colon + 1, 65535, &port))
		return -EINVAL;
	memset(ret, 0, sizeof(*ret));
	ret->sin_family = AF_INET;
	ret->sin_port = htons((uint16_t)port);
	if (!strcmp(host, "localhost"))
		snprintf(host, sizeof(host), "127.0.0.1");
	if (inet_pton(AF_INET, host, &ret->sin_addr) != 1)
		return -EINVAL;
	return 0;
}

int http_server_start(const struct config *cfg, struct http_server **ret_server, char **ret_error)
{
	struct sockaddr_in sa;
	if (parse_listen(cfg->http_listen, &sa) < 0) {
		*ret_error = xasprintf("http.listen %s: expected IPv4-ADDRESS:PORT", cfg->http_listen);
		return -EINVAL;
	}
	struct http_server *srv = xcalloc(1, sizeof(*srv));
	srv->ctx.cfg = cfg;
	int r = templates_load(cfg->templates, &srv->ctx.tpl, ret_error);
	if (r < 0) {
		free(srv);
		return r;
	}
	srv->ctx.limiter = http_limiter_new();
	pthread_mutex_init(&srv->ctx.routing_lock, NULL);
	if (secret_password_hash("no such user, no such password", &srv->ctx.dummy_hash) < 0) {
		*ret_error = xstrdup("argon2id could not get its memory");
		http_server_stop(srv);
		return -ENOMEM;
	}
	srv->pool = store_pool_new(cfg->db, (size_t)cfg->http_threads);
	/* Open one connection now, so a bad store URL fails the start. */
	struct store *s = NULL;
	r = store_pool_take(srv->pool, &s, ret_error);
	if (r < 0) {
		http_server_stop(srv);
		return r;
	}
	store_pool_give(srv->pool, s);
	srv->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL,
				  on_request, srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				  MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->http_threads,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->http_connections_max,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_IDLE_SECONDS,
				  MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_HEADER_BYTES_MAX,
				  MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
				  MHD_OPTION_EXTERNAL_LOGGER, quiet_logger, NULL, MHD_OPTION_END);
	if (!srv->d) {
		*ret_error = xasprintf("cannot listen on %s: %s", cfg->http_listen, strerror(errno ? errno : EADDRINUSE));
		http_server_stop(srv);
		return -EINVAL;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = di ? di->port : ntohs(sa.sin_port);
	srv->addr = sa;
	*ret_server = srv;
	return 0;
}

struct http_server *http_server_stop(struct http_server *srv)
{
	if (!srv)
		return NULL;
	if (srv->d)
		MHD_stop_daemon(srv->d);
	store_pool_free(srv->pool);
	http_limiter_free(srv->ctx.limiter);
	routing_index_free(srv->ctx.routing);
	pthread_mutex_destroy(&srv->ctx.routing_lock);
	templates_free(&srv->ctx.tpl);
	free(srv->ctx.dummy_hash);
	free(srv);
	return NULL;
}

uint16_t http_server_port(const struct http_server *srv)
{
	return srv->port;
}

char *http_server_url(const struct http_server *srv)
{
	char host[INET_ADDRSTRLEN] = "?";
	inet_ntop(AF_INET, &srv->addr.sin_addr, host, sizeof(host));
	return xasprintf("http://%s:%u/", host, srv->port);
}
