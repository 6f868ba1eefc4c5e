// SPDX-License-Identifier: GPL-2.0
/*
 * direct_reclaim.c - allocating tasks that stall to reclaim themselves.
 *
 * try_to_free_pages() (mm/vmscan.c), called from the allocator's slow path
 * when kswapd has not kept up, is bracketed by
 * mm_vmscan_direct_reclaim_begin(order, gfp) and
 * mm_vmscan_direct_reclaim_end(nr_reclaimed).  The end names neither task
 * nor node, so begins are matched to ends per task in a pair table
 * (pairs.h).  A stall is attributed to the node of the CPU the allocating
 * task ran on when it began.
 *
 * __node_reclaim() (zone_reclaim_mode) is bracketed the same way by
 * mm_vmscan_node_reclaim_begin(nid, ...) and ..._end(nr_reclaimed), and
 * reclaim_throttle() reports every throttled reclaimer, kswapd included,
 * with mm_vmscan_throttled(nid, ..., reason) (not in 5.10: the hook is
 * missing there and the throttled_* keys stay 0).
 *
 * From 7.1 the begin event is (gfp_flags, order, memcg) and the end
 * events carry the memcg too: each has a probe per prototype, and the
 * one that matches this kernel's is attached (compat.h, RS_TP_PROBE()).
 * The memcg is not looked at (yet).
 */
#include <linux/mmzone.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/topology.h>

/* Opaque: only passed through by the 7.1+ events. */
struct mem_cgroup;
#include <trace/events/vmscan.h>

#include <reclaimscope/compat.h>
#include <reclaimscope/core.h>
#include <reclaimscope/counters.h>
#include <reclaimscope/pairs.h>
#include <reclaimscope/stalls.h>

enum {
	DR_STALLS,
	DR_UNTRACKED,
	DR_COMPLETED,
	DR_UNPAIRED_ENDS,
	DR_NR_RECLAIMED,
	DR_TOTAL_NS,
	DR_THROTTLED_WRITEBACK,
	DR_THROTTLED_ISOLATED,
	DR_THROTTLED_NOPROGRESS,
	DR_THROTTLED_CONGESTED,
	DR_THROTTLED_OTHER,
	DR_NODE_RECLAIM_CALLS,
	DR_NODE_RECLAIM_NR_RECLAIMED,
	DR_NODE_RECLAIM_TOTAL_NS,
	DR_MAX_NS,
	DR_HIST,
	NR_DR_KEYS = DR_HIST + RS_HIST_BUCKETS,
};

static const char * const dr_keys[NR_DR_KEYS] = {
	[DR_STALLS] = "stalls",
	[DR_UNTRACKED] = "untracked",
	[DR_COMPLETED] = "completed",
	[DR_UNPAIRED_ENDS] = "unpaired_ends",
	[DR_NR_RECLAIMED] = "nr_reclaimed",
	[DR_TOTAL_NS] = "total_ns",
	[DR_THROTTLED_WRITEBACK] = "throttled_writeback",
	[DR_THROTTLED_ISOLATED] = "throttled_isolated",
	[DR_THROTTLED_NOPROGRESS] = "throttled_noprogress",
	[DR_THROTTLED_CONGESTED] = "throttled_congested",
	[DR_THROTTLED_OTHER] = "throttled_other",
	[DR_NODE_RECLAIM_CALLS] = "node_reclaim_calls",
	[DR_NODE_RECLAIM_NR_RECLAIMED] = "node_reclaim_nr_reclaimed",
	[DR_NODE_RECLAIM_TOTAL_NS] = "node_reclaim_total_ns",
};

/* 1024 slots: far more tasks than can be in direct reclaim at once. */
#define DR_PAIR_BITS 10

static struct rs_counters dr_ctrs;
static struct rs_counters dr_in_flight;	/* a gauge: never reset */
/* Counted: rs_reclaim_context() asks on every shrink_folio_list(). */
static struct rs_pairs dr_pairs = { .counted = true };
static struct rs_pairs nr_pairs;

bool rs_in_direct_reclaim(void)
{
	return rs_pairs_holds(&dr_pairs, current);
}

static void dr_begin(void)
{
	int nid = numa_node_id();

	rs_counter_inc(&dr_ctrs, nid, DR_STALLS);
	rs_stall_account(RS_STALL_DIRECT, 1, 0, 0);
	if (rs_pairs_begin(&dr_pairs, current, rs_now(), nid))
		rs_counter_inc(&dr_in_flight, nid, 0);
	else
		rs_counter_inc(&dr_ctrs, nid, DR_UNTRACKED);
}

static void rs_probe_direct_reclaim_begin(void *data, int order,
					  gfp_t gfp_flags)
{
	rs_hook_hit(data);
	dr_begin();
}

static void rs_probe_direct_reclaim_begin_memcg(void *data, gfp_t gfp_flags,
						int order,
						struct mem_cgroup *memcg)
{
	rs_hook_hit(data);
	dr_begin();
}

RS_CHECK_TP_PROTO_EITHER(mm_vmscan_direct_reclaim_begin,
			 rs_probe_direct_reclaim_begin,
			 rs_probe_direct_reclaim_begin_memcg);

static void dr_end(unsigned long nr_reclaimed)
{
	u64 start, ns;
	int nid;

	if (!rs_pairs_end(&dr_pairs, current, &start, &nid)) {
		/* Began before the module was loaded, or not tracked. */
		rs_counter_inc(&dr_ctrs, numa_node_id(), DR_UNPAIRED_ENDS);
		return;
	}
	ns = rs_since(start);
	rs_counter_dec(&dr_in_flight, nid, 0);
	rs_counter_inc(&dr_ctrs, nid, DR_COMPLETED);
	rs_counter_add(&dr_ctrs, nid, DR_NR_RECLAIMED, nr_reclaimed);
	rs_latency_add(&dr_ctrs, nid, DR_TOTAL_NS, DR_MAX_NS, DR_HIST, ns);
	rs_stall_account(RS_STALL_DIRECT, 0, ns, nr_reclaimed);
}

static void rs_probe_direct_reclaim_end(void *data, unsigned long nr_reclaimed)
{
	rs_hook_hit(data);
	dr_end(nr_reclaimed);
}

static void rs_probe_direct_reclaim_end_memcg(void *data,
					      unsigned long nr_reclaimed,
					      struct mem_cgroup *memcg)
{
	rs_hook_hit(data);
	dr_end(nr_reclaimed);
}

RS_CHECK_TP_PROTO_EITHER(mm_vmscan_direct_reclaim_end,
			 rs_probe_direct_reclaim_end,
			 rs_probe_direct_reclaim_end_memcg);

static void rs_probe_node_reclaim_begin(void *data, int nid, int order,
					gfp_t gfp_flags)
{
	rs_hook_hit(data);
	rs_counter_inc(&dr_ctrs, nid, DR_NODE_RECLAIM_CALLS);
	rs_pairs_begin(&nr_pairs, current, rs_now(), nid);
}

RS_CHECK_TP_PROTO(mm_vmscan_node_reclaim_begin, rs_probe_node_reclaim_begin);

static void nr_end(unsigned long nr_reclaimed)
{
	u64 start;
	int nid;

	if (!rs_pairs_end(&nr_pairs, current, &start, &nid))
		return;
	rs_counter_add(&dr_ctrs, nid, DR_NODE_RECLAIM_NR_RECLAIMED, nr_reclaimed);
	rs_counter_add(&dr_ctrs, nid, DR_NODE_RECLAIM_TOTAL_NS,
		       rs_since(start));
}

static void rs_probe_node_reclaim_end(void *data, unsigned long nr_reclaimed)
{
	rs_hook_hit(data);
	nr_end(nr_reclaimed);
}

static void rs_probe_node_reclaim_end_memcg(void *data,
					    unsigned long nr_reclaimed,
					    struct mem_cgroup *memcg)
{
	rs_hook_hit(data);
	nr_end(nr_reclaimed);
}

RS_CHECK_TP_PROTO_EITHER(mm_vmscan_node_reclaim_end,
			 rs_probe_node_reclaim_end,
			 rs_probe_node_reclaim_end_memcg);

#ifdef RS_HAVE_TP_THROTTLED
static void rs_probe_throttled(void *data, int nid, int usec_timeout,
			       int usec_delayed, int reason)
{
	unsigned int key;

	rs_hook_hit(data);
	switch (reason) {
	case VMSCAN_THROTTLE_WRITEBACK:
		key = DR_THROTTLED_WRITEBACK;
		break;
	case VMSCAN_THROTTLE_ISOLATED:
		key = DR_THROTTLED_ISOLATED;
		break;
	case VMSCAN_THROTTLE_NOPROGRESS:
		key = DR_THROTTLED_NOPROGRESS;
		break;
	case VMSCAN_THROTTLE_CONGESTED:
		key = DR_THROTTLED_CONGESTED;
		break;
	default:
		key = DR_THROTTLED_OTHER;
		break;
	}
	rs_counter_inc(&dr_ctrs, nid, key);
	/* The task that slept, for as long as it slept. */
	rs_stall_account(RS_STALL_THROTTLED, 1,
			 (u64)max(usec_delayed, 0) * NSEC_PER_USEC, 0);
}

RS_CHECK_TP_PROTO(mm_vmscan_throttled, rs_probe_throttled);
#define RS_PROBE_THROTTLED rs_probe_throttled
#else
#define RS_PROBE_THROTTLED NULL
#endif

static struct rs_hook dr_hooks[] = {
	RS_TRACEPOINT("mm_vmscan_direct_reclaim_begin",
		      RS_TP_PROBE(mm_vmscan_direct_reclaim_begin,
				  rs_probe_direct_reclaim_begin,
				  rs_probe_direct_reclaim_begin_memcg)),
	RS_TRACEPOINT("mm_vmscan_direct_reclaim_end",
		      RS_TP_PROBE(mm_vmscan_direct_reclaim_end,
				  rs_probe_direct_reclaim_end,
				  rs_probe_direct_reclaim_end_memcg)),
	RS_TRACEPOINT("mm_vmscan_node_reclaim_begin", rs_probe_node_reclaim_begin),
	RS_TRACEPOINT("mm_vmscan_node_reclaim_end",
		      RS_TP_PROBE(mm_vmscan_node_reclaim_end,
				  rs_probe_node_reclaim_end,
				  rs_probe_node_reclaim_end_memcg)),
	RS_TRACEPOINT("mm_vmscan_throttled", RS_PROBE_THROTTLED),
};

/* nid < 0: every node together (the top-level file). */
static void dr_show(struct seq_file *m, int nid)
{
	if (nid < 0) {
		rs_counters_show_slots(m, &dr_ctrs);
		rs_kv_s64(m, "in_flight", rs_counter_gauge_slots(&dr_in_flight, 0));
		rs_kv_u64(m, "max_ns", rs_counter_max_slots(&dr_ctrs, DR_MAX_NS));
	} else {
		rs_counters_show(m, &dr_ctrs, nid);
		rs_kv_s64(m, "in_flight", rs_counter_gauge(&dr_in_flight, nid, 0));
		rs_kv_u64(m, "max_ns", rs_counter_max(&dr_ctrs, nid, DR_MAX_NS));
	}
	rs_counter_hist_show(m, &dr_ctrs, nid, DR_HIST);
}

static int direct_reclaim_show(struct seq_file *m, void *v)
{
	dr_show(m, -1);
	return 0;
}
RS_DEFINE_SHOW_ATTRIBUTE(direct_reclaim);

static int node_direct_reclaim_show(struct seq_file *m, void *v)
{
	dr_show(m, rs_file_nid(m));
	return 0;
}
RS_DEFINE_SHOW_ATTRIBUTE(node_direct_reclaim);

static void direct_reclaim_files(struct dentry *root)
{
	rs_file("direct_reclaim", RS_FILE_MODE, root, NULL,
		&direct_reclaim_fops);
}

static void direct_reclaim_node_files(struct dentry *dir, int nid)
{
	rs_file("direct_reclaim", RS_FILE_MODE, dir, rs_nid_private(nid),
		&node_direct_reclaim_fops);
}

/*
 * On reset, tasks inside reclaim keep their slots and in_flight is a
 * gauge: their ends are paired after the reset and counted as completed
 * stalls whose begin was before it.
 */
static const struct rs_counter_decl dr_counters[] = {
	RS_PER_NODE(&dr_ctrs, NR_DR_KEYS, dr_keys),
	RS_PER_NODE_GAUGE(&dr_in_flight),
};

static const struct rs_pairs_decl dr_pairs_decl[] = {
	{ &dr_pairs, DR_PAIR_BITS },
	{ &nr_pairs, DR_PAIR_BITS },
};

const struct rs_feature rs_direct_reclaim_feature = {
	.name = "direct_reclaim",
	.hooks = dr_hooks,
	.nr_hooks = ARRAY_SIZE(dr_hooks),
	.counters = dr_counters,
	.nr_counters = ARRAY_SIZE(dr_counters),
	.pairs = dr_pairs_decl,
	.nr_pairs = ARRAY_SIZE(dr_pairs_decl),
	.files = direct_reclaim_files,
	.node_files = direct_reclaim_node_files,
};
