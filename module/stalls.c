// SPDX-License-Identifier: GPL-2.0
/*
 * stalls.c - the tasks and cgroups files: who stalled, and for how long.
 *
 * Direct reclaim, memcg reclaim, direct compaction and reclaim throttling
 * are charged, by the features that see them, to the task that stalled
 * and to that task's cgroup v2 at the time (rs_stall_account()).  A stall
 * is counted at its begin and its time added at its end (compaction:
 * both at the end, where the kernel decides whether it was a stall), so
 * that the counts equal the begin events a tracer sees per task.
 *
 * Rows are keyed by pid and by cgroup id (the cgroup's kernfs inode
 * number, as the kernel's own debugfs keys memcgs): a probe never looks
 * up a path.  A task's row keeps the name and cgroup the task had when
 * first seen and outlives the task until reset.  The cgroup's path is
 * resolved when the file is read, relative to the reader's cgroup
 * namespace (as /sys/fs/cgroup shows it); a cgroup that is gone, or a
 * kernel that does not export cgroup_get_from_id() (5.10), prints
 * id:<N> instead.
 *
 * Memcg reclaim is charged to the cgroup of the task that stalled.  That
 * is the cgroup whose limit was hit, or one below it: a task in
 * /a/b reclaims for /a when /a is at its memory.max.
 */
#include <linux/cgroup.h>
#include <linux/limits.h>
#include <linux/moduleparam.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <reclaimscope/core.h>
#include <reclaimscope/counters.h>
#include <reclaimscope/stalls.h>
#include <reclaimscope/table.h>

#define ST_MAX_ROWS	65536

static unsigned int task_rows = 512;
static unsigned int cgroup_rows = 256;

/* 1 to ST_MAX_ROWS, decimal: anything else refuses the load. */
static int st_rows_set(const char *val, const struct kernel_param *kp)
{
	unsigned int n;
	int ret = kstrtouint(val, 10, &n);

	if (ret)
		return ret;
	if (n < 1 || n > ST_MAX_ROWS)
		return -ERANGE;
	*(unsigned int *)kp->arg = n;
	return 0;
}

static const struct kernel_param_ops st_rows_ops = {
	.set = st_rows_set,
	.get = param_get_uint,
};

module_param_cb(task_rows, &st_rows_ops, &task_rows, 0400);
MODULE_PARM_DESC(task_rows, "rows of the tasks file before \"other\" (1-65536, default 512)");
module_param_cb(cgroup_rows, &st_rows_ops, &cgroup_rows, 0400);
MODULE_PARM_DESC(cgroup_rows, "rows of the cgroups file before \"other\" (1-65536, default 256)");

static struct rs_table st_tasks;
static struct rs_table st_cgroups;

/* The current task's cgroup v2 id; 1 (the root) without cgroups. */
static u64 st_current_cgroup(void)
{
#ifdef CONFIG_CGROUPS
	u64 id;

	rcu_read_lock();
	id = cgroup_id(task_dfl_cgroup(current));
	rcu_read_unlock();
	return id;
#else
	return 1;
#endif
}

static void st_charge(struct rs_table *t, u64 key, bool task, u64 cgroup,
		      enum rs_stall_kind kind, unsigned int count, u64 ns,
		      unsigned long nr_reclaimed)
{
	unsigned int row;
	bool fresh;

	row = rs_table_row(t, key, &fresh);
	if (row == RS_TABLE_NONE)
		return;
	if (fresh) {
		struct rs_row_meta *meta = &t->meta[row];

		meta->cgroup = cgroup;
		if (task) {
			meta->pid = current->pid;
			/* A racing rename gives a mix of names, never garbage. */
			memcpy(meta->comm, current->comm, sizeof(meta->comm));
			meta->comm[sizeof(meta->comm) - 1] = '\0';
		}
		rs_table_publish(t, row);
	}
	rs_table_add(t, row, RS_STALL_COL_COUNT(kind), count);
	rs_table_add(t, row, RS_STALL_COL_NS(kind), ns);
	if (ns)
		rs_table_max(t, row, RS_STALL_COL_MAX_NS, ns);
	if (kind == RS_STALL_DIRECT)
		rs_table_add(t, row, RS_STALL_COL_DIRECT_RECLAIMED, nr_reclaimed);
	else if (kind == RS_STALL_MEMCG)
		rs_table_add(t, row, RS_STALL_COL_MEMCG_RECLAIMED, nr_reclaimed);
}

void rs_stall_account(enum rs_stall_kind kind, unsigned int count, u64 ns,
		      unsigned long nr_reclaimed)
{
	u64 cgroup = st_current_cgroup();

	/* pid 0 never reclaims; the high bit keeps every key non-zero. */
	st_charge(&st_tasks, BIT_ULL(63) | (u32)current->pid, true, cgroup,
		  kind, count, ns, nr_reclaimed);
	st_charge(&st_cgroups, cgroup, false, cgroup, kind, count, ns,
		  nr_reclaimed);
}

const char * const rs_ctx_names[RS_CTX_NR] = {
	[RS_CTX_KSWAPD] = "kswapd",
	[RS_CTX_DIRECT] = "direct",
	[RS_CTX_MEMCG] = "memcg",
	[RS_CTX_OTHER] = "other",
};

/*
 * What "slowest first" adds up: the stalls' time.  Not throttled_ns: a
 * direct or memcg reclaimer is throttled inside its stall, whose time
 * already holds the sleep (and kswapd's own throttling is no stall).
 */
static const unsigned int st_time_cols[] = {
	RS_STALL_COL_NS(RS_STALL_DIRECT),
	RS_STALL_COL_NS(RS_STALL_MEMCG),
	RS_STALL_COL_NS(RS_STALL_COMPACT),
};

/* Whitespace and backslashes as octal escapes, as /proc/mounts does. */
#define ST_ESC " \t\n\\"

/* The columns after pid, comm and cgroup; nr_reclaimed follows. */
static const unsigned int st_task_cols[] = {
	RS_STALL_COL_COUNT(RS_STALL_DIRECT), RS_STALL_COL_NS(RS_STALL_DIRECT),
	RS_STALL_COL_COUNT(RS_STALL_MEMCG), RS_STALL_COL_NS(RS_STALL_MEMCG),
	RS_STALL_COL_COUNT(RS_STALL_COMPACT), RS_STALL_COL_NS(RS_STALL_COMPACT),
	RS_STALL_COL_COUNT(RS_STALL_THROTTLED), RS_STALL_COL_NS(RS_STALL_THROTTLED),
	RS_STALL_COL_MAX_NS,
};

/* The columns after the cgroup. */
static const unsigned int st_cgroup_cols[] = {
	RS_STALL_COL_COUNT(RS_STALL_MEMCG), RS_STALL_COL_NS(RS_STALL_MEMCG),
	RS_STALL_COL_MEMCG_RECLAIMED,
	RS_STALL_COL_COUNT(RS_STALL_DIRECT), RS_STALL_COL_NS(RS_STALL_DIRECT),
	RS_STALL_COL_COUNT(RS_STALL_COMPACT), RS_STALL_COL_NS(RS_STALL_COMPACT),
	RS_STALL_COL_COUNT(RS_STALL_THROTTLED), RS_STALL_COL_NS(RS_STALL_THROTTLED),
	RS_STALL_COL_MAX_NS,
};

/* One row of the tasks table (@tasks) or the cgroups table. */
static void st_show_row(struct seq_file *m, struct rs_table *t,
			unsigned int row, bool tasks, char *buf)
{
	const unsigned int *cols = tasks ? st_task_cols : st_cgroup_cols;
	unsigned int i, nr_cols = tasks ? ARRAY_SIZE(st_task_cols) :
					  ARRAY_SIZE(st_cgroup_cols);
	const struct rs_row_meta *meta = &t->meta[row];

	if (row == rs_table_other(t)) {
		seq_puts(m, tasks ? "- other -" : "other");
	} else {
		if (tasks) {
			seq_printf(m, "%d ", meta->pid);
			seq_escape(m, meta->comm, ST_ESC);
			seq_putc(m, ' ');
		}
		rs_cgroup_path(meta->cgroup, buf, PATH_MAX);
		seq_escape(m, buf, ST_ESC);
	}
	for (i = 0; i < nr_cols; i++)
		seq_printf(m, " %llu", rs_table_get(t, row, cols[i]));
	if (tasks)
		seq_printf(m, " %llu",
			   rs_table_get(t, row, RS_STALL_COL_DIRECT_RECLAIMED) +
			   rs_table_get(t, row, RS_STALL_COL_MEMCG_RECLAIMED));
	seq_putc(m, '\n');
}

/* A header, the rows slowest first, then "other". */
static int st_show(struct seq_file *m, struct rs_table *t, bool tasks)
{
	struct rs_table_snap *snap;
	unsigned int i, nr;
	char *buf;

	buf = kmalloc(PATH_MAX, GFP_KERNEL);
	snap = rs_table_snapshot(t, st_time_cols, ARRAY_SIZE(st_time_cols), &nr);
	if (!buf || !snap) {
		kfree(buf);
		kvfree(snap);
		return -ENOMEM;
	}
	if (tasks)
		seq_puts(m, "pid comm cgroup direct_stalls direct_ns memcg_stalls memcg_ns compact_stalls compact_ns throttled throttled_ns max_ns nr_reclaimed\n");
	else
		seq_puts(m, "cgroup memcg_stalls memcg_ns memcg_reclaimed direct_stalls direct_ns compact_stalls compact_ns throttled throttled_ns max_ns\n");
	for (i = 0; i < nr; i++)
		st_show_row(m, t, snap[i].row, tasks, buf);
	st_show_row(m, t, rs_table_other(t), tasks, buf);
	kvfree(snap);
	kfree(buf);
	return 0;
}

static int tasks_show(struct seq_file *m, void *v)
{
	return st_show(m, &st_tasks, true);
}
RS_DEFINE_SHOW_ATTRIBUTE(tasks);

static int cgroups_show(struct seq_file *m, void *v)
{
	return st_show(m, &st_cgroups, false);
}
RS_DEFINE_SHOW_ATTRIBUTE(cgroups);

static void stalls_files(struct dentry *root)
{
	rs_file("tasks", RS_FILE_MODE, root, NULL, &tasks_fops);
	rs_file("cgroups", RS_FILE_MODE, root, NULL, &cgroups_fops);
}

static const struct rs_table_decl st_tables[] = {
	{ &st_tasks, &task_rows, RS_STALL_NR_COLS },
	{ &st_cgroups, &cgroup_rows, RS_STALL_NR_COLS },
};

const struct rs_feature rs_stalls_feature = {
	.name = "stalls",
	.tables = st_tables,
	.nr_tables = ARRAY_SIZE(st_tables),
	.files = stalls_files,
};
