/*
 * config: the one table of configuration keys.
 *
 * Every key has a section, a name, a type, a default, bounds and a line of
 * documentation in config.c's table; docs/CONFIG.md is that table in prose.
 * config_defaults() gives a desk that runs on loopback with no file at all.
 * config_load() reads an INI file (inih) over the defaults; an unknown key, a
 * value out of bounds or a malformed line is -EINVAL with "FILE:LINE: why"
 * in ret_error, and nothing of the file is applied.
 *
 * Ownership: strings in struct config are owned by it; config_free() frees
 * them. A loaded config is read-only afterwards, so threads may share it.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct config {
	/* [desk] */
	char *team;		/* name in letters */
	char *tag;		/* [TAG#N] */
	char *address;		/* report address, From of our mail */
	char *other_addresses;	/* more of our own addresses, comma-separated */
	char *hostname;		/* right-hand side of our Message-IDs */
	int64_t ticket_base;
	char *templates;	/* directory overriding the built-in templates */
	int64_t message_size_max;
	int64_t ack_per_sender_per_hour;
	/* [store] */
	char *db;
	/* [pipeline] */
	int64_t process_attempts_max;
	int64_t process_lease_seconds;
	int64_t process_workers;
	/* [lmtp] */
	char *lmtp_listen;
	bool lmtp_accept_any_recipient;
	int64_t lmtp_timeout_seconds;
	int64_t lmtp_sessions_max;
	/* [http] */
	char *http_listen;
	bool http_secure_cookies;
	int64_t http_session_seconds;
	int64_t http_threads;
	int64_t http_connections_max;
	int64_t http_body_max;
	int64_t http_logins_per_minute;
	/* [outbox] */
	char *relay;
	char *relay_user;
	char *relay_password;
	bool relay_starttls;
	char *relay_helo;
	int64_t retry_base_seconds;
	int64_t retry_max_seconds;
	int64_t expire_seconds;
	int64_t send_timeout_seconds;
	int64_t connections_max;
	/* [evidence] */
	char *evidence_trusted_relays;
	int64_t evidence_default_utc_offset;
	char *evidence_log_formats_file;
	/* [routing] */
	bool routing_enabled;
	int64_t routing_renotify_seconds;
	bool routing_notify_external_auto;
	bool routing_xarf;
	bool routing_copy_ack;
	char *routing_misdirected_kinds;
	/* [scan] */
	int64_t scan_window_seconds;
	int64_t scan_hosts_min;
	int64_t scan_ports_min;
	int64_t scan_few_max;
	int64_t scan_logins_min;
	int64_t scan_memory_max_mib;
	/* [report] (abusedesk report: a reporter's own logs -> reports to a CSIRT) */
	char *report_to;
	char *report_from;
	char *report_signature;
	char *report_own_networks;
	/* [log] */
	char *log_level;
	bool log_syslog;
};

void config_defaults(struct config *cfg);
int config_load(const char *path, struct config *cfg, char **ret_error);
/* Sets one key from "section.key" and a value, as from the command line. */
int config_set(struct config *cfg, const char *dotted, const char *value, char **ret_error);
void config_free(struct config *cfg);
/* Writes every key with its value and doc as an INI file. */
void config_dump(const struct config *cfg, FILE *f);
/* True when addr (case-insensitive) is the report address or one of the
 * other addresses. */
bool config_is_own_address(const struct config *cfg, const char *addr);
