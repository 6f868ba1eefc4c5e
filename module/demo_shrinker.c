// SPDX-License-Identifier: GPL-2.0
/*
 * demo_shrinker.c - a NUMA-aware shrinker over a pool of pages, to watch
 * the kernel drive a shrinker under pressure.
 *
 * do_shrink_slab() (mm/shrinker.c, mm/vmscan.c before 6.7) asks
 * count_objects() how many objects could be freed on the node being
 * reclaimed, works out how many to ask for,
 *	delta = (freeable >> priority) * 4 / seeks
 * plus the work deferred from earlier calls (nr_deferred), and calls
 * scan_objects() in batches of `batch` objects until that much is
 * scanned or the shrinker returns SHRINK_STOP.  The stats file shows
 * each side of that contract.
 */
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/moduleparam.h>
#include <linux/nodemask.h>
#include <linux/seq_file.h>
#include <linux/shrinker.h>
#include <linux/uaccess.h>

#include <reclaimscope/compat.h>
#include <reclaimscope/core.h>
#include <reclaimscope/counters.h>
#include <reclaimscope/demo.h>

static unsigned int demo_cap_mb = 64;
module_param(demo_cap_mb, uint, 0444);
MODULE_PARM_DESC(demo_cap_mb, "Most memory the demo shrinker's pool may hold, in MiB (default 64)");

#define DEMO_NAME	"reclaimscope-demo"
#define DEMO_SEEKS	DEFAULT_SEEKS
#define DEMO_BATCH	128

enum {
	DS_COUNT_CALLS,
	DS_SCAN_CALLS,
	DS_NR_TO_SCAN_TOTAL,
	DS_FREED_TOTAL,
	DS_EMPTY_RETURNS,
	DS_STOP_RETURNS,
	NR_DS_KEYS,
};

static const char * const ds_keys[NR_DS_KEYS] = {
	[DS_COUNT_CALLS] = "count_calls",
	[DS_SCAN_CALLS] = "scan_calls",
	[DS_NR_TO_SCAN_TOTAL] = "nr_to_scan_total",
	[DS_FREED_TOTAL] = "freed_total",
	[DS_EMPTY_RETURNS] = "empty_returns",
	[DS_STOP_RETURNS] = "stop_returns",
};

static struct rs_demo_pool demo_pool;
static struct rs_counters ds_ctrs;
static unsigned long demo_last_nr_to_scan;
static struct shrinker *demo_shrinker;

static unsigned long demo_count(struct shrinker *s, struct shrink_control *sc)
{
	unsigned long n = rs_demo_count(&demo_pool, sc->nid);

	rs_counter_inc(&ds_ctrs, 0, DS_COUNT_CALLS);
	if (!n) {
		rs_counter_inc(&ds_ctrs, 0, DS_EMPTY_RETURNS);
		return SHRINK_EMPTY;
	}
	return n;
}

static unsigned long demo_scan(struct shrinker *s, struct shrink_control *sc)
{
	unsigned long freed;

	rs_counter_inc(&ds_ctrs, 0, DS_SCAN_CALLS);
	rs_counter_add(&ds_ctrs, 0, DS_NR_TO_SCAN_TOTAL, sc->nr_to_scan);
	WRITE_ONCE(demo_last_nr_to_scan, sc->nr_to_scan);
	freed = rs_demo_scan(&demo_pool, sc->nid, sc->nr_to_scan,
			     &sc->nr_scanned);
	if (freed == SHRINK_STOP)
		rs_counter_inc(&ds_ctrs, 0, DS_STOP_RETURNS);
	else
		rs_counter_add(&ds_ctrs, 0, DS_FREED_TOTAL, freed);
	return freed;
}

static unsigned long demo_cap_objects(void)
{
	return (unsigned long)demo_cap_mb << (20 - PAGE_SHIFT);
}

/* Longest accepted write to grow: "<count> <node>" and a newline. */
#define DEMO_GROW_MAX	32

static ssize_t grow_write(struct file *file, const char __user *ubuf,
			  size_t len, loff_t *ppos)
{
	unsigned long count, done = 0, each;
	char buf[DEMO_GROW_MAX];
	int nid, n, nodes;
	long ret;

	ret = rs_write_copy(buf, sizeof(buf), ubuf, len);
	if (ret < 0)
		return ret;
	if (rs_demo_parse_grow(buf, &count, &nid))
		return -EINVAL;
	if (nid >= 0 && (nid >= nr_node_ids || !node_online(nid)))
		return -EINVAL;
	if (count > demo_cap_objects() ||
	    atomic_long_read(&demo_pool.total) + count > demo_cap_objects())
		return -ERANGE;

	/*
	 * All added: the whole write.  Memory ran out midway: a short
	 * write, the number of objects added.  None added: the error.
	 */
	if (nid >= 0) {
		ret = rs_demo_grow(&demo_pool, count, nid);
		if (ret < 0)
			return ret;
		return ret == count ? len : ret;
	}

	/* No node given: share out over the online nodes. */
	nodes = num_online_nodes();
	n = 0;
	for_each_online_node(nid) {
		each = count / nodes + (n++ < count % nodes);
		if (!each)
			continue;
		ret = rs_demo_grow(&demo_pool, each, nid);
		if (ret < 0) {
			if (!done)
				return ret;
			break;
		}
		done += ret;
		if (ret < each)
			break;
	}
	return done == count ? len : done;
}

static const struct file_operations grow_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = grow_write,
	.llseek = noop_llseek,
};

static ssize_t drain_write(struct file *file, const char __user *ubuf,
			   size_t len, loff_t *ppos)
{
	int ret = rs_write_is_one(ubuf, len);

	if (ret)
		return ret;
	rs_demo_drain(&demo_pool);
	return len;
}

static const struct file_operations drain_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = drain_write,
	.llseek = noop_llseek,
};

static int stats_show(struct seq_file *m, void *v)
{
	unsigned long objects = 0, n;
	char key[32];
	int nid;

	for_each_online_node(nid)
		objects += rs_demo_count(&demo_pool, nid);
	rs_kv_u64(m, "objects", objects);
	for_each_online_node(nid) {
		n = rs_demo_count(&demo_pool, nid);
		snprintf(key, sizeof(key), "objects_node%d", nid);
		rs_kv_u64(m, key, n);
	}
	rs_kv_u64(m, "bytes", (u64)objects << PAGE_SHIFT);
	rs_kv_u64(m, "cap_objects", demo_cap_objects());
	rs_counters_show(m, &ds_ctrs, 0);
	rs_kv_u64(m, "last_nr_to_scan", READ_ONCE(demo_last_nr_to_scan));
	rs_kv_s64(m, "seeks", DEMO_SEEKS);
	rs_kv_s64(m, "batch", DEMO_BATCH);
	return 0;
}
RS_DEFINE_SHOW_ATTRIBUTE(stats);

static void demo_files(struct dentry *root)
{
	struct dentry *dir = rs_dir("demo_shrinker", root);

	rs_file("grow", RS_WFILE_MODE, dir, NULL, &grow_fops);
	rs_file("drain", RS_WFILE_MODE, dir, NULL, &drain_fops);
	rs_file("stats", RS_FILE_MODE, dir, NULL, &stats_fops);
}

static void demo_exit(void)
{
	/* No callback runs once this returns ... */
	if (!IS_ERR_OR_NULL(demo_shrinker))
		rs_shrinker_destroy(demo_shrinker);
	demo_shrinker = NULL;
	/* ... so the pool can go. */
	rs_demo_pool_destroy(&demo_pool);
}

static const struct rs_counter_decl ds_counters[] = {
	{ .c = &ds_ctrs, .rows = 1, .nr_keys = NR_DS_KEYS, .names = ds_keys },
};

static int demo_init(void)
{
	static const struct shrinker tmpl = {
		.count_objects = demo_count,
		.scan_objects = demo_scan,
		.seeks = DEMO_SEEKS,
		.batch = DEMO_BATCH,
		.flags = SHRINKER_NUMA_AWARE,
	};
	int ret;

	ret = rs_demo_pool_init(&demo_pool, nr_node_ids, demo_cap_objects());
	if (!ret) {
		demo_shrinker = rs_shrinker_create(&tmpl, DEMO_NAME);
		if (IS_ERR(demo_shrinker))
			ret = PTR_ERR(demo_shrinker);
	}
	if (ret)
		demo_exit();
	return ret;
}

const struct rs_feature rs_demo_feature = {
	.name = "demo_shrinker",
	.counters = ds_counters,
	.nr_counters = ARRAY_SIZE(ds_counters),
	.init = demo_init,
	.exit = demo_exit,
	.files = demo_files,
};
