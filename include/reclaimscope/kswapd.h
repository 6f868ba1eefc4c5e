/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kswapd.h - what kswapd.c gives other features.
 */
#ifndef _RECLAIMSCOPE_KSWAPD_H
#define _RECLAIMSCOPE_KSWAPD_H

#include <linux/atomic.h>
#include <linux/types.h>

/* Node @nid's kswapd is awake as the hooks saw it (woken, not asleep). */
bool rs_kswapd_awake(int nid);

/*
 * The start of a kswapd's awake time, in ns, 0 while it sleeps, has
 * three writers: the wake probe (0 -> t), the sleep probe (t -> 0) and
 * reset (t -> now).  Each transition is one atomic step that names the
 * value it replaces, so none undoes another: a reset racing the sleep
 * probe never brings back a start the probe has just taken, which would
 * leave a sleeping node reading "awake 1".
 */
static inline void rs_awake_begin(u64 *since, u64 now)
{
	if (!READ_ONCE(*since))
		cmpxchg(since, 0, now ?: 1);
}

/* Awake -> asleep: the start this sleep ends, or 0 if it was not awake. */
static inline u64 rs_awake_end(u64 *since)
{
	return xchg(since, 0);
}

/* Reset: a start read as @old moves to @now, unless kswapd slept since. */
static inline void rs_awake_restart(u64 *since, u64 old, u64 now)
{
	if (old)
		cmpxchg(since, old, now ?: 1);
}

#endif /* _RECLAIMSCOPE_KSWAPD_H */
