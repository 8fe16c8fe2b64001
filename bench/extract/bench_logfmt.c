/*
 * bench-logfmt: lines per second of the log-format dispatcher on one core,
 * for the two formats with a target (>1M lines/s: iptables and sshd) and
 * for a mixed paste. Lines are generated in memory (no I/O in the timing).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "evidence/logfmt.h"
#include "util/buf.h"

#define LINES 1000000

static int count(void *arg, const struct event *e)
{
	(void)e;
	(*(long *)arg)++;
	return 0;
}

static double cpu_now(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
}

static void run(const char *name, int which)
{
	struct buf b;
	buf_init(&b, (size_t)1 << 31);
	for (int i = 0; i < LINES; i++) {
		int k = which == 2 ? i % 2 : which;
		if (k == 0)
			buf_printf(&b, "Nov 22 %02d:%02d:%02d gw kernel: [812345.%06d] DROP IN=eth0 OUT= MAC=00:16:3e:aa:bb:cc:00:16:3e:dd:ee:ff:08:00 "
				       "SRC=198.51.100.%d DST=192.0.2.%d LEN=60 TOS=0x00 PREC=0x00 TTL=52 ID=%d DF PROTO=TCP SPT=%d DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0\n",
				   10 + i / 3600 % 10, i / 60 % 60, i % 60, i, i % 250 + 1, i % 200 + 1, i % 65536, 1024 + i % 60000);
		else
			buf_printf(&b, "Nov 22 %02d:%02d:%02d bastion sshd[%d]: Failed password for invalid user admin from 198.51.100.%d port %d ssh2\n",
				   10 + i / 3600 % 10, i / 60 % 60, i % 60, 1000 + i % 30000, i % 250 + 1, 1024 + i % 60000);
	}
	struct logfmt_ctx ctx = { .reference_time = 1795424400LL };
	long n = 0;
	double t0 = cpu_now();
	logfmt_parse_text(&ctx, str_make(b.p, b.len), count, &n);
	double secs = cpu_now() - t0;
	printf("{\"format\": \"%s\", \"lines\": %d, \"events\": %ld, \"cpu_seconds\": %.3f, \"lines_per_cpu_s\": %.0f, \"mb_per_cpu_s\": %.1f}\n",
	       name, LINES, n, secs, LINES / secs, (double)b.len / 1e6 / secs);
	buf_free(&b);
}

int main(void)
{
	run("iptables", 0);
	run("sshd", 1);
	run("mixed iptables+sshd", 2);
	return 0;
}
