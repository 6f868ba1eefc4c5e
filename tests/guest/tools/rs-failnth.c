// SPDX-License-Identifier: GPL-2.0
/*
 * rs-failnth N load MODULE [PARAMS]
 * rs-failnth N write FILE STRING
 *
 * Fails the N-th fault-injectable call (slab allocation, page allocation,
 * ...) this thread makes from the moment it is armed, through the
 * kernel's /proc/thread-self/fail-nth (CONFIG_FAULT_INJECTION): during a
 * finit_module() of MODULE, or during one write() of STRING to FILE (the
 * file is opened before arming).  Which calls are injectable is set in
 * /sys/kernel/debug/failslab and fail_page_alloc (the caller clears
 * their ignore-gfp-wait so that GFP_KERNEL allocations count).
 *
 * Prints "rs-failnth <N> <load|write> ret=<return> rc=<0 or errno>
 * injected=<0|1>": ret is what finit_module() or write() returned (a
 * short write shows here), injected=0 means the call made fewer than N
 * injectable calls, so no failure was injected.  Exits 0 once it has
 * printed that line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int failnth_fd;

static void arm(const char *n)
{
	failnth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (failnth_fd < 0 || write(failnth_fd, n, strlen(n)) < 0) {
		perror("fail-nth");
		exit(2);
	}
}

/* 1 when the failure was injected; disarms it when it was not. */
static int injected(void)
{
	char buf[32] = "";
	ssize_t r = pread(failnth_fd, buf, sizeof(buf) - 1, 0);
	int left = r > 0 ? atoi(buf) : -1;

	if (left > 0 && write(failnth_fd, "0", 1) < 0)
		perror("fail-nth");
	close(failnth_fd);
	return left == 0;
}

int main(int argc, char **argv)
{
	long ret;
	int fd, rc;

	if (argc < 4 || (strcmp(argv[2], "load") && argc < 5)) {
		fprintf(stderr,
			"usage: rs-failnth N load MODULE [PARAMS] | N write FILE STRING\n");
		return 2;
	}
	fd = open(argv[3], strcmp(argv[2], "load") ? O_WRONLY : O_RDONLY);
	if (fd < 0) {
		perror(argv[3]);
		return 2;
	}
	arm(argv[1]);
	if (!strcmp(argv[2], "load"))
		ret = syscall(SYS_finit_module, fd, argc > 4 ? argv[4] : "", 0);
	else
		ret = write(fd, argv[4], strlen(argv[4]));
	rc = ret < 0 ? errno : 0;
	printf("rs-failnth %s %s ret=%ld rc=%d injected=%d\n", argv[1], argv[2],
	       ret, rc, injected());
	close(fd);
	return 0;
}
