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
