#define PCRE2_CODE_UNIT_WIDTH 8
#include "evidence/logfmt/user.h"

#include <errno.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/logfmt/lfutil.h"
#include "util/buf.h"
#include "util/file.h"
#include "util/xalloc.h"

struct user_format {
	char name[LOGFMT_USER_NAME_MAX];
	pcre2_code *re;
};

struct logfmt_user {
	struct user_format v[LOGFMT_USER_FORMATS_MAX];
	size_t n;
};

size_t logfmt_user_count(const struct logfmt_user *u)
{
	return u ? u->n : 0;
}

struct logfmt_user *logfmt_user_free(struct logfmt_user *u)
{
	if (!u)
		return NULL;
	for (size_t i = 0; i < u->n; i++)
		pcre2_code_free(u->v[i].re);
	free(u);
	return NULL;
}

int logfmt_user_compile(const char *spec, struct logfmt_user **ret, char **ret_error)
{
	struct logfmt_user *u = xcalloc(1, sizeof(*u));
	struct str s = str_from(spec), line;
	int lineno = 0;
	while (str_take_line(&s, &line)) {
		lineno++;
		line = str_trim(line);
		if (!line.len || line.p[0] == '#')
			continue;
		struct str name = lfutil_token(line, " \t");
		struct str pat = str_trim(str_make(line.p + name.len, line.len - name.len));
		if (!name.len || name.len >= LOGFMT_USER_NAME_MAX || !pat.len) {
			*ret_error = xasprintf("%d: want NAME PATTERN (a name of at most %d bytes)", lineno,
					       LOGFMT_USER_NAME_MAX - 1);
			goto fail;
		}
		if (u->n == LOGFMT_USER_FORMATS_MAX) {
			*ret_error = xasprintf("%d: more than %d formats", lineno, LOGFMT_USER_FORMATS_MAX);
			goto fail;
		}
		int err;
		PCRE2_SIZE off;
		pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat.p, pat.len, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &err, &off, NULL);
		if (!re) {
			PCRE2_UCHAR msg[200];
			pcre2_get_error_message(err, msg, sizeof(msg));
			*ret_error = xasprintf("%d: pattern at offset %zu: %s", lineno, (size_t)off, (const char *)msg);
			goto fail;
		}
		if (pcre2_substring_number_from_name(re, (PCRE2_SPTR) "src") < 0) {
			pcre2_code_free(re);
			*ret_error = xasprintf("%d: the pattern has no (?<src>...) group", lineno);
			goto fail;
		}
		pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);	/* best effort: plain matching without it */
		memcpy(u->v[u->n].name, name.p, name.len);
		u->v[u->n].name[name.len] = 0;
		u->v[u->n].re = re;
		u->n++;
	}
	*ret = u;
	return 0;
fail:
	logfmt_user_free(u);
	return -EINVAL;
}

int logfmt_user_load(const char *path, struct logfmt_user **ret, char **ret_error)
{
	struct buf b;
	buf_init(&b, LOGFMT_USER_FILE_MAX);
	int r = file_read_all(path, LOGFMT_USER_FILE_MAX, &b);
	if (r < 0) {
		buf_free(&b);
		*ret_error = xasprintf("%s: cannot read (%s)", path, strerror(-r));
		return r;
	}
	char *err = NULL;
	r = logfmt_user_compile(buf_str(&b), ret, &err);
	buf_free(&b);
	if (r < 0) {
		*ret_error = xasprintf("%s:%s", path, err);
		free(err);
	}
	return r;
}

static bool group(pcre2_code *re, pcre2_match_data *md, struct str line, const char *name, struct str *ret)
{
	int n = pcre2_substring_number_from_name(re, (PCRE2_SPTR)name);
	if (n < 0)
		return false;
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
	if ((uint32_t)n >= pcre2_get_ovector_count(md) || ov[2 * n] == PCRE2_UNSET)
		return false;
	*ret = str_make(line.p + ov[2 * n], ov[2 * n + 1] - ov[2 * n]);
	return true;
}

int logfmt_user_parse(const struct logfmt_ctx *ctx, const struct logfmt_user *u, struct str line, struct event *ret)
{
	for (size_t i = 0; u && i < u->n; i++) {
		pcre2_code *re = u->v[i].re;
		pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
		int rc = pcre2_match(re, (PCRE2_SPTR)line.p, line.len, 0, 0, md, NULL);
		struct event e;
		lfutil_event_init(&e, line, u->v[i].name);
		struct str g;
		bool ok = rc > 0 && group(re, md, line, "src", &g) && lfutil_ip(g, &e.src);
		if (ok) {
			if (group(re, md, line, "dst", &g))
				lfutil_ip(g, &e.dst);
			if (group(re, md, line, "dport", &g))
				e.has_dport = lfutil_port(g, &e.dport);
			if (group(re, md, line, "sport", &g))
				e.has_sport = lfutil_port(g, &e.sport);
			if (group(re, md, line, "proto", &g))
				e.proto = lfutil_proto(g);
			if (group(re, md, line, "time", &g))
				lfutil_take_time(ctx, &g, &e);
			e.kind = EVENT_OTHER;
		}
		pcre2_match_data_free(md);
		if (ok) {
			*ret = e;
			return (int)i;
		}
	}
	return -1;
}
