# SPDX-License-Identifier: GPL-2.0
# Helpers for guest scenarios (busybox sh).  Results are printed as
#   RS-CHECK PASS|FAIL <name> <detail>
# and counted by the host (tests/check/verdict.py).

RS=/sys/kernel/debug/reclaimscope
TRACE=/sys/kernel/tracing

# busybox sh has "local": helpers must not clobber their callers' variables.
rs_pass() { echo "RS-CHECK PASS $*"; }
rs_fail() { echo "RS-CHECK FAIL $*"; }

# rs_expect_eq NAME EXPECTED ACTUAL
rs_expect_eq() {
	if [ "$2" = "$3" ]; then rs_pass "$1" "$3"; else rs_fail "$1" "expected $2, got $3"; fi
}

# rs_expect_gt NAME VALUE LIMIT
rs_expect_gt() {
	if [ "$2" -gt "$3" ] 2>/dev/null; then rs_pass "$1" "$2 > $3"; else rs_fail "$1" "$2 is not > $3"; fi
}

# rs_expect_ge NAME VALUE LIMIT
rs_expect_ge() {
	if [ "$2" -ge "$3" ] 2>/dev/null; then rs_pass "$1" "$2 >= $3"; else rs_fail "$1" "$2 is not >= $3"; fi
}

# rs_expect_le NAME VALUE LIMIT
rs_expect_le() {
	if [ "$2" -le "$3" ] 2>/dev/null; then rs_pass "$1" "$2 <= $3"; else rs_fail "$1" "$2 is not <= $3"; fi
}

# rs_kv FILE KEY: the value of KEY in a "key value" file.
rs_kv() { awk -v k="$2" '$1 == k { print $2; f = 1 } END { if (!f) print "missing" }' "$1"; }

# rs_col FILE KEYCOL KEY COL: column COL of the row of a table file
# (tasks, cgroups: a header line, then rows) whose KEYCOL is KEY;
# "missing" when no row has it.
rs_col() {
	awk -v kc="$2" -v kv="$3" -v c="$4" '
		NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
		$h[kc] == kv { print $h[c]; f = 1; exit }
		END { if (!f) print "missing" }' "$1"
}

# rs_col_sum FILE COL: column COL of a table file summed over its rows,
# "other" included.
rs_col_sum() {
	awk -v c="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
		{ t += $h[c] }
		END { printf "%.0f\n", t }' "$1"
}

# rs_task_delta PID COL: the tasks file's COL for PID in the window,
# /tmp/after minus /tmp/before (a row that did not exist counts as 0).
rs_task_delta() {
	local a b
	a=$(rs_col /tmp/after/tasks pid "$1" "$2")
	b=$(rs_col /tmp/before/tasks pid "$1" "$2")
	[ "$a" = missing ] && a=0
	[ "$b" = missing ] && b=0
	echo $((a - b))
}

# rs_has_keys FILE KEY...: adds "file:key=value" to the caller's $bad
# for each key missing or not a decimal number.
rs_has_keys() {
	local f=$1 k v
	shift
	for k in "$@"; do
		v=$(rs_kv "$f" "$k")
		case "$v" in
		-[0-9]*|[0-9]*) ;;
		*) bad="$bad ${f#$RS/}:$k=$v" ;;
		esac
	done
}

# rs_vmstat KEY
rs_vmstat() { rs_kv /proc/vmstat "$1"; }

rs_nodes() { ls -d /sys/devices/system/node/node* | sed 's/.*node//' | sort -n; }

rs_insmod() { insmod /rs/reclaimscope.ko "$@"; }

# rs_pin_self CPUMASK: this shell, and what it runs from now on, on the
# CPUs of CPUMASK.  (In a subshell $$ is the parent's pid; /proc/self,
# opened by the shell itself, is this one's.)
rs_pin_self() {
	local self rest
	read -r self rest < /proc/self/stat
	taskset -p "$1" "$self" > /dev/null
}

# rs_quiesced CMD...: run CMD with every CPU but CPU 0 offline, for the
# harness's own changes to kernel text (static keys: lru_gen, trace
# events; enabling any event also patches trace_sched_switch into
# __schedule() for comm recording).  Multi-threaded TCG can keep running
# a block it translated from the old bytes on another vCPU after the
# kernel's text_poke_bp() has finished and synchronised every CPU: CI saw
# "Oops: int3" in __schedule() over memory holding the final NOP, with no
# reclaimscope code involved.  An offline CPU runs nothing but its idle
# loop, so nothing can translate the bytes being patched.  The module's
# own load and unload are not quiesced: the torture scenario tests them
# live.
rs_quiesced() {
	local c rc=0
	for c in /sys/devices/system/cpu/cpu[1-9]*/online; do
		[ -e "$c" ] || continue
		if ! echo 0 > "$c"; then
			rs_fail quiesce "cannot offline ${c%/online}"
			rc=1
		fi
	done
	[ $rc -eq 0 ] && { "$@" || rc=$?; }
	for c in /sys/devices/system/cpu/cpu[1-9]*/online; do
		[ -e "$c" ] || continue
		echo 1 > "$c" || { rs_fail quiesce "cannot online ${c%/online}"; rc=1; }
	done
	return $rc
}

# rs_cmdline_arg NAME [DEFAULT]: the value of rs.NAME=VALUE on the kernel
# command line (the last one given), or DEFAULT.
rs_cmdline_arg() {
	local arg v=${2:-}
	for arg in $(cat /proc/cmdline); do
		case "$arg" in "rs.$1="*) v=${arg#rs.$1=} ;; esac
	done
	echo "$v"
}

rs_write() { echo "$1" > "$2"; }	# VALUE FILE

# rs_lru_gen_from_cmdline: kernel command line rs.lru_gen=N writes N to
# /sys/kernel/mm/lru_gen/enabled (0 selects the classic LRU on a kernel
# that enables MGLRU).
rs_lru_gen_from_cmdline() {
	local v
	v=$(rs_cmdline_arg lru_gen)
	[ -n "$v" ] || return 0
	rs_quiesced rs_write "$v" /sys/kernel/mm/lru_gen/enabled
}

# rs_hooks_wrong [DISABLED]: "name:state(want W)" for every row of the
# hooks file whose state is not the one the running kernel's own lists
# call for.  A hook named in DISABLED (comma-separated, as for disable=)
# must be disabled.  A tracepoint must be attached where tracefs has its
# event, else missing.  A kretprobe must be attached where /proc/kallsyms
# has its symbol (shrink_folio_list: or shrink_page_list), else missing;
# but standby where the tracepoints that stand in for it,
# mm_vmscan_<name>_begin and _end, are both attached.
rs_hooks_wrong() {
	local name kind st want sym
	awk 'NR > 1 { print $1, $2, $3 }' $RS/hooks > /tmp/hooks.now
	while read -r name kind st; do
		case ",${1:-}," in
		*",$name,"*) want=disabled ;;
		*)
			want=missing
			if [ "$kind" = tracepoint ]; then
				for sym in "$TRACE"/events/*/"$name"; do
					[ -d "$sym" ] && want=attached
				done
			else
				for sym in "$name" "$([ "$name" = shrink_folio_list ] && echo shrink_page_list)"; do
					[ -n "$sym" ] && grep -qE " [tT] $sym\$" /proc/kallsyms && want=attached
				done
				[ "$want" = attached ] &&
					[ "$(awk -v b="mm_vmscan_${name}_begin" -v e="mm_vmscan_${name}_end" \
						'($1 == b || $1 == e) && $3 == "attached"' /tmp/hooks.now | wc -l)" = 2 ] &&
					want=standby
			fi
			;;
		esac
		[ "$st" = "$want" ] || echo "$name:$st(want $want)"
	done < /tmp/hooks.now
}

# Show a debugfs file to the host log, one "RS-FILE <path> <line>" per line.
rs_dump() {
	local f
	for f in "$@"; do
		sed "s|^|RS-FILE ${f#$RS/} |" "$f"
	done
}

# Fill memory with page cache: stream the (sparse) virtio disk from both
# CPUs at once, so both nodes fill and both kswapds wake.  A guest with
# one CPU online (make bench's whole-workload run) streams one half from
# that one: as much as the guest has memory, enough to fill it.
rs_fill_cache() {
	local size half
	size=$(cat /sys/block/vda/size 2>/dev/null || echo 0)
	if [ "$size" -eq 0 ]; then
		rs_fail pressure_disk "no /dev/vda"
		return
	fi
	half=$((size / 2 / 2048))
	if [ ! -e /sys/devices/system/cpu/cpu1/online ] ||
	   [ "$(cat /sys/devices/system/cpu/cpu1/online)" != 1 ]; then
		dd if=/dev/vda of=/dev/null bs=1M count=$half 2>/dev/null
		return
	fi
	taskset 1 dd if=/dev/vda of=/dev/null bs=1M count=$half 2>/dev/null &
	taskset 2 dd if=/dev/vda of=/dev/null bs=1M skip=$half 2>/dev/null &
	wait
}

# An anonymous burst that forces the page cache out: 256 MiB touched
# twice, no I/O.
rs_anon_burst() {
	dd if=/dev/zero of=/dev/null bs=256M count=2 2>/dev/null
}

# Memory pressure: the page cache fills memory, then an anonymous burst
# forces it out.
rs_pressure() {
	rs_fill_cache
	rs_anon_burst
}

# Pressure that outruns kswapd so allocating tasks reclaim directly.
# kswapd is woken when a zone's free pages fall below the low watermark
# and allocations reclaim directly below min; the gap between the two is
# made as small as the sysctls allow (min_free_kbytes and
# watermark_scale_factor at their floor), the page cache is filled, then
# two anonymous allocators (one per CPU) race kswapd.  Sized to stay
# clear of the OOM killer; the sysctls are restored after.
rs_direct_pressure() {
	local mfk wsf
	mfk=$(cat /proc/sys/vm/min_free_kbytes)
	wsf=$(cat /proc/sys/vm/watermark_scale_factor)
	echo 128 > /proc/sys/vm/min_free_kbytes
	echo 1 > /proc/sys/vm/watermark_scale_factor
	rs_pressure
	taskset 1 dd if=/dev/zero of=/dev/null bs=200M count=2 2>/dev/null &
	taskset 2 dd if=/dev/zero of=/dev/null bs=200M count=2 2>/dev/null &
	wait
	echo "$wsf" > /proc/sys/vm/watermark_scale_factor
	echo "$mfk" > /proc/sys/vm/min_free_kbytes
}

# Bring the guest back to idle: drop the page cache so no allocation
# needs kswapd, and give kswapd time to go back to sleep.
rs_quiesce() {
	sync
	echo 3 > /proc/sys/vm/drop_caches
	sleep 1
}

# rs_wait_kswapd_asleep: wait up to 60 s until every node's kswapd is
# asleep as the module saw it (node<N>/kswapd awake 0): a window that
# closes then has nothing in flight.
rs_wait_kswapd_asleep() {
	local i n awake
	for i in $(seq 1 120); do
		awake=0
		for n in $(rs_nodes); do
			awake=$((awake + $(rs_kv $RS/node$n/kswapd awake)))
		done
		[ "$awake" -eq 0 ] && return 0
		sleep 0.5
	done
	rs_fail kswapd_asleep "a kswapd is still awake after 60 s"
	return 1
}

# rs_trace_start EVENT...: a fresh trace of EVENTs, in a ring buffer of
# $RS_TRACE_KB KiB per CPU (default 2048).
rs_trace_start() {
	echo 0 > $TRACE/tracing_on
	echo > $TRACE/trace
	echo "${RS_TRACE_KB:-2048}" > $TRACE/buffer_size_kb
	rs_quiesced rs_trace_enable "$@"
	echo 1 > $TRACE/tracing_on
}

rs_trace_enable() {
	local ev
	for ev in "$@"; do
		echo 1 > "$TRACE/events/$ev/enable"
	done
}

rs_trace_stop() {
	local overrun o s ev
	echo 0 > $TRACE/tracing_on
	rs_quiesced rs_write 0 $TRACE/events/enable
	cat $TRACE/trace > /tmp/trace.txt
	overrun=0
	for s in $TRACE/per_cpu/cpu*/stats; do
		o=$(awk '$1 == "overrun:" { print $2 }' "$s")
		overrun=$((overrun + o))
	done
	rs_expect_eq trace_no_overrun 0 "$overrun"
}

# rs_trace_count EVENT NID: events in the last trace window for node NID.
rs_trace_count() {
	grep -cE " $1: nid=$2( |\$)" /tmp/trace.txt
}

# rs_trace_total EVENT: events in the last trace window, all nodes.
rs_trace_total() {
	grep -c " $1: " /tmp/trace.txt
}

# rs_sum FILE_GLOB KEY: KEY summed over files (e.g. every node).
rs_sum() {
	local k=$1
	shift
	cat "$@" | awk -v k="$k" '$1 == k { s += $2 } END { print s + 0 }'
}

# rs_hist_total FILE: the number of samples in a file's histogram.
rs_hist_total() {
	awk '$1 ~ /^latency_us_/ { s += $2 } END { print s + 0 }' "$1"
}

# rs_zoneinfo: /proc/zoneinfo flattened to "<nid>.<Zone>.<key> <value>"
# lines (free, boost, min, low, high, spanned, present, managed,
# node_unreclaimable, and the sum of the per-CPU "vm stats threshold").
rs_zoneinfo() {
	awk '
	/^Node [0-9]+, zone/ { sub(",", "", $2); z = $2 "." $4; next }
	$1 == "pages" && $2 == "free" { print z ".free " $3; next }
	$1 ~ /^(boost|min|low|high|spanned|present|managed)$/ && NF == 2 { print z "." $1 " " $2; next }
	$1 == "node_unreclaimable:" { print z ".node_unreclaimable " $2; next }
	$1 == "vm" && $2 == "stats" && $3 == "threshold:" { t[z] += $4 }
	END { for (k in t) print k ".threshold " t[k] }
	' /proc/zoneinfo
}

# rs_node_unreclaimable NID: node_unreclaimable as /proc/zoneinfo prints it.
rs_node_unreclaimable() {
	rs_zoneinfo | awk -v n="$1" 'index($1, n ".") == 1 && $1 ~ /\.node_unreclaimable$/ { print $2; exit }'
}

# rs_snapshot DIR: copy every readable file of the module, and vmstat.
rs_snapshot() {
	local f
	rm -rf "$1"
	for f in $(cd $RS && find . -type f -perm -400); do
		mkdir -p "$1/${f%/*}"
		cat "$RS/$f" > "$1/$f"
	done
	cp /proc/vmstat "$1/vmstat"
}

# rs_capture DIR: rs_snapshot, with proc/vmstat, proc/zoneinfo and
# proc/uptime beside the module's files, proc/pressure/memory (PSI, where
# the kernel has it), each node's vmstat under sys/devices/system/node/,
# and security/lockdown where securityfs is mounted: the tree the CLI
# reads with --root (scripts/reclaimscope).
rs_capture() {
	local n
	rs_snapshot "$1"
	mkdir -p "$1/proc"
	mv "$1/vmstat" "$1/proc/vmstat"
	cat /proc/uptime > "$1/proc/uptime"
	cat /proc/zoneinfo > "$1/proc/zoneinfo"
	if [ -r /proc/pressure/memory ]; then
		mkdir -p "$1/proc/pressure"
		cat /proc/pressure/memory > "$1/proc/pressure/memory"
	fi
	for n in $(rs_nodes); do
		mkdir -p "$1/sys/devices/system/node/node$n"
		cat "/sys/devices/system/node/node$n/vmstat" > \
			"$1/sys/devices/system/node/node$n/vmstat"
	done
	if [ -r /sys/kernel/security/lockdown ]; then
		mkdir -p "$1/security"
		cat /sys/kernel/security/lockdown > "$1/security/lockdown"
	fi
	# What diagnose and top read beside the module's files: THP
	# settings, and the memory files of each cgroup v2 group (two
	# levels down; the scenarios make theirs at the top).
	mkdir -p "$1/sys/kernel/mm/transparent_hugepage"
	for n in enabled defrag hpage_pmd_size; do
		cat /sys/kernel/mm/transparent_hugepage/$n > \
			"$1/sys/kernel/mm/transparent_hugepage/$n" 2>/dev/null
	done
	if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
		for n in /sys/fs/cgroup /sys/fs/cgroup/* /sys/fs/cgroup/*/*; do
			[ -d "$n" ] || continue
			mkdir -p "$1$n"
			for f in "$n"/memory.events "$n"/memory.max "$n"/memory.high \
				 "$n"/memory.current "$n"/memory.pressure; do
				[ -r "$f" ] && cat "$f" > "$1$f"
			done
		done
	fi
	# What "reclaimscope doctor --root" reads (the text files; the guest
	# has no /boot, headers or DKMS, which doctor reports as unknown).
	mkdir -p "$1/proc/sys/kernel" "$1/sys/firmware" "$1/sys/module/module/parameters"
	for n in osrelease tainted; do
		cat /proc/sys/kernel/$n > "$1/proc/sys/kernel/$n"
	done
	for n in mounts modules cmdline; do
		cat /proc/$n > "$1/proc/$n"
	done
	[ -d /sys/firmware/efi ] && mkdir -p "$1/sys/firmware/efi"
	cat /sys/module/module/parameters/sig_enforce > \
		"$1/sys/module/module/parameters/sig_enforce" 2>/dev/null
	if [ -d /sys/module/reclaimscope ]; then
		mkdir -p "$1/sys/module/reclaimscope/parameters"
		cat /sys/module/reclaimscope/taint > "$1/sys/module/reclaimscope/taint"
		for n in /sys/module/reclaimscope/parameters/*; do
			[ -r "$n" ] && cat "$n" > "$1/sys/module/reclaimscope/parameters/${n##*/}"
		done
	fi
}

# rs_export LABEL [DIR]: print a captured tree (rs_capture) to the host
# log, one "RS-TREE <label> <path> <line>" line per line, each file
# announced by "RS-TREE-FILE <label> <path>" (tests/check/trees.py
# rebuilds it).  Without DIR the tree is captured now.
rs_export() {
	local d=${2:-/tmp/export/$1} f
	[ -n "${2:-}" ] || rs_capture "$d"
	for f in $(cd "$d" && find . -type f | sed 's|^\./||' | sort); do
		echo "RS-TREE-FILE $1 $f"
		sed "s|^|RS-TREE $1 $f |" "$d/$f"
	done
}

# rs_sampler_start DIR SECONDS / rs_sampler_stop: capture a tree into
# DIR/000, DIR/001, ... every SECONDS while a workload runs (printed
# later with rs_export, so nothing interleaves with other output).  The
# sampler is a grandchild, so the workload's own "wait" does not wait
# for it.
rs_sampler_start() {
	rm -rf "$1" /tmp/sampler.stop /tmp/sampler.done
	mkdir -p "$1"
	( (
		i=0
		while [ ! -f /tmp/sampler.stop ]; do
			rs_capture "$1/$(printf %03d $i)"
			i=$((i + 1))
			sleep "$2"
		done
		touch /tmp/sampler.done
	) & )
}

rs_sampler_stop() {
	touch /tmp/sampler.stop
	while [ ! -f /tmp/sampler.done ]; do
		sleep 0.2
	done
}

# rs_delta FILE KEY: KEY in /tmp/after/FILE minus KEY in /tmp/before/FILE.
rs_delta() {
	echo $(( $(rs_kv /tmp/after/$1 $2) - $(rs_kv /tmp/before/$1 $2) ))
}

# rs_delta_sum KEY FILE...: rs_delta summed over files.
rs_delta_sum() {
	local k=$1 f t=0
	shift
	for f in "$@"; do
		t=$((t + $(rs_delta $f $k)))
	done
	echo $t
}
