# SPDX-License-Identifier: GPL-2.0
# make bench: what one probe hit costs.  Loads tests/bench/
# reclaimscope_bench.ko, which times calls to a probed function and a
# tracepoint with nothing, an empty probe, the module's own handlers, or
# what tracefs attaches (a trace event, kprobe events) on them, and
# prints RS-BENCH lines (Documentation/bench.rst).
#
# This script runs the passes: one write to the bench's run file is one
# pass of one case.  For the tracefs cases it attaches the piece first
# and takes it away after: tp_ftrace enables events/reclaimscope_bench/
# rs_bench_tp; call_kprobe_event and call_kretprobe_event add the bench's
# p: or r: line (its kprobe_events file) to kprobe_events, enable it,
# and remove it after.  Every case gets one untimed warm-up pass, then
# each repetition runs every case in turn, so a slow spell of the host
# falls on all cases alike.  Every CPU but CPU 0 is offline throughout
# (rs_quiesced): the passes patch kernel text, and the bench is one task.
#
# Checked: every case ran and printed, and every probe fired once per call
# (RS-BENCH-HITS: the module's own counts; for tracefs, the ring buffer's
# entries and kprobe_profile).  Printed: RS-BENCH-RATIO lines, medians'
# extra costs divided.  Nothing is asserted about speed.
# Kernel command line: rs.bench_calls=N rs.bench_reps=R (optional).

RB=/sys/kernel/debug/reclaimscope_bench
RB_EVENT=$TRACE/events/reclaimscope_bench/rs_bench_tp

rb_args=
v=$(rs_cmdline_arg bench_calls)
[ -n "$v" ] && rb_args="calls=$v"
rb_reps=$(rs_cmdline_arg bench_reps 11)
if ! [ "$rb_reps" -ge 1 ] 2>/dev/null || [ "$rb_reps" -gt 31 ]; then
	rs_fail bench_reps "rs.bench_reps=$rb_reps is not 1 to 31"
	rb_reps=11
fi

# rb_written: entries written to the ring buffer so far, every CPU (what
# is still there plus what was overwritten; nothing reads it meanwhile).
rb_written() {
	awk '$1 == "entries:" || $1 == "overrun:" { n += $2 } END { print n + 0 }' \
		$TRACE/per_cpu/cpu*/stats
}

# rb_dropped: entries the ring buffer refused so far, every CPU.
rb_dropped() {
	awk '$1 == "dropped" && $2 == "events:" { n += $3 } END { print n + 0 }' \
		$TRACE/per_cpu/cpu*/stats
}

# rb_tally CASE HITS MISSED: what tracefs saw in one timed pass.
rb_tally() { echo "$1 $2 $3" >> /tmp/bench.tally; }

# rb_kprobe_on p|r: add the bench's p: or r: event and enable it.
rb_kprobe_on() {
	local def name
	def=$(grep "^$1:rs_bench/" /tmp/bench.kprobe_events)
	name=${def%% *}
	name=${name#*/}
	if ! echo "$def" >> $TRACE/kprobe_events; then
		rs_fail "bench_kprobe_event_$1" "kprobe_events refused: $def; $(tail -n 3 $TRACE/error_log 2>/dev/null)"
		return 1
	fi
	echo 1 > "$TRACE/events/rs_bench/$name/enable"
}

# rb_kprobe_off p|r WARM: disable the event, tally its hits and misses
# for a timed pass (kprobe_profile: name, hits, misses), and remove it.
rb_kprobe_off() {
	local def name hits missed cname=call_kprobe_event
	[ "$1" = r ] && cname=call_kretprobe_event
	def=$(grep "^$1:rs_bench/" /tmp/bench.kprobe_events)
	name=${def%% *}
	name=${name#*/}
	echo 0 > "$TRACE/events/rs_bench/$name/enable"
	if [ -z "$2" ]; then
		read -r hits missed <<EOF
$(awk -v n="$name" '$1 == n { print $2, $3 }' $TRACE/kprobe_profile)
EOF
		rb_tally "$cname" "${hits:-0}" "${missed:-0}"
	fi
	echo "-:rs_bench/$name" >> $TRACE/kprobe_events
	# Nothing may stay on rs_bench_target for the module's own cases.
	[ -z "$(cat $TRACE/kprobe_events)" ]
}

# rb_pass CASE [warm]: one pass of CASE, with its tracefs piece around it.
rb_pass() {
	local st=0 w0 d0
	case "$1" in
	tp_ftrace)
		w0=$(rb_written)
		d0=$(rb_dropped)
		echo 1 > $RB_EVENT/enable || return 1
		;;
	call_kprobe_event) rb_kprobe_on p || return 1 ;;
	call_kretprobe_event) rb_kprobe_on r || return 1 ;;
	esac
	echo "$1${2:+ $2}" > $RB/run || st=1
	case "$1" in
	tp_ftrace)
		echo 0 > $RB_EVENT/enable || st=1
		[ -n "${2:-}" ] || rb_tally tp_ftrace \
			$(($(rb_written) - w0)) $(($(rb_dropped) - d0))
		;;
	call_kprobe_event) rb_kprobe_off p "${2:-}" || st=1 ;;
	call_kretprobe_event) rb_kprobe_off r "${2:-}" || st=1 ;;
	esac
	[ $st = 0 ] || rs_fail bench_pass "$1${2:+ $2} failed; $(dmesg | tail -n 2)"
	return $st
}

# rb_run: the warm-up, a reset, then the repetitions; stops at the
# first pass that fails.
rb_run() {
	local c r=0
	while read -r c _; do
		rb_pass "$c" warm < /dev/null || return 1
	done < /tmp/bench.cases
	echo reset > $RB/run || return 1
	: > /tmp/bench.tally
	while [ $r -lt "$rb_reps" ]; do
		while read -r c _; do
			rb_pass "$c" < /dev/null || return 1
		done < /tmp/bench.cases
		r=$((r + 1))
	done
}

# rb_ratios FILE: RS-BENCH-RATIO lines from the medians of FILE's
# RS-BENCH lines; "extra" is a case minus its baseline, as the host's
# table has it (call_bare for call_*, tp_off for tp_*).
rb_ratios() {
	awk '
	$1 == "RS-BENCH" {
		for (i = 3; i <= NF; i++) {
			split($i, kv, "=")
			if (kv[1] == "median_ns")
				m[$2] = kv[2]
		}
	}
	function extra(c, base) {
		return (c in m) && (base in m) ? m[c] - m[base] : ""
	}
	function ratio(name, num, den) {
		if (num == "" || den == "" || den <= 0)
			printf "RS-BENCH-RATIO %s n/a\n", name
		else
			printf "RS-BENCH-RATIO %s %.3f\n", name, num / den
	}
	END {
		ratio("tracepoint_vs_ftrace", extra("tp_probe_module", "tp_off"),
		      extra("tp_ftrace", "tp_off"))
		ratio("kretprobe_vs_kretprobe_event",
		      extra("call_kretprobe_module", "call_bare"),
		      extra("call_kretprobe_event", "call_bare"))
		ratio("kretprobe_handler_vs_mechanism",
		      extra("call_kretprobe_module", "call_kretprobe_empty"),
		      extra("call_kretprobe_empty", "call_bare"))
		ratio("fprobe_vs_kretprobe", extra("call_fprobe_module", "call_bare"),
		      extra("call_kretprobe_module", "call_bare"))
	}' "$1"
}

if ! insmod /rs/reclaimscope_bench.ko $rb_args; then
	rs_fail bench_insmod "insmod reclaimscope_bench.ko $rb_args failed"
	return 0
fi
rb_calls=$(cat /sys/module/reclaimscope_bench/parameters/calls)
echo "RS-BENCH-INFO $(uname -r) $(grep -c ^processor /proc/cpuinfo) cpus (all but CPU 0 offline while it runs), $(grep -m1 '^model name' /proc/cpuinfo | sed 's/.*: //'); calls=$rb_calls reps=$rb_reps"
cat $RB/cases > /tmp/bench.cases
cat $RB/kprobe_events > /tmp/bench.kprobe_events
sed 's/^/RS-BENCH-INFO case /' /tmp/bench.cases
sed 's/^/RS-BENCH-INFO kprobe_event /' /tmp/bench.kprobe_events
echo 1 > $TRACE/tracing_on
echo > $TRACE/trace
: > /tmp/bench.tally

rs_pin_self 1
if rs_quiesced rb_run; then
	cat $RB/results > /tmp/bench.txt
	# What tracefs saw, in the module's RS-BENCH-HITS form.
	awk -v calls="$rb_calls" '
	{ n[$1]++; h[$1] += $2; m[$1] += $3 }
	END {
		for (c in n)
			printf "RS-BENCH-HITS %s hits=%d expected=%d missed=%d\n",
			       c, h[c], n[c] * calls, m[c]
	}' /tmp/bench.tally | sort >> /tmp/bench.txt
	rb_ratios /tmp/bench.txt >> /tmp/bench.txt
	cat /tmp/bench.txt
	rs_expect_eq bench_cases "$(wc -l < /tmp/bench.cases)" \
		"$(grep -c '^RS-BENCH [a-z_]* min_ns=[0-9.]* median_ns=[0-9.]*' /tmp/bench.txt)"
	rs_expect_eq bench_tracefs_tallies \
		"$(grep -c ' tracefs$' /tmp/bench.cases)" \
		"$(awk '{ print $1 }' /tmp/bench.tally | sort -u | wc -l)"
	while read -r _ name hits expected missed; do
		rs_expect_eq "bench_hits_$name" "${expected#expected=} missed=0" \
			"${hits#hits=} $missed"
	done <<HITS
$(grep '^RS-BENCH-HITS ' /tmp/bench.txt)
HITS
else
	rs_fail bench_run "the bench did not finish (see the bench_pass check)"
fi
echo 0 > $TRACE/tracing_on
rmmod reclaimscope_bench || rs_fail bench_rmmod "rmmod reclaimscope_bench failed"
