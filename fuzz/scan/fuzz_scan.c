/*
 * Fuzzes the scan aggregator with random event streams: the first bytes
 * pick the parameters (a small memory budget, so eviction runs), then each
 * 10-byte record is one event, fed through the prefetch steps as the
 * log reader does. Checks, beyond "no crash": the memory peak
 * stays within memory_max + SCAN_EVENT_BYTES_MAX; every result is
 * consistent; every abusive result has a report and a one-line form.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scan/report.h"
#include "scan/scan.h"
#include "scan/summary.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REC 10

static void line_of(void *arg, uint64_t ref, struct str *ret)
{
	(void)arg;
	(void)ref;
	*ret = STR_LIT("a sample line");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 4)
		return 0;
	struct scan_params p;
	scan_params_default(&p);
	p.memory_max = (size_t)(512 + 256 * (data[0] & 7)) << 10;
	p.window = 60 + (int64_t)data[1] * 600;
	p.hosts_min = 2 + data[2] % 20;
	p.ports_min = 2 + data[3] % 20;
	p.few_max = 1 + data[2] % 6;
	p.logins_min = 1 + data[3] % 12;
	data += 4;
	size_t n = (size - 4) / REC;
	if (n > 200000)
		n = 200000;
	struct event *ev = calloc(n ? n : 1, sizeof(*ev));
	char lines[4][8] = { "L0", "L1", "L2", "L3" };
	int64_t t = 1795356181;
	for (size_t i = 0; i < n; i++, data += REC) {
		struct event *e = &ev[i];
		/* sources: a few bytes of entropy so both few and many appear */
		if (data[0] & 0x80) {
			e->src.family = IP_V6;
			e->src.bytes[0] = 0x20;
			e->src.bytes[1] = 0x01;
			e->src.bytes[14] = data[0] & 0x0f;
			e->src.bytes[15] = data[1];
		} else {
			e->src = ip_v4_from_u32(0xc6336400u | (uint32_t)(data[0] & 0x3f) << 8 | data[1]);
		}
		if (data[2] & 0x80)
			e->dst = ip_v4_from_u32(0xc0000200u | data[3]);
		else if (data[2] & 0x40) {
			e->dst.family = IP_V6;
			e->dst.bytes[0] = 0x20;
			e->dst.bytes[15] = data[3];
		}
		e->dport = (uint16_t)(data[4] << 8 | data[5]);
		e->has_dport = data[2] & 0x20;
		e->kind = (enum event_kind)(data[6] % EVENT_KIND_COUNT);
		e->proto = (enum event_proto)(data[6] / EVENT_KIND_COUNT % 5);
		/* time moves forward with jitter; sometimes back, sometimes unknown */
		t += (int8_t)data[7] * (data[8] & 0x10 ? 3600 : 1);
		e->time = data[8] & 0x20 ? 0 : t;
		e->tz = e->time ? (data[8] & 1 ? EVENT_TZ_ASSUMED : EVENT_TZ_STATED) : EVENT_TZ_UNKNOWN;
		e->utc_offset = (int32_t)((data[8] >> 1) & 7) * 1800 - 5400;
		e->count = data[9] & 0x80 ? data[9] & 7 : 1;
		e->line = data[9] & 0x40 ? str_make(lines[data[9] & 3], 2) : str_make("", 0);
		e->service = e->kind == EVENT_LOGIN_FAILURE ? "ssh" : NULL;
	}

	struct scan *s = scan_new(&p);
	/* as cli/scan_files.c feeds it: events in flight, each prefetched in
	 * steps some events before it is added (hints that must stay harmless
	 * while sources are inserted and evicted in between) */
	enum { FLIGHT = 6 };
	struct scan_prep prep[FLIGHT];
	for (size_t i = 0; i < n + FLIGHT; i++) {
		if (i < n)
			scan_prep(s, &ev[i], &prep[i % FLIGHT]);
		if (i >= 2 && i - 2 < n)
			scan_prefetch_source(s, &prep[(i - 2) % FLIGHT]);
		if (i >= 4 && i - 4 < n)
			scan_prefetch_sets(s, &prep[(i - 4) % FLIGHT]);
		if (i >= FLIGHT - 1 && i - (FLIGHT - 1) < n)
			scan_add_prepared(s, &ev[i - (FLIGHT - 1)], i - (FLIGHT - 1), &prep[(i - (FLIGHT - 1)) % FLIGHT]);
	}
	struct scan_stats st;
	scan_stats_get(s, &st);
	if (st.memory_peak > p.memory_max + SCAN_EVENT_BYTES_MAX)
		abort();
	struct scan_result *r;
	size_t nr;
	scan_finish(s, &r, &nr);
	struct report_ctx ctx = { .signature = "fuzz", .system_zone = "UTC" };
	struct buf b;
	buf_init(&b, REPORT_TEXT_MAX);
	for (size_t i = 0; i < nr; i++) {
		const struct scan_result *x = &r[i];
		if (x->n_dst_list > SCAN_LIST_MAX || x->n_port_list > SCAN_LIST_MAX || x->n_samples > SCAN_SAMPLE_MAX)
			abort();
		if (x->hosts_exact && x->hosts < x->n_dst_list)
			abort();
		if (x->ports && x->port_min > x->port_max)
			abort();
		if (x->first > x->last && x->first && x->last)
			abort();
		buf_reset(&b);
		if (scan_kind_is_abuse(x->kind) && (report_write(x, &ctx, line_of, NULL, &b) < 0 || report_subject(x, &b) < 0))
			abort();
		if (report_append_oneline(&b, x) < 0)
			abort();
	}
	buf_free(&b);
	free(r);
	scan_free(s);

	struct summary sum;
	summary_make(&p, NULL, ev, n, &sum);
	if (!sum.text)
		abort();
	summary_free(&sum);
	free(ev);
	return 0;
}
