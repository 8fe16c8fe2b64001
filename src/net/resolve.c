#include "net/resolve.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "util/str.h"

static bool is_invalid_tld(struct str host)
{
	while (host.len && host.p[host.len - 1] == '.')
		host.len--;
	static const char tld[] = "invalid";
	size_t n = sizeof(tld) - 1;
	if (host.len < n || !str_eq_cstr_nocase(str_make(host.p + host.len - n, n), tld))
		return false;
	return host.len == n || host.p[host.len - n - 1] == '.';
}

int resolve_host(const char *name, struct ip_addr ret[RESOLVE_ADDRS_MAX], size_t *ret_n)
{
	size_t len = strlen(name);
	if (!len || len > RESOLVE_NAME_MAX + 1)
		return -EINVAL;
	for (const char *p = name; *p; p++)
		if (!char_is_alnum((unsigned char)*p) && !strchr("-._", *p))
			return -EINVAL;
	if (is_invalid_tld(str_make(name, len)))
		return -ENOENT;
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	int e = getaddrinfo(name, NULL, &hints, &res);
	if (e == EAI_AGAIN)
		return -EAGAIN;
	if (e)
		return -ENOENT;	/* EAI_NONAME, EAI_NODATA, EAI_FAIL...: no address to look up */
	size_t n = 0;
	for (struct addrinfo *ai = res; ai && n < RESOLVE_ADDRS_MAX; ai = ai->ai_next) {
		struct ip_addr a = { 0 };
		if (ai->ai_family == AF_INET) {
			const struct sockaddr_in *sin = (const struct sockaddr_in *)(const void *)ai->ai_addr;
			a = ip_v4_from_u32(ntohl(sin->sin_addr.s_addr));
		} else if (ai->ai_family == AF_INET6) {
			const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)(const void *)ai->ai_addr;
			a.family = IP_V6;
			memcpy(a.bytes, sin6->sin6_addr.s6_addr, 16);
		} else {
			continue;
		}
		bool seen = false;
		for (size_t k = 0; k < n && !seen; k++)
			seen = ip_equal(&ret[k], &a);
		if (!seen)
			ret[n++] = a;
	}
	freeaddrinfo(res);
	if (!n)
		return -ENOENT;
	*ret_n = n;
	return 0;
}
