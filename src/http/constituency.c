/*
 * constituency: an admin replaces the organisations the desk serves by
 * uploading the constituency files (docs/CONSTITUENCY.md), the same
 * import as `abusedesk constituency import`: every file parsed and checked
 * first, then all of it replaces the old data in one transaction, or none
 * does and the answer lists every problem as "FILE:LINE: what is wrong".
 * The request body is bounded by http.body_max; larger constituencies are
 * imported on the command line. The import is on the desk-wide trail,
 * which api_audit_desk shows to admins.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "constituency/constituency.h"
#include "http/handlers.h"
#include "util/xalloc.h"

#define HTTP_CONSTITUENCY_FILES_MAX 100
#define HTTP_FILE_NAME_MAX 200

void api_constituency_import(struct http_req *req, struct http_resp *resp)
{
	json_t *j = http_req_json(req, resp);
	if (!j)
		return;
	json_t *files = json_object_get(j, "files");
	size_t n = json_array_size(files);
	if (!json_is_array(files) || n == 0 || n > HTTP_CONSTITUENCY_FILES_MAX) {
		json_decref(j);
		return http_resp_error(resp, 400, "expected {\"files\": [{\"name\": \"...\", \"text\": \"...\"}, ...]} with 1 to %d files",
				       HTTP_CONSTITUENCY_FILES_MAX);
	}
	const char **names = xcalloc(n, sizeof(*names));
	struct str *texts = xcalloc(n, sizeof(*texts));
	for (size_t i = 0; i < n; i++) {
		json_t *f = json_array_get(files, i);
		names[i] = json_string_value(json_object_get(f, "name"));
		json_t *t = json_object_get(f, "text");
		if (!names[i] || !*names[i] || strlen(names[i]) > HTTP_FILE_NAME_MAX || !json_is_string(t)) {
			free(names);
			free(texts);
			json_decref(j);
			return http_resp_error(resp, 400, "file %zu: expected a \"name\" (1 to %d bytes) and a \"text\"", i + 1,
					       HTTP_FILE_NAME_MAX);
		}
		texts[i] = str_make(json_string_value(t), json_string_length(t));
	}
	struct constituency k;
	struct buf errors;
	buf_init(&errors, 1024 * 1024);
	int r = constituency_load_texts(names, texts, n, &k, &errors);
	free(names);
	free(texts);
	json_decref(j);
	if (r < 0) {
		/* One entry per problem, as the command line prints them. */
		json_t *list = json_array();
		struct str rest = str_make(buf_str(&errors), errors.len), line;
		while (rest.len) {
			str_split(&rest, '\n', &line);
			if (line.len)
				json_array_append_new(list, json_stringn(line.p, line.len));
		}
		buf_free(&errors);
		return http_resp_json(resp, 400, json_pack("{s:s, s:o}", "error",
							   "nothing was loaded; the desk keeps the data it had", "errors", list));
	}
	buf_free(&errors);
	r = constituency_replace(req->store, &k, req->user.name, (int64_t)time(NULL));
	if (r < 0)
		http_resp_error(resp, http_status_for(r), "constituency: %s; the desk keeps the data it had",
				store_errmsg(req->store));
	else
		http_resp_json(resp, 200, json_pack("{s:I, s:I}", "organisations", (json_int_t)k.n, "prefixes",
						    (json_int_t)k.n_ranges));
	constituency_free(&k);
}

/* The desk-wide trail (imports, users added): what has no ticket. */
void api_audit_desk(struct http_req *req, struct http_resp *resp)
{
	struct audit_entry *a = NULL;
	size_t n = 0;
	int r = store_audit_list(req->store, 0, &a, &n);
	if (r < 0)
		return http_resp_error(resp, http_status_for(r), "audit: %s", store_errmsg(req->store));
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, json_pack("{s:I, s:I, s:s, s:s, s:s}", "id", (json_int_t)a[i].id, "at",
						      (json_int_t)a[i].at, "actor", a[i].actor, "action", a[i].action,
						      "detail", a[i].detail));
	audit_array_free(a, n);
	http_resp_json(resp, 200, json_pack("{s:o}", "audit", list));
}
