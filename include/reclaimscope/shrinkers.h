/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shrinkers.h - the fixed table of every shrinker seen by
 * mm_shrink_slab_start/end.  Rows are claimed lock-free by the probes;
 * when the table is full, further shrinkers share the "other" row.
 */
#ifndef _RECLAIMSCOPE_SHRINKERS_H
#define _RECLAIMSCOPE_SHRINKERS_H

#include <linux/types.h>

#include <reclaimscope/stalls.h>

#define RS_SHRINKER_ROWS	64
#define RS_SHRINKER_OTHER	RS_SHRINKER_ROWS	/* index of "other" */
#define RS_SHRINKER_NAME_LEN	48

struct rs_shrinker_row {
	const void *key;		/* the struct shrinker, never printed */
	char name[RS_SHRINKER_NAME_LEN];
	int named;			/* name is complete */
	unsigned long cache_items;	/* last seen */
	long deferred;			/* last new_scan_cnt */
};

struct rs_shrinker_table {
	struct rs_shrinker_row rows[RS_SHRINKER_ROWS + 1];
};

/* One row as shown, for sorting. */
struct rs_shrinker_snap {
	const char *name;
	u64 calls;
	u64 cache_items;
	u64 delta_total;
	u64 total_scan_total;
	u64 freed_total;
	s64 deferred;
	u64 total_ns;
	u64 max_ns;
	u64 ctx_calls[RS_CTX_NR];	/* per context (stalls.h) */
	u64 ctx_ns[RS_CTX_NR];
};

unsigned int rs_shrinker_row(struct rs_shrinker_table *t, const void *key,
			     bool *fresh);
void rs_shrinker_set_name(struct rs_shrinker_row *row, const char *name);
void rs_shrinker_sort(struct rs_shrinker_snap *snap, unsigned int nr);

#endif /* _RECLAIMSCOPE_SHRINKERS_H */
