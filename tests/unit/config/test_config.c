/* config: defaults, file errors with FILE:LINE, bounds, --set. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"

Test(config, defaults)
{
	struct config c;
	config_defaults(&c);
	cr_expect_str_eq(c.tag, "Janet CSIRT", "tag: got \"%s\"", c.tag);
	cr_expect_eq(c.ticket_base, 100001, "ticket_base: got %lld, want 100001", (long long)c.ticket_base);
	cr_expect_eq(c.message_size_max, 25 * 1024 * 1024, "message_size_max: got %lld, want 25 MiB",
		     (long long)c.message_size_max);
	cr_expect_eq(c.ack_per_sender_per_hour, 5, "ack_per_sender_per_hour: got %lld, want 5",
		     (long long)c.ack_per_sender_per_hour);
	cr_expect_str_eq(c.db, "./abusedesk.db", "db: got \"%s\"", c.db);
	cr_expect(strncmp(c.lmtp_listen, "127.0.0.1:", 10) == 0, "lmtp listen not loopback: \"%s\"", c.lmtp_listen);
	cr_expect(strncmp(c.http_listen, "127.0.0.1:", 10) == 0, "http listen not loopback: \"%s\"", c.http_listen);
	cr_expect_eq(c.relay_starttls, false, "starttls: got true, want false");
	config_free(&c);
}

static char *write_file(const char *text)
{
	char *path = strdup("/tmp/abusedesk-config-XXXXXX");
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

struct load_row {
	const char *text;
	int want_r;
	const char *want_error;	/* substring of the message after "PATH" */
	int64_t want_base;	/* ticket_base after the load */
	const char *want_tag;
};

static const struct load_row load_rows[] = {
	{ "[desk]\nticket_base = 500\ntag = ACME\n", 0, NULL, 500, "ACME" },
	{ "; comment only\n", 0, NULL, 100001, "Janet CSIRT" },
	{ "", 0, NULL, 100001, "Janet CSIRT" },
	{ "[desk]\nticket_base = 0\n", -EINVAL, ":2: desk.ticket_base must be a whole number from 1 to 999999999", 100001, "Janet CSIRT" },
	{ "[desk]\nticket_base = 1000000000\n", -EINVAL, ":2: desk.ticket_base", 100001, "Janet CSIRT" },
	{ "[desk]\nticket_base = 12x\n", -EINVAL, ":2: desk.ticket_base", 100001, "Janet CSIRT" },
	{ "[desk]\ntag = X\n\nnosuchkey = 1\n", -EINVAL, ":4: unknown key desk.nosuchkey", 100001, "Janet CSIRT" },
	{ "[nosuch]\nkey = 1\n", -EINVAL, ":2: unknown key nosuch.key", 100001, "Janet CSIRT" },
	{ "[desk]\nthis is not a key\n", -EINVAL, ":2:", 100001, "Janet CSIRT" },
	{ "[outbox]\nstarttls = maybe\n", -EINVAL, ":2: outbox.starttls must be true or false", 100001, "Janet CSIRT" },
	{ "[desk]\nmessage_size_max = 100\n", -EINVAL, ":2: desk.message_size_max", 100001, "Janet CSIRT" },
	{ "[desk]\nack_per_sender_per_hour = -1\n", -EINVAL, ":2: desk.ack_per_sender_per_hour", 100001, "Janet CSIRT" },
	/* evidence.trusted_relays: every element an address or prefix */
	{ "[evidence]\ntrusted_relays = 192.0.2.25, 198.51.100.0/24, 2001:db8::/32\n", 0, NULL, 100001, "Janet CSIRT" },
	{ "[evidence]\ntrusted_relays = 192.0.2.25, mx.example.org\n", -EINVAL,
	  ":2: evidence.trusted_relays: \"mx.example.org\" is not an IP address or prefix", 100001, "Janet CSIRT" },
	{ "[evidence]\ntrusted_relays = 192.0.2.0/33\n", -EINVAL, ":2: evidence.trusted_relays: \"192.0.2.0/33\"", 100001,
	  "Janet CSIRT" },
	/* Nothing of a bad file is applied, not even its good lines. */
	{ "[desk]\ntag = Applied\nticket_base = -5\n", -EINVAL, ":3:", 100001, "Janet CSIRT" },
};

Test(config, load)
{
	for (size_t i = 0; i < sizeof(load_rows) / sizeof(load_rows[0]); i++) {
		const struct load_row *row = &load_rows[i];
		char *path = write_file(row->text);
		struct config c;
		config_defaults(&c);
		char *err = NULL;
		int r = config_load(path, &c, &err);
		cr_expect_eq(r, row->want_r, "row %zu: got %d, want %d (%s)", i, r, row->want_r, err ? err : "");
		if (row->want_error) {
			cr_expect(err && !strncmp(err, path, strlen(path)) && strstr(err, row->want_error),
				  "row %zu: got error \"%s\", want \"%s%s...\"", i, err ? err : "(null)", path, row->want_error);
		}
		cr_expect_eq(c.ticket_base, row->want_base, "row %zu: ticket_base got %lld, want %lld", i,
			     (long long)c.ticket_base, (long long)row->want_base);
		cr_expect_str_eq(c.tag, row->want_tag, "row %zu: tag got \"%s\", want \"%s\"", i, c.tag, row->want_tag);
		free(err);
		config_free(&c);
		unlink(path);
		free(path);
	}
}

Test(config, load_missing_file)
{
	struct config c;
	config_defaults(&c);
	char *err = NULL;
	int r = config_load("/nonexistent/abusedesk.conf", &c, &err);
	cr_expect_eq(r, -ENOENT, "got %d, want -ENOENT", r);
	cr_expect(err && strstr(err, "/nonexistent/abusedesk.conf"), "error does not name the file: \"%s\"", err ? err : "");
	free(err);
	config_free(&c);
}

struct set_row {
	const char *key, *value;
	int want_r;
};

static const struct set_row set_rows[] = {
	{ "outbox.relay", "smtp://127.0.0.1:2525", 0 },
	{ "desk.ticket_base", "1", 0 },
	{ "desk.ticket_base", "999999999", 0 },
	{ "desk.ticket_base", "0", -EINVAL },
	{ "pipeline.attempts_max", "101", -EINVAL },
	{ "outbox.starttls", "yes", 0 },
	{ "relay", "x", -EINVAL },
	{ "outbox.nosuch", "x", -EINVAL },
	{ "", "x", -EINVAL },
	{ "evidence.trusted_relays", "192.0.2.25,,2001:db8::1", 0 },
	{ "evidence.trusted_relays", "", 0 },
	{ "evidence.trusted_relays", "192.0.2.256", -EINVAL },
	{ "evidence.trusted_relays", "192.0.2.1 192.0.2.2", -EINVAL },
};

Test(config, set)
{
	for (size_t i = 0; i < sizeof(set_rows) / sizeof(set_rows[0]); i++) {
		struct config c;
		config_defaults(&c);
		char *err = NULL;
		int r = config_set(&c, set_rows[i].key, set_rows[i].value, &err);
		cr_expect_eq(r, set_rows[i].want_r, "row %zu %s=%s: got %d, want %d", i, set_rows[i].key,
			     set_rows[i].value, r, set_rows[i].want_r);
		cr_expect_eq(r < 0, err != NULL, "row %zu: error message %s", i, err ? "set on success" : "missing");
		free(err);
		config_free(&c);
	}
}

struct own_row {
	const char *addr;
	bool want;
};

static const struct own_row own_rows[] = {
	{ "irt@csirt.example", true }, { "IRT@CSIRT.EXAMPLE", true }, { "abuse@csirt.example", true },
	{ "cert@csirt.example", true }, { "someone@csirt.example", false }, { "", false },
	{ "irt@csirt.example.org", false },
};

Test(config, is_own_address)
{
	struct config c;
	config_defaults(&c);
	char *err = NULL;
	cr_assert_eq(config_set(&c, "desk.other_addresses", " abuse@csirt.example ,cert@csirt.example", &err), 0);
	for (size_t i = 0; i < sizeof(own_rows) / sizeof(own_rows[0]); i++) {
		bool got = config_is_own_address(&c, own_rows[i].addr);
		cr_expect_eq(got, own_rows[i].want, "row %zu \"%s\": got %d, want %d", i, own_rows[i].addr, got,
			     own_rows[i].want);
	}
	config_free(&c);
}

/* evidence.trusted_relays: a bad element is named with its key; a list
 * longer than the Received reader keeps (64) is refused, not cut. */
Test(config, trusted_relays_refused_with_key_and_value)
{
	struct config c;
	config_defaults(&c);
	char *err = NULL;
	int r = config_set(&c, "evidence.trusted_relays", "192.0.2.25, 10.0.0.0/8, relay.example", &err);
	cr_expect_eq(r, -EINVAL, "got %d, want -EINVAL", r);
	cr_expect(err && strstr(err, "evidence.trusted_relays") && strstr(err, "\"relay.example\""),
		  "got error \"%s\", want the key and the bad value", err ? err : "(null)");
	cr_expect_str_eq(c.evidence_trusted_relays, "", "the bad value was applied: \"%s\"", c.evidence_trusted_relays);
	free(err);
	char many[65 * 16] = "";
	size_t len = 0;
	for (int i = 0; i < 65; i++)
		len += (size_t)snprintf(many + len, sizeof(many) - len, "%s192.0.2.%d", i ? "," : "", i);
	err = NULL;
	r = config_set(&c, "evidence.trusted_relays", many, &err);
	cr_expect_eq(r, -EINVAL, "65 relays: got %d, want -EINVAL", r);
	cr_expect(err && strstr(err, "more than 64"), "got error \"%s\"", err ? err : "(null)");
	free(err);
	config_free(&c);
}
