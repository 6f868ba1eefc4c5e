// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the node-state arithmetic: watermark checks and
 * headroom, the compaction status names, and the dirty limit.
 */
#include <kunit/test.h>
#include <linux/limits.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/compaction.h>

#include <reclaimscope/kswapd.h>
#include <reclaimscope/wmark.h>
#include <reclaimscope/zones.h>

static void wmark_ok_adds_boost(struct kunit *test)
{
	struct rs_wmark w = { .free = 1000, .min = 500, .low = 800,
			      .high = 1000, .boost = 0 };

	KUNIT_EXPECT_TRUE(test, rs_wmark_ok(&w, w.min));
	KUNIT_EXPECT_TRUE(test, rs_wmark_ok(&w, w.low));
	/* At the watermark counts as ok, as in __zone_watermark_ok(). */
	KUNIT_EXPECT_TRUE(test, rs_wmark_ok(&w, w.high));
	w.boost = 1;
	KUNIT_EXPECT_FALSE(test, rs_wmark_ok(&w, w.high));
	KUNIT_EXPECT_TRUE(test, rs_wmark_ok(&w, w.low));
	w.boost = 600;		/* boost lifts every watermark */
	KUNIT_EXPECT_FALSE(test, rs_wmark_ok(&w, w.low));
	KUNIT_EXPECT_FALSE(test, rs_wmark_ok(&w, w.min));
}

static void wmark_headroom_signed(struct kunit *test)
{
	struct rs_wmark w = { .free = 1000, .min = 500, .low = 800,
			      .high = 1000, .boost = 0 };

	KUNIT_EXPECT_EQ(test, rs_wmark_headroom_low(&w), 200L);
	w.boost = 300;
	KUNIT_EXPECT_EQ(test, rs_wmark_headroom_low(&w), -100L);
	w.free = 0;
	KUNIT_EXPECT_EQ(test, rs_wmark_headroom_low(&w), -1100L);
}

/* The name a status is counted under. */
static const char *status_key(int status)
{
	return rs_compact_status_name(rs_compact_status_index(status));
}

static void compact_status_names(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, status_key(COMPACT_SUCCESS), "success");
	KUNIT_EXPECT_STREQ(test, status_key(COMPACT_DEFERRED), "deferred");
	KUNIT_EXPECT_STREQ(test, status_key(COMPACT_SKIPPED), "skipped");
	KUNIT_EXPECT_STREQ(test, status_key(COMPACT_NOT_SUITABLE_ZONE),
			   "not_suitable_zone");
	/* Out-of-range statuses are counted, as "other". */
	KUNIT_EXPECT_STREQ(test, status_key(-1), "other");
	KUNIT_EXPECT_STREQ(test, status_key(COMPACT_SUCCESS + 7), "other");
	KUNIT_EXPECT_STREQ(test, rs_compact_status_name(1000), "other");
	KUNIT_EXPECT_EQ(test, rs_compact_status_index(COMPACT_SUCCESS + 1),
			(unsigned int)RS_NR_COMPACT_STATUS - 1);
}

static void compact_status_names_unique(struct kunit *test)
{
	unsigned int i, j;

	for (i = 0; i < RS_NR_COMPACT_STATUS; i++) {
		KUNIT_EXPECT_NOT_NULL(test, rs_compact_status_name(i));
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_STRNEQ(test, rs_compact_status_name(i),
					    rs_compact_status_name(j));
	}
}

static void dirty_limit_arithmetic(struct kunit *test)
{
	/* Free pages below the reserve count as none, file LRU adds. */
	KUNIT_EXPECT_EQ(test, rs_dirtyable(1000, 200, 500), 1300UL);
	KUNIT_EXPECT_EQ(test, rs_dirtyable(100, 200, 500), 500UL);

	/* vm.dirty_ratio: a percentage of the node's dirtyable memory. */
	KUNIT_EXPECT_EQ(test, rs_node_dirty_limit(10000, 40000, 20, 0, 4096),
			2000UL);
	KUNIT_EXPECT_EQ(test, rs_node_dirty_limit(999, 40000, 20, 0, 4096),
			199UL);
	/* vm.dirty_bytes: shared out by the node's share, rounded up. */
	KUNIT_EXPECT_EQ(test, rs_node_dirty_limit(10000, 40000, 20,
						  4096 * 1000, 4096), 250UL);
	KUNIT_EXPECT_EQ(test, rs_node_dirty_limit(10000, 40000, 20,
						  4096 * 1000 + 1, 4096), 250UL);
	KUNIT_EXPECT_EQ(test, rs_node_dirty_limit(10000, 0, 20, 4096, 4096),
			0UL);
	/* Capped at 32 bits of pages, like the kernel. */
	KUNIT_EXPECT_EQ(test, rs_node_dirty_limit(ULONG_MAX / 100, 1, 100, 0,
						  4096), (unsigned long)UINT_MAX);
}

/*
 * A reset that read kswapd awake, then kswapd went to sleep, then the
 * reset wrote its new start: the node must read asleep, and the sleep
 * must have taken the whole awake time.  The three steps are run in the
 * order of that race, on one CPU, so the outcome is certain.
 */
static void awake_reset_races_sleep(struct kunit *test)
{
	u64 since = 0, old;

	rs_awake_begin(&since, 100);
	KUNIT_EXPECT_EQ(test, since, 100ULL);
	old = READ_ONCE(since);				/* reset reads */
	KUNIT_EXPECT_EQ(test, rs_awake_end(&since), 100ULL);	/* sleeps */
	rs_awake_restart(&since, old, 200);		/* reset writes */
	KUNIT_EXPECT_EQ(test, since, 0ULL);
}

/* Without a race a reset restarts the awake time; asleep it does nothing. */
static void awake_reset_moves_start(struct kunit *test)
{
	u64 since = 0;

	rs_awake_restart(&since, READ_ONCE(since), 200);
	KUNIT_EXPECT_EQ(test, since, 0ULL);
	rs_awake_begin(&since, 100);
	rs_awake_begin(&since, 150);	/* a second wake keeps the first start */
	KUNIT_EXPECT_EQ(test, since, 100ULL);
	rs_awake_restart(&since, READ_ONCE(since), 200);
	KUNIT_EXPECT_EQ(test, rs_awake_end(&since), 200ULL);
	KUNIT_EXPECT_EQ(test, rs_awake_end(&since), 0ULL);
	/* A clock that reads 0 still marks the node awake. */
	rs_awake_begin(&since, 0);
	KUNIT_EXPECT_NE(test, since, 0ULL);
}

static struct kunit_case nodestate_cases[] = {
	KUNIT_CASE(awake_reset_races_sleep),
	KUNIT_CASE(awake_reset_moves_start),
	KUNIT_CASE(wmark_ok_adds_boost),
	KUNIT_CASE(wmark_headroom_signed),
	KUNIT_CASE(compact_status_names),
	KUNIT_CASE(compact_status_names_unique),
	KUNIT_CASE(dirty_limit_arithmetic),
	{}
};

static struct kunit_suite nodestate_suite = {
	.name = "reclaimscope_nodestate",
	.test_cases = nodestate_cases,
};

kunit_test_suite(nodestate_suite);
