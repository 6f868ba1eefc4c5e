// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the hook registry: attach by name, missing hooks,
 * hit counting through real tracepoint and kretprobe firings, detach,
 * fallback hooks, and the hooks file format.
 */
#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/kprobes.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <trace/events/kmem.h>

#include <reclaimscope/compat.h>
#include <reclaimscope/hooks.h>

#include "rs_kunit.h"

#define TEST_ORDER 5

static struct task_struct *test_task;
static int target_last_ret;

/* Counts order-TEST_ORDER page allocations made by the test thread. */
static void probe_page_alloc(void *data, struct page *page,
			     unsigned int order, gfp_t gfp_flags,
			     int migratetype)
{
	if (current == READ_ONCE(test_task) && order == TEST_ORDER)
		rs_hook_hit(data);
}

RS_CHECK_TP_PROTO(mm_page_alloc, probe_page_alloc);

/* A function of our own for the kretprobe to attach to. */
static noinline int rs_kunit_target(int x)
{
	barrier();
	return x * 3;
}

static int target_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	*(long *)ri->data = regs_get_kernel_argument(regs, 0);
	return 0;
}

static int target_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct rs_hook *h = rs_hook_from_instance(ri);

	/* Count only calls whose argument and result agree. */
	if (regs_return_value(regs) == 3 * *(long *)ri->data)
		rs_hook_hit(h);
	WRITE_ONCE(target_last_ret, regs_return_value(regs));
	return 0;
}

static void hooks_missing_tracepoint(struct kunit *test)
{
	struct rs_hook h[] = {
		RS_TRACEPOINT("reclaimscope_no_such_event", probe_page_alloc),
	};

	KUNIT_ASSERT_EQ(test, rs_hooks_attach(h, 1), 0);
	KUNIT_EXPECT_EQ(test, h[0].state, RS_HOOK_MISSING);
	KUNIT_EXPECT_EQ(test, h[0].err, -ENOENT);
	KUNIT_EXPECT_NULL(test, h[0].tp);
	KUNIT_EXPECT_EQ(test, rs_hook_hits(&h[0]), 0UL);
	rs_hooks_detach(h, 1);
	KUNIT_EXPECT_EQ(test, h[0].state, RS_HOOK_MISSING);
	KUNIT_EXPECT_TRUE(test, !h[0].hits);
}

static void hooks_missing_kretprobe(struct kunit *test)
{
	struct rs_hook h = {
		.name = "reclaimscope_no_such_function",
		.kind = RS_HOOK_KRETPROBE,
		.handler = target_return,
	};

	KUNIT_ASSERT_EQ(test, rs_hooks_attach(&h, 1), 0);
	KUNIT_EXPECT_EQ(test, h.state, RS_HOOK_MISSING);
	KUNIT_EXPECT_EQ(test, h.err, -ENOENT);
	KUNIT_EXPECT_NULL(test, h.target);
	rs_hooks_detach(&h, 1);
}

/* A real tracepoint, found by name, counts exactly the events we make. */
static void hooks_tracepoint_counts_hits(struct kunit *test)
{
	struct rs_hook h[] = {
		RS_TRACEPOINT("mm_page_alloc", probe_page_alloc),
		RS_TRACEPOINT("reclaimscope_no_such_event", probe_page_alloc),
	};
	struct page *pages[3];
	int i;

	KUNIT_ASSERT_EQ(test, rs_hooks_attach(h, ARRAY_SIZE(h)), 0);
	KUNIT_ASSERT_EQ(test, h[0].state, RS_HOOK_ATTACHED);
	KUNIT_EXPECT_STREQ(test, h[0].target, "mm_page_alloc");
	KUNIT_EXPECT_EQ(test, h[1].state, RS_HOOK_MISSING);

	WRITE_ONCE(test_task, current);
	for (i = 0; i < ARRAY_SIZE(pages); i++)
		pages[i] = alloc_pages(GFP_KERNEL | __GFP_NOWARN, TEST_ORDER);
	WRITE_ONCE(test_task, NULL);

	for (i = 0; i < ARRAY_SIZE(pages); i++) {
		KUNIT_EXPECT_NOT_NULL(test, pages[i]);
		if (pages[i])
			__free_pages(pages[i], TEST_ORDER);
	}
	KUNIT_EXPECT_EQ(test, rs_hook_hits(&h[0]), 3UL);
	KUNIT_EXPECT_EQ(test, rs_hook_missed(&h[0]), 0UL);

	rs_hooks_detach(h, ARRAY_SIZE(h));
	KUNIT_EXPECT_EQ(test, h[0].state, RS_HOOK_DETACHED);
	KUNIT_EXPECT_TRUE(test, !h[0].hits);
}

/* A kretprobe sees argument and return value; alt_name is the fallback. */
static void hooks_kretprobe_alt_name(struct kunit *test)
{
	struct rs_hook h = {
		.name = "reclaimscope_no_such_function",
		.alt_name = "rs_kunit_target",
		.kind = RS_HOOK_KRETPROBE,
		.entry_handler = target_entry,
		.handler = target_return,
		.data_size = sizeof(long),
		.maxactive = 4,
	};
	int i, sum = 0;

	KUNIT_ASSERT_EQ(test, rs_hooks_attach(&h, 1), 0);
	KUNIT_ASSERT_EQ(test, h.state, RS_HOOK_ATTACHED);
	KUNIT_EXPECT_STREQ(test, h.target, "rs_kunit_target");

	for (i = 1; i <= 4; i++) {
		int x = i;

		/* Keep the compiler from specialising the target. */
		OPTIMIZER_HIDE_VAR(x);
		sum += rs_kunit_target(x);
	}
	KUNIT_EXPECT_EQ(test, sum, 30);
	KUNIT_EXPECT_EQ(test, rs_hook_hits(&h), 4UL);
	KUNIT_EXPECT_EQ(test, READ_ONCE(target_last_ret), 12);
	KUNIT_EXPECT_EQ(test, rs_hook_missed(&h), 0UL);

	rs_hooks_detach(&h, 1);
	KUNIT_EXPECT_EQ(test, h.state, RS_HOOK_DETACHED);
	/* Detached: further calls are not seen. */
	WRITE_ONCE(target_last_ret, 0);
	i = 5;
	OPTIMIZER_HIDE_VAR(i);
	rs_kunit_target(i);
	KUNIT_EXPECT_EQ(test, READ_ONCE(target_last_ret), 0);
}

/* Skips calls with an odd argument: the kernel then runs no return handler. */
static int target_entry_even(struct kretprobe_instance *ri,
			     struct pt_regs *regs)
{
	long x = regs_get_kernel_argument(regs, 0);

	*(long *)ri->data = x;
	return x % 2;
}

/* The entry handler's return value reaches the kernel. */
static void hooks_kretprobe_entry_skips(struct kunit *test)
{
	struct rs_hook h = {
		.name = "rs_kunit_target",
		.kind = RS_HOOK_KRETPROBE,
		.entry_handler = target_entry_even,
		.handler = target_return,
		.data_size = sizeof(long),
		.maxactive = 4,
	};
	int i;

	KUNIT_ASSERT_EQ(test, rs_hooks_attach(&h, 1), 0);
	KUNIT_ASSERT_EQ(test, h.state, RS_HOOK_ATTACHED);
	WRITE_ONCE(target_last_ret, 0);
	for (i = 1; i <= 5; i++) {
		int x = i;

		OPTIMIZER_HIDE_VAR(x);
		rs_kunit_target(x);
	}
	/* 2 and 4 came back through the return handler; 1, 3, 5 did not. */
	KUNIT_EXPECT_EQ(test, rs_hook_hits(&h), 2UL);
	KUNIT_EXPECT_EQ(test, READ_ONCE(target_last_ret), 12);
	rs_hooks_detach(&h, 1);
}

/* A hook marked disabled is not attached, and says so. */
static void hooks_disabled(struct kunit *test)
{
	struct rs_hook h[] = {
		RS_TRACEPOINT("mm_page_alloc", probe_page_alloc),
	};
	struct seq_file m;

	h[0].disabled = true;
	rs_kunit_seq_init(test, &m);
	KUNIT_ASSERT_EQ(test, rs_hooks_attach(h, 1), 0);
	KUNIT_EXPECT_EQ(test, h[0].state, RS_HOOK_DISABLED);
	rs_hooks_show(&m, h, 1);
	KUNIT_EXPECT_STREQ(test, rs_kunit_seq_str(&m),
			   "mm_page_alloc tracepoint disabled 0 0 -\n");
	rs_hooks_detach(h, 1);
	KUNIT_EXPECT_EQ(test, h[0].state, RS_HOOK_DISABLED);
}

static void hooks_show_format(struct kunit *test)
{
	struct rs_hook h[] = {
		RS_TRACEPOINT("mm_page_alloc", probe_page_alloc),
		RS_TRACEPOINT("reclaimscope_no_such_event", probe_page_alloc),
		{ .name = "balance_pgdat", .kind = RS_HOOK_KRETPROBE },
	};
	struct seq_file m;

	rs_kunit_seq_init(test, &m);
	KUNIT_ASSERT_EQ(test, rs_hooks_attach(h, 2), 0);
	/* Show a refused hook the way the registry records one. */
	h[2].state = RS_HOOK_FAILED;
	h[2].err = -EBUSY;

	rs_hooks_show_header(&m);
	rs_hooks_show(&m, &h[1], 2);
	KUNIT_EXPECT_STREQ(test, rs_kunit_seq_str(&m),
			   "name kind state hits missed target\n"
			   "reclaimscope_no_such_event tracepoint missing 0 0 -\n"
			   "balance_pgdat kretprobe failed:EBUSY 0 0 -\n");
	rs_hooks_detach(h, 2);

	rs_kunit_seq_init(test, &m);
	rs_hooks_show(&m, h, 1);
	KUNIT_EXPECT_STREQ(test, rs_kunit_seq_str(&m),
			   "mm_page_alloc tracepoint detached 0 0 mm_page_alloc\n");
}

/* A tracepoint hook without a probe (the headers lack the event). */
static void hooks_no_probe_missing(struct kunit *test)
{
	struct rs_hook h[] = {
		RS_TRACEPOINT("mm_page_alloc", NULL),
	};
	struct seq_file m;

	rs_kunit_seq_init(test, &m);
	KUNIT_ASSERT_EQ(test, rs_hooks_attach(h, 1), 0);
	KUNIT_EXPECT_EQ(test, h[0].state, RS_HOOK_MISSING);
	KUNIT_EXPECT_EQ(test, h[0].err, -ENOENT);
	rs_hooks_show(&m, h, 1);
	KUNIT_EXPECT_STREQ(test, rs_kunit_seq_str(&m),
			   "mm_page_alloc tracepoint missing 0 0 -\n");
	rs_hooks_detach(h, 1);
}

/* Calls rs_kunit_target() with 1..@n; returns the sum of the results. */
static int call_target(int n)
{
	int i, sum = 0;

	for (i = 1; i <= n; i++) {
		int x = i;

		OPTIMIZER_HIDE_VAR(x);
		sum += rs_kunit_target(x);
	}
	return sum;
}

#define FALLBACK_HOOK(_n) {						\
	.name = "rs_kunit_target",					\
	.kind = RS_HOOK_KRETPROBE,					\
	.entry_handler = target_entry,					\
	.handler = target_return,					\
	.data_size = sizeof(long),					\
	.maxactive = 4,							\
	.fallback_for = (_n),						\
}

/* The hooks a fallback stands in for attach: it stands by, unattached. */
static void hooks_fallback_standby(struct kunit *test)
{
	struct rs_hook h[] = {
		FALLBACK_HOOK(2),
		/* Two probes, told apart by their data (the hook). */
		RS_TRACEPOINT("mm_page_alloc", probe_page_alloc),
		RS_TRACEPOINT("mm_page_alloc", probe_page_alloc),
	};
	struct seq_file m;

	rs_kunit_seq_init(test, &m);
	KUNIT_ASSERT_EQ(test, rs_hooks_attach(h, ARRAY_SIZE(h)), 0);
	KUNIT_EXPECT_EQ(test, h[0].state, RS_HOOK_STANDBY);
	KUNIT_EXPECT_EQ(test, h[1].state, RS_HOOK_ATTACHED);
	KUNIT_EXPECT_EQ(test, h[2].state, RS_HOOK_ATTACHED);
	KUNIT_EXPECT_EQ(test, call_target(3), 18);
	KUNIT_EXPECT_EQ(test, rs_hook_hits(&h[0]), 0UL);
	rs_hooks_show(&m, h, 1);
	KUNIT_EXPECT_STREQ(test, rs_kunit_seq_str(&m),
			   "rs_kunit_target kretprobe standby 0 0 -\n");
	rs_hooks_detach(h, ARRAY_SIZE(h));
	KUNIT_EXPECT_EQ(test, h[0].state, RS_HOOK_STANDBY);
	KUNIT_EXPECT_EQ(test, h[1].state, RS_HOOK_DETACHED);
}

/*
 * One of the hooks a fallback stands in for cannot attach: the fallback
 * attaches and counts, and the others stand by without being attached,
 * so nothing is counted twice.  @h[1] is usable; @other is the state
 * expected of @h[2..nr).
 */
static void check_fallback_used(struct kunit *test, struct rs_hook *h,
				unsigned int nr, enum rs_hook_state other)
{
	unsigned int i;

	KUNIT_ASSERT_EQ(test, rs_hooks_attach(h, nr), 0);
	KUNIT_EXPECT_EQ(test, h[0].state, RS_HOOK_ATTACHED);
	KUNIT_EXPECT_STREQ(test, h[0].target, "rs_kunit_target");
	KUNIT_EXPECT_EQ(test, h[1].state, RS_HOOK_STANDBY);
	KUNIT_EXPECT_NULL(test, h[1].target);
	for (i = 2; i < nr; i++)
		KUNIT_EXPECT_EQ(test, h[i].state, other);
	KUNIT_EXPECT_EQ(test, call_target(4), 30);
	KUNIT_EXPECT_EQ(test, rs_hook_hits(&h[0]), 4UL);
	rs_hooks_detach(h, nr);
	KUNIT_EXPECT_EQ(test, h[0].state, RS_HOOK_DETACHED);
	KUNIT_EXPECT_EQ(test, h[1].state, RS_HOOK_STANDBY);
}

/* A kernel without one of the tracepoints. */
static void hooks_fallback_missing(struct kunit *test)
{
	struct rs_hook h[] = {
		FALLBACK_HOOK(2),
		RS_TRACEPOINT("mm_page_alloc", probe_page_alloc),
		RS_TRACEPOINT("reclaimscope_no_such_event", probe_page_alloc),
	};

	check_fallback_used(test, h, ARRAY_SIZE(h), RS_HOOK_MISSING);
}

/* Headers without one of the events: no probe was built for it. */
static void hooks_fallback_no_probe(struct kunit *test)
{
	struct rs_hook h[] = {
		FALLBACK_HOOK(2),
		RS_TRACEPOINT("mm_page_alloc", probe_page_alloc),
		RS_TRACEPOINT("mm_page_alloc", NULL),
	};

	check_fallback_used(test, h, ARRAY_SIZE(h), RS_HOOK_MISSING);
}

/* One of them named in disable=. */
static void hooks_fallback_disabled(struct kunit *test)
{
	struct rs_hook h[] = {
		FALLBACK_HOOK(2),
		RS_TRACEPOINT("mm_page_alloc", probe_page_alloc),
		RS_TRACEPOINT("mm_page_alloc", probe_page_alloc),
	};

	h[2].disabled = true;
	check_fallback_used(test, h, ARRAY_SIZE(h), RS_HOOK_DISABLED);
}

static struct kunit_case hooks_cases[] = {
	KUNIT_CASE(hooks_missing_tracepoint),
	KUNIT_CASE(hooks_missing_kretprobe),
	KUNIT_CASE(hooks_tracepoint_counts_hits),
	KUNIT_CASE(hooks_kretprobe_alt_name),
	KUNIT_CASE(hooks_kretprobe_entry_skips),
	KUNIT_CASE(hooks_disabled),
	KUNIT_CASE(hooks_show_format),
	KUNIT_CASE(hooks_no_probe_missing),
	KUNIT_CASE(hooks_fallback_standby),
	KUNIT_CASE(hooks_fallback_missing),
	KUNIT_CASE(hooks_fallback_no_probe),
	KUNIT_CASE(hooks_fallback_disabled),
	{}
};

static struct kunit_suite hooks_suite = {
	.name = "reclaimscope_hooks",
	.test_cases = hooks_cases,
};

kunit_test_suite(hooks_suite);
