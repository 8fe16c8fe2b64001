/* net/ip: addresses written the way inet_ntop(3) writes them (ip_format's
 * IPv4 text is built by hand for speed; it must not differ). */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <string.h>

#include "net/ip.h"

static void expect_as_inet_ntop(const unsigned char b[4])
{
	struct ip_addr a = { .family = IP_V4 };
	memcpy(a.bytes, b, 4);
	char got[IP_TEXT_MAX], want[INET_ADDRSTRLEN];
	ip_format(&a, got);
	inet_ntop(AF_INET, b, want, sizeof(want));
	cr_expect_str_eq(got, want, "got %s, want %s", got, want);
}

Test(ip, ipv4_text_is_inet_ntops)
{
	/* every value in every position, the others at their edges */
	static const unsigned char others[] = { 0, 9, 10, 99, 100, 255 };
	for (int pos = 0; pos < 4; pos++)
		for (unsigned v = 0; v < 256; v++)
			for (size_t o = 0; o < sizeof(others); o++) {
				unsigned char b[4] = { others[o], others[o], others[o], others[o] };
				b[pos] = (unsigned char)v;
				expect_as_inet_ntop(b);
			}
}

Test(ip, parse_then_format_round_trips)
{
	static const char *const texts[] = { "0.0.0.0", "255.255.255.255", "192.0.2.1", "10.100.9.0", "2001:db8::1", "::" };
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct ip_addr a;
		cr_assert(ip_parse_cstr(texts[i], &a), "%s", texts[i]);
		char s[IP_TEXT_MAX];
		ip_format(&a, s);
		cr_expect_str_eq(s, texts[i]);
	}
}
