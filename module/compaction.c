// SPDX-License-Identifier: GPL-2.0
/*
 * compaction.c - kcompactd and compact_zone() per node, deferral per zone.
 *
 * Call paths (mm/compaction.c):
 *   wakeup_kcompactd()   -> mm_compaction_wakeup_kcompactd (a waker asks;
 *                           also the proactiveness sysctl, with order -1)
 *   kcompactd_do_work()  -> mm_compaction_kcompactd_wake   (= compact_daemon_wake)
 *   kcompactd()          -> mm_compaction_kcompactd_sleep  (every loop, proactive
 *                           timeouts included: not a "went idle" count)
 *   compact_zone()       -> mm_compaction_begin ... mm_compaction_end(status)
 *   compaction_deferred() / defer_compaction() / compaction_defer_reset()
 *                        -> mm_compaction_deferred / _defer_compaction / _defer_reset
 *
 * struct compact_control is private to mm/: the module never looks inside
 * cc.  compact_zone() passes the zone's first and last pfn, and the zone
 * is found by matching them against the online nodes' zones.  In 5.10
 * the begin and end events take (zone_start, migrate_pfn, free_pfn,
 * zone_end, sync) instead of (cc, zone_start, zone_end, sync): a probe
 * per prototype, the matching one attached (compat.h, RS_TP_PROBE()).
 */
#include <linux/mm.h>
#include <linux/sched.h>
/* compaction.h needs mm.h and sched.h first. */
#include <linux/compaction.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/sched.h>
#include <linux/seq_file.h>

struct compact_control;
#include <trace/events/compaction.h>

#include <reclaimscope/compat.h>
#include <reclaimscope/core.h>
#include <reclaimscope/counters.h>
#include <reclaimscope/pairs.h>
#include <reclaimscope/zones.h>

enum {
	CP_WAKEUP_REQUESTS,
	CP_WAKES,
	CP_SLEEPS,
	CP_RUNS,
	CP_RESULT,				/* RS_NR_COMPACT_STATUS keys */
	CP_TOTAL_NS = CP_RESULT + RS_NR_COMPACT_STATUS,
	CP_MAX_NS,
	CP_HIST,
	NR_CP_KEYS = CP_HIST + RS_HIST_BUCKETS,
};

static const char * const cp_keys[NR_CP_KEYS] = {
	[CP_WAKEUP_REQUESTS] = "kcompactd_wakeup_requests",
	[CP_WAKES] = "kcompactd_wakes",
	[CP_SLEEPS] = "kcompactd_sleeps",
	[CP_RUNS] = "runs",
	[CP_TOTAL_NS] = "total_ns",
};

/* Per zone (slot nid * MAX_NR_ZONES + zone index). */
enum {
	CZ_DEFERRED_EVENTS,
	CZ_DEFER_EVENTS,
	CZ_DEFER_RESETS,
	NR_CZ_KEYS,
};

static const char * const cz_keys[NR_CZ_KEYS] = {
	[CZ_DEFERRED_EVENTS] = "deferred_events",
	[CZ_DEFER_EVENTS] = "defer_events",
	[CZ_DEFER_RESETS] = "defer_resets",
};

#define CP_PAIR_BITS 10

static struct rs_counters cp_ctrs;
static struct rs_counters cz_ctrs;
static struct rs_pairs cp_pairs;

static void rs_probe_wakeup_kcompactd(void *data, int nid, int order,
				      enum zone_type highest_zoneidx)
{
	rs_hook_hit(data);
	rs_counter_inc(&cp_ctrs, nid, CP_WAKEUP_REQUESTS);
}

RS_CHECK_TP_PROTO(mm_compaction_wakeup_kcompactd, rs_probe_wakeup_kcompactd);

static void rs_probe_kcompactd_wake(void *data, int nid, int order,
				    enum zone_type highest_zoneidx)
{
	rs_hook_hit(data);
	rs_counter_inc(&cp_ctrs, nid, CP_WAKES);
}

RS_CHECK_TP_PROTO(mm_compaction_kcompactd_wake, rs_probe_kcompactd_wake);

static void rs_probe_kcompactd_sleep(void *data, int nid)
{
	rs_hook_hit(data);
	rs_counter_inc(&cp_ctrs, nid, CP_SLEEPS);
}

RS_CHECK_TP_PROTO(mm_compaction_kcompactd_sleep, rs_probe_kcompactd_sleep);

static void cp_begin(unsigned long zone_start, unsigned long zone_end)
{
	int nid = rs_zone_nid_by_span(zone_start, zone_end);

	rs_counter_inc(&cp_ctrs, nid, CP_RUNS);
	rs_pairs_begin(&cp_pairs, current, rs_now(), nid);
}

static void rs_probe_compaction_begin_pfns(void *data,
					   unsigned long zone_start,
					   unsigned long migrate_pfn,
					   unsigned long free_pfn,
					   unsigned long zone_end, bool sync)
{
	rs_hook_hit(data);
	cp_begin(zone_start, zone_end);
}

static void rs_probe_compaction_begin(void *data, struct compact_control *cc,
				      unsigned long zone_start,
				      unsigned long zone_end, bool sync)
{
	rs_hook_hit(data);
	cp_begin(zone_start, zone_end);
}

RS_CHECK_TP_PROTO_EITHER(mm_compaction_begin, rs_probe_compaction_begin_pfns,
			 rs_probe_compaction_begin);

static void cp_end(unsigned long zone_start, unsigned long zone_end,
		   int status)
{
	int nid = rs_zone_nid_by_span(zone_start, zone_end);
	u64 start, ns;
	int begin_nid;

	rs_counter_inc(&cp_ctrs, nid, CP_RESULT + rs_compact_status_index(status));
	if (!rs_pairs_end(&cp_pairs, current, &start, &begin_nid))
		return;
	ns = rs_since(start);
	rs_latency_add(&cp_ctrs, nid, CP_TOTAL_NS, CP_MAX_NS, CP_HIST, ns);
}

static void rs_probe_compaction_end_pfns(void *data, unsigned long zone_start,
					 unsigned long migrate_pfn,
					 unsigned long free_pfn,
					 unsigned long zone_end, bool sync,
					 int status)
{
	rs_hook_hit(data);
	cp_end(zone_start, zone_end, status);
}

static void rs_probe_compaction_end(void *data, struct compact_control *cc,
				    unsigned long zone_start,
				    unsigned long zone_end, bool sync,
				    int status)
{
	rs_hook_hit(data);
	cp_end(zone_start, zone_end, status);
}

RS_CHECK_TP_PROTO_EITHER(mm_compaction_end, rs_probe_compaction_end_pfns,
			 rs_probe_compaction_end);

static void rs_probe_compaction_deferred(void *data, struct zone *zone,
					 int order)
{
	rs_hook_hit(data);
	rs_counter_inc(&cz_ctrs, rs_zone_slot(zone), CZ_DEFERRED_EVENTS);
}

RS_CHECK_TP_PROTO(mm_compaction_deferred, rs_probe_compaction_deferred);

static void rs_probe_defer_compaction(void *data, struct zone *zone, int order)
{
	rs_hook_hit(data);
	rs_counter_inc(&cz_ctrs, rs_zone_slot(zone), CZ_DEFER_EVENTS);
}

RS_CHECK_TP_PROTO(mm_compaction_defer_compaction, rs_probe_defer_compaction);

static void rs_probe_defer_reset(void *data, struct zone *zone, int order)
{
	rs_hook_hit(data);
	rs_counter_inc(&cz_ctrs, rs_zone_slot(zone), CZ_DEFER_RESETS);
}

RS_CHECK_TP_PROTO(mm_compaction_defer_reset, rs_probe_defer_reset);

static struct rs_hook cp_hooks[] = {
	RS_TRACEPOINT("mm_compaction_wakeup_kcompactd", rs_probe_wakeup_kcompactd),
	RS_TRACEPOINT("mm_compaction_kcompactd_wake", rs_probe_kcompactd_wake),
	RS_TRACEPOINT("mm_compaction_kcompactd_sleep", rs_probe_kcompactd_sleep),
	RS_TRACEPOINT("mm_compaction_begin",
		      RS_TP_PROBE(mm_compaction_begin,
				  rs_probe_compaction_begin_pfns,
				  rs_probe_compaction_begin)),
	RS_TRACEPOINT("mm_compaction_end",
		      RS_TP_PROBE(mm_compaction_end,
				  rs_probe_compaction_end_pfns,
				  rs_probe_compaction_end)),
	RS_TRACEPOINT("mm_compaction_deferred", rs_probe_compaction_deferred),
	RS_TRACEPOINT("mm_compaction_defer_compaction", rs_probe_defer_compaction),
	RS_TRACEPOINT("mm_compaction_defer_reset", rs_probe_defer_reset),
};

static int compaction_show(struct seq_file *m, void *v)
{
	int nid = rs_file_nid(m);
	pg_data_t *pgdat = NODE_DATA(nid);
	struct zone *z;
	char key[32];
	int i;

	rs_counters_show(m, &cp_ctrs, nid);
	for (i = 0; i < RS_NR_COMPACT_STATUS; i++) {
		snprintf(key, sizeof(key), "result_%s", rs_compact_status_name(i));
		rs_kv_u64(m, key, rs_counter_sum(&cp_ctrs, nid, CP_RESULT + i));
	}
	rs_kv_u64(m, "max_ns", rs_counter_max(&cp_ctrs, nid, CP_MAX_NS));
	rs_kv_s64(m, "kcompactd_max_order", READ_ONCE(pgdat->kcompactd_max_order));
	rs_kv_s64(m, "kcompactd_highest_zoneidx",
		  READ_ONCE(pgdat->kcompactd_highest_zoneidx));

	for (z = rs_next_zone(pgdat, NULL); z; z = rs_next_zone(pgdat, z)) {
		unsigned int slot = rs_zone_slot(z);

		rs_zkv_u64(m, z, "considered", READ_ONCE(z->compact_considered));
		rs_zkv_u64(m, z, "defer_shift", READ_ONCE(z->compact_defer_shift));
		rs_zkv_s64(m, z, "order_failed", READ_ONCE(z->compact_order_failed));
		for (i = 0; i < NR_CZ_KEYS; i++)
			rs_zkv_u64(m, z, cz_keys[i], rs_counter_sum(&cz_ctrs, slot, i));
	}
	rs_counter_hist_show(m, &cp_ctrs, nid, CP_HIST);
	return 0;
}
RS_DEFINE_SHOW_ATTRIBUTE(compaction);

static void compaction_node_files(struct dentry *dir, int nid)
{
	rs_file("compaction", RS_FILE_MODE, dir, rs_nid_private(nid),
		&compaction_fops);
}

static const struct rs_counter_decl cp_counters[] = {
	RS_PER_NODE(&cp_ctrs, NR_CP_KEYS, cp_keys),
	/* Per node and zone: slot nid * MAX_NR_ZONES + zone index. */
	{ .c = &cz_ctrs, .rows = MAX_NR_ZONES, .per_node = true,
	  .nr_keys = NR_CZ_KEYS },
};

static const struct rs_pairs_decl cp_pairs_decl[] = {
	{ &cp_pairs, CP_PAIR_BITS },
};

const struct rs_feature rs_compaction_feature = {
	.name = "compaction",
	.hooks = cp_hooks,
	.nr_hooks = ARRAY_SIZE(cp_hooks),
	.counters = cp_counters,
	.nr_counters = ARRAY_SIZE(cp_counters),
	.pairs = cp_pairs_decl,
	.nr_pairs = ARRAY_SIZE(cp_pairs_decl),
	.node_files = compaction_node_files,
};
