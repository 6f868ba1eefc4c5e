// SPDX-License-Identifier: GPL-2.0
/*
 * hooks.c - attach tracepoint probes and kretprobes by name.
 *
 * The vmscan and compaction tracepoints are not exported to modules, so
 * they are found by walking every built-in tracepoint once with
 * for_each_kernel_tracepoint() and registered with
 * tracepoint_probe_register(), which is exported.  kretprobes are
 * registered by symbol name.  Nothing here can fail the module: every
 * outcome is recorded in the hook and shown in the hooks file.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <linux/printk.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#include <reclaimscope/counters.h>
#include <reclaimscope/hooks.h>

struct rs_tp_lookup {
	struct rs_hook *hooks;
	unsigned int nr;
};

static void rs_tp_match(struct tracepoint *tp, void *priv)
{
	struct rs_tp_lookup *l = priv;
	unsigned int i;

	for (i = 0; i < l->nr; i++) {
		struct rs_hook *h = &l->hooks[i];

		if (h->kind == RS_HOOK_TRACEPOINT && !h->tp &&
		    !strcmp(tp->name, h->name))
			h->tp = tp;
	}
}

static int rs_kretprobe_register(struct rs_hook *h, const char *symbol)
{
	memset(&h->krp, 0, sizeof(h->krp));
	h->krp.kp.symbol_name = symbol;
	/*
	 * The feature's handlers, as they are: a non-zero return from the
	 * entry handler makes the kernel skip the instance (no return
	 * handler runs for that call).
	 */
	h->krp.entry_handler = h->entry_handler;
	h->krp.handler = h->handler;
	h->krp.data_size = h->data_size;
	h->krp.maxactive = h->maxactive;
	return register_kretprobe(&h->krp);
}

static void rs_hook_attach_one(struct rs_hook *h)
{
	int ret;

	if (h->disabled) {
		h->state = RS_HOOK_DISABLED;
		return;
	}
	switch (h->kind) {
	case RS_HOOK_TRACEPOINT:
		if (!h->tp || !h->probe) {
			ret = -ENOENT;
			break;
		}
		ret = tracepoint_probe_register(h->tp, h->probe, h);
		if (!ret)
			h->target = h->tp->name;
		break;
	case RS_HOOK_KRETPROBE:
		h->target = h->name;
		ret = rs_kretprobe_register(h, h->name);
		if (ret == -ENOENT && h->alt_name) {
			h->target = h->alt_name;
			ret = rs_kretprobe_register(h, h->alt_name);
		}
		if (ret)
			h->target = NULL;
		break;
	default:
		ret = -EINVAL;
		break;
	}

	h->err = ret;
	if (!ret) {
		h->state = RS_HOOK_ATTACHED;
	} else if (ret == -ENOENT) {
		h->state = RS_HOOK_MISSING;
		pr_info("hook %s (%s) missing: %s\n", h->name,
			rs_hook_kind_name(h->kind),
			h->kind != RS_HOOK_TRACEPOINT ?
			"this kernel has no such symbol, or it is inlined" :
			h->tp ? "not in the headers the module was built with" :
			"this kernel has no such tracepoint");
	} else {
		char buf[16];

		h->state = RS_HOOK_FAILED;
		pr_warn("hook %s (%s) failed: %s\n", h->name,
			rs_hook_kind_name(h->kind),
			rs_errname(ret, buf, sizeof(buf)));
	}
}

/* Whether @h would attach, as far as can be told without trying. */
static bool rs_hook_usable(const struct rs_hook *h)
{
	if (h->disabled)
		return false;
	return h->kind != RS_HOOK_TRACEPOINT || (h->tp && h->probe);
}

static void rs_hook_unregister_one(struct rs_hook *h)
{
	if (h->kind == RS_HOOK_TRACEPOINT)
		WARN_ON_ONCE(tracepoint_probe_unregister(h->tp, h->probe, h));
	else
		unregister_kretprobe(&h->krp);
}

/*
 * Attach @fb, which stands in for the fb->fallback_for hooks after it,
 * unless all of them are attached already.  Any of them that attached
 * while another did not is unregistered first (standby), so that only
 * one of the two ways counts.
 */
static void rs_hook_attach_fallback(struct rs_hook *fb)
{
	unsigned int i, n = fb->fallback_for;
	bool all = true;

	for (i = 1; i <= n; i++)
		all &= fb[i].state == RS_HOOK_ATTACHED;
	if (all) {
		fb->state = fb->disabled ? RS_HOOK_DISABLED : RS_HOOK_STANDBY;
		return;
	}
	for (i = 1; i <= n; i++) {
		if (fb[i].state != RS_HOOK_ATTACHED)
			continue;
		rs_hook_unregister_one(&fb[i]);
		fb[i].state = RS_HOOK_STANDBY;
		fb[i].target = NULL;
	}
	rs_hook_attach_one(fb);
}

/**
 * rs_hooks_attach() - attach every hook of an array, by name
 * @hooks: hooks to attach; their probes may fire as soon as this is called
 * @nr: number of hooks
 *
 * Hooks attach last to first: a feature lists a begin hook before its end
 * hook, so the end is in place before any begin can fire, and no begin is
 * left waiting for an end that was not attached yet.  A hook marked
 * disabled (the disable= parameter) is not attached.
 *
 * A fallback hook (fallback_for) comes before the hooks it stands in for,
 * so they are tried first.  They are not even tried unless all of them
 * can be (none disabled, every tracepoint found): half of a begin/end
 * pair would count what the fallback counts too.
 *
 * Return: 0, or -ENOMEM when the hit counters cannot be allocated (then
 * nothing is attached).  A hook that does not attach is recorded, not
 * returned as an error.
 */
int rs_hooks_attach(struct rs_hook *hooks, unsigned int nr)
{
	struct rs_tp_lookup lookup = { .hooks = hooks, .nr = nr };
	unsigned int i, j;

	for (i = 0; i < nr; i++) {
		hooks[i].hits = alloc_percpu(unsigned long);
		if (!hooks[i].hits)
			goto nomem;
		hooks[i].tp = NULL;
		hooks[i].target = NULL;
		hooks[i].state = RS_HOOK_DETACHED;
	}

	for_each_kernel_tracepoint(rs_tp_match, &lookup);

	/* Groups whose preferred hooks cannot all attach: leave those out. */
	for (i = 0; i < nr; i++) {
		unsigned int n = min(hooks[i].fallback_for, nr - 1 - i);
		bool all = true;

		for (j = 1; j <= n; j++)
			all &= rs_hook_usable(&hooks[i + j]);
		for (j = 1; j <= n && !all; j++)
			if (rs_hook_usable(&hooks[i + j]))
				hooks[i + j].state = RS_HOOK_STANDBY;
		hooks[i].fallback_for = n;
	}

	for (i = nr; i--; ) {
		if (hooks[i].state == RS_HOOK_STANDBY)
			continue;
		if (hooks[i].fallback_for)
			rs_hook_attach_fallback(&hooks[i]);
		else
			rs_hook_attach_one(&hooks[i]);
	}
	return 0;

nomem:
	while (i--) {
		free_percpu(hooks[i].hits);
		hooks[i].hits = NULL;
	}
	return -ENOMEM;
}

/**
 * rs_hooks_unregister() - stop new calls of the probes of @hooks
 * @hooks: hooks given to rs_hooks_attach()
 * @nr: number of hooks
 *
 * Tracepoint probes already running may still be running when this
 * returns: call tracepoint_synchronize_unregister() before
 * rs_hooks_release().
 *
 * A kretprobe needs no draining.  unregister_kretprobe() stops new
 * entries, detaches the return handler from the instances still in
 * flight and waits (synchronize_rcu()) for any handler that is running.
 * A call still inside the function (kswapd can stay in balance_pgdat()
 * for seconds) returns later through the kernel's trampoline to its real
 * caller, in kernel-owned instance memory, without calling into this
 * module.  So unload does not wait for reclaim: its worst case is the
 * RCU grace periods of the unregistrations.
 */
void rs_hooks_unregister(struct rs_hook *hooks, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		struct rs_hook *h = &hooks[i];

		if (h->state != RS_HOOK_ATTACHED)
			continue;
		rs_hook_unregister_one(h);
		h->state = RS_HOOK_DETACHED;
	}
}

/* Free what the probes of @hooks wrote to; they must be quiescent. */
void rs_hooks_release(struct rs_hook *hooks, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		free_percpu(hooks[i].hits);
		hooks[i].hits = NULL;
	}
}

/**
 * rs_hooks_detach() - detach every hook and wait for running probes
 * @hooks: hooks given to rs_hooks_attach()
 * @nr: number of hooks
 *
 * When this returns no probe of @hooks runs or will run, so the state the
 * probes write to may be freed.
 */
void rs_hooks_detach(struct rs_hook *hooks, unsigned int nr)
{
	rs_hooks_unregister(hooks, nr);
	tracepoint_synchronize_unregister();
	rs_hooks_release(hooks, nr);
}

const char *rs_hook_kind_name(enum rs_hook_kind kind)
{
	switch (kind) {
	case RS_HOOK_TRACEPOINT:
		return "tracepoint";
	case RS_HOOK_KRETPROBE:
		return "kretprobe";
	}
	return "unknown";
}

unsigned long rs_hook_hits(const struct rs_hook *hook)
{
	unsigned long sum = 0;
	int cpu;

	if (!hook->hits)
		return 0;
	for_each_possible_cpu(cpu)
		sum += READ_ONCE(*per_cpu_ptr(hook->hits, cpu));
	return sum;
}

unsigned long rs_hook_missed(const struct rs_hook *hook)
{
	if (hook->kind == RS_HOOK_KRETPROBE && hook->state == RS_HOOK_ATTACHED)
		return READ_ONCE(hook->krp.nmissed);
	return 0;
}

void rs_hooks_show_header(struct seq_file *m)
{
	seq_puts(m, "name kind state hits missed target\n");
}

void rs_hooks_show(struct seq_file *m, const struct rs_hook *hooks,
		   unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		const struct rs_hook *h = &hooks[i];
		char buf[16];

		seq_printf(m, "%s %s ", h->name, rs_hook_kind_name(h->kind));
		switch (h->state) {
		case RS_HOOK_ATTACHED:
			seq_puts(m, "attached");
			break;
		case RS_HOOK_MISSING:
			seq_puts(m, "missing");
			break;
		case RS_HOOK_DISABLED:
			seq_puts(m, "disabled");
			break;
		case RS_HOOK_STANDBY:
			seq_puts(m, "standby");
			break;
		case RS_HOOK_FAILED:
			seq_printf(m, "failed:%s",
				   rs_errname(h->err, buf, sizeof(buf)));
			break;
		default:
			seq_puts(m, "detached");
			break;
		}
		seq_printf(m, " %lu %lu %s\n", rs_hook_hits(h),
			   rs_hook_missed(h), h->target ?: "-");
	}
}
