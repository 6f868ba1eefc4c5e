// SPDX-License-Identifier: GPL-2.0
/*
 * nodestate.c - per-node watermarks, dirty state and the summary.
 *
 * Everything here is read live from pg_data_t and struct zone at each
 * read of a file, never cached: no hooks, no state.  The kernel's own
 * helpers for most of it (first_online_pgdat(), zone_watermark_ok(),
 * node_page_state(), node_dirty_limit()) are not exported; the arithmetic
 * lives in wmark.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/kstrtox.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/vmstat.h>

#include <reclaimscope/boost.h>
#include <reclaimscope/compat.h>
#include <reclaimscope/core.h>
#include <reclaimscope/counters.h>
#include <reclaimscope/kswapd.h>
#include <reclaimscope/wmark.h>
#include <reclaimscope/zones.h>

static unsigned long rs_zone_free(const struct zone *z)
{
	return zone_page_state((struct zone *)z, NR_FREE_PAGES);
}

static void rs_wmark_read(const struct zone *z, struct rs_wmark *w)
{
	w->free = rs_zone_free(z);
	w->min = READ_ONCE(z->_watermark[WMARK_MIN]);
	w->low = READ_ONCE(z->_watermark[WMARK_LOW]);
	w->high = READ_ONCE(z->_watermark[WMARK_HIGH]);
	w->boost = READ_ONCE(z->watermark_boost);
}

static long rs_max_lowmem_reserve(const struct zone *z)
{
	long max = 0;
	int i;

	for (i = 0; i < MAX_NR_ZONES; i++)
		max = max_t(long, max, READ_ONCE(z->lowmem_reserve[i]));
	return max;
}

static int watermarks_show(struct seq_file *m, void *v)
{
	pg_data_t *pgdat = NODE_DATA(rs_file_nid(m));
	struct zone *z;

	for (z = rs_next_zone(pgdat, NULL); z; z = rs_next_zone(pgdat, z)) {
		long promo = rs_zone_wmark_promo(z);
		struct rs_wmark w;

		rs_wmark_read(z, &w);
		rs_zkv_u64(m, z, "free", w.free);
		rs_zkv_u64(m, z, "min", w.min);
		rs_zkv_u64(m, z, "low", w.low);
		rs_zkv_u64(m, z, "high", w.high);
		/* No promotion watermark in 5.10: no key. */
		if (promo >= 0)
			rs_zkv_u64(m, z, "promo", promo);
		rs_zkv_u64(m, z, "boost", w.boost);
		rs_zkv_u64(m, z, "managed", zone_managed_pages(z));
		rs_zkv_u64(m, z, "present", READ_ONCE(z->present_pages));
		rs_zkv_u64(m, z, "spanned", READ_ONCE(z->spanned_pages));
		rs_zkv_s64(m, z, "reserve", rs_max_lowmem_reserve(z));
		rs_zkv_u64(m, z, "highatomic", READ_ONCE(z->nr_reserved_highatomic));
		rs_zkv_u64(m, z, "boosted",
			   test_bit(ZONE_BOOSTED_WATERMARK, &z->flags));
		rs_zkv_u64(m, z, "ok_min", rs_wmark_ok(&w, w.min));
		rs_zkv_u64(m, z, "ok_low", rs_wmark_ok(&w, w.low));
		rs_zkv_u64(m, z, "ok_high", rs_wmark_ok(&w, w.high));
		rs_zkv_s64(m, z, "headroom_low", rs_wmark_headroom_low(&w));
	}
	return 0;
}
RS_DEFINE_SHOW_ATTRIBUTE(watermarks);

static unsigned long rs_node_stat(pg_data_t *pgdat, enum node_stat_item item)
{
	long x = atomic_long_read(&pgdat->vm_stat[item]);

	return x < 0 ? 0 : x;
}

/* What node_dirtyable_memory() counts (mm/page-writeback.c). */
static unsigned long rs_node_dirtyable(pg_data_t *pgdat)
{
	unsigned long free = 0;
	struct zone *z;

	for (z = rs_next_zone(pgdat, NULL); z; z = rs_next_zone(pgdat, z))
		free += rs_zone_free(z);
	return rs_dirtyable(free, READ_ONCE(pgdat->totalreserve_pages),
			    rs_node_stat(pgdat, NR_INACTIVE_FILE) +
			    rs_node_stat(pgdat, NR_ACTIVE_FILE));
}

/*
 * vm.dirty_ratio and vm.dirty_bytes are not exported to modules; read
 * them the way a user would, from /proc/sys, in the reader's context.
 */
static int rs_read_sysctl(const char *path, unsigned long *val)
{
	char buf[32] = "";
	struct file *f;
	loff_t pos = 0;
	ssize_t n;

	f = filp_open(path, O_RDONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	n = kernel_read(f, buf, sizeof(buf) - 1, &pos);
	filp_close(f, NULL);
	if (n < 0)
		return n;
	buf[n] = '\0';
	return kstrtoul(strim(buf), 10, val);
}

static int dirty_show(struct seq_file *m, void *v)
{
	pg_data_t *pgdat = NODE_DATA(rs_file_nid(m));
	unsigned long ratio = 0, bytes = 0, global = 0, limit, dirty, wb;
	unsigned long dirtyable = rs_node_dirtyable(pgdat);
	int nid, err, pgdat_dirty, throttled;

	err = rs_read_sysctl("/proc/sys/vm/dirty_ratio", &ratio);
	if (!err)
		err = rs_read_sysctl("/proc/sys/vm/dirty_bytes", &bytes);
	for_each_online_node(nid)
		global += rs_node_dirtyable(NODE_DATA(nid));

	dirty = rs_node_stat(pgdat, NR_FILE_DIRTY);
	wb = rs_node_stat(pgdat, NR_WRITEBACK);
	rs_kv_u64(m, "file_dirty", dirty);
	rs_kv_u64(m, "writeback", wb);
	rs_kv_u64(m, "dirtyable", dirtyable);
	if (!err) {
		/* The limit from the same reading of the node as printed. */
		limit = rs_node_dirty_limit(dirtyable, global, ratio, bytes,
					    PAGE_SIZE);
		rs_kv_u64(m, "dirty_limit", limit);
		rs_kv_u64(m, "dirty_ok", dirty + wb <= limit);
	}
	pgdat_dirty = rs_pgdat_flag_dirty(pgdat);
	if (pgdat_dirty >= 0)
		rs_kv_u64(m, "pgdat_dirty", pgdat_dirty);
	rs_kv_u64(m, "pgdat_writeback", test_bit(PGDAT_WRITEBACK, &pgdat->flags));
	rs_kv_u64(m, "pgdat_reclaim_locked",
		  test_bit(PGDAT_RECLAIM_LOCKED, &pgdat->flags));
	/* No writeback throttling in 5.10: no key. */
	throttled = rs_pgdat_writeback_throttled(pgdat);
	if (throttled >= 0)
		rs_kv_u64(m, "writeback_throttled", throttled);
	return 0;
}
RS_DEFINE_SHOW_ATTRIBUTE(dirty);

/* One line per node, for a person. */
static int summary_show(struct seq_file *m, void *v)
{
	struct zone *z;
	int nid;

	for_each_online_node(nid) {
		pg_data_t *pgdat = NODE_DATA(nid);
		int failures = rs_kswapd_failures(pgdat);

		seq_printf(m, "node%d", nid);
		for (z = rs_next_zone(pgdat, NULL); z; z = rs_next_zone(pgdat, z)) {
			struct rs_wmark w;

			rs_wmark_read(z, &w);
			seq_printf(m, " %s free=%lu low=%lu high=%lu boost=%lu%s",
				   z->name, w.free, w.low, w.high, w.boost,
				   !rs_wmark_ok(&w, w.min) ? "(<min)" :
				   !rs_wmark_ok(&w, w.low) ? "(<low)" :
				   !rs_wmark_ok(&w, w.high) ? "(<high)" : "");
		}
		seq_printf(m, " | kswapd awake=%d failures=%d hopeless=%d",
			   rs_kswapd_awake(nid), failures, rs_hopeless(failures));
		seq_printf(m, " | boosted_zones=%u", rs_boosted_zones(pgdat));
		seq_printf(m, " | kcompactd max_order=%d highest_zoneidx=%d\n",
			   READ_ONCE(pgdat->kcompactd_max_order),
			   READ_ONCE(pgdat->kcompactd_highest_zoneidx));
	}
	return 0;
}
RS_DEFINE_SHOW_ATTRIBUTE(summary);

static void nodestate_files(struct dentry *root)
{
	rs_file("summary", RS_FILE_MODE, root, NULL, &summary_fops);
}

static void nodestate_node_files(struct dentry *dir, int nid)
{
	rs_file("watermarks", RS_FILE_MODE, dir, rs_nid_private(nid),
		&watermarks_fops);
	rs_file("dirty", RS_FILE_MODE, dir, rs_nid_private(nid), &dirty_fops);
}

const struct rs_feature rs_nodestate_feature = {
	.name = "nodestate",
	.files = nodestate_files,
	.node_files = nodestate_node_files,
};
