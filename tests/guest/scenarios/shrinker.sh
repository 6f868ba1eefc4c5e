# SPDX-License-Identifier: GPL-2.0
# Shrinker scenario: the demo shrinker's input checks, its pool under
# memory pressure, and the every-shrinker table against tracefs.

DS=$RS/demo_shrinker

rs_sh_stats() { rs_kv $DS/stats "$1"; }

# rs_sh_calls: sum of the calls column of the shrinkers table.
rs_sh_calls() { awk 'NR > 1 { s += $2 } END { print s + 0 }' "${1:-$RS/shrinkers}"; }

# rs_sh_reject NAME FILE: write stdin to FILE; it must fail and change
# nothing that stats shows.
rs_sh_reject() {
	local before after
	before=$(cat $DS/stats | grep -v '_calls\|_total\|_returns\|last_nr')
	if cat > "$2" 2>/dev/null; then
		rs_fail "rejects_$1" "write accepted"
	else
		after=$(cat $DS/stats | grep -v '_calls\|_total\|_returns\|last_nr')
		if [ "$before" = "$after" ]; then
			rs_pass "rejects_$1"
		else
			rs_fail "rejects_$1" "stats changed"
		fi
	fi
}

rs_sh_bad_input() {
	local cap long
	cap=$(rs_sh_stats cap_objects)
	printf 'abc' | rs_sh_reject grow_word $DS/grow
	printf '0' | rs_sh_reject grow_zero $DS/grow
	printf -- '-5' | rs_sh_reject grow_negative $DS/grow
	printf '99999999999999999999' | rs_sh_reject grow_huge $DS/grow
	printf '%s' "$((cap + 1))" | rs_sh_reject grow_over_cap $DS/grow
	printf '1 7' | rs_sh_reject grow_offline_node $DS/grow
	printf '1 -1' | rs_sh_reject grow_negative_node $DS/grow
	printf '1 0 0' | rs_sh_reject grow_three_words $DS/grow
	printf '1 ' | rs_sh_reject grow_trailing_space $DS/grow
	printf '\001\002\377' | rs_sh_reject grow_binary $DS/grow
	printf '1\0002' | rs_sh_reject grow_nul $DS/grow
	long=$(printf '%0100d' 1)
	printf '%s' "$long" | rs_sh_reject grow_long $DS/grow
	printf '0' | rs_sh_reject drain_zero $DS/drain
	printf '2' | rs_sh_reject drain_two $DS/drain
	printf 'yes' | rs_sh_reject drain_word $DS/drain
	printf '%s' "$long" | rs_sh_reject drain_long $DS/drain
}

rs_sh_grow() {
	local n nodes each
	nodes=$(rs_nodes | wc -l)
	for n in $(rs_nodes); do
		echo "2048 $n" > $DS/grow || rs_fail "grow_node$n" "write failed"
		rs_expect_eq "grow_objects_node$n" 2048 "$(rs_sh_stats objects_node$n)"
	done
	rs_expect_eq grow_objects "$((2048 * nodes))" "$(rs_sh_stats objects)"
	rs_expect_eq grow_bytes "$(( $(rs_sh_stats objects) * 4096 ))" "$(rs_sh_stats bytes)"
	echo 100 > $DS/grow
	rs_expect_eq grow_spread "$((2048 * nodes + 100))" "$(rs_sh_stats objects)"
	if echo 1 > $DS/drain; then rs_pass drain_accepts_1; else rs_fail drain_accepts_1; fi
	rs_expect_eq drain_empties 0 "$(rs_sh_stats objects)"
	# The pressure starts with the pool at its cap, shared over the
	# nodes: do_shrink_slab() asks for (freeable >> priority) * 4 /
	# seeks objects, and a batch (128) of 8192 objects is due from
	# priority 7 on, where 2048 waited for priority 5.
	each=$(( $(rs_sh_stats cap_objects) / nodes ))
	for n in $(rs_nodes); do
		echo "$each $n" > $DS/grow
	done
	rs_expect_eq grow_to_cap "$(rs_sh_stats cap_objects)" "$(rs_sh_stats objects)"
}

rs_sh_pressure() {
	local objects_before calls_before
	objects_before=$(rs_sh_stats objects)
	calls_before=$(rs_sh_calls)
	rs_trace_start vmscan/mm_shrink_slab_start
	rs_pressure
	# Nothing may count between stopping the trace and the snapshot.
	rs_wait_kswapd_asleep
	rs_trace_stop
	cat $RS/shrinkers > /tmp/shrinkers
	cat $DS/stats > /tmp/stats
	rs_expect_eq shrinkers_calls_eq_tracefs "$(rs_trace_total mm_shrink_slab_start)" \
		"$(( $(rs_sh_calls /tmp/shrinkers) - calls_before ))"
	rs_expect_gt demo_scan_calls "$(rs_kv /tmp/stats scan_calls)" 0
	rs_expect_gt demo_freed "$(rs_kv /tmp/stats freed_total)" 0
	rs_expect_gt demo_objects_fell "$objects_before" "$(rs_kv /tmp/stats objects)"
	# The demo row of the table: what the kernel reported for it.
	rs_expect_eq demo_row_freed_eq_stats "$(rs_kv /tmp/stats freed_total)" \
		"$(awk '$1 ~ /reclaimscope/ { print $6 }' /tmp/shrinkers)"
	rs_expect_eq shrinkers_header \
		"name calls cache_items delta_total total_scan_total freed_total deferred total_ns max_ns kswapd_calls kswapd_ns direct_calls direct_ns memcg_calls memcg_ns other_calls other_ns" \
		"$(head -n 1 /tmp/shrinkers)"
	# Who called: the four contexts add up to calls and total_ns.
	rs_expect_eq shrinkers_contexts_sum_to_totals "" \
		"$(awk 'NR > 1 && ($10 + $12 + $14 + $16 != $2 || $11 + $13 + $15 + $17 != $8) { print $1 }' /tmp/shrinkers)"
	rs_expect_eq shrinkers_sorted "" \
		"$(awk 'NR > 2 && $8 > prev { print "row " NR " total_ns " $8 " > " prev } NR > 1 { prev = $8 }' /tmp/shrinkers)"
	rs_dump $RS/shrinkers $DS/stats
}

# Kernels with CONFIG_SHRINKER_DEBUG show the demo shrinker under
# /sys/kernel/debug/shrinker/: its count file must agree with stats, and
# its scan file drives our scan_objects (directly, not through
# do_shrink_slab(): no tracepoint, so this runs after the table checks).
rs_sh_kernel_debugfs() {
	local d n c freed objects
	d=$(ls -d /sys/kernel/debug/shrinker/reclaimscope-demo-* 2>/dev/null | head -n 1)
	[ -n "$d" ] || { echo "RS-INFO no shrinker debugfs"; return; }
	for n in $(rs_nodes); do
		# "<memcg inode> <count on node 0> <count on node 1> ..."
		c=$(awk -v n=$n 'NR == 1 { print $(n + 2) }' $d/count)
		rs_expect_eq "kernel_count_node$n" "$(rs_sh_stats objects_node$n)" "${c:-0}"
	done
	freed=$(rs_sh_stats freed_total)
	objects=$(rs_sh_stats objects)
	echo "0 0 100" > $d/scan
	rs_expect_eq kernel_scan_freed "$((freed + 100))" "$(rs_sh_stats freed_total)"
	rs_expect_eq kernel_scan_objects "$((objects - 100))" "$(rs_sh_stats objects)"
}

if rs_insmod demo_cap_mb=64; then
	rs_pass insmod
	rs_expect_eq cap_objects 16384 "$(rs_sh_stats cap_objects)"
	rs_expect_eq empty_objects 0 "$(rs_sh_stats objects)"
	rs_sh_bad_input
	rs_sh_grow
	rs_sh_pressure
	echo 1 > $DS/drain
	for n in $(rs_nodes); do
		echo "1024 $n" > $DS/grow
	done
	rs_sh_kernel_debugfs
	rmmod reclaimscope && rs_pass rmmod || rs_fail rmmod
else
	rs_fail insmod "insmod failed"
fi
