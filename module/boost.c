// SPDX-License-Identifier: GPL-2.0
/*
 * boost.c - watermark boost per zone: how often zones get boosted, and
 * how many kswapd passes start on a boosted node.
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
#include <linux/atomic.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <trace/events/kmem.h>

#include <reclaimscope/boost.h>
#include <reclaimscope/compat.h>
#include <reclaimscope/core.h>
#include <reclaimscope/counters.h>
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

void rs_boost_balance_entry(pg_data_t *pgdat)
{
	if (rs_boost_look_node(pgdat))
		rs_counter_inc(&bn_ctrs, pgdat->node_id,
			       BN_BOOSTED_BALANCE_PASSES);
}

void rs_boost_balance_return(pg_data_t *pgdat)
{
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

static struct rs_hook bz_hooks[] = {
	RS_TRACEPOINT("mm_page_alloc_extfrag", rs_probe_page_alloc_extfrag),
};

unsigned int rs_boosted_zones(pg_data_t *pgdat)
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

static void boost_node_files(struct dentry *dir, int nid)
{
	rs_file("boost", RS_FILE_MODE, dir, rs_nid_private(nid), &boost_fops);
}

static void boost_exit(void)
{
	kfree(boost_seen);
	boost_seen = NULL;
}

static int boost_init(void)
{
	boost_seen = kcalloc(nr_node_ids * MAX_NR_ZONES, sizeof(*boost_seen),
			     GFP_KERNEL);
	return boost_seen ? 0 : -ENOMEM;
}

static const struct rs_counter_decl bz_counters[] = {
	/* Per node and zone: slot nid * MAX_NR_ZONES + zone index. */
	{ .c = &bz_ctrs, .rows = MAX_NR_ZONES, .per_node = true,
	  .nr_keys = NR_BZ_KEYS },
	RS_PER_NODE(&bn_ctrs, NR_BN_KEYS, bn_keys),
};

const struct rs_feature rs_boost_feature = {
	.name = "boost",
	.hooks = bz_hooks,
	.nr_hooks = ARRAY_SIZE(bz_hooks),
	.counters = bz_counters,
	.nr_counters = ARRAY_SIZE(bz_counters),
	.init = boost_init,
	.exit = boost_exit,
	.node_files = boost_node_files,
};
