// SPDX-License-Identifier: GPL-2.0
/*
 * reclaimscope_bench.c - what one probe hit costs (make bench).
 *
 * Times a loop of calls to a probed site in process context, once per
 * case, and prints nanoseconds per call.  The cases differ only in what
 * is attached to the site, so the difference between a case and its
 * baseline is the cost of one hit:
 *
 *   call_bare              rs_bench_target() with nothing attached
 *   call_kprobe_empty      + a kprobe with an empty pre_handler
 *   call_kretprobe_empty   + a kretprobe with empty handlers
 *   call_kretprobe_module  + the module's shrink_folio_list kretprobe:
 *                          its registry (module/hooks.c) and handlers
 *                          (module/shrink_list.c), compiled in here
 *   tp_off                 trace_rs_bench_tp() with no probe (a NOP)
 *   tp_probe_empty         + an empty probe
 *   tp_probe_module        + the module's mm_vmscan_lru_shrink_inactive
 *                          probe (module/shrink_list.c)
 *
 * rs_bench_target() has the prototype of shrink_folio_list() and
 * rs_bench_tp the TP_PROTO of mm_vmscan_lru_shrink_inactive, so the
 * module's own handlers run unchanged on them.  Like the kernel's
 * functions, rs_bench_target() starts with an ftrace call site, so the
 * kprobes go through ftrace as they do on the real symbols.
 *
 * Each repetition runs every case in turn (after one unmeasured warm-up
 * pass), so a slow spell of the host hits all cases alike; the minimum
 * and median over repetitions are printed.  Usage (in the guest only):
 *
 *   insmod reclaimscope_bench.ko [calls=N] [reps=R]
 *   echo 1 > /sys/kernel/debug/reclaimscope_bench/run
 *   cat /sys/kernel/debug/reclaimscope_bench/results
 */
#include "../../module/hooks.c"
#include "../../module/counters.c"
#include "../../module/shrink_list.c"

#include <linux/debugfs.h>
#include <linux/kprobes.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/sched.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/topology.h>
#include <linux/tracepoint.h>

static unsigned long calls = 100000;
module_param(calls, ulong, 0444);
MODULE_PARM_DESC(calls, "calls per case and repetition");

#define RB_MAX_REPS	31
static unsigned int reps = 7;
module_param(reps, uint, 0444);
MODULE_PARM_DESC(reps, "repetitions (1-31)");

/* shrink_list.c's files take it; nothing here reads them. */
DECLARE_RWSEM(rs_reset_sem);

DECLARE_TRACE(rs_bench_tp,
	      TP_PROTO(int nid, unsigned long nr_scanned,
		       unsigned long nr_reclaimed, struct reclaim_stat *stat,
		       int priority, int file),
	      TP_ARGS(nid, nr_scanned, nr_reclaimed, stat, priority, file));

DEFINE_TRACE(rs_bench_tp,
	     TP_PROTO(int nid, unsigned long nr_scanned,
		      unsigned long nr_reclaimed, struct reclaim_stat *stat,
		      int priority, int file),
	     TP_ARGS(nid, nr_scanned, nr_reclaimed, stat, priority, file))

RS_CHECK_TP_PROTO(rs_bench_tp, rs_probe_lru_shrink_inactive);

static unsigned int rb_sink;

/*
 * Shaped like shrink_folio_list(folio_list, pgdat, sc, stat,
 * ignore_references), which zeroes *stat first.  __noclone: the probes
 * find it by name and read its arguments from the registers of the
 * normal calling convention.
 */
static noinline __noclone unsigned int
rs_bench_target(struct list_head *folio_list, struct pglist_data *pgdat,
		void *sc, struct reclaim_stat *stat, bool ignore_references)
{
	memset(stat, 0, sizeof(*stat));
	return READ_ONCE(rb_sink);
}

enum rb_case {
	RB_CALL_BARE,
	RB_CALL_KPROBE,
	RB_CALL_KRETPROBE,
	RB_CALL_MODULE,
	RB_TP_OFF,
	RB_TP_EMPTY,
	RB_TP_MODULE,
	NR_RB_CASES,
};

static const char * const rb_case_names[NR_RB_CASES] = {
	[RB_CALL_BARE] = "call_bare",
	[RB_CALL_KPROBE] = "call_kprobe_empty",
	[RB_CALL_KRETPROBE] = "call_kretprobe_empty",
	[RB_CALL_MODULE] = "call_kretprobe_module",
	[RB_TP_OFF] = "tp_off",
	[RB_TP_EMPTY] = "tp_probe_empty",
	[RB_TP_MODULE] = "tp_probe_module",
};

static int rb_kp_pre(struct kprobe *p, struct pt_regs *regs)
{
	return 0;
}

static int rb_krp_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return 0;
}

static void rb_tp_empty(void *data, int nid, unsigned long nr_scanned,
			unsigned long nr_reclaimed, struct reclaim_stat *stat,
			int priority, int file)
{
}

static struct kprobe rb_kp;
static struct kretprobe rb_krp;
static struct rs_hook rb_krp_hook[] = {
	{
		.name = "rs_bench_target",
		.kind = RS_HOOK_KRETPROBE,
		.entry_handler = sl_entry,
		.handler = sl_return,
		.data_size = sizeof(struct sl_call),
		.maxactive = 512,
	},
};

static struct rs_hook rb_tp_hook =
	RS_TRACEPOINT("rs_bench_tp", rs_probe_lru_shrink_inactive);

static DEFINE_MUTEX(rb_lock);
static bool rb_done;
static int rb_err;
static unsigned int rb_reps;
/* Picoseconds per call, one per case and repetition. */
static u64 rb_ps[NR_RB_CASES][RB_MAX_REPS];
/* Probe hits seen, and what they should have been. */
static unsigned long rb_hits[NR_RB_CASES], rb_expect[NR_RB_CASES];
static unsigned long rb_missed[NR_RB_CASES];

static u64 rb_loop_call(unsigned long n)
{
	struct pglist_data *pgdat = NODE_DATA(numa_node_id());
	struct reclaim_stat stat;
	unsigned int sum = 0;
	unsigned long i;
	u64 t;

	t = ktime_get_ns();
	for (i = 0; i < n; i++)
		sum += rs_bench_target(NULL, pgdat, NULL, &stat, false);
	t = ktime_get_ns() - t;
	WRITE_ONCE(rb_sink, sum & 1);
	return t;
}

static u64 rb_loop_tp(unsigned long n)
{
	struct reclaim_stat stat = {};
	int nid = numa_node_id();
	unsigned long i;
	u64 t;

	t = ktime_get_ns();
	for (i = 0; i < n; i++)
		trace_rs_bench_tp(nid, i, i / 2, &stat, 12, 1);
	return ktime_get_ns() - t;
}

/* Attach what @c needs; 0 or an errno. */
static int rb_attach(enum rb_case c)
{
	int ret = 0;

	switch (c) {
	case RB_CALL_KPROBE:
		memset(&rb_kp, 0, sizeof(rb_kp));
		rb_kp.symbol_name = "rs_bench_target";
		rb_kp.pre_handler = rb_kp_pre;
		ret = register_kprobe(&rb_kp);
		break;
	case RB_CALL_KRETPROBE:
		memset(&rb_krp, 0, sizeof(rb_krp));
		rb_krp.kp.symbol_name = "rs_bench_target";
		rb_krp.handler = rb_krp_ret;
		rb_krp.maxactive = 512;
		ret = register_kretprobe(&rb_krp);
		break;
	case RB_CALL_MODULE:
		ret = rs_hooks_attach(rb_krp_hook, ARRAY_SIZE(rb_krp_hook));
		if (!ret && rb_krp_hook[0].state != RS_HOOK_ATTACHED) {
			ret = rb_krp_hook[0].err ?: -ENOENT;
			rs_hooks_release(rb_krp_hook, ARRAY_SIZE(rb_krp_hook));
		}
		break;
	case RB_TP_EMPTY:
		ret = tracepoint_probe_register(&__tracepoint_rs_bench_tp,
						(void *)rb_tp_empty, NULL);
		break;
	case RB_TP_MODULE:
		rb_tp_hook.hits = alloc_percpu(unsigned long);
		if (!rb_tp_hook.hits)
			return -ENOMEM;
		ret = tracepoint_probe_register(&__tracepoint_rs_bench_tp,
						rb_tp_hook.probe, &rb_tp_hook);
		if (ret) {
			free_percpu(rb_tp_hook.hits);
			rb_tp_hook.hits = NULL;
		}
		break;
	default:
		break;
	}
	return ret;
}

/* Detach what rb_attach(@c) attached, counting its hits. */
static void rb_detach(enum rb_case c)
{
	switch (c) {
	case RB_CALL_KPROBE:
		unregister_kprobe(&rb_kp);
		rb_missed[c] += rb_kp.nmissed;
		break;
	case RB_CALL_KRETPROBE:
		rb_missed[c] += rb_krp.nmissed + rb_krp.kp.nmissed;
		unregister_kretprobe(&rb_krp);
		break;
	case RB_CALL_MODULE:
		rb_hits[c] += rs_hook_hits(&rb_krp_hook[0]);
		rb_missed[c] += rs_hook_missed(&rb_krp_hook[0]);
		rs_hooks_detach(rb_krp_hook, ARRAY_SIZE(rb_krp_hook));
		break;
	case RB_TP_EMPTY:
		tracepoint_probe_unregister(&__tracepoint_rs_bench_tp,
					    (void *)rb_tp_empty, NULL);
		tracepoint_synchronize_unregister();
		break;
	case RB_TP_MODULE:
		tracepoint_probe_unregister(&__tracepoint_rs_bench_tp,
					    rb_tp_hook.probe, &rb_tp_hook);
		tracepoint_synchronize_unregister();
		rb_hits[c] += rs_hook_hits(&rb_tp_hook);
		free_percpu(rb_tp_hook.hits);
		rb_tp_hook.hits = NULL;
		break;
	default:
		break;
	}
}

/* One pass of case @c: @n calls, timed; the time in ns, or an errno. */
static s64 rb_case_run(enum rb_case c, unsigned long n)
{
	int ret = rb_attach(c);
	u64 t;

	if (ret)
		return ret;
	t = c < RB_TP_OFF ? rb_loop_call(n) : rb_loop_tp(n);
	rb_detach(c);
	return t;
}

static int rb_run(void)
{
	unsigned long warm = max(calls / 10, 1UL);
	unsigned int r;
	enum rb_case c;
	s64 t;

	rb_reps = clamp(reps, 1U, RB_MAX_REPS);
	memset(rb_hits, 0, sizeof(rb_hits));
	memset(rb_expect, 0, sizeof(rb_expect));
	memset(rb_missed, 0, sizeof(rb_missed));

	/* Warm-up: under TCG the first pass also translates the code. */
	for (c = 0; c < NR_RB_CASES; c++) {
		t = rb_case_run(c, warm);
		if (t < 0)
			return t;
		cond_resched();
	}
	memset(rb_hits, 0, sizeof(rb_hits));
	memset(rb_missed, 0, sizeof(rb_missed));
	rs_counters_reset(&sl_ctrs);

	for (r = 0; r < rb_reps; r++) {
		for (c = 0; c < NR_RB_CASES; c++) {
			t = rb_case_run(c, calls);
			if (t < 0)
				return t;
			rb_ps[c][r] = div64_u64((u64)t * 1000, calls);
			cond_resched();
		}
	}
	rb_expect[RB_CALL_MODULE] = calls * rb_reps;
	rb_expect[RB_TP_MODULE] = calls * rb_reps;
	return 0;
}

static int rb_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static void rb_show_ps(struct seq_file *m, const char *key, u64 ps)
{
	u32 frac;
	u64 ns = div_u64_rem(ps, 1000, &frac);

	seq_printf(m, " %s=%llu.%03u", key, ns, frac);
}

static int results_show(struct seq_file *m, void *v)
{
	u64 sorted[RB_MAX_REPS];
	enum rb_case c;

	mutex_lock(&rb_lock);
	if (!rb_done) {
		seq_printf(m, "RS-BENCH-ERROR %d\n", rb_err);
		goto out;
	}
	for (c = 0; c < NR_RB_CASES; c++) {
		memcpy(sorted, rb_ps[c], rb_reps * sizeof(u64));
		sort(sorted, rb_reps, sizeof(u64), rb_cmp_u64, NULL);
		seq_printf(m, "RS-BENCH %s", rb_case_names[c]);
		rb_show_ps(m, "min_ns", sorted[0]);
		rb_show_ps(m, "median_ns", sorted[rb_reps / 2]);
		rb_show_ps(m, "max_ns", sorted[rb_reps - 1]);
		seq_printf(m, " calls=%lu reps=%u\n", calls, rb_reps);
	}
	for (c = 0; c < NR_RB_CASES; c++)
		if (rb_expect[c] || rb_missed[c])
			seq_printf(m, "RS-BENCH-HITS %s hits=%lu expected=%lu missed=%lu\n",
				   rb_case_names[c], rb_hits[c], rb_expect[c],
				   rb_missed[c]);
	seq_printf(m, "RS-BENCH-HITS shrink_list_calls hits=%llu expected=%lu missed=0\n",
		   rs_counter_sum_slots(&sl_ctrs, SL_CALLS),
		   rb_expect[RB_CALL_MODULE]);
out:
	mutex_unlock(&rb_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(results);

static ssize_t run_write(struct file *file, const char __user *ubuf,
			 size_t len, loff_t *ppos)
{
	int ret = rs_write_is_one(ubuf, len);

	if (ret)
		return ret;
	if (!calls)
		return -EINVAL;
	mutex_lock(&rb_lock);
	rb_done = false;
	ret = rb_run();
	rb_err = ret;
	rb_done = !ret;
	mutex_unlock(&rb_lock);
	if (ret)
		pr_warn("bench failed: %d\n", ret);
	return ret ?: len;
}

static const struct file_operations run_fops = {
	.owner = THIS_MODULE,
	.write = run_write,
	.llseek = noop_llseek,
};

static struct dentry *rb_root;

/* shrink_list.c's node files need it; the bench makes none. */
struct dentry *rs_file(const char *name, umode_t mode, struct dentry *parent,
		       void *data, const struct file_operations *fops)
{
	return debugfs_create_file(name, mode, parent, data, fops);
}

/*
 * What the module's core does for a feature at load (module/main.c):
 * shrink_list.c's counter sets, then its own init.
 */
static void rb_counters_free(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sl_counters); i++)
		rs_counters_free(sl_counters[i].c);
}

static int rb_counters_init(void)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; !ret && i < ARRAY_SIZE(sl_counters); i++) {
		const struct rs_counter_decl *d = &sl_counters[i];

		ret = rs_counters_init(d->c, d->per_node ?
				       d->rows * nr_node_ids : d->rows,
				       d->nr_keys, d->names);
	}
	if (!ret)
		ret = shrink_list_init();
	if (ret)
		rb_counters_free();
	return ret;
}

static int __init rb_init(void)
{
	int ret = rb_counters_init();

	if (ret)
		return ret;
	rb_root = debugfs_create_dir("reclaimscope_bench", NULL);
	debugfs_create_file("run", RS_WFILE_MODE, rb_root, NULL, &run_fops);
	debugfs_create_file("results", RS_FILE_MODE, rb_root, NULL,
			    &results_fops);
	return 0;
}

static void __exit rb_exit(void)
{
	debugfs_remove_recursive(rb_root);
	rb_counters_free();
}

module_init(rb_init);
module_exit(rb_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("reclaimscope: cost of one probe hit (make bench)");
