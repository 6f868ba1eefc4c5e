// SPDX-License-Identifier: GPL-2.0
/*
 * zones.c - zone lookups and names shared by the features.
 */
#include <linux/mm.h>
#include <linux/sched.h>
/* compaction.h needs mm.h and sched.h first. */
#include <linux/compaction.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/seq_file.h>

#include <reclaimscope/zones.h>

/* enum compact_result (include/linux/compaction.h), in order. */
static const char * const rs_compact_status_names[RS_NR_COMPACT_STATUS] = {
	[COMPACT_NOT_SUITABLE_ZONE] = "not_suitable_zone",
	[COMPACT_SKIPPED] = "skipped",
	[COMPACT_DEFERRED] = "deferred",
	[COMPACT_NO_SUITABLE_PAGE] = "no_suitable_page",
	[COMPACT_CONTINUE] = "continue",
	[COMPACT_COMPLETE] = "complete",
	[COMPACT_PARTIAL_SKIPPED] = "partial_skipped",
	[COMPACT_CONTENDED] = "contended",
	[COMPACT_SUCCESS] = "success",
	[COMPACT_SUCCESS + 1] = "other",
};

unsigned int rs_compact_status_index(int status)
{
	if (status < 0 || status > COMPACT_SUCCESS)
		return COMPACT_SUCCESS + 1;
	return status;
}

const char *rs_compact_status_name(unsigned int index)
{
	if (index >= RS_NR_COMPACT_STATUS)
		index = COMPACT_SUCCESS + 1;
	return rs_compact_status_names[index];
}

/*
 * The node of the zone spanning exactly [start_pfn, end_pfn), as
 * compact_zone() reports it; -1 when none does.  Lock-free: zone spans
 * change only with memory hotplug.
 */
int rs_zone_nid_by_span(unsigned long start_pfn, unsigned long end_pfn)
{
	int nid, zid;

	for_each_online_node(nid) {
		pg_data_t *pgdat = NODE_DATA(nid);

		for (zid = 0; zid < MAX_NR_ZONES; zid++) {
			const struct zone *z = &pgdat->node_zones[zid];

			if (z->zone_start_pfn == start_pfn &&
			    zone_end_pfn(z) == end_pfn)
				return nid;
		}
	}
	return -1;
}

void rs_zkv_u64(struct seq_file *m, const struct zone *z, const char *key,
		u64 val)
{
	seq_printf(m, "%s.%s %llu\n", z->name, key, val);
}

void rs_zkv_s64(struct seq_file *m, const struct zone *z, const char *key,
		s64 val)
{
	seq_printf(m, "%s.%s %lld\n", z->name, key, val);
}
