/* Fuzzes the contacts overrides file parser (overrides and policy lines):
 * whatever it accepts holds only valid ranges, mail addresses and option
 * values. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "contacts/contacts.h"
#include "net/mailbox.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct contacts_overrides o;
	struct buf errors;
	buf_init(&errors, 1 << 20);
	if (contacts_overrides_parse("fuzz", str_make((const char *)data, size), &o, &errors) == 0) {
		for (size_t i = 0; i < o.n_contacts; i++)
			if (!mailbox_is_valid(str_from(o.contacts[i].mailbox)) || ip_compare(&o.contacts[i].first, &o.contacts[i].last) > 0)
				abort();
		for (size_t i = 0; i < o.n_policies; i++) {
			const struct net_policy *p = &o.policies[i];
			if (p->xarf < -1 || p->xarf > 1 || (!*p->mailbox && !p->first.family) || (p->xarf < 0 && !p->has_auto))
				abort();
		}
		contacts_overrides_clear(&o);
	}
	buf_free(&errors);
	return 0;
}
