# SPDX-License-Identifier: GPL-2.0
# Dirty page cache under reclaim: buffered writes to the scratch disk
# (/dev/vdb, whose page cache is written back to a real device) with the
# dirty limits raised, while anonymous allocations force reclaim.  Reclaim
# then finds dirty and writeback folios, and may throttle on writeback.
#
# Checked exactly, per node, against tracefs: every outcome counter the
# module reads from shrink_folio_list()'s struct reclaim_stat (through its
# kretprobe) against the same fields summed over the
# mm_vmscan_lru_shrink_inactive events (which report that struct after
# each call), and throttled_writeback against mm_vmscan_throttled; the
# module's nr_pageout against /proc/vmstat nr_vmscan_write.
#
# Run it on the classic LRU: MGLRU moves dirty and writeback file folios
# to a younger generation before they reach shrink_folio_list()
# (sort_folio()), so there they are never counted as dirty.

DISK=/dev/vdb

# dirty_trace_sum FIELD NID: FIELD=<n> summed over the window's
# mm_vmscan_lru_shrink_inactive events of node NID.
dirty_trace_sum() {
	awk -v f="$1=" -v n="nid=$2" '/ mm_vmscan_lru_shrink_inactive: / {
		ok = 0
		for (i = 1; i <= NF; i++) {
			if ($i == n) ok = 1
			if (index($i, f) == 1) v = substr($i, length(f) + 1)
		}
		if (ok) s += v
	}
	END { print s + 0 }' /tmp/trace.txt
}

dirty_window() {
	local n k dr dbr total
	if [ ! -b $DISK ]; then
		rs_fail dirty_disk "no $DISK"
		return
	fi
	dr=$(cat /proc/sys/vm/dirty_ratio)
	dbr=$(cat /proc/sys/vm/dirty_background_ratio)
	rs_quiesce
	# Let dirty pages pile up: writeback starts late, writers are
	# throttled late, so reclaim meets them.
	echo 80 > /proc/sys/vm/dirty_ratio
	echo 60 > /proc/sys/vm/dirty_background_ratio
	rs_snapshot /tmp/before
	rs_trace_start vmscan/mm_vmscan_lru_shrink_inactive vmscan/mm_vmscan_throttled
	# The last close of a block device writes back and drops its page
	# cache: hold it open so the writers' pages stay.
	exec 3<> $DISK
	# 300 MiB of dirty page cache (the disk writes 16 MiB/s), and while
	# it is written back 400 MiB of anonymous memory, on 650 MiB free.
	taskset 1 dd if=/dev/zero of=$DISK bs=1M count=150 2>/dev/null &
	taskset 2 dd if=/dev/zero of=$DISK bs=1M count=150 seek=150 2>/dev/null &
	sleep 3
	taskset 1 dd if=/dev/zero of=/dev/null bs=200M count=1 2>/dev/null &
	taskset 2 dd if=/dev/zero of=/dev/null bs=200M count=1 2>/dev/null &
	wait
	echo "RS-INFO $(grep -E '^(Dirty|Writeback):' /proc/meminfo | tr -s ' \n' ' ')"
	rs_dump $RS/node*/dirty
	sync
	exec 3>&-
	echo "$dbr" > /proc/sys/vm/dirty_background_ratio
	echo "$dr" > /proc/sys/vm/dirty_ratio
	rs_quiesce
	rs_wait_kswapd_asleep
	rs_trace_stop
	rs_snapshot /tmp/after

	total=0
	for n in $(rs_nodes); do
		for k in nr_dirty nr_writeback nr_congested nr_immediate \
			 nr_activate_anon nr_activate_file nr_ref_keep \
			 nr_unmap_fail nr_reclaimed; do
			rs_expect_eq "${k}_eq_tracefs_node$n" \
				"$(dirty_trace_sum $k $n)" "$(rs_delta node$n/shrink_list $k)"
		done
		total=$((total + $(rs_delta node$n/shrink_list nr_dirty)))
		rs_expect_eq "throttled_writeback_eq_tracefs_node$n" \
			"$(grep -E " mm_vmscan_throttled: nid=$n .*reason=VMSCAN_THROTTLE_WRITEBACK" /tmp/trace.txt | wc -l)" \
			"$(rs_delta node$n/direct_reclaim throttled_writeback)"
	done
	rs_expect_gt shrink_list_nr_dirty_nonzero "$total" 0
	if grep -q '^nr_pageout ' /tmp/after/node0/shrink_list; then
		rs_expect_eq nr_pageout_eq_nr_vmscan_write \
			"$(rs_delta vmstat nr_vmscan_write)" \
			"$(rs_delta_sum nr_pageout $(for n in $(rs_nodes); do echo node$n/shrink_list; done))"
	fi
	echo "RS-INFO throttled $(grep -c ' mm_vmscan_throttled: ' /tmp/trace.txt)"
	rs_dump $RS/node*/shrink_list
	rs_export dirty
}

rs_lru_gen_from_cmdline

if rs_insmod; then
	rs_pass insmod loaded
	dirty_window
	rmmod reclaimscope && rs_pass rmmod || rs_fail rmmod
else
	rs_fail insmod "insmod failed"
fi
