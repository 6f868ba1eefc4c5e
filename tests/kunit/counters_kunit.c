// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the per-CPU counter sets, the "key value" printer, the
 * errno names and the compat readers.
 */
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include <linux/string.h>

#include <reclaimscope/compat.h>
#include <reclaimscope/counters.h>

#include "rs_kunit.h"

static const char * const test_keys[] = { "alpha", "beta", "gamma" };

static void counters_init_rejects_empty(struct kunit *test)
{
	struct rs_counters c = {};

	KUNIT_EXPECT_EQ(test, rs_counters_init(&c, 0, 3, test_keys), -EINVAL);
	KUNIT_EXPECT_EQ(test, rs_counters_init(&c, 2, 0, test_keys), -EINVAL);
	KUNIT_EXPECT_TRUE(test, !c.pcpu);
}

static void counters_inc_and_sum(struct kunit *test)
{
	struct rs_counters c = {};
	int i;

	KUNIT_ASSERT_EQ(test, rs_counters_init(&c, 2, 3, test_keys), 0);
	KUNIT_EXPECT_EQ(test, rs_counter_sum(&c, 0, 0), 0ULL);
	for (i = 0; i < 5; i++)
		rs_counter_inc(&c, 1, 2);
	rs_counter_add(&c, 0, 1, 40);
	KUNIT_EXPECT_EQ(test, rs_counter_sum(&c, 1, 2), 5ULL);
	KUNIT_EXPECT_EQ(test, rs_counter_sum(&c, 0, 1), 40ULL);
	/* Neighbouring cells are untouched. */
	KUNIT_EXPECT_EQ(test, rs_counter_sum(&c, 0, 2), 0ULL);
	KUNIT_EXPECT_EQ(test, rs_counter_sum(&c, 1, 1), 0ULL);
	KUNIT_EXPECT_EQ(test, rs_counter_sum(&c, 1, 0), 0ULL);
	rs_counters_free(&c);
	KUNIT_EXPECT_TRUE(test, !c.pcpu);
}

static void counters_out_of_range_dropped(struct kunit *test)
{
	struct rs_counters c = {};
	unsigned int k;

	KUNIT_ASSERT_EQ(test, rs_counters_init(&c, 2, 3, test_keys), 0);
	rs_counter_inc(&c, 2, 0);	/* slot past the end */
	rs_counter_inc(&c, 0, 3);	/* key past the end */
	rs_counter_inc(&c, ~0U, 0);
	for (k = 0; k < 3; k++) {
		KUNIT_EXPECT_EQ(test, rs_counter_sum(&c, 0, k), 0ULL);
		KUNIT_EXPECT_EQ(test, rs_counter_sum(&c, 1, k), 0ULL);
	}
	KUNIT_EXPECT_EQ(test, rs_counter_sum(&c, 2, 0), 0ULL);
	rs_counters_free(&c);
}

/* Every possible CPU's copy counts, not only the reader's. */
static void counters_merge_across_cpus(struct kunit *test)
{
	struct rs_counters c = {};
	u64 expect = 0;
	int cpu;

	KUNIT_ASSERT_EQ(test, rs_counters_init(&c, 2, 3, test_keys), 0);
	for_each_possible_cpu(cpu) {
		per_cpu_ptr(c.pcpu, cpu)[1 * 3 + 1] = cpu + 10;
		expect += cpu + 10;
	}
	KUNIT_EXPECT_EQ(test, rs_counter_sum(&c, 1, 1), expect);
	rs_counter_inc(&c, 1, 1);
	KUNIT_EXPECT_EQ(test, rs_counter_sum(&c, 1, 1), expect + 1);
	rs_counters_free(&c);
}

static void counters_reset_zeroes_every_cpu(struct kunit *test)
{
	struct rs_counters c = {};
	unsigned int s, k;
	int cpu;

	KUNIT_ASSERT_EQ(test, rs_counters_init(&c, 2, 3, test_keys), 0);
	for_each_possible_cpu(cpu)
		for (k = 0; k < 6; k++)
			per_cpu_ptr(c.pcpu, cpu)[k] = 7;
	rs_counters_reset(&c);
	for (s = 0; s < 2; s++)
		for (k = 0; k < 3; k++)
			KUNIT_EXPECT_EQ(test, rs_counter_sum(&c, s, k), 0ULL);
	rs_counters_free(&c);
}

struct split_add {
	struct rs_counters c;
	atomic_t phase;		/* 1: add begun, 2: reset begun, 3: add done */
};

/*
 * A this_cpu_add() on x86 is one instruction: no interrupt can land in
 * it, but it reads and writes its cell in two steps, so another CPU's
 * store can land in between.  This writer plays such an add slowly: it
 * reads its cell with interrupts off, waits for the reset to begin and
 * a little more, then writes the cell plus one.
 */
static int split_add_writer(void *arg)
{
	struct split_add *r = arg;
	unsigned long flags;
	u64 *cell, v;
	int i;

	local_irq_save(flags);
	cell = this_cpu_ptr(r->c.pcpu);
	v = READ_ONCE(*cell);
	atomic_set(&r->phase, 1);
	for (i = 0; i < 20000 && atomic_read(&r->phase) != 2; i++)
		udelay(1);
	mdelay(2);
	WRITE_ONCE(*cell, v + 1);
	local_irq_restore(flags);
	atomic_set(&r->phase, 3);
	while (!kthread_should_stop())
		schedule_timeout_idle(1);
	return 0;
}

/*
 * A reset that overlaps an add on another CPU: the add lands wholly
 * before the zeroing (the sum reads 0) or wholly after it (1), never
 * around it.  Zeroing the other CPU's copy from here would be lost under
 * the add's write, and the cell would keep its pre-reset 1000.
 */
static void counters_reset_is_exact_under_adds(struct kunit *test)
{
	struct split_add *r;
	struct task_struct *t;
	int cpu, i;

	cpu = cpumask_any_but(cpu_online_mask, raw_smp_processor_id());
	if (cpu >= nr_cpu_ids)
		kunit_skip(test, "needs a second online CPU");
	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_ASSERT_EQ(test, rs_counters_init(&r->c, 1, 1, test_keys), 0);
	per_cpu_ptr(r->c.pcpu, cpu)[0] = 1000;
	t = kthread_create(split_add_writer, r, "rs_split_add");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	kthread_bind(t, cpu);
	wake_up_process(t);

	for (i = 0; i < 20000 && atomic_read(&r->phase) != 1; i++)
		usleep_range(50, 100);
	KUNIT_ASSERT_EQ(test, atomic_read(&r->phase), 1);
	atomic_set(&r->phase, 2);
	rs_counters_reset(&r->c);
	for (i = 0; i < 20000 && atomic_read(&r->phase) != 3; i++)
		usleep_range(50, 100);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->phase), 3);
	KUNIT_EXPECT_LE(test, rs_counter_sum(&r->c, 0, 0), 1ULL);
	kthread_stop(t);
	rs_counters_free(&r->c);
}

static void counters_show_format(struct kunit *test)
{
	struct rs_counters c = {};
	struct seq_file m;

	rs_kunit_seq_init(test, &m);
	KUNIT_ASSERT_EQ(test, rs_counters_init(&c, 2, 3, test_keys), 0);
	rs_counter_add(&c, 1, 0, 18446744073709551615ULL);
	rs_counter_add(&c, 1, 2, 3);
	rs_counter_add(&c, 0, 1, 99);
	rs_counters_show(&m, &c, 1);
	KUNIT_EXPECT_STREQ(test, rs_kunit_seq_str(&m),
			   "alpha 18446744073709551615\nbeta 0\ngamma 3\n");
	rs_counters_free(&c);
}

static void kv_format(struct kunit *test)
{
	struct seq_file m;

	rs_kunit_seq_init(test, &m);
	rs_kv_u64(&m, "wakes", 0);
	rs_kv_s64(&m, "headroom", -12);
	rs_kv_s64(&m, "order", 9);
	rs_kv_str(&m, "kernel", "6.12.0");
	KUNIT_EXPECT_STREQ(test, rs_kunit_seq_str(&m),
			   "wakes 0\nheadroom -12\norder 9\nkernel 6.12.0\n");
}

static void errname_table(struct kunit *test)
{
	char buf[16];

	KUNIT_EXPECT_STREQ(test, rs_errname(-ENOENT, buf, sizeof(buf)), "ENOENT");
	KUNIT_EXPECT_STREQ(test, rs_errname(-EINVAL, buf, sizeof(buf)), "EINVAL");
	KUNIT_EXPECT_STREQ(test, rs_errname(EBUSY, buf, sizeof(buf)), "EBUSY");
	KUNIT_EXPECT_STREQ(test, rs_errname(-EOPNOTSUPP, buf, sizeof(buf)),
			   "EOPNOTSUPP");
	/* Unknown numbers are printed, not dropped. */
	KUNIT_EXPECT_STREQ(test, rs_errname(-ENOTTY, buf, sizeof(buf)), "E25");
	KUNIT_EXPECT_STREQ(test, rs_errname(-4095, buf, sizeof(buf)), "E4095");
}

/* pgdat->kswapd_failures is an int up to 6.x and an atomic_t in 7.x. */
struct fake_pgdat_int {
	int kswapd_failures;
};

struct fake_pgdat_atomic {
	atomic_t kswapd_failures;
};

static void compat_kswapd_failures(struct kunit *test)
{
	struct fake_pgdat_int a = { .kswapd_failures = 17 };
	struct fake_pgdat_atomic b = { .kswapd_failures = ATOMIC_INIT(3) };

	KUNIT_EXPECT_EQ(test, rs_kswapd_failures(&a), 17);
	KUNIT_EXPECT_EQ(test, rs_kswapd_failures(&b), 3);
	atomic_set(&b.kswapd_failures, MAX_RECLAIM_RETRIES);
	KUNIT_EXPECT_EQ(test, rs_kswapd_failures(&b), 16);
}

/* The field table reads what the kernel's struct reclaim_stat holds. */
static void compat_reclaim_stat_fields(struct kunit *test)
{
	struct reclaim_stat stat = {
		.nr_dirty = 1, .nr_unqueued_dirty = 2, .nr_congested = 3,
		.nr_writeback = 4, .nr_immediate = 5,
		.nr_activate = { 7, 8 }, .nr_ref_keep = 9, .nr_unmap_fail = 10,
		.nr_lazyfree_fail = 11,
	};
	const struct rs_stat_field *f;
	unsigned int nr, i, seen = 0;

	f = rs_reclaim_stat_fields(&nr);
	KUNIT_EXPECT_GE(test, nr, 10U);
	for (i = 0; i < nr; i++) {
		unsigned int v = *(unsigned int *)((char *)&stat + f[i].offset);

		if (!strcmp(f[i].key, "nr_dirty"))
			seen += v == 1;
		else if (!strcmp(f[i].key, "nr_immediate"))
			seen += v == 5;
		else if (!strcmp(f[i].key, "nr_activate_anon"))
			seen += v == 7;
		else if (!strcmp(f[i].key, "nr_activate_file"))
			seen += v == 8;
		else if (!strcmp(f[i].key, "nr_lazyfree_fail"))
			seen += v == 11;
		KUNIT_EXPECT_LE(test, f[i].offset + sizeof(unsigned int),
				sizeof(stat));
	}
	KUNIT_EXPECT_EQ(test, seen, 5U);
}

/*
 * The hot path's adder puts field i of the table (every field, each key
 * named) in key i of a row, and touches nothing past the last one.
 */
static void compat_reclaim_stat_add(struct kunit *test)
{
	struct reclaim_stat stat;
	const struct rs_stat_field *f;
	struct rs_counters c = {};
	u64 __percpu *row;
	unsigned int nr, i;

	f = rs_reclaim_stat_fields(&nr);
	KUNIT_ASSERT_EQ(test, nr, (unsigned int)RS_STAT_NR_FIELDS);
	memset(&stat, 0, sizeof(stat));
	for (i = 0; i < nr; i++) {
		KUNIT_EXPECT_NOT_NULL(test, f[i].key);
		*(unsigned int *)((char *)&stat + f[i].offset) = 100 + i;
	}
	KUNIT_ASSERT_EQ(test, rs_counters_init(&c, 2, nr + 1, NULL), 0);
	KUNIT_ASSERT_TRUE(test, rs_counter_row(&c, 1, nr - 1, &row));
	rs_reclaim_stat_add(row, &stat);
	rs_reclaim_stat_add(row, &stat);
	for (i = 0; i < nr; i++)
		KUNIT_EXPECT_EQ_MSG(test, rs_counter_sum(&c, 1, i),
				    2ULL * (100 + i), "field %s", f[i].key);
	KUNIT_EXPECT_EQ(test, rs_counter_sum(&c, 1, nr), 0ULL);
	KUNIT_EXPECT_EQ(test, rs_counter_sum_slots(&c, 0), 2ULL * 100);
	rs_counters_free(&c);
}

static struct kunit_case counters_cases[] = {
	KUNIT_CASE(counters_init_rejects_empty),
	KUNIT_CASE(counters_inc_and_sum),
	KUNIT_CASE(counters_out_of_range_dropped),
	KUNIT_CASE(counters_merge_across_cpus),
	KUNIT_CASE(counters_reset_zeroes_every_cpu),
	KUNIT_CASE(counters_reset_is_exact_under_adds),
	KUNIT_CASE(counters_show_format),
	KUNIT_CASE(kv_format),
	KUNIT_CASE(errname_table),
	KUNIT_CASE(compat_kswapd_failures),
	KUNIT_CASE(compat_reclaim_stat_fields),
	KUNIT_CASE(compat_reclaim_stat_add),
	{}
};

static struct kunit_suite counters_suite = {
	.name = "reclaimscope_counters",
	.test_cases = counters_cases,
};

kunit_test_suite(counters_suite);
