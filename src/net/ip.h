/*
 * ip: IPv4 and IPv6 addresses and prefixes, the desk's common currency.
 *
 * An address is 16 bytes in network order with its family; IPv4 is kept in
 * the first 4 bytes (not as ::ffff:a.b.c.d), so comparing two addresses of
 * different families is well defined (IPv4 sorts first). Parsing accepts
 * every textual form of RFC 4291 2.2 (compressed, embedded IPv4) and strips
 * a zone id ("fe80::1%eth0"); it never resolves names.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/str.h"

#define IP_TEXT_MAX 64	/* longest text form with room to spare (INET6_ADDRSTRLEN is 46) */

enum ip_family { IP_NONE = 0, IP_V4 = 4, IP_V6 = 6 };

struct ip_addr {
	uint8_t family;		/* enum ip_family */
	uint8_t bytes[16];	/* network order; IPv4 in bytes[0..3], rest zero */
};

struct ip_prefix {
	struct ip_addr addr;	/* host bits zero */
	uint8_t len;		/* 0..32 or 0..128 */
};

/* Parses a whole slice as an address. false when it is not one. */
bool ip_parse(struct str s, struct ip_addr *ret);
bool ip_parse_cstr(const char *s, struct ip_addr *ret);
/* "a.b.c.d/n", "x::/n"; a bare address is a full-length prefix. Host bits
 * set below the length are refused unless allow_host_bits (then cleared). */
bool ip_prefix_parse(struct str s, bool allow_host_bits, struct ip_prefix *ret);
/* Canonical text (RFC 5952 for IPv6) into out (IP_TEXT_MAX bytes). */
void ip_format(const struct ip_addr *a, char out[IP_TEXT_MAX]);
void ip_prefix_format(const struct ip_prefix *p, char out[IP_TEXT_MAX + 4]);
int ip_compare(const struct ip_addr *a, const struct ip_addr *b);
bool ip_equal(const struct ip_addr *a, const struct ip_addr *b);
bool ip_prefix_contains(const struct ip_prefix *p, const struct ip_addr *a);
unsigned ip_bits(const struct ip_addr *a);	/* 32 or 128; 0 for IP_NONE */
/* IPv4 as a host-order integer (family must be IP_V4). */
uint32_t ip_v4_u32(const struct ip_addr *a);
struct ip_addr ip_v4_from_u32(uint32_t v);
