/*
 * indicators: the facts an analyst picks out of prose and pasted text that
 * no log format claims: addresses (IPv4, IPv6 in every form, zone ids
 * stripped), defanged forms ("192.0.2[.]1", "hxxp://", "[:]"), CIDR prefixes
 * and dash ranges ("192.0.2.1-192.0.2.40", "192.0.2.1-40"), ports and port
 * ranges ("port 22", "ports 20-25", "22/tcp", "tcp/445"), protocols, counts
 * in prose ("about 3,000 connection attempts"), and URLs.
 *
 * Contract: indicators_scan() never fails; what does not fit under a
 * limit is counted in `dropped` and not stored. Everything is copied
 * (the result does not point into the text). indicators_free() releases.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evidence/event.h"
#include "net/ip.h"
#include "util/str.h"

#define INDICATORS_ADDR_MAX 512		/* distinct addresses/ranges kept per text */
#define INDICATORS_PORT_MAX 64
#define INDICATORS_COUNT_MAX 16
#define INDICATORS_URL_MAX 64
#define INDICATORS_URL_LEN_MAX 2048	/* longer URLs are cut */
#define INDICATORS_TEXT_MAX (8 * 1024 * 1024)	/* bytes of text scanned */

enum indicator_role {
	INDICATOR_ROLE_UNKNOWN,
	INDICATOR_ROLE_SOURCE,	/* "from A", "source A", "attacker A", "src=A" */
	INDICATOR_ROLE_DEST,	/* "to A", "our A", "destination A", "dst=A", "target A" */
};

struct indicator_addr {
	struct ip_addr first;
	struct ip_addr last;	/* == first for a single address */
	uint8_t prefix_len;	/* CIDR length; full length for one address or a dash range */
	bool is_range;		/* CIDR or dash range */
	uint32_t seen;		/* times it occurs in the text */
	enum indicator_role role;	/* from the words just before its first mention */
};

struct indicator_port {
	uint16_t first;
	uint16_t last;
	enum event_proto proto;	/* UNKNOWN when the text names none beside it */
};

struct indicator_count {
	uint64_t n;
	char noun[32];		/* "connection attempts", "packets" (lower case) */
	bool approximate;	/* "about", "over", "approximately", "~" */
};

struct indicators {
	struct indicator_addr addrs[INDICATORS_ADDR_MAX];
	size_t n_addrs;
	struct indicator_port ports[INDICATORS_PORT_MAX];
	size_t n_ports;
	struct indicator_count counts[INDICATORS_COUNT_MAX];
	size_t n_counts;
	char *urls[INDICATORS_URL_MAX];	/* refanged, heap */
	size_t n_urls;
	uint32_t protos;	/* bit (1 << enum event_proto) for each protocol named */
	bool was_defanged;	/* some indicator was written defanged */
	size_t dropped;		/* indicators not kept for a limit */
};

/* Undoes the common defangings into out ("[.]" "(.)" "{.}" "[dot]" -> ".",
 * "[:]" -> ":", "hxxp" -> "http", "[://]" -> "://"). Returns whether any
 * was found. out gets at most `max` bytes (the rest is cut). */
bool indicators_refang(struct str text, char *out, size_t max, size_t *ret_len);
void indicators_scan(struct str text, struct indicators *ret);
void indicators_free(struct indicators *ind);
/* Adds one address (deduplicated; counts repeats). */
void indicators_add_addr(struct indicators *ind, const struct indicator_addr *a);
