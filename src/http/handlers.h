/*
 * handlers: the API's endpoints, one function each, called by route.c
 * after the caller was identified (and, for POST, the CSRF token checked).
 * docs/api.md describes each one.
 */
#pragma once
#include "http/request.h"

/* tickets.c */
void api_ticket_list(struct http_req *req, struct http_resp *resp);
void api_counts(struct http_req *req, struct http_resp *resp);
void api_ticket_get(struct http_req *req, struct http_resp *resp, int64_t number);
void api_ticket_reply(struct http_req *req, struct http_resp *resp, int64_t number);
void api_ticket_status(struct http_req *req, struct http_resp *resp, int64_t number);
void api_ticket_merge(struct http_req *req, struct http_resp *resp, int64_t number);
void api_ticket_classification(struct http_req *req, struct http_resp *resp, int64_t number);
void api_message_raw(struct http_req *req, struct http_resp *resp, int64_t id);
void api_message_part(struct http_req *req, struct http_resp *resp, int64_t id, int64_t part);
void api_outbox_list(struct http_req *req, struct http_resp *resp);
void api_outbox_decide(struct http_req *req, struct http_resp *resp, int64_t id, bool approve);
void api_ticket_link(struct http_req *req, struct http_resp *resp, int64_t number);
/* writing.c */
void api_ticket_draft(struct http_req *req, struct http_resp *resp, int64_t number);
void api_ticket_write(struct http_req *req, struct http_resp *resp, int64_t number);
void api_outbox_get(struct http_req *req, struct http_resp *resp, int64_t id);
void api_outbox_edit(struct http_req *req, struct http_resp *resp, int64_t id);
/* constituency.c (admin) */
void api_constituency_import(struct http_req *req, struct http_resp *resp);
void api_audit_desk(struct http_req *req, struct http_resp *resp);
/* users.c */
void api_user_list(struct http_req *req, struct http_resp *resp);
void api_user_add(struct http_req *req, struct http_resp *resp);
void api_token_add(struct http_req *req, struct http_resp *resp);
/* overview.c */
void api_overview(struct http_req *req, struct http_resp *resp);
void api_overview_svg(struct http_req *req, struct http_resp *resp, const char *which);
void api_metrics(struct http_req *req, struct http_resp *resp);
/* routing.c: the "routing" section of a ticket (docs/api.md). */
json_t *http_routing_section(struct http_req *req, const struct ticket *t, json_t *evidence,
			     const struct incident_link *links, size_t n_links);
