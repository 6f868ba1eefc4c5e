# SPDX-License-Identifier: GPL-2.0
# Torture scenario: load/unload cycles under memory pressure, with
# readers looping over every file and a writer resetting and growing and
# draining the demo pool during every cycle.
#
# Kernel command line:
#   rs.cycles=N     cycles to run (default 30)
#   rs.seconds=S    stop starting cycles after S seconds (default: none)
#   rs.torture=M    what each cycle arms and disarms:
#     module   insmod and rmmod reclaimscope.ko (the default)
#     tracefs  no module at all: the vmscan and compaction trace events
#              and a tracefs kretprobe event on shrink_folio_list()
#              (kprobe_events "r:"), enabled and disabled, to tell a fault
#              of the module from one of the kernel or the emulator
#     kretprobe  no module: only the tracefs kretprobe event
#     minprobe  insmod and rmmod tests/minprobe/rs_minprobe.ko, one probe
#              on shrink_folio_list() and nothing else (rs.minprobe=K:
#              kretprobe, the default, or kprobe), with no readers or
#              writers: reclaimscope's arming without reclaimscope
#   rs.insmod=ARGS  module parameters for every insmod (commas for spaces)
#   rs.faults_stride=K  fail the 1st, (1+K)th, (1+2K)th ... allocation
#                   (default 1: every one)
#   rs.pressure=P   bursts (the default) or held (rs_torture_pressure)
#
# Every cycle must load and unload; an rmmod refused while a file is open
# (debugfs holds a module reference) is retried and counted.  Every tenth
# cycle holds a file open across a first rmmod, which must be refused, and
# a second one after the close, which must succeed.  The host judges the
# log: no splat, no kmemleak report, the guest reached its end.

# Pressure that keeps kswapd, shrink_folio_list() and compaction busy on
# both nodes: the page cache streamed from both CPUs, an anonymous burst,
# and huge page requests.  Each round starts with memory empty (a block
# device's cache is dropped at its last close), so kswapd runs in bursts.
# rs.pressure=held keeps /dev/vda open: memory stays full and reclaim
# runs through every cycle.  That is the harder test, and the one
# multi-threaded TCG fails (a vCPU runs a stale translation of a
# just-patched site: Oops int3 in evict_folios() after 50 cycles on
# Debian 6.12, no reclaimscope frame), so make check does not use it.
rs_torture_pressure() {
	[ "$pressure" = held ] && exec 5< /dev/vda
	while [ ! -f /tmp/torture.stop ]; do
		rs_fill_cache
		dd if=/dev/zero of=/dev/null bs=128M count=2 2>/dev/null
		echo 40 > /proc/sys/vm/nr_hugepages
		echo 0 > /proc/sys/vm/nr_hugepages
	done
}

# A reader: every readable file, again and again; a file that vanishes
# under it (rmmod) is not an error.
rs_torture_reader() {
	local f
	while [ ! -f /tmp/torture.stop ]; do
		# shellcheck disable=SC2044 # debugfs names have no spaces
		for f in $(find $RS -type f -perm -400 2>/dev/null); do
			cat "$f" > /dev/null 2>&1
		done
		sleep 0.05
	done
}

# The writer: reset, then grow and drain the demo pool.
rs_torture_writer() {
	while [ ! -f /tmp/torture.stop ]; do
		# The braces catch the shell's own "can't create" once
		# rmmod has removed a file.
		{ echo 1 > $RS/reset; } 2>/dev/null
		{ echo 256 > $RS/demo_shrinker/grow; } 2>/dev/null
		sleep 0.1
		{ echo 128 > $RS/demo_shrinker/drain; } 2>/dev/null
		sleep 0.1
	done
}

# rs_torture_rmmod: unload, retrying while a reader holds a file open.
# Prints how many attempts were refused as busy.
rs_torture_rmmod() {
	local busy=0 i
	for i in $(seq 1 200); do
		if rmmod reclaimscope 2>/dev/null; then
			echo $busy
			return 0
		fi
		busy=$((busy + 1))
		sleep 0.05
	done
	echo $busy
	return 1
}

rs_torture_module_cycle() {	# N: one insmod/rmmod cycle
	local held=0 busy
	# shellcheck disable=SC2086
	if ! rs_insmod $insmod_args; then
		rs_fail "torture_insmod_$1" "insmod failed"
		return 1
	fi
	sleep 0.$((RANDOM % 5))
	if [ $(($1 % 10)) = 0 ]; then
		exec 3< $RS/summary
		if rmmod reclaimscope 2>/dev/null; then
			rs_fail "torture_rmmod_open_$1" "rmmod succeeded with a file open"
			exec 3<&-
			return 1
		fi
		held=1
		exec 3<&-
	fi
	if ! busy=$(rs_torture_rmmod); then
		rs_fail "torture_rmmod_$1" "rmmod refused $busy times"
		return 1
	fi
	retries=$((retries + busy))
	refused=$((refused + held))
	return 0
}

rs_torture_minprobe_cycle() {	# N: load and unload the one-probe module
	if ! insmod /rs/rs_minprobe.ko kind="$minprobe_kind"; then
		rs_fail "torture_minprobe_insmod_$1" "insmod failed"
		return 1
	fi
	sleep 0.$((RANDOM % 5))
	if ! rmmod rs_minprobe; then
		rs_fail "torture_minprobe_rmmod_$1" "rmmod failed"
		return 1
	fi
	# The unload line: did the probe fire during this cycle?
	dmesg | tail -n 5 | grep -q 'rs_minprobe: .* entries [1-9]' &&
		minprobe_hits=$((minprobe_hits + 1))
	return 0
}

rs_torture_tracefs_cycle() {	# N MODE: arm, wait, disarm
	echo 'r:rs_torture/sfl_ret shrink_folio_list ret=$retval' >> \
		$TRACE/kprobe_events || return 1
	if [ "$2" = tracefs ]; then
		echo 1 > $TRACE/events/vmscan/enable
		echo 1 > $TRACE/events/compaction/enable
	fi
	echo 1 > $TRACE/events/rs_torture/enable
	sleep 0.$((RANDOM % 5))
	echo 0 > $TRACE/events/rs_torture/enable
	if [ "$2" = tracefs ]; then
		echo 0 > $TRACE/events/compaction/enable
		echo 0 > $TRACE/events/vmscan/enable
	fi
	echo '-:rs_torture/sfl_ret' >> $TRACE/kprobe_events || return 1
	echo > $TRACE/trace
}

# Fuzz every writable file on an idle guest (tests/guest/tools/rs-fuzz.c:
# at least 500 writes each, judged against the documented grammar).
rs_torture_fuzz() {
	local ds=$RS/demo_shrinker cap nodes out f
	if ! rs_insmod; then
		rs_fail fuzz_insmod "insmod failed"
		return
	fi
	rs_quiesce
	cap=$(rs_kv $ds/stats cap_objects)
	nodes=$(rs_nodes | wc -l)
	for f in reset grow drain; do
		case $f in
		reset) out=$(rs-fuzz reset $RS/reset $ds/stats count_calls 1 2>&1) ;;
		*) out=$(rs-fuzz $f $ds/$f $ds/stats objects 2 "$cap" "$nodes" 2>&1) ;;
		esac
		echo "RS-INFO fuzz $out"
		case "$out" in
		"rs-fuzz $f "[0-9]*) rs_expect_gt "fuzz_${f}_writes" "$(echo "$out" | awk '{ print $3 }')" 499 ;;
		*) rs_fail "fuzz_$f" "$out" ;;
		esac
	done
	echo 1 > $ds/drain
	rmmod reclaimscope || rs_fail fuzz_rmmod "rmmod failed"
}

# rs_fault_setup on|off: make GFP_KERNEL slab and page allocations of
# any order injectable (fail-nth), silently, or restore the defaults.
rs_fault_setup() {
	local d
	for d in /sys/kernel/debug/failslab /sys/kernel/debug/fail_page_alloc; do
		if [ "$1" = on ]; then
			echo N > $d/ignore-gfp-wait
			echo 0 > $d/verbose
		else
			echo Y > $d/ignore-gfp-wait
			echo 2 > $d/verbose
		fi
	done
	if [ "$1" = on ]; then
		echo 0 > /sys/kernel/debug/fail_page_alloc/min-order
		echo "rs-fault-window begin" > /dev/kmsg
	else
		echo 1 > /sys/kernel/debug/fail_page_alloc/min-order
		echo "rs-fault-window end" > /dev/kmsg
	fi
}

# rs_fault_field LINE KEY: the value of KEY=value in rs-failnth's line.
rs_fault_field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# Fault injection (kernels with CONFIG_FAULT_INJECTION): fail the 1st,
# 2nd, ... injectable allocation of a load, until a load makes fewer
# allocations than that (no failure injected).  A failed load must leave
# nothing behind; a load that survives an injected failure (a hook marked
# failed) must work and unload.  Then the same for a write to grow: it
# adds exactly what it says it added.  The host's verdict expects the
# kernel's allocation failure reports in this window, nothing else.
rs_torture_faults() {
	local n out inj rc ret step trials=0 failed=0 survived=0 bad='' before after
	[ -e /proc/self/fail-nth ] && [ -d /sys/kernel/debug/failslab ] || return 0
	step=$(rs_cmdline_arg faults_stride 1)
	rs_fault_setup on
	n=$((1 - step))
	while :; do
		n=$((n + step))
		trials=$((trials + 1))
		[ $((trials % 100)) = 0 ] && echo "RS-INFO faults_progress load $n"
		out=$(rs-failnth $n load /rs/reclaimscope.ko)
		inj=$(rs_fault_field "$out" injected)
		rc=$(rs_fault_field "$out" rc)
		if [ -z "$inj" ]; then
			bad="$bad no_result@$n:$out"
			break
		fi
		if [ "$rc" != 0 ]; then
			failed=$((failed + 1))
			if grep -qw reclaimscope /proc/modules || [ -d $RS ]; then
				bad="$bad left_behind@$n"
				rmmod reclaimscope 2>/dev/null
			fi
			[ "$inj" = 1 ] || bad="$bad failed_uninjected@$n:rc=$rc"
			continue
		fi
		[ "$inj" = 1 ] && survived=$((survived + 1))
		cat $RS/hooks $RS/summary > /dev/null || bad="$bad unreadable@$n"
		rmmod reclaimscope || bad="$bad rmmod@$n"
		[ "$inj" = 0 ] && break
	done
	echo "RS-INFO faults load: $trials trials (every ${step}th allocation up to $n)," \
		"$failed loads failed cleanly, $survived survived a failure," \
		"the last ran without one ($inj)"
	rs_expect_eq fault_load_ran_to_a_clean_load 0 "$inj"
	rs_expect_eq fault_load_nothing_wrong "" "$bad"

	bad=''
	rs_insmod || bad=insmod
	n=$((1 - step))
	trials=0
	while [ -z "$bad" ]; do
		n=$((n + step))
		trials=$((trials + 1))
		before=$(rs_kv $RS/demo_shrinker/stats objects)
		out=$(rs-failnth $n write $RS/demo_shrinker/grow "64 0")
		after=$(rs_kv $RS/demo_shrinker/stats objects)
		inj=$(rs_fault_field "$out" injected)
		ret=$(rs_fault_field "$out" ret)
		if [ -z "$inj" ]; then
			bad="$bad no_result@$n:$out"
			break
		fi
		if [ "$ret" -ge 0 ] 2>/dev/null; then
			# A full write returns its 4 bytes; a short one the
			# number of objects added.
			[ "$after" = $((before + ret)) ] ||
				{ [ "$ret" = 4 ] && [ "$after" = $((before + 64)) ]; } ||
				bad="$bad objects@$n:$before+$ret!=$after"
		elif [ "$after" != "$before" ]; then
			bad="$bad failed_write_changed@$n"
		fi
		echo 1 > $RS/demo_shrinker/drain
		[ "$inj" = 0 ] && break
	done
	rmmod reclaimscope || bad="$bad rmmod"
	rs_fault_setup off
	echo "RS-INFO faults grow: $trials trials (up to allocation $n)," \
		"the last ran without a failure ($inj)"
	rs_expect_eq fault_grow_ran_to_a_clean_write 0 "$inj"
	rs_expect_eq fault_grow_nothing_wrong "" "$bad"
}

# disable=: named hooks stay off and say so, an unknown name refuses the
# load and leaves nothing behind.
rs_torture_disable() {
	local st off
	if rs_insmod disable=no_such_hook 2>/dev/null; then
		rs_fail disable_unknown_refused "insmod accepted disable=no_such_hook"
		rmmod reclaimscope
	else
		rs_pass disable_unknown_refused
	fi
	rs_expect_eq disable_unknown_leaves_nothing "" "$(grep -w reclaimscope /proc/modules; ls -d $RS 2>/dev/null)"
	# balance_pgdat is timed by its kretprobe, or where the kernel has
	# them by two tracepoints: all three go, so nothing times it.
	off=balance_pgdat,mm_vmscan_balance_pgdat_begin,mm_vmscan_balance_pgdat_end
	off=$off,shrink_folio_list,try_to_compact_pages,mm_vmscan_kswapd_wake
	if ! rs_insmod disable=$off; then
		rs_fail disable_load "insmod with disable=$off failed"
		return
	fi
	st=$(awk -v off=",$off," 'index(off, "," $1 ",") { print $3 }' $RS/hooks |
		sort -u | paste -sd ' ')
	rs_expect_eq disable_hooks_disabled disabled "$st"
	rs_expect_eq disable_others_attached "" "$(rs_hooks_wrong "$off" | paste -sd ' ')"
	# A disabled hook counts nothing; the rest still do.
	rs_pressure > /dev/null 2>&1
	rs_expect_eq disable_no_balance_pgdat_calls 0 "$(rs_sum calls $RS/node*/balance_pgdat)"
	rs_expect_gt disable_wakeup_requests_counted "$(rs_sum wakeup_requests $RS/node*/kswapd)" 0
	# For the host's doctor check: hooks disabled.
	rs_export disabled
	rmmod reclaimscope || rs_fail disable_rmmod "rmmod failed"
}

# Lockdown (last: it cannot be lifted, and it refuses unsigned modules):
# raised to integrity with the module loaded, every readable file still
# reads, and the kernel refuses every write to a writable file.
rs_torture_lockdown() {
	local f bad=''
	mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
	[ -w /sys/kernel/security/lockdown ] || return 0
	rs_insmod || { rs_fail lockdown_insmod "insmod failed"; return; }
	echo integrity > /sys/kernel/security/lockdown
	rs_expect_eq lockdown_integrity 1 \
		"$(grep -c '\[integrity\]' /sys/kernel/security/lockdown)"
	# shellcheck disable=SC2044 # debugfs names have no spaces
	for f in $(find $RS -type f -perm -400); do
		cat "$f" > /dev/null 2>&1 || bad="$bad unreadable:${f#$RS/}"
	done
	rs_expect_eq lockdown_files_read "" "$bad"
	bad=''
	for f in reset demo_shrinker/drain demo_shrinker/grow; do
		{ echo 1 > $RS/$f; } 2>/dev/null && bad="$bad accepted:$f"
	done
	rs_expect_eq lockdown_writes_refused "" "$bad"
	# The CLI's snapshot and diagnose on this tree: the host runs them
	# (tests/check/cli_integration.py) and wants "reset is unavailable".
	rs_export lockdown
	rmmod reclaimscope || rs_fail lockdown_rmmod "rmmod failed"
}

rs_torture() {
	local cycles seconds mode ok=0 i t0 t1 pids p0 p1
	retries=0
	refused=0
	minprobe_hits=0
	cycles=$(rs_cmdline_arg cycles 30)
	seconds=$(rs_cmdline_arg seconds 0)
	mode=$(rs_cmdline_arg torture module)
	insmod_args=$(rs_cmdline_arg insmod "" | tr , ' ')
	minprobe_kind=$(rs_cmdline_arg minprobe kretprobe)
	pressure=$(rs_cmdline_arg pressure bursts)

	if [ "$mode" = module ]; then
		rs_torture_fuzz
		rs_torture_disable
		rs_torture_faults
	fi
	rm -f /tmp/torture.stop
	p0=$(rs_vmstat pageoutrun)
	rs_torture_pressure > /dev/null 2>&1 &
	pids=$!
	if [ "$mode" = module ]; then
		rs_torture_reader & pids="$pids $!"
		rs_torture_reader & pids="$pids $!"
		rs_torture_writer & pids="$pids $!"
	fi
	# Cycles start once the pressure has made kswapd run (pageoutrun
	# counts balance_pgdat() passes), so every cycle loads and unloads
	# under reclaim.
	for i in $(seq 1 120); do
		[ "$(rs_vmstat pageoutrun)" -gt "$p0" ] && break
		sleep 0.5
	done
	rs_expect_gt torture_pressure_before_cycles "$(rs_vmstat pageoutrun)" "$p0"
	p1=$(rs_vmstat pageoutrun)
	t0=$(cut -d' ' -f1 /proc/uptime)
	echo "RS-INFO torture_mode $mode cycles $cycles seconds $seconds"
	for i in $(seq 1 "$cycles"); do
		if [ "$seconds" -gt 0 ] &&
		   [ "$(cut -d. -f1 /proc/uptime)" -gt "$((${t0%.*} + seconds))" ]; then
			break
		fi
		if [ "$mode" = module ]; then
			rs_torture_module_cycle "$i" || break
		elif [ "$mode" = minprobe ]; then
			rs_torture_minprobe_cycle "$i" || break
		else
			rs_torture_tracefs_cycle "$i" "$mode" || break
		fi
		ok=$((ok + 1))
		[ $((i % 25)) = 0 ] && echo "RS-INFO torture_progress $i"
	done
	t1=$(cut -d' ' -f1 /proc/uptime)
	echo "RS-INFO torture_reclaim_during_cycles pageoutrun +$(($(rs_vmstat pageoutrun) - p1))"
	touch /tmp/torture.stop
	# shellcheck disable=SC2086
	wait $pids
	echo 0 > /proc/sys/vm/nr_hugepages

	echo "RS-INFO torture_cycles $ok in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s:" \
		"$(awk -v n=$ok -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", n / (b - a) }') cycles/s," \
		"$retries busy rmmods retried"
	if [ "$seconds" -gt 0 ]; then
		rs_expect_gt torture_cycles "$ok" 0
	else
		rs_expect_eq torture_cycles "$cycles" "$ok"
	fi
	if [ "$mode" = minprobe ]; then
		echo "RS-INFO torture_minprobe_cycles_with_hits $minprobe_hits"
		rs_expect_gt torture_minprobe_hits "$minprobe_hits" 0
	fi
	if [ "$mode" = module ]; then
		rs_expect_eq torture_rmmod_refused_while_open "$((ok / 10))" "$refused"
		[ -d $RS ] && rs_fail torture_unloaded "$RS still there"
	fi
	if [ -e /sys/kernel/debug/kmemleak ]; then
		# kmemleak reports objects unreferenced for 5 s or more; ours
		# have backtraces in reclaimscope, or in module text that can
		# no longer be named once the module is gone.
		sleep 6
		echo scan > /sys/kernel/debug/kmemleak
		echo scan > /sys/kernel/debug/kmemleak
		cat /sys/kernel/debug/kmemleak > /tmp/leaks
		rs_expect_eq torture_kmemleak_module_leaks 0 \
			"$(grep -cE 'reclaimscope|\] 0xffffffffc' /tmp/leaks)"
		# Any report, ours or the kernel's, goes to the host log.
		sed 's/^/RS-LEAK /' /tmp/leaks
	fi
	if [ "$mode" = module ]; then
		rs_torture_lockdown
	fi
}

rs_torture
