/*
 * ntpstate: can this machine tell whether its clock is synchronised?
 *
 * The guidance asks a reporter to "check whether your system clock was
 * accurate at the time". We can only see the state now, on this host:
 * systemd-timesyncd's flag file /run/systemd/timesync/synchronized, else
 * the kernel's NTP status from adjtimex(2) (STA_UNSYNC clear and a
 * maximum error below NTPSTATE_MAXERROR_OK). Containers often share the
 * host's kernel status; `timedatectl` needs D-Bus and is not asked.
 * Reading never changes the clock (modes = 0) and never touches the network.
 */
#pragma once
#include <stdint.h>

#define NTPSTATE_MAXERROR_OK 500000	/* microseconds: worse than half a second is not "synchronised" */

enum ntpstate_sync { NTPSTATE_UNKNOWN, NTPSTATE_SYNCED, NTPSTATE_UNSYNCED };

struct ntpstate {
	enum ntpstate_sync sync;
	const char *how;	/* static: "systemd-timesyncd", "kernel NTP status", ... */
	int64_t esterror_us;	/* kernel's estimated error, -1 when not known */
};

/* Probes the host. `timesync_flag` is the path of timesyncd's flag file
 * (NULL for the standard one); tests point it elsewhere. */
void ntpstate_probe(const char *timesync_flag, struct ntpstate *ret);
