/* SPDX-License-Identifier: GPL-2.0 */
/*
 * counters.h - the one per-CPU counter set and the one "key value" printer.
 *
 * A counter set is a table of u64 counters, nr_slots rows (one per NUMA
 * node id, or a single row) by nr_keys columns, replicated per CPU.
 * Probes add to the calling CPU's copy with this_cpu_add(), which is one
 * instruction on x86, takes no lock and is safe with preemption enabled
 * (tracepoint probes may run preemptible on newer kernels).  Readers sum
 * every possible CPU's copy in process context.
 */
#ifndef _RECLAIMSCOPE_COUNTERS_H
#define _RECLAIMSCOPE_COUNTERS_H

#include <linux/compiler.h>
#include <linux/percpu.h>
#include <linux/types.h>

struct seq_file;

struct rs_counters {
	u64 __percpu *pcpu;		/* nr_slots * nr_keys per CPU */
	unsigned int nr_slots;
	unsigned int nr_keys;
	const char * const *names;	/* nr_keys key names */
};

int rs_counters_init(struct rs_counters *c, unsigned int nr_slots,
		     unsigned int nr_keys, const char * const *names);
void rs_counters_free(struct rs_counters *c);
void rs_counters_reset(struct rs_counters *c);
u64 rs_counter_sum(const struct rs_counters *c, unsigned int slot,
		   unsigned int key);
void rs_counters_show(struct seq_file *m, const struct rs_counters *c,
		      unsigned int slot);

/*
 * Hot path: called from tracepoint probes and kprobe handlers.  Out of
 * range slots (a node id the kernel should never pass) are dropped, not
 * written past the table.
 */
static __always_inline void rs_counter_add(struct rs_counters *c,
					   unsigned int slot,
					   unsigned int key, u64 v)
{
	if (unlikely(slot >= c->nr_slots || key >= c->nr_keys))
		return;
	this_cpu_add(c->pcpu[slot * c->nr_keys + key], v);
}

static __always_inline void rs_counter_inc(struct rs_counters *c,
					   unsigned int slot, unsigned int key)
{
	rs_counter_add(c, slot, key, 1);
}

/* "key value\n" lines, decimal: the format of every reclaimscope file. */
void rs_kv_u64(struct seq_file *m, const char *key, u64 val);
void rs_kv_s64(struct seq_file *m, const char *key, s64 val);
void rs_kv_str(struct seq_file *m, const char *key, const char *val);

/* "EINVAL" for -EINVAL; "E<n>" for numbers the table does not know. */
const char *rs_errname(int err, char *buf, size_t len);

#endif /* _RECLAIMSCOPE_COUNTERS_H */
