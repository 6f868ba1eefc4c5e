/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hooks.h - the hook registry.
 *
 * A feature describes each hook it wants (a tracepoint by name, or a
 * kretprobe by symbol) in a static struct rs_hook.  The registry attaches
 * them by name at load, records what happened, counts hits and detaches
 * them at unload.  A hook that cannot attach never fails the module: it
 * is left "missing" (the kernel has no such tracepoint or symbol) or
 * "failed" (the kernel refused, with an errno), and the hooks file says so.
 *
 * Tracepoint probes receive their struct rs_hook as the data argument, so
 * a probe counts its hit with rs_hook_hit(data).  kretprobe handlers find
 * theirs with rs_hook_from_instance().
 *
 * Hooks attach last to first (a feature lists begin before end) and
 * detach first to last; rs_hooks_unregister() says why a kretprobe
 * needs no draining at unload.
 *
 * A hook can stand in for others: with fallback_for = n, it attaches only
 * when the n hooks right after it in the array do not all attach (a
 * kernel without those tracepoints, or one of them disabled).  When they
 * do, it is left "standby"; when they do not, those of them that could
 * attach are left "standby" instead, so that the same thing is never
 * counted twice.
 *
 * A tracepoint hook with no probe is one the kernel's headers do not
 * declare (the probe was not built): it is "missing" like a tracepoint
 * the running kernel does not have.
 */
#ifndef _RECLAIMSCOPE_HOOKS_H
#define _RECLAIMSCOPE_HOOKS_H

#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <linux/types.h>

#include <reclaimscope/compat.h>

struct seq_file;
struct tracepoint;

enum rs_hook_kind {
	RS_HOOK_TRACEPOINT,
	RS_HOOK_KRETPROBE,
};

enum rs_hook_state {
	RS_HOOK_DETACHED,	/* not attached yet, or detached at unload */
	RS_HOOK_ATTACHED,
	RS_HOOK_MISSING,	/* no such tracepoint or symbol in this kernel */
	RS_HOOK_FAILED,		/* the kernel refused: see err */
	RS_HOOK_DISABLED,	/* named in the disable= parameter */
	RS_HOOK_STANDBY,	/* not needed: see fallback_for */
};

struct rs_hook {
	/* Filled in by the feature. */
	const char *name;		/* tracepoint, or kretprobe symbol */
	const char *alt_name;		/* kretprobe: older symbol name */
	enum rs_hook_kind kind;
	void *probe;			/* tracepoint probe function */
	kretprobe_handler_t entry_handler;
	kretprobe_handler_t handler;
	size_t data_size;		/* kretprobe per-instance data */
	int maxactive;			/* kretprobe concurrent instances */
	unsigned int fallback_for;	/* stands in for the next n hooks */
	bool disabled;			/* set before attach: do not attach */

	/* Owned by the registry. */
	enum rs_hook_state state;
	int err;
	const char *target;		/* name actually attached */
	struct tracepoint *tp;
	struct kretprobe krp;
	unsigned long __percpu *hits;
};

#define RS_TRACEPOINT(_name, _probe)					\
	{ .name = _name, .kind = RS_HOOK_TRACEPOINT, .probe = (void *)(_probe) }

int rs_hooks_attach(struct rs_hook *hooks, unsigned int nr);
void rs_hooks_detach(struct rs_hook *hooks, unsigned int nr);
void rs_hooks_unregister(struct rs_hook *hooks, unsigned int nr);
void rs_hooks_release(struct rs_hook *hooks, unsigned int nr);
void rs_hooks_show_header(struct seq_file *m);
void rs_hooks_show(struct seq_file *m, const struct rs_hook *hooks,
		   unsigned int nr);
const char *rs_hook_kind_name(enum rs_hook_kind kind);
unsigned long rs_hook_hits(const struct rs_hook *hook);
unsigned long rs_hook_missed(const struct rs_hook *hook);

static __always_inline void rs_hook_hit(struct rs_hook *hook)
{
	this_cpu_inc(*hook->hits);
}

static __always_inline struct rs_hook *
rs_hook_from_instance(struct kretprobe_instance *ri)
{
	return container_of(rs_get_kretprobe(ri), struct rs_hook, krp);
}

#endif /* _RECLAIMSCOPE_HOOKS_H */
