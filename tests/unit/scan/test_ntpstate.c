#include <criterion/criterion.h>
#include <stdio.h>
#include <unistd.h>

#include "scan/ntpstate.h"

/* timesyncd's flag file decides when present; without it the kernel's
 * status does, and the answer is one of the three states either way. */
Test(ntpstate, timesyncd_flag_file)
{
	char path[] = "/tmp/abusedesk-ntpstate-XXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0, "mkstemp failed");
	close(fd);
	struct ntpstate st;
	ntpstate_probe(path, &st);
	cr_expect_eq(st.sync, NTPSTATE_SYNCED, "with the flag file: got %d, want synced", st.sync);
	cr_expect_str_eq(st.how, "systemd-timesyncd", "how got %s", st.how);
	unlink(path);
	ntpstate_probe(path, &st);
	cr_expect(st.sync == NTPSTATE_SYNCED || st.sync == NTPSTATE_UNSYNCED || st.sync == NTPSTATE_UNKNOWN,
		  "without it: got %d", st.sync);
	cr_expect(strcmp(st.how, "systemd-timesyncd"), "without the flag file: how got %s", st.how);
}
