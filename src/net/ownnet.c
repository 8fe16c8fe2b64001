#include "net/ownnet.h"

#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util/xalloc.h"

static int add(struct ownnet *o, const struct ip_prefix *p)
{
	if (o->n >= OWNNET_PREFIXES_MAX)
		return -EMSGSIZE;
	o->p = xgrow(o->p, &o->cap, o->n + 1, sizeof(*o->p));
	o->p[o->n++] = *p;
	return 0;
}

int ownnet_parse(const char *list, struct ownnet *ret, char **ret_error)
{
	struct ownnet o = { 0 };
	struct str rest = str_from(list ? list : "");
	struct str item;
	while (rest.len) {
		str_split(&rest, ',', &item);
		item = str_trim(item);
		if (!item.len)
			continue;
		struct ip_prefix p;
		if (!ip_prefix_parse(item, true, &p)) {
			char *bad = str_dup(item);
			*ret_error = xasprintf("'%.80s' is not an address or prefix", bad);
			free(bad);
			ownnet_free(&o);
			return -EINVAL;
		}
		int r = add(&o, &p);
		if (r < 0) {
			*ret_error = xasprintf("more than %d networks", OWNNET_PREFIXES_MAX);
			ownnet_free(&o);
			return r;
		}
	}
	*ret = o;
	return 0;
}

int ownnet_add_interfaces(struct ownnet *o)
{
	struct ifaddrs *ifs;
	if (getifaddrs(&ifs) < 0)
		return -EIO;
	int r = 0;
	for (struct ifaddrs *i = ifs; i && r >= 0; i = i->ifa_next) {
		if (!i->ifa_addr)
			continue;
		struct ip_prefix p = { 0 };
		if (i->ifa_addr->sa_family == AF_INET) {
			const struct sockaddr_in *sin = (const struct sockaddr_in *)i->ifa_addr;
			p.addr.family = IP_V4;
			memcpy(p.addr.bytes, &sin->sin_addr, 4);
			p.len = 32;
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)i->ifa_addr;
			p.addr.family = IP_V6;
			memcpy(p.addr.bytes, &sin6->sin6_addr, 16);
			p.len = 128;
		} else {
			continue;
		}
		r = add(o, &p);
	}
	freeifaddrs(ifs);
	o->from_interfaces = true;
	return r;
}

bool ownnet_contains(const struct ownnet *o, const struct ip_addr *a)
{
	for (size_t i = 0; i < o->n; i++)
		if (ip_prefix_contains(&o->p[i], a))
			return true;
	return false;
}

void ownnet_free(struct ownnet *o)
{
	free(o->p);
	memset(o, 0, sizeof(*o));
}
