// SPDX-License-Identifier: GPL-2.0
/*
 * counters.c - per-CPU counter sets and the "key value" printer.
 *
 * Pure code: no kernel reclaim state is touched here, so the KUnit suite
 * in tests/kunit/counters_kunit.c exercises all of it directly.
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/overflow.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>

#include <reclaimscope/counters.h>

int rs_counters_init(struct rs_counters *c, unsigned int nr_slots,
		     unsigned int nr_keys, const char * const *names)
{
	size_t size;

	if (!nr_slots || !nr_keys)
		return -EINVAL;
	if (check_mul_overflow((size_t)nr_slots * nr_keys, sizeof(u64), &size))
		return -EOVERFLOW;
	c->pcpu = (u64 __percpu *)__alloc_percpu(size, __alignof__(u64));
	if (!c->pcpu)
		return -ENOMEM;
	c->nr_slots = nr_slots;
	c->nr_keys = nr_keys;
	c->names = names;
	return 0;
}

void rs_counters_free(struct rs_counters *c)
{
	free_percpu(c->pcpu);
	c->pcpu = NULL;
	c->nr_slots = 0;
	c->nr_keys = 0;
}

/*
 * Zero every CPU's copy.  A probe that runs concurrently on another CPU
 * may land its increment just before or just after the zeroing of its
 * cell; callers that need a reader never to see a half-reset set
 * serialise reset against readers themselves.
 */
void rs_counters_reset(struct rs_counters *c)
{
	unsigned int i, n = c->nr_slots * c->nr_keys;
	int cpu;

	for_each_possible_cpu(cpu) {
		u64 *v = per_cpu_ptr(c->pcpu, cpu);

		for (i = 0; i < n; i++)
			WRITE_ONCE(v[i], 0);
	}
}

u64 rs_counter_sum(const struct rs_counters *c, unsigned int slot,
		   unsigned int key)
{
	unsigned int idx;
	u64 sum = 0;
	int cpu;

	if (slot >= c->nr_slots || key >= c->nr_keys)
		return 0;
	idx = slot * c->nr_keys + key;
	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(c->pcpu, cpu)[idx]);
	return sum;
}

void rs_counters_show(struct seq_file *m, const struct rs_counters *c,
		      unsigned int slot)
{
	unsigned int key;

	for (key = 0; key < c->nr_keys; key++)
		rs_kv_u64(m, c->names[key], rs_counter_sum(c, slot, key));
}

void rs_kv_u64(struct seq_file *m, const char *key, u64 val)
{
	seq_printf(m, "%s %llu\n", key, val);
}

void rs_kv_s64(struct seq_file *m, const char *key, s64 val)
{
	seq_printf(m, "%s %lld\n", key, val);
}

void rs_kv_str(struct seq_file *m, const char *key, const char *val)
{
	seq_printf(m, "%s %s\n", key, val);
}

#define RS_ERRNAME(e) [e] = #e

/* The errors register_kprobe() and tracepoint_probe_register() return. */
static const char * const rs_errnames[] = {
	RS_ERRNAME(EPERM),
	RS_ERRNAME(ENOENT),
	RS_ERRNAME(EINTR),
	RS_ERRNAME(EIO),
	RS_ERRNAME(E2BIG),
	RS_ERRNAME(ENOMEM),
	RS_ERRNAME(EACCES),
	RS_ERRNAME(EFAULT),
	RS_ERRNAME(EBUSY),
	RS_ERRNAME(EEXIST),
	RS_ERRNAME(ENODEV),
	RS_ERRNAME(EINVAL),
	RS_ERRNAME(ENOSPC),
	RS_ERRNAME(ERANGE),
	RS_ERRNAME(ENOSYS),
	RS_ERRNAME(EILSEQ),
	RS_ERRNAME(EOPNOTSUPP),
};

const char *rs_errname(int err, char *buf, size_t len)
{
	unsigned int e = err < 0 ? -(unsigned int)err : (unsigned int)err;

	if (e < ARRAY_SIZE(rs_errnames) && rs_errnames[e])
		return rs_errnames[e];
	snprintf(buf, len, "E%u", e);
	return buf;
}
