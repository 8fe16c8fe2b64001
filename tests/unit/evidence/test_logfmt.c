#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evidence/logfmt.h"

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
