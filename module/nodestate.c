// SPDX-License-Identifier: GPL-2.0
/*
 * nodestate.c - per-node watermarks, boost, dirty state and the summary.
 *
 * Everything here except the boost counters is read live from pg_data_t
 * and struct zone at each read of a file, never cached.  The kernel's own
 * helpers for most of it (first_online_pgdat(), zone_watermark_ok(),
 * node_page_state(), node_dirty_limit()) are not exported; the arithmetic
 * lives in wmark.h.
 *
 * Watermark boost: when an allocation falls back to another migratetype
 * and steals a pageblock, steal_suitable_fallback() raises the zone's
 * watermark_boost (boost_watermark(), vm.watermark_boost_factor) and
 * __rmqueue_fallback() emits mm_page_alloc_extfrag.  kswapd reclaims the
 * boost away and balance_pgdat() resets it to 0.  The module looks at
 * the zone's boost at every extfrag event and at the start and end of
 * every balance_pgdat() pass, and counts a boost event each time it finds
 * a zone boosted that it last saw unboosted.
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
#include <trace/events/kmem.h>

#include <reclaimscope/compat.h>
#include <reclaimscope/core.h>
#include <reclaimscope/counters.h>
#include <reclaimscope/wmark.h>
#include <reclaimscope/zones.h>

/* Per zone, slot nid * MAX_NR_ZONES + zone index. */
enum {
	BZ_BOOST_EVENTS,
	NR_BZ_KEYS,
};

/* Per node. */
enum {
	BN_BOOSTED_BALANCE_PASSES,
	NR_BN_KEYS,
};

static const char * const bn_keys[NR_BN_KEYS] = {
	[BN_BOOSTED_BALANCE_PASSES] = "boosted_balance_passes",
};

static struct rs_counters bz_ctrs;
static struct rs_counters bn_ctrs;
/* Per zone: 1 when the zone was boosted the last time we looked. */
static u8 *boost_seen;

static void rs_boost_look(struct zone *z)
{
	unsigned int slot = rs_zone_slot(z);
	u8 boosted = READ_ONCE(z->watermark_boost) != 0;

	if (slot >= nr_node_ids * MAX_NR_ZONES ||
	    READ_ONCE(boost_seen[slot]) == boosted)
		return;
	/* Several CPUs may look at once: one of them counts the change. */
	if (xchg(&boost_seen[slot], boosted) != boosted && boosted)
		rs_counter_inc(&bz_ctrs, slot, BZ_BOOST_EVENTS);
}

static bool rs_boost_look_node(pg_data_t *pgdat)
{
	bool boosted = false;
	struct zone *z;

	for (z = rs_next_zone(pgdat, NULL); z; z = rs_next_zone(pgdat, z)) {
		rs_boost_look(z);
		boosted |= READ_ONCE(z->watermark_boost) != 0;
	}
	return boosted;
}

/* Called by the balance_pgdat() kretprobe (kswapd.c) at entry. */
void rs_boost_balance_entry(pg_data_t *pgdat)
{
	if (boost_seen && rs_boost_look_node(pgdat))
		rs_counter_inc(&bn_ctrs, pgdat->node_id,
			       BN_BOOSTED_BALANCE_PASSES);
}

/* ... and at return, when the boost has usually been reset. */
void rs_boost_balance_return(pg_data_t *pgdat)
{
	if (boost_seen)
		rs_boost_look_node(pgdat);
}

static void rs_probe_page_alloc_extfrag(void *data, struct page *page,
					int alloc_order, int fallback_order,
					int alloc_migratetype,
					int fallback_migratetype)
{
	rs_hook_hit(data);
	rs_boost_look(page_zone(page));
}

RS_CHECK_TP_PROTO(mm_page_alloc_extfrag, rs_probe_page_alloc_extfrag);

static struct rs_hook ns_hooks[] = {
	RS_TRACEPOINT("mm_page_alloc_extfrag", rs_probe_page_alloc_extfrag),
};

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
		struct rs_wmark w;

		rs_wmark_read(z, &w);
		rs_zkv_u64(m, z, "free", w.free);
		rs_zkv_u64(m, z, "min", w.min);
		rs_zkv_u64(m, z, "low", w.low);
		rs_zkv_u64(m, z, "high", w.high);
		rs_zkv_u64(m, z, "promo", READ_ONCE(z->_watermark[WMARK_PROMO]));
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

static unsigned int rs_boosted_zones(pg_data_t *pgdat)
{
	unsigned int n = 0;
	struct zone *z;

	for (z = rs_next_zone(pgdat, NULL); z; z = rs_next_zone(pgdat, z))
		n += READ_ONCE(z->watermark_boost) != 0;
	return n;
}

static int boost_show(struct seq_file *m, void *v)
{
	int nid = rs_file_nid(m);
	pg_data_t *pgdat = NODE_DATA(nid);
	struct zone *z;

	rs_kv_u64(m, "boosted_zones", rs_boosted_zones(pgdat));
	rs_counters_show(m, &bn_ctrs, nid);
	for (z = rs_next_zone(pgdat, NULL); z; z = rs_next_zone(pgdat, z)) {
		rs_zkv_u64(m, z, "boost", READ_ONCE(z->watermark_boost));
		rs_zkv_u64(m, z, "boost_events",
			   rs_counter_sum(&bz_ctrs, rs_zone_slot(z),
					  BZ_BOOST_EVENTS));
	}
	return 0;
}
RS_DEFINE_SHOW_ATTRIBUTE(boost);

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
	int nid, err, pgdat_dirty;

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
	rs_kv_u64(m, "writeback_throttled",
		  atomic_read(&pgdat->nr_writeback_throttled));
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
	debugfs_create_file("summary", RS_FILE_MODE, root, NULL, &summary_fops);
}

static void nodestate_node_files(struct dentry *dir, int nid)
{
	debugfs_create_file("watermarks", RS_FILE_MODE, dir, rs_nid_private(nid),
			    &watermarks_fops);
	debugfs_create_file("boost", RS_FILE_MODE, dir, rs_nid_private(nid),
			    &boost_fops);
	debugfs_create_file("dirty", RS_FILE_MODE, dir, rs_nid_private(nid),
			    &dirty_fops);
}

static void nodestate_reset(void)
{
	rs_counters_reset(&bz_ctrs);
	rs_counters_reset(&bn_ctrs);
}

static void nodestate_exit(void)
{
	kfree(boost_seen);
	boost_seen = NULL;
	rs_counters_free(&bn_ctrs);
	rs_counters_free(&bz_ctrs);
}

static int nodestate_init(void)
{
	int ret;

	ret = rs_counters_init(&bz_ctrs, nr_node_ids * MAX_NR_ZONES,
			       NR_BZ_KEYS, NULL);
	if (!ret)
		ret = rs_counters_init(&bn_ctrs, nr_node_ids, NR_BN_KEYS,
				       bn_keys);
	if (!ret) {
		boost_seen = kcalloc(nr_node_ids * MAX_NR_ZONES,
				     sizeof(*boost_seen), GFP_KERNEL);
		if (!boost_seen)
			ret = -ENOMEM;
	}
	if (ret)
		nodestate_exit();
	return ret;
}

const struct rs_feature rs_nodestate_feature = {
	.name = "nodestate",
	.hooks = ns_hooks,
	.nr_hooks = ARRAY_SIZE(ns_hooks),
	.init = nodestate_init,
	.exit = nodestate_exit,
	.reset = nodestate_reset,
	.files = nodestate_files,
	.node_files = nodestate_node_files,
};
