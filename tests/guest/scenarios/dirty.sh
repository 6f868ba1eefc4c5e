# SPDX-License-Identifier: GPL-2.0
# Dirty page cache under reclaim: buffered writes to the scratch disk
# (/dev/vdb, whose page cache is written back to a real device) with
# writeback held back, then anonymous allocations beyond free memory
# force reclaim while a sync writes the cache back.  Reclaim then finds
# dirty folios first, meets writeback folios and may throttle on
# writeback.
#
# Checked exactly, per node, against tracefs: every outcome counter the
# module reads from shrink_folio_list()'s struct reclaim_stat (through its
# kretprobe) against the same fields summed over the
# mm_vmscan_lru_shrink_inactive events (which report that struct after
# each call), and throttled_writeback against mm_vmscan_throttled; the
# module's nr_pageout against /proc/vmstat nr_vmscan_write.
#
# Who reclaimed: per node, shrink_list's kswapd_calls == the
# mm_vmscan_lru_shrink_inactive events of kswapd threads (each such call
# of shrink_inactive_list() calls shrink_folio_list() once), and the four
# contexts add up to calls and total_ns; per task, the tasks file's
# throttled and throttled_ns == that pid's mm_vmscan_throttled events and
# their usec_delayed.
#
# Run it on the classic LRU: MGLRU moves dirty and writeback file folios
# to a younger generation before they reach shrink_folio_list()
# (sort_folio()), so there they are never counted as dirty.

DISK=/dev/vdb

# dirty_trace_sums: every FIELD=<n> of the window's
# mm_vmscan_lru_shrink_inactive events ("nid=<n>" first, then the
# struct reclaim_stat fields) summed per node, one "<nid> <FIELD> <sum>"
# line each, into /tmp/trace-sums.  One lean pass: the trace holds tens
# of thousands of events, and under TCG busybox awk took minutes to read
# it once per field and node.
dirty_trace_sums() {
	awk '/ mm_vmscan_lru_shrink_inactive: / {
		for (e = 1; $e != "mm_vmscan_lru_shrink_inactive:"; e++)
			;
		if (index($(e + 1), "nid=") != 1)
			next
		nid = substr($(e + 1), 5)
		for (i = e + 2; i <= NF; i++) {
			p = index($i, "=")
			s[nid " " substr($i, 1, p - 1)] += substr($i, p + 1)
		}
	}
	END { for (k in s) print k, s[k] }' /tmp/trace.txt > /tmp/trace-sums
}

# dirty_trace_sum FIELD NID: FIELD summed over node NID's events.
dirty_trace_sum() {
	awk -v f="$1" -v n="$2" '$1 == n && $2 == f { v = $3 } END { print v + 0 }' \
		/tmp/trace-sums
}

# dirty_meminfo TAG: MemFree, Dirty and Writeback to the host log.
dirty_meminfo() {
	echo "RS-INFO $1 $(grep -E '^(MemFree|Dirty|Writeback):' /proc/meminfo | tr -s ' \n' ' ')"
}

dirty_window() {
	local n k dr dbr wbc free mb total i c
	if [ ! -b $DISK ]; then
		rs_fail dirty_disk "no $DISK"
		return
	fi
	dr=$(cat /proc/sys/vm/dirty_ratio)
	dbr=$(cat /proc/sys/vm/dirty_background_ratio)
	wbc=$(cat /proc/sys/vm/dirty_writeback_centisecs)
	rs_quiesce
	# Hold writeback back until reclaim asks for it.  With the limits
	# in bytes far above memory no writer is throttled, no node is over
	# its dirty limit (so page cache stays on the writer's node), and
	# background writeback never starts; with no periodic flusher
	# wake-ups nothing is written until reclaim, finding only dirty
	# folios at the tail of the inactive list, wakes the flushers
	# (shrink_inactive_list()).  Otherwise the flusher, writing the disk
	# in offset order, can clean a node's folios before reclaim reaches
	# them, and reclaim there meets no dirty folio at all.
	echo 0 > /proc/sys/vm/dirty_writeback_centisecs
	echo $((4 << 30)) > /proc/sys/vm/dirty_bytes
	echo $((2 << 30)) > /proc/sys/vm/dirty_background_bytes
	rs_snapshot /tmp/before
	# Reclaim rescans the dirty tail for as long as the flushers take
	# to write it (16 MiB/s), so the event count grows with the CPU's
	# speed: 55,000 in one run of a Debian 6.1 guest on multi-threaded
	# TCG, where 2 MiB per CPU held 41,000; and far more where reclaim
	# activates dirty folios instead of waking the flushers (Debian 7.3:
	# 550,000, of which 16 MiB per CPU lost 223,000, most events on one
	# CPU).  48 MiB per CPU holds about a million per CPU;
	# trace_no_overrun still checks it.  The buffer is allocated before
	# free memory is measured for the anonymous buffers.
	# shellcheck disable=SC2034 # read by rs_trace_start (lib.sh)
	RS_TRACE_KB=49152
	rs_trace_start vmscan/mm_vmscan_lru_shrink_inactive vmscan/mm_vmscan_throttled
	# The last close of a block device writes back and drops its page
	# cache: hold it open so the writers' pages stay.
	exec 3<> $DISK
	# 120 MiB of dirty page cache on each node, in 8 MiB pieces that
	# alternate between the nodes along the disk: the sync below writes
	# in disk order and so cleans both nodes' cache at the same pace.
	# (With each node's cache in one half, node 1's waited for all of
	# node 0's to be written, 7.5 s at 16 MiB/s, and its allocator met
	# the OOM killer first: make check, Debian 7.3.) ...
	for c in 1 2; do
		(
			i=0
			while [ $i -lt 15 ]; do
				taskset $c dd if=/dev/zero of=$DISK bs=1M count=8 \
					seek=$(((2 * i + c - 1) * 8)) 2>/dev/null
				i=$((i + 1))
			done
		) &
	done
	wait
	dirty_meminfo before
	# ... then anonymous memory, split over the nodes, 16 MiB more than
	# is free: reclaim has to free that much page cache (and the gap of
	# the watermarks), all of it dirty.  Once reclaim has met dirty
	# folios (the module counts them; tracefs checks the count below),
	# a sync writes the cache back (16 MiB/s, in disk order), so that
	# reclaim then finds clean folios.  Without it, a kernel whose
	# reclaim activates dirty folios rather than waking the flushers
	# (Debian 7.3: nr_activate_file == nr_dirty, nothing written)
	# reclaims nothing: both nodes went hopeless and dd was killed by
	# the OOM killer.  Started before reclaim met a dirty folio, the sync
	# can win the race (the KUnit kernel: nr_dirty 0).  32 MiB over free,
	# with the pieces above, still met the OOM killer in one of three
	# runs on 7.3, no page under writeback yet: the sync, and the shell
	# that starts it, need memory too.  With 16 the 7.x kernels throttle
	# hundreds to thousands of times a run, 6.x none to a few hundred.
	#
	# Each dd holds its buffer until both have filled theirs: it writes
	# the buffer into a pipe whose reader waits for /tmp/dirty-go, so the
	# two buffers are in memory at once whatever the order the dd's run
	# in.  (CI once ran them one after the other on a loaded host: the
	# first exited before the second allocated, each fitted, and nothing
	# was reclaimed.)  Then reclaim must meet the dirty cache; it is
	# waited for (up to 5 minutes), and only then do the sync and the
	# release start.
	free=$(awk '/^MemFree:/ { print int($2 / 1024) }' /proc/meminfo)
	mb=$(((free + 16) / 2))
	rm -f /tmp/dirty-go
	for c in 1 2; do
		taskset $c dd if=/dev/zero bs=${mb}M count=1 2>/dev/null |
			{ while [ ! -e /tmp/dirty-go ]; do sleep 0.1; done; cat > /dev/null; } &
	done
	i=0
	k=$(rs_sum nr_dirty /tmp/before/node*/shrink_list)
	while [ $i -lt 3000 ] && [ "$(rs_sum nr_dirty $RS/node*/shrink_list)" = "$k" ]; do
		sleep 0.1
		i=$((i + 1))
	done
	echo "RS-INFO dirty_met_after_ds $i"
	sync &
	touch /tmp/dirty-go
	wait
	dirty_meminfo after
	rs_dump $RS/node*/dirty
	sync
	exec 3>&-
	echo "$dbr" > /proc/sys/vm/dirty_background_ratio
	echo "$dr" > /proc/sys/vm/dirty_ratio
	echo "$wbc" > /proc/sys/vm/dirty_writeback_centisecs
	rs_quiesce
	rs_wait_kswapd_asleep
	rs_trace_stop
	rs_snapshot /tmp/after

	dirty_trace_sums
	echo "RS-INFO shrink_inactive_events $(grep -c " mm_vmscan_lru_shrink_inactive: " /tmp/trace.txt)"
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
	rs_expect_eq no_oom_kill 0 "$(rs_delta vmstat oom_kill)"
	if grep -q '^nr_pageout ' /tmp/after/node0/shrink_list; then
		# shellcheck disable=SC2046 # one argument per node file
		rs_expect_eq nr_pageout_eq_nr_vmscan_write \
			"$(rs_delta vmstat nr_vmscan_write)" \
			"$(rs_delta_sum nr_pageout $(for n in $(rs_nodes); do echo node$n/shrink_list; done))"
	fi
	echo "RS-INFO throttled $(grep -c ' mm_vmscan_throttled: ' /tmp/trace.txt)"
	dirty_contexts
	rs_dump $RS/node*/shrink_list /tmp/after/tasks
	rs_export dirty
}

# dirty_ctx_sum DIR NODE SUFFIX: the four contexts' <ctx>SUFFIX summed.
dirty_ctx_sum() {
	awk -v s="$3" '$1 == "kswapd" s || $1 == "direct" s || $1 == "memcg" s || $1 == "other" s { t += $2 }
		END { printf "%.0f\n", t }' "$1/node$2/shrink_list"
}

dirty_contexts() {
	local n pid c ns k=0
	for n in $(rs_nodes); do
		c=$(awk -v nid="nid=$n" '$1 ~ /^kswapd[0-9]+-[0-9]+$/ && / mm_vmscan_lru_shrink_inactive: / {
			for (i = 1; i <= NF; i++) if ($i == nid) c++ } END { print c + 0 }' /tmp/trace.txt)
		k=$((k + c))
		rs_expect_eq "kswapd_calls_eq_tracefs_kswapd_node$n" "$c" \
			"$(rs_delta node$n/shrink_list kswapd_calls)"
		rs_expect_eq "contexts_sum_to_calls_node$n" \
			"$(rs_kv /tmp/after/node$n/shrink_list calls)" \
			"$(dirty_ctx_sum /tmp/after $n _calls)"
		rs_expect_eq "contexts_sum_to_total_ns_node$n" \
			"$(rs_kv /tmp/after/node$n/shrink_list total_ns)" \
			"$(dirty_ctx_sum /tmp/after $n _ns)"
	done
	rs_expect_gt kswapd_calls_nonzero "$k" 0
	# Throttling per task.
	awk '/ mm_vmscan_throttled: / {
		t = $1
		sub(/.*-/, "", t)
		# The kernel prints the field as "usect_delayed".
		for (i = 1; i <= NF; i++)
			if ($i ~ /^usect?_delayed=/) {
				sub(/^[^=]*=/, "", $i)
				d[t] += $i
			}
		c[t]++
	}
	END { for (t in c) printf "%s %.0f %.0f\n", t, c[t], d[t] * 1000 }' /tmp/trace.txt > /tmp/throttled.pids
	echo "RS-INFO throttled_pids $(tr '\n' ' ' < /tmp/throttled.pids)"
	while read -r pid c ns; do
		rs_expect_eq "task_throttled_eq_tracefs_pid_$pid" "$c $ns" \
			"$(rs_task_delta "$pid" throttled) $(rs_task_delta "$pid" throttled_ns)"
	done < /tmp/throttled.pids
	rs_expect_eq tasks_throttled_sum_eq_tracefs \
		"$(grep -c ' mm_vmscan_throttled: ' /tmp/trace.txt)" \
		"$(($(rs_col_sum /tmp/after/tasks throttled) - $(rs_col_sum /tmp/before/tasks throttled)))"
}

rs_lru_gen_from_cmdline

if rs_insmod; then
	rs_pass insmod loaded
	dirty_window
	rmmod reclaimscope && rs_pass rmmod || rs_fail rmmod
else
	rs_fail insmod "insmod failed"
fi
