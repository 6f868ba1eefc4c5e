// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the bounded row tables of the tasks and cgroups files
 * (table.h): claim and find, a full table's "other" row, the frozen
 * reset, the sort, and a cgroup id back to its path.
 */
#include <kunit/test.h>
#include <linux/cgroup.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/nsproxy.h>
#include <linux/rcupdate.h>
#include <linux/string.h>

#include <reclaimscope/stalls.h>
#include <reclaimscope/table.h>

/* A key's row, publishing it when freshly claimed. */
static unsigned int tk_row(struct rs_table *t, u64 key, bool *fresh)
{
	unsigned int row = rs_table_row(t, key, fresh);

	if (*fresh)
		rs_table_publish(t, row);
	return row;
}

/* The first time claims, the second finds the same row. */
static void table_claim_and_find(struct kunit *test)
{
	struct rs_table t;
	unsigned int a, b, a2;
	bool fresh;

	KUNIT_ASSERT_EQ(test, rs_table_init(&t, 4, 3), 0);
	KUNIT_EXPECT_EQ(test, t.nr_slots, 8U);
	a = tk_row(&t, 100, &fresh);
	KUNIT_EXPECT_TRUE(test, fresh);
	b = tk_row(&t, 200, &fresh);
	KUNIT_EXPECT_TRUE(test, fresh);
	KUNIT_EXPECT_NE(test, a, b);
	a2 = tk_row(&t, 100, &fresh);
	KUNIT_EXPECT_FALSE(test, fresh);
	KUNIT_EXPECT_EQ(test, a, a2);
	KUNIT_EXPECT_EQ(test, atomic_read(&t.used), 2);
	rs_table_add(&t, a, 1, 5);
	rs_table_add(&t, a2, 1, 7);
	KUNIT_EXPECT_EQ(test, rs_table_get(&t, a, 1), 12ULL);
	rs_table_max(&t, a, 2, 9);
	rs_table_max(&t, a, 2, 4);
	KUNIT_EXPECT_EQ(test, rs_table_get(&t, a, 2), 9ULL);
	rs_table_free(&t);
}

/*
 * More keys than rows: the first nr_rows keys get rows, every later key
 * the "other" row, and rows plus other add up to everything counted.
 */
static void table_full_other(struct kunit *test)
{
	struct rs_table t;
	unsigned int i, row, rows = 0, other = 0;
	u64 sum = 0;
	bool fresh;

	KUNIT_ASSERT_EQ(test, rs_table_init(&t, 5, 1), 0);
	for (i = 1; i <= 40; i++) {
		row = tk_row(&t, i * 7919ULL, &fresh);
		if (row == rs_table_other(&t))
			other++;
		else
			rows += fresh;
		rs_table_add(&t, row, 0, i);
	}
	KUNIT_EXPECT_EQ(test, rows, 5U);
	KUNIT_EXPECT_EQ(test, other, 35U);
	KUNIT_EXPECT_EQ(test, atomic_read(&t.used), 5);
	for (row = 0; row <= rs_table_other(&t); row++)
		sum += rs_table_get(&t, row, 0);
	KUNIT_EXPECT_EQ(test, sum, 40ULL * 41 / 2);
	/* A key that has a row still finds it once the table is full. */
	row = tk_row(&t, 7919ULL, &fresh);
	KUNIT_EXPECT_NE(test, row, rs_table_other(&t));
	KUNIT_EXPECT_FALSE(test, fresh);
	rs_table_free(&t);
}

/* Frozen: nothing is counted; cleared: empty and counting again. */
static void table_freeze_clear(struct kunit *test)
{
	struct rs_table t;
	unsigned int row;
	bool fresh;

	KUNIT_ASSERT_EQ(test, rs_table_init(&t, 2, 2), 0);
	row = tk_row(&t, 1, &fresh);
	rs_table_add(&t, row, 0, 3);
	rs_table_add(&t, rs_table_other(&t), 1, 4);
	rs_table_freeze(&t);
	KUNIT_EXPECT_EQ(test, rs_table_row(&t, 1, &fresh), RS_TABLE_NONE);
	KUNIT_EXPECT_EQ(test, rs_table_row(&t, 2, &fresh), RS_TABLE_NONE);
	KUNIT_EXPECT_FALSE(test, fresh);
	rs_table_clear(&t);
	KUNIT_EXPECT_EQ(test, atomic_read(&t.used), 0);
	KUNIT_EXPECT_EQ(test, rs_table_get(&t, row, 0), 0ULL);
	KUNIT_EXPECT_EQ(test, rs_table_get(&t, rs_table_other(&t), 1), 0ULL);
	KUNIT_EXPECT_NULL(test, rs_table_meta(&t, row));
	row = tk_row(&t, 1, &fresh);
	KUNIT_EXPECT_TRUE(test, fresh);
	KUNIT_EXPECT_NE(test, row, RS_TABLE_NONE);
	rs_table_free(&t);
}

/* Rows not yet published are not shown; the rest heaviest first. */
static void table_snapshot_sort(struct kunit *test)
{
	static const unsigned int cols[] = { 0, 2 };
	struct rs_table_snap *snap;
	struct rs_table t;
	unsigned int a, b, c, d, nr;
	bool fresh;

	KUNIT_ASSERT_EQ(test, rs_table_init(&t, 8, 3), 0);
	a = tk_row(&t, 10, &fresh);
	t.meta[a].pid = 10;
	b = tk_row(&t, 20, &fresh);
	t.meta[b].pid = 20;
	c = tk_row(&t, 30, &fresh);
	t.meta[c].pid = 30;
	d = rs_table_row(&t, 40, &fresh);	/* claimed, never published */
	rs_table_add(&t, a, 0, 5);
	rs_table_add(&t, a, 1, 1000);		/* not a weight column */
	rs_table_add(&t, b, 0, 3);
	rs_table_add(&t, b, 2, 4);		/* 7: heaviest */
	rs_table_add(&t, c, 2, 5);		/* 5: ties with a, lower pid first */
	rs_table_add(&t, d, 0, 100);
	snap = rs_table_snapshot(&t, cols, ARRAY_SIZE(cols), &nr);
	KUNIT_ASSERT_NOT_NULL(test, snap);
	KUNIT_ASSERT_EQ(test, nr, 3U);
	KUNIT_EXPECT_EQ(test, snap[0].row, b);
	KUNIT_EXPECT_EQ(test, snap[0].weight, 7ULL);
	KUNIT_EXPECT_EQ(test, snap[1].row, a);
	KUNIT_EXPECT_EQ(test, snap[2].row, c);
	kvfree(snap);
	rs_table_free(&t);
}

/* Sizes the module parameters refuse are refused here too. */
static void table_bad_sizes(struct kunit *test)
{
	struct rs_table t;

	KUNIT_EXPECT_EQ(test, rs_table_init(&t, 0, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, rs_table_init(&t, 1, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, rs_table_init(&t, 1, 1), 0);
	KUNIT_EXPECT_EQ(test, t.nr_slots, 2U);
	rs_table_free(&t);
}

/*
 * An id back to its path: the root cgroup is "/", the test's own cgroup
 * is what the kernel prints for it, an id no cgroup has is "id:<N>".
 */
static void table_cgroup_path(struct kunit *test)
{
	char *buf = kunit_kzalloc(test, PATH_MAX, GFP_KERNEL);
	char *want = kunit_kzalloc(test, PATH_MAX, GFP_KERNEL);
	struct cgroup *cgrp;
	u64 id;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, want);
	rs_cgroup_path(U64_MAX - 1, buf, PATH_MAX);
	KUNIT_EXPECT_STREQ(test, buf, "id:18446744073709551614");
#if defined(CONFIG_CGROUPS) && defined(RS_HAVE_CGROUP_GET_FROM_ID)
	rcu_read_lock();
	cgrp = task_dfl_cgroup(current);
	id = cgroup_id(cgrp);
	rcu_read_unlock();
	rs_cgroup_path(id, buf, PATH_MAX);
	cgrp = cgroup_get_from_id(id);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(cgrp));
	KUNIT_EXPECT_GT(test, cgroup_path_ns(cgrp, want, PATH_MAX,
					     current->nsproxy->cgroup_ns), 0);
	cgroup_put(cgrp);
	KUNIT_EXPECT_STREQ(test, buf, want);
	KUNIT_EXPECT_EQ(test, buf[0], '/');
	/* The root cgroup's id is 1 (its kernfs root inode). */
	rs_cgroup_path(1, buf, PATH_MAX);
	KUNIT_EXPECT_STREQ(test, buf, "/");
#else
	(void)cgrp;
	(void)id;
	kunit_skip(test, "no cgroup_get_from_id(): ids print as id:<N>");
#endif
}

static struct kunit_case table_cases[] = {
	KUNIT_CASE(table_claim_and_find),
	KUNIT_CASE(table_full_other),
	KUNIT_CASE(table_freeze_clear),
	KUNIT_CASE(table_snapshot_sort),
	KUNIT_CASE(table_bad_sizes),
	KUNIT_CASE(table_cgroup_path),
	{}
};

static struct kunit_suite table_suite = {
	.name = "reclaimscope_table",
	.test_cases = table_cases,
};

kunit_test_suite(table_suite);
