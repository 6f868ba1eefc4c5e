// SPDX-License-Identifier: GPL-2.0
/*
 * rs-now: print CLOCK_MONOTONIC in nanoseconds, for timing a workload in
 * the guest (busybox's date has no %N; /proc/uptime has 10 ms steps).
 * Under QEMU's -icount the guest's clock follows the instructions the
 * guest executed: make bench's whole-workload run times with this.
 */
#include <stdio.h>
#include <time.h>

int main(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts)) {
		perror("rs-now: clock_gettime");
		return 1;
	}
	printf("%lld\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
	return 0;
}
