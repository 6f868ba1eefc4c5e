#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: what the module costs, against what users would run
# instead, measured in QEMU guests on Debian's stock 6.12 kernel
# (Documentation/bench.rst says what each number means).
#
# 1. Per hit: builds tests/bench/reclaimscope_bench.ko, boots it with the
#    bench scenario (tests/guest/scenarios/bench.sh) and prints the
#    guest's RS-BENCH lines, a table of the extra cost per hit of every
#    case (the module's handlers, the kernel's empty mechanisms, ftrace's
#    trace event, kprobe events, an fprobe) and the RS-BENCH-RATIO lines.
# 2. Whole workload: boots one vCPU under -icount shift=0,sleep=off
#    (guest time follows the instructions executed) with the bench-macro
#    scenario, which times one reclaim workload RS_BENCH_RUNS times each
#    with nothing loaded, with reclaimscope loaded, and with the
#    equivalent tracefs events and kprobe events, and prints the
#    RS-BENCH-MACRO lines and a table.
# Not a test: nothing is asserted about speed; the guests only check that
# everything ran and that every probe fired once per call.
#
# RS_BENCH_CALLS (default 200000) calls per case and repetition,
# RS_BENCH_REPS (default 11, at most 31) repetitions;
# RS_BENCH_RUNS (default 5) whole-workload runs per case, RS_BENCH_MACRO=0
# skips the whole-workload guest, RS_BENCH_MICRO=0 the per-hit one (the
# whole-workload figure does not depend on the host's load; the per-hit
# one does: run it on a quiet host);
# RS_BENCH_ACCEL=kvm runs both guests on KVM (a real CPU; needs
# /dev/kvm) instead of TCG: there is no -icount then, and the
# whole-workload guest's clock is the host's.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

calls=${RS_BENCH_CALLS:-200000}
reps=${RS_BENCH_REPS:-11}
runs=${RS_BENCH_RUNS:-5}
macro=${RS_BENCH_MACRO:-1}
micro=${RS_BENCH_MICRO:-1}
accel=${RS_BENCH_ACCEL:-tcg}

case $accel in
tcg) ;;
kvm)
	[ -r /dev/kvm ] && [ -w /dev/kvm ] ||
		rs_die "RS_BENCH_ACCEL=kvm: /dev/kvm is missing or not usable"
	;;
*) rs_die "RS_BENCH_ACCEL=$accel: tcg or kvm" ;;
esac
[ "$reps" -ge 1 ] 2>/dev/null && [ "$reps" -le 31 ] ||
	rs_die "RS_BENCH_REPS=$reps: 1 to 31"
[ "$runs" -ge 1 ] 2>/dev/null && [ "$runs" -le 25 ] ||
	rs_die "RS_BENCH_RUNS=$runs: 1 to 25"

rs_need_pkgs $RS_BENCH_PKGS
read -r _ rel root kdir < <("$RS_TOP/scripts/kernels.sh" 6.12)
rs_use_qemu
export RS_QEMU_ACCEL=$accel

# The bench module, in a copy of the tree (it compiles module/*.c); the
# module itself for the whole-workload run.
dir=$(rs_build_module bench "$kdir" tests/bench) ||
	rs_die "building the bench module failed"
ko=$dir/tests/bench/reclaimscope_bench.ko
if [ "$macro" != 0 ]; then
	mdir=$(rs_build_module bench-module "$kdir") ||
		rs_die "building the module failed"
fi

# rb_table LOG TITLE: the RS-BENCH lines of LOG, and the table.
rb_table() {
	grep -q '^RS-BENCH ' "$1" || {
		rs_log "no bench output; log: $1"
		return 1
	}
	echo
	echo "== $2"
	grep -E '^RS-BENCH(-INFO|-HITS)? ' "$1"
	echo
	awk '
	$1 == "RS-BENCH" {
		name = $2; order[++n] = name
		for (i = 3; i <= NF; i++) {
			split($i, kv, "="); v[name, kv[1]] = kv[2]
		}
	}
	$1 == "RS-BENCH-RATIO" { ratio[++nr] = $2; rv[$2] = $3 }
	END {
		call = v["call_bare", "median_ns"] - v["tp_off", "median_ns"]
		printf "%-22s %10s %10s %14s %14s %8s\n", "case", "min ns",
		       "median ns", "extra/hit min", "extra/hit med", "x call"
		for (i = 1; i <= n; i++) {
			c = order[i]
			base = c ~ /^call_/ ? "call_bare" : "tp_off"
			if (c == base) {
				printf "%-22s %10.2f %10.2f %14s %14s %8s\n", c,
				       v[c, "min_ns"], v[c, "median_ns"],
				       "(baseline)", "", ""
				continue
			}
			dmin = v[c, "min_ns"] - v[base, "min_ns"]
			dmed = v[c, "median_ns"] - v[base, "median_ns"]
			r = "-"
			if (call > 0)
				r = sprintf("%.1f", dmed / call)
			printf "%-22s %10.2f %10.2f %14.2f %14.2f %8s\n", c,
			       v[c, "min_ns"], v[c, "median_ns"], dmin, dmed, r
		}
		printf "\nextra/hit: ns per call minus the baseline (call_bare for call_*, tp_off for tp_*).\n"
		printf "x call: extra/hit (median) over one plain call (call_bare - tp_off = %.2f ns).\n", call
		goal["tracepoint_vs_ftrace"] = "goal <= 0.25"
		goal["kretprobe_handler_vs_mechanism"] = "goal <= 0.5"
		what["tracepoint_vs_ftrace"] = "tp_probe_module / tp_ftrace"
		what["kretprobe_vs_kretprobe_event"] = "call_kretprobe_module / call_kretprobe_event"
		what["kretprobe_handler_vs_mechanism"] = "(call_kretprobe_module - call_kretprobe_empty) / call_kretprobe_empty"
		what["fprobe_vs_kretprobe"] = "call_fprobe_module / call_kretprobe_module"
		if (nr)
			printf "\n%-32s %8s  %s\n", "ratio (extra/hit, medians)", "value", "of"
		for (i = 1; i <= nr; i++) {
			r = ratio[i]
			printf "%-32s %8s  %s%s\n", r, rv[r], what[r],
			       ((r in goal) ? "  (" goal[r] ")" : "")
		}
	}' "$1"
}

# rm_table LOG TITLE: the RS-BENCH-MACRO lines of LOG, and a table.
rm_table() {
	grep -q '^RS-BENCH-MACRO ' "$1" || {
		rs_log "no whole-workload output; log: $1"
		return 1
	}
	echo
	echo "== $2"
	grep -E '^RS-BENCH-MACRO(-INFO|-RUN)? ' "$1"
	echo
	awk '
	$1 == "RS-BENCH-MACRO" {
		c = $2; order[++n] = c
		for (i = 3; i <= NF; i++) {
			split($i, kv, "="); v[c, kv[1]] = kv[2]
		}
	}
	$1 == "RS-BENCH-MACRO-NOTE" { sub(/^RS-BENCH-MACRO-NOTE /, ""); note[++nn] = $0 }
	END {
		printf "%-10s %12s %10s %12s %8s %6s\n", "case", "median ms",
		       "spread %", "slowdown %", "inside?", "runs"
		for (i = 1; i <= n; i++) {
			c = order[i]
			printf "%-10s %12s %10s %12s %8s %6s\n", c,
			       v[c, "median_ms"], v[c, "spread_pct"],
			       (((c, "slowdown_pct") in v) ? v[c, "slowdown_pct"] : "-"),
			       (((c, "within_spread") in v) ? v[c, "within_spread"] : "-"),
			       v[c, "runs"]
		}
		printf "\nslowdown: the median against the median of none; spread: (max - min) / median\n"
		printf "of the runs of the case; inside: the slowdown is no larger than the larger\n"
		printf "spread of the two cases.\n"
		for (i = 1; i <= nn; i++)
			print note[i]
	}' "$1"
}

status=0
if [ "$micro" != 0 ]; then
	t0=$SECONDS
	RS_QEMU_APPEND="rs.bench_calls=$calls rs.bench_reps=$reps" \
		rs_guest bench "$root/boot/vmlinuz-$rel" "$root" "$rel" "" bench 2400 \
		"$ko=rs/reclaimscope_bench.ko" || status=1
	if [ "$accel" = kvm ]; then
		what="KVM guest"
	else
		what="TCG guest (emulated: absolute ns overstate hardware)"
	fi
	rb_table "$RS_CACHE/runs/bench/serial.log" \
		"$what, Debian $rel ($((SECONDS - t0)) s)" || status=1
fi

if [ "$macro" != 0 ]; then
	t0=$SECONDS
	if [ "$accel" = kvm ]; then
		icount=
		what="KVM guest, 1 vCPU, wall-clock guest time"
	else
		icount=shift=0,sleep=off
		what="TCG guest, 1 vCPU, -icount $icount: guest time = instructions"
	fi
	RS_QEMU_SMP=1 RS_QEMU_TCG=single RS_QEMU_ICOUNT=$icount \
		RS_QEMU_APPEND="rs.bench_runs=$runs" \
		rs_guest bench-macro "$root/boot/vmlinuz-$rel" "$root" "$rel" \
		"virtio_pci virtio_blk" bench-macro 3600 \
		"$ko=rs/reclaimscope_bench.ko" \
		"$mdir/reclaimscope.ko=rs/reclaimscope.ko" || status=1
	rm_table "$RS_CACHE/runs/bench-macro/serial.log" \
		"$what, Debian $rel ($((SECONDS - t0)) s)" || status=1
fi

exit $status
