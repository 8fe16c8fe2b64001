/*
 * received: the Received: chain of a header block (RFC 5321 4.4,
 * RFC 5322 3.6.7), read to name where a message entered the Internet.
 *
 * Hops are listed top (newest, added by the reporter's own server) to
 * bottom. The origin is the "from" address of the first hop, walking down,
 * that is not one of the reporter's trusted relays and not a private,
 * loopback or link-local address: the last host that handed the message to
 * a server that can be trusted to have written the truth.
 *
 * Contract: received_parse() reads at most RECEIVED_HOPS_MAX hops and never
 * fails; a hop without a readable address or date keeps what it has.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/ip.h"
#include "util/str.h"

#define RECEIVED_HOPS_MAX 64
#define RECEIVED_TRUSTED_MAX 64

struct received_hop {
	struct ip_addr from;	/* IP_NONE when the hop names none */
	int64_t time;		/* UTC, 0 when unreadable */
	int32_t offset;
	uint32_t line;		/* 0-based line of its "Received:" in the block */
};

struct received_chain {
	struct received_hop hops[RECEIVED_HOPS_MAX];
	size_t n;
	int origin;		/* index into hops, -1 when none qualifies */
};

struct received_trust {
	struct ip_prefix v[RECEIVED_TRUSTED_MAX];
	size_t n;
};

/* "192.0.2.0/24, 2001:db8::1"; -EINVAL on a malformed element. */
int received_trust_parse(const char *list, struct received_trust *ret);
void received_parse(struct str headers, const struct received_trust *trust, struct received_chain *ret);
/* The value of the first header `name` in a header block (unfolded into
 * out, at most out_max bytes); false when absent. */
bool received_header_value(struct str headers, const char *name, char *out, size_t out_max);
/* Private, loopback, link-local, unique-local, unspecified. */
bool received_is_internal(const struct ip_addr *a);
