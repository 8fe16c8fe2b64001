#include "config/config.h"

#include <errno.h>
#include <ini.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/ip.h"
#include "util/str.h"
#include "util/xalloc.h"

/* CONFIG_PREFIXES: a string holding a comma-separated list of addresses
 * and prefixes (host bits allowed), at most `max` of them, checked here so
 * that a typo refuses the config instead of silently trusting nothing. */
enum config_type { CONFIG_STR, CONFIG_INT, CONFIG_BOOL, CONFIG_PREFIXES };

struct config_key {
	const char *section;
	const char *name;
	enum config_type type;
	size_t offset;
	const char *def;
	int64_t min, max;
	const char *doc;
};

#define K(sec, nm, ty, field, d, lo, hi, dc) \
	{ sec, nm, ty, offsetof(struct config, field), d, lo, hi, dc }
#define MiB (1024 * 1024)

static const struct config_key keys[] = {
	K("desk", "team", CONFIG_STR, team, "Janet CSIRT", 0, 0, "the team's name in letters and templates"),
	K("desk", "tag", CONFIG_STR, tag, "Janet CSIRT", 0, 0, "ticket tag: subjects read [TAG#100001]"),
	K("desk", "address", CONFIG_STR, address, "irt@csirt.example", 0, 0, "the report address and the From of our mail"),
	K("desk", "other_addresses", CONFIG_STR, other_addresses, "", 0, 0, "more addresses of ours, comma-separated (never acknowledged)"),
	K("desk", "hostname", CONFIG_STR, hostname, "", 0, 0, "domain of our Message-IDs (default: the address's domain)"),
	K("desk", "ticket_base", CONFIG_INT, ticket_base, "100001", 1, 999999999, "number of the first ticket"),
	K("desk", "templates", CONFIG_STR, templates, "", 0, 0, "directory of templates overriding the built-in ones"),
	K("desk", "message_size_max", CONFIG_INT, message_size_max, "26214400", 1024, 1024 * MiB, "largest message accepted, in bytes"),
	K("desk", "ack_per_sender_per_hour", CONFIG_INT, ack_per_sender_per_hour, "5", 0, 100000, "acknowledgments to one address per hour at most"),
	K("store", "db", CONFIG_STR, db, "./abusedesk.db", 0, 0, "SQLite file, or postgresql://user@host/dbname"),
	K("pipeline", "attempts_max", CONFIG_INT, process_attempts_max, "5", 1, 100, "tries at processing a message before it is parked for an analyst"),
	K("pipeline", "lease_seconds", CONFIG_INT, process_lease_seconds, "300", 5, 86400, "how long a worker may hold a message before another may retry it"),
	K("pipeline", "workers", CONFIG_INT, process_workers, "0", 0, 64, "threads of `serve` turning queued messages into tickets (0: 1 on SQLite, 2 on PostgreSQL)"),
	K("lmtp", "listen", CONFIG_STR, lmtp_listen, "127.0.0.1:2424", 0, 0, "host:port or unix:/path (comma-separated for several)"),
	K("lmtp", "accept_any_recipient", CONFIG_BOOL, lmtp_accept_any_recipient, "false", 0, 1, "accept every recipient, not only our addresses"),
	K("lmtp", "timeout_seconds", CONFIG_INT, lmtp_timeout_seconds, "300", 1, 3600, "time a client has for each command (for DATA, plus its size at 1 KiB/s)"),
	K("lmtp", "sessions_max", CONFIG_INT, lmtp_sessions_max, "64", 1, 10000, "concurrent LMTP sessions"),
	K("http", "listen", CONFIG_STR, http_listen, "127.0.0.1:8080", 0, 0, "host:port of the web UI and API that serve runs (empty: none)"),
	K("http", "secure_cookies", CONFIG_BOOL, http_secure_cookies, "false", 0, 1, "mark session cookies Secure (set when a TLS proxy is in front)"),
	K("http", "session_seconds", CONFIG_INT, http_session_seconds, "28800", 60, 30 * 86400, "a login lasts this long"),
	K("http", "threads", CONFIG_INT, http_threads, "4", 1, 64, "threads serving requests, each with its own store connection"),
	K("http", "connections_max", CONFIG_INT, http_connections_max, "256", 1, 10000, "concurrent HTTP connections"),
	K("http", "body_max", CONFIG_INT, http_body_max, "1048576", 1024, 64 * MiB, "largest request body, in bytes"),
	K("http", "logins_per_minute", CONFIG_INT, http_logins_per_minute, "10", 1, 10000, "login attempts from one address per minute"),
	K("outbox", "relay", CONFIG_STR, relay, "smtp://127.0.0.1:25", 0, 0, "smtp://host:port or smtps://host:port"),
	K("outbox", "user", CONFIG_STR, relay_user, "", 0, 0, "AUTH user at the relay (empty: no AUTH)"),
	K("outbox", "password", CONFIG_STR, relay_password, "", 0, 0, "AUTH password at the relay"),
	K("outbox", "starttls", CONFIG_BOOL, relay_starttls, "false", 0, 1, "require STARTTLS on smtp:// relays"),
	K("outbox", "helo", CONFIG_STR, relay_helo, "", 0, 0, "name we give in EHLO (default: hostname)"),
	K("outbox", "retry_base_seconds", CONFIG_INT, retry_base_seconds, "60", 1, 86400, "first retry delay; doubles per failure"),
	K("outbox", "retry_max_seconds", CONFIG_INT, retry_max_seconds, "3600", 1, 86400, "longest retry delay"),
	K("outbox", "expire_seconds", CONFIG_INT, expire_seconds, "432000", 60, 60 * 86400, "give up on a message after this long (default 5 days)"),
	K("outbox", "send_timeout_seconds", CONFIG_INT, send_timeout_seconds, "60", 1, 3600, "time allowed for one SMTP transaction"),
	K("outbox", "connections_max", CONFIG_INT, connections_max, "4", 1, 100, "concurrent SMTP connections to the relay"),
	K("evidence", "trusted_relays", CONFIG_PREFIXES, evidence_trusted_relays, "", 0, 64, "our reporters' relays to skip in a Received chain: addresses/prefixes, comma-separated"),
	K("evidence", "log_formats_file", CONFIG_STR, evidence_log_formats_file, "", 0, 0, "file of user-defined log formats: NAME PCRE2-PATTERN per line, named groups src dst dport sport proto time"),
	K("evidence", "default_utc_offset", CONFIG_INT, evidence_default_utc_offset, "0", -50400, 50400, "seconds east of UTC assumed for log lines that state no zone"),
	K("routing", "enabled", CONFIG_BOOL, routing_enabled, "true", 0, 1, "route each new report: incidents and notifications for its sources"),
	K("routing", "renotify_seconds", CONFIG_INT, routing_renotify_seconds, "604800", 0, 365 * 86400, "a source notified this recently is linked to its incident without a new notification"),
	K("routing", "notify_external_auto", CONFIG_BOOL, routing_notify_external_auto, "false", 0, 1, "send notifications to external networks without an analyst's approval"),
	K("routing", "xarf", CONFIG_BOOL, routing_xarf, "false", 0, 1, "notifications to external networks carry an X-ARF v0.2 report, one message per source (per destination: policy lines in the contacts overrides file)"),
	K("routing", "copy_ack", CONFIG_BOOL, routing_copy_ack, "true", 0, 1, "copy the acknowledgment to the reporter's organisation's security contact"),
	K("routing", "misdirected_kinds", CONFIG_STR, routing_misdirected_kinds, "spam", 0, 0, "kinds of abuse that a constituency user should take to local IT support when the source is outside"),
	K("scan", "window_seconds", CONFIG_INT, scan_window_seconds, "86400", 60, 30 * 86400, "a pause longer than this ends a source's episode: one report per episode (docs/SCANS.md)"),
	K("scan", "hosts_min", CONFIG_INT, scan_hosts_min, "10", 2, 16777216, "distinct destination addresses that make an address-range scan"),
	K("scan", "ports_min", CONFIG_INT, scan_ports_min, "10", 2, 65536, "distinct destination ports that make a port scan"),
	K("scan", "few_max", CONFIG_INT, scan_few_max, "5", 1, 1000, "at most this many ports (addresses) is 'a few' for an address-range (port) scan"),
	K("scan", "logins_min", CONFIG_INT, scan_logins_min, "10", 1, 1000000, "failed logins from one source that make login attempts"),
	K("scan", "memory_max_mib", CONFIG_INT, scan_memory_max_mib, "256", 4, 1048576, "memory for per-source counts; past it the quietest sources are dropped and counted"),
	K("report", "to", CONFIG_STR, report_to, "", 0, 0, "where 'abusedesk report' sends (default: desk.address, the CSIRT)"),
	K("report", "from", CONFIG_STR, report_from, "", 0, 0, "From of reports we write (default: desk.address)"),
	K("report", "signature", CONFIG_STR, report_signature, "", 0, 0, "who signs reports (default: desk.team)"),
	K("report", "own_networks", CONFIG_STR, report_own_networks, "", 0, 0, "our prefixes, never reported as abusers, comma-separated (default: this host's interface addresses)"),
	K("log", "level", CONFIG_STR, log_level, "info", 0, 0, "error, warning, info or debug"),
	K("log", "syslog", CONFIG_BOOL, log_syslog, "false", 0, 1, "also log to syslog (facility mail)"),
};

#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

static char **str_field(struct config *cfg, const struct config_key *k)
{
	return (char **)((char *)cfg + k->offset);
}

/* The first bad element of a CONFIG_PREFIXES value, with the reason. */
static int check_prefixes(const struct config_key *k, const char *value, char **ret_why)
{
	struct str list = str_from(value), item;
	int64_t n = 0;
	while (list.len) {
		str_split(&list, ',', &item);
		item = str_trim(item);
		if (!item.len)
			continue;
		struct ip_prefix p;
		if (!ip_prefix_parse(item, true, &p)) {
			*ret_why = xasprintf("%s.%s: \"%.*s\" is not an IP address or prefix (e.g. 192.0.2.25, 2001:db8::/32)",
					     k->section, k->name, item.len > 64 ? 64 : (int)item.len, item.p);
			return -EINVAL;
		}
		if (++n > k->max) {
			*ret_why = xasprintf("%s.%s: more than %lld addresses or prefixes", k->section, k->name,
					     (long long)k->max);
			return -EINVAL;
		}
	}
	return 0;
}

static int set_value(struct config *cfg, const struct config_key *k, const char *value, char **ret_why)
{
	switch (k->type) {
	case CONFIG_STR:
	case CONFIG_PREFIXES: {
		if (k->type == CONFIG_PREFIXES && check_prefixes(k, value, ret_why) < 0)
			return -EINVAL;
		char **f = str_field(cfg, k);
		free(*f);
		*f = xstrdup(value);
		return 0;
	}
	case CONFIG_INT: {
		int64_t v;
		if (!cstr_to_i64(value, k->min, k->max, &v)) {
			*ret_why = xasprintf("%s.%s must be a whole number from %lld to %lld", k->section, k->name,
					     (long long)k->min, (long long)k->max);
			return -EINVAL;
		}
		*(int64_t *)((char *)cfg + k->offset) = v;
		return 0;
	}
	case CONFIG_BOOL: {
		bool v;
		if (!strcasecmp(value, "true") || !strcasecmp(value, "yes") || !strcmp(value, "1") || !strcasecmp(value, "on"))
			v = true;
		else if (!strcasecmp(value, "false") || !strcasecmp(value, "no") || !strcmp(value, "0") || !strcasecmp(value, "off"))
			v = false;
		else {
			*ret_why = xasprintf("%s.%s must be true or false", k->section, k->name);
			return -EINVAL;
		}
		*(bool *)((char *)cfg + k->offset) = v;
		return 0;
	}
	}
	return -EINVAL;
}

static const struct config_key *find_key(const char *section, const char *name)
{
	for (size_t i = 0; i < N_KEYS; i++)
		if (!strcmp(keys[i].section, section) && !strcmp(keys[i].name, name))
			return &keys[i];
	return NULL;
}

void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < N_KEYS; i++) {
		char *why = NULL;
		int r = set_value(cfg, &keys[i], keys[i].def, &why);
		(void)r;
		free(why);
	}
}

struct load_ctx {
	struct config *cfg;
	const char *path;
	char *error;
};

/* inih (as Debian builds it) passes no line number to the handler; it
 * returns the line of the first error instead, which config_load() adds. */
static int on_ini(void *user, const char *section, const char *name, const char *value)
{
	struct load_ctx *ctx = user;
	if (ctx->error)
		return 0;
	const struct config_key *k = find_key(section, name);
	if (!k) {
		ctx->error = xasprintf("unknown key %s.%s", section, name);
		return 0;
	}
	if (set_value(ctx->cfg, k, value, &ctx->error) < 0)
		return 0;
	return 1;
}

static void copy_config(struct config *dst, const struct config *src)
{
	*dst = *src;
	for (size_t i = 0; i < N_KEYS; i++)
		if (keys[i].type == CONFIG_STR || keys[i].type == CONFIG_PREFIXES) {
			char **f = str_field(dst, &keys[i]);
			*f = xstrdup(*f);
		}
}

int config_load(const char *path, struct config *cfg, char **ret_error)
{
	struct config tmp;
	copy_config(&tmp, cfg);
	struct load_ctx ctx = { &tmp, path, NULL };
	int r = ini_parse(path, on_ini, &ctx);
	if (r == -1) {
		*ret_error = xasprintf("%s: cannot open: %s", path, strerror(errno));
		config_free(&tmp);
		return -ENOENT;
	}
	if (r > 0 || ctx.error) {
		*ret_error = xasprintf("%s:%d: %s", path, r, ctx.error ? ctx.error : "not a key = value line or [section]");
		free(ctx.error);
		config_free(&tmp);
		return -EINVAL;
	}
	config_free(cfg);
	*cfg = tmp;
	return 0;
}

int config_set(struct config *cfg, const char *dotted, const char *value, char **ret_error)
{
	const char *dot = strchr(dotted, '.');
	if (!dot) {
		*ret_error = xasprintf("%s: expected section.key", dotted);
		return -EINVAL;
	}
	char *section = xstrndup(dotted, (size_t)(dot - dotted));
	const struct config_key *k = find_key(section, dot + 1);
	free(section);
	if (!k) {
		*ret_error = xasprintf("unknown key %s", dotted);
		return -EINVAL;
	}
	return set_value(cfg, k, value, ret_error);
}

void config_free(struct config *cfg)
{
	for (size_t i = 0; i < N_KEYS; i++)
		if (keys[i].type == CONFIG_STR || keys[i].type == CONFIG_PREFIXES) {
			char **f = str_field(cfg, &keys[i]);
			free(*f);
			*f = NULL;
		}
}

void config_dump(const struct config *cfg, FILE *f)
{
	const char *section = "";
	for (size_t i = 0; i < N_KEYS; i++) {
		const struct config_key *k = &keys[i];
		if (strcmp(section, k->section)) {
			fprintf(f, "%s[%s]\n", i ? "\n" : "", k->section);
			section = k->section;
		}
		const char *p = (const char *)cfg + k->offset;
		fprintf(f, "; %s (default: %s)\n", k->doc, k->def[0] ? k->def : "empty");
		switch (k->type) {
		case CONFIG_STR:
		case CONFIG_PREFIXES:
			/* A password is not echoed back to a terminal or a log. */
			fprintf(f, "%s = %s\n", k->name,
				(!strcmp(k->name, "password") && (*(char *const *)p)[0]) ? "(set)" : *(char *const *)p);
			break;
		case CONFIG_INT: fprintf(f, "%s = %lld\n", k->name, (long long)*(const int64_t *)p); break;
		case CONFIG_BOOL: fprintf(f, "%s = %s\n", k->name, *(const bool *)p ? "true" : "false"); break;
		}
	}
}

bool config_is_own_address(const struct config *cfg, const char *addr)
{
	if (!addr || !*addr)
		return false;
	if (!strcasecmp(addr, cfg->address))
		return true;
	struct str list = str_from(cfg->other_addresses);
	struct str item;
	while (list.len) {
		str_split(&list, ',', &item);
		item = str_trim(item);
		if (item.len && str_eq_cstr_nocase(item, addr))
			return true;
	}
	return false;
}
