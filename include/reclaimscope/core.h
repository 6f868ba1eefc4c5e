/* SPDX-License-Identifier: GPL-2.0 */
/*
 * core.h - what a feature gives the core, and what the core gives back.
 *
 * A feature (kswapd.c, ...) owns its hooks, its counters and its debugfs
 * files.  It describes itself with a struct rs_feature and is listed once
 * in the feature table in main.c.  The core brings features up in this
 * order: init (allocate counters) -> hooks -> files; and down in reverse:
 * files -> hooks (waiting for running probes) -> exit (free counters).
 */
#ifndef _RECLAIMSCOPE_CORE_H
#define _RECLAIMSCOPE_CORE_H

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/rwsem.h>
#include <linux/sched/clock.h>
#include <linux/seq_file.h>
#include <linux/types.h>

#include <reclaimscope/counters.h>
#include <reclaimscope/hooks.h>
#include <reclaimscope/pairs.h>
#include <reclaimscope/table.h>

/* Bumped when a debugfs file loses or renames a key. */
#define RS_ABI		1
#define RS_VERSION	"0.1.0"

/**
 * struct rs_counter_decl - a counter set a feature declares
 * @c: the set
 * @rows: rows per node with @per_node, else rows in all
 * @per_node: @rows for each possible node id (nr_node_ids)
 * @nr_keys: columns
 * @names: key names (rs_counters_show()), or NULL
 * @gauge: moved up and down, never reset
 *
 * The core allocates every declared set before the feature's init,
 * zeroes the non-gauges on reset, and frees them after the hooks are
 * gone and the feature's exit has run.
 */
struct rs_counter_decl {
	struct rs_counters *c;
	unsigned int rows;
	bool per_node;
	unsigned int nr_keys;
	const char * const *names;
	bool gauge;
};

#define RS_PER_NODE(_c, _nr_keys, _names)				\
	{ .c = (_c), .rows = 1, .per_node = true, .nr_keys = (_nr_keys),	\
	  .names = (_names) }
#define RS_PER_NODE_GAUGE(_c)						\
	{ .c = (_c), .rows = 1, .per_node = true, .nr_keys = 1,		\
	  .gauge = true }
/* One row in all: counters that have no node. */
#define RS_SINGLE(_c, _nr_keys, _names)					\
	{ .c = (_c), .rows = 1, .nr_keys = (_nr_keys), .names = (_names) }
#define RS_SINGLE_GAUGE(_c, _nr_keys)					\
	{ .c = (_c), .rows = 1, .nr_keys = (_nr_keys), .gauge = true }

/* A pair table a feature declares: allocated and freed by the core. */
struct rs_pairs_decl {
	struct rs_pairs *p;
	unsigned int bits;
};

/*
 * A table of keyed rows a feature declares (table.h): allocated, reset
 * and freed by the core.  @nr_rows points at the row count (a module
 * parameter), read at load.
 */
struct rs_table_decl {
	struct rs_table *t;
	const unsigned int *nr_rows;
	unsigned int nr_cols;
};

/**
 * struct rs_feature - one feature, as the core brings it up and down
 * @name: for messages
 * @hooks: its hooks (hooks.h), attached after init, detached before exit
 * @nr_hooks: how many
 * @counters: counter sets the core owns for it
 * @nr_counters: how many
 * @pairs: pair tables the core owns for it
 * @nr_pairs: how many
 * @tables: row tables the core owns for it
 * @nr_tables: how many
 * @init: anything else it needs, after its counters exist (process
 *	context, may sleep); a non-zero return fails the load
 * @exit: undo @init; no hook of any feature runs any more
 * @reset: zero what is not a declared counter (called with rs_reset_sem
 *	held for writing, after the core zeroed the counters)
 * @files: create files at the top of the tree
 * @node_files: create files in node<nid>/ for one online node
 */
struct rs_feature {
	const char *name;
	struct rs_hook *hooks;
	unsigned int nr_hooks;
	const struct rs_counter_decl *counters;
	unsigned int nr_counters;
	const struct rs_pairs_decl *pairs;
	unsigned int nr_pairs;
	const struct rs_table_decl *tables;
	unsigned int nr_tables;
	int (*init)(void);
	void (*exit)(void);
	void (*reset)(void);
	void (*files)(struct dentry *root);
	void (*node_files)(struct dentry *dir, int nid);
};

extern const struct rs_feature rs_kswapd_feature;
extern const struct rs_feature rs_shrink_list_feature;
extern const struct rs_feature rs_direct_reclaim_feature;
extern const struct rs_feature rs_memcg_reclaim_feature;
extern const struct rs_feature rs_compaction_feature;
extern const struct rs_feature rs_boost_feature;
extern const struct rs_feature rs_nodestate_feature;
extern const struct rs_feature rs_demo_feature;
extern const struct rs_feature rs_shrinkers_feature;
extern const struct rs_feature rs_direct_compaction_feature;
extern const struct rs_feature rs_stalls_feature;

/*
 * Readers of every file hold rs_reset_sem for reading while they print;
 * writing "1" to reset holds it for writing while every feature zeroes
 * its counters.  So a read sees a file entirely before or entirely after
 * a reset.  Probes never take it: they keep counting throughout.
 */
extern struct rw_semaphore rs_reset_sem;

/*
 * Like DEFINE_SHOW_ATTRIBUTE(), for a <name>_show(m, v) that prints under
 * rs_reset_sem.
 */
#define RS_DEFINE_SHOW_ATTRIBUTE(__name)				\
static int __name##_show_held(struct seq_file *m, void *v)		\
{									\
	int ret;							\
									\
	down_read(&rs_reset_sem);					\
	ret = __name##_show(m, v);					\
	up_read(&rs_reset_sem);						\
	return ret;							\
}									\
									\
static int __name##_open(struct inode *inode, struct file *file)	\
{									\
	return single_open(file, __name##_show_held, inode->i_private);	\
}									\
									\
static const struct file_operations __name##_fops = {			\
	.owner		= THIS_MODULE,					\
	.open		= __name##_open,				\
	.read		= seq_read,					\
	.llseek		= seq_lseek,					\
	.release	= single_release,				\
}

/*
 * The clock of every timestamp the module takes: local_clock(), the
 * scheduler's clock, which the kernel's own accounting of the same stalls
 * uses (delayacct's reclaim, compaction and thrashing delays) and ftrace's
 * default "local" trace clock.  It is NMI-safe (kprobe handlers run in
 * int3 context, which lockdep treats as NMI) and never reads the
 * clocksource: where the TSC is unusable as one (marked unstable, as in
 * many virtual machines) ktime_get_mono_fast_ns() reads the HPET, an
 * I/O access that took 350 ns per timestamp in make bench's guest, two
 * per kretprobe call.  It is monotonic on each CPU and may differ by a
 * little between CPUs (a tick at most; none where the TSC is stable), so
 * durations go through rs_since().
 */
static inline u64 rs_now(void)
{
	return local_clock();
}

static inline u64 rs_since(u64 start)
{
	u64 now = rs_now();

	return now > start ? now - start : 0;
}

/*
 * Every file and directory of the tree is made with these: unlike bare
 * debugfs calls, a failure is not ignored.  The core then refuses the
 * load (a partial tree would read as a module that counts nothing).
 */
struct dentry *rs_file(const char *name, umode_t mode, struct dentry *parent,
		       void *data, const struct file_operations *fops);
struct dentry *rs_dir(const char *name, struct dentry *parent);

/* Files are root-only: they show kernel internals. */
#define RS_FILE_MODE	0400
#define RS_WFILE_MODE	0200

/* node<N>/ files carry their node id as debugfs private data. */
static inline int rs_file_nid(const struct seq_file *m)
{
	return (int)(long)m->private;
}

static inline void *rs_nid_private(int nid)
{
	return (void *)(long)nid;
}

#endif /* _RECLAIMSCOPE_CORE_H */
