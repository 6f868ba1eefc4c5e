// SPDX-License-Identifier: GPL-2.0
/*
 * counters.c - per-CPU counter sets and the "key value" printer.
 *
 * Pure code: no kernel reclaim state is touched here, so the KUnit suite
 * in tests/kunit/counters_kunit.c exercises all of it directly.
 */
#include <linux/ctype.h>
#include <linux/errno.h>
#include <linux/bitops.h>
#include <linux/cpu.h>
#include <linux/kernel.h>
#include <linux/kstrtox.h>
#ifdef RS_HAVE_LINUX_MATH_H	/* else in <linux/kernel.h> (5.10) */
#include <linux/math.h>
#endif
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/time64.h>
#include <linux/uaccess.h>

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

/* Zero the running CPU's copy of one set (on_each_cpu() callback). */
static void rs_counters_reset_local(void *info)
{
	struct rs_counters *c = info;
	u64 *v = this_cpu_ptr(c->pcpu);
	unsigned int i, n = c->nr_slots * c->nr_keys;

	for (i = 0; i < n; i++)
		v[i] = 0;
}

/*
 * Zero every CPU's copy, exactly.  A probe's this_cpu_add() is a
 * read-modify-write of its own CPU's copy that another CPU's store can
 * overtake: zeroing a remote copy with a plain store may be lost, and the
 * cell then keeps its whole pre-reset value.  So each online CPU zeroes
 * its own copy, in an IPI that cannot land inside a this_cpu_add() (one
 * instruction on x86; an interrupt-safe sequence elsewhere).  An increment
 * lands wholly before or wholly after the zeroing.  Offline CPUs run no
 * probe: their copies are zeroed from here, with CPU hotplug held off.
 * Must not be called with interrupts disabled (on_each_cpu() waits).
 */
void rs_counters_reset(struct rs_counters *c)
{
	unsigned int i, n = c->nr_slots * c->nr_keys;
	int cpu;

	cpus_read_lock();
	for_each_possible_cpu(cpu) {
		u64 *v;

		if (cpu_online(cpu))
			continue;
		v = per_cpu_ptr(c->pcpu, cpu);
		for (i = 0; i < n; i++)
			WRITE_ONCE(v[i], 0);
	}
	on_each_cpu(rs_counters_reset_local, c, 1);
	cpus_read_unlock();
}

/*
 * One counter's per-CPU values folded into one: their sum, or with @max
 * their largest.  A slot or key out of range reads as 0.
 */
static u64 rs_counter_fold(const struct rs_counters *c, unsigned int slot,
			   unsigned int key, bool max)
{
	unsigned int idx;
	u64 acc = 0, v;
	int cpu;

	if (slot >= c->nr_slots || key >= c->nr_keys)
		return 0;
	idx = slot * c->nr_keys + key;
	for_each_possible_cpu(cpu) {
		v = READ_ONCE(per_cpu_ptr(c->pcpu, cpu)[idx]);
		acc = max ? max_t(u64, acc, v) : acc + v;
	}
	return acc;
}

/* The same, folded over every slot as well. */
static u64 rs_counter_fold_slots(const struct rs_counters *c,
				 unsigned int key, bool max)
{
	unsigned int slot;
	u64 acc = 0, v;

	for (slot = 0; slot < c->nr_slots; slot++) {
		v = rs_counter_fold(c, slot, key, max);
		acc = max ? max_t(u64, acc, v) : acc + v;
	}
	return acc;
}

u64 rs_counter_sum(const struct rs_counters *c, unsigned int slot,
		   unsigned int key)
{
	return rs_counter_fold(c, slot, key, false);
}

u64 rs_counter_sum_slots(const struct rs_counters *c, unsigned int key)
{
	return rs_counter_fold_slots(c, key, false);
}

u64 rs_counter_max(const struct rs_counters *c, unsigned int slot,
		   unsigned int key)
{
	return rs_counter_fold(c, slot, key, true);
}

u64 rs_counter_max_slots(const struct rs_counters *c, unsigned int key)
{
	return rs_counter_fold_slots(c, key, true);
}

/* Print every named (summed) key of one slot. */
void rs_counters_show(struct seq_file *m, const struct rs_counters *c,
		      unsigned int slot)
{
	unsigned int key;

	for (key = 0; key < c->nr_keys; key++)
		if (c->names && c->names[key])
			rs_kv_u64(m, c->names[key], rs_counter_sum(c, slot, key));
}

/* The same, summed over every slot. */
void rs_counters_show_slots(struct seq_file *m, const struct rs_counters *c)
{
	unsigned int key;

	for (key = 0; key < c->nr_keys; key++)
		if (c->names && c->names[key])
			rs_kv_u64(m, c->names[key], rs_counter_sum_slots(c, key));
}

u64 rs_hist_bucket_limit_us(unsigned int bucket)
{
	return 1ULL << min_t(unsigned int, bucket, RS_HIST_BUCKETS - 2);
}

void rs_counter_hist_show(struct seq_file *m, const struct rs_counters *c,
			  int slot, unsigned int first_key)
{
	unsigned int b;

	for (b = 0; b < RS_HIST_BUCKETS; b++) {
		unsigned int key = first_key + b;
		u64 n = slot < 0 ? rs_counter_sum_slots(c, key) :
				   rs_counter_sum(c, slot, key);

		seq_printf(m, "latency_us_%s_%llu %llu\n",
			   b < RS_HIST_BUCKETS - 1 ? "le" : "gt",
			   rs_hist_bucket_limit_us(b), n);
	}
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

/**
 * rs_write_copy() - copy a write to a writable file, and check its form
 * @buf: where to copy it, NUL-terminated
 * @size: size of @buf; a write of @size bytes or more is refused
 * @ubuf: the user's buffer
 * @len: its length
 *
 * The grammar of every writable file: printable words separated by
 * single spaces, then at most one newline, and nothing else (no NUL, no
 * other control byte, no leading or trailing space).  The newline is
 * dropped from @buf.
 *
 * Return: the length of @buf, or -EINVAL (empty, too long, not of that
 * form) or -EFAULT.
 */
int rs_write_copy(char *buf, size_t size, const char __user *ubuf, size_t len)
{
	size_t i;

	if (!len || len >= size)
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (buf[len - 1] == '\n')
		buf[--len] = '\0';
	if (!len || buf[0] == ' ' || buf[len - 1] == ' ')
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (buf[i] == ' ' ? buf[i + 1] == ' ' : !isgraph(buf[i]))
			return -EINVAL;
	}
	return len;
}

/**
 * rs_parse_decimal() - a word of decimal digits, and nothing else
 * @s: the word (no sign, no base prefix, no space)
 * @max: the largest value accepted
 * @val: the value
 *
 * Return: 0, or -EINVAL (not only digits, or above @max).
 */
int rs_parse_decimal(const char *s, unsigned long max, unsigned long *val)
{
	const char *p;

	if (!*s)
		return -EINVAL;
	for (p = s; *p; p++)
		if (!isdigit(*p))
			return -EINVAL;
	if (kstrtoul(s, 10, val) || *val > max)
		return -EINVAL;
	return 0;
}

/*
 * For write-only trigger files (reset, drain): 0 when the user wrote
 * exactly "1" or "1\n", else -EINVAL (or -EFAULT).
 */
int rs_write_is_one(const char __user *ubuf, size_t len)
{
	char buf[3];
	int ret;

	ret = rs_write_copy(buf, sizeof(buf), ubuf, len);
	if (ret < 0)
		return ret;
	return strcmp(buf, "1") ? -EINVAL : 0;
}

/* The errors register_kprobe() and tracepoint_probe_register() return. */
static const char * const rs_errnames[] = {
	[EPERM] = "EPERM",
	[ENOENT] = "ENOENT",
	[EINTR] = "EINTR",
	[EIO] = "EIO",
	[E2BIG] = "E2BIG",
	[ENOMEM] = "ENOMEM",
	[EACCES] = "EACCES",
	[EFAULT] = "EFAULT",
	[EBUSY] = "EBUSY",
	[EEXIST] = "EEXIST",
	[ENODEV] = "ENODEV",
	[EINVAL] = "EINVAL",
	[ENOSPC] = "ENOSPC",
	[ERANGE] = "ERANGE",
	[EILSEQ] = "EILSEQ",
	[EOPNOTSUPP] = "EOPNOTSUPP",
};

const char *rs_errname(int err, char *buf, size_t len)
{
	unsigned int e = err < 0 ? -(unsigned int)err : (unsigned int)err;

	if (e < ARRAY_SIZE(rs_errnames) && rs_errnames[e])
		return rs_errnames[e];
	snprintf(buf, len, "E%u", e);
	return buf;
}
