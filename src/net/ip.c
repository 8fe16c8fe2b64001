#include "net/ip.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

bool ip_parse(struct str s, struct ip_addr *ret)
{
	char buf[IP_TEXT_MAX];
	if (s.len == 0 || s.len >= sizeof(buf))
		return false;
	memcpy(buf, s.p, s.len);
	buf[s.len] = '\0';
	char *pct = strchr(buf, '%');	/* zone id: fe80::1%eth0 (RFC 4007 11) */
	if (pct)
		*pct = '\0';
	struct ip_addr a = { 0 };
	if (!pct && inet_pton(AF_INET, buf, a.bytes) == 1) {
		a.family = IP_V4;
		*ret = a;
		return true;
	}
	if (strchr(buf, ':') && inet_pton(AF_INET6, buf, a.bytes) == 1) {
		a.family = IP_V6;
		*ret = a;
		return true;
	}
	return false;
}

bool ip_parse_cstr(const char *s, struct ip_addr *ret)
{
	return s && ip_parse(str_from(s), ret);
}

unsigned ip_bits(const struct ip_addr *a)
{
	return a->family == IP_V4 ? 32 : a->family == IP_V6 ? 128 : 0;
}

static bool has_host_bits(const struct ip_addr *a, unsigned len)
{
	for (unsigned i = len; i < ip_bits(a); i++)
		if (a->bytes[i / 8] & (0x80 >> (i % 8)))
			return true;
	return false;
}

static void clear_host_bits(struct ip_addr *a, unsigned len)
{
	for (unsigned i = len; i < ip_bits(a); i++)
		a->bytes[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
}

bool ip_prefix_parse(struct str s, bool allow_host_bits, struct ip_prefix *ret)
{
	struct str addr;
	bool has_len = str_split(&s, '/', &addr);
	struct ip_prefix p = { 0 };
	if (!ip_parse(addr, &p.addr))
		return false;
	uint64_t len = ip_bits(&p.addr);
	if (has_len && !str_to_u64(s, ip_bits(&p.addr), &len))
		return false;
	p.len = (uint8_t)len;
	if (has_host_bits(&p.addr, p.len)) {
		if (!allow_host_bits)
			return false;
		clear_host_bits(&p.addr, p.len);
	}
	*ret = p;
	return true;
}

void ip_format(const struct ip_addr *a, char out[IP_TEXT_MAX])
{
	if (a->family == IP_V4) {
		/* inet_ntop's "%u.%u.%u.%u" by hand: `scans` formats an address
		 * or three per source, for 100,000s of sources */
		size_t k = 0;
		for (int i = 0; i < 4; i++) {
			unsigned v = a->bytes[i];
			if (i)
				out[k++] = '.';
			if (v >= 100)
				out[k++] = (char)('0' + v / 100);
			if (v >= 10)
				out[k++] = (char)('0' + v / 10 % 10);
			out[k++] = (char)('0' + v % 10);
		}
		out[k] = '\0';
	} else if (a->family == IP_V6)
		inet_ntop(AF_INET6, a->bytes, out, IP_TEXT_MAX);
	else
		snprintf(out, IP_TEXT_MAX, "-");
}

void ip_prefix_format(const struct ip_prefix *p, char out[IP_TEXT_MAX + 4])
{
	char a[IP_TEXT_MAX];
	ip_format(&p->addr, a);
	snprintf(out, IP_TEXT_MAX + 4, "%s/%u", a, (unsigned)p->len);
}

int ip_compare(const struct ip_addr *a, const struct ip_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->bytes, b->bytes, sizeof(a->bytes));
}

bool ip_equal(const struct ip_addr *a, const struct ip_addr *b)
{
	return ip_compare(a, b) == 0;
}

bool ip_prefix_contains(const struct ip_prefix *p, const struct ip_addr *a)
{
	if (a->family != p->addr.family)
		return false;
	unsigned full = p->len / 8, rest = p->len % 8;
	if (memcmp(a->bytes, p->addr.bytes, full) != 0)
		return false;
	if (!rest)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (a->bytes[full] & mask) == (p->addr.bytes[full] & mask);
}

uint32_t ip_v4_u32(const struct ip_addr *a)
{
	return (uint32_t)a->bytes[0] << 24 | (uint32_t)a->bytes[1] << 16 | (uint32_t)a->bytes[2] << 8 | a->bytes[3];
}

struct ip_addr ip_v4_from_u32(uint32_t v)
{
	struct ip_addr a = { .family = IP_V4 };
	a.bytes[0] = (uint8_t)(v >> 24);
	a.bytes[1] = (uint8_t)(v >> 16);
	a.bytes[2] = (uint8_t)(v >> 8);
	a.bytes[3] = (uint8_t)v;
	return a;
}
