// SPDX-License-Identifier: GPL-2.0
/*
 * rs_minprobe.c - one probe on shrink_folio_list() and nothing else.
 *
 * The torture scenario (rs.torture=minprobe) loads and unloads this
 * module in a loop under reclaim, as it does reclaimscope.ko: the same
 * arming and disarming of an ftrace-based probe under kswapd, without
 * reclaimscope's tracepoints, files, tables or handlers.  kind=kretprobe
 * (the default) does what reclaimscope's shrink_folio_list hook does at
 * the kernel's level (entry handler, data, return handler, maxactive
 * 512); kind=kprobe arms the same ftrace site with no return trampoline.
 * The handlers count their hits per CPU; the module prints the counts
 * at unload so the log shows the probe fired.
 */
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/percpu.h>

static char *kind = "kretprobe";
module_param(kind, charp, 0444);
MODULE_PARM_DESC(kind, "kretprobe (default) or kprobe");

static DEFINE_PER_CPU(unsigned long, mp_entries);
static DEFINE_PER_CPU(unsigned long, mp_returns);

static int mp_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	*(unsigned long *)ri->data = regs_get_kernel_argument(regs, 1);
	this_cpu_inc(mp_entries);
	return 0;
}

static int mp_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	this_cpu_inc(mp_returns);
	return 0;
}

static int mp_pre(struct kprobe *p, struct pt_regs *regs)
{
	this_cpu_inc(mp_entries);
	return 0;
}

static struct kretprobe mp_krp = {
	.entry_handler = mp_entry,
	.handler = mp_return,
	.data_size = sizeof(unsigned long),
	.maxactive = 512,
};

static struct kprobe mp_kp = {
	.pre_handler = mp_pre,
};

static bool mp_is_kretprobe;

/* The folio name first; kernels before 6.0 call it shrink_page_list(). */
static const char * const mp_symbols[] = {
	"shrink_folio_list", "shrink_page_list",
};

static int __init mp_init(void)
{
	unsigned int i;
	int ret = -ENOENT;

	if (!strcmp(kind, "kretprobe"))
		mp_is_kretprobe = true;
	else if (strcmp(kind, "kprobe"))
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(mp_symbols) && ret == -ENOENT; i++) {
		if (mp_is_kretprobe) {
			mp_krp.kp.symbol_name = mp_symbols[i];
			ret = register_kretprobe(&mp_krp);
		} else {
			mp_kp.symbol_name = mp_symbols[i];
			ret = register_kprobe(&mp_kp);
		}
	}
	return ret;
}

static void __exit mp_exit(void)
{
	unsigned long entries = 0, returns = 0;
	int cpu;

	if (mp_is_kretprobe)
		unregister_kretprobe(&mp_krp);
	else
		unregister_kprobe(&mp_kp);
	for_each_possible_cpu(cpu) {
		entries += per_cpu(mp_entries, cpu);
		returns += per_cpu(mp_returns, cpu);
	}
	pr_info("rs_minprobe: %s entries %lu returns %lu missed %d\n", kind,
		entries, returns, mp_is_kretprobe ? mp_krp.nmissed : 0);
}

module_init(mp_init);
module_exit(mp_exit);
MODULE_DESCRIPTION("reclaimscope test: one probe on shrink_folio_list()");
MODULE_LICENSE("GPL");
