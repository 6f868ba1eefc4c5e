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
	/* Create files in node<nid>/ for one online node. */
	void (*node_files)(struct dentry *dir, int nid);
};

extern const struct rs_feature rs_kswapd_feature;

/* Files are root-only: they show kernel internals. */
#define RS_FILE_MODE	0400

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
