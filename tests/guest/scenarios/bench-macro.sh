# SPDX-License-Identifier: GPL-2.0
# make bench, the whole-workload figure: one fixed reclaim workload,
# timed in guest time, rs.bench_runs (default 5) times in each of
#   none     nothing loaded;
#   module   reclaimscope.ko loaded (every hook it attaches here);
#   tracefs  what a user would enable instead: the trace event of every
#            tracepoint the module attaches, and a p: and an r: kprobe
#            event on each function it kretprobes (balance_pgdat,
#            shrink_folio_list and try_to_compact_pages on 6.x;
#            not balance_pgdat on 7.x), reading what the module reads
#            (the bench module's kprobe_events file writes the lines);
# interleaved: run i of every case before run i + 1 of any.
#
# scripts/bench.sh boots this guest with one vCPU under QEMU's
# -icount shift=0,sleep=off (TCG): the guest's clock advances 1 ns per
# instruction executed, and jumps over idle time to the next timer, so
# guest time counts the work done, not the host's load.  A run: drop the
# page cache, fill it from /dev/vda (I/O, untimed; the device is held
# open so that its cache stays), set the case up, then
# time rs_anon_burst (an anonymous burst that forces the cache out: pure
# CPU, no I/O) with rs-now, and take the case down.  Prints
#   RS-BENCH-MACRO-RUN <case> <run> ms=<guest ms> pgscan=<pages> pgsteal=<pages>
#   RS-BENCH-MACRO <case> median_ms=<ms> spread_pct=<(max-min)/median> runs=<n>
#                  [slowdown_pct=<against none> within_spread=yes|no]
#   RS-BENCH-MACRO-NOTE <case>: ... when the slowdown is inside the spread
# Checked: every run finished and reclaimed, the module counted the
# reclaim, the tracefs case wrote events.  Nothing is asserted about speed.

rm_runs=$(rs_cmdline_arg bench_runs 5)
if ! [ "$rm_runs" -ge 1 ] 2>/dev/null || [ "$rm_runs" -gt 25 ]; then
	rs_fail macro_runs "rs.bench_runs=$rm_runs is not 1 to 25"
	rm_runs=5
fi

# rm_vmstat KEY...: the sum of KEYs in /proc/vmstat.
rm_vmstat() {
	awk -v keys=" $* " 'index(keys, " " $1 " ") { s += $2 } END { print s + 0 }' \
		/proc/vmstat
}

# rm_written: entries written to the ring buffer so far, every CPU.
rm_written() {
	awk '$1 == "entries:" || $1 == "overrun:" { n += $2 } END { print n + 0 }' \
		$TRACE/per_cpu/cpu*/stats
}

# rm_prepare: what the tracefs case enables, from the module's own hooks
# file (attached tracepoints -> their events) and the bench module's
# kprobe_events lines for the functions the module kretprobes.
rm_prepare() {
	local name kind target d n
	insmod /rs/reclaimscope_bench.ko || return 1
	cat /sys/kernel/debug/reclaimscope_bench/kprobe_events > /tmp/macro.kdefs
	rmmod reclaimscope_bench || return 1
	rs_insmod || return 1
	awk 'NR > 1 && $3 == "attached" { print $1, $2, $6 }' $RS/hooks > /tmp/macro.hooks
	rmmod reclaimscope || return 1
	: > /tmp/macro.events
	: > /tmp/macro.kprobes
	while read -r name kind target; do
		if [ "$kind" = tracepoint ]; then
			for d in "$TRACE"/events/*/"$name"; do
				[ -d "$d" ] && echo "${d#"$TRACE"/events/}" >> /tmp/macro.events
			done
		else
			grep -E "^[pr]:rs_macro/[a-z_]+ $target " /tmp/macro.kdefs >> /tmp/macro.kprobes
		fi
	done < /tmp/macro.hooks
	n=$(awk '$2 != "tracepoint"' /tmp/macro.hooks | wc -l)
	rs_expect_eq macro_kprobe_events "$((2 * n))" "$(wc -l < /tmp/macro.kprobes)"
	rs_expect_eq macro_trace_events "$(awk '$2 == "tracepoint"' /tmp/macro.hooks | wc -l)" \
		"$(wc -l < /tmp/macro.events)"
	sed 's/^/RS-BENCH-MACRO-INFO event /' /tmp/macro.events
	sed 's/^/RS-BENCH-MACRO-INFO kprobe_event /' /tmp/macro.kprobes
}

# rm_setup CASE: load or enable what CASE runs with.
rm_setup() {
	local def
	case "$1" in
	module)
		rs_insmod
		;;
	tracefs)
		echo 0 > $TRACE/tracing_on
		echo > $TRACE/trace
		rm -f /tmp/macro.events.now
		while read -r def; do
			if ! echo "$def" >> $TRACE/kprobe_events; then
				rs_fail macro_kprobe_event "kprobe_events refused: $def; $(tail -n 3 $TRACE/error_log 2>/dev/null)"
				return 1
			fi
			def=${def%% *}
			echo "${def#*:}" >> /tmp/macro.events.now
		done < /tmp/macro.kprobes
		cat /tmp/macro.events >> /tmp/macro.events.now
		# shellcheck disable=SC2046 # one event per word
		rs_trace_enable $(cat /tmp/macro.events.now) || return 1
		echo 1 > $TRACE/tracing_on
		;;
	esac
}

# rm_teardown CASE: what CASE saw (RM_SEEN), then unload or disable.
rm_teardown() {
	RM_SEEN=
	case "$1" in
	module)
		RM_SEEN=$(rs_sum calls $RS/node*/shrink_list)
		rmmod reclaimscope
		;;
	tracefs)
		echo 0 > $TRACE/tracing_on
		RM_SEEN=$(rm_written)
		echo 0 > $TRACE/events/enable
		rm -f /tmp/macro.events.now
		echo > $TRACE/kprobe_events
		;;
	esac
}

# rm_once CASE RUN: one timed run; prints its RS-BENCH-MACRO-RUN line.
rm_once() {
	local t0 t1 scan0 steal0 ms st=0
	rs_quiesce
	# The block device's page cache is dropped at its last close: hold
	# /dev/vda open until the burst is over, or the burst finds memory
	# free and reclaims nothing.
	exec 4< /dev/vda
	rs_fill_cache
	if ! rm_setup "$1"; then
		rs_fail "macro_setup_$1" "run $2: setting up $1 failed"
		rm_teardown "$1"
		return 1
	fi
	sleep 1
	scan0=$(rm_vmstat pgscan_anon pgscan_file)
	steal0=$(rm_vmstat pgsteal_anon pgsteal_file)
	t0=$(rs-now)
	rs_anon_burst || st=1
	t1=$(rs-now)
	exec 4<&-
	ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e6 }')
	echo "RS-BENCH-MACRO-RUN $1 $2 ms=$ms pgscan=$(($(rm_vmstat pgscan_anon pgscan_file) - scan0)) pgsteal=$(($(rm_vmstat pgsteal_anon pgsteal_file) - steal0))"
	rm_teardown "$1"
	[ -z "$RM_SEEN" ] || echo "RS-BENCH-MACRO-SEEN $1 $2 $RM_SEEN"
	[ $st = 0 ] || rs_fail "macro_workload_$1" "run $2: the workload failed"
	return $st
}

# rm_summary: RS-BENCH-MACRO lines from the RS-BENCH-MACRO-RUN lines.
rm_summary() {
	awk '
	$1 == "RS-BENCH-MACRO-RUN" {
		split($4, kv, "=")
		n[$2]++
		t[$2, n[$2]] = kv[2] + 0
	}
	function median(c,   i, j, k, a) {
		for (i = 1; i <= n[c]; i++)
			a[i] = t[c, i]
		for (i = 2; i <= n[c]; i++)
			for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
				k = a[j]; a[j] = a[j - 1]; a[j - 1] = k
			}
		lo[c] = a[1]
		hi[c] = a[n[c]]
		return n[c] % 2 ? a[(n[c] + 1) / 2] : (a[n[c] / 2] + a[n[c] / 2 + 1]) / 2
	}
	END {
		split("none module tracefs", cases, " ")
		for (i = 1; i <= 3; i++) {
			c = cases[i]
			if (!n[c]) {
				printf "RS-BENCH-MACRO %s n/a runs=0\n", c
				continue
			}
			med[c] = median(c)
			spread[c] = med[c] > 0 ? (hi[c] - lo[c]) / med[c] * 100 : 0
			line = sprintf("RS-BENCH-MACRO %s median_ms=%.3f spread_pct=%.2f runs=%d",
				       c, med[c], spread[c], n[c])
			if (c != "none" && med["none"] > 0) {
				slow = (med[c] / med["none"] - 1) * 100
				lim = spread[c] > spread["none"] ? spread[c] : spread["none"]
				within = (slow <= lim && -slow <= lim) ? "yes" : "no"
				line = line sprintf(" slowdown_pct=%.2f within_spread=%s", slow, within)
				if (within == "yes")
					note[c] = sprintf("RS-BENCH-MACRO-NOTE %s: its slowdown (%.2f%%) is inside the spread of the runs (%.2f%%): not measurable with %d runs each",
							  c, slow, lim, n[c])
			}
			print line
		}
		for (i = 2; i <= 3; i++)
			if (cases[i] in note)
				print note[cases[i]]
	}' "$1"
}

echo "RS-BENCH-MACRO-INFO $(uname -r) $(grep -c ^processor /proc/cpuinfo) cpu(s), $(grep -m1 '^model name' /proc/cpuinfo | sed 's/.*: //'); runs=$rm_runs; clock $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
if rm_prepare; then
	: > /tmp/macro.runs
	rm_i=1
	while [ $rm_i -le "$rm_runs" ]; do
		for rm_c in none module tracefs; do
			rm_once $rm_c $rm_i | tee -a /tmp/macro.runs
		done
		rm_i=$((rm_i + 1))
	done
	rm_summary /tmp/macro.runs
	for rm_c in none module tracefs; do
		rs_expect_eq "macro_runs_$rm_c" "$rm_runs" \
			"$(grep -c "^RS-BENCH-MACRO-RUN $rm_c " /tmp/macro.runs)"
		rs_expect_gt "macro_reclaimed_$rm_c" "$(awk -v c=$rm_c '
			$1 == "RS-BENCH-MACRO-RUN" && $2 == c {
				split($6, kv, "="); v = kv[2] + 0
				if (!f || v < m) m = v; f = 1
			} END { print m + 0 }' /tmp/macro.runs)" 0
	done
	for rm_c in module tracefs; do
		rs_expect_gt "macro_seen_$rm_c" "$(awk -v c=$rm_c '
			$1 == "RS-BENCH-MACRO-SEEN" && $2 == c {
				if (!f || $4 < m) m = $4; f = 1
			} END { print m + 0 }' /tmp/macro.runs)" 0
	done
else
	rs_fail macro_prepare "loading the modules to list the hooks failed"
fi
