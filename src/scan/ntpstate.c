#include "scan/ntpstate.h"

#include <sys/timex.h>
#include <unistd.h>

void ntpstate_probe(const char *timesync_flag, struct ntpstate *ret)
{
	*ret = (struct ntpstate){ NTPSTATE_UNKNOWN, "not known", -1 };
	if (!timesync_flag)
		timesync_flag = "/run/systemd/timesync/synchronized";
	if (access(timesync_flag, F_OK) == 0) {
		ret->sync = NTPSTATE_SYNCED;
		ret->how = "systemd-timesyncd";
	}
	struct timex tx = { .modes = 0 };
	int r = adjtimex(&tx);
	if (r < 0)
		return;
	if (ret->sync == NTPSTATE_SYNCED) {
		ret->esterror_us = tx.esterror;
		return;
	}
	/* TIME_ERROR or STA_UNSYNC: the kernel says nobody disciplines the clock. */
	if (r == TIME_ERROR || (tx.status & STA_UNSYNC) || tx.maxerror >= NTPSTATE_MAXERROR_OK) {
		ret->sync = NTPSTATE_UNSYNCED;
		ret->how = "kernel NTP status";
		return;
	}
	ret->sync = NTPSTATE_SYNCED;
	ret->how = "kernel NTP status";
	ret->esterror_us = tx.esterror;
}
