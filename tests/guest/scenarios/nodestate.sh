# SPDX-License-Identifier: GPL-2.0
# Node state scenario: watermarks against /proc/zoneinfo, compaction
# counters against /proc/vmstat and tracefs, boost events, dirty limits,
# and a node made hopeless on purpose.

rs_ns_watermarks() {
	local n z key mv zv bad='' z1 z2 noboost=
	for n in $(rs_nodes); do
		rs_zoneinfo > /tmp/zi1
		cat $RS/node$n/watermarks > /tmp/wm
		rs_zoneinfo > /tmp/zi2
		for z in $(awk '{ split($1, a, "."); if (a[2] == "free") print a[1] }' /tmp/wm); do
			b=$(rs_kv /tmp/wm $z.boost)
			for key in min low high; do
				mv=$(( $(rs_kv /tmp/wm $z.$key) + b ))
				zv=$(rs_kv /tmp/zi1 $n.$z.$key)
				[ "$mv" = "$zv" ] || bad="$bad node$n.$z.$key:$mv!=$zv"
			done
			for key in boost managed present spanned; do
				mv=$(rs_kv /tmp/wm $z.$key)
				zv=$(rs_kv /tmp/zi1 $n.$z.$key)
				# 5.10's zoneinfo has no boost line: there
				# boost is checked inside min, low and high.
				if [ "$key" = boost ] && [ "$zv" = missing ]; then
					noboost=1
					continue
				fi
				[ "$mv" = "$zv" ] || bad="$bad node$n.$z.$key:$mv!=$zv"
			done
			# free moves between reads by the drift of the two
			# zoneinfo reads and the per-CPU counter thresholds.
			z1=$(rs_kv /tmp/zi1 $n.$z.free)
			z2=$(rs_kv /tmp/zi2 $n.$z.free)
			mv=$(rs_kv /tmp/wm $z.free)
			slack=$(( (z1 > z2 ? z1 - z2 : z2 - z1) + $(rs_kv /tmp/zi1 $n.$z.threshold) ))
			lo=$(( (z1 < z2 ? z1 : z2) - slack ))
			hi=$(( (z1 > z2 ? z1 : z2) + slack ))
			[ "$mv" -ge "$lo" ] && [ "$mv" -le "$hi" ] ||
				bad="$bad node$n.$z.free:$mv!~[$lo,$hi]"
			nz=$((nz + 1))
		done
	done
	rs_expect_gt zones_compared "$nz" 1
	rs_expect_eq watermarks_eq_zoneinfo "" "$bad"
	[ -n "$noboost" ] &&
		echo "RS-INFO zoneinfo_boost_line absent: boost checked within min, low and high"
}

rs_ns_hopeless_matches() {
	local n bad=
	for n in $(rs_nodes); do
		h=$(rs_kv $RS/node$n/kswapd hopeless)
		u=$(rs_node_unreclaimable $n)
		[ "$h" = "$u" ] || bad="$bad node$n:$h!=$u"
	done
	rs_expect_eq "hopeless_eq_zoneinfo_$1" "" "$bad"
}

rs_ns_dirty() {
	local total=0 n thr
	for n in $(rs_nodes); do
		total=$((total + $(rs_kv $RS/node$n/dirty dirty_limit)))
		rs_expect_eq "dirty_ok_idle_node$n" 1 "$(rs_kv $RS/node$n/dirty dirty_ok)"
	done
	thr=$(rs_vmstat nr_dirty_threshold)
	# The kernel computes the global threshold with vm.dirty_ratio
	# pre-scaled to pages; the node limits add up to it within 0.2%.
	d=$((total > thr ? total - thr : thr - total))
	if [ "$d" -le $((thr / 500 + 8)) ]; then
		rs_pass dirty_limits_sum_eq_global "$total ~ $thr"
	else
		rs_fail dirty_limits_sum_eq_global "$total vs nr_dirty_threshold $thr"
	fi
}

rs_ns_compaction() {
	local n runs=0 wakes=0
	rs_snapshot /tmp/before
	rs_trace_start compaction/mm_compaction_begin
	# Fragment memory with page cache, then ask for huge pages: hugetlb
	# allocations compact directly, and transparent huge page faults
	# with defrag "defer" wake kswapd and kcompactd without reclaiming
	# themselves (wakeup_kswapd() wakes kcompactd for a node that is
	# balanced but fragmented).
	thp=/sys/kernel/mm/transparent_hugepage
	if [ -d $thp ]; then
		thp_enabled=$(sed 's/.*\[\(.*\)\].*/\1/' $thp/enabled)
		thp_defrag=$(sed 's/.*\[\(.*\)\].*/\1/' $thp/defrag)
		echo always > $thp/enabled
		echo defer > $thp/defrag
	fi
	rs_fill_cache
	taskset 1 dd if=/dev/zero of=/dev/null bs=128M count=1 2>/dev/null &
	taskset 2 dd if=/dev/zero of=/dev/null bs=128M count=1 2>/dev/null &
	wait
	rs_fill_cache
	echo 100 > /proc/sys/vm/nr_hugepages
	echo 1 > /proc/sys/vm/compact_memory
	sleep 2
	echo 0 > /proc/sys/vm/nr_hugepages
	if [ -d $thp ]; then
		echo "$thp_enabled" > $thp/enabled
		echo "$thp_defrag" > $thp/defrag
	fi
	rs_quiesce
	sleep 2
	rs_trace_stop
	rs_snapshot /tmp/after
	for n in $(rs_nodes); do
		runs=$((runs + $(rs_delta node$n/compaction runs)))
		wakes=$((wakes + $(rs_delta node$n/compaction kcompactd_wakes)))
		r=$(awk '$1 ~ /^result_/ { s += $2 } END { print s + 0 }' /tmp/after/node$n/compaction)
		rs_expect_eq "compaction_results_eq_runs_node$n" \
			"$(rs_kv /tmp/after/node$n/compaction runs)" "$r"
	done
	rs_expect_eq kcompactd_wakes_eq_compact_daemon_wake \
		"$(rs_delta vmstat compact_daemon_wake)" "$wakes"
	# This workload wakes kcompactd in some runs only (kswapd wakes it
	# when its order-9 balance falls back on a fragmented node): the
	# equality holds either way, and fragment.sh makes wakes certain.
	echo "RS-INFO kcompactd_wakes $wakes"
	rs_expect_eq compaction_runs_eq_tracefs "$(rs_trace_total mm_compaction_begin)" "$runs"
	rs_expect_gt compaction_runs_nonzero "$runs" 0
	echo "RS-INFO deferred $(cat $RS/node*/compaction | awk '$1 ~ /(deferred_events|defer_events)$/ { s += $2 } END { print s + 0 }')"
	rs_dump $RS/node*/compaction
	rs_export compaction
}

# Watermark boost needs an allocation to steal part of a pageblock of
# another migratetype, which happens when free memory is scarce and
# fragmented: rs_ns_hopeless() makes exactly that on node 1 (kernel
# allocations fall back into the movable blocks tmpfs fills).
rs_ns_boost() {
	local ev
	ev=$(cat $RS/node*/boost | awk '$1 ~ /\.boost_events$/ { s += $2 } END { print s + 0 }')
	echo "RS-INFO boost_factor $(cat /proc/sys/vm/watermark_boost_factor) extfrag_hits $(awk '$1 == "mm_page_alloc_extfrag" { print $4 }' $RS/hooks)"
	# A boost needs a partial pageblock steal, which this fill makes in
	# some runs only; fragment.sh makes it certain and checks it.
	echo "RS-INFO boost_events $ev"
	rs_dump $RS/node*/boost
}

# rs_ns_fill_step NID NAME: if the node's free memory is at or above its
# low watermark (zoneinfo's, which includes the boost), write half the
# low-min gap to the bound tmpfs as file NAME, so the fill never crosses
# min, and return 0; return 1 when free is below low.
rs_ns_fill_step() {
	local c
	c=$(rs_zoneinfo | awk -v n="$1" 'index($1, n ".") == 1 {
		k = $1; sub(/.*\./, "", k); s[k] += $2 }
	END { if (s["free"] >= s["low"]) print int((s["low"] - s["min"]) / 2) + 1 }')
	[ -n "$c" ] || return 1
	dd if=/dev/zero of=/mnt/h/$2 bs=4k count=$c 2>/dev/null
}

# Fill node 1 with tmpfs pages (no swap: reclaim cannot free them) until
# its free memory is just under the low watermark, above min: kswapd
# wakes, reclaims nothing 16 times in a row and the node goes hopeless.
# Whatever kswapd can still reclaim there (slab, page cache) lifts free
# above low again for a while, so the fill goes on until the node is
# hopeless: a Debian 6.12 run once reclaimed its way back above high.
# 7.x reports kswapd's failures itself (mm_vmscan_kswapd_reclaim_fail)
# and why a count went back to 0 (mm_vmscan_kswapd_clear_hopeless):
# the module's reclaim_fails and hopeless_resets_* against tracefs, per
# node and reason, from before the fill until node 1 is hopeless and
# every kswapd sleeps.  Then neither event can fire: kswapd is not woken
# for a hopeless node (node 0 has memory to spare), only a running
# kswapd fails, and only a reclaim that frees something on node 1 could
# reset its count (nothing allocates there: this shell runs on node 0).
rs_ns_failure_events() {
	local n r
	rs_wait_kswapd_asleep
	rs_trace_stop
	rs_snapshot /tmp/after
	for n in $(rs_nodes); do
		rs_expect_eq "reclaim_fails_eq_tracefs_node$n" \
			"$(rs_trace_count mm_vmscan_kswapd_reclaim_fail "$n")" \
			"$(rs_delta node$n/kswapd reclaim_fails)"
		for r in kswapd direct pcp other; do
			rs_expect_eq "hopeless_resets_${r}_eq_tracefs_node$n" \
				"$(grep -cE " mm_vmscan_kswapd_clear_hopeless: nid=$n reason=$(echo $r | tr a-z A-Z)\$" /tmp/trace.txt)" \
				"$(rs_delta node$n/kswapd hopeless_resets_$r)"
		done
	done
	# Node 1 went hopeless in the window: 16 failures at least.
	rs_expect_gt reclaim_fails_node1 "$(rs_delta node1/kswapd reclaim_fails)" 15
}

rs_ns_hopeless() {
	local n=1 i failures events=
	mkdir -p /mnt/h
	mount -t tmpfs -o mpol=bind:$n,size=100% tmpfs /mnt/h || {
		rs_fail hopeless_tmpfs "cannot mount a tmpfs bound to node $n"
		return
	}
	rs_quiesce
	# This shell and what it runs stay on node 0's CPU, so that they
	# leave no slab on node 1 for kswapd to reclaim there.
	rs_pin_self 1
	# A boost raises min and low together, by up to max_boost; factor 1
	# keeps that to one pageblock, so filling cannot cross min.
	boost_factor=$(cat /proc/sys/vm/watermark_boost_factor)
	echo 1 > /proc/sys/vm/watermark_boost_factor
	if [ -d $TRACE/events/vmscan/mm_vmscan_kswapd_reclaim_fail ]; then
		events=1
		rs_wait_kswapd_asleep
		rs_snapshot /tmp/before
		rs_trace_start vmscan/mm_vmscan_kswapd_reclaim_fail \
			vmscan/mm_vmscan_kswapd_clear_hopeless
	else
		echo "RS-INFO kswapd_failure_events absent: no mm_vmscan_kswapd_reclaim_fail in this kernel"
	fi
	i=0
	while [ $i -lt 2000 ] && rs_ns_fill_step $n f$i; do
		i=$((i + 1))
	done
	# Allocations below low take the slow path, which wakes kswapd.
	dd if=/dev/zero of=/mnt/h/last bs=4k count=1 2>/dev/null
	for i in $(seq 1 240); do
		failures=$(rs_kv $RS/node$n/kswapd failures)
		[ "$failures" -ge 16 ] && break
		rs_ns_fill_step $n more$i
		sleep 0.5
	done
	rs_expect_gt "hopeless_failures_node$n" "$failures" 15
	rs_expect_eq "hopeless_node$n" 1 "$(rs_kv $RS/node$n/kswapd hopeless)"
	rs_ns_hopeless_matches hopeless
	[ -n "$events" ] && rs_ns_failure_events
	rs_dump $RS/summary $RS/node$n/kswapd
	rs_export hopeless
	rs_ns_boost
	rm -f /mnt/h/*
	umount /mnt/h
	echo "$boost_factor" > /proc/sys/vm/watermark_boost_factor
	rs_pin_self 3
}

if rs_insmod; then
	rs_pass insmod loaded
	rs_ns_watermarks
	rs_ns_hopeless_matches idle
	rs_ns_dirty
	rs_expect_eq summary_lines "$(rs_nodes | wc -l)" "$(grep -c '^node' $RS/summary)"
	rs_dump $RS/summary $RS/node*/watermarks $RS/node*/dirty
	rs_ns_compaction
	rs_ns_hopeless
	rmmod reclaimscope && rs_pass rmmod || rs_fail rmmod
else
	rs_fail insmod "insmod failed"
fi
