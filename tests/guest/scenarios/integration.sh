# SPDX-License-Identifier: GPL-2.0
# Foundation scenario: load the module, read every file, count kswapd
# wakes against tracefs in the same window, unload, then 20 load/unload
# cycles while memory pressure runs.

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

	# Every file reads, is root-only and shows no kernel pointer.
	bad=
	for f in $(find $RS -type f); do
		cat "$f" > /dev/null || bad="$bad unreadable:${f#$RS/}"
		mode=$(stat -c %a "$f")
		[ "$mode" = 400 ] || bad="$bad mode$mode:${f#$RS/}"
		grep -qiE 'ffff[0-9a-f]{12}' "$f" && bad="$bad pointer:${f#$RS/}"
	done
	rs_expect_eq files_readable_rootonly_nopointers "" "$bad"
	for n in $(rs_nodes); do
		for k in wakes order highest_zoneidx failures hopeless; do
			v=$(rs_kv $RS/node$n/kswapd $k)
			case "$v" in
			-[0-9]*|[0-9]*) ;;
			*) bad="$bad node$n/kswapd:$k=$v" ;;
			esac
		done
	done
	rs_expect_eq kswapd_keys_present "" "$bad"
	rs_dump $RS/version $RS/hooks $RS/node*/kswapd
}

rs_integration_wakes() {
	for n in $(rs_nodes); do
		eval before_$n=$(rs_kv $RS/node$n/kswapd wakes)
	done
	rs_trace_start vmscan/mm_vmscan_kswapd_wake
	rs_pressure
	rs_quiesce
	rs_trace_stop
	total=0
	for n in $(rs_nodes); do
		after=$(rs_kv $RS/node$n/kswapd wakes)
		eval before=\$before_$n
		delta=$((after - before))
		total=$((total + after))
		rs_expect_eq "wakes_eq_tracefs_node$n" "$(rs_trace_count mm_vmscan_kswapd_wake $n)" "$delta"
		rs_expect_gt "wakes_nonzero_node$n" "$delta" 0
	done
	rs_expect_eq hook_hits_eq_wakes "$total" \
		"$(awk '$1 == "mm_vmscan_kswapd_wake" { print $4 }' $RS/hooks)"
	rs_dump $RS/hooks $RS/node*/kswapd
}

rs_integration_cycles() {
	if rmmod reclaimscope; then rs_pass rmmod unloaded; else rs_fail rmmod "rmmod failed"; fi
	if [ -d $RS ]; then rs_fail debugfs_removed "$RS still there"; else rs_pass debugfs_removed; fi

	rm -f /tmp/stop
	(while [ ! -f /tmp/stop ]; do rs_pressure > /dev/null 2>&1; done) &
	ok=0
	for i in $(seq 1 20); do
		rs_insmod || continue
		cat $RS/version $RS/hooks $RS/node*/kswapd > /dev/null
		sleep 0.2
		rmmod reclaimscope && ok=$((ok + 1))
	done
	touch /tmp/stop
	wait
	rs_expect_eq load_unload_cycles_under_pressure 20 "$ok"
}

rs_integration_files && rs_integration_wakes
rs_integration_cycles
