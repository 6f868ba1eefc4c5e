// SPDX-License-Identifier: GPL-2.0
/*
 * memcg_reclaim.c - tasks that stall to reclaim for a memory cgroup.
 *
 * try_to_free_mem_cgroup_pages() (mm/vmscan.c) is bracketed by
 * mm_vmscan_memcg_reclaim_begin and mm_vmscan_memcg_reclaim_end
 * (nr_reclaimed); mem_cgroup_shrink_node(), cgroup v1's soft limit
 * reclaim, by mm_vmscan_memcg_softlimit_reclaim_begin/_end.  Begins are
 * matched to ends per task, as for direct reclaim (memcg_reclaim.h has
 * the logic): a stall is charged to the task that reclaimed, whatever
 * cgroup's limit it reclaimed for.  Memcg reclaim has no node of its own
 * (it walks every node of the cgroup), so the file is a single one.
 *
 * Up to 7.0 the begin events are (order, gfp_flags) and the ends
 * (nr_reclaimed); from 7.1 the begins are (gfp_flags, order, memcg) and
 * the ends (nr_reclaimed, memcg).  Each event has a probe per prototype
 * and the one that matches this kernel's is attached (compat.h,
 * RS_TP_PROBE()).  The memcg is not looked at.
 *
 * The four events exist only with CONFIG_MEMCG.  Without it no probe is
 * built, the hooks show as missing, and every key reads 0: there is no
 * memcg reclaim on such a kernel.
 */
#include <linux/sched.h>
#include <linux/seq_file.h>

/* Opaque: only passed through by the 7.1+ events. */
struct mem_cgroup;
#include <trace/events/vmscan.h>

#include <reclaimscope/compat.h>
#include <reclaimscope/core.h>
#include <reclaimscope/counters.h>
#include <reclaimscope/memcg_reclaim.h>
#include <reclaimscope/pairs.h>
#include <reclaimscope/stalls.h>

static const char * const mr_keys[RS_MR_NR_KEYS] = {
	/* Limit reclaim is the stall: its begins are "stalls". */
	[RS_MR_LIMIT_KEYS + RS_MR_CALLS] = "stalls",
	[RS_MR_LIMIT_KEYS + RS_MR_UNTRACKED] = "untracked",
	[RS_MR_LIMIT_KEYS + RS_MR_COMPLETED] = "completed",
	[RS_MR_LIMIT_KEYS + RS_MR_UNPAIRED_ENDS] = "unpaired_ends",
	[RS_MR_LIMIT_KEYS + RS_MR_NR_RECLAIMED] = "nr_reclaimed",
	[RS_MR_LIMIT_KEYS + RS_MR_TOTAL_NS] = "total_ns",
	[RS_MR_SOFTLIMIT_KEYS + RS_MR_CALLS] = "softlimit_calls",
	[RS_MR_SOFTLIMIT_KEYS + RS_MR_UNTRACKED] = "softlimit_untracked",
	[RS_MR_SOFTLIMIT_KEYS + RS_MR_COMPLETED] = "softlimit_completed",
	[RS_MR_SOFTLIMIT_KEYS + RS_MR_UNPAIRED_ENDS] = "softlimit_unpaired_ends",
	[RS_MR_SOFTLIMIT_KEYS + RS_MR_NR_RECLAIMED] = "softlimit_nr_reclaimed",
	[RS_MR_SOFTLIMIT_KEYS + RS_MR_TOTAL_NS] = "softlimit_total_ns",
};

/* The in_flight gauges, one per kind. */
static const char * const mr_in_flight_keys[RS_MR_KINDS] = {
	[RS_MR_LIMIT] = "in_flight",
	[RS_MR_SOFTLIMIT] = "softlimit_in_flight",
};

/* 1024 slots per kind: far more tasks than can be in reclaim at once. */
#define MR_PAIR_BITS 10

/* Limit reclaim's table is counted: rs_reclaim_context() asks it often. */
static struct rs_mr mr = { .pairs[RS_MR_LIMIT].counted = true };

bool rs_in_memcg_reclaim(void)
{
	return rs_pairs_holds(&mr.pairs[RS_MR_LIMIT], current);
}

#ifdef CONFIG_MEMCG
/* Limit reclaim is a stall of the task, charged to it and its cgroup. */
static void mr_limit_begin(void)
{
	rs_mr_begin(&mr, RS_MR_LIMIT, current, rs_now());
	rs_stall_account(RS_STALL_MEMCG, 1, 0, 0);
}

static void mr_limit_end(unsigned long nr_reclaimed)
{
	u64 ns;

	if (rs_mr_end(&mr, RS_MR_LIMIT, current, rs_now(), nr_reclaimed, &ns))
		rs_stall_account(RS_STALL_MEMCG, 0, ns, nr_reclaimed);
}

/* Soft limit reclaim is part of a kswapd or direct reclaim pass. */
static void mr_softlimit_end(unsigned long nr_reclaimed)
{
	u64 ns;

	rs_mr_end(&mr, RS_MR_SOFTLIMIT, current, rs_now(), nr_reclaimed, &ns);
}

static void rs_probe_memcg_reclaim_begin(void *data, int order,
					 gfp_t gfp_flags)
{
	rs_hook_hit(data);
	mr_limit_begin();
}

static void rs_probe_memcg_reclaim_begin_memcg(void *data, gfp_t gfp_flags,
					       int order,
					       struct mem_cgroup *memcg)
{
	rs_hook_hit(data);
	mr_limit_begin();
}

RS_CHECK_TP_PROTO_EITHER(mm_vmscan_memcg_reclaim_begin,
			 rs_probe_memcg_reclaim_begin,
			 rs_probe_memcg_reclaim_begin_memcg);

static void rs_probe_memcg_reclaim_end(void *data, unsigned long nr_reclaimed)
{
	rs_hook_hit(data);
	mr_limit_end(nr_reclaimed);
}

static void rs_probe_memcg_reclaim_end_memcg(void *data,
					     unsigned long nr_reclaimed,
					     struct mem_cgroup *memcg)
{
	rs_hook_hit(data);
	mr_limit_end(nr_reclaimed);
}

RS_CHECK_TP_PROTO_EITHER(mm_vmscan_memcg_reclaim_end,
			 rs_probe_memcg_reclaim_end,
			 rs_probe_memcg_reclaim_end_memcg);

static void rs_probe_softlimit_begin(void *data, int order, gfp_t gfp_flags)
{
	rs_hook_hit(data);
	rs_mr_begin(&mr, RS_MR_SOFTLIMIT, current, rs_now());
}

static void rs_probe_softlimit_begin_memcg(void *data, gfp_t gfp_flags,
					   int order, struct mem_cgroup *memcg)
{
	rs_hook_hit(data);
	rs_mr_begin(&mr, RS_MR_SOFTLIMIT, current, rs_now());
}

RS_CHECK_TP_PROTO_EITHER(mm_vmscan_memcg_softlimit_reclaim_begin,
			 rs_probe_softlimit_begin,
			 rs_probe_softlimit_begin_memcg);

static void rs_probe_softlimit_end(void *data, unsigned long nr_reclaimed)
{
	rs_hook_hit(data);
	mr_softlimit_end(nr_reclaimed);
}

static void rs_probe_softlimit_end_memcg(void *data,
					 unsigned long nr_reclaimed,
					 struct mem_cgroup *memcg)
{
	rs_hook_hit(data);
	mr_softlimit_end(nr_reclaimed);
}

RS_CHECK_TP_PROTO_EITHER(mm_vmscan_memcg_softlimit_reclaim_end,
			 rs_probe_softlimit_end,
			 rs_probe_softlimit_end_memcg);

#define RS_PROBE_MEMCG_BEGIN						\
	RS_TP_PROBE(mm_vmscan_memcg_reclaim_begin,			\
		    rs_probe_memcg_reclaim_begin,			\
		    rs_probe_memcg_reclaim_begin_memcg)
#define RS_PROBE_MEMCG_END						\
	RS_TP_PROBE(mm_vmscan_memcg_reclaim_end,			\
		    rs_probe_memcg_reclaim_end,				\
		    rs_probe_memcg_reclaim_end_memcg)
#define RS_PROBE_SOFTLIMIT_BEGIN					\
	RS_TP_PROBE(mm_vmscan_memcg_softlimit_reclaim_begin,		\
		    rs_probe_softlimit_begin,				\
		    rs_probe_softlimit_begin_memcg)
#define RS_PROBE_SOFTLIMIT_END						\
	RS_TP_PROBE(mm_vmscan_memcg_softlimit_reclaim_end,		\
		    rs_probe_softlimit_end,				\
		    rs_probe_softlimit_end_memcg)
#else
#define RS_PROBE_MEMCG_BEGIN NULL
#define RS_PROBE_MEMCG_END NULL
#define RS_PROBE_SOFTLIMIT_BEGIN NULL
#define RS_PROBE_SOFTLIMIT_END NULL
#endif

/* Each begin before its end: hooks attach last to first (hooks.h). */
static struct rs_hook mr_hooks[] = {
	RS_TRACEPOINT("mm_vmscan_memcg_reclaim_begin", RS_PROBE_MEMCG_BEGIN),
	RS_TRACEPOINT("mm_vmscan_memcg_reclaim_end", RS_PROBE_MEMCG_END),
	RS_TRACEPOINT("mm_vmscan_memcg_softlimit_reclaim_begin",
		      RS_PROBE_SOFTLIMIT_BEGIN),
	RS_TRACEPOINT("mm_vmscan_memcg_softlimit_reclaim_end",
		      RS_PROBE_SOFTLIMIT_END),
};

static int memcg_reclaim_show(struct seq_file *m, void *v)
{
	unsigned int kind;

	rs_counters_show(m, &mr.ctrs, 0);
	for (kind = 0; kind < RS_MR_KINDS; kind++)
		rs_kv_s64(m, mr_in_flight_keys[kind],
			  rs_counter_gauge(&mr.in_flight, 0, kind));
	rs_kv_u64(m, "max_ns", rs_counter_max(&mr.ctrs, 0, RS_MR_MAX_NS));
	rs_counter_hist_show(m, &mr.ctrs, 0, RS_MR_HIST);
	return 0;
}
RS_DEFINE_SHOW_ATTRIBUTE(memcg_reclaim);

static void memcg_reclaim_files(struct dentry *root)
{
	rs_file("memcg_reclaim", RS_FILE_MODE, root, NULL, &memcg_reclaim_fops);
}

/*
 * On reset, tasks inside reclaim keep their slots and in_flight is a
 * gauge: their ends are paired after the reset and counted as completed
 * calls whose begin was before it.
 */
static const struct rs_counter_decl mr_counters[] = {
	RS_SINGLE(&mr.ctrs, RS_MR_NR_KEYS, mr_keys),
	RS_SINGLE_GAUGE(&mr.in_flight, RS_MR_KINDS),
};

static const struct rs_pairs_decl mr_pairs_decl[] = {
	{ &mr.pairs[RS_MR_LIMIT], MR_PAIR_BITS },
	{ &mr.pairs[RS_MR_SOFTLIMIT], MR_PAIR_BITS },
};

const struct rs_feature rs_memcg_reclaim_feature = {
	.name = "memcg_reclaim",
	.hooks = mr_hooks,
	.nr_hooks = ARRAY_SIZE(mr_hooks),
	.counters = mr_counters,
	.nr_counters = ARRAY_SIZE(mr_counters),
	.pairs = mr_pairs_decl,
	.nr_pairs = ARRAY_SIZE(mr_pairs_decl),
	.files = memcg_reclaim_files,
};
