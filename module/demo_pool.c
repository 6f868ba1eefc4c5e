// SPDX-License-Identifier: GPL-2.0
/*
 * demo_pool.c - the pool behind the demo shrinker (see demo.h).
 */
#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/mm.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <reclaimscope/counters.h>
#include <reclaimscope/demo.h>

int rs_demo_pool_init(struct rs_demo_pool *p, unsigned int nr_nodes,
		      unsigned long cap)
{
	unsigned int i;

	p->nodes = kcalloc(nr_nodes, sizeof(*p->nodes), GFP_KERNEL);
	if (!p->nodes)
		return -ENOMEM;
	for (i = 0; i < nr_nodes; i++) {
		spin_lock_init(&p->nodes[i].lock);
		INIT_LIST_HEAD(&p->nodes[i].pages);
	}
	p->nr_nodes = nr_nodes;
	p->cap = cap;
	atomic_long_set(&p->total, 0);
	return 0;
}

void rs_demo_pool_destroy(struct rs_demo_pool *p)
{
	if (!p->nodes)
		return;
	rs_demo_drain(p);
	kfree(p->nodes);
	p->nodes = NULL;
}

static void rs_demo_free_list(struct list_head *list)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, list, lru) {
		list_del(&page->lru);
		__free_page(page);
	}
}

/*
 * Add @count pages on node @nid.  Return: how many were added, or
 * -ERANGE when the pool would pass its cap (nothing is allocated),
 * -ENOMEM when not one page could be had, -EINVAL for a bad node.
 */
long rs_demo_grow(struct rs_demo_pool *p, unsigned long count, int nid)
{
	struct rs_demo_node *n;
	LIST_HEAD(list);
	unsigned long i;

	if (nid < 0 || nid >= p->nr_nodes || !count)
		return -EINVAL;
	if (count > p->cap)
		return -ERANGE;
	/* Reserve first, so that concurrent growers cannot pass the cap. */
	if (atomic_long_add_return(count, &p->total) > p->cap) {
		atomic_long_sub(count, &p->total);
		return -ERANGE;
	}
	for (i = 0; i < count; i++) {
		struct page *page = alloc_pages_node(nid, GFP_KERNEL |
						     __GFP_THISNODE |
						     __GFP_NORETRY |
						     __GFP_NOWARN, 0);

		if (!page)
			break;
		list_add(&page->lru, &list);
		cond_resched();
	}
	atomic_long_sub(count - i, &p->total);
	if (!i)
		return -ENOMEM;

	n = &p->nodes[nid];
	spin_lock(&n->lock);
	list_splice(&list, &n->pages);
	n->count += i;
	spin_unlock(&n->lock);
	return i;
}

unsigned long rs_demo_drain(struct rs_demo_pool *p)
{
	unsigned long freed = 0;
	unsigned int i;

	for (i = 0; i < p->nr_nodes; i++) {
		struct rs_demo_node *n = &p->nodes[i];
		LIST_HEAD(list);

		spin_lock(&n->lock);
		list_splice_init(&n->pages, &list);
		freed += n->count;
		n->count = 0;
		spin_unlock(&n->lock);
		rs_demo_free_list(&list);
	}
	atomic_long_sub(freed, &p->total);
	return freed;
}

/* Objects on node @nid: 0 when there are none. */
unsigned long rs_demo_count(struct rs_demo_pool *p, int nid)
{
	if (nid < 0 || nid >= p->nr_nodes)
		return 0;
	return READ_ONCE(p->nodes[nid].count);
}

/*
 * Free at most @nr_to_scan objects of node @nid.  Never waits for the
 * lock: if a grower or drainer holds it, give up with SHRINK_STOP, as
 * when there is nothing to free.  Return: the number freed.
 */
unsigned long rs_demo_scan(struct rs_demo_pool *p, int nid,
			   unsigned long nr_to_scan, unsigned long *nr_scanned)
{
	struct rs_demo_node *n;
	unsigned long k = 0;
	LIST_HEAD(list);

	*nr_scanned = 0;
	if (nid < 0 || nid >= p->nr_nodes)
		return SHRINK_STOP;
	n = &p->nodes[nid];
	if (!spin_trylock(&n->lock))
		return SHRINK_STOP;
	while (k < nr_to_scan && !list_empty(&n->pages)) {
		list_move(n->pages.next, &list);
		k++;
	}
	n->count -= k;
	spin_unlock(&n->lock);

	rs_demo_free_list(&list);
	atomic_long_sub(k, &p->total);
	*nr_scanned = k;
	return k ? k : SHRINK_STOP;
}

/*
 * Parse "<count>" or "<count> <node>", decimal digits only (the form
 * rs_write_copy() checked, newline already dropped).  @nid is set to -1
 * when no node is given.  Return: 0 or -EINVAL.
 */
int rs_demo_parse_grow(const char *buf, unsigned long *count, int *nid)
{
	char tmp[32], *sp;
	unsigned long node;
	size_t len = strlen(buf);

	if (!len || len >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, buf, len + 1);

	*nid = -1;
	sp = strchr(tmp, ' ');
	if (sp) {
		*sp = '\0';
		if (rs_parse_decimal(sp + 1, INT_MAX, &node))
			return -EINVAL;
		*nid = node;
	}
	if (rs_parse_decimal(tmp, ULONG_MAX, count) || !*count)
		return -EINVAL;
	return 0;
}
