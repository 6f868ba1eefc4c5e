/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pairs.h - match a begin event with its end, per task, without locks.
 *
 * Some tracepoints come in begin/end pairs whose end carries neither the
 * task nor the node (mm_vmscan_direct_reclaim_end, ..._node_reclaim_end),
 * and the task may sleep and move to another CPU in between, so per-CPU
 * storage cannot hold the begin.  A pair table is a fixed array of slots,
 * allocated at load, claimed with cmpxchg() by the beginning task and
 * released by the same task at the end.  Nothing is allocated and no lock
 * is taken in the probes.  When the table is full (more tasks inside
 * than slots probed), the begin is not tracked and its end is not found.
 */
#ifndef _RECLAIMSCOPE_PAIRS_H
#define _RECLAIMSCOPE_PAIRS_H

#include <linux/atomic.h>
#include <linux/types.h>

struct rs_pair_slot {
	const void *key;	/* the task, or NULL when free */
	u64 ts;
	int nid;
};

/*
 * @counted (set in the table's static definition, before
 * rs_pairs_init()): keep @held, the number of slots held, so that
 * rs_pairs_holds() answers at once for a table nobody holds.  It costs
 * an atomic add on one shared line per begin and end, so only tables
 * that are asked often and held rarely (direct and memcg reclaim, asked
 * on every shrink_folio_list() call) count.
 */
struct rs_pairs {
	struct rs_pair_slot *slots;
	unsigned int bits;
	bool counted;
	atomic_t held;
};

/* How many consecutive slots a begin or end looks at. */
#define RS_PAIR_PROBES	16

int rs_pairs_init(struct rs_pairs *p, unsigned int bits);
void rs_pairs_free(struct rs_pairs *p);
bool rs_pairs_begin(struct rs_pairs *p, const void *key, u64 ts, int nid);
bool rs_pairs_holds(struct rs_pairs *p, const void *key);
bool rs_pairs_end(struct rs_pairs *p, const void *key, u64 *ts, int *nid);

#endif /* _RECLAIMSCOPE_PAIRS_H */
