#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: what one probe hit costs, measured in a QEMU guest on
# Debian's stock 6.12 kernel.  Builds tests/bench/reclaimscope_bench.ko
# for that kernel, boots it with the bench scenario (tests/guest/
# scenarios/bench.sh), and prints the guest's RS-BENCH lines and a table
# of the extra cost per hit (Documentation/bench.rst says what each
# number means).  Not a test: nothing is asserted about speed; the guest
# only checks that the bench ran and that the probes fired.
#
# RS_BENCH_CALLS (default 200000) calls per case and repetition,
# RS_BENCH_REPS (default 11) repetitions.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

calls=${RS_BENCH_CALLS:-200000}
reps=${RS_BENCH_REPS:-11}

rs_need_pkgs $RS_BENCH_PKGS
read -r _ rel root kdir < <("$RS_TOP/scripts/kernels.sh" 6.12)
rs_use_qemu

# Only the bench module, in a copy of the tree (it compiles module/*.c).
dir=$(rs_build_module bench "$kdir" tests/bench) ||
	rs_die "building the bench module failed"
ko=$dir/tests/bench/reclaimscope_bench.ko
append="rs.bench_calls=$calls rs.bench_reps=$reps"

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
			ratio = "-"
			if (call > 0)
				ratio = sprintf("%.1f", dmed / call)
			printf "%-22s %10.2f %10.2f %14.2f %14.2f %8s\n", c,
			       v[c, "min_ns"], v[c, "median_ns"], dmin, dmed,
			       ratio
		}
		printf "\nextra/hit: ns per call minus the baseline (call_bare for call_*, tp_off for tp_*).\n"
		printf "x call: extra/hit (median) over one plain call (call_bare - tp_off = %.2f ns).\n", call
	}' "$1"
}

status=0
t0=$SECONDS
RS_QEMU_APPEND="$append" rs_guest bench "$root/boot/vmlinuz-$rel" "$root" \
	"$rel" "" bench 1500 "$ko=rs/reclaimscope_bench.ko" || status=1
rb_table "$RS_CACHE/runs/bench/serial.log" \
	"TCG guest, Debian $rel ($((SECONDS - t0)) s; emulated: absolute ns overstate hardware)" ||
	status=1

exit $status
