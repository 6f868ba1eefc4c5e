// SPDX-License-Identifier: GPL-2.0
/*
 * reclaimscope - what memory reclaim is doing, node by node.
 *
 * main.c brings the features up and down and owns the top of the debugfs
 * tree: version, hooks and one node<N>/ directory per online node.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/kstrtox.h>
#include <linux/rwsem.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/nodemask.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <linux/utsname.h>

#include <reclaimscope/core.h>
#include <reclaimscope/counters.h>
#include <reclaimscope/hooks.h>

static const struct rs_feature * const rs_features[] = {
	&rs_kswapd_feature,
	&rs_shrink_list_feature,
	&rs_direct_reclaim_feature,
	&rs_memcg_reclaim_feature,
	&rs_compaction_feature,
	&rs_direct_compaction_feature,
	&rs_stalls_feature,
	&rs_boost_feature,
	&rs_nodestate_feature,
	&rs_shrinkers_feature,
	&rs_demo_feature,
};

static struct dentry *rs_root;

/* disable=NAME[,NAME...]: hooks not to attach (see rs_disable_hooks()). */
static char *disable;
module_param(disable, charp, 0400);
MODULE_PARM_DESC(disable,
		 "comma-separated hooks not to attach (names as in the hooks file)");

DECLARE_RWSEM(rs_reset_sem);

/* Free what the core allocated for @f (freeing what is not there is fine). */
static void rs_feature_free(const struct rs_feature *f)
{
	unsigned int i;

	for (i = 0; i < f->nr_tables; i++)
		rs_table_free(f->tables[i].t);
	for (i = 0; i < f->nr_pairs; i++)
		rs_pairs_free(f->pairs[i].p);
	for (i = 0; i < f->nr_counters; i++)
		rs_counters_free(f->counters[i].c);
}

/* Counter sets, pair and row tables first, then the feature's own init. */
static int rs_feature_init(const struct rs_feature *f)
{
	unsigned int i, rows;
	int ret = 0;

	for (i = 0; !ret && i < f->nr_counters; i++) {
		const struct rs_counter_decl *d = &f->counters[i];

		rows = d->per_node ? d->rows * nr_node_ids : d->rows;
		ret = rs_counters_init(d->c, rows, d->nr_keys, d->names);
	}
	for (i = 0; !ret && i < f->nr_pairs; i++)
		ret = rs_pairs_init(f->pairs[i].p, f->pairs[i].bits);
	for (i = 0; !ret && i < f->nr_tables; i++)
		ret = rs_table_init(f->tables[i].t, *f->tables[i].nr_rows,
				    f->tables[i].nr_cols);
	if (!ret && f->init)
		ret = f->init();
	if (ret)
		rs_feature_free(f);
	return ret;
}

static void rs_features_exit(unsigned int nr)
{
	while (nr--) {
		if (rs_features[nr]->exit)
			rs_features[nr]->exit();
		rs_feature_free(rs_features[nr]);
	}
}

/*
 * The one reset: every counter but the gauges, every row table, then the
 * rest.  Row tables are frozen, then emptied once every probe that could
 * still be adding to them has returned (table.h), so that no count from
 * before the reset lands in a row claimed after it.
 */
static void rs_features_reset(void)
{
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(rs_features); i++)
		for (j = 0; j < rs_features[i]->nr_tables; j++)
			rs_table_freeze(rs_features[i]->tables[j].t);
	/* Tracepoint probes and kretprobe handlers alike. */
	tracepoint_synchronize_unregister();
	for (i = 0; i < ARRAY_SIZE(rs_features); i++) {
		const struct rs_feature *f = rs_features[i];

		for (j = 0; j < f->nr_counters; j++)
			if (!f->counters[j].gauge)
				rs_counters_reset(f->counters[j].c);
		for (j = 0; j < f->nr_tables; j++)
			rs_table_clear(f->tables[j].t);
		if (f->reset)
			f->reset();
	}
}

static int version_show(struct seq_file *m, void *v)
{
	rs_kv_str(m, "version", RS_VERSION);
	rs_kv_u64(m, "abi", RS_ABI);
	rs_kv_str(m, "kernel", init_utsname()->release);
	rs_kv_u64(m, "nodes", num_online_nodes());
	return 0;
}
RS_DEFINE_SHOW_ATTRIBUTE(version);

static int hooks_show(struct seq_file *m, void *v)
{
	unsigned int i;

	rs_hooks_show_header(m);
	for (i = 0; i < ARRAY_SIZE(rs_features); i++)
		rs_hooks_show(m, rs_features[i]->hooks,
			      rs_features[i]->nr_hooks);
	return 0;
}
RS_DEFINE_SHOW_ATTRIBUTE(hooks);

/* Write "1" (a trailing newline is fine) to zero every counter. */
static ssize_t reset_write(struct file *file, const char __user *ubuf,
			   size_t len, loff_t *ppos)
{
	int ret;

	ret = rs_write_is_one(ubuf, len);
	if (ret)
		return ret;

	down_write(&rs_reset_sem);
	rs_features_reset();
	up_write(&rs_reset_sem);
	return len;
}

static const struct file_operations reset_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = reset_write,
	.llseek = noop_llseek,
};

/* The first error making a file or directory of the tree, or 0. */
static int rs_files_err;

static struct dentry *rs_files_check(struct dentry *d)
{
	if (IS_ERR(d) && !rs_files_err)
		rs_files_err = PTR_ERR(d);
	return d;
}

struct dentry *rs_file(const char *name, umode_t mode, struct dentry *parent,
		       void *data, const struct file_operations *fops)
{
	return rs_files_check(debugfs_create_file(name, mode, parent, data,
						  fops));
}

struct dentry *rs_dir(const char *name, struct dentry *parent)
{
	return rs_files_check(debugfs_create_dir(name, parent));
}

/* The whole tree, or an error (the caller removes what was made). */
static int rs_create_files(void)
{
	unsigned int i;
	int nid;

	rs_root = rs_dir(KBUILD_MODNAME, NULL);

	rs_file("version", RS_FILE_MODE, rs_root, NULL, &version_fops);
	rs_file("hooks", RS_FILE_MODE, rs_root, NULL, &hooks_fops);
	rs_file("reset", RS_WFILE_MODE, rs_root, NULL, &reset_fops);
	for (i = 0; i < ARRAY_SIZE(rs_features); i++)
		if (rs_features[i]->files)
			rs_features[i]->files(rs_root);

	for_each_online_node(nid) {
		struct dentry *dir;
		char name[24];

		snprintf(name, sizeof(name), "node%d", nid);
		dir = rs_dir(name, rs_root);
		for (i = 0; i < ARRAY_SIZE(rs_features); i++)
			if (rs_features[i]->node_files)
				rs_features[i]->node_files(dir, nid);
	}
	return rs_files_err;
}

/* Detach the hooks of the first @nr features, waiting for probes once. */
static void rs_hooks_detach_all(unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		rs_hooks_unregister(rs_features[i]->hooks,
				    rs_features[i]->nr_hooks);
	tracepoint_synchronize_unregister();
	for (i = 0; i < nr; i++)
		rs_hooks_release(rs_features[i]->hooks,
				 rs_features[i]->nr_hooks);
}

/* Mark the hook called @name (or @len bytes of it) disabled. */
static bool rs_disable_hook(const char *name, size_t len)
{
	bool found = false;
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(rs_features); i++) {
		for (j = 0; j < rs_features[i]->nr_hooks; j++) {
			struct rs_hook *h = &rs_features[i]->hooks[j];

			if ((strlen(h->name) == len &&
			     !strncmp(h->name, name, len)) ||
			    (h->alt_name && strlen(h->alt_name) == len &&
			     !strncmp(h->alt_name, name, len))) {
				h->disabled = true;
				found = true;
			}
		}
	}
	return found;
}

/*
 * Apply disable=: every comma-separated name must be a hook of this
 * module (its name in the hooks file, or a kretprobe's older symbol
 * name).  An unknown name refuses the load, so a typo never leaves a
 * hook attached that the user meant to keep off.
 */
static int rs_disable_hooks(void)
{
	const char *p = disable;

	while (p && *p) {
		size_t len = strcspn(p, ",");

		if (!len || !rs_disable_hook(p, len)) {
			pr_err("disable=: no hook named '%.*s'\n", (int)len, p);
			return -EINVAL;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

/*
 * Up: counters (init) -> hooks -> files, so that a file never shows a
 * hook or counter that does not exist yet.  Down in reverse, see
 * reclaimscope_exit().
 */
static int __init reclaimscope_init(void)
{
	unsigned int inited, attached;
	int ret;

	ret = rs_disable_hooks();
	if (ret)
		return ret;

	for (inited = 0; inited < ARRAY_SIZE(rs_features); inited++) {
		const struct rs_feature *f = rs_features[inited];

		ret = rs_feature_init(f);
		if (ret) {
			pr_err("feature %s: init failed (%d)\n", f->name, ret);
			goto out_exit;
		}
	}

	for (attached = 0; attached < ARRAY_SIZE(rs_features); attached++) {
		const struct rs_feature *f = rs_features[attached];

		ret = rs_hooks_attach(f->hooks, f->nr_hooks);
		if (ret) {
			pr_err("feature %s: cannot attach hooks (%d)\n",
			       f->name, ret);
			goto out_detach;
		}
	}

	ret = rs_create_files();
	if (ret) {
		pr_err("cannot create the debugfs files (%d)\n", ret);
		debugfs_remove_recursive(rs_root);
		goto out_detach;
	}
	return 0;

out_detach:
	rs_hooks_detach_all(attached);
out_exit:
	rs_features_exit(inited);
	return ret;
}

/*
 * Down: files -> hooks -> counters.  Each step prevents one crash:
 * - files first: a reader holds the module (the files' owner), so none
 *   is inside a file now, and none can open one from here on (an open
 *   while the module is going is refused by debugfs, with a warning on
 *   some kernels: removing the files first leaves only the moment
 *   between rmmod marking the module going and this function's start);
 * - hooks next, with one wait for running probes: after it no probe and
 *   no kretprobe handler runs, or will run, in this module's text;
 * - counters last: nothing can reach them any more, so freeing them
 *   cannot be a use after free.
 */
static void __exit reclaimscope_exit(void)
{
	debugfs_remove_recursive(rs_root);
	rs_hooks_detach_all(ARRAY_SIZE(rs_features));
	rs_features_exit(ARRAY_SIZE(rs_features));
}

module_init(reclaimscope_init);
module_exit(reclaimscope_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("reclaimscope developers");
MODULE_DESCRIPTION("Per-node view of kswapd, direct reclaim, compaction and shrinkers");
