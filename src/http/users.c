/*
 * users: analysts (admin only) and the caller's own API tokens. Secrets
 * are shown once, in the answer that made them; the store has only hashes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/auth.h"
#include "http/handlers.h"
#include "util/escape.h"
#include "util/secret.h"
#include "util/xalloc.h"

#define HTTP_TOKEN_LABEL_MAX 100

void api_user_list(struct http_req *req, struct http_resp *resp)
{
	struct desk_user *u = NULL;
	size_t n = 0;
	int r = store_user_list(req->store, &u, &n);
	if (r < 0)
		return http_resp_error(resp, http_status_for(r), "users: %s", store_errmsg(req->store));
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:I, s:I}", "name", u[i].name, "role",
						   user_role_name(u[i].role), "failures", (json_int_t)u[i].failures,
						   "created_at", (json_int_t)u[i].created_at));
	desk_user_array_free(u, n);
	http_resp_json(resp, 200, json_pack("{s:o}", "users", a));
}

static bool name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > AUTH_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!char_is_alnum(s[i]) && !strchr("._-@", s[i]))
			return false;
	return true;
}

void api_user_add(struct http_req *req, struct http_resp *resp)
{
	json_t *j = http_req_json(req, resp);
	if (!j)
		return;
	const char *name = json_string_value(json_object_get(j, "name"));
	const char *role_s = json_string_value(json_object_get(j, "role"));
	enum user_role role = USER_ANALYST;
	if (!name_ok(name) || (role_s && user_role_from_name(role_s, &role) < 0)) {
		json_decref(j);
		return http_resp_error(resp, 400, "expected {\"name\": \"letters, digits, ._-@\", \"role\": \"analyst\"|\"admin\"}");
	}
	char pw[21], *hash = NULL;
	secret_random_password(pw);
	int r = secret_password_hash(pw, &hash);
	int64_t now = (int64_t)time(NULL);
	if (r >= 0 && (r = store_begin(req->store)) >= 0) {
		r = store_user_add(req->store, name, role, hash, now, NULL);
		if (r >= 0)
			r = store_audit_add(req->store, 0, req->user.name, "user-add", name, now);
		if (r >= 0)
			r = store_commit(req->store);
		if (r < 0)
			store_rollback(req->store);
	}
	free(hash);
	if (r == -EEXIST)
		http_resp_error(resp, 409, "a user of that name exists");
	else if (r < 0)
		http_resp_error(resp, http_status_for(r), "user: %s", store_errmsg(req->store));
	else
		http_resp_json(resp, 200, json_pack("{s:s, s:s, s:s}", "name", name, "role", user_role_name(role),
						    "password", pw));
	json_decref(j);
}

void api_token_add(struct http_req *req, struct http_resp *resp)
{
	json_t *j = http_req_json(req, resp);
	if (!j)
		return;
	const char *label = json_string_value(json_object_get(j, "label"));
	char *lab = escape_header_value(str_from(label ? label : ""), HTTP_TOKEN_LABEL_MAX);
	json_decref(j);
	char token[SECRET_HEX_LEN + 1], hash[SECRET_HEX_LEN + 1];
	secret_random_hex(token);
	secret_hash_hex(token, hash);
	int64_t now = (int64_t)time(NULL);
	int r = store_token_add(req->store, hash, req->user.id, lab, now);
	if (r < 0)
		http_resp_error(resp, http_status_for(r), "token: %s", store_errmsg(req->store));
	else
		http_resp_json(resp, 200, json_pack("{s:s, s:s}", "token", token, "label", lab));
	free(lab);
}
