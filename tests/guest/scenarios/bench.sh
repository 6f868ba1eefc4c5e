# SPDX-License-Identifier: GPL-2.0
# make bench: what one probe hit costs.  Loads tests/bench/
# reclaimscope_bench.ko, which times calls to a probed function and a
# tracepoint with nothing, an empty probe and the module's own handlers
# attached, and prints its RS-BENCH lines (Documentation/bench.rst).
# Checked: the bench ran, printed every case, and the module's probes
# fired once per call.  Nothing is asserted about speed.
# Kernel command line: rs.bench_calls=N rs.bench_reps=R (optional).

RB=/sys/kernel/debug/reclaimscope_bench
rb_args=
v=$(rs_cmdline_arg bench_calls)
[ -n "$v" ] && rb_args="$rb_args calls=$v"
v=$(rs_cmdline_arg bench_reps)
[ -n "$v" ] && rb_args="$rb_args reps=$v"

if ! insmod /rs/reclaimscope_bench.ko $rb_args; then
	rs_fail bench_insmod "insmod reclaimscope_bench.ko$rb_args failed"
	return 0
fi
echo "RS-BENCH-INFO $(uname -r) $(grep -c ^processor /proc/cpuinfo) cpus, $(grep -m1 '^model name' /proc/cpuinfo | sed 's/.*: //')"
# On CPU 0, as one task: the time of a pass is the time of its calls.
if taskset 1 sh -c "echo 1 > $RB/run"; then
	cat $RB/results > /tmp/bench.txt
	cat /tmp/bench.txt
	rs_expect_eq bench_cases 7 "$(grep -c '^RS-BENCH [a-z_]* min_ns=[0-9.]* median_ns=[0-9.]*' /tmp/bench.txt)"
	while read -r _ name hits expected missed; do
		rs_expect_eq "bench_hits_$name" "${expected#expected=} missed=0" \
			"${hits#hits=} $missed"
	done <<HITS
$(grep '^RS-BENCH-HITS ' /tmp/bench.txt)
HITS
else
	rs_fail bench_run "writing $RB/run failed"
fi
rmmod reclaimscope_bench || rs_fail bench_rmmod "rmmod reclaimscope_bench failed"
