#include "outbox/smtp.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/escape.h"
#include "util/xalloc.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void do_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void smtp_global_init(void)
{
	pthread_once(&once, do_init);
}

struct upload {
	const char *p;
	size_t left;
};

static size_t read_cb(char *dst, size_t size, size_t nmemb, void *user)
{
	struct upload *u = user;
	size_t n = size * nmemb;
	if (n > u->left)
		n = u->left;
	memcpy(dst, u->p, n);
	u->p += n;
	u->left -= n;
	return n;
}

/* Bare LF -> CRLF; existing CRLF kept. */
static void to_crlf(const char *raw, size_t len, struct buf *out)
{
	size_t start = 0;
	for (size_t i = 0; i < len; i++) {
		if (raw[i] != '\n')
			continue;
		size_t end = i;
		if (end > start && raw[end - 1] == '\r')
			end--;
		buf_append(out, raw + start, end - start);
		buf_append(out, "\r\n", 2);
		start = i + 1;
	}
	buf_append(out, raw + start, len - start);
}

/* The one place curl results become -errno (docs/ERRORS.md). */
static int outbox_curl_errno(CURLcode c, long smtp_code)
{
	if (smtp_code >= 500 && smtp_code < 600)
		return -EPROTO;
	switch (c) {
	case CURLE_OK: return 0;
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST: return -ECONNREFUSED;
	case CURLE_OPERATION_TIMEDOUT: return -ETIMEDOUT;
	case CURLE_LOGIN_DENIED: return -EACCES;
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL: return -EINVAL;
	default: return -EIO;
	}
}

int smtp_send(const struct config *cfg, const char *env_from, const char *rcpt, const char *raw, size_t len,
	      char **ret_error)
{
	smtp_global_init();
	CURL *c = curl_easy_init();
	if (!c) {
		*ret_error = xstrdup("cannot create a curl handle");
		return -EIO;
	}
	struct buf wire;
	buf_init(&wire, len * 2 + 16);
	to_crlf(raw, len, &wire);
	struct upload up = { wire.p ? wire.p : "", wire.len };

	/* The URL's path is the name curl gives in EHLO. */
	const char *helo = cfg->relay_helo && *cfg->relay_helo ? cfg->relay_helo : cfg->hostname;
	if (!helo || !*helo) {
		const char *at = strrchr(cfg->address, '@');
		helo = at ? at + 1 : "localhost";
	}
	const char *relay = cfg->relay;
	size_t rl = strlen(relay);
	char *url = xasprintf("%.*s/%s", (int)(rl && relay[rl - 1] == '/' ? rl - 1 : rl), relay, helo);
	char *from = xasprintf("<%s>", env_from ? env_from : "");
	char *to = xasprintf("<%s>", rcpt);
	struct curl_slist *rcpts = curl_slist_append(NULL, to);
	char errbuf[CURL_ERROR_SIZE] = "";

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpts);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(c, CURLOPT_READDATA, &up);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)wire.len);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)cfg->send_timeout_seconds);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	if (cfg->relay_starttls)
		curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (cfg->relay_user && *cfg->relay_user) {
		curl_easy_setopt(c, CURLOPT_USERNAME, cfg->relay_user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->relay_password);
	}

	CURLcode rc = curl_easy_perform(c);
	long code = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	int r = rc == CURLE_OK ? 0 : outbox_curl_errno(rc, code);
	if (r < 0) {
		char *why = escape_dup(str_from(errbuf[0] ? errbuf : curl_easy_strerror(rc)), ESCAPE_QUOTE_MAX);
		*ret_error = code ? xasprintf("relay %s: %s (SMTP %ld)", cfg->relay, why, code)
				  : xasprintf("relay %s: %s", cfg->relay, why);
		free(why);
	}
	curl_slist_free_all(rcpts);
	curl_easy_cleanup(c);
	free(to);
	free(from);
	free(url);
	buf_free(&wire);
	return r;
}
