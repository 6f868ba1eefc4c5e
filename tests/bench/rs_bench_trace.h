/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rs_bench_trace.h - the bench's tracepoint, as a full trace event.
 *
 * rs_bench_tp has the TP_PROTO of mm_vmscan_lru_shrink_inactive, so the
 * module's own probe runs on it unchanged, and records what that event
 * records (the same fields, in the same order), so that enabling it in
 * tracefs (events/reclaimscope_bench/rs_bench_tp/enable) costs what
 * enabling events/vmscan/mm_vmscan_lru_shrink_inactive does: ftrace's
 * handler writes one entry to the ring buffer per hit.  The one
 * difference: reclaim_flags stores @file as it is, where vmscan.h
 * translates it into RECLAIM_WB_* flags (one store either way).
 *
 * CREATE_TRACE_POINTS is defined in reclaimscope_bench.c only.  This
 * header includes no other trace header: read again with
 * TRACE_HEADER_MULTI_READ, those would define their events here too.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM reclaimscope_bench

#if !defined(_RS_BENCH_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _RS_BENCH_TRACE_H

#include <linux/tracepoint.h>
#include <linux/vmstat.h>

TRACE_EVENT(rs_bench_tp,
	    TP_PROTO(int nid, unsigned long nr_scanned,
		     unsigned long nr_reclaimed, struct reclaim_stat *stat,
		     int priority, int file),
	    TP_ARGS(nid, nr_scanned, nr_reclaimed, stat, priority, file),
	    TP_STRUCT__entry(__field(int, nid)
			     __field(unsigned long, nr_scanned)
			     __field(unsigned long, nr_reclaimed)
			     __field(unsigned long, nr_dirty)
			     __field(unsigned long, nr_writeback)
			     __field(unsigned long, nr_congested)
			     __field(unsigned long, nr_immediate)
			     __field(unsigned int, nr_activate0)
			     __field(unsigned int, nr_activate1)
			     __field(unsigned long, nr_ref_keep)
			     __field(unsigned long, nr_unmap_fail)
			     __field(int, priority)
			     __field(int, reclaim_flags)),
	    TP_fast_assign(__entry->nid = nid;
			   __entry->nr_scanned = nr_scanned;
			   __entry->nr_reclaimed = nr_reclaimed;
			   __entry->nr_dirty = stat->nr_dirty;
			   __entry->nr_writeback = stat->nr_writeback;
			   __entry->nr_congested = stat->nr_congested;
			   __entry->nr_immediate = stat->nr_immediate;
			   __entry->nr_activate0 = stat->nr_activate[0];
			   __entry->nr_activate1 = stat->nr_activate[1];
			   __entry->nr_ref_keep = stat->nr_ref_keep;
			   __entry->nr_unmap_fail = stat->nr_unmap_fail;
			   __entry->priority = priority;
			   __entry->reclaim_flags = file;),
	    TP_printk("nid=%d nr_scanned=%ld nr_reclaimed=%ld nr_dirty=%ld nr_writeback=%ld nr_congested=%ld nr_immediate=%ld nr_activate_anon=%d nr_activate_file=%d nr_ref_keep=%ld nr_unmap_fail=%ld priority=%d flags=0x%x",
		      __entry->nid,
		      __entry->nr_scanned, __entry->nr_reclaimed,
		      __entry->nr_dirty, __entry->nr_writeback,
		      __entry->nr_congested, __entry->nr_immediate,
		      __entry->nr_activate0, __entry->nr_activate1,
		      __entry->nr_ref_keep, __entry->nr_unmap_fail,
		      __entry->priority, __entry->reclaim_flags)
);

#endif /* _RS_BENCH_TRACE_H */

/* This part must be outside the include guard. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE rs_bench_trace
#include <trace/define_trace.h>
