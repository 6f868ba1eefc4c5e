# SPDX-License-Identifier: GPL-2.0
# Integration scenario: load the module, read every file, compare its
# counters with tracefs and /proc/vmstat over one window of memory
# pressure (with direct reclaim), check reset, unload, then 20
# load/unload cycles while memory pressure runs.
#
# Kernel command line: rs.lru_gen=N writes N to /sys/kernel/mm/lru_gen/enabled
# first (0 selects the classic LRU on a kernel that enables MGLRU).

rs_integration_files() {
	if rs_insmod; then rs_pass insmod loaded; else rs_fail insmod "insmod failed"; return 1; fi

	rs_expect_eq version_abi 1 "$(rs_kv $RS/version abi)"
	rs_expect_eq version_kernel "$(uname -r)" "$(rs_kv $RS/version kernel)"
	nodes=$(rs_nodes | wc -l)
	rs_expect_eq version_nodes "$nodes" "$(rs_kv $RS/version nodes)"
	rs_expect_eq node_dirs "$nodes" "$(ls -d $RS/node* | wc -l)"
	rs_expect_eq hooks_header "name kind state hits missed target" "$(head -n 1 $RS/hooks)"
	rs_expect_eq hook_kswapd_wake attached \
		"$(awk '$1 == "mm_vmscan_kswapd_wake" { print $3 }' $RS/hooks)"

	# Every hook the kernel has is attached (tracefs and kallsyms say
	# which it has), the others missing.
	bad=$(rs_hooks_wrong | paste -sd ' ')
	rs_expect_eq hooks_all_attached "" "$bad"

	# Every file is root-only and shows no kernel pointer; every file
	# but reset reads.
	bad=
	# shellcheck disable=SC2044 # debugfs names have no spaces
	for f in $(find $RS -type f); do
		mode=$(stat -c %a "$f")
		case "${f##*/}" in
		reset|grow|drain)
			[ "$mode" = 200 ] || bad="$bad mode$mode:${f#$RS/}"
			continue
			;;
		esac
		cat "$f" > /dev/null || bad="$bad unreadable:${f#$RS/}"
		[ "$mode" = 400 ] || bad="$bad mode$mode:${f#$RS/}"
		grep -qiE 'ffff[0-9a-f]{12}' "$f" && bad="$bad pointer:${f#$RS/}"
	done
	rs_expect_eq files_readable_rootonly_nopointers "" "$bad"

	# The key names are the contract.
	bad=
	for n in $(rs_nodes); do
		rs_has_keys $RS/node$n/kswapd wakeup_requests wakes sleeps awake \
			awake_ns_total last_wake_order last_wake_zoneidx order \
			highest_zoneidx failures hopeless
		rs_has_keys $RS/node$n/balance_pgdat calls in_flight total_ns \
			max_ns last_order last_highest_zoneidx last_return_order \
			order_fallbacks latency_us_le_1 latency_us_le_1048576 \
			latency_us_gt_1048576
		rs_has_keys $RS/node$n/shrink_list calls total_ns max_ns \
			nr_reclaimed nr_dirty nr_unqueued_dirty nr_congested \
			nr_writeback nr_immediate nr_activate_anon \
			nr_activate_file nr_ref_keep nr_unmap_fail \
			nr_lazyfree_fail inactive_scanned_anon \
			inactive_scanned_file inactive_reclaimed_anon \
			inactive_reclaimed_file latency_us_le_1
		rs_has_keys $RS/node$n/direct_reclaim stalls in_flight \
			nr_reclaimed total_ns max_ns throttled_writeback \
			throttled_isolated throttled_noprogress \
			throttled_congested latency_us_le_1
	done
	rs_has_keys $RS/direct_reclaim stalls in_flight nr_reclaimed total_ns \
		max_ns latency_us_le_1
	rs_expect_eq keys_present "" "$bad"
	rs_dump $RS/version $RS/hooks $RS/node*/kswapd
	rs_export idle
}

rs_integration_window() {
	local n nodes_kswapd nodes_bp nodes_sl i

	echo "RS-INFO lru_gen $(cat /sys/kernel/mm/lru_gen/enabled 2>/dev/null || echo none)"
	rs_snapshot /tmp/before
	rs_trace_start vmscan/mm_vmscan_kswapd_wake vmscan/mm_vmscan_kswapd_sleep \
		vmscan/mm_vmscan_wakeup_kswapd vmscan/mm_vmscan_direct_reclaim_begin
	rs_sampler_start /tmp/series 1
	if [ -n "${RS_NO_DIRECT:-}" ]; then
		rs_pressure
	else
		rs_direct_pressure
	fi
	rs_sampler_stop
	rs_quiesce
	# Let every kswapd reach its sleep, so the window closes on an idle
	# guest: nothing counts between stopping the trace and the snapshot.
	rs_wait_kswapd_asleep
	rs_trace_stop
	rs_snapshot /tmp/after

	nodes_kswapd='' nodes_bp='' nodes_sl=''
	for n in $(rs_nodes); do
		nodes_kswapd="$nodes_kswapd node$n/kswapd"
		nodes_bp="$nodes_bp node$n/balance_pgdat"
		nodes_sl="$nodes_sl node$n/shrink_list"
		rs_expect_eq "wakes_eq_tracefs_node$n" \
			"$(rs_trace_count mm_vmscan_kswapd_wake $n)" "$(rs_delta node$n/kswapd wakes)"
		rs_expect_gt "wakes_nonzero_node$n" "$(rs_delta node$n/kswapd wakes)" 0
		rs_expect_eq "sleeps_eq_tracefs_node$n" \
			"$(rs_trace_count mm_vmscan_kswapd_sleep $n)" "$(rs_delta node$n/kswapd sleeps)"
		rs_expect_eq "wakeup_requests_eq_tracefs_node$n" \
			"$(rs_trace_count mm_vmscan_wakeup_kswapd $n)" \
			"$(rs_delta node$n/kswapd wakeup_requests)"
		# Idle now: every pass has returned and is in the histogram.
		rs_expect_eq "balance_pgdat_in_flight_node$n" 0 \
			"$(rs_kv /tmp/after/node$n/balance_pgdat in_flight)"
		rs_expect_eq "balance_pgdat_hist_eq_calls_node$n" \
			"$(rs_kv /tmp/after/node$n/balance_pgdat calls)" \
			"$(rs_hist_total /tmp/after/node$n/balance_pgdat)"
		rs_expect_eq "shrink_list_hist_eq_calls_node$n" \
			"$(rs_kv /tmp/after/node$n/shrink_list calls)" \
			"$(rs_hist_total /tmp/after/node$n/shrink_list)"
		rs_expect_eq "direct_hist_eq_completed_node$n" \
			"$(rs_kv /tmp/after/node$n/direct_reclaim completed)" \
			"$(rs_hist_total /tmp/after/node$n/direct_reclaim)"
	done

	rs_expect_eq balance_pgdat_calls_eq_pageoutrun \
		"$(rs_delta vmstat pageoutrun)" "$(rs_delta_sum calls $nodes_bp)"
	rs_expect_eq hook_hits_eq_wakes "$(rs_sum wakes /tmp/after/node*/kswapd)" \
		"$(awk '$1 == "mm_vmscan_kswapd_wake" { print $4 }' /tmp/after/hooks)"

	pgsteal=$(( $(rs_delta vmstat pgsteal_kswapd) + $(rs_delta vmstat pgsteal_direct) ))
	grep -q '^pgsteal_khugepaged ' /proc/vmstat &&
		pgsteal=$((pgsteal + $(rs_delta vmstat pgsteal_khugepaged)))
	rs_expect_gt pgsteal_nonzero "$pgsteal" 0
	rs_expect_eq inactive_reclaimed_eq_pgsteal "$pgsteal" \
		"$(( $(rs_delta_sum inactive_reclaimed_anon $nodes_sl) + \
		     $(rs_delta_sum inactive_reclaimed_file $nodes_sl) ))"
	rs_expect_eq shrink_list_reclaimed_eq_pgsteal "$pgsteal" \
		"$(rs_delta_sum nr_reclaimed $nodes_sl)"

	allocstall=0
	for k in $(awk '$1 ~ /^allocstall_/ { print $1 }' /proc/vmstat); do
		allocstall=$((allocstall + $(rs_delta vmstat $k)))
	done
	# The debug kernel fails atomic allocations (slab debugging raises
	# their order) when the min watermark is at its floor: there the
	# workload does not force direct reclaim, and the equalities below
	# are still checked.
	[ -n "${RS_NO_DIRECT:-}" ] || rs_expect_gt allocstall_nonzero "$allocstall" 0
	rs_expect_eq direct_stalls_eq_tracefs "$(rs_trace_total mm_vmscan_direct_reclaim_begin)" \
		"$(rs_delta direct_reclaim stalls)"
	rs_expect_eq direct_stalls_eq_node_sum "$(rs_kv /tmp/after/direct_reclaim stalls)" \
		"$(rs_sum stalls /tmp/after/node*/direct_reclaim)"
	rs_expect_eq direct_in_flight_idle 0 "$(rs_kv /tmp/after/direct_reclaim in_flight)"
	rs_expect_eq direct_hist_eq_completed "$(rs_kv /tmp/after/direct_reclaim completed)" \
		"$(rs_hist_total /tmp/after/direct_reclaim)"
	rs_dump $RS/hooks $RS/direct_reclaim $RS/node*/*
	rs_export pressure
	# shellcheck disable=SC2045 # the sampler names them 000, 001, ...
	for i in $(ls /tmp/series); do
		rs_export "series/$i" "/tmp/series/$i"
	done
}

rs_integration_reset() {
	local before after
	before=$(cat $RS/node*/balance_pgdat $RS/direct_reclaim | md5sum)
	for bad in 2 0 abc -1 "1 1" 99999999999999999999; do
		if printf '%s' "$bad" > $RS/reset 2>/dev/null; then
			rs_fail "reset_rejects_$bad" "write accepted"
		else
			rs_pass "reset_rejects_$bad"
		fi
	done
	after=$(cat $RS/node*/balance_pgdat $RS/direct_reclaim | md5sum)
	rs_expect_eq reset_bad_input_changes_nothing "$before" "$after"
	if echo 1 > $RS/reset; then rs_pass reset_accepts_1; else rs_fail reset_accepts_1; fi
	rs_expect_eq reset_zeroes_balance_pgdat "0 0" \
		"$(rs_sum calls $RS/node*/balance_pgdat) $(rs_hist_total $RS/node0/balance_pgdat)"
	rs_expect_eq reset_zeroes_direct "0 0" \
		"$(rs_kv $RS/direct_reclaim stalls) $(rs_hist_total $RS/direct_reclaim)"
}

rs_integration_cycles() {
	if rmmod reclaimscope; then rs_pass rmmod unloaded; else rs_fail rmmod "rmmod failed"; fi
	if [ -d $RS ]; then rs_fail debugfs_removed "$RS still there"; else rs_pass debugfs_removed; fi

	# rs.load_cycles=N (default 20): load/unload cycles under pressure;
	# 0 leaves them to another run of the same kernel.
	n=$(rs_cmdline_arg load_cycles 20)
	if [ "$n" = 0 ]; then
		echo "RS-INFO load_unload_cycles skipped (rs.load_cycles=0)"
		return
	fi
	rm -f /tmp/stop
	(while [ ! -f /tmp/stop ]; do rs_pressure > /dev/null 2>&1; done) &
	echo "RS-INFO cycles_start_uptime $(cut -d' ' -f1 /proc/uptime)"
	ok=0
	for i in $(seq 1 "$n"); do
		rs_insmod || continue
		cat $RS/version $RS/hooks $RS/direct_reclaim $RS/node*/* > /dev/null
		sleep 0.2
		rmmod reclaimscope && ok=$((ok + 1))
	done
	echo "RS-INFO cycles_end_uptime $(cut -d' ' -f1 /proc/uptime)"
	touch /tmp/stop
	wait
	rs_expect_eq load_unload_cycles_under_pressure "$n" "$ok"
}

rs_lru_gen_from_cmdline

if rs_integration_files; then
	rs_integration_window
	rs_integration_reset
fi
rs_integration_cycles
