# SPDX-License-Identifier: GPL-2.0
# Feature probes, included by ../Kbuild, ../tests/Kbuild and
# ../tests/bench/Kbuild.
#
# For what C cannot test by itself: whether a struct has a member, a
# header or a tracepoint exists, a function takes more arguments.  They
# read the headers of the kernel being built for, never a version number;
# include/reclaimscope/compat.h turns them into code.  (Where C can tell,
# as for a tracepoint's prototype, compat.h tests the types instead.)
comma := ,
# A "(" in a grep pattern, which make would pair with the call's ")".
lparen := (
rs_header_has = $(if $(shell grep -s -E '$(2)' $(srctree)/include/$(1)),$(3))
rs_header_exists = $(if $(wildcard $(srctree)/include/$(1)),$(2))
rs_exported = $(if $(shell grep -s -w -E '$(1)' $(objtree)/Module.symvers),$(2))
rs_tp_has = $(call rs_header_has,trace/events/$(1).h,^TRACE_EVENT\$(lparen)$(2)$(comma),$(3))

# struct reclaim_stat: nr_demoted from 6.x, nr_pageout gone in 7.x.
ccflags-y += $(call rs_header_has,linux/vmstat.h,unsigned( int)? nr_pageout;,-DRS_HAVE_STAT_NR_PAGEOUT)
ccflags-y += $(call rs_header_has,linux/vmstat.h,unsigned( int)? nr_demoted;,-DRS_HAVE_STAT_NR_DEMOTED)
# pg_data_t and struct zone.
ccflags-y += $(call rs_header_has,linux/mmzone.h,^[[:space:]]*PGDAT_DIRTY[[:space:]]*$(comma),-DRS_HAVE_PGDAT_DIRTY)
ccflags-y += $(call rs_header_has,linux/mmzone.h,^[[:space:]]*WMARK_PROMO[[:space:]]*$(comma),-DRS_HAVE_WMARK_PROMO)
ccflags-y += $(call rs_header_has,linux/mmzone.h,atomic_t[[:space:]]+nr_writeback_throttled;,-DRS_HAVE_NR_WRITEBACK_THROTTLED)
# pgdat_kswapd_lock(): the mutex that guards pgdat->kswapd (6.1 on); in
# 5.10 the pointer is guarded by the memory hotplug lock, not exported.
ccflags-y += $(call rs_header_has,linux/memory_hotplug.h,void pgdat_kswapd_lock\$(lparen),-DRS_HAVE_PGDAT_KSWAPD_LOCK)
# <linux/math.h>: not in 5.10 (DIV_ROUND_UP() and the like are in kernel.h).
ccflags-y += $(call rs_header_exists,linux/math.h,-DRS_HAVE_LINUX_MATH_H)
# get_kretprobe(ri); ri->rp in 5.10.
ccflags-y += $(call rs_header_has,linux/kprobes.h,struct kretprobe \*get_kretprobe\$(lparen),-DRS_HAVE_GET_KRETPROBE)
# register_shrinker(shrinker, fmt, ...) in 6.0-6.6; (shrinker) before.
ccflags-y += $(call rs_header_has,linux/shrinker.h,register_shrinker\$(lparen)struct shrinker \*shrinker$(comma),-DRS_HAVE_REGISTER_SHRINKER_NAME)
# Tracepoints that not every kernel has: a probe is only compiled (and
# its prototype checked) where the kernel's header declares the event;
# elsewhere its hook is listed as missing.
ccflags-y += $(call rs_tp_has,vmscan,mm_vmscan_throttled,-DRS_HAVE_TP_THROTTLED)
ccflags-y += $(call rs_tp_has,vmscan,mm_vmscan_balance_pgdat_begin,-DRS_HAVE_TP_BALANCE_PGDAT_BEGIN)
ccflags-y += $(call rs_tp_has,vmscan,mm_vmscan_balance_pgdat_end,-DRS_HAVE_TP_BALANCE_PGDAT_END)
ccflags-y += $(call rs_tp_has,vmscan,mm_vmscan_kswapd_reclaim_fail,-DRS_HAVE_TP_KSWAPD_RECLAIM_FAIL)
ccflags-y += $(call rs_tp_has,vmscan,mm_vmscan_kswapd_clear_hopeless,-DRS_HAVE_TP_KSWAPD_CLEAR_HOPELESS)
# fprobe's handler shapes (make bench's call_fprobe_module): since 6.x
# the entry handler returns int and takes ret_ip, with pt_regs, then
# ftrace_regs (7.x); 6.1's takes neither (no case there).  nr_maxactive
# went with the move to ftrace_regs.
ccflags-y += $(call rs_header_has,linux/fprobe.h,unsigned long ret_ip$(comma) struct pt_regs \*regs,-DRS_HAVE_FPROBE_PT_REGS)
ccflags-y += $(call rs_header_has,linux/fprobe.h,unsigned long ret_ip$(comma) struct ftrace_regs \*regs,-DRS_HAVE_FPROBE_FTRACE_REGS)
ccflags-y += $(call rs_header_has,linux/fprobe.h,int[[:space:]]+nr_maxactive;,-DRS_HAVE_FPROBE_NR_MAXACTIVE)
# cgroup_get_from_id(): exported from 6.1 (not in 5.10); without it the
# tasks and cgroups files print a cgroup as id:<N>.
ccflags-y += $(call rs_exported,cgroup_get_from_id,-DRS_HAVE_CGROUP_GET_FROM_ID)
