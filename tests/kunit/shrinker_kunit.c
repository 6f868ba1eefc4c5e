// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the demo shrinker's pool (count and scan contract, per
 * node, the cap, SHRINK_STOP), its input parser, and the every-shrinker
 * table (rows, the "other" row, sorting).
 */
#include <kunit/test.h>
#include <linux/nodemask.h>
#include <linux/shrinker.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include <reclaimscope/demo.h>
#include <reclaimscope/shrinkers.h>

static void demo_empty_pool(struct kunit *test)
{
	struct rs_demo_pool p = {};
	unsigned long scanned = 99;

	KUNIT_ASSERT_EQ(test, rs_demo_pool_init(&p, 2, 64), 0);
	KUNIT_EXPECT_EQ(test, rs_demo_count(&p, 0), 0UL);
	KUNIT_EXPECT_EQ(test, rs_demo_scan(&p, 0, 32, &scanned), SHRINK_STOP);
	KUNIT_EXPECT_EQ(test, scanned, 0UL);
	/* Nodes the pool does not have are empty, not out of bounds. */
	KUNIT_EXPECT_EQ(test, rs_demo_count(&p, 2), 0UL);
	KUNIT_EXPECT_EQ(test, rs_demo_count(&p, -1), 0UL);
	KUNIT_EXPECT_EQ(test, rs_demo_scan(&p, 5, 32, &scanned), SHRINK_STOP);
	rs_demo_pool_destroy(&p);
}

static void demo_partial_scan_per_node(struct kunit *test)
{
	struct rs_demo_pool p = {};
	unsigned long scanned;

	KUNIT_ASSERT_EQ(test, rs_demo_pool_init(&p, 2, 64), 0);
	KUNIT_ASSERT_EQ(test, rs_demo_grow(&p, 10, 0), 10L);
	if (num_online_nodes() > 1 && node_online(1))
		KUNIT_ASSERT_EQ(test, rs_demo_grow(&p, 3, 1), 3L);
	else
		KUNIT_ASSERT_EQ(test, rs_demo_grow(&p, 3, 0), 3L);

	/* Frees at most nr_to_scan, from the node asked only. */
	KUNIT_EXPECT_EQ(test, rs_demo_scan(&p, 0, 4, &scanned), 4UL);
	KUNIT_EXPECT_EQ(test, scanned, 4UL);
	if (num_online_nodes() > 1 && node_online(1)) {
		KUNIT_EXPECT_EQ(test, rs_demo_count(&p, 0), 6UL);
		KUNIT_EXPECT_EQ(test, rs_demo_count(&p, 1), 3UL);
		/* Asking for more than there is frees what there is. */
		KUNIT_EXPECT_EQ(test, rs_demo_scan(&p, 1, 100, &scanned), 3UL);
		KUNIT_EXPECT_EQ(test, rs_demo_count(&p, 1), 0UL);
	}
	KUNIT_EXPECT_EQ(test, rs_demo_drain(&p) > 0, true);
	KUNIT_EXPECT_EQ(test, rs_demo_count(&p, 0), 0UL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&p.total), 0L);
	rs_demo_pool_destroy(&p);
}

/* A contended lock is never waited for: SHRINK_STOP, nothing freed. */
static void demo_scan_stops_when_contended(struct kunit *test)
{
	struct rs_demo_pool p = {};
	unsigned long scanned = 7;

	KUNIT_ASSERT_EQ(test, rs_demo_pool_init(&p, 1, 64), 0);
	KUNIT_ASSERT_EQ(test, rs_demo_grow(&p, 5, 0), 5L);
	spin_lock(&p.nodes[0].lock);
	KUNIT_EXPECT_EQ(test, rs_demo_scan(&p, 0, 5, &scanned), SHRINK_STOP);
	spin_unlock(&p.nodes[0].lock);
	KUNIT_EXPECT_EQ(test, scanned, 0UL);
	KUNIT_EXPECT_EQ(test, rs_demo_count(&p, 0), 5UL);
	rs_demo_pool_destroy(&p);
}

static void demo_cap(struct kunit *test)
{
	struct rs_demo_pool p = {};

	KUNIT_ASSERT_EQ(test, rs_demo_pool_init(&p, 1, 8), 0);
	KUNIT_EXPECT_EQ(test, rs_demo_grow(&p, 9, 0), (long)-ERANGE);
	KUNIT_EXPECT_EQ(test, rs_demo_grow(&p, 6, 0), 6L);
	KUNIT_EXPECT_EQ(test, rs_demo_grow(&p, 3, 0), (long)-ERANGE);
	KUNIT_EXPECT_EQ(test, rs_demo_count(&p, 0), 6UL);
	KUNIT_EXPECT_EQ(test, rs_demo_grow(&p, 2, 0), 2L);
	KUNIT_EXPECT_EQ(test, rs_demo_grow(&p, 0, 0), (long)-EINVAL);
	KUNIT_EXPECT_EQ(test, rs_demo_grow(&p, 1, 1), (long)-EINVAL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&p.total), 8L);
	rs_demo_pool_destroy(&p);
}

static void demo_parse_grow(struct kunit *test)
{
	unsigned long count;
	int nid;

	KUNIT_EXPECT_EQ(test, rs_demo_parse_grow("12", &count, &nid), 0);
	KUNIT_EXPECT_EQ(test, count, 12UL);
	KUNIT_EXPECT_EQ(test, nid, -1);
	KUNIT_EXPECT_EQ(test, rs_demo_parse_grow("12 1", &count, &nid), 0);
	KUNIT_EXPECT_EQ(test, count, 12UL);
	KUNIT_EXPECT_EQ(test, nid, 1);
	KUNIT_EXPECT_EQ(test, rs_demo_parse_grow("", &count, &nid), -EINVAL);
	KUNIT_EXPECT_EQ(test, rs_demo_parse_grow("\n", &count, &nid), -EINVAL);
	KUNIT_EXPECT_EQ(test, rs_demo_parse_grow("0", &count, &nid), -EINVAL);
	KUNIT_EXPECT_EQ(test, rs_demo_parse_grow("-3", &count, &nid), -EINVAL);
	KUNIT_EXPECT_EQ(test, rs_demo_parse_grow("3 -1", &count, &nid), -EINVAL);
	KUNIT_EXPECT_EQ(test, rs_demo_parse_grow("3 x", &count, &nid), -EINVAL);
	KUNIT_EXPECT_EQ(test, rs_demo_parse_grow("3 1 1", &count, &nid), -EINVAL);
	KUNIT_EXPECT_EQ(test, rs_demo_parse_grow("3 ", &count, &nid), -EINVAL);
	KUNIT_EXPECT_EQ(test, rs_demo_parse_grow(" 3", &count, &nid), -EINVAL);
	KUNIT_EXPECT_EQ(test, rs_demo_parse_grow("99999999999999999999",
						 &count, &nid), -EINVAL);
	KUNIT_EXPECT_EQ(test, rs_demo_parse_grow("1111111111111111111111111111111111",
						 &count, &nid), -EINVAL);
	KUNIT_EXPECT_EQ(test, rs_demo_parse_grow("\x01\x02", &count, &nid),
			-EINVAL);
	/* Decimal digits only: no sign, base prefix or trailing word. */
	KUNIT_EXPECT_EQ(test, rs_demo_parse_grow("+1", &count, &nid), -EINVAL);
	KUNIT_EXPECT_EQ(test, rs_demo_parse_grow("0x10", &count, &nid), -EINVAL);
	KUNIT_EXPECT_EQ(test, rs_demo_parse_grow("1 -0", &count, &nid), -EINVAL);
	KUNIT_EXPECT_EQ(test, rs_demo_parse_grow("1 +0", &count, &nid), -EINVAL);
	KUNIT_EXPECT_EQ(test, rs_demo_parse_grow("1junk", &count, &nid), -EINVAL);
	KUNIT_EXPECT_EQ(test, rs_demo_parse_grow("1\n", &count, &nid), -EINVAL);
	KUNIT_EXPECT_EQ(test, rs_demo_parse_grow("007 01", &count, &nid), 0);
	KUNIT_EXPECT_EQ(test, count, 7UL);
	KUNIT_EXPECT_EQ(test, nid, 1);
}

static void table_rows_and_other(struct kunit *test)
{
	struct rs_shrinker_table *t;
	static int keys[RS_SHRINKER_ROWS + 2];
	bool fresh, seen[RS_SHRINKER_ROWS] = {};
	unsigned int i, r;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	for (i = 0; i < RS_SHRINKER_ROWS; i++) {
		r = rs_shrinker_row(t, &keys[i], &fresh);
		KUNIT_EXPECT_TRUE(test, fresh);
		KUNIT_ASSERT_LT(test, r, (unsigned int)RS_SHRINKER_ROWS);
		KUNIT_EXPECT_FALSE(test, seen[r]);
		seen[r] = true;
		/* The same shrinker finds the same row again. */
		KUNIT_EXPECT_EQ(test, rs_shrinker_row(t, &keys[i], &fresh), r);
		KUNIT_EXPECT_FALSE(test, fresh);
	}
	/* Full: newcomers share the "other" row, and are never fresh. */
	r = rs_shrinker_row(t, &keys[RS_SHRINKER_ROWS], &fresh);
	KUNIT_EXPECT_EQ(test, r, (unsigned int)RS_SHRINKER_OTHER);
	KUNIT_EXPECT_FALSE(test, fresh);
	KUNIT_EXPECT_EQ(test, rs_shrinker_row(t, &keys[RS_SHRINKER_ROWS + 1],
					      &fresh),
			(unsigned int)RS_SHRINKER_OTHER);
}

static void table_names(struct kunit *test)
{
	struct rs_shrinker_row row = {};

	rs_shrinker_set_name(&row, "demo_scan [reclaimscope]");
	KUNIT_EXPECT_STREQ(test, row.name, "demo_scan_[reclaimscope]");
	KUNIT_EXPECT_EQ(test, row.named, 1);
	rs_shrinker_set_name(&row, "a-very-long-shrinker-name-that-does-not-fit-in-the-row");
	KUNIT_EXPECT_EQ(test, strlen(row.name), (size_t)RS_SHRINKER_NAME_LEN - 1);
}

static void table_sort(struct kunit *test)
{
	struct rs_shrinker_snap s[] = {
		{ .name = "b", .calls = 5, .total_ns = 100 },
		{ .name = "a", .calls = 1, .total_ns = 900 },
		{ .name = "other", .calls = 9, .total_ns = 100 },
		{ .name = "c", .calls = 5, .total_ns = 100 },
		{ .name = "d", .calls = 0, .total_ns = 0 },
	};

	rs_shrinker_sort(s, ARRAY_SIZE(s));
	KUNIT_EXPECT_STREQ(test, s[0].name, "a");
	KUNIT_EXPECT_STREQ(test, s[1].name, "other");	/* more calls */
	KUNIT_EXPECT_STREQ(test, s[2].name, "b");	/* then by name */
	KUNIT_EXPECT_STREQ(test, s[3].name, "c");
	KUNIT_EXPECT_STREQ(test, s[4].name, "d");
}

static struct kunit_case shrinker_cases[] = {
	KUNIT_CASE(demo_empty_pool),
	KUNIT_CASE(demo_partial_scan_per_node),
	KUNIT_CASE(demo_scan_stops_when_contended),
	KUNIT_CASE(demo_cap),
	KUNIT_CASE(demo_parse_grow),
	KUNIT_CASE(table_rows_and_other),
	KUNIT_CASE(table_names),
	KUNIT_CASE(table_sort),
	{}
};

static struct kunit_suite shrinker_suite = {
	.name = "reclaimscope_shrinker",
	.test_cases = shrinker_cases,
};

kunit_test_suite(shrinker_suite);
