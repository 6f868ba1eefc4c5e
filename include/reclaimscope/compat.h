/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat.h - every difference between the kernels reclaimscope builds for.
 *
 * Nothing outside this header tests a kernel version.  Where the kernel
 * gives us something to test (a macro, a type, a field), we test that
 * instead of LINUX_VERSION_CODE, so that a distribution kernel with a
 * backport, or a newer kernel than we have seen, still gets the right
 * branch.
 *
 * Known differences (see Documentation/reclaimscope.rst, "Kernel support"):
 *
 * - pgdat->kswapd_failures is an int up to 6.x and an atomic_t in 7.x.
 *   rs_kswapd_failures() reads either, chosen by the field's type.
 * - struct reclaim_stat gained nr_demoted in 6.x and lost nr_pageout in
 *   7.x.  Kbuild probes the kernel's header (scripts/probes.mk) and
 *   rs_reclaim_stat_fields() lists the fields this kernel has, and
 *   rs_reclaim_stat_add() adds them up, both by the fields' numbers.
 * - Shrinkers: register_shrinker(&static_shrinker) up to 5.x,
 *   register_shrinker(&static_shrinker, name) in 6.0-6.6 (probed);
 *   shrinker_alloc() + shrinker_register() + shrinker_free() from 6.7,
 *   which also introduced the SHRINKER_ALLOCATED flag we test for.
 *   rs_shrinker_create()/rs_shrinker_destroy() hide the difference.
 *   The shrinker's name is kept only with CONFIG_SHRINKER_DEBUG.
 * - PGDAT_DIRTY is gone in 7.x: rs_pgdat_flag_dirty() returns -1 there.
 * - WMARK_PROMO and pgdat->nr_writeback_throttled are not in 5.10:
 *   rs_zone_wmark_promo() and rs_pgdat_writeback_throttled() return -1
 *   where the kernel has none (probed).
 * - kretprobe_instance: get_kretprobe(ri), but ri->rp in 5.10 (probed):
 *   rs_get_kretprobe().
 * - Tracepoint prototypes: the probe for each event is checked against
 *   the kernel's own TP_PROTO at build time with RS_CHECK_TP_PROTO(),
 *   which compares the probe's type with the argument type of the
 *   kernel's register_trace_<event>() helper.  The helper itself is never
 *   called: the vmscan and compaction tracepoints are not exported.
 *   Where the prototype changed (the reclaim begin/end and shrink_slab
 *   events gained a memcg in 7.1; mm_compaction_begin/end take the
 *   scanners' pfns instead of compact_control in 5.10), the feature has
 *   a probe per prototype and RS_TP_PROBE() picks the one whose type
 *   matches, by the same comparison.
 * - Tracepoints not every kernel has (mm_vmscan_throttled is not in 5.10;
 *   balance_pgdat_begin/end, kswapd_reclaim_fail and
 *   kswapd_clear_hopeless in 7.x) are probed in the headers
 *   (RS_HAVE_TP_*): their probes are built only where they exist, and
 *   elsewhere their hooks are listed with no probe and show as missing.
 */
#ifndef _RECLAIMSCOPE_COMPAT_H
#define _RECLAIMSCOPE_COMPAT_H

#include <linux/atomic.h>
#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/err.h>
#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/shrinker.h>
#include <linux/stddef.h>

/*
 * Read a kswapd_failures-like field that is either a plain int or an
 * atomic_t, given a pointer to it.  Only the branch matching the field's
 * type is evaluated.
 */
#define rs_read_int_or_atomic(ptr)					\
({									\
	typeof(ptr) __rs_p = (ptr);					\
	__builtin_choose_expr(__same_type(*__rs_p, atomic_t),		\
			      atomic_read((atomic_t *)__rs_p),		\
			      READ_ONCE(*(int *)__rs_p));		\
})

#define rs_kswapd_failures(pgdat) rs_read_int_or_atomic(&(pgdat)->kswapd_failures)

/*
 * The kernel's limit for reclaim passes that free nothing before kswapd
 * gives up on a node (mm/internal.h, not exported to modules).  The value
 * has been 16 since 4.8; compat keeps the one copy.
 */
#ifndef MAX_RECLAIM_RETRIES
#define MAX_RECLAIM_RETRIES 16
#endif

/*
 * A node is "hopeless" once kswapd has failed MAX_RECLAIM_RETRIES times in
 * a row: wakeup_kswapd() stops waking it and /proc/zoneinfo says
 * node_unreclaimable (pgdat_reclaimable() before 7.x, kswapd_test_hopeless()
 * after).
 */
static inline bool rs_hopeless(int failures)
{
	return failures >= MAX_RECLAIM_RETRIES;
}

/*
 * The fields of struct reclaim_stat this kernel has, all unsigned int,
 * numbered in the order every file shows them.
 */
enum {
	RS_STAT_NR_DIRTY,
	RS_STAT_NR_UNQUEUED_DIRTY,
	RS_STAT_NR_CONGESTED,
	RS_STAT_NR_WRITEBACK,
	RS_STAT_NR_IMMEDIATE,
#ifdef RS_HAVE_STAT_NR_PAGEOUT
	RS_STAT_NR_PAGEOUT,
#endif
	RS_STAT_NR_ACTIVATE_ANON,
	RS_STAT_NR_ACTIVATE_FILE,
	RS_STAT_NR_REF_KEEP,
	RS_STAT_NR_UNMAP_FAIL,
	RS_STAT_NR_LAZYFREE_FAIL,
#ifdef RS_HAVE_STAT_NR_DEMOTED
	RS_STAT_NR_DEMOTED,
#endif
	RS_STAT_NR_FIELDS,
};

/* Each field's debugfs key and where the field is. */
struct rs_stat_field {
	const char *key;
	size_t offset;
};

#define RS_STAT_FIELD(_key, _member)					\
	{ .key = _key, .offset = offsetof(struct reclaim_stat, _member) }

static inline const struct rs_stat_field *
rs_reclaim_stat_fields(unsigned int *nr)
{
	static const struct rs_stat_field fields[] = {
		[RS_STAT_NR_DIRTY] = RS_STAT_FIELD("nr_dirty", nr_dirty),
		[RS_STAT_NR_UNQUEUED_DIRTY] =
			RS_STAT_FIELD("nr_unqueued_dirty", nr_unqueued_dirty),
		[RS_STAT_NR_CONGESTED] =
			RS_STAT_FIELD("nr_congested", nr_congested),
		[RS_STAT_NR_WRITEBACK] =
			RS_STAT_FIELD("nr_writeback", nr_writeback),
		[RS_STAT_NR_IMMEDIATE] =
			RS_STAT_FIELD("nr_immediate", nr_immediate),
#ifdef RS_HAVE_STAT_NR_PAGEOUT
		[RS_STAT_NR_PAGEOUT] = RS_STAT_FIELD("nr_pageout", nr_pageout),
#endif
		[RS_STAT_NR_ACTIVATE_ANON] =
			RS_STAT_FIELD("nr_activate_anon", nr_activate[0]),
		[RS_STAT_NR_ACTIVATE_FILE] =
			RS_STAT_FIELD("nr_activate_file", nr_activate[1]),
		[RS_STAT_NR_REF_KEEP] =
			RS_STAT_FIELD("nr_ref_keep", nr_ref_keep),
		[RS_STAT_NR_UNMAP_FAIL] =
			RS_STAT_FIELD("nr_unmap_fail", nr_unmap_fail),
		[RS_STAT_NR_LAZYFREE_FAIL] =
			RS_STAT_FIELD("nr_lazyfree_fail", nr_lazyfree_fail),
#ifdef RS_HAVE_STAT_NR_DEMOTED
		[RS_STAT_NR_DEMOTED] = RS_STAT_FIELD("nr_demoted", nr_demoted),
#endif
	};

	static_assert(ARRAY_SIZE(fields) == RS_STAT_NR_FIELDS);
	*nr = ARRAY_SIZE(fields);
	return fields;
}

/*
 * Hot path: add every field of @s to its key (the field's number) of a
 * per-CPU counter row of RS_STAT_NR_FIELDS keys or more: a constant key
 * and member each, no table read, no loop.  The member of each line is
 * the one the table above gives the same number.
 */
static __always_inline void rs_reclaim_stat_add(u64 __percpu *row,
						const struct reclaim_stat *s)
{
	this_cpu_add(row[RS_STAT_NR_DIRTY], s->nr_dirty);
	this_cpu_add(row[RS_STAT_NR_UNQUEUED_DIRTY], s->nr_unqueued_dirty);
	this_cpu_add(row[RS_STAT_NR_CONGESTED], s->nr_congested);
	this_cpu_add(row[RS_STAT_NR_WRITEBACK], s->nr_writeback);
	this_cpu_add(row[RS_STAT_NR_IMMEDIATE], s->nr_immediate);
#ifdef RS_HAVE_STAT_NR_PAGEOUT
	this_cpu_add(row[RS_STAT_NR_PAGEOUT], s->nr_pageout);
#endif
	this_cpu_add(row[RS_STAT_NR_ACTIVATE_ANON], s->nr_activate[0]);
	this_cpu_add(row[RS_STAT_NR_ACTIVATE_FILE], s->nr_activate[1]);
	this_cpu_add(row[RS_STAT_NR_REF_KEEP], s->nr_ref_keep);
	this_cpu_add(row[RS_STAT_NR_UNMAP_FAIL], s->nr_unmap_fail);
	this_cpu_add(row[RS_STAT_NR_LAZYFREE_FAIL], s->nr_lazyfree_fail);
#ifdef RS_HAVE_STAT_NR_DEMOTED
	this_cpu_add(row[RS_STAT_NR_DEMOTED], s->nr_demoted);
#endif
}

/* The PGDAT_DIRTY node flag, or -1 on kernels that no longer have it. */
static inline int rs_pgdat_flag_dirty(pg_data_t *pgdat)
{
#ifdef RS_HAVE_PGDAT_DIRTY
	return test_bit(PGDAT_DIRTY, &pgdat->flags);
#else
	return -1;
#endif
}

/* The zone's raw promotion watermark, or -1 on kernels that have none. */
static inline long rs_zone_wmark_promo(const struct zone *z)
{
#ifdef RS_HAVE_WMARK_PROMO
	return READ_ONCE(z->_watermark[WMARK_PROMO]);
#else
	return -1;
#endif
}

/*
 * Tasks throttled waiting for the node's writeback, or -1 on kernels that
 * do not count them.
 */
static inline int rs_pgdat_writeback_throttled(pg_data_t *pgdat)
{
#ifdef RS_HAVE_NR_WRITEBACK_THROTTLED
	return atomic_read(&pgdat->nr_writeback_throttled);
#else
	return -1;
#endif
}

/* The kretprobe an instance belongs to. */
static __always_inline struct kretprobe *
rs_get_kretprobe(struct kretprobe_instance *ri)
{
#ifdef RS_HAVE_GET_KRETPROBE
	return get_kretprobe(ri);
#else
	return ri->rp;
#endif
}

/*
 * A registered shrinker named @name, or an ERR_PTR().  @tmpl gives the
 * callbacks, seeks, batch and flags.
 */
static inline struct shrinker *rs_shrinker_create(const struct shrinker *tmpl,
						  const char *name)
{
#ifdef SHRINKER_ALLOCATED
	struct shrinker *s = shrinker_alloc(tmpl->flags, "%s", name);

	if (!s)
		return ERR_PTR(-ENOMEM);
	s->count_objects = tmpl->count_objects;
	s->scan_objects = tmpl->scan_objects;
	s->seeks = tmpl->seeks;
	s->batch = tmpl->batch;
	shrinker_register(s);
	return s;
#else
	static struct shrinker s;
	int ret;

	s = *tmpl;
#ifdef RS_HAVE_REGISTER_SHRINKER_NAME
	ret = register_shrinker(&s, "%s", name);
#else
	ret = register_shrinker(&s);
#endif
	return ret ? ERR_PTR(ret) : &s;
#endif
}

/* Unregister; when this returns no callback of the shrinker runs. */
static inline void rs_shrinker_destroy(struct shrinker *s)
{
#ifdef SHRINKER_ALLOCATED
	shrinker_free(s);
#else
	unregister_shrinker(s);
#endif
}

/* The shrinker's own name, or NULL where the kernel keeps none. */
static inline const char *rs_shrinker_name(const struct shrinker *s)
{
#ifdef CONFIG_SHRINKER_DEBUG
	return s->name;
#else
	return NULL;
#endif
}

/*
 * True when @probe has the type the kernel expects for the tracepoint
 * @event: void (*)(void *data, <TP_PROTO>).  @event's header must be
 * included.  Only types are compared, so no reference to the unexported
 * __tracepoint_<event> symbol is emitted.
 */
#define rs_tp_proto_is(event, probe)					\
	__same_type(&register_trace_##event,				\
		    (int (*)(typeof(probe) *, void *))NULL)

/* Build-time check that @probe matches @event's TP_PROTO. */
#define RS_CHECK_TP_PROTO(event, probe)					\
	static_assert(rs_tp_proto_is(event, probe),			\
		      "probe " #probe " does not match TP_PROTO of " #event)

/*
 * For an event whose TP_PROTO differs between kernels: of the probes
 * @a (the older prototype) and @b, the one that matches this kernel's,
 * as a constant expression (for a static struct rs_hook).  Check with
 * RS_CHECK_TP_PROTO_EITHER() that one does.  (rs_tp_proto_is() spelled
 * out: each argument then appears once outside typeof().)
 */
#define RS_TP_PROBE(event, a, b)					\
	__builtin_choose_expr(__same_type(&register_trace_##event,	\
					  (int (*)(typeof(a) *, void *))NULL), \
			      a, b)

#define RS_CHECK_TP_PROTO_EITHER(event, a, b)				\
	static_assert(__same_type(&register_trace_##event,		\
				  (int (*)(typeof(a) *, void *))NULL) || \
		      __same_type(&register_trace_##event,		\
				  (int (*)(typeof(b) *, void *))NULL),	\
		      "neither " #a " nor " #b " matches TP_PROTO of " #event)

#endif /* _RECLAIMSCOPE_COMPAT_H */
