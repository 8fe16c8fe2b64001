#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evidence/logfmt.h"
#include "evidence/logfmt/formats.h"

static int count(void *arg, const struct event *e)
{
	(void)e;
	(*(long *)arg)++;
	return 0;
}

static const char *const files[] = { "iptables", "sshd", "zeek", "winfw", "suricata", "apache", "pf", "asa" };

/* Reading a file descriptor finds exactly what reading the text does. */
Test(logfmt, fd_matches_text)
{
	const char *root = getenv("ABUSEDESK_FIXTURES");
	cr_assert(root);
	struct logfmt_ctx ctx = { .reference_time = 1795424400LL };
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/logfmt/%s.log", root, files[i]);
		FILE *f = fopen(path, "rb");
		cr_assert(f, "%s", path);
		char text[65536];
		size_t len = fread(text, 1, sizeof(text), f);
		fclose(f);
		long a = 0, b = 0;
		long na = logfmt_parse_text(&ctx, str_make(text, len), count, &a);
		int fd = open(path, O_RDONLY);
		long nb = logfmt_parse_fd(&ctx, fd, count, &b);
		close(fd);
		cr_expect_eq(na, nb, "%s: got %ld events from the fd, want %ld", files[i], nb, na);
		cr_expect(na > 0, "%s: no events", files[i]);
	}
}

/* A line longer than LOGFMT_LINE_MAX is cut, and the next line still read. */
Test(logfmt, fd_survives_a_huge_line)
{
	char tmpl[] = "/tmp/logfmt-test-XXXXXX";
	int fd = mkstemp(tmpl);
	cr_assert(fd >= 0);
	unlink(tmpl);
	size_t big = 3 * LOGFMT_READ_CHUNK;
	char *junk = malloc(big);
	memset(junk, 'x', big);
	cr_assert(write(fd, junk, big) == (ssize_t)big);
	static const char line[] =
		"\nNov 22 14:03:01 bastion sshd[1]: Failed password for root from 198.51.100.7 port 1 ssh2\n"
		"Nov 22 14:03:02 bastion sshd[1]: Failed password for root from 198.51.100.7 port 2 ssh2";
	cr_assert(write(fd, line, sizeof(line) - 1) == (ssize_t)(sizeof(line) - 1));
	lseek(fd, 0, SEEK_SET);
	struct logfmt_ctx ctx = { .reference_time = 1795424400LL };
	long n = 0;
	long r = logfmt_parse_fd(&ctx, fd, count, &n);
	close(fd);
	free(junk);
	cr_expect_eq(r, 2, "got %ld events, want 2", r);
}

/* The hint: a format found once is tried first, but another format later
 * in the same paste is still recognised. */
Test(logfmt, mixed_paste)
{
	static const char text[] =
		"Nov 22 14:03:01 bastion sshd[1]: Invalid user a from 198.51.100.7 port 1\n"
		"Nov 22 14:03:02 gw kernel: IN=eth0 OUT= SRC=198.51.100.8 DST=192.0.2.1 PROTO=UDP SPT=1 DPT=53\n"
		"Nov 22 14:03:03 bastion sshd[1]: Invalid user b from 198.51.100.7 port 2\n";
	struct logfmt_ctx ctx = { .reference_time = 1795424400LL };
	struct logfmt_stream st;
	logfmt_stream_init(&st);
	struct str s = STR_LIT(text), line;
	const char *want[] = { "sshd", "iptables", "sshd" };
	for (int i = 0; str_take_line(&s, &line); i++) {
		struct event e;
		int idx = logfmt_parse_line(&ctx, &st, line, &e);
		cr_assert_geq(idx, 0, "line %d not read", i + 1);
		cr_expect_str_eq(e.format, want[i], "line %d: got %s, want %s", i + 1, e.format, want[i]);
	}
}

/* The netfilter reader's one-pass walk (logfmt/iptables.c) gives what
 * the key searches of logfmt_iptables_fields() give, on the lines where
 * the two could part: keys in the prefix, ports before PROTO=, no space
 * before DST=, addresses inet_pton refuses, ports out of range. */
static bool event_same(const struct event *a, const struct event *b)
{
	return ip_equal(&a->src, &b->src) && ip_equal(&a->dst, &b->dst) && a->proto == b->proto &&
	       a->has_sport == b->has_sport && (!a->has_sport || a->sport == b->sport) &&
	       a->has_dport == b->has_dport && (!a->has_dport || a->dport == b->dport) && a->time == b->time &&
	       a->utc_offset == b->utc_offset && a->tz == b->tz && a->kind == b->kind;
}

Test(logfmt, iptables_walk_matches_searches)
{
	static const char *const lines[] = {
		("Nov 22 14:03:02 gw kernel: [1.0] DROP: IN=eth0 OUT= MAC=00:16 SRC=198.51.100.8 DST=192.0.2.1 LEN=60 "
		 "PROTO=TCP SPT=51234 DPT=22 WINDOW=1"),
		"Nov 22 14:03:02 gw kernel: SRC=1.2.3.4 IN=eth0 SRC=198.51.100.8 DST=192.0.2.1 PROTO=UDP SPT=1 DPT=53",
		"Nov 22 14:03:02 gw kernel: IN= SRC=198.51.100.8 DST=192.0.2.1 SPT=7 DPT=8 PROTO=TCP SPT=9 DPT=10",
		"Nov 22 14:03:02 gw kernel: IN= SRC=198.51.100.8 DST=192.0.2.1 SPT=7 DPT=8",
		"Nov 22 14:03:02 gw kernel: IN= SRC=198.51.100.8 XDST=192.0.2.1 PROTO=TCP DPT=8",
		"Nov 22 14:03:02 gw kernel: IN= SRC=198.51.100.8 XDST=192.0.2.1 DST=192.0.2.2 PROTO=TCP DPT=8",
		"Nov 22 14:03:02 gw kernel: IN= SRC=198.051.100.8 DST=192.0.2.1 PROTO=TCP DPT=8",
		"Nov 22 14:03:02 gw kernel: IN= SRC=198.51.100.8.7 DST=192.0.2.1 PROTO=TCP DPT=8",
		"Nov 22 14:03:02 gw kernel: IN= SRC=198.51.100.256 DST=192.0.2.1 PROTO=TCP DPT=8",
		"Nov 22 14:03:02 gw kernel: IN= SRC=2001:db8::1 DST=2001:db8::2 PROTO=ICMPv6 TYPE=128",
		"Nov 22 14:03:02 gw kernel: IN= SRC=198.51.100.8 DST=192.0.2.1 PROTO=TCP SPT=65536 DPT=0080",
		"Nov 22 14:03:02 gw kernel: IN= SRC=198.51.100.8 DST=192.0.2.1 PROTO=TCP SPT=1 DPT=99999999999999999999",
		"Nov 22 14:03:02 gw kernel: IN= SRC=198.51.100.8 DST=192.0.2.1 PROTO= SPT= DPT=",
		"Nov 22 14:03:02 gw kernel: IN= SRC=198.51.100.8 DST=192.0.2.1PROTO=TCPSPT=1DPT=2",
		"Nov 22 14:03:02 gw kernel: IN= SRC=198.51.100.8 DST=192.0.2.1 PROTO=SPT=3 DPT=4",
		"Nov 22 14:03:02 gw kernel: IN= SRC=198.51.100.8 DST=192.0.2.1 DPT=5 PROTO=UDP",
		"IN= SRC=198.51.100.8 DST=192.0.2.1 PROTO=TCP DPT=8",
		"SRC=198.51.100.8 DST=",
		"SRC= DST=192.0.2.1",
	};
	struct logfmt_ctx ctx = { .reference_time = 1795424400LL };
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct str line = str_from(lines[i]);
		struct event fast, slow;
		struct logfmt_stream st;
		logfmt_stream_init(&st);
		bool got = logfmt_iptables_parse(&ctx, &st, line, &fast);
		memset(&slow, 0, sizeof(slow));
		slow.tz = EVENT_TZ_UNKNOWN;
		bool want = memmem(line.p, line.len, " DST=", 5) && logfmt_iptables_fields(&ctx, line, &slow);
		cr_expect_eq(got, want, "line %zu: read %d, the searches %d", i, got, want);
		if (got && want)
			cr_expect(event_same(&fast, &slow), "line %zu: the walk and the searches differ", i);
	}
}

/* The per-stream stamp cache gives each line the time its own stamp
 * says: a new second, another context, a day that does not exist, a
 * host name that could be read as a zone. */
Test(logfmt, stamp_cache_follows_the_line)
{
	static const char *const lines[] = {
		"Nov 22 14:03:02 gw kernel: IN= SRC=198.51.100.8 DST=192.0.2.1 PROTO=TCP DPT=8",
		"Nov 22 14:03:02 gw kernel: IN= SRC=198.51.100.9 DST=192.0.2.1 PROTO=TCP DPT=8",
		"Nov 22 14:03:03 gw kernel: IN= SRC=198.51.100.9 DST=192.0.2.1 PROTO=TCP DPT=8",
		"Nov 22 14:03:03 CET kernel: IN= SRC=198.51.100.9 DST=192.0.2.1 PROTO=TCP DPT=8",
		"Nov 22 14:03:03 2025 gw kernel: IN= SRC=198.51.100.9 DST=192.0.2.1 PROTO=TCP DPT=8",
		"Feb 30 14:03:03 gw kernel: IN= SRC=198.51.100.9 DST=192.0.2.1 PROTO=TCP DPT=8",
		"Dec 31 23:59:59 gw kernel: IN= SRC=198.51.100.9 DST=192.0.2.1 PROTO=TCP DPT=8",
		"Nov  2 14:03:03 gw kernel: IN= SRC=198.51.100.9 DST=192.0.2.1 PROTO=TCP DPT=8",
	};
	struct logfmt_ctx ctxs[2] = { { .reference_time = 1795424400LL },
				      { .reference_time = 1795424400LL, .default_offset = 3600, .offset_is_stated = true } };
	struct logfmt_stream st;
	logfmt_stream_init(&st);
	for (int round = 0; round < 2; round++) {
		for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
			const struct logfmt_ctx *ctx = &ctxs[(i + (size_t)round) % 2];
			struct event cached, fresh;
			struct str line = str_from(lines[i]);
			cr_assert(logfmt_iptables_parse(ctx, &st, line, &cached), "line %zu", i);
			cr_assert(logfmt_iptables_parse(ctx, NULL, line, &fresh), "line %zu", i);
			cr_expect(cached.time == fresh.time && cached.utc_offset == fresh.utc_offset && cached.tz == fresh.tz,
				  "round %d line %zu: cached %lld %d %d, fresh %lld %d %d", round, i, (long long)cached.time,
				  cached.utc_offset, cached.tz, (long long)fresh.time, fresh.utc_offset, fresh.tz);
		}
	}
}
