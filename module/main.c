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
#include <linux/tracepoint.h>
#include <linux/utsname.h>

#include <reclaimscope/core.h>
#include <reclaimscope/counters.h>
#include <reclaimscope/hooks.h>

static const struct rs_feature * const rs_features[] = {
	&rs_kswapd_feature,
	&rs_shrink_list_feature,
	&rs_direct_reclaim_feature,
	&rs_compaction_feature,
	&rs_nodestate_feature,
	&rs_shrinkers_feature,
	&rs_demo_feature,
};

static struct dentry *rs_root;

DECLARE_RWSEM(rs_reset_sem);

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
	unsigned int i;
	int ret;

	ret = rs_write_is_one(ubuf, len);
	if (ret)
		return ret;

	down_write(&rs_reset_sem);
	for (i = 0; i < ARRAY_SIZE(rs_features); i++)
		if (rs_features[i]->reset)
			rs_features[i]->reset();
	up_write(&rs_reset_sem);
	return len;
}

static const struct file_operations reset_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = reset_write,
	.llseek = noop_llseek,
};

static void rs_create_files(void)
{
	unsigned int i;
	int nid;

	debugfs_create_file("version", RS_FILE_MODE, rs_root, NULL,
			    &version_fops);
	debugfs_create_file("hooks", RS_FILE_MODE, rs_root, NULL, &hooks_fops);
	debugfs_create_file("reset", RS_WFILE_MODE, rs_root, NULL, &reset_fops);
	for (i = 0; i < ARRAY_SIZE(rs_features); i++)
		if (rs_features[i]->files)
			rs_features[i]->files(rs_root);

	for_each_online_node(nid) {
		struct dentry *dir;
		char name[24];

		snprintf(name, sizeof(name), "node%d", nid);
		dir = debugfs_create_dir(name, rs_root);
		for (i = 0; i < ARRAY_SIZE(rs_features); i++)
			if (rs_features[i]->node_files)
				rs_features[i]->node_files(dir, nid);
	}
}

static void rs_features_exit(unsigned int nr)
{
	while (nr--)
		if (rs_features[nr]->exit)
			rs_features[nr]->exit();
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

static int __init reclaimscope_init(void)
{
	unsigned int i, inited, attached;
	int ret;

	for (inited = 0; inited < ARRAY_SIZE(rs_features); inited++) {
		const struct rs_feature *f = rs_features[inited];

		ret = f->init ? f->init() : 0;
		if (ret) {
			pr_err("feature %s: init failed (%d)\n", f->name, ret);
			goto out_exit;
		}
	}

	rs_root = debugfs_create_dir(KBUILD_MODNAME, NULL);
	if (IS_ERR(rs_root)) {
		ret = PTR_ERR(rs_root);
		pr_err("cannot create debugfs directory (%d)\n", ret);
		goto out_exit;
	}
	rs_create_files();

	for (attached = 0; attached < ARRAY_SIZE(rs_features); attached++) {
		const struct rs_feature *f = rs_features[attached];

		ret = rs_hooks_attach(f->hooks, f->nr_hooks);
		if (ret) {
			pr_err("feature %s: cannot attach hooks (%d)\n",
			       f->name, ret);
			goto out_detach;
		}
	}

	for (i = 0; i < ARRAY_SIZE(rs_features); i++)
		pr_debug("feature %s ready\n", rs_features[i]->name);
	return 0;

out_detach:
	rs_hooks_detach_all(attached);
	debugfs_remove_recursive(rs_root);
out_exit:
	rs_features_exit(inited);
	return ret;
}

static void __exit reclaimscope_exit(void)
{
	/* No probe runs after this ... */
	rs_hooks_detach_all(ARRAY_SIZE(rs_features));
	/* ... no reader after this ... */
	debugfs_remove_recursive(rs_root);
	/* ... so the counters can go. */
	rs_features_exit(ARRAY_SIZE(rs_features));
}

module_init(reclaimscope_init);
module_exit(reclaimscope_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("reclaimscope developers");
MODULE_DESCRIPTION("Per-node view of kswapd, direct reclaim, compaction and shrinkers");
