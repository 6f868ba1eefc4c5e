// SPDX-License-Identifier: GPL-2.0
/*
 * rs-frag NODE - fragment one NUMA node's free memory, then hold it so.
 *
 * Used by tests/guest/scenarios/fragment.sh.  Bound to NODE
 * (set_mempolicy(MPOL_BIND)), it maps and mlocks anonymous memory in
 * small steps until the node has no free block of pageblock order or
 * more (read from /proc/buddyinfo): the page allocator hands out the
 * smallest free blocks first, so by then all of the node's free memory
 * is in it.  Then it unmaps every other page.  What is left free on the
 * node is single pages between locked ones: no free block above order 0
 * anywhere, so
 *
 *  - an unmovable allocation that finds no unmovable page falls back to
 *    one page of a movable pageblock, which boosts the zone's watermark
 *    (steal_suitable_fallback() -> boost_watermark());
 *  - a huge page allocation must compact, and compaction cannot move
 *    mlocked pages when vm.compact_unevictable_allowed is 0, so it
 *    fails and is deferred.
 *
 * It prints "rs-frag ready <locked pages> <freed pages>" and sleeps until
 * killed.  The caller keeps the node above its min watermark by lowering
 * vm.min_free_kbytes while the tool fills the node.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MPOL_BIND		2
#define PAGEBLOCK_ORDER		9
#define STEP_PAGES		64
#define MAX_STEPS		65536

/*
 * Free blocks of order >= PAGEBLOCK_ORDER on node @nid, all zones, from
 * /proc/buddyinfo ("Node 1, zone   DMA32  n0 n1 ... n10").
 */
static long large_free_blocks(int nid)
{
	char line[512];
	long total = 0;
	FILE *f = fopen("/proc/buddyinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *end;
		int node, order = 0;
		long n;

		if (sscanf(line, "Node %d,", &node) != 1 || node != nid)
			continue;
		p = strstr(line, "zone");
		if (!p)
			continue;
		p += 4;
		while (*p == ' ')
			p++;
		while (*p && *p != ' ')	/* the zone's name */
			p++;
		for (;;) {
			n = strtol(p, &end, 10);
			if (end == p)
				break;
			if (order >= PAGEBLOCK_ORDER)
				total += n;
			order++;
			p = end;
		}
	}
	fclose(f);
	return total;
}

int main(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE), steps = 0, freed = 0, i, j;
	unsigned long mask;
	char **area;
	int nid;

	if (argc != 2) {
		fprintf(stderr, "usage: rs-frag NODE\n");
		return 2;
	}
	nid = atoi(argv[1]);
	if (nid < 0 || nid >= 64) {
		fprintf(stderr, "rs-frag: bad node %s\n", argv[1]);
		return 2;
	}
	mask = 1UL << nid;
	if (syscall(SYS_set_mempolicy, MPOL_BIND, &mask, 64) != 0) {
		perror("rs-frag: set_mempolicy");
		return 1;
	}
	area = calloc(MAX_STEPS, sizeof(*area));
	if (!area)
		return 1;

	while (steps < MAX_STEPS && large_free_blocks(nid) > 0) {
		char *p = mmap(NULL, STEP_PAGES * page, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			perror("rs-frag: mmap");
			return 1;
		}
		/* Base pages only: a huge page would not leave holes. */
		madvise(p, STEP_PAGES * page, MADV_NOHUGEPAGE);
		if (mlock(p, STEP_PAGES * page) != 0) {
			perror("rs-frag: mlock");
			return 1;
		}
		area[steps++] = p;
	}
	if (large_free_blocks(nid) != 0) {
		fprintf(stderr, "rs-frag: node %d still has free pageblocks\n",
			nid);
		return 1;
	}

	/* Every other page back: holes of one page between locked pages. */
	for (i = 0; i < steps; i++) {
		for (j = 1; j < STEP_PAGES; j += 2) {
			if (munmap(area[i] + j * page, page) != 0) {
				perror("rs-frag: munmap");
				return 1;
			}
			freed++;
		}
	}
	printf("rs-frag ready %ld %ld\n", steps * STEP_PAGES - freed, freed);
	fflush(stdout);
	for (;;)
		pause();
}
