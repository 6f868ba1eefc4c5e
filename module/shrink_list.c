// SPDX-License-Identifier: GPL-2.0
/*
 * shrink_list.c - what shrink_folio_list() decides about the folios it is
 * given, per node, and what the LRU shrinkers report around it.
 *
 * shrink_folio_list(folio_list, pgdat, sc, stat, ignore_references) is
 * the one place where reclaim decides, folio by folio, to free, keep,
 * activate, write back or give up (seed 003 walks every exit).  It zeroes
 * *stat on entry and fills it; a kretprobe reads it at return.  Callers:
 * shrink_inactive_list() (classic LRU), evict_folios() (MGLRU), and the
 * rarer reclaim_folio_list() (MADV_PAGEOUT, DAMON) and
 * reclaim_clean_pages_from_list() (CMA): all are counted here.
 *
 * mm_vmscan_lru_shrink_inactive fires once per shrink_inactive_list(),
 * and, since 6.7, once per MGLRU evict_folios(); its nr_reclaimed is what
 * /proc/vmstat counts as pgsteal.  mm_vmscan_lru_shrink_active fires in
 * shrink_active_list() (classic LRU only).
 */
#include <linux/kprobes.h>
#include <linux/mmzone.h>
#include <linux/seq_file.h>
#include <trace/events/vmscan.h>

#include <reclaimscope/compat.h>
#include <reclaimscope/core.h>
#include <reclaimscope/counters.h>
#include <reclaimscope/stalls.h>

enum {
	SL_CALLS,
	SL_TOTAL_NS,
	SL_NR_RECLAIMED,
	SL_INACTIVE_CALLS,
	SL_INACTIVE_SCANNED_ANON,
	SL_INACTIVE_SCANNED_FILE,
	SL_INACTIVE_RECLAIMED_ANON,
	SL_INACTIVE_RECLAIMED_FILE,
	SL_ACTIVE_CALLS,
	SL_ACTIVE_TAKEN,
	SL_ACTIVE_KEPT,
	SL_ACTIVE_DEACTIVATED,
	SL_ACTIVE_REFERENCED,
	SL_MAX_NS,
	SL_CTX,			/* <context>_calls, <context>_ns per context */
	SL_HIST = SL_CTX + 2 * RS_CTX_NR,
	NR_SL_KEYS = SL_HIST + RS_HIST_BUCKETS,
};

static const char * const sl_keys[NR_SL_KEYS] = {
	[SL_CALLS] = "calls",
	[SL_TOTAL_NS] = "total_ns",
	[SL_NR_RECLAIMED] = "nr_reclaimed",
	[SL_INACTIVE_CALLS] = "inactive_calls",
	[SL_INACTIVE_SCANNED_ANON] = "inactive_scanned_anon",
	[SL_INACTIVE_SCANNED_FILE] = "inactive_scanned_file",
	[SL_INACTIVE_RECLAIMED_ANON] = "inactive_reclaimed_anon",
	[SL_INACTIVE_RECLAIMED_FILE] = "inactive_reclaimed_file",
	[SL_ACTIVE_CALLS] = "active_calls",
	[SL_ACTIVE_TAKEN] = "active_taken",
	[SL_ACTIVE_KEPT] = "active_kept",
	[SL_ACTIVE_DEACTIVATED] = "active_deactivated",
	[SL_ACTIVE_REFERENCED] = "active_referenced",
	[SL_CTX + 2 * RS_CTX_KSWAPD] = "kswapd_calls",
	[SL_CTX + 2 * RS_CTX_KSWAPD + 1] = "kswapd_ns",
	[SL_CTX + 2 * RS_CTX_DIRECT] = "direct_calls",
	[SL_CTX + 2 * RS_CTX_DIRECT + 1] = "direct_ns",
	[SL_CTX + 2 * RS_CTX_MEMCG] = "memcg_calls",
	[SL_CTX + 2 * RS_CTX_MEMCG + 1] = "memcg_ns",
	[SL_CTX + 2 * RS_CTX_OTHER] = "other_calls",
	[SL_CTX + 2 * RS_CTX_OTHER + 1] = "other_ns",
};

struct sl_call {
	u64 start;
	struct reclaim_stat *stat;
	int nid;
	enum rs_ctx ctx;
};

static struct rs_counters sl_ctrs;
/*
 * One key per struct reclaim_stat field this kernel has (at most
 * SL_STAT_KEYS: struct reclaim_stat has 11 to 13 of them).
 */
#define SL_STAT_KEYS	16
static_assert(RS_STAT_NR_FIELDS <= SL_STAT_KEYS);
static struct rs_counters sl_stat_ctrs;
static const struct rs_stat_field *sl_stat_fields;
static unsigned int sl_nr_stat_fields;
static struct rs_counters sl_in_flight;	/* a gauge: never reset */

/*
 * A shrink_folio_list() call begins and ends: what its hook does, apart
 * from the hook's own hit count, whatever kind of hook it is (the
 * kretprobe below; make bench also runs them on an fprobe).  Per call:
 * one clock read at each end, the node's row checked once per counter
 * set, every key written with one this_cpu op, the histogram bucket
 * found without a division, the maximum written only when it grows.
 */
static __always_inline void sl_begin(struct sl_call *call, pg_data_t *pgdat,
				     struct reclaim_stat *stat)
{
	int nid = pgdat->node_id;
	enum rs_ctx ctx = rs_reclaim_context();
	u64 __percpu *row;

	call->nid = nid;
	call->stat = stat;
	call->ctx = ctx;
	call->start = rs_now();
	if (likely(rs_counter_row(&sl_ctrs, nid, NR_SL_KEYS - 1, &row))) {
		rs_row_inc(row, SL_CALLS);
		rs_row_inc(row, SL_CTX + 2 * ctx);
	}
	rs_counter_inc(&sl_in_flight, nid, 0);
}

static __always_inline void sl_end(const struct sl_call *call,
				   unsigned int nr_reclaimed)
{
	u64 ns = rs_since(call->start);
	int nid = call->nid;
	u64 __percpu *row;

	rs_counter_dec(&sl_in_flight, nid, 0);
	if (likely(rs_counter_row(&sl_ctrs, nid, NR_SL_KEYS - 1, &row))) {
		rs_row_add(row, SL_NR_RECLAIMED, nr_reclaimed);
		rs_row_latency(row, SL_TOTAL_NS, SL_MAX_NS, SL_HIST, ns);
		rs_row_add(row, SL_CTX + 2 * call->ctx + 1, ns);
	}
	/* The caller's reclaim_stat is still live: we run before it resumes. */
	if (likely(rs_counter_row(&sl_stat_ctrs, nid, RS_STAT_NR_FIELDS - 1,
				  &row)))
		rs_reclaim_stat_add(row, call->stat);
}

/* shrink_folio_list(folio_list, pgdat, sc, stat, ...) */
static int sl_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	rs_hook_hit(rs_hook_from_instance(ri));
	sl_begin((struct sl_call *)ri->data,
		 (pg_data_t *)regs_get_kernel_argument(regs, 1),
		 (struct reclaim_stat *)regs_get_kernel_argument(regs, 3));
	return 0;
}

static int sl_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	sl_end((const struct sl_call *)ri->data,
	       (unsigned int)regs_return_value(regs));
	return 0;
}

static void rs_probe_lru_shrink_inactive(void *data, int nid,
					 unsigned long nr_scanned,
					 unsigned long nr_reclaimed,
					 struct reclaim_stat *stat,
					 int priority, int file)
{
	/* Classic LRU passes 0/1, MGLRU an LRU_INACTIVE_* index. */
	bool is_file = file != 0;
	u64 __percpu *row;

	rs_hook_hit(data);
	if (unlikely(!rs_counter_row(&sl_ctrs, nid, NR_SL_KEYS - 1, &row)))
		return;
	rs_row_inc(row, SL_INACTIVE_CALLS);
	rs_row_add(row, is_file ? SL_INACTIVE_SCANNED_FILE :
		   SL_INACTIVE_SCANNED_ANON, nr_scanned);
	rs_row_add(row, is_file ? SL_INACTIVE_RECLAIMED_FILE :
		   SL_INACTIVE_RECLAIMED_ANON, nr_reclaimed);
}

RS_CHECK_TP_PROTO(mm_vmscan_lru_shrink_inactive, rs_probe_lru_shrink_inactive);

static void rs_probe_lru_shrink_active(void *data, int nid,
				       unsigned long nr_taken,
				       unsigned long nr_active,
				       unsigned long nr_deactivated,
				       unsigned long nr_referenced,
				       int priority, int file)
{
	u64 __percpu *row;

	rs_hook_hit(data);
	if (unlikely(!rs_counter_row(&sl_ctrs, nid, NR_SL_KEYS - 1, &row)))
		return;
	rs_row_inc(row, SL_ACTIVE_CALLS);
	rs_row_add(row, SL_ACTIVE_TAKEN, nr_taken);
	rs_row_add(row, SL_ACTIVE_KEPT, nr_active);
	rs_row_add(row, SL_ACTIVE_DEACTIVATED, nr_deactivated);
	rs_row_add(row, SL_ACTIVE_REFERENCED, nr_referenced);
}

RS_CHECK_TP_PROTO(mm_vmscan_lru_shrink_active, rs_probe_lru_shrink_active);

static struct rs_hook sl_hooks[] = {
	{
		.name = "shrink_folio_list",
		.alt_name = "shrink_page_list",	/* before the folio rename */
		.kind = RS_HOOK_KRETPROBE,
		.entry_handler = sl_entry,
		.handler = sl_return,
		.data_size = sizeof(struct sl_call),
		/*
		 * Every direct reclaimer can be inside at once, and it
		 * sleeps there (writeback, cond_resched()).
		 */
		.maxactive = 512,
	},
	RS_TRACEPOINT("mm_vmscan_lru_shrink_inactive", rs_probe_lru_shrink_inactive),
	RS_TRACEPOINT("mm_vmscan_lru_shrink_active", rs_probe_lru_shrink_active),
};

static int shrink_list_show(struct seq_file *m, void *v)
{
	int nid = rs_file_nid(m);
	unsigned int i;

	rs_counters_show(m, &sl_ctrs, nid);
	for (i = 0; i < sl_nr_stat_fields; i++)
		rs_kv_u64(m, sl_stat_fields[i].key,
			  rs_counter_sum(&sl_stat_ctrs, nid, i));
	rs_kv_s64(m, "in_flight", rs_counter_gauge(&sl_in_flight, nid, 0));
	rs_kv_u64(m, "max_ns", rs_counter_max(&sl_ctrs, nid, SL_MAX_NS));
	rs_counter_hist_show(m, &sl_ctrs, nid, SL_HIST);
	return 0;
}
RS_DEFINE_SHOW_ATTRIBUTE(shrink_list);

static void shrink_list_node_files(struct dentry *dir, int nid)
{
	rs_file("shrink_list", RS_FILE_MODE, dir, rs_nid_private(nid),
		&shrink_list_fops);
}

static int shrink_list_init(void)
{
	sl_stat_fields = rs_reclaim_stat_fields(&sl_nr_stat_fields);
	return sl_nr_stat_fields <= SL_STAT_KEYS ? 0 : -EINVAL;
}

static const struct rs_counter_decl sl_counters[] = {
	RS_PER_NODE(&sl_ctrs, NR_SL_KEYS, sl_keys),
	RS_PER_NODE(&sl_stat_ctrs, SL_STAT_KEYS, NULL),
	RS_PER_NODE_GAUGE(&sl_in_flight),
};

const struct rs_feature rs_shrink_list_feature = {
	.name = "shrink_list",
	.hooks = sl_hooks,
	.nr_hooks = ARRAY_SIZE(sl_hooks),
	.counters = sl_counters,
	.nr_counters = ARRAY_SIZE(sl_counters),
	.init = shrink_list_init,
	.node_files = shrink_list_node_files,
};
