/*
 * ownnet: the reporter's own networks, which are never reported as
 * abusers (a scan from our own vulnerability scanner, our NAT address in
 * a log from the other side).
 *
 * Either a configured comma-separated list of prefixes and addresses
 * ("192.0.2.0/24, 2001:db8::/32, 198.51.100.1") or, when none is
 * configured, the addresses of this host's interfaces (getifaddrs(3); no
 * name is resolved, nothing touches the network). At most
 * OWNNET_PREFIXES_MAX entries: -EMSGSIZE past that.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "net/ip.h"

#define OWNNET_PREFIXES_MAX 4096

struct ownnet {
	struct ip_prefix *p;
	size_t n;
	size_t cap;
	bool from_interfaces;	/* the list came from getifaddrs */
};

/* Parses `list`; -EINVAL with the bad item in ret_error (heap) otherwise. */
int ownnet_parse(const char *list, struct ownnet *ret, char **ret_error);
/* Adds the address of every interface (as a full-length prefix). */
int ownnet_add_interfaces(struct ownnet *o);
bool ownnet_contains(const struct ownnet *o, const struct ip_addr *a);
void ownnet_free(struct ownnet *o);
