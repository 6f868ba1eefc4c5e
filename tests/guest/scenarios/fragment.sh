# SPDX-License-Identifier: GPL-2.0
# Fragmentation scenario: node 1's free memory is cut into single pages
# between mlocked ones (rs-frag, tests/guest/tools/rs-frag.c), then
#
#  1. unmovable allocations on node 1 (the demo shrinker's pool) must
#     fall back into movable pageblocks one page at a time: each such
#     steal boosts the zone's watermark, which wakes kswapd, and a
#     boosted balance_pgdat() pass ends by waking kcompactd;
#  2. huge pages asked of node 1 need compaction, which cannot move
#     mlocked pages (vm.compact_unevictable_allowed=0): it fails, is
#     deferred, and the next attempts are skipped as deferred.
#
# Checked against tracefs (extfrag steals, compaction deferral events,
# kcompactd wakes) and /proc/vmstat (compact_daemon_wake).
#
# The huge page requests compact and reclaim directly, in this shell
# (echo is a builtin): direct_compaction's stalls == /proc/vmstat
# compact_stall, its order<K>_calls == mm_compaction_try_to_compact_pages
# events of order K; and per pid, the tasks file's direct_stalls and
# compact_stalls move by the direct reclaim begins and compaction stalls
# of that pid (the trace shows which tasks called; every caller must have
# its row, and rows plus other add up to the totals).

FRAG_NODE=1
HP=/sys/devices/system/node/node$FRAG_NODE/hugepages/hugepages-2048kB/nr_hugepages

# frag_trace_zone_count EVENT NID ZONE: tracefs events for one zone.
frag_trace_zone_count() {
	awk -v ev="$1:" -v n="node=$2" -v z="zone=$3" '
	{ for (i = 1; i <= NF; i++) if ($i == ev) break }
	i <= NF && $(i + 1) == n && $(i + 2) == z { c++ }
	END { print c + 0 }' /tmp/trace.txt
}

# frag_last_defer NID ZONE: "<log2 limit> <order_failed>" from the last
# deferral event of the zone in the trace, or nothing.
frag_last_defer() {
	awk -v n="node=$1" -v z="zone=$2" '
	/ mm_compaction_(deferred|defer_compaction|defer_reset): / {
		for (i = 1; i <= NF; i++) if ($i ~ /^mm_compaction_/) break
		if ($(i + 1) != n || $(i + 2) != z) next
		for (; i <= NF; i++) {
			if ($i ~ /^order_failed=/) { sub(/.*=/, "", $i); of = $i }
			if ($i ~ /^limit=/) { sub(/.*=/, "", $i); l = $i }
		}
		shift = 0
		while (2 ^ shift < l) shift++
		last = shift " " of
	}
	END { print last }' /tmp/trace.txt
}

# frag_zone_sum DIR FILE FIELD: <Zone>.FIELD summed over every zone of
# every node, in a snapshot (/tmp/before, /tmp/after) or live ($RS).
frag_zone_sum() {
	cat $1/node*/$2 | awk -v f="$3" '
	{ k = $1; sub(/^[^.]*\./, "", k) } k == f { s += $2 } END { print s + 0 }'
}

# frag_wait_quiet: wait (up to 60 s) until the counters the window
# compares with tracefs have not moved for 2 s, so nothing is in flight
# when the trace starts or stops.
frag_counters() {
	cat $RS/node*/compaction $RS/node*/kswapd | awk '$1 ~ /(kcompactd_wakes|^runs|deferred_events|defer_events|defer_resets|^wakes)$/'
}

frag_wait_quiet() {
	local i a b
	a=$(frag_counters | md5sum)
	for i in $(seq 1 30); do
		sleep 2
		b=$(frag_counters | md5sum)
		[ "$a" = "$b" ] && return 0
		a=$b
	done
	rs_fail frag_quiet "reclaim or compaction still running after 60 s"
}

frag_setup() {
	mfk=$(cat /proc/sys/vm/min_free_kbytes)
	wbf=$(cat /proc/sys/vm/watermark_boost_factor)
	cua=$(cat /proc/sys/vm/compact_unevictable_allowed)
	cpr=$(cat /proc/sys/vm/compaction_proactiveness 2>/dev/null || echo)
	rs_quiesce
	# Only the window's requests compact: no proactive compaction.
	[ -n "$cpr" ] && echo 0 > /proc/sys/vm/compaction_proactiveness
	# No boost until the window. The set-up's own unmovable allocations
	# on node 1 (rs-frag's page tables, the trace buffer) steal too, and
	# every boost wakes kswapd for a pass that can reclaim nothing there
	# (the node is mlocked): sixteen such passes make the node hopeless,
	# and kswapd is then never woken in the window. The debug kernel
	# got there before the window, Debian 6.1 and 6.12 within a pass.
	echo 0 > /proc/sys/vm/watermark_boost_factor
	echo 0 > /proc/sys/vm/compact_unevictable_allowed
	# rs-frag takes every free pageblock of the node (the last ones as
	# huge pages, which it empties from the pool only when killed), which
	# leaves less than a pageblock free: the min watermark must be below
	# that while it runs, or its last allocations would have to reclaim.
	echo 128 > /proc/sys/vm/min_free_kbytes
	taskset 2 rs-frag $FRAG_NODE > /tmp/frag.out 2>&1 &
	frag_pid=$!
	for i in $(seq 1 600); do
		grep -q '^rs-frag ready' /tmp/frag.out && break
		kill -0 $frag_pid 2>/dev/null || break
		sleep 0.5
	done
	# Back to the real watermarks (this also clears any boost): half
	# the node is free now, in single pages.
	echo "$mfk" > /proc/sys/vm/min_free_kbytes
	if grep -q '^rs-frag ready' /tmp/frag.out; then
		rs_pass frag_ready "$(cat /tmp/frag.out)"
	else
		rs_fail frag_ready "$(cat /tmp/frag.out)"
		grep "^Node *$FRAG_NODE," /proc/pagetypeinfo
		return 1
	fi
	echo "RS-INFO buddyinfo $(grep "Node $FRAG_NODE," /proc/buddyinfo)"
	echo "RS-INFO highatomic_free $(grep "^Node *$FRAG_NODE, .* HighAtomic " /proc/pagetypeinfo)"
}

frag_restore() {
	kill $frag_pid 2>/dev/null
	wait $frag_pid 2>/dev/null
	echo 1 > $RS/demo_shrinker/drain
	echo 0 > $HP
	echo "$cua" > /proc/sys/vm/compact_unevictable_allowed
	echo "$wbf" > /proc/sys/vm/watermark_boost_factor
	[ -n "$cpr" ] && echo "$cpr" > /proc/sys/vm/compaction_proactiveness
}

frag_window() {
	local n z steals boost_events wakes hp defer

	# The trace runs before and after the window, whose ends are marked
	# in it while nothing runs: starting a trace allocates (its ring
	# buffer), which on the fragmented node would itself steal, boost
	# and wake kcompactd.
	rs_trace_start kmem/mm_page_alloc_extfrag \
		compaction/mm_compaction_deferred \
		compaction/mm_compaction_defer_compaction \
		compaction/mm_compaction_defer_reset \
		compaction/mm_compaction_kcompactd_wake \
		compaction/mm_compaction_try_to_compact_pages \
		vmscan/mm_vmscan_direct_reclaim_begin
	frag_wait_quiet
	# What the window needs of node 1: kswapd can be woken (fewer than
	# MAX_RECLAIM_RETRIES failures), and no zone boosted yet.
	rs_expect_gt "kswapd_wakeable_node$FRAG_NODE" 16 \
		"$(rs_kv $RS/node$FRAG_NODE/kswapd failures)"
	rs_expect_eq "unboosted_node$FRAG_NODE" 0 \
		"$(rs_kv $RS/node$FRAG_NODE/boost boosted_zones)"
	echo 15000 > /proc/sys/vm/watermark_boost_factor
	echo "rs: window start" > $TRACE/trace_marker
	rs_snapshot /tmp/before
	# 1. 32 MiB of unmovable pages on the fragmented node.
	echo "8192 $FRAG_NODE" > $RS/demo_shrinker/grow
	echo "RS-INFO demo_objects_node$FRAG_NODE $(rs_kv $RS/demo_shrinker/stats objects_node$FRAG_NODE)"
	# 2. Huge pages, one node, one more at a time, until compaction has
	# failed and deferred in the window; then two more, which the
	# deferral must skip. The zone can enter the window deferred already
	# (small high-order allocations on the fragmented node fail their
	# compaction during the set-up; CI once saw nine skips and no
	# deferral). Every attempt considers the zone at least once, and a
	# deferred zone is compacted again after at most
	# 1 << COMPACT_MAX_DEFER_SHIFT (64) considerations, so 100 attempts
	# bound the loop.
	d0=$(frag_zone_sum $RS compaction defer_events)
	hp=$(cat $HP)
	for i in $(seq 1 100); do
		echo $((hp + 1)) > $HP
		hp=$(cat $HP)
		[ "$(frag_zone_sum $RS compaction defer_events)" -gt "$d0" ] && break
	done
	echo "RS-INFO hugepage_attempts_to_defer $i"
	echo $((hp + 1)) > $HP
	echo $((hp + 2)) > $HP
	hp=$(cat $HP)
	rs_wait_kswapd_asleep
	frag_wait_quiet
	rs_snapshot /tmp/after
	echo "rs: window end" > $TRACE/trace_marker
	rs_trace_stop
	sed -n '/ rs: window start$/,/ rs: window end$/p' /tmp/trace.txt > /tmp/window.txt
	mv /tmp/window.txt /tmp/trace.txt
	echo "RS-INFO hugepages_node$FRAG_NODE $hp"

	# Boost: only a fallback that takes less than a pageblock boosts
	# (steal_suitable_fallback()), and the module counts a zone's boost
	# going from 0 to non-zero at most once per such steal.
	steals=$(awk '/ mm_page_alloc_extfrag: / {
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^fallback_order=/) { sub(/.*=/, "", $i); fo = $i }
			if ($i ~ /^pageblock_order=/) { sub(/.*=/, "", $i); po = $i }
		}
		if (fo < po) c++ }
	END { print c + 0 }' /tmp/trace.txt)
	boost_events=$(( $(frag_zone_sum /tmp/after boost boost_events) - \
		$(frag_zone_sum /tmp/before boost boost_events) ))
	rs_expect_gt partial_steals_nonzero "$steals" 0
	rs_expect_gt boost_events_nonzero "$boost_events" 0
	if [ "$boost_events" -le "$steals" ]; then
		rs_pass boost_events_le_partial_steals "$boost_events <= $steals"
	else
		rs_fail boost_events_le_partial_steals "$boost_events > $steals"
	fi
	rs_expect_gt "boosted_balance_passes_node$FRAG_NODE" \
		"$(rs_delta node$FRAG_NODE/boost boosted_balance_passes)" 0

	# kcompactd: a boosted balance_pgdat() pass wakes it at the end.
	wakes=0
	for n in $(rs_nodes); do
		wakes=$((wakes + $(rs_delta node$n/compaction kcompactd_wakes)))
		rs_expect_eq "kcompactd_wakes_eq_tracefs_node$n" \
			"$(grep -c " mm_compaction_kcompactd_wake: nid=$n " /tmp/trace.txt)" \
			"$(rs_delta node$n/compaction kcompactd_wakes)"
	done
	rs_expect_eq kcompactd_wakes_eq_compact_daemon_wake \
		"$(rs_delta vmstat compact_daemon_wake)" "$wakes"
	rs_expect_gt kcompactd_wakes_nonzero "$wakes" 0

	# Deferral, per zone, against tracefs; then the zone's live state
	# against the last event (only traced functions change defer_shift
	# and order_failed).
	defer=0
	for n in $(rs_nodes); do
		for z in $(awk '$1 ~ /\.defer_events$/ { sub(/\..*/, "", $1); print $1 }' \
				/tmp/after/node$n/compaction); do
			rs_expect_eq "deferred_events_eq_tracefs_node$n.$z" \
				"$(frag_trace_zone_count mm_compaction_deferred $n $z)" \
				"$(rs_delta node$n/compaction $z.deferred_events)"
			rs_expect_eq "defer_events_eq_tracefs_node$n.$z" \
				"$(frag_trace_zone_count mm_compaction_defer_compaction $n $z)" \
				"$(rs_delta node$n/compaction $z.defer_events)"
			rs_expect_eq "defer_resets_eq_tracefs_node$n.$z" \
				"$(frag_trace_zone_count mm_compaction_defer_reset $n $z)" \
				"$(rs_delta node$n/compaction $z.defer_resets)"
			defer=$((defer + $(rs_delta node$n/compaction $z.defer_events)))
			last=$(frag_last_defer $n $z)
			[ -n "$last" ] && rs_expect_eq "defer_state_eq_last_event_node$n.$z" \
				"$last" "$(rs_kv /tmp/after/node$n/compaction $z.defer_shift) $(rs_kv /tmp/after/node$n/compaction $z.order_failed)"
		done
	done
	rs_expect_gt defer_events_nonzero "$defer" 0
	rs_expect_gt deferred_events_nonzero \
		$(( $(frag_zone_sum /tmp/after compaction deferred_events) - \
		    $(frag_zone_sum /tmp/before compaction deferred_events) )) 0
	frag_direct_compaction
	rs_dump $RS/node$FRAG_NODE/boost $RS/node$FRAG_NODE/compaction
	rs_dump /tmp/after/direct_compaction /tmp/after/tasks
	rs_export fragment
}

# frag_trace_pids EVENT: "<pid> <count>" per task that fired EVENT.
frag_trace_pids() {
	awk -v ev="$1:" '{
		for (i = 1; i <= NF && $i != ev; i++)
			;
		if (i > NF)
			next
		t = $1
		sub(/.*-/, "", t)
		c[t]++
	}
	END { for (t in c) print t, c[t] }' /tmp/trace.txt
}

frag_direct_compaction() {
	local o pid n calls=0 stalls
	stalls=$(rs_delta direct_compaction stalls)
	# compact_stall: every stall up to 6.x; 7.x's allocator does not
	# count a deferred result.  Which one this kernel does is said; a
	# kernel that does neither fails.
	o=$(rs_delta direct_compaction deferred)
	if [ "$(rs_delta vmstat compact_stall)" = "$stalls" ]; then
		rs_pass direct_compaction_stalls_eq_compact_stall "$stalls (deferred $o, counted)"
	elif [ "$(rs_delta vmstat compact_stall)" = "$((stalls - o))" ]; then
		rs_pass direct_compaction_stalls_eq_compact_stall "$stalls - deferred $o (deferred not counted)"
	else
		rs_fail direct_compaction_stalls_eq_compact_stall \
			"compact_stall $(rs_delta vmstat compact_stall), stalls $stalls, deferred $o"
	fi
	rs_expect_gt direct_compaction_stalls_nonzero "$stalls" 0
	rs_expect_eq direct_compaction_calls_eq_tracefs \
		"$(grep -c ' mm_compaction_try_to_compact_pages: ' /tmp/trace.txt)" \
		"$(rs_delta direct_compaction calls)"
	# Per order, every order either side has seen.
	for o in $( (awk '/ mm_compaction_try_to_compact_pages: / {
			for (i = 1; i <= NF; i++) if ($i ~ /^order=/) { sub(/.*=/, "", $i); print $i } }' /tmp/trace.txt
		sed -n 's/^order\([0-9]*\)_calls .*/\1/p' /tmp/after/direct_compaction) | sort -un); do
		n=$(awk -v o="order=$o" '/ mm_compaction_try_to_compact_pages: / {
			for (i = 1; i <= NF; i++) if ($i == o) c++ } END { print c + 0 }' /tmp/trace.txt)
		calls=$((calls + n))
		rs_expect_eq "direct_compaction_order${o}_calls_eq_tracefs" "$n" \
			"$(( $(rs_kv /tmp/after/direct_compaction order${o}_calls | sed 's/missing/0/') - \
			     $(rs_kv /tmp/before/direct_compaction order${o}_calls | sed 's/missing/0/') ))"
	done
	rs_expect_gt direct_compaction_order_calls_nonzero "$calls" 0
	# Stalls inside the window began inside it: all timed, per order.
	rs_expect_eq direct_compaction_completed_eq_stalls "$stalls" \
		"$(rs_delta direct_compaction completed)"
	rs_expect_eq direct_compaction_in_flight_idle 0 \
		"$(rs_kv /tmp/after/direct_compaction in_flight)"
	rs_expect_eq direct_compaction_order_stalls_sum "$(rs_kv /tmp/after/direct_compaction completed)" \
		"$(awk '$1 ~ /^order[0-9]+_stalls$/ { t += $2 } END { printf "%.0f\n", t }' /tmp/after/direct_compaction)"
	rs_expect_eq direct_compaction_hist_eq_completed \
		"$(rs_kv /tmp/after/direct_compaction completed)" \
		"$(rs_hist_total /tmp/after/direct_compaction)"

	# Per task: each caller of try_to_compact_pages has its row; their
	# stall deltas add up to the file's.
	n=0
	for pid in $(frag_trace_pids mm_compaction_try_to_compact_pages | cut -d ' ' -f 1); do
		[ "$(rs_col /tmp/after/tasks pid "$pid" compact_stalls)" != missing ] ||
			rs_fail "task_row_compaction_pid_$pid" "no row"
		n=$((n + $(rs_task_delta "$pid" compact_stalls)))
	done
	rs_expect_eq tasks_compact_stalls_eq_direct_compaction "$stalls" "$n"
	rs_expect_eq tasks_compact_stalls_sum_eq_total \
		"$(rs_kv /tmp/after/direct_compaction stalls)" \
		"$(rs_col_sum /tmp/after/tasks compact_stalls)"
	rs_expect_eq cgroups_compact_stalls_sum_eq_total \
		"$(rs_kv /tmp/after/direct_compaction stalls)" \
		"$(rs_col_sum /tmp/after/cgroups compact_stalls)"
	# Direct reclaim begins per pid, against tracefs.
	n=0
	frag_trace_pids mm_vmscan_direct_reclaim_begin > /tmp/dr.pids
	while read -r pid calls; do
		n=$((n + calls))
		rs_expect_eq "task_direct_stalls_eq_tracefs_pid_$pid" "$calls" \
			"$(rs_task_delta "$pid" direct_stalls)"
	done < /tmp/dr.pids
	echo "RS-INFO direct_reclaim_pids $(tr '\n' ' ' < /tmp/dr.pids)"
	rs_expect_eq tasks_direct_stalls_sum_eq_tracefs "$n" \
		"$(($(rs_col_sum /tmp/after/tasks direct_stalls) - $(rs_col_sum /tmp/before/tasks direct_stalls)))"
}

# This shell and what it runs stay on node 0's CPU: reading the module's
# files allocates, and must not do so on the fragmented node.
rs_pin_self 1
if rs_insmod; then
	rs_pass insmod loaded
	if frag_setup; then
		frag_window
	fi
	frag_restore
	rmmod reclaimscope && rs_pass rmmod || rs_fail rmmod
else
	rs_fail insmod "insmod failed"
fi
