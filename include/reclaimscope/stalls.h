/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stalls.h - who stalled: the tasks and cgroups tables.
 *
 * The features that see a task stall (direct reclaim, memcg reclaim,
 * direct compaction, throttling) charge it to the current task and to
 * its cgroup v2 with rs_stall_account(); stalls.c keeps one row per
 * task (by pid) and one per cgroup (by cgroup id) in two bounded tables
 * (table.h) and prints them as the tasks and cgroups files.
 */
#ifndef _RECLAIMSCOPE_STALLS_H
#define _RECLAIMSCOPE_STALLS_H

#include <linux/sched.h>
#include <linux/types.h>

enum rs_stall_kind {
	RS_STALL_DIRECT,	/* global direct reclaim */
	RS_STALL_MEMCG,		/* memcg limit reclaim */
	RS_STALL_COMPACT,	/* direct compaction, not skipped */
	RS_STALL_THROTTLED,	/* reclaim_throttle() sleeps */
	RS_STALL_KINDS,
};

/* The columns of both tables: a count and a time per kind, then these. */
#define RS_STALL_COL_COUNT(kind)	(2 * (kind))
#define RS_STALL_COL_NS(kind)		(2 * (kind) + 1)

enum {
	RS_STALL_COL_MAX_NS = 2 * RS_STALL_KINDS,	/* longest stall */
	RS_STALL_COL_DIRECT_RECLAIMED,
	RS_STALL_COL_MEMCG_RECLAIMED,
	RS_STALL_NR_COLS,
};

/*
 * Charge the current task and its cgroup with @count stalls of @kind
 * taking @ns in all (their longest is @ns when @count is 0 or 1), and
 * @nr_reclaimed pages (direct and memcg reclaim).  A begin passes
 * count 1 and ns 0; its end passes count 0 and the time.
 */
void rs_stall_account(enum rs_stall_kind kind, unsigned int count, u64 ns,
		      unsigned long nr_reclaimed);

/*
 * The path of cgroup v2 @id as the caller's cgroup namespace shows it
 * ("/" for the root), or "id:<id>" when it cannot be found (removed, or
 * a kernel without an exported cgroup_get_from_id()).  Process context.
 */
void rs_cgroup_path(u64 id, char *buf, size_t len);

/*
 * Who is reclaiming: the context of the current task, for the files that
 * split their calls and time by it (shrink_list, shrinkers).
 */
enum rs_ctx {
	RS_CTX_KSWAPD,		/* a kswapd thread */
	RS_CTX_DIRECT,		/* inside global direct reclaim */
	RS_CTX_MEMCG,		/* inside memcg limit reclaim */
	RS_CTX_OTHER,		/* the rest: khugepaged, MADV_PAGEOUT, ... */
	RS_CTX_NR,
};

extern const char * const rs_ctx_names[RS_CTX_NR];

/* Whether the current task is between a tracked begin and its end. */
bool rs_in_direct_reclaim(void);
bool rs_in_memcg_reclaim(void);

/*
 * kswapd by its flag; direct and memcg reclaim by the task holding a
 * slot in their pair tables (a begin seen, its end not yet).  Memcg
 * first: a memcg reclaimer is never also in global direct reclaim.
 * Everything else is "other": node reclaim (zone_reclaim_mode),
 * MADV_PAGEOUT and DAMON's reclaim_pages(), khugepaged's and kcompactd's
 * own allocations, and any reclaim whose begin the tables missed.  A
 * write to memory.reclaim runs memcg limit reclaim: it is "memcg".
 * Hot path (every shrink_folio_list() and shrinker call): both tables
 * count their held slots, so a table nobody holds costs one read.
 */
static inline enum rs_ctx rs_reclaim_context(void)
{
	if (current->flags & PF_KSWAPD)
		return RS_CTX_KSWAPD;
	if (rs_in_memcg_reclaim())
		return RS_CTX_MEMCG;
	if (rs_in_direct_reclaim())
		return RS_CTX_DIRECT;
	return RS_CTX_OTHER;
}

#endif /* _RECLAIMSCOPE_STALLS_H */
