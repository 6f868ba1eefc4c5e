// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for memcg reclaim accounting (memcg_reclaim.h): limit and
 * soft limit reclaim counted apart, begins matched to ends per task,
 * ends without a begin, a full pair table, and reset with a task inside.
 */
#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include <reclaimscope/counters.h>
#include <reclaimscope/memcg_reclaim.h>
#include <reclaimscope/pairs.h>

static void mr_init(struct kunit *test, struct rs_mr *mr, unsigned int bits)
{
	unsigned int k;

	memset(mr, 0, sizeof(*mr));
	KUNIT_ASSERT_EQ(test, rs_counters_init(&mr->ctrs, 1, RS_MR_NR_KEYS,
					       NULL), 0);
	KUNIT_ASSERT_EQ(test, rs_counters_init(&mr->in_flight, 1, RS_MR_KINDS,
					       NULL), 0);
	for (k = 0; k < RS_MR_KINDS; k++)
		KUNIT_ASSERT_EQ(test, rs_pairs_init(&mr->pairs[k], bits), 0);
}

static void mr_free(struct rs_mr *mr)
{
	unsigned int k;

	for (k = 0; k < RS_MR_KINDS; k++)
		rs_pairs_free(&mr->pairs[k]);
	rs_counters_free(&mr->in_flight);
	rs_counters_free(&mr->ctrs);
}

static u64 mr_get(struct rs_mr *mr, enum rs_mr_kind kind, unsigned int key)
{
	return rs_counter_sum(&mr->ctrs, 0, rs_mr_key(kind, key));
}

static s64 mr_in_flight(struct rs_mr *mr, enum rs_mr_kind kind)
{
	return rs_counter_gauge(&mr->in_flight, 0, kind);
}

/* rs_mr_end() where the test does not look at the time. */
static bool mr_end(struct rs_mr *mr, enum rs_mr_kind kind, const void *task,
		   u64 now, unsigned long nr_reclaimed)
{
	u64 ns;

	return rs_mr_end(mr, kind, task, now, nr_reclaimed, &ns);
}

/* The two kinds land in their own keys, and only limit reclaim is timed. */
static void memcg_limit_softlimit_split(struct kunit *test)
{
	struct rs_mr mr;
	int a, b;
	u64 ns = 0;

	mr_init(test, &mr, 4);
	rs_mr_begin(&mr, RS_MR_LIMIT, &a, 1000);
	rs_mr_begin(&mr, RS_MR_SOFTLIMIT, &b, 2000);
	KUNIT_EXPECT_EQ(test, mr_in_flight(&mr, RS_MR_LIMIT), 1);
	KUNIT_EXPECT_EQ(test, mr_in_flight(&mr, RS_MR_SOFTLIMIT), 1);
	KUNIT_EXPECT_TRUE(test, rs_mr_end(&mr, RS_MR_LIMIT, &a, 4000, 32, &ns));
	KUNIT_EXPECT_EQ(test, ns, 3000ULL);
	KUNIT_EXPECT_TRUE(test, rs_mr_end(&mr, RS_MR_SOFTLIMIT, &b, 2500, 7,
					  &ns));
	KUNIT_EXPECT_EQ(test, ns, 500ULL);

	KUNIT_EXPECT_EQ(test, mr_get(&mr, RS_MR_LIMIT, RS_MR_CALLS), 1ULL);
	KUNIT_EXPECT_EQ(test, mr_get(&mr, RS_MR_LIMIT, RS_MR_COMPLETED), 1ULL);
	KUNIT_EXPECT_EQ(test, mr_get(&mr, RS_MR_LIMIT, RS_MR_NR_RECLAIMED), 32ULL);
	KUNIT_EXPECT_EQ(test, mr_get(&mr, RS_MR_LIMIT, RS_MR_TOTAL_NS), 3000ULL);
	KUNIT_EXPECT_EQ(test, mr_get(&mr, RS_MR_SOFTLIMIT, RS_MR_CALLS), 1ULL);
	KUNIT_EXPECT_EQ(test, mr_get(&mr, RS_MR_SOFTLIMIT, RS_MR_COMPLETED), 1ULL);
	KUNIT_EXPECT_EQ(test, mr_get(&mr, RS_MR_SOFTLIMIT, RS_MR_NR_RECLAIMED),
			7ULL);
	KUNIT_EXPECT_EQ(test, mr_get(&mr, RS_MR_SOFTLIMIT, RS_MR_TOTAL_NS),
			500ULL);
	KUNIT_EXPECT_EQ(test, mr_in_flight(&mr, RS_MR_LIMIT), 0);
	KUNIT_EXPECT_EQ(test, mr_in_flight(&mr, RS_MR_SOFTLIMIT), 0);

	/* max_ns and the histogram: limit reclaim's 3 us only. */
	KUNIT_EXPECT_EQ(test, rs_counter_max(&mr.ctrs, 0, RS_MR_MAX_NS), 3000ULL);
	KUNIT_EXPECT_EQ(test, rs_counter_sum(&mr.ctrs, 0,
					     RS_MR_HIST + rs_hist_bucket(3000)),
			1ULL);
	mr_free(&mr);
}

/*
 * Ends are matched by task, not by order: two tasks interleaved, and a
 * soft limit end of a task in limit reclaim is not its limit end.
 */
static void memcg_pairs_per_task(struct kunit *test)
{
	struct rs_mr mr;
	int a, b;
	unsigned int bucket;
	u64 hist = 0;

	mr_init(test, &mr, 4);
	rs_mr_begin(&mr, RS_MR_LIMIT, &a, 100);
	rs_mr_begin(&mr, RS_MR_LIMIT, &b, 200);
	mr_end(&mr, RS_MR_SOFTLIMIT, &a, 250, 5);
	KUNIT_EXPECT_EQ(test, mr_get(&mr, RS_MR_SOFTLIMIT, RS_MR_UNPAIRED_ENDS),
			1ULL);
	KUNIT_EXPECT_EQ(test, mr_get(&mr, RS_MR_SOFTLIMIT, RS_MR_NR_RECLAIMED),
			0ULL);
	mr_end(&mr, RS_MR_LIMIT, &b, 1200, 10);
	mr_end(&mr, RS_MR_LIMIT, &a, 5100, 20);

	KUNIT_EXPECT_EQ(test, mr_get(&mr, RS_MR_LIMIT, RS_MR_CALLS), 2ULL);
	KUNIT_EXPECT_EQ(test, mr_get(&mr, RS_MR_LIMIT, RS_MR_COMPLETED), 2ULL);
	KUNIT_EXPECT_EQ(test, mr_get(&mr, RS_MR_LIMIT, RS_MR_NR_RECLAIMED), 30ULL);
	/* b: 1000 ns, a: 5000 ns. */
	KUNIT_EXPECT_EQ(test, mr_get(&mr, RS_MR_LIMIT, RS_MR_TOTAL_NS), 6000ULL);
	KUNIT_EXPECT_EQ(test, rs_counter_max(&mr.ctrs, 0, RS_MR_MAX_NS), 5000ULL);
	for (bucket = 0; bucket < RS_HIST_BUCKETS; bucket++)
		hist += rs_counter_sum(&mr.ctrs, 0, RS_MR_HIST + bucket);
	KUNIT_EXPECT_EQ(test, hist, 2ULL);
	KUNIT_EXPECT_EQ(test, mr_in_flight(&mr, RS_MR_LIMIT), 0);

	/* A second end of the same call finds nothing. */
	KUNIT_EXPECT_FALSE(test, mr_end(&mr, RS_MR_LIMIT, &a, 6000, 99));
	KUNIT_EXPECT_EQ(test, mr_get(&mr, RS_MR_LIMIT, RS_MR_UNPAIRED_ENDS), 1ULL);
	KUNIT_EXPECT_EQ(test, mr_get(&mr, RS_MR_LIMIT, RS_MR_COMPLETED), 2ULL);
	KUNIT_EXPECT_EQ(test, mr_get(&mr, RS_MR_LIMIT, RS_MR_NR_RECLAIMED), 30ULL);
	KUNIT_EXPECT_EQ(test, mr_in_flight(&mr, RS_MR_LIMIT), 0);
	mr_free(&mr);
}

/* An end before its begin (the clock stepped back) counts 0 ns. */
static void memcg_clock_step_back(struct kunit *test)
{
	struct rs_mr mr;
	int a;

	mr_init(test, &mr, 4);
	rs_mr_begin(&mr, RS_MR_LIMIT, &a, 5000);
	mr_end(&mr, RS_MR_LIMIT, &a, 4990, 1);
	KUNIT_EXPECT_EQ(test, mr_get(&mr, RS_MR_LIMIT, RS_MR_COMPLETED), 1ULL);
	KUNIT_EXPECT_EQ(test, mr_get(&mr, RS_MR_LIMIT, RS_MR_TOTAL_NS), 0ULL);
	KUNIT_EXPECT_EQ(test, rs_counter_sum(&mr.ctrs, 0, RS_MR_HIST), 1ULL);
	mr_free(&mr);
}

/*
 * A full pair table (16 slots, all probed): the next task's stall is
 * counted as a stall and as untracked, is never in flight, and its end
 * is unpaired; the others still pair.
 */
static void memcg_full_table(struct kunit *test)
{
	struct rs_mr mr;
	int keys[17];
	unsigned int i;
	u64 untracked;

	mr_init(test, &mr, 4);
	for (i = 0; i < ARRAY_SIZE(keys); i++)
		rs_mr_begin(&mr, RS_MR_LIMIT, &keys[i], i);
	untracked = mr_get(&mr, RS_MR_LIMIT, RS_MR_UNTRACKED);
	KUNIT_EXPECT_EQ(test, mr_get(&mr, RS_MR_LIMIT, RS_MR_CALLS), 17ULL);
	KUNIT_EXPECT_EQ(test, untracked, 1ULL);
	KUNIT_EXPECT_EQ(test, mr_in_flight(&mr, RS_MR_LIMIT), 16);
	for (i = 0; i < ARRAY_SIZE(keys); i++)
		mr_end(&mr, RS_MR_LIMIT, &keys[i], 100, 1);
	KUNIT_EXPECT_EQ(test, mr_get(&mr, RS_MR_LIMIT, RS_MR_COMPLETED), 16ULL);
	KUNIT_EXPECT_EQ(test, mr_get(&mr, RS_MR_LIMIT, RS_MR_UNPAIRED_ENDS), 1ULL);
	KUNIT_EXPECT_EQ(test, mr_get(&mr, RS_MR_LIMIT, RS_MR_NR_RECLAIMED), 16ULL);
	KUNIT_EXPECT_EQ(test, mr_in_flight(&mr, RS_MR_LIMIT), 0);
	/* The soft limit table is another table: it was never touched. */
	KUNIT_EXPECT_EQ(test, mr_get(&mr, RS_MR_SOFTLIMIT, RS_MR_CALLS), 0ULL);
	mr_free(&mr);
}

/*
 * Reset (the core zeroes the counters, not the gauge): a task inside
 * limit reclaim at the reset ends after it as a completed call whose
 * begin was before, and in_flight comes back to 0.
 */
static void memcg_reset_with_task_inside(struct kunit *test)
{
	struct rs_mr mr;
	int a;

	mr_init(test, &mr, 4);
	rs_mr_begin(&mr, RS_MR_LIMIT, &a, 100);
	rs_counters_reset(&mr.ctrs);
	KUNIT_EXPECT_EQ(test, mr_get(&mr, RS_MR_LIMIT, RS_MR_CALLS), 0ULL);
	KUNIT_EXPECT_EQ(test, mr_in_flight(&mr, RS_MR_LIMIT), 1);
	mr_end(&mr, RS_MR_LIMIT, &a, 400, 3);
	KUNIT_EXPECT_EQ(test, mr_get(&mr, RS_MR_LIMIT, RS_MR_COMPLETED), 1ULL);
	KUNIT_EXPECT_EQ(test, mr_get(&mr, RS_MR_LIMIT, RS_MR_NR_RECLAIMED), 3ULL);
	KUNIT_EXPECT_EQ(test, mr_get(&mr, RS_MR_LIMIT, RS_MR_TOTAL_NS), 300ULL);
	KUNIT_EXPECT_EQ(test, mr_in_flight(&mr, RS_MR_LIMIT), 0);
	mr_free(&mr);
}

static struct kunit_case memcg_cases[] = {
	KUNIT_CASE(memcg_limit_softlimit_split),
	KUNIT_CASE(memcg_pairs_per_task),
	KUNIT_CASE(memcg_clock_step_back),
	KUNIT_CASE(memcg_full_table),
	KUNIT_CASE(memcg_reset_with_task_inside),
	{}
};

static struct kunit_suite memcg_suite = {
	.name = "reclaimscope_memcg",
	.test_cases = memcg_cases,
};

kunit_test_suite(memcg_suite);
