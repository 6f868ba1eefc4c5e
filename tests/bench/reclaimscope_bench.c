// SPDX-License-Identifier: GPL-2.0
/*
 * reclaimscope_bench.c - what one probe hit costs (make bench).
 *
 * Times a loop of calls to a probed site in process context, one pass
 * per write to the run file, and prints nanoseconds per call.  The cases
 * differ only in what is attached to the site, so the difference between
 * a case and its baseline is the cost of one hit:
 *
 *   call_bare              rs_bench_target() with nothing attached
 *   call_kprobe_empty      + a kprobe with an empty pre_handler
 *   call_kretprobe_empty   + a kretprobe with empty handlers
 *   call_kretprobe_module  + the module's shrink_folio_list kretprobe:
 *                          its registry (module/hooks.c) and handlers
 *                          (module/shrink_list.c), compiled in here
 *   call_fprobe_module     + the same handlers' work on an fprobe
 *                          (kernels with fprobes whose entry handler
 *                          takes ret_ip, built with CONFIG_FPROBE)
 *   call_kprobe_event      + a tracefs kprobe event (p:), made by the guest
 *   call_kretprobe_event   + a tracefs kretprobe event (r:), likewise
 *   tp_off                 trace_rs_bench_tp() with no probe (a NOP)
 *   tp_probe_empty         + an empty probe
 *   tp_probe_module        + the module's mm_vmscan_lru_shrink_inactive
 *                          probe (module/shrink_list.c)
 *   tp_ftrace              + ftrace's own probe: the event enabled in
 *                          tracefs by the guest (rs_bench_trace.h)
 *
 * rs_bench_target() has the prototype of shrink_folio_list() and
 * rs_bench_tp the TP_PROTO of mm_vmscan_lru_shrink_inactive, so the
 * module's own handlers run unchanged on them.  Like the kernel's
 * functions, rs_bench_target() starts with an ftrace call site, so the
 * kprobes and the fprobe go through ftrace as they do on the real
 * symbols.  While a module case runs, the bench's task holds a slot of
 * the bench's direct reclaim table, so the handlers see a direct
 * reclaimer (module/stalls.c's rs_reclaim_context()).
 *
 * The "tracefs" cases need the guest to attach what they measure
 * (tests/guest/scenarios/bench.sh): the bench only times the loop and
 * checks what it can (the tracepoint is enabled for tp_ftrace and for no
 * other tp_* case).  So the guest, not the bench, runs the repetitions:
 * each write to run is one pass of one case, and the guest interleaves
 * them.  Usage (in the guest only):
 *
 *   insmod reclaimscope_bench.ko [calls=N]
 *   cat  /sys/kernel/debug/reclaimscope_bench/cases   (name module|tracefs)
 *   cat  /sys/kernel/debug/reclaimscope_bench/kprobe_events
 *   echo "<case> warm" > .../run    an untimed pass of calls/10 calls
 *   echo reset > .../run            forget every pass and count
 *   echo "<case>" > .../run         one timed pass (calls= calls)
 *   cat  /sys/kernel/debug/reclaimscope_bench/results
 */
#include "../../module/hooks.c"
#include "../../module/counters.c"
#include "../../module/pairs.c"
#include "../../module/shrink_list.c"

#include <linux/debugfs.h>
#if IS_ENABLED(CONFIG_FPROBE)
#include <linux/fprobe.h>
#endif
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

#define CREATE_TRACE_POINTS
#include "rs_bench_trace.h"

/*
 * fprobe shapes with an exit handler and an int entry handler taking
 * ret_ip: pt_regs (6.x) or ftrace_regs (7.x) (scripts/probes.mk).
 */
#if IS_ENABLED(CONFIG_FPROBE) && defined(RS_HAVE_FPROBE_PT_REGS)
#define RB_HAVE_FPROBE		1
#define rb_fp_regs		pt_regs
#define rb_fp_arg(r, n)		regs_get_kernel_argument(r, n)
#define rb_fp_retval(r)		regs_return_value(r)
#elif IS_ENABLED(CONFIG_FPROBE) && defined(RS_HAVE_FPROBE_FTRACE_REGS)
#define RB_HAVE_FPROBE		1
#define rb_fp_regs		ftrace_regs
#define rb_fp_arg(r, n)		ftrace_regs_get_argument(r, n)
#define rb_fp_retval(r)		ftrace_regs_get_return_value(r)
#else
#define RB_HAVE_FPROBE		0
#endif

static unsigned long calls = 100000;
module_param(calls, ulong, 0444);
MODULE_PARM_DESC(calls, "calls per timed pass");

/* Timed passes per case kept between resets. */
#define RB_MAX_REPS	31

/* shrink_list.c's files take it; nothing here reads them. */
DECLARE_RWSEM(rs_reset_sem);

RS_CHECK_TP_PROTO(rs_bench_tp, rs_probe_lru_shrink_inactive);

/*
 * The module's context lookup (stalls.h), on tables of the bench's own:
 * counted, as the module's are; the memcg one stays empty, the direct
 * one holds the bench's task while a module case runs.
 */
#define RB_PAIR_BITS	10
static struct rs_pairs rb_dr_pairs = { .counted = true };
static struct rs_pairs rb_mr_pairs = { .counted = true };

bool rs_in_direct_reclaim(void)
{
	return rs_pairs_holds(&rb_dr_pairs, current);
}

bool rs_in_memcg_reclaim(void)
{
	return rs_pairs_holds(&rb_mr_pairs, current);
}

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
	RB_CALL_FPROBE,
	RB_CALL_KPROBE_EVENT,
	RB_CALL_KRETPROBE_EVENT,
	RB_TP_OFF,
	RB_TP_EMPTY,
	RB_TP_MODULE,
	RB_TP_FTRACE,
	NR_RB_CASES,
};

/* The first case that calls the tracepoint instead of the function. */
#define RB_FIRST_TP	RB_TP_OFF

static const char * const rb_case_names[NR_RB_CASES] = {
	[RB_CALL_BARE] = "call_bare",
	[RB_CALL_KPROBE] = "call_kprobe_empty",
	[RB_CALL_KRETPROBE] = "call_kretprobe_empty",
	[RB_CALL_MODULE] = "call_kretprobe_module",
	[RB_CALL_FPROBE] = "call_fprobe_module",
	[RB_CALL_KPROBE_EVENT] = "call_kprobe_event",
	[RB_CALL_KRETPROBE_EVENT] = "call_kretprobe_event",
	[RB_TP_OFF] = "tp_off",
	[RB_TP_EMPTY] = "tp_probe_empty",
	[RB_TP_MODULE] = "tp_probe_module",
	[RB_TP_FTRACE] = "tp_ftrace",
};

/* Whether the guest attaches what case @c measures, through tracefs. */
static bool rb_case_tracefs(enum rb_case c)
{
	return c == RB_CALL_KPROBE_EVENT || c == RB_CALL_KRETPROBE_EVENT ||
	       c == RB_TP_FTRACE;
}

/* Whether this build and kernel have case @c. */
static bool rb_case_present(enum rb_case c)
{
	return c != RB_CALL_FPROBE || RB_HAVE_FPROBE;
}

/* Whether the module's shrink_list handlers run in case @c. */
static bool rb_case_sl(enum rb_case c)
{
	return c == RB_CALL_MODULE || c == RB_CALL_FPROBE;
}

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

#if RB_HAVE_FPROBE
/*
 * shrink_list.c's kretprobe handlers, as an fprobe's: the same
 * sl_begin() and sl_end(), the arguments and the return value read
 * from what the fprobe passes.  Only the hits are kept in an rs_hook.
 */
static struct fprobe rb_fp;
static struct rs_hook rb_fp_hook;

static int rb_fp_entry(struct fprobe *fp, unsigned long entry_ip,
		       unsigned long ret_ip, struct rb_fp_regs *regs,
		       void *data)
{
	rs_hook_hit(&rb_fp_hook);
	sl_begin((struct sl_call *)data, (pg_data_t *)rb_fp_arg(regs, 1),
		 (struct reclaim_stat *)rb_fp_arg(regs, 3));
	return 0;
}

static void rb_fp_exit(struct fprobe *fp, unsigned long entry_ip,
		       unsigned long ret_ip, struct rb_fp_regs *regs,
		       void *data)
{
	sl_end((const struct sl_call *)data, (unsigned int)rb_fp_retval(regs));
}

static int rb_fp_attach(void)
{
	const char *sym = "rs_bench_target";
	int ret;

	memset(&rb_fp, 0, sizeof(rb_fp));
	rb_fp.entry_handler = rb_fp_entry;
	rb_fp.exit_handler = rb_fp_exit;
	rb_fp.entry_data_size = sizeof(struct sl_call);
#ifdef RS_HAVE_FPROBE_NR_MAXACTIVE
	rb_fp.nr_maxactive = 512;	/* as the kretprobe's maxactive */
#endif
	rb_fp_hook.hits = alloc_percpu(unsigned long);
	if (!rb_fp_hook.hits)
		return -ENOMEM;
	ret = register_fprobe_syms(&rb_fp, &sym, 1);
	if (ret) {
		free_percpu(rb_fp_hook.hits);
		rb_fp_hook.hits = NULL;
	}
	return ret;
}

/* Detach; the hits and misses of the pass through @hits and @missed. */
static void rb_fp_detach(unsigned long *hits, unsigned long *missed)
{
	unregister_fprobe(&rb_fp);
	*hits += rs_hook_hits(&rb_fp_hook);
	*missed += READ_ONCE(rb_fp.nmissed);
	free_percpu(rb_fp_hook.hits);
	rb_fp_hook.hits = NULL;
}
#else
static int rb_fp_attach(void)
{
	return -EOPNOTSUPP;
}

static void rb_fp_detach(unsigned long *hits, unsigned long *missed)
{
}
#endif

static DEFINE_MUTEX(rb_lock);
/* Since the last reset: timed passes, in ps per call, per case ... */
static unsigned int rb_nr_reps[NR_RB_CASES];
static u64 rb_ps[NR_RB_CASES][RB_MAX_REPS];
/* ... calls made (timed and warm-up) and probe hits and misses seen. */
static unsigned long rb_calls_run[NR_RB_CASES];
static unsigned long rb_hits[NR_RB_CASES], rb_missed[NR_RB_CASES];

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

	/*
	 * Only tp_ftrace runs with the event enabled (by the guest); a
	 * probe left on the tracepoint would be timed with every tp_* case.
	 */
	if (c >= RB_FIRST_TP && c != RB_TP_FTRACE && trace_rs_bench_tp_enabled())
		return -EBUSY;
	if (c == RB_TP_FTRACE && !trace_rs_bench_tp_enabled())
		return -ENODEV;

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
	case RB_CALL_FPROBE:
		ret = rb_fp_attach();
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
	case RB_CALL_FPROBE:
		rb_fp_detach(&rb_hits[c], &rb_missed[c]);
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

/*
 * One pass of case @c: as many calls as the calls parameter says, timed
 * and kept as a repetition, or (@warm) a tenth of them, untimed.  0 or
 * an errno.
 */
static int rb_case_run(enum rb_case c, bool warm)
{
	unsigned long n = warm ? max(calls / 10, 1UL) : calls;
	bool direct = rb_case_sl(c);
	int ret;
	u64 t;

	if (!warm && rb_nr_reps[c] >= RB_MAX_REPS)
		return -ENOSPC;
	ret = rb_attach(c);
	if (ret)
		return ret;
	/* A direct reclaimer, as far as rs_reclaim_context() can tell. */
	if (direct && !rs_pairs_begin(&rb_dr_pairs, current, 0, numa_node_id()))
		direct = false;
	t = c < RB_FIRST_TP ? rb_loop_call(n) : rb_loop_tp(n);
	if (direct) {
		u64 ts;
		int nid;

		rs_pairs_end(&rb_dr_pairs, current, &ts, &nid);
	}
	rb_detach(c);
	rb_calls_run[c] += n;
	if (!warm)
		rb_ps[c][rb_nr_reps[c]++] = div64_u64(t * 1000, n);
	return 0;
}

static void rb_reset(void)
{
	memset(rb_nr_reps, 0, sizeof(rb_nr_reps));
	memset(rb_calls_run, 0, sizeof(rb_calls_run));
	memset(rb_hits, 0, sizeof(rb_hits));
	memset(rb_missed, 0, sizeof(rb_missed));
	rs_counters_reset(&sl_ctrs);
	rs_counters_reset(&sl_stat_ctrs);
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

static void rb_show_hits(struct seq_file *m, const char *name, u64 hits,
			 u64 expected, u64 missed)
{
	seq_printf(m, "RS-BENCH-HITS %s hits=%llu expected=%llu missed=%llu\n",
		   name, hits, expected, missed);
}

static int results_show(struct seq_file *m, void *v)
{
	u64 sorted[RB_MAX_REPS], sl_calls, hist = 0;
	unsigned int n, b;
	enum rb_case c;

	mutex_lock(&rb_lock);
	for (c = 0; c < NR_RB_CASES; c++) {
		n = rb_nr_reps[c];
		if (!n)
			continue;
		memcpy(sorted, rb_ps[c], n * sizeof(u64));
		sort(sorted, n, sizeof(u64), rb_cmp_u64, NULL);
		seq_printf(m, "RS-BENCH %s", rb_case_names[c]);
		rb_show_ps(m, "min_ns", sorted[0]);
		rb_show_ps(m, "median_ns", sorted[n / 2]);
		rb_show_ps(m, "max_ns", sorted[n - 1]);
		seq_printf(m, " calls=%lu reps=%u\n", calls, n);
	}
	/* Every call ran the module's handlers once, in full. */
	for (c = 0; c < NR_RB_CASES; c++)
		if (rb_case_sl(c) || c == RB_TP_MODULE)
			if (rb_calls_run[c] || rb_missed[c])
				rb_show_hits(m, rb_case_names[c], rb_hits[c],
					     rb_calls_run[c], rb_missed[c]);
	sl_calls = rb_calls_run[RB_CALL_MODULE] + rb_calls_run[RB_CALL_FPROBE];
	rb_show_hits(m, "shrink_list_calls",
		     rs_counter_sum_slots(&sl_ctrs, SL_CALLS), sl_calls, 0);
	rb_show_hits(m, "shrink_list_direct_calls",
		     rs_counter_sum_slots(&sl_ctrs, SL_CTX + 2 * RS_CTX_DIRECT),
		     sl_calls, 0);
	for (b = 0; b < RS_HIST_BUCKETS; b++)
		hist += rs_counter_sum_slots(&sl_ctrs, SL_HIST + b);
	rb_show_hits(m, "shrink_list_hist", hist, sl_calls, 0);
	rb_show_hits(m, "tp_inactive_calls",
		     rs_counter_sum_slots(&sl_ctrs, SL_INACTIVE_CALLS),
		     rb_calls_run[RB_TP_MODULE], 0);
	mutex_unlock(&rb_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(results);

static int cases_show(struct seq_file *m, void *v)
{
	enum rb_case c;

	for (c = 0; c < NR_RB_CASES; c++)
		if (rb_case_present(c))
			seq_printf(m, "%s %s\n", rb_case_names[c],
				   rb_case_tracefs(c) ? "tracefs" : "module");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cases);

/*
 * kprobe_events definitions that read what the module's handlers read:
 * for shrink_folio_list()'s shape, pgdat->node_id and the stat pointer
 * on entry; the same node, the return value and every reclaim_stat field
 * the module counts on return (a return probe's $argN is the argument
 * as it was on entry; what it points to is read on return).
 */
static void rb_sfl_events(struct seq_file *m, const char *group,
			  const char *entry, const char *ret, const char *sym)
{
	size_t nid = offsetof(struct pglist_data, node_id);
	unsigned int i;

	seq_printf(m, "p:%s/%s %s nid=+%zu($arg2):s32 stat=$arg4:x64\n",
		   group, entry, sym, nid);
	seq_printf(m, "r:%s/%s %s nid=+%zu($arg2):s32 nr_reclaimed=$retval:u32",
		   group, ret, sym, nid);
	for (i = 0; i < sl_nr_stat_fields; i++)
		seq_printf(m, " %s=+%zu($arg4):u32", sl_stat_fields[i].key,
			   sl_stat_fields[i].offset);
	seq_putc(m, '\n');
}

/* balance_pgdat(pgdat, order, highest_zoneidx): what kswapd.c reads. */
static void rb_bp_events(struct seq_file *m, const char *group)
{
	size_t nid = offsetof(struct pglist_data, node_id);

	seq_printf(m, "p:%s/balance_pgdat_entry balance_pgdat nid=+%zu($arg1):s32 order=$arg2:s32 highest_zoneidx=$arg3:s32\n",
		   group, nid);
	seq_printf(m, "r:%s/balance_pgdat_return balance_pgdat nid=+%zu($arg1):s32 order=$arg2:s32 ret=$retval:s32\n",
		   group, nid);
}

/*
 * try_to_compact_pages(gfp_mask, order, ...): direct_compaction.c reads
 * the result on return (and the order from the tracepoint on entry).
 */
static void rb_ttcp_events(struct seq_file *m, const char *group)
{
	seq_printf(m, "p:%s/try_to_compact_pages_entry try_to_compact_pages order=$arg2:u32\n",
		   group);
	seq_printf(m, "r:%s/try_to_compact_pages_return try_to_compact_pages ret=$retval:s32\n",
		   group);
}

/*
 * rs_bench/rb_kprobe and rs_bench/rb_kretprobe for the two event cases;
 * the rs_macro group for make bench's whole-workload run, on the
 * kernel's own functions.
 */
static int kprobe_events_show(struct seq_file *m, void *v)
{
	rb_sfl_events(m, "rs_bench", "rb_kprobe", "rb_kretprobe",
		      "rs_bench_target");
	rb_sfl_events(m, "rs_macro", "shrink_folio_list_entry",
		      "shrink_folio_list_return", "shrink_folio_list");
	rb_bp_events(m, "rs_macro");
	rb_ttcp_events(m, "rs_macro");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kprobe_events);

/* A case name, or one followed by " warm", or "reset". */
static ssize_t run_write(struct file *file, const char __user *ubuf,
			 size_t len, loff_t *ppos)
{
	char buf[48], *arg;
	bool warm = false;
	enum rb_case c;
	int ret;

	ret = rs_write_copy(buf, sizeof(buf), ubuf, len);
	if (ret < 0)
		return ret;
	arg = strchr(buf, ' ');
	if (arg) {
		*arg++ = '\0';
		if (strcmp(arg, "warm"))
			return -EINVAL;
		warm = true;
	}
	if (!calls)
		return -EINVAL;

	mutex_lock(&rb_lock);
	if (!warm && !strcmp(buf, "reset")) {
		rb_reset();
		ret = 0;
	} else {
		ret = -ENOENT;
		for (c = 0; c < NR_RB_CASES; c++)
			if (rb_case_present(c) && !strcmp(buf, rb_case_names[c]))
				break;
		if (c < NR_RB_CASES)
			ret = rb_case_run(c, warm);
	}
	mutex_unlock(&rb_lock);
	if (ret)
		pr_warn("bench: %s%s failed: %d\n", buf, warm ? " warm" : "",
			ret);
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
 * shrink_list.c's counter sets, then its own init; and the context
 * lookup's pair tables.
 */
static void rb_state_free(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sl_counters); i++)
		rs_counters_free(sl_counters[i].c);
	rs_pairs_free(&rb_dr_pairs);
	rs_pairs_free(&rb_mr_pairs);
}

static int rb_state_init(void)
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
		ret = rs_pairs_init(&rb_dr_pairs, RB_PAIR_BITS);
	if (!ret)
		ret = rs_pairs_init(&rb_mr_pairs, RB_PAIR_BITS);
	if (!ret)
		ret = shrink_list_init();
	if (ret)
		rb_state_free();
	return ret;
}

static int __init rb_init(void)
{
	int ret = rb_state_init();

	if (ret)
		return ret;
	rb_root = debugfs_create_dir("reclaimscope_bench", NULL);
	debugfs_create_file("run", RS_WFILE_MODE, rb_root, NULL, &run_fops);
	debugfs_create_file("results", RS_FILE_MODE, rb_root, NULL,
			    &results_fops);
	debugfs_create_file("cases", RS_FILE_MODE, rb_root, NULL, &cases_fops);
	debugfs_create_file("kprobe_events", RS_FILE_MODE, rb_root, NULL,
			    &kprobe_events_fops);
	return 0;
}

static void __exit rb_exit(void)
{
	debugfs_remove_recursive(rb_root);
	rb_state_free();
}

module_init(rb_init);
module_exit(rb_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("reclaimscope: cost of one probe hit (make bench)");
