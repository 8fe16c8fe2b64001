/*
 * contacts: load external networks' abuse contacts from RIR bulk data
 * (RPSL, gzip or plain) or from the operator's overrides file. Each import
 * replaces the previous one in one transaction; a running desk notices the
 * new data by the routing version and reloads.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli/cli.h"
#include "contacts/contacts.h"
#include "util/log.h"
#include "util/xalloc.h"

static int finish(struct cli *c, struct store *s, int r, const char *what, const char *detail)
{
	if (r >= 0)
		r = store_audit_add(s, 0, getenv("USER") ? getenv("USER") : "cli", what, detail, cli_now());
	if (r >= 0)
		r = store_commit(s);
	if (r < 0) {
		store_rollback(s);
		return cli_fail(r, "contacts %s: %s; the desk keeps the contacts it had", c->argv[1],
				r == -EBADMSG || r == -ENOENT ? "nothing was loaded" : store_errmsg(s));
	}
	return EX_OK;
}

static int cmd_rpsl(struct cli *c, struct store *s)
{
	if (c->argc < 3)
		return cli_fail(-EINVAL, "contacts import-rpsl: which files? ('-' reads stdin)");
	struct buf errors;
	buf_init(&errors, 1024 * 1024);
	struct contacts_stats st;
	int r = store_begin(s);
	if (r >= 0)
		r = contacts_import_rpsl(s, (const char *const *)c->argv + 2, (size_t)c->argc - 2, &st, &errors);
	fputs(buf_str(&errors), stderr);
	if (st.problems > CONTACTS_ERRORS_SHOWN)
		fprintf(stderr, "... and %llu more problems\n", (unsigned long long)(st.problems - CONTACTS_ERRORS_SHOWN));
	buf_free(&errors);
	uint64_t kept = st.ranges - (uint64_t)st.dropped;
	char *detail = xasprintf("%llu objects, %llu ranges with an abuse contact", (unsigned long long)st.objects,
				 (unsigned long long)kept);
	int code = finish(c, s, r, "contacts-import-rpsl", detail);
	free(detail);
	if (code != EX_OK)
		return code;
	if (c->json) {
		json_t *j = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "objects", (json_int_t)st.objects, "ranges",
				      (json_int_t)kept, "without_contact", (json_int_t)(st.dropped + (int64_t)st.unreferenced),
				      "handles", (json_int_t)st.handles, "malformed", (json_int_t)st.malformed, "refused",
				      (json_int_t)st.refused, "problems", (json_int_t)st.problems);
		json_dumpf(j, stdout, JSON_SORT_KEYS);
		putchar('\n');
		json_decref(j);
	} else {
		printf("contacts: %llu objects read; %llu ranges with an abuse contact loaded; %llu ranges without one "
		       "(their enclosing range applies); %llu malformed and %llu refused objects skipped\n",
		       (unsigned long long)st.objects, (unsigned long long)kept,
		       (unsigned long long)(st.unreferenced + (uint64_t)st.dropped), (unsigned long long)st.malformed,
		       (unsigned long long)st.refused);
	}
	return EX_OK;
}

static int cmd_overrides(struct cli *c, struct store *s)
{
	if (c->argc != 3)
		return cli_fail(-EINVAL, "contacts import-overrides: one file");
	struct buf errors;
	buf_init(&errors, 1024 * 1024);
	size_t n = 0;
	int r = store_begin(s);
	if (r >= 0)
		r = contacts_import_overrides(s, c->argv[2], &n, &errors);
	fputs(buf_str(&errors), stderr);
	buf_free(&errors);
	char *detail = xasprintf("%zu overrides", n);
	int code = finish(c, s, r, "contacts-import-overrides", detail);
	free(detail);
	if (code == EX_OK)
		printf("contacts: %zu overrides loaded\n", n);
	return code;
}

static int cmd_status(struct cli *c, struct store *s)
{
	int64_t rir = 0, over = 0, version = 0;
	int r = store_contact_count(s, false, &rir);
	if (r >= 0)
		r = store_contact_count(s, true, &over);
	if (r >= 0)
		r = store_routing_version(s, &version);
	if (r < 0)
		return cli_fail(r, "contacts status: %s", store_errmsg(s));
	if (c->json) {
		json_t *j = json_pack("{s:I, s:I, s:I}", "rir_ranges", (json_int_t)rir, "overrides", (json_int_t)over,
				      "routing_version", (json_int_t)version);
		json_dumpf(j, stdout, JSON_SORT_KEYS);
		putchar('\n');
		json_decref(j);
	} else {
		printf("contacts: %lld RIR ranges, %lld overrides (routing data version %lld)\n", (long long)rir,
		       (long long)over, (long long)version);
	}
	return EX_OK;
}

static int run(struct cli *c)
{
	static const struct {
		const char *name;
		int (*fn)(struct cli *, struct store *);
	} subs[] = { { "import-rpsl", cmd_rpsl }, { "import-overrides", cmd_overrides }, { "status", cmd_status } };
	for (size_t i = 0; c->argc >= 2 && i < sizeof(subs) / sizeof(subs[0]); i++) {
		if (strcmp(c->argv[1], subs[i].name))
			continue;
		struct store *s;
		int r = cli_open_store(c, &s);
		if (r < 0)
			return cli_exit_code(r);
		int code = subs[i].fn(c, s);
		store_close(s);
		return code;
	}
	return cli_fail(-EINVAL, "contacts: usage: %s", cmd_contacts.usage);
}

const struct cli_command cmd_contacts = {
	"contacts", run,
	"Load external abuse contacts from RIR data (RPSL, gzip or plain) or the overrides file.",
	"contacts import-rpsl FILE... [--json]\n       contacts import-overrides FILE\n       contacts status [--json]",
};
