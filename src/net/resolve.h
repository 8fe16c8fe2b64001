/*
 * resolve: a host name's addresses from the system resolver (getaddrinfo:
 * /etc/hosts, then the DNS, as nsswitch.conf says), A and AAAA.
 *
 * Names under "invalid." never resolve and are answered at once without
 * asking anyone (RFC 6761 6.4), so a test can name a host that cannot
 * exist without touching the network.
 *
 * Errors: -ENOENT the name does not exist or has no address, -EAGAIN a
 * temporary failure (no answer from the resolver), -EINVAL not a host
 * name. At most RESOLVE_ADDRS_MAX addresses, distinct, in the resolver's
 * order.
 */
#pragma once
#include <stddef.h>

#include "net/ip.h"

#define RESOLVE_ADDRS_MAX 32
#define RESOLVE_NAME_MAX 253	/* RFC 1035 2.3.4, without the final dot */

int resolve_host(const char *name, struct ip_addr ret[RESOLVE_ADDRS_MAX], size_t *ret_n);
