// SPDX-License-Identifier: GPL-2.0
/*
 * rs-frag NODE - fragment one NUMA node's free memory, then hold it so.
 *
 * Used by tests/guest/scenarios/fragment.sh.  Bound to NODE
 * (set_mempolicy(MPOL_BIND)), it takes the node's free memory in two
 * phases (free blocks are read from /proc/pagetypeinfo):
 *
 *  1. it maps and mlocks anonymous memory in small steps while the node
 *     has more than SAFE_PAGES free.  The page allocator hands out the
 *     smallest free blocks first, so what is left is mostly free blocks
 *     of pageblock order or more;
 *  2. it takes those as huge pages of the node's hugetlb pool, one at a
 *     time, until none is left.  A huge page allocation that cannot be
 *     met fails (__GFP_RETRY_MAYFAIL) where a page fault would call the
 *     OOM killer: CI once saw a fill by faults alone end in it.
 *
 * Then it unmaps every other locked page.  What is left free on the node
 * is single pages between locked ones, and the few small blocks phase 1
 * left: no free block of pageblock order anywhere, so
 *
 *  - an unmovable allocation that finds no unmovable page falls back to
 *    part of a movable pageblock, which boosts the zone's watermark
 *    (steal_suitable_fallback() -> boost_watermark());
 *  - a huge page allocation must compact, and compaction cannot move
 *    mlocked pages when vm.compact_unevictable_allowed is 0, so it
 *    fails and is deferred.
 *
 * It prints "rs-frag ready <locked pages> <freed pages> <huge pages>"
 * and sleeps until killed; the caller empties the hugetlb pool.  The
 * caller also lowers vm.min_free_kbytes while the tool fills the node.
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
/* Phase 1 ends with this much free on the node (16 MiB). */
#define SAFE_PAGES		4096
#define MAX_HUGE_PAGES		(2 * SAFE_PAGES >> PAGEBLOCK_ORDER)
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

/* What a movable allocation on @nid can take, from /proc/pagetypeinfo. */
struct node_free {
	long large_blocks;	/* free blocks of order >= PAGEBLOCK_ORDER */
	long pages;		/* free pages, all orders */
};

/*
 * Only the Unmovable, Movable and Reclaimable free lists count: a
 * movable allocation takes its own, and steals from the other two when
 * its own is empty.  HighAtomic, CMA and Isolate blocks are free too
 * (and so in /proc/buddyinfo) but out of its reach: a node whose only
 * large free block is a high-order atomic reserve is already full.
 *
 * The lines read are "Node    1, zone    DMA32, type      Movable  n0 .. n10"
 * (a count the kernel caps is printed as ">100000").  With @echo, every
 * line of the node, the pageblock counts too, is copied there.
 */
static int read_node_free(int nid, struct node_free *nf, FILE *echo)
{
	static const char * const usable[] = {
		"Unmovable", "Movable", "Reclaimable",
	};
	char line[512], type[32];
	FILE *f = fopen("/proc/pagetypeinfo", "r");

	if (!f)
		return -1;
	nf->large_blocks = 0;
	nf->pages = 0;
	while (fgets(line, sizeof(line), f)) {
		char *p, *end;
		int node, order = 0, len = 0;
		unsigned int i;
		long n;

		if (sscanf(line, "Node %d,", &node) != 1 || node != nid)
			continue;
		if (echo)
			fputs(line, echo);
		if (sscanf(line, "Node %*d, zone %*s type %31s %n",
			   type, &len) != 1 || !len)
			continue;
		for (i = 0; i < ARRAY_SIZE(usable); i++)
			if (!strcmp(type, usable[i]))
				break;
		if (i == ARRAY_SIZE(usable))
			continue;
		for (p = line + len; ; p = end, order++) {
			while (*p == ' ' || *p == '>')
				p++;
			n = strtol(p, &end, 10);
			if (end == p)
				break;
			nf->pages += n << order;
			if (order >= PAGEBLOCK_ORDER)
				nf->large_blocks += n;
		}
	}
	fclose(f);
	return 0;
}

/*
 * One more huge page in node @nid's hugetlb pool: 1 when the pool grew,
 * 0 when the kernel could not find one, -1 on error.
 */
static int grow_hugetlb_pool(int nid)
{
	char path[128];
	long before, after;
	FILE *f;

	snprintf(path, sizeof(path),
		 "/sys/devices/system/node/node%d/hugepages/hugepages-2048kB/nr_hugepages",
		 nid);
	f = fopen(path, "r+");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &before) != 1 || fseek(f, 0, SEEK_SET) ||
	    fprintf(f, "%ld\n", before + 1) < 0 || fflush(f)) {
		fclose(f);
		return -1;
	}
	rewind(f);
	if (fscanf(f, "%ld", &after) != 1)
		after = -1;
	fclose(f);
	if (after < 0)
		return -1;
	return after > before;
}

int main(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE), steps = 0, freed = 0, huge = 0, i, j;
	struct node_free nf;
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

	/* Phase 1: small steps of mlocked memory, down to SAFE_PAGES. */
	for (;;) {
		char *p;

		if (read_node_free(nid, &nf, NULL) != 0) {
			perror("rs-frag: /proc/pagetypeinfo");
			return 1;
		}
		if (!nf.large_blocks || nf.pages < SAFE_PAGES)
			break;
		if (steps == MAX_STEPS) {
			fprintf(stderr, "rs-frag: node %d: %ld free pages after %ld steps\n",
				nid, nf.pages, steps);
			return 1;
		}
		p = mmap(NULL, STEP_PAGES * page, PROT_READ | PROT_WRITE,
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

	/* Phase 2: the free pageblocks left, as huge pages. */
	while (nf.large_blocks && huge < MAX_HUGE_PAGES) {
		int grew = grow_hugetlb_pool(nid);

		if (grew < 0) {
			perror("rs-frag: nr_hugepages");
			return 1;
		}
		if (!grew)
			break;
		huge++;
		if (read_node_free(nid, &nf, NULL) != 0) {
			perror("rs-frag: /proc/pagetypeinfo");
			return 1;
		}
	}
	if (nf.large_blocks) {
		fprintf(stderr,
			"rs-frag: node %d: %ld free pageblocks left after %ld huge pages\n",
			nid, nf.large_blocks, huge);
		read_node_free(nid, &nf, stderr);
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
	printf("rs-frag ready %ld %ld %ld\n", steps * STEP_PAGES - freed, freed,
	       huge);
	fflush(stdout);
	for (;;)
		pause();
}
