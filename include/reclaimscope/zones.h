/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zones.h - finding zones, naming compaction results, printing per-zone
 * keys ("<Zone>.<field> value", with the kernel's zone names).
 */
#ifndef _RECLAIMSCOPE_ZONES_H
#define _RECLAIMSCOPE_ZONES_H

#include <linux/mm.h>
#include <linux/sched.h>
/* compaction.h needs mm.h and sched.h first. */
#include <linux/compaction.h>
#include <linux/mmzone.h>
#include <linux/types.h>

struct seq_file;

/*
 * The populated zone of @pgdat after @z, the first one when @z is NULL,
 * or NULL at the end: for (z = rs_next_zone(pgdat, NULL); z;
 * z = rs_next_zone(pgdat, z)).  The kernel's for_each_populated_zone()
 * walks every node through helpers it does not export.
 */
static inline struct zone *rs_next_zone(pg_data_t *pgdat, struct zone *z)
{
	for (z = z ? z + 1 : pgdat->node_zones;
	     z < pgdat->node_zones + MAX_NR_ZONES; z++)
		if (populated_zone(z))
			return z;
	return NULL;
}

/* Per-zone counter slots: one row per (node, zone index). */
static inline unsigned int rs_zone_slot(struct zone *z)
{
	return zone_to_nid(z) * MAX_NR_ZONES + zone_idx(z);
}

/* COMPACT_NOT_SUITABLE_ZONE .. COMPACT_SUCCESS, then "other". */
#define RS_NR_COMPACT_STATUS	(COMPACT_SUCCESS + 2)

unsigned int rs_compact_status_index(int status);
const char *rs_compact_status_name(unsigned int index);

int rs_zone_nid_by_span(unsigned long start_pfn, unsigned long end_pfn);

void rs_zkv_u64(struct seq_file *m, const struct zone *z, const char *key,
		u64 val);
void rs_zkv_s64(struct seq_file *m, const struct zone *z, const char *key,
		s64 val);

#endif /* _RECLAIMSCOPE_ZONES_H */
