// SPDX-License-Identifier: GPL-2.0
/*
 * shrinkers.c - every shrinker the kernel calls, from mm_shrink_slab_start
 * and mm_shrink_slab_end (do_shrink_slab(), mm/shrinker.c; mm/vmscan.c
 * before 6.7).  A row per shrinker in a table allocated at load; probes
 * claim rows lock-free and pair start with end per task.  From 7.1 both
 * events carry the memcg being shrunk as a last argument: each has a
 * probe per prototype (compat.h, RS_TP_PROBE()); the memcg is not looked
 * at (yet).
 */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

/* Opaque: only passed through by the 7.1+ events. */
struct mem_cgroup;
#include <trace/events/vmscan.h>

#include <reclaimscope/compat.h>
#include <reclaimscope/core.h>
#include <reclaimscope/counters.h>
#include <reclaimscope/pairs.h>
#include <reclaimscope/shrinkers.h>
#include <reclaimscope/stalls.h>

enum {
	SH_CALLS,
	SH_DELTA_TOTAL,
	SH_TOTAL_SCAN_TOTAL,
	SH_FREED_TOTAL,
	SH_TOTAL_NS,
	SH_MAX_NS,
	SH_CTX,			/* calls, then ns, per context (stalls.h) */
	NR_SH_KEYS = SH_CTX + 2 * RS_CTX_NR,
};

#define SH_PAIR_BITS 10

static struct rs_shrinker_table *sh_table;
static struct rs_counters sh_ctrs;	/* slot = row */
static struct rs_pairs sh_pairs;

static void sh_start(struct shrinker *shr, unsigned long cache_items,
		     unsigned long long delta, unsigned long total_scan)
{
	struct rs_shrinker_row *row;
	unsigned int r;
	bool fresh;

	r = rs_shrinker_row(sh_table, shr, &fresh);
	row = &sh_table->rows[r];
	if (fresh) {
		const char *name = rs_shrinker_name(shr);
		char buf[RS_SHRINKER_NAME_LEN];

		if (!name) {
			snprintf(buf, sizeof(buf), "%ps", shr->scan_objects);
			name = buf;
		}
		rs_shrinker_set_name(row, name);
	}
	rs_counter_inc(&sh_ctrs, r, SH_CALLS);
	rs_counter_inc(&sh_ctrs, r, SH_CTX + 2 * rs_reclaim_context());
	rs_counter_add(&sh_ctrs, r, SH_DELTA_TOTAL, delta);
	rs_counter_add(&sh_ctrs, r, SH_TOTAL_SCAN_TOTAL, total_scan);
	WRITE_ONCE(row->cache_items, cache_items);
	rs_pairs_begin(&sh_pairs, current, rs_now(), r);
}

static void rs_probe_shrink_slab_start(void *data, struct shrinker *shr,
				       struct shrink_control *sc,
				       long nr_objects_to_shrink,
				       unsigned long cache_items,
				       unsigned long long delta,
				       unsigned long total_scan, int priority)
{
	rs_hook_hit(data);
	sh_start(shr, cache_items, delta, total_scan);
}

static void rs_probe_shrink_slab_start_memcg(void *data, struct shrinker *shr,
					     struct shrink_control *sc,
					     long nr_objects_to_shrink,
					     unsigned long cache_items,
					     unsigned long long delta,
					     unsigned long total_scan,
					     int priority,
					     struct mem_cgroup *memcg)
{
	rs_hook_hit(data);
	sh_start(shr, cache_items, delta, total_scan);
}

RS_CHECK_TP_PROTO_EITHER(mm_shrink_slab_start, rs_probe_shrink_slab_start,
			 rs_probe_shrink_slab_start_memcg);

static void sh_end(int shrinker_retval, long new_scan_cnt)
{
	u64 start, ns;
	int r;

	if (!rs_pairs_end(&sh_pairs, current, &start, &r) ||
	    r < 0 || r > RS_SHRINKER_OTHER)
		return;
	ns = rs_since(start);
	if (shrinker_retval > 0)
		rs_counter_add(&sh_ctrs, r, SH_FREED_TOTAL, shrinker_retval);
	rs_counter_add(&sh_ctrs, r, SH_TOTAL_NS, ns);
	/* The same task, in the same reclaim pass as at the start. */
	rs_counter_add(&sh_ctrs, r, SH_CTX + 2 * rs_reclaim_context() + 1, ns);
	rs_counter_max_update(&sh_ctrs, r, SH_MAX_NS, ns);
	WRITE_ONCE(sh_table->rows[r].deferred, new_scan_cnt);
}

static void rs_probe_shrink_slab_end(void *data, struct shrinker *shr, int nid,
				     int shrinker_retval, long unused_scan_cnt,
				     long new_scan_cnt, long total_scan)
{
	rs_hook_hit(data);
	sh_end(shrinker_retval, new_scan_cnt);
}

static void rs_probe_shrink_slab_end_memcg(void *data, struct shrinker *shr,
					   int nid, int shrinker_retval,
					   long unused_scan_cnt,
					   long new_scan_cnt, long total_scan,
					   struct mem_cgroup *memcg)
{
	rs_hook_hit(data);
	sh_end(shrinker_retval, new_scan_cnt);
}

RS_CHECK_TP_PROTO_EITHER(mm_shrink_slab_end, rs_probe_shrink_slab_end,
			 rs_probe_shrink_slab_end_memcg);

static struct rs_hook sh_hooks[] = {
	RS_TRACEPOINT("mm_shrink_slab_start",
		      RS_TP_PROBE(mm_shrink_slab_start, rs_probe_shrink_slab_start,
				  rs_probe_shrink_slab_start_memcg)),
	RS_TRACEPOINT("mm_shrink_slab_end",
		      RS_TP_PROBE(mm_shrink_slab_end, rs_probe_shrink_slab_end,
				  rs_probe_shrink_slab_end_memcg)),
};

static int shrinkers_show(struct seq_file *m, void *v)
{
	struct rs_shrinker_snap *snap;
	unsigned int i, c, nr = 0;

	snap = kvcalloc(RS_SHRINKER_ROWS + 1, sizeof(*snap), GFP_KERNEL);
	if (!snap)
		return -ENOMEM;
	for (i = 0; i <= RS_SHRINKER_OTHER; i++) {
		struct rs_shrinker_row *row = &sh_table->rows[i];
		struct rs_shrinker_snap *s = &snap[nr];

		if (i == RS_SHRINKER_OTHER)
			s->name = "other";
		/* Pairs with rs_shrinker_set_name(): flag, then name. */
		else if (smp_load_acquire(&row->named))
			s->name = row->name;
		else
			continue;	/* unused, or being named right now */
		s->calls = rs_counter_sum(&sh_ctrs, i, SH_CALLS);
		if (i == RS_SHRINKER_OTHER && !s->calls)
			continue;
		s->cache_items = READ_ONCE(row->cache_items);
		s->delta_total = rs_counter_sum(&sh_ctrs, i, SH_DELTA_TOTAL);
		s->total_scan_total = rs_counter_sum(&sh_ctrs, i, SH_TOTAL_SCAN_TOTAL);
		s->freed_total = rs_counter_sum(&sh_ctrs, i, SH_FREED_TOTAL);
		s->deferred = READ_ONCE(row->deferred);
		s->total_ns = rs_counter_sum(&sh_ctrs, i, SH_TOTAL_NS);
		s->max_ns = rs_counter_max(&sh_ctrs, i, SH_MAX_NS);
		for (c = 0; c < RS_CTX_NR; c++) {
			s->ctx_calls[c] = rs_counter_sum(&sh_ctrs, i, SH_CTX + 2 * c);
			s->ctx_ns[c] = rs_counter_sum(&sh_ctrs, i, SH_CTX + 2 * c + 1);
		}
		nr++;
	}
	rs_shrinker_sort(snap, nr);

	seq_puts(m, "name calls cache_items delta_total total_scan_total freed_total deferred total_ns max_ns");
	for (c = 0; c < RS_CTX_NR; c++)
		seq_printf(m, " %s_calls %s_ns", rs_ctx_names[c], rs_ctx_names[c]);
	seq_putc(m, '\n');
	for (i = 0; i < nr; i++) {
		seq_printf(m, "%s %llu %llu %llu %llu %llu %lld %llu %llu",
			   snap[i].name, snap[i].calls, snap[i].cache_items,
			   snap[i].delta_total, snap[i].total_scan_total,
			   snap[i].freed_total, snap[i].deferred,
			   snap[i].total_ns, snap[i].max_ns);
		for (c = 0; c < RS_CTX_NR; c++)
			seq_printf(m, " %llu %llu", snap[i].ctx_calls[c],
				   snap[i].ctx_ns[c]);
		seq_putc(m, '\n');
	}
	kvfree(snap);
	return 0;
}
RS_DEFINE_SHOW_ATTRIBUTE(shrinkers);

static void shrinkers_files(struct dentry *root)
{
	rs_file("shrinkers", RS_FILE_MODE, root, NULL, &shrinkers_fops);
}

static void shrinkers_exit(void)
{
	kvfree(sh_table);
	sh_table = NULL;
}

static int shrinkers_init(void)
{
	sh_table = kvzalloc(sizeof(*sh_table), GFP_KERNEL);
	return sh_table ? 0 : -ENOMEM;
}

/* On reset, rows and their names stay: the shrinkers still exist. */
static const struct rs_counter_decl sh_counters[] = {
	/* slot = row, and the "other" row */
	{ .c = &sh_ctrs, .rows = RS_SHRINKER_ROWS + 1, .nr_keys = NR_SH_KEYS },
};

static const struct rs_pairs_decl sh_pairs_decl[] = {
	{ &sh_pairs, SH_PAIR_BITS },
};

const struct rs_feature rs_shrinkers_feature = {
	.name = "shrinkers",
	.hooks = sh_hooks,
	.nr_hooks = ARRAY_SIZE(sh_hooks),
	.counters = sh_counters,
	.nr_counters = ARRAY_SIZE(sh_counters),
	.pairs = sh_pairs_decl,
	.nr_pairs = ARRAY_SIZE(sh_pairs_decl),
	.init = shrinkers_init,
	.exit = shrinkers_exit,
	.files = shrinkers_files,
};
