/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wmark.h - watermark and dirty-limit arithmetic, kept free of kernel
 * state so that KUnit can check it with made-up zones.
 *
 * The kernel's own checks (__zone_watermark_ok(), node_dirty_limit()) are
 * not exported; these follow them for the simple case they document.
 */
#ifndef _RECLAIMSCOPE_WMARK_H
#define _RECLAIMSCOPE_WMARK_H

#ifdef RS_HAVE_LINUX_MATH_H
#include <linux/math.h>
#else
#include <linux/kernel.h>	/* DIV_ROUND_UP() in 5.10 */
#endif
#include <linux/minmax.h>
#include <linux/types.h>

/* One zone's free pages and raw watermarks (boost not added). */
struct rs_wmark {
	unsigned long free;
	unsigned long min;
	unsigned long low;
	unsigned long high;
	unsigned long boost;
};

/* Order-0 check: free pages at or above @wmark plus the boost. */
static inline bool rs_wmark_ok(const struct rs_wmark *w, unsigned long wmark)
{
	return w->free >= wmark + w->boost;
}

/* Free pages above the low watermark plus boost; negative below it. */
static inline long rs_wmark_headroom_low(const struct rs_wmark *w)
{
	return (long)w->free - (long)(w->low + w->boost);
}

/* What node_dirtyable_memory() counts for one node, in pages. */
static inline unsigned long rs_dirtyable(unsigned long free,
					 unsigned long reserve,
					 unsigned long file_lru)
{
	return free - min(free, reserve) + file_lru;
}

/*
 * node_dirty_limit(): with vm.dirty_bytes set, that many bytes shared out
 * by the node's share of dirtyable memory; otherwise vm.dirty_ratio
 * percent of the node's dirtyable memory.  (The kernel adds a quarter for
 * real-time tasks; a reader of debugfs is not one.)  Capped at UINT_MAX
 * pages like the kernel's.
 */
static inline unsigned long rs_node_dirty_limit(unsigned long node_dirtyable,
						unsigned long global_dirtyable,
						unsigned long dirty_ratio,
						unsigned long dirty_bytes,
						unsigned long page_size)
{
	unsigned long dirty;

	if (dirty_bytes)
		dirty = global_dirtyable ?
			DIV_ROUND_UP(dirty_bytes, page_size) * node_dirtyable /
			global_dirtyable : 0;
	else
		dirty = dirty_ratio * node_dirtyable / 100;
	/* The kernel keeps limits in 32 bits of pages. */
	return min_t(unsigned long, dirty, UINT_MAX);
}

#endif /* _RECLAIMSCOPE_WMARK_H */
