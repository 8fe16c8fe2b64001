/*
 * http: the web desk (UI and JSON API) over libmicrohttpd.
 *
 * http_server_start() binds http.listen (host:port; port 0 picks a free
 * one, see http_server_port()) and serves from its own threads until
 * http_server_stop(). `abusedesk serve` starts it beside the LMTP server
 * (a front end in its table). Each request thread takes a store
 * connection of its own from a small pool (struct store is one connection).
 *
 * libmicrohttpd's types never leave this folder: server.c is its only user.
 * Library code does not log; the front end that started the server does.
 */
#pragma once
#include <stdint.h>

#include "config/config.h"

struct http_server;

/* cfg must outlive the server, and the store's schema must be current
 * (the caller ran store_migrate(), as cli_open_store() does): request
 * threads open connections but never migrate. ret_error: a heap string
 * saying why it could not start (bad http.listen, port taken, store). */
int http_server_start(const struct config *cfg, struct http_server **ret_server, char **ret_error);
/* Stops accepting, waits for requests in flight, frees everything. */
struct http_server *http_server_stop(struct http_server *srv);
/* The port actually bound. */
uint16_t http_server_port(const struct http_server *srv);
/* "http://ADDRESS:PORT/" as bound, for the log line a newcomer reads.
 * Heap string. */
char *http_server_url(const struct http_server *srv);
