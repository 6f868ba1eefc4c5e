// SPDX-License-Identifier: GPL-2.0
/*
 * direct_compaction.c - allocating tasks that stall in compaction.
 *
 * __alloc_pages_direct_compact() (mm/page_alloc.c) calls
 * try_to_compact_pages() and, unless it returns COMPACT_SKIPPED, counts
 * a compact_stall in /proc/vmstat.  try_to_compact_pages() fires
 * mm_compaction_try_to_compact_pages(order, gfp_mask, prio) once it has
 * decided that the allocation may compact (an allocation that may not
 * returns COMPACT_SKIPPED before it); a kretprobe on the function sees
 * its result.  So:
 *
 *   calls          the tracepoint, per order as order<K>_calls
 *   stalls         returns other than COMPACT_SKIPPED (deferred included):
 *                  the kernel's compact_stall up to 6.x
 *   deferred       of those, returns of COMPACT_DEFERRED (every zone's
 *                  compaction deferred): 7.x's allocator does not count
 *                  them in compact_stall, so there it is stalls - deferred
 *   skipped        returns of COMPACT_SKIPPED
 *   completed      stalls whose begin was seen: they are timed (total_ns,
 *                  max_ns, histogram) and counted per order (order<K>_stalls)
 *   unpaired_ends  stalls whose begin was not seen (began before load)
 *
 * The begin is matched to the return per task (pairs.h), the order kept
 * in the pair slot.  Stalls are charged to the task and its cgroup
 * (stalls.h) at the return, where the kernel decides they are stalls.
 */
#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/sched.h>
/* compaction.h needs mm.h and sched.h first. */
#include <linux/compaction.h>
#include <linux/seq_file.h>

struct compact_control;
#include <trace/events/compaction.h>

#include <reclaimscope/compat.h>
#include <reclaimscope/core.h>
#include <reclaimscope/counters.h>
#include <reclaimscope/pairs.h>
#include <reclaimscope/stalls.h>

/* Orders 0 to 15; a larger one (none on x86) is counted as 15. */
#define DC_ORDERS	16

enum {
	DC_CALLS,
	DC_STALLS,
	DC_DEFERRED,
	DC_SKIPPED,
	DC_COMPLETED,
	DC_UNPAIRED_ENDS,
	DC_TOTAL_NS,
	DC_MAX_NS,
	DC_HIST,
	DC_ORDER_CALLS = DC_HIST + RS_HIST_BUCKETS,
	DC_ORDER_STALLS = DC_ORDER_CALLS + DC_ORDERS,
	NR_DC_KEYS = DC_ORDER_STALLS + DC_ORDERS,
};

/* Printed by rs_counters_show(); the rest by direct_compaction_show(). */
static const char * const dc_keys[NR_DC_KEYS] = {
	[DC_CALLS] = "calls",
	[DC_STALLS] = "stalls",
	[DC_DEFERRED] = "deferred",
	[DC_SKIPPED] = "skipped",
	[DC_COMPLETED] = "completed",
	[DC_UNPAIRED_ENDS] = "unpaired_ends",
	[DC_TOTAL_NS] = "total_ns",
};

/* 1024 slots: far more tasks than can be compacting at once. */
#define DC_PAIR_BITS 10

static struct rs_counters dc_ctrs;
static struct rs_counters dc_in_flight;	/* a gauge: never reset */
static struct rs_pairs dc_pairs;

#ifdef CONFIG_COMPACTION
static void rs_probe_try_to_compact_pages(void *data, int order,
					  gfp_t gfp_mask, int prio)
{
	unsigned int o = min_t(unsigned int, order, DC_ORDERS - 1);

	rs_hook_hit(data);
	rs_counter_inc(&dc_ctrs, 0, DC_CALLS);
	rs_counter_inc(&dc_ctrs, 0, DC_ORDER_CALLS + o);
	/* A task that is already in the table replaces its old begin. */
	if (rs_pairs_begin(&dc_pairs, current, rs_now(), o))
		rs_counter_inc(&dc_in_flight, 0, 0);
}

RS_CHECK_TP_PROTO(mm_compaction_try_to_compact_pages,
		  rs_probe_try_to_compact_pages);

/* try_to_compact_pages() returns: the result decides what it was. */
static int dc_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	enum compact_result result = regs_return_value(regs);
	bool began;
	u64 start, ns = 0;
	int order;

	rs_hook_hit(rs_hook_from_instance(ri));
	began = rs_pairs_end(&dc_pairs, current, &start, &order);
	if (began) {
		ns = rs_since(start);
		rs_counter_dec(&dc_in_flight, 0, 0);
	}
	if (result == COMPACT_SKIPPED) {
		rs_counter_inc(&dc_ctrs, 0, DC_SKIPPED);
		return 0;
	}
	rs_counter_inc(&dc_ctrs, 0, DC_STALLS);
	if (result == COMPACT_DEFERRED)
		rs_counter_inc(&dc_ctrs, 0, DC_DEFERRED);
	if (!began) {
		rs_counter_inc(&dc_ctrs, 0, DC_UNPAIRED_ENDS);
		rs_stall_account(RS_STALL_COMPACT, 1, 0, 0);
		return 0;
	}
	rs_counter_inc(&dc_ctrs, 0, DC_COMPLETED);
	rs_counter_inc(&dc_ctrs, 0, DC_ORDER_STALLS + order);
	rs_latency_add(&dc_ctrs, 0, DC_TOTAL_NS, DC_MAX_NS, DC_HIST, ns);
	rs_stall_account(RS_STALL_COMPACT, 1, ns, 0);
	return 0;
}

#define RS_PROBE_TRY_TO_COMPACT rs_probe_try_to_compact_pages
#else
/* No compaction: both hooks show as missing, every key reads 0. */
#define RS_PROBE_TRY_TO_COMPACT NULL
#endif

/* The tracepoint (begin) before the kretprobe (end): see hooks.h. */
static struct rs_hook dc_hooks[] = {
	RS_TRACEPOINT("mm_compaction_try_to_compact_pages",
		      RS_PROBE_TRY_TO_COMPACT),
	{
		.name = "try_to_compact_pages",
		.kind = RS_HOOK_KRETPROBE,
		.handler = dc_return,
		/*
		 * Every allocating task can be inside at once, and it sleeps
		 * there (migration, cond_resched()).
		 */
		.maxactive = 512,
	},
};

static int direct_compaction_show(struct seq_file *m, void *v)
{
	unsigned int o;
	char key[32];

	rs_counters_show(m, &dc_ctrs, 0);
	rs_kv_u64(m, "max_ns", rs_counter_max(&dc_ctrs, 0, DC_MAX_NS));
	rs_kv_s64(m, "in_flight", rs_counter_gauge(&dc_in_flight, 0, 0));
	/* Only the orders seen since load or reset. */
	for (o = 0; o < DC_ORDERS; o++) {
		u64 calls = rs_counter_sum(&dc_ctrs, 0, DC_ORDER_CALLS + o);
		u64 stalls = rs_counter_sum(&dc_ctrs, 0, DC_ORDER_STALLS + o);

		if (!calls && !stalls)
			continue;
		snprintf(key, sizeof(key), "order%u_calls", o);
		rs_kv_u64(m, key, calls);
		snprintf(key, sizeof(key), "order%u_stalls", o);
		rs_kv_u64(m, key, stalls);
	}
	rs_counter_hist_show(m, &dc_ctrs, 0, DC_HIST);
	return 0;
}
RS_DEFINE_SHOW_ATTRIBUTE(direct_compaction);

static void direct_compaction_files(struct dentry *root)
{
	rs_file("direct_compaction", RS_FILE_MODE, root, NULL,
		&direct_compaction_fops);
}

static const struct rs_counter_decl dc_counters[] = {
	RS_SINGLE(&dc_ctrs, NR_DC_KEYS, dc_keys),
	RS_SINGLE_GAUGE(&dc_in_flight, 1),
};

static const struct rs_pairs_decl dc_pairs_decl[] = {
	{ &dc_pairs, DC_PAIR_BITS },
};

const struct rs_feature rs_direct_compaction_feature = {
	.name = "direct_compaction",
	.hooks = dc_hooks,
	.nr_hooks = ARRAY_SIZE(dc_hooks),
	.counters = dc_counters,
	.nr_counters = ARRAY_SIZE(dc_counters),
	.pairs = dc_pairs_decl,
	.nr_pairs = ARRAY_SIZE(dc_pairs_decl),
	.files = direct_compaction_files,
};
