// SPDX-License-Identifier: GPL-2.0
/*
 * kswapd.c - kswapd per node: how often it is asked to run and runs, how
 * long it stays awake, and what each balance_pgdat() pass takes and gives.
 *
 * Call paths (mm/vmscan.c):
 *   wakeup_kswapd()    -> mm_vmscan_wakeup_kswapd   (a waker asks)
 *   kswapd()           -> mm_vmscan_kswapd_wake     (just before ...)
 *                      -> balance_pgdat()           (see below)
 *   kswapd_try_to_sleep() -> mm_vmscan_kswapd_sleep (asleep for good)
 *
 * balance_pgdat() is timed by mm_vmscan_balance_pgdat_begin/_end where
 * the kernel has them (7.x): they cost less than a kretprobe and put no
 * int3 on kswapd's path.  Elsewhere a kretprobe on balance_pgdat() does
 * the same; the hooks file says which one is attached (the other is
 * "standby" or "missing").  Both see the requested order at entry and
 * the order kswapd stopped at on return (sc.order, which is also what
 * balance_pgdat() returns).
 *
 * 7.x also reports kswapd's failure count: mm_vmscan_kswapd_reclaim_fail
 * when a pass reclaims nothing (kswapd_failures + 1), and
 * mm_vmscan_kswapd_clear_hopeless when the count goes back to 0, with the
 * reason (kswapd or a direct reclaimer found the node balanced, a freed
 * per-CPU page list, other).  Their keys are in node<N>/kswapd only on
 * kernels that have the events.
 *
 * cpu_ns is kswapd's own CPU time, read from its task when the file is
 * read (ks_cpu_ns()); awake_ns_total is wall time.
 */
#include <linux/kprobes.h>
#include <linux/memory_hotplug.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <trace/events/vmscan.h>

#include <reclaimscope/boost.h>
#include <reclaimscope/compat.h>
#include <reclaimscope/core.h>
#include <reclaimscope/counters.h>
#include <reclaimscope/kswapd.h>

enum {
	KS_WAKEUP_REQUESTS,
	KS_WAKES,
	KS_SLEEPS,
	KS_RECLAIM_FAILS,
	KS_HOPELESS_RESETS_KSWAPD,
	KS_HOPELESS_RESETS_DIRECT,
	KS_HOPELESS_RESETS_PCP,
	KS_HOPELESS_RESETS_OTHER,
	KS_AWAKE_NS,		/* printed with the current awake period */
	NR_KS_KEYS,
};

/* A key without a name is kept but not printed (rs_counters_show()). */
static const char * const ks_keys[NR_KS_KEYS] = {
	[KS_WAKEUP_REQUESTS] = "wakeup_requests",
	[KS_WAKES] = "wakes",
	[KS_SLEEPS] = "sleeps",
#ifdef RS_HAVE_TP_KSWAPD_RECLAIM_FAIL
	[KS_RECLAIM_FAILS] = "reclaim_fails",
#endif
#ifdef RS_HAVE_TP_KSWAPD_CLEAR_HOPELESS
	[KS_HOPELESS_RESETS_KSWAPD] = "hopeless_resets_kswapd",
	[KS_HOPELESS_RESETS_DIRECT] = "hopeless_resets_direct",
	[KS_HOPELESS_RESETS_PCP] = "hopeless_resets_pcp",
	[KS_HOPELESS_RESETS_OTHER] = "hopeless_resets_other",
#endif
};

enum {
	BP_CALLS,
	BP_TOTAL_NS,
	BP_ORDER_FALLBACKS,
	BP_MAX_NS,
	BP_HIST,
	NR_BP_KEYS = BP_HIST + RS_HIST_BUCKETS,
};

static const char * const bp_keys[NR_BP_KEYS] = {
	[BP_CALLS] = "calls",
	[BP_TOTAL_NS] = "total_ns",
	[BP_ORDER_FALLBACKS] = "order_fallbacks",
};

/* Per-node state that is a value, not a count: last writer wins. */
struct ks_node {
	u64 awake_since;	/* rs_awake_begin() and friends (kswapd.h) */
	int last_wake_order;
	int last_wake_zoneidx;
	int last_order;
	int last_highest_zoneidx;
	int last_return_order;
	/*
	 * The pass the balance_pgdat tracepoints saw begin, for their end:
	 * its start (0: none; only the node's kswapd writes it) and order.
	 */
	u64 bp_start;
	int bp_order;
};

/* What the balance_pgdat() kretprobe keeps from entry to return. */
struct bp_call {
	u64 start;
	int nid;
	int order;
};

static struct rs_counters ks_ctrs;
static struct rs_counters bp_ctrs;
static struct rs_counters bp_in_flight;	/* a gauge: never reset */
static struct ks_node *ks_nodes;

static struct ks_node *ks_node(int nid)
{
	if (unlikely(nid < 0 || nid >= nr_node_ids))
		return NULL;
	return &ks_nodes[nid];
}

static void rs_probe_wakeup_kswapd(void *data, int nid, int zid, int order,
				   gfp_t gfp_flags)
{
	rs_hook_hit(data);
	rs_counter_inc(&ks_ctrs, nid, KS_WAKEUP_REQUESTS);
}

RS_CHECK_TP_PROTO(mm_vmscan_wakeup_kswapd, rs_probe_wakeup_kswapd);

static void rs_probe_kswapd_wake(void *data, int nid, int zid, int order)
{
	struct ks_node *st = ks_node(nid);

	rs_hook_hit(data);
	rs_counter_inc(&ks_ctrs, nid, KS_WAKES);
	if (!st)
		return;
	WRITE_ONCE(st->last_wake_order, order);
	WRITE_ONCE(st->last_wake_zoneidx, zid);
	rs_awake_begin(&st->awake_since, rs_now());
}

RS_CHECK_TP_PROTO(mm_vmscan_kswapd_wake, rs_probe_kswapd_wake);

static void rs_probe_kswapd_sleep(void *data, int nid)
{
	struct ks_node *st = ks_node(nid);
	u64 since;

	rs_hook_hit(data);
	rs_counter_inc(&ks_ctrs, nid, KS_SLEEPS);
	if (!st)
		return;
	since = rs_awake_end(&st->awake_since);
	if (since)
		rs_counter_add(&ks_ctrs, nid, KS_AWAKE_NS, rs_since(since));
}

RS_CHECK_TP_PROTO(mm_vmscan_kswapd_sleep, rs_probe_kswapd_sleep);

/* A balance_pgdat() pass begins on @pgdat (either hook). */
static void bp_begin(pg_data_t *pgdat, int order, int highest_zoneidx)
{
	int nid = pgdat->node_id;
	struct ks_node *st = ks_node(nid);

	rs_counter_inc(&bp_ctrs, nid, BP_CALLS);
	rs_counter_inc(&bp_in_flight, nid, 0);
	rs_boost_balance_entry(pgdat);
	if (st) {
		WRITE_ONCE(st->last_order, order);
		WRITE_ONCE(st->last_highest_zoneidx, highest_zoneidx);
	}
}

/* The pass bp_begin() saw ends, after @ns, at order @ret (either hook). */
static void bp_end(int nid, int order, int ret, u64 ns)
{
	struct ks_node *st = ks_node(nid);

	rs_counter_dec(&bp_in_flight, nid, 0);
	rs_latency_add(&bp_ctrs, nid, BP_TOTAL_NS, BP_MAX_NS, BP_HIST, ns);
	/* kswapd gave up on the order it was asked for (seed 000). */
	if (ret < order)
		rs_counter_inc(&bp_ctrs, nid, BP_ORDER_FALLBACKS);
	if (st)
		WRITE_ONCE(st->last_return_order, ret);
	rs_boost_balance_return(NODE_DATA(nid));
}

/* balance_pgdat(pg_data_t *pgdat, int order, int highest_zoneidx) */
static int bp_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	pg_data_t *pgdat = (pg_data_t *)regs_get_kernel_argument(regs, 0);
	struct bp_call *call = (struct bp_call *)ri->data;

	rs_hook_hit(rs_hook_from_instance(ri));
	call->nid = pgdat->node_id;
	call->order = (int)regs_get_kernel_argument(regs, 1);
	call->start = rs_now();
	bp_begin(pgdat, call->order, (int)regs_get_kernel_argument(regs, 2));
	return 0;
}

static int bp_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct bp_call *call = (struct bp_call *)ri->data;

	bp_end(call->nid, call->order, (int)regs_return_value(regs),
	       rs_since(call->start));
	return 0;
}

#ifdef RS_HAVE_TP_BALANCE_PGDAT_BEGIN
static void rs_probe_balance_pgdat_begin(void *data, int nid, int order,
					 int highest_zoneidx)
{
	struct ks_node *st = ks_node(nid);

	rs_hook_hit(data);
	if (!st)
		return;
	WRITE_ONCE(st->bp_order, order);
	WRITE_ONCE(st->bp_start, rs_now() ?: 1);
	bp_begin(NODE_DATA(nid), order, highest_zoneidx);
}

RS_CHECK_TP_PROTO(mm_vmscan_balance_pgdat_begin, rs_probe_balance_pgdat_begin);
#define RS_PROBE_BALANCE_PGDAT_BEGIN rs_probe_balance_pgdat_begin
#else
#define RS_PROBE_BALANCE_PGDAT_BEGIN NULL
#endif

#ifdef RS_HAVE_TP_BALANCE_PGDAT_END
static void rs_probe_balance_pgdat_end(void *data, int nid, int order,
				       int highest_zoneidx,
				       unsigned long nr_reclaimed)
{
	struct ks_node *st = ks_node(nid);
	u64 start;

	rs_hook_hit(data);
	/* No begin seen: the pass began before the probes were attached. */
	if (!st)
		return;
	start = xchg(&st->bp_start, 0);
	if (start)
		bp_end(nid, READ_ONCE(st->bp_order), order, rs_since(start));
}

RS_CHECK_TP_PROTO(mm_vmscan_balance_pgdat_end, rs_probe_balance_pgdat_end);
#define RS_PROBE_BALANCE_PGDAT_END rs_probe_balance_pgdat_end
#else
#define RS_PROBE_BALANCE_PGDAT_END NULL
#endif

#ifdef RS_HAVE_TP_KSWAPD_RECLAIM_FAIL
static void rs_probe_kswapd_reclaim_fail(void *data, int nid, int failures)
{
	rs_hook_hit(data);
	rs_counter_inc(&ks_ctrs, nid, KS_RECLAIM_FAILS);
}

RS_CHECK_TP_PROTO(mm_vmscan_kswapd_reclaim_fail, rs_probe_kswapd_reclaim_fail);
#define RS_PROBE_KSWAPD_RECLAIM_FAIL rs_probe_kswapd_reclaim_fail
#else
#define RS_PROBE_KSWAPD_RECLAIM_FAIL NULL
#endif

#ifdef RS_HAVE_TP_KSWAPD_CLEAR_HOPELESS
static void rs_probe_kswapd_clear_hopeless(void *data, int nid, int reason)
{
	unsigned int key;

	rs_hook_hit(data);
	switch (reason) {
	case KSWAPD_CLEAR_HOPELESS_KSWAPD:
		key = KS_HOPELESS_RESETS_KSWAPD;
		break;
	case KSWAPD_CLEAR_HOPELESS_DIRECT:
		key = KS_HOPELESS_RESETS_DIRECT;
		break;
	case KSWAPD_CLEAR_HOPELESS_PCP:
		key = KS_HOPELESS_RESETS_PCP;
		break;
	default:
		key = KS_HOPELESS_RESETS_OTHER;
		break;
	}
	rs_counter_inc(&ks_ctrs, nid, key);
}

RS_CHECK_TP_PROTO(mm_vmscan_kswapd_clear_hopeless, rs_probe_kswapd_clear_hopeless);
#define RS_PROBE_KSWAPD_CLEAR_HOPELESS rs_probe_kswapd_clear_hopeless
#else
#define RS_PROBE_KSWAPD_CLEAR_HOPELESS NULL
#endif

static struct rs_hook ks_hooks[] = {
	RS_TRACEPOINT("mm_vmscan_wakeup_kswapd", rs_probe_wakeup_kswapd),
	RS_TRACEPOINT("mm_vmscan_kswapd_wake", rs_probe_kswapd_wake),
	RS_TRACEPOINT("mm_vmscan_kswapd_sleep", rs_probe_kswapd_sleep),
	{
		.name = "balance_pgdat",
		.kind = RS_HOOK_KRETPROBE,
		.entry_handler = bp_entry,
		.handler = bp_return,
		.data_size = sizeof(struct bp_call),
		/* One kswapd per node; room for a few more to be safe. */
		.maxactive = 64,
		/* Used only where the two tracepoints below cannot be. */
		.fallback_for = 2,
	},
	RS_TRACEPOINT("mm_vmscan_balance_pgdat_begin", RS_PROBE_BALANCE_PGDAT_BEGIN),
	RS_TRACEPOINT("mm_vmscan_balance_pgdat_end", RS_PROBE_BALANCE_PGDAT_END),
	RS_TRACEPOINT("mm_vmscan_kswapd_reclaim_fail", RS_PROBE_KSWAPD_RECLAIM_FAIL),
	RS_TRACEPOINT("mm_vmscan_kswapd_clear_hopeless", RS_PROBE_KSWAPD_CLEAR_HOPELESS),
};

bool rs_kswapd_awake(int nid)
{
	struct ks_node *st = ks_node(nid);

	return st && READ_ONCE(st->awake_since);
}

/*
 * The CPU time of @pgdat's kswapd, in ns, or 0 when the node has none:
 * its task's se.sum_exec_runtime, the first field of
 * /proc/<pid>/schedstat (proc_pid_schedstat() prints the field as it is,
 * without task_sched_runtime()'s part of a slice still running, on every
 * kernel we build for).  Read path only: it may sleep.
 *
 * pgdat->kswapd is set and cleared by kswapd_run()/kswapd_stop() (node
 * memory hotplug); the task is freed once kswapd_stop() has stopped it.
 */
#ifdef RS_HAVE_PGDAT_KSWAPD_LOCK
/* The pointer's own lock (a mutex, or nothing without memory hotplug). */
static u64 ks_cpu_ns(pg_data_t *pgdat)
{
	struct task_struct *t;
	u64 ns = 0;

	pgdat_kswapd_lock(pgdat);
	t = pgdat->kswapd;
	if (t)
		ns = READ_ONCE(t->se.sum_exec_runtime);
	pgdat_kswapd_unlock(pgdat);
	return ns;
}
#else
/*
 * The pointer is guarded by the memory hotplug lock, which modules
 * cannot take.  Compare it, without following it, with every process:
 * one found on the task list under RCU has not been released, so it is
 * safe to read.  A kswapd being stopped is either still found (and read)
 * or already gone from the list (and reads 0).
 */
static u64 ks_cpu_ns(pg_data_t *pgdat)
{
	struct task_struct *t, *p;
	u64 ns = 0;

	rcu_read_lock();
	t = READ_ONCE(pgdat->kswapd);
	if (t) {
		for_each_process(p) {
			if (p == t) {
				ns = READ_ONCE(p->se.sum_exec_runtime);
				break;
			}
		}
	}
	rcu_read_unlock();
	return ns;
}
#endif

static int kswapd_show(struct seq_file *m, void *v)
{
	int nid = rs_file_nid(m);
	pg_data_t *pgdat = NODE_DATA(nid);
	struct ks_node *st = &ks_nodes[nid];
	u64 awake_ns = rs_counter_sum(&ks_ctrs, nid, KS_AWAKE_NS);
	u64 since = READ_ONCE(st->awake_since);
	u64 now = rs_now();
	int failures;

	if (since && now > since)
		awake_ns += now - since;

	rs_counters_show(m, &ks_ctrs, nid);
	rs_kv_u64(m, "awake", !!since);
	rs_kv_u64(m, "awake_ns_total", awake_ns);
	rs_kv_u64(m, "cpu_ns", ks_cpu_ns(pgdat));
	rs_kv_s64(m, "last_wake_order", READ_ONCE(st->last_wake_order));
	rs_kv_s64(m, "last_wake_zoneidx", READ_ONCE(st->last_wake_zoneidx));

	/* The kernel's own view, read now. */
	failures = rs_kswapd_failures(pgdat);
	rs_kv_s64(m, "order", READ_ONCE(pgdat->kswapd_order));
	rs_kv_s64(m, "highest_zoneidx", READ_ONCE(pgdat->kswapd_highest_zoneidx));
	rs_kv_s64(m, "failures", failures);
	rs_kv_u64(m, "hopeless", rs_hopeless(failures));
	return 0;
}
RS_DEFINE_SHOW_ATTRIBUTE(kswapd);

static int balance_pgdat_show(struct seq_file *m, void *v)
{
	int nid = rs_file_nid(m);
	struct ks_node *st = &ks_nodes[nid];

	rs_counters_show(m, &bp_ctrs, nid);
	rs_kv_s64(m, "in_flight", rs_counter_gauge(&bp_in_flight, nid, 0));
	rs_kv_u64(m, "max_ns", rs_counter_max(&bp_ctrs, nid, BP_MAX_NS));
	rs_kv_s64(m, "last_order", READ_ONCE(st->last_order));
	rs_kv_s64(m, "last_highest_zoneidx", READ_ONCE(st->last_highest_zoneidx));
	rs_kv_s64(m, "last_return_order", READ_ONCE(st->last_return_order));
	rs_counter_hist_show(m, &bp_ctrs, nid, BP_HIST);
	return 0;
}
RS_DEFINE_SHOW_ATTRIBUTE(balance_pgdat);

static void kswapd_node_files(struct dentry *dir, int nid)
{
	rs_file("kswapd", RS_FILE_MODE, dir, rs_nid_private(nid), &kswapd_fops);
	rs_file("balance_pgdat", RS_FILE_MODE, dir, rs_nid_private(nid),
		&balance_pgdat_fops);
}

static void kswapd_reset(void)
{
	u64 now = rs_now();
	int nid;

	/* An awake kswapd's awake time counts from the reset on. */
	for (nid = 0; nid < nr_node_ids; nid++) {
		u64 *since = &ks_nodes[nid].awake_since;

		rs_awake_restart(since, READ_ONCE(*since), now);
	}
}

static void kswapd_exit(void)
{
	kfree(ks_nodes);
	ks_nodes = NULL;
}

static int kswapd_init(void)
{
	ks_nodes = kcalloc(nr_node_ids, sizeof(*ks_nodes), GFP_KERNEL);
	return ks_nodes ? 0 : -ENOMEM;
}

static const struct rs_counter_decl ks_counters[] = {
	RS_PER_NODE(&ks_ctrs, NR_KS_KEYS, ks_keys),
	RS_PER_NODE(&bp_ctrs, NR_BP_KEYS, bp_keys),
	RS_PER_NODE_GAUGE(&bp_in_flight),
};

const struct rs_feature rs_kswapd_feature = {
	.name = "kswapd",
	.hooks = ks_hooks,
	.nr_hooks = ARRAY_SIZE(ks_hooks),
	.counters = ks_counters,
	.nr_counters = ARRAY_SIZE(ks_counters),
	.init = kswapd_init,
	.exit = kswapd_exit,
	.reset = kswapd_reset,
	.node_files = kswapd_node_files,
};
