/* The log formats in detection order. Specific before general: nftables
 * before iptables (same fields, told apart by the prefix); the generic
 * fallback last. Adding one: docs/LOGFMT.md. */
#include "evidence/logfmt/formats.h"

#include <errno.h>
#include <string.h>

static const struct logfmt_format formats[] = {
	{ "suricata", logfmt_suricata_parse },
	{ "zeek", logfmt_zeek_parse },
	{ "nftables", logfmt_nftables_parse },
	{ "iptables", logfmt_iptables_parse },
	{ "sshd", logfmt_sshd_parse },
	{ "postfix", logfmt_postfix_parse },
	{ "asa", logfmt_asa_parse },
	{ "pf", logfmt_pf_parse },
	{ "fail2ban", logfmt_fail2ban_parse },
	{ "exim", logfmt_exim_parse },
	{ "winfw", logfmt_winfw_parse },
	{ "apache", logfmt_access_parse },
	{ "generic", logfmt_generic_parse },
};

size_t logfmt_count(void)
{
	return sizeof(formats) / sizeof(formats[0]);
}

const struct logfmt_format *logfmt_get(size_t i)
{
	return i < logfmt_count() ? &formats[i] : NULL;
}

int logfmt_find(const char *name)
{
	for (size_t i = 0; i < logfmt_count(); i++)
		if (strcmp(formats[i].name, name) == 0)
			return (int)i;
	return -ENOENT;
}
