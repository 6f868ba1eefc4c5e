/* SPDX-License-Identifier: GPL-2.0 */
/*
 * core.h - what a feature gives the core, and what the core gives back.
 *
 * A feature (kswapd.c, ...) owns its hooks, its counters and its debugfs
 * files.  It describes itself with a struct rs_feature and is listed once
 * in the feature table in main.c.  The core brings features up in this
 * order: init (allocate counters) -> files -> hooks; and down in reverse:
 * hooks (waiting for running probes) -> files -> exit (free counters).
 */
#ifndef _RECLAIMSCOPE_CORE_H
#define _RECLAIMSCOPE_CORE_H

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/timekeeping.h>
#include <linux/rwsem.h>
#include <linux/seq_file.h>
#include <linux/types.h>

#include <reclaimscope/hooks.h>

/* Bumped when a debugfs file loses or renames a key. */
#define RS_ABI		1
#define RS_VERSION	"0.1.0"

struct rs_feature {
	const char *name;
	struct rs_hook *hooks;
	unsigned int nr_hooks;
	int (*init)(void);
	void (*exit)(void);
	/* Zero counters and histograms (called with rs_reset_sem held). */
	void (*reset)(void);
	/* Create files at the top of the tree. */
	void (*files)(struct dentry *root);
	/* Create files in node<nid>/ for one online node. */
	void (*node_files)(struct dentry *dir, int nid);
};

extern const struct rs_feature rs_kswapd_feature;
extern const struct rs_feature rs_shrink_list_feature;
extern const struct rs_feature rs_direct_reclaim_feature;
extern const struct rs_feature rs_compaction_feature;
extern const struct rs_feature rs_nodestate_feature;
extern const struct rs_feature rs_demo_feature;
extern const struct rs_feature rs_shrinkers_feature;

/* Between features. */
struct pglist_data;
bool rs_kswapd_awake(int nid);
void rs_boost_balance_entry(struct pglist_data *pgdat);
void rs_boost_balance_return(struct pglist_data *pgdat);

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
 * The clock of every timestamp the module takes.  kprobe handlers run in
 * int3 context, which lockdep treats as NMI: ktime_get_ns() takes the
 * timekeeping seqcount and may spin on a writer it interrupted.  The fast
 * monotonic clock is NMI-safe; it may step back by a hair between CPUs,
 * so durations go through rs_since().
 */
static inline u64 rs_now(void)
{
	return ktime_get_mono_fast_ns();
}

static inline u64 rs_since(u64 start)
{
	u64 now = rs_now();

	return now > start ? now - start : 0;
}

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
