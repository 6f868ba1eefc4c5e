/* SPDX-License-Identifier: GPL-2.0 */
/*
 * demo.h - the demo shrinker's pool: objects that cost real memory (one
 * page each), kept on a private per-node list.  The pool logic takes no
 * shrinker and no debugfs state, so KUnit drives it directly.
 */
#ifndef _RECLAIMSCOPE_DEMO_H
#define _RECLAIMSCOPE_DEMO_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>

struct rs_demo_node {
	spinlock_t lock;		/* protects pages and count */
	struct list_head pages;		/* linked through page->lru */
	unsigned long count;
};

struct rs_demo_pool {
	struct rs_demo_node *nodes;
	unsigned int nr_nodes;
	unsigned long cap;		/* most objects the pool may hold */
	atomic_long_t total;		/* held, plus reserved by growers */
};

int rs_demo_pool_init(struct rs_demo_pool *p, unsigned int nr_nodes,
		      unsigned long cap);
void rs_demo_pool_destroy(struct rs_demo_pool *p);
long rs_demo_grow(struct rs_demo_pool *p, unsigned long count, int nid);
unsigned long rs_demo_drain(struct rs_demo_pool *p);
unsigned long rs_demo_count(struct rs_demo_pool *p, int nid);
unsigned long rs_demo_scan(struct rs_demo_pool *p, int nid,
			   unsigned long nr_to_scan, unsigned long *nr_scanned);
int rs_demo_parse_grow(const char *buf, unsigned long *count, int *nid);

#endif /* _RECLAIMSCOPE_DEMO_H */
