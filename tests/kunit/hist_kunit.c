// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the latency histograms, per-CPU maxima, gauges, the
 * hopeless rule and the per-task pair table (counted or not).
 */
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/cpumask.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include <linux/string.h>

#include <reclaimscope/compat.h>
#include <reclaimscope/counters.h>
#include <reclaimscope/pairs.h>

#include "rs_kunit.h"

/* Bucket i holds latencies of at most 2^i us, rounded up to whole us. */
static void hist_bucket_edges(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, rs_hist_bucket(0), 0U);
	KUNIT_EXPECT_EQ(test, rs_hist_bucket(1), 0U);
	KUNIT_EXPECT_EQ(test, rs_hist_bucket(1000), 0U);	/* 1 us */
	KUNIT_EXPECT_EQ(test, rs_hist_bucket(1001), 1U);	/* 1.001 us */
	KUNIT_EXPECT_EQ(test, rs_hist_bucket(2000), 1U);
	KUNIT_EXPECT_EQ(test, rs_hist_bucket(2001), 2U);
	KUNIT_EXPECT_EQ(test, rs_hist_bucket(4000), 2U);
	KUNIT_EXPECT_EQ(test, rs_hist_bucket(4001), 3U);
	KUNIT_EXPECT_EQ(test, rs_hist_bucket(1000ULL * 1024), 10U);
	KUNIT_EXPECT_EQ(test, rs_hist_bucket(1000ULL * 1024 + 1), 11U);
}

/* What rs_hist_bucket() computed with a division, before it had none. */
static unsigned int hist_bucket_by_division(u64 ns)
{
	u32 rem;
	u64 us = div_u64_rem(ns, NSEC_PER_USEC, &rem) + !!rem;

	if (us <= 1)
		return 0;
	if (us > RS_HIST_LAST_US)
		return RS_HIST_BUCKETS - 1;
	return fls64(us - 1);
}

/*
 * Every bucket's edges (1000 * 2^i ns and their neighbours), every power
 * of two and its neighbours, and a sweep: the same bucket as dividing.
 */
static void hist_bucket_without_division(struct kunit *test)
{
	unsigned int i;
	u64 ns;
	int d;

	for (i = 0; i < RS_HIST_BUCKETS + 2; i++) {
		for (d = -2; d <= 2; d++) {
			ns = (NSEC_PER_USEC << i) + d;
			KUNIT_EXPECT_EQ_MSG(test, rs_hist_bucket(ns),
					    hist_bucket_by_division(ns),
					    "ns %llu", ns);
		}
		KUNIT_EXPECT_EQ(test, rs_hist_bucket(NSEC_PER_USEC << i),
				min_t(unsigned int, i, RS_HIST_BUCKETS - 1));
	}
	for (i = 0; i < 64; i++) {
		for (d = -2; d <= 2; d++) {
			ns = (1ULL << i) + d;
			KUNIT_EXPECT_EQ_MSG(test, rs_hist_bucket(ns),
					    hist_bucket_by_division(ns),
					    "ns %llu", ns);
		}
	}
	for (ns = 0; ns < 5000000; ns += 7)
		if (rs_hist_bucket(ns) != hist_bucket_by_division(ns))
			break;
	KUNIT_EXPECT_GE(test, ns, 5000000ULL);
}

static void hist_overflow_bucket(struct kunit *test)
{
	u64 last = RS_HIST_LAST_US * 1000;

	KUNIT_EXPECT_EQ(test, rs_hist_bucket(last), RS_HIST_BUCKETS - 2U);
	KUNIT_EXPECT_EQ(test, rs_hist_bucket(last + 1), RS_HIST_BUCKETS - 1U);
	KUNIT_EXPECT_EQ(test, rs_hist_bucket(U64_MAX), RS_HIST_BUCKETS - 1U);
	KUNIT_EXPECT_EQ(test, rs_hist_bucket_limit_us(RS_HIST_BUCKETS - 1),
			RS_HIST_LAST_US);
}

static const char * const hist_names[2 + RS_HIST_BUCKETS] = { "calls" };

static void hist_show_merges_cpus_and_slots(struct kunit *test)
{
	struct rs_counters c = {};
	struct seq_file m;
	const char *out;
	u64 expect = 0;
	int cpu;

	KUNIT_ASSERT_EQ(test, rs_counters_init(&c, 2, 2 + RS_HIST_BUCKETS,
					       hist_names), 0);
	/* 3 us -> bucket 2 (le_4) on every CPU, in both slots. */
	for_each_possible_cpu(cpu) {
		per_cpu_ptr(c.pcpu, cpu)[2 + 2] += 1;
		per_cpu_ptr(c.pcpu, cpu)[(2 + RS_HIST_BUCKETS) + 2 + 2] += 2;
		expect += 3;
	}
	rs_counter_hist_add(&c, 1, 2, 5ULL * NSEC_PER_SEC);	/* overflow */
	rs_counter_hist_add(&c, 0, 2, 500);			/* le_1 */

	rs_kunit_seq_init(test, &m);
	rs_counter_hist_show(&m, &c, -1, 2);
	out = rs_kunit_seq_str(&m);
	KUNIT_EXPECT_TRUE(test, str_has_prefix(out, "latency_us_le_1 1\nlatency_us_le_2 0\n"));
	KUNIT_EXPECT_NOT_NULL(test, strnstr(out, "latency_us_gt_1048576 1\n", m.count));
	KUNIT_EXPECT_EQ(test, rs_counter_sum_slots(&c, 2 + 2), expect);

	/* One slot only. */
	rs_kunit_seq_init(test, &m);
	rs_counter_hist_show(&m, &c, 0, 2);
	out = rs_kunit_seq_str(&m);
	KUNIT_EXPECT_TRUE(test, str_has_prefix(out, "latency_us_le_1 1\n"));
	KUNIT_EXPECT_NOT_NULL(test, strnstr(out, "latency_us_gt_1048576 0\n", m.count));
	/* Every bucket printed, one line each, nothing else. */
	KUNIT_EXPECT_EQ(test, rs_kunit_count_lines(out), RS_HIST_BUCKETS);
	rs_counters_free(&c);
}

static void max_across_cpus(struct kunit *test)
{
	struct rs_counters c = {};
	int cpu, i = 0;

	KUNIT_ASSERT_EQ(test, rs_counters_init(&c, 2, 2, hist_names), 0);
	rs_counter_max_update(&c, 1, 1, 70);
	rs_counter_max_update(&c, 1, 1, 30);	/* lower: ignored */
	KUNIT_EXPECT_EQ(test, rs_counter_max(&c, 1, 1), 70ULL);
	for_each_possible_cpu(cpu)
		per_cpu_ptr(c.pcpu, cpu)[2 + 1] = 100 + i++;
	KUNIT_EXPECT_EQ(test, rs_counter_max(&c, 1, 1), 100ULL + i - 1);
	KUNIT_EXPECT_EQ(test, rs_counter_max(&c, 0, 1), 0ULL);
	KUNIT_EXPECT_EQ(test, rs_counter_max_slots(&c, 1), 100ULL + i - 1);
	rs_counters_reset(&c);
	KUNIT_EXPECT_EQ(test, rs_counter_max(&c, 1, 1), 0ULL);
	rs_counters_free(&c);
}

static void gauge_up_and_down(struct kunit *test)
{
	struct rs_counters g = {};
	int cpu;

	KUNIT_ASSERT_EQ(test, rs_counters_init(&g, 2, 1, NULL), 0);
	rs_counter_inc(&g, 0, 0);
	rs_counter_inc(&g, 0, 0);
	rs_counter_dec(&g, 0, 0);
	KUNIT_EXPECT_EQ(test, rs_counter_gauge(&g, 0, 0), 1LL);
	/* Up on one CPU, down on another: the sum is still right. */
	for_each_possible_cpu(cpu)
		per_cpu_ptr(g.pcpu, cpu)[1] = cpu % 2 ? (u64)-2 : 1;
	KUNIT_EXPECT_EQ(test, rs_counter_gauge(&g, 1, 0),
			(s64)(num_possible_cpus() / 2) * -2 +
			(s64)((num_possible_cpus() + 1) / 2));
	rs_counters_free(&g);
}

static void hopeless_rule(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, rs_hopeless(0));
	KUNIT_EXPECT_FALSE(test, rs_hopeless(MAX_RECLAIM_RETRIES - 1));
	KUNIT_EXPECT_TRUE(test, rs_hopeless(MAX_RECLAIM_RETRIES));
	KUNIT_EXPECT_TRUE(test, rs_hopeless(MAX_RECLAIM_RETRIES + 40));
	KUNIT_EXPECT_EQ(test, MAX_RECLAIM_RETRIES, 16);
}

static void pairs_begin_end(struct kunit *test)
{
	struct rs_pairs p = {};
	int a, b, nid;
	u64 ts;

	KUNIT_ASSERT_EQ(test, rs_pairs_init(&p, 4), 0);
	KUNIT_EXPECT_TRUE(test, rs_pairs_begin(&p, &a, 100, 1));
	KUNIT_EXPECT_TRUE(test, rs_pairs_begin(&p, &b, 200, 0));
	KUNIT_EXPECT_TRUE(test, rs_pairs_end(&p, &b, &ts, &nid));
	KUNIT_EXPECT_EQ(test, ts, 200ULL);
	KUNIT_EXPECT_EQ(test, nid, 0);
	KUNIT_EXPECT_TRUE(test, rs_pairs_end(&p, &a, &ts, &nid));
	KUNIT_EXPECT_EQ(test, ts, 100ULL);
	KUNIT_EXPECT_EQ(test, nid, 1);
	/* Each begin is taken back once. */
	KUNIT_EXPECT_FALSE(test, rs_pairs_end(&p, &a, &ts, &nid));
	rs_pairs_free(&p);
	KUNIT_EXPECT_EQ(test, rs_pairs_init(&p, 2), -EINVAL);
}

/*
 * A begin whose end was never seen (it fired before the end hook was
 * attached) must not time the task's next pair: the second begin
 * replaces the first, and one end takes back the only slot.
 */
static void pairs_begin_twice_end_once(struct kunit *test)
{
	struct rs_pairs p = {};
	int a, nid;
	u64 ts;

	KUNIT_ASSERT_EQ(test, rs_pairs_init(&p, 4), 0);
	KUNIT_EXPECT_TRUE(test, rs_pairs_begin(&p, &a, 100, 1));
	KUNIT_EXPECT_TRUE(test, rs_pairs_begin(&p, &a, 200, 0));
	KUNIT_EXPECT_TRUE(test, rs_pairs_end(&p, &a, &ts, &nid));
	KUNIT_EXPECT_EQ(test, ts, 200ULL);
	KUNIT_EXPECT_EQ(test, nid, 0);
	KUNIT_EXPECT_FALSE(test, rs_pairs_end(&p, &a, &ts, &nid));
	rs_pairs_free(&p);
}

static void pairs_full_table(struct kunit *test)
{
	struct rs_pairs p = {};
	int keys[17], nid;
	unsigned int i, tracked = 0;
	u64 ts;

	/* 16 slots, every one probed: the 17th begin finds none free. */
	KUNIT_ASSERT_EQ(test, rs_pairs_init(&p, 4), 0);
	for (i = 0; i < ARRAY_SIZE(keys); i++)
		tracked += rs_pairs_begin(&p, &keys[i], i, 0);
	KUNIT_EXPECT_EQ(test, tracked, 16U);
	KUNIT_EXPECT_FALSE(test, rs_pairs_end(&p, &keys[16], &ts, &nid));
	KUNIT_EXPECT_TRUE(test, rs_pairs_end(&p, &keys[3], &ts, &nid));
	KUNIT_EXPECT_EQ(test, ts, 3ULL);
	/* A freed slot is reused. */
	KUNIT_EXPECT_TRUE(test, rs_pairs_begin(&p, &keys[16], 99, 1));
	KUNIT_EXPECT_TRUE(test, rs_pairs_end(&p, &keys[16], &ts, &nid));
	KUNIT_EXPECT_EQ(test, ts, 99ULL);
	KUNIT_EXPECT_EQ(test, nid, 1);
	rs_pairs_free(&p);
}

/* A latency lands in its total, its maximum and one bucket of one row. */
static void latency_add_one_row(struct kunit *test)
{
	struct rs_counters c = {};
	unsigned int n = 3 + RS_HIST_BUCKETS;
	u64 __percpu *row;

	KUNIT_ASSERT_EQ(test, rs_counters_init(&c, 2, n, NULL), 0);
	rs_latency_add(&c, 1, 0, 1, 3, 3000);		/* 3 us: le_4 */
	rs_latency_add(&c, 1, 0, 1, 3, 1500);		/* le_2 */
	KUNIT_EXPECT_EQ(test, rs_counter_sum(&c, 1, 0), 4500ULL);
	KUNIT_EXPECT_EQ(test, rs_counter_max(&c, 1, 1), 3000ULL);
	KUNIT_EXPECT_EQ(test, rs_counter_sum(&c, 1, 3 + 2), 1ULL);
	KUNIT_EXPECT_EQ(test, rs_counter_sum(&c, 1, 3 + 1), 1ULL);
	KUNIT_EXPECT_EQ(test, rs_counter_sum(&c, 1, 2), 0ULL);
	KUNIT_EXPECT_EQ(test, rs_counter_sum_slots(&c, 0), 4500ULL);
	/* A histogram that would run past the row, or no such slot. */
	rs_latency_add(&c, 1, 0, 1, 4, 1);
	rs_latency_add(&c, 2, 0, 1, 3, 1);
	KUNIT_EXPECT_EQ(test, rs_counter_sum_slots(&c, 0), 4500ULL);
	KUNIT_EXPECT_EQ(test, rs_counter_sum_slots(&c, 3 + 1), 1ULL);
	KUNIT_EXPECT_FALSE(test, rs_counter_row(&c, 0, n, &row));
	KUNIT_EXPECT_FALSE(test, rs_counter_row(&c, 2, 0, &row));
	KUNIT_EXPECT_TRUE(test, rs_counter_row(&c, 1, n - 1, &row));
	KUNIT_EXPECT_TRUE(test, row == c.pcpu + n);
	rs_counters_free(&c);
}

/* A counted table knows at once that nobody holds a slot. */
static void pairs_counted(struct kunit *test)
{
	struct rs_pairs p = { .counted = true };
	int a, b, nid;
	u64 ts;

	KUNIT_ASSERT_EQ(test, rs_pairs_init(&p, 4), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&p.held), 0);
	KUNIT_EXPECT_FALSE(test, rs_pairs_holds(&p, &a));
	KUNIT_EXPECT_TRUE(test, rs_pairs_begin(&p, &a, 100, 1));
	KUNIT_EXPECT_TRUE(test, rs_pairs_begin(&p, &a, 150, 1));	/* replaces */
	KUNIT_EXPECT_EQ(test, atomic_read(&p.held), 1);
	KUNIT_EXPECT_TRUE(test, rs_pairs_holds(&p, &a));
	KUNIT_EXPECT_FALSE(test, rs_pairs_holds(&p, &b));
	KUNIT_EXPECT_TRUE(test, rs_pairs_begin(&p, &b, 200, 0));
	KUNIT_EXPECT_EQ(test, atomic_read(&p.held), 2);
	KUNIT_EXPECT_TRUE(test, rs_pairs_end(&p, &a, &ts, &nid));
	KUNIT_EXPECT_EQ(test, ts, 150ULL);
	KUNIT_EXPECT_FALSE(test, rs_pairs_end(&p, &a, &ts, &nid));
	KUNIT_EXPECT_EQ(test, atomic_read(&p.held), 1);
	KUNIT_EXPECT_FALSE(test, rs_pairs_holds(&p, &a));
	KUNIT_EXPECT_TRUE(test, rs_pairs_holds(&p, &b));
	KUNIT_EXPECT_TRUE(test, rs_pairs_end(&p, &b, &ts, &nid));
	KUNIT_EXPECT_EQ(test, atomic_read(&p.held), 0);
	KUNIT_EXPECT_FALSE(test, rs_pairs_holds(&p, &b));
	rs_pairs_free(&p);
}

static struct kunit_case hist_cases[] = {
	KUNIT_CASE(hist_bucket_edges),
	KUNIT_CASE(hist_bucket_without_division),
	KUNIT_CASE(hist_overflow_bucket),
	KUNIT_CASE(hist_show_merges_cpus_and_slots),
	KUNIT_CASE(latency_add_one_row),
	KUNIT_CASE(max_across_cpus),
	KUNIT_CASE(gauge_up_and_down),
	KUNIT_CASE(hopeless_rule),
	KUNIT_CASE(pairs_begin_end),
	KUNIT_CASE(pairs_begin_twice_end_once),
	KUNIT_CASE(pairs_full_table),
	KUNIT_CASE(pairs_counted),
	{}
};

static struct kunit_suite hist_suite = {
	.name = "reclaimscope_hist",
	.test_cases = hist_cases,
};

kunit_test_suite(hist_suite);
