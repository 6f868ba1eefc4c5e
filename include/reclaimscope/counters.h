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
 *
 * Keys come in three sorts, all stored the same way:
 * - sums (the default): readers add up every CPU's copy; a key with a
 *   name is printed by rs_counters_show();
 * - maxima: updated with rs_counter_max_update(), read with
 *   rs_counter_max() (largest per-CPU value); give them a NULL name;
 * - gauges: a set of its own that is never reset, moved up and down with
 *   rs_counter_inc()/rs_counter_dec() and read with rs_counter_gauge()
 *   (the wrapped u64 sum read as s64);
 * - histograms: RS_HIST_BUCKETS consecutive keys starting at a first key,
 *   filled by rs_counter_hist_add(), printed by rs_counter_hist_show();
 *   NULL names too.
 */
#ifndef _RECLAIMSCOPE_COUNTERS_H
#define _RECLAIMSCOPE_COUNTERS_H

#include <linux/bitops.h>
#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/minmax.h>
#include <linux/percpu.h>
#include <linux/time64.h>
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
u64 rs_counter_sum_slots(const struct rs_counters *c, unsigned int key);
u64 rs_counter_max(const struct rs_counters *c, unsigned int slot,
		   unsigned int key);
u64 rs_counter_max_slots(const struct rs_counters *c, unsigned int key);
void rs_counters_show(struct seq_file *m, const struct rs_counters *c,
		      unsigned int slot);
void rs_counters_show_slots(struct seq_file *m, const struct rs_counters *c);

/*
 * Latency histograms: log2 buckets in microseconds.  Bucket i counts
 * latencies of at most 2^i us, for i < RS_HIST_BUCKETS - 1; the last
 * bucket counts everything longer than 2^(RS_HIST_BUCKETS - 2) us.
 */
#define RS_HIST_BUCKETS		22
#define RS_HIST_LAST_US		(1ULL << (RS_HIST_BUCKETS - 2))
/* 2^(RS_HIST_US_BITS - 1) < NSEC_PER_USEC <= 2^RS_HIST_US_BITS */
#define RS_HIST_US_BITS		10

static_assert((1ULL << (RS_HIST_US_BITS - 1)) < NSEC_PER_USEC &&
	      NSEC_PER_USEC <= (1ULL << RS_HIST_US_BITS));

/*
 * The bucket of a latency of @ns: the smallest i with ns <= 1000 * 2^i
 * (that is, with @ns rounded up to whole us, us <= 2^i), or the last
 * bucket above RS_HIST_LAST_US.  Hot path: no division.
 *
 * For 1000 < ns <= 1000 * RS_HIST_LAST_US, let k = fls64(ns - 1), so that
 * 2^(k-1) < ns <= 2^k, and b = k - RS_HIST_US_BITS (>= 0: ns - 1 >= 1000
 * has at least 10 bits).  Then 1000 * 2^(b+1) > 2^k >= ns, and
 * 1000 * 2^(b-1) < 2^(k-1) < ns: the answer is b or b + 1, b exactly
 * when ns <= 1000 * 2^b.  It is at most RS_HIST_BUCKETS - 2, since
 * ns <= 1000 * 2^(RS_HIST_BUCKETS - 2).
 */
static __always_inline unsigned int rs_hist_bucket(u64 ns)
{
	unsigned int b;

	if (ns <= NSEC_PER_USEC)
		return 0;
	if (ns > NSEC_PER_USEC * RS_HIST_LAST_US)
		return RS_HIST_BUCKETS - 1;
	b = fls64(ns - 1) - RS_HIST_US_BITS;
	return b + (ns > (NSEC_PER_USEC << b));
}

u64 rs_hist_bucket_limit_us(unsigned int bucket);
/* slot < 0: merge every slot. */
void rs_counter_hist_show(struct seq_file *m, const struct rs_counters *c,
			  int slot, unsigned int first_key);

/*
 * Hot path: called from tracepoint probes and kprobe handlers.  Out of
 * range slots (a node id the kernel should never pass) are dropped, not
 * written past the table.
 */

/*
 * Whether row @slot of @c has keys up to @last_key (a constant, mostly:
 * then the check is two loads and two compares), and if so, the row in
 * @row.  A probe that writes several keys of one row checks them once
 * here, then adds with rs_row_add() and friends, which check nothing.
 */
static __always_inline bool rs_counter_row(struct rs_counters *c,
					   unsigned int slot,
					   unsigned int last_key,
					   u64 __percpu **row)
{
	if (unlikely(slot >= c->nr_slots || last_key >= c->nr_keys))
		return false;
	*row = c->pcpu + slot * c->nr_keys;
	return true;
}

/* @row from rs_counter_row(), @key at most its last_key. */
static __always_inline void rs_row_add(u64 __percpu *row, unsigned int key,
				       u64 v)
{
	this_cpu_add(row[key], v);
}

static __always_inline void rs_row_inc(u64 __percpu *row, unsigned int key)
{
	this_cpu_inc(row[key]);
}

/*
 * Raise this CPU's copy of a maximum to @v.  The running CPU's value is
 * read first: the compare-and-exchange runs only for a new maximum.  A
 * lost race with preemption only retries: this_cpu_cmpxchg() compares
 * against the copy of whichever CPU we run on when it executes.
 */
static __always_inline void rs_row_max(u64 __percpu *row, unsigned int key,
				       u64 v)
{
	u64 __percpu *p = &row[key];
	u64 old;

	do {
		old = this_cpu_read(*p);
		if (old >= v)
			return;
	} while (this_cpu_cmpxchg(*p, old, v) != old);
}

/* One latency sample in a row: its total, its maximum, its bucket. */
static __always_inline void rs_row_latency(u64 __percpu *row,
					   unsigned int total_key,
					   unsigned int max_key,
					   unsigned int first_hist_key, u64 ns)
{
	rs_row_add(row, total_key, ns);
	rs_row_max(row, max_key, ns);
	rs_row_inc(row, first_hist_key + rs_hist_bucket(ns));
}

static __always_inline void rs_counter_add(struct rs_counters *c,
					   unsigned int slot,
					   unsigned int key, u64 v)
{
	u64 __percpu *row;

	if (likely(rs_counter_row(c, slot, key, &row)))
		rs_row_add(row, key, v);
}

static __always_inline void rs_counter_inc(struct rs_counters *c,
					   unsigned int slot, unsigned int key)
{
	rs_counter_add(c, slot, key, 1);
}

static __always_inline void rs_counter_max_update(struct rs_counters *c,
						  unsigned int slot,
						  unsigned int key, u64 v)
{
	u64 __percpu *row;

	if (likely(rs_counter_row(c, slot, key, &row)))
		rs_row_max(row, key, v);
}

static __always_inline void rs_counter_hist_add(struct rs_counters *c,
						unsigned int slot,
						unsigned int first_key, u64 ns)
{
	rs_counter_inc(c, slot, first_key + rs_hist_bucket(ns));
}

/*
 * One latency sample: its total, its maximum and its histogram bucket,
 * with the slot and the keys checked once.
 */
static __always_inline void rs_latency_add(struct rs_counters *c,
					   unsigned int slot,
					   unsigned int total_key,
					   unsigned int max_key,
					   unsigned int first_hist_key, u64 ns)
{
	unsigned int last = max3(total_key, max_key,
				 first_hist_key + RS_HIST_BUCKETS - 1);
	u64 __percpu *row;

	if (likely(rs_counter_row(c, slot, last, &row)))
		rs_row_latency(row, total_key, max_key, first_hist_key, ns);
}

static __always_inline void rs_counter_dec(struct rs_counters *c,
					   unsigned int slot, unsigned int key)
{
	rs_counter_add(c, slot, key, (u64)-1);
}

static inline s64 rs_counter_gauge(const struct rs_counters *c,
				   unsigned int slot, unsigned int key)
{
	return (s64)rs_counter_sum(c, slot, key);
}

static inline s64 rs_counter_gauge_slots(const struct rs_counters *c,
					 unsigned int key)
{
	return (s64)rs_counter_sum_slots(c, key);
}

/* "key value\n" lines, decimal: the format of every reclaimscope file. */
void rs_kv_u64(struct seq_file *m, const char *key, u64 val);
void rs_kv_s64(struct seq_file *m, const char *key, s64 val);
void rs_kv_str(struct seq_file *m, const char *key, const char *val);

int rs_write_copy(char *buf, size_t size, const char __user *ubuf, size_t len);
int rs_parse_decimal(const char *s, unsigned long max, unsigned long *val);
int rs_write_is_one(const char __user *ubuf, size_t len);

/* "EINVAL" for -EINVAL; "E<n>" for numbers the table does not know. */
const char *rs_errname(int err, char *buf, size_t len);

#endif /* _RECLAIMSCOPE_COUNTERS_H */
