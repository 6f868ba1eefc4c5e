/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memcg_reclaim.h - memory cgroup reclaim, begins matched to ends per task.
 *
 * Two kinds of memcg reclaim are bracketed by tracepoints whose end names
 * neither the task nor (before 7.1) the cgroup:
 *
 * - limit reclaim, try_to_free_mem_cgroup_pages(): a task charging a
 *   cgroup at memory.max, or over memory.high on its way back to user
 *   space, a write to memory.max, memory.high or memory.reclaim, or the
 *   memcg high work item: mm_vmscan_memcg_reclaim_begin/_end;
 * - soft limit reclaim, mem_cgroup_shrink_node(): global reclaim (kswapd
 *   or a direct reclaimer) shrinking a cgroup v1 group over its
 *   memory.soft_limit_in_bytes first:
 *   mm_vmscan_memcg_softlimit_reclaim_begin/_end.  Never on cgroup v2.
 *
 * Each kind has its own pair table, so that a soft limit pass inside a
 * reclaim of another kind could never take the other's slot.  The logic
 * is here, as inlines on a struct rs_mr the caller owns, so that KUnit
 * can drive it with its own tasks and clock.
 */
#ifndef _RECLAIMSCOPE_MEMCG_RECLAIM_H
#define _RECLAIMSCOPE_MEMCG_RECLAIM_H

#include <linux/types.h>

#include <reclaimscope/counters.h>
#include <reclaimscope/pairs.h>

enum rs_mr_kind {
	RS_MR_LIMIT,		/* try_to_free_mem_cgroup_pages() */
	RS_MR_SOFTLIMIT,	/* mem_cgroup_shrink_node() */
	RS_MR_KINDS,
};

/* The keys of one kind; kind K's are at K * RS_MR_PER_KIND (rs_mr_key()). */
enum {
	RS_MR_CALLS,		/* begins */
	RS_MR_UNTRACKED,	/* begins the pair table had no slot for */
	RS_MR_COMPLETED,	/* ends matched to their begin */
	RS_MR_UNPAIRED_ENDS,	/* ends whose begin was not seen */
	RS_MR_NR_RECLAIMED,	/* pages, over completed calls */
	RS_MR_TOTAL_NS,		/* time, over completed calls */
	RS_MR_PER_KIND,
};

/* Where each kind's keys begin. */
enum {
	RS_MR_LIMIT_KEYS = RS_MR_LIMIT * RS_MR_PER_KIND,
	RS_MR_SOFTLIMIT_KEYS = RS_MR_SOFTLIMIT * RS_MR_PER_KIND,
};

/* Then the latency of limit reclaim: its maximum and histogram. */
enum {
	RS_MR_MAX_NS = RS_MR_KINDS * RS_MR_PER_KIND,
	RS_MR_HIST,
	RS_MR_NR_KEYS = RS_MR_HIST + RS_HIST_BUCKETS,
};

/**
 * struct rs_mr - the counters and pair tables of memcg reclaim
 * @ctrs: RS_MR_NR_KEYS keys, one slot
 * @in_flight: a gauge per kind (key = kind), one slot: never reset
 * @pairs: a pair table per kind, keyed by task
 */
struct rs_mr {
	struct rs_counters ctrs;
	struct rs_counters in_flight;
	struct rs_pairs pairs[RS_MR_KINDS];
};

static __always_inline unsigned int rs_mr_key(enum rs_mr_kind kind,
					      unsigned int key)
{
	return kind * RS_MR_PER_KIND + key;
}

/* @task begins a reclaim of @kind at @now (ns). */
static __always_inline void rs_mr_begin(struct rs_mr *mr, enum rs_mr_kind kind,
					const void *task, u64 now)
{
	rs_counter_inc(&mr->ctrs, 0, rs_mr_key(kind, RS_MR_CALLS));
	if (rs_pairs_begin(&mr->pairs[kind], task, now, 0))
		rs_counter_inc(&mr->in_flight, 0, kind);
	else
		rs_counter_inc(&mr->ctrs, 0, rs_mr_key(kind, RS_MR_UNTRACKED));
}

/*
 * @task ends a reclaim of @kind at @now, having reclaimed @nr_reclaimed
 * pages; true, with its time in *@ns, when its begin was seen.  Only an
 * end matched to its begin is counted as completed, with its pages and
 * its time, so that completed, nr_reclaimed and total_ns describe the
 * same calls; limit reclaim also feeds max_ns and the histogram (soft
 * limit reclaim is part of a kswapd or direct reclaim pass, whose own
 * files time it).
 */
static __always_inline bool rs_mr_end(struct rs_mr *mr, enum rs_mr_kind kind,
				      const void *task, u64 now,
				      unsigned long nr_reclaimed, u64 *ns)
{
	u64 start;
	int nid;

	if (!rs_pairs_end(&mr->pairs[kind], task, &start, &nid)) {
		/* Began before the module was loaded, or not tracked. */
		rs_counter_inc(&mr->ctrs, 0, rs_mr_key(kind, RS_MR_UNPAIRED_ENDS));
		return false;
	}
	/* The clock may step back by a hair between CPUs (core.h). */
	*ns = now > start ? now - start : 0;
	rs_counter_dec(&mr->in_flight, 0, kind);
	rs_counter_inc(&mr->ctrs, 0, rs_mr_key(kind, RS_MR_COMPLETED));
	rs_counter_add(&mr->ctrs, 0, rs_mr_key(kind, RS_MR_NR_RECLAIMED),
		       nr_reclaimed);
	if (kind == RS_MR_LIMIT)
		rs_latency_add(&mr->ctrs, 0, rs_mr_key(kind, RS_MR_TOTAL_NS),
			       RS_MR_MAX_NS, RS_MR_HIST, *ns);
	else
		rs_counter_add(&mr->ctrs, 0, rs_mr_key(kind, RS_MR_TOTAL_NS), *ns);
	return true;
}

#endif /* _RECLAIMSCOPE_MEMCG_RECLAIM_H */
