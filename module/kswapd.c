// SPDX-License-Identifier: GPL-2.0
/*
 * kswapd.c - kswapd per node: how often it is woken, and its live state.
 *
 * mm_vmscan_kswapd_wake fires in kswapd() just before each balance_pgdat()
 * pass (mm/vmscan.c), so "wakes" counts balance passes the way tracefs
 * and /proc/vmstat pageoutrun do.
 */
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/seq_file.h>
#include <trace/events/vmscan.h>

#include <reclaimscope/compat.h>
#include <reclaimscope/core.h>
#include <reclaimscope/counters.h>

enum {
	KSWAPD_WAKES,
	NR_KSWAPD_KEYS,
};

static const char * const kswapd_keys[NR_KSWAPD_KEYS] = {
	[KSWAPD_WAKES] = "wakes",
};

static struct rs_counters kswapd_ctrs;

static void rs_probe_kswapd_wake(void *data, int nid, int zid, int order)
{
	rs_hook_hit(data);
	rs_counter_inc(&kswapd_ctrs, nid, KSWAPD_WAKES);
}

RS_CHECK_TP_PROTO(mm_vmscan_kswapd_wake, rs_probe_kswapd_wake);

static struct rs_hook kswapd_hooks[] = {
	RS_TRACEPOINT("mm_vmscan_kswapd_wake", rs_probe_kswapd_wake),
};

static int kswapd_show(struct seq_file *m, void *v)
{
	int nid = rs_file_nid(m);
	pg_data_t *pgdat = NODE_DATA(nid);
	int failures;

	rs_counters_show(m, &kswapd_ctrs, nid);

	/* The kernel's own view, read now. */
	failures = rs_kswapd_failures(pgdat);
	rs_kv_s64(m, "order", READ_ONCE(pgdat->kswapd_order));
	rs_kv_s64(m, "highest_zoneidx", READ_ONCE(pgdat->kswapd_highest_zoneidx));
	rs_kv_s64(m, "failures", failures);
	rs_kv_u64(m, "hopeless", failures >= MAX_RECLAIM_RETRIES);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kswapd);

static void kswapd_node_files(struct dentry *dir, int nid)
{
	debugfs_create_file("kswapd", RS_FILE_MODE, dir, rs_nid_private(nid),
			    &kswapd_fops);
}

static int kswapd_init(void)
{
	return rs_counters_init(&kswapd_ctrs, nr_node_ids, NR_KSWAPD_KEYS,
				kswapd_keys);
}

static void kswapd_exit(void)
{
	rs_counters_free(&kswapd_ctrs);
}

const struct rs_feature rs_kswapd_feature = {
	.name = "kswapd",
	.hooks = kswapd_hooks,
	.nr_hooks = ARRAY_SIZE(kswapd_hooks),
	.init = kswapd_init,
	.exit = kswapd_exit,
	.node_files = kswapd_node_files,
};
