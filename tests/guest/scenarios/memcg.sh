# SPDX-License-Identifier: GPL-2.0
# Memory cgroup reclaim, on a guest with memory to spare: three cgroup v2
# groups far below the guest's 768 MiB, two at memory.max and one over
# memory.high, each with a page-cache reader (the read-only virtio disk,
# a range of its own per group) and an anonymous writer (dd's buffer).
# Their tasks reclaim from their own group (try_to_free_mem_cgroup_pages())
# while the machine has plenty free: no global pressure.
#
# Checked exactly, over one window, against tracefs:
# - memcg_reclaim stalls == mm_vmscan_memcg_reclaim_begin events,
#   completed == _end events, nr_reclaimed == the nr_reclaimed of the
#   _end events summed; the soft limit keys likewise against the
#   softlimit events (cgroup v2 has no soft limit: both 0);
# - nothing in flight at the end, and the histogram holds every call;
# - each group's tasks stalled (their pids in the events).
# The window is exact by construction: no task is in a limited group
# and nothing else has a memcg limit before the snapshot and the trace
# start, the workload's tasks have all exited (so none is inside memcg
# reclaim) before the trace stops and the last snapshot is taken.
# The tasks and cgroups tables, reset just before the window opens (no
# task is in a limited group then, so no memcg reclaim falls between the
# reset and the trace start), against the same trace:
# - each workload task's row: memcg_stalls == its pid's begin events,
#   nr_reclaimed == its end events' nr_reclaimed, cgroup == its group;
# - each group's row: memcg_stalls and memcg_reclaimed == the events of
#   its tasks; the rows of any other cgroup (kworkers running the memcg
#   high work item are in the root) hold the rest;
# - rows plus "other" == the memcg_reclaim totals, in both tables.
# With rs.task_rows=N / rs.cgroup_rows=N on the kernel command line the
# module gets small tables (check.sh does so for some kernels): a task or
# group without a row must be because the table is full, and "other"
# then holds exactly their events.
# Then, with every kswapd asleep: node<N>/kswapd cpu_ns == the first
# field of kswapd<N>'s /proc/<pid>/schedstat.  And reset zeroes the file
# and empties the tables.

CG=/sys/fs/cgroup
MEMCG_GROUPS="rs-max-a rs-max-b rs-high"
MEMCG_EVENTS="mm_vmscan_memcg_reclaim_begin mm_vmscan_memcg_reclaim_end
mm_vmscan_memcg_softlimit_reclaim_begin mm_vmscan_memcg_softlimit_reclaim_end"

# memcg_setup: cgroup v2 at /sys/fs/cgroup with the memory controller
# for its children, and the three groups with their limits.
memcg_setup() {
	local g
	if ! awk '$2 == "/sys/fs/cgroup" && $3 == "cgroup2" { f = 1 } END { exit !f }' /proc/mounts; then
		mount -t cgroup2 none $CG || { rs_fail cgroup2_mount "cannot mount cgroup2"; return 1; }
	fi
	if ! grep -qw memory $CG/cgroup.controllers; then
		rs_fail cgroup2_memory "no memory controller: $(cat $CG/cgroup.controllers)"
		return 1
	fi
	echo +memory > $CG/cgroup.subtree_control || { rs_fail cgroup2_memory "cannot enable +memory"; return 1; }
	for g in $MEMCG_GROUPS; do
		[ -d $CG/$g ] || mkdir $CG/$g || { rs_fail "cgroup_$g" "cannot create"; return 1; }
	done
	# With nothing charged yet, these writes reclaim nothing.
	echo 64M > $CG/rs-max-a/memory.max
	echo 64M > $CG/rs-max-b/memory.max
	echo 64M > $CG/rs-high/memory.high
	rs_expect_eq memcg_limits "67108864 67108864 67108864" \
		"$(cat $CG/rs-max-a/memory.max) $(cat $CG/rs-max-b/memory.max) $(cat $CG/rs-high/memory.high)"
}

# memcg_run GROUP CMD...: CMD in GROUP, in the background; its pid is
# appended to /tmp/memcg.pids as "<pid> <group>".  The shell moves
# itself into the group, then becomes CMD (same pid).
memcg_run() {
	local g=$1
	shift
	# shellcheck disable=SC2016 # $$ and $0 are the child shell's
	sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$CG/$g" "$@" &
	echo "$! $g" >> /tmp/memcg.pids
}

# memcg_workload: in each group a reader of 256 MiB of the disk (four
# times its limit), at an offset of its own so that no page is shared,
# and a writer holding a 24 MiB anonymous buffer it fills 16 times.
# The guest has no swap: anonymous memory stays, page cache is reclaimed.
memcg_workload() {
	local skip=0 g
	: > /tmp/memcg.pids
	for g in $MEMCG_GROUPS; do
		memcg_run $g dd if=/dev/vda of=/dev/null bs=1M count=256 skip=$skip
		memcg_run $g dd if=/dev/zero of=/dev/null bs=24M count=16
		skip=$((skip + 384))
	done
	wait
}

# memcg_trace_sums: one pass over the window's trace: for each event,
# "<event> count <n>" and "<event> nr_reclaimed <sum>", and for each pid
# "pid <pid> <begins of limit reclaim>" and "rpid <pid> <nr_reclaimed of
# its limit reclaim ends>", into /tmp/memcg-sums.
memcg_trace_sums() {
	awk '{
		for (e = 1; e <= NF && $e !~ /^mm_vmscan_memcg_.*:$/; e++)
			;
		if (e > NF)
			next
		ev = substr($e, 1, length($e) - 1)
		n[ev]++
		for (i = e + 1; i <= NF; i++)
			if (index($i, "nr_reclaimed=") == 1)
				r[ev] += substr($i, 14)
		# The task column is <comm>-<pid>.
		t = $1
		sub(/.*-/, "", t)
		if (ev == "mm_vmscan_memcg_reclaim_begin")
			p[t]++
		if (ev == "mm_vmscan_memcg_reclaim_end")
			for (i = e + 1; i <= NF; i++)
				if (index($i, "nr_reclaimed=") == 1)
					rp[t] += substr($i, 14)
	}
	END {
		for (k in n)
			printf "%s count %.0f\n%s nr_reclaimed %.0f\n", k, n[k], k, r[k]
		for (k in p)
			printf "pid %s %.0f\n", k, p[k]
		for (k in rp)
			printf "rpid %s %.0f\n", k, rp[k]
	}' /tmp/trace.txt > /tmp/memcg-sums
}

# memcg_sum EVENT FIELD: count or nr_reclaimed of EVENT in the window.
memcg_sum() {
	awk -v e="$1" -v f="$2" '$1 == e && $2 == f { v = $3 } END { printf "%.0f\n", v }' /tmp/memcg-sums
}

# memcg_pid_sum KIND PID: limit reclaim begins (KIND pid) or pages
# reclaimed (KIND rpid) of PID in the window.
memcg_pid_sum() {
	awk -v k="$1" -v p="$2" '$1 == k && $2 == p { v = $3 } END { printf "%.0f\n", v }' /tmp/memcg-sums
}

# memcg_group_begins GROUP [KIND]: limit reclaim begins (or, with KIND
# rpid, pages reclaimed) of GROUP's tasks.
memcg_group_begins() {
	local pid g t=0
	while read -r pid g; do
		[ "$g" = "$1" ] || continue
		t=$((t + $(memcg_pid_sum "${2:-pid}" "$pid")))
	done < /tmp/memcg.pids
	echo $t
}

# memcg_cg GROUP: GROUP as the tables name it: its path, or id:<N> (N its
# directory's inode number) on a kernel that cannot look ids up (5.10).
memcg_cg() {
	if grep -q "^/$1 " /tmp/after/cgroups || grep -q " /$1 " /tmp/after/tasks; then
		echo "/$1"
	else
		echo "id:$(ls -di "$CG/$1" | awk '{ print $1 }')"
	fi
}

# memcg_rows FILE: rows of a table file, "other" not counted.
memcg_rows() { awk 'NR > 1 && $1 != "other" && $2 != "other"' "$1" | wc -l; }

# memcg_tables: the tasks and cgroups tables against the trace.
memcg_tables() {
	local pid g want got rows n ours=0 ours_r=0 missing=0 missing_r=0 cgs=0
	local task_rows cgroup_rows
	task_rows=$(rs_cmdline_arg task_rows 512)
	cgroup_rows=$(rs_cmdline_arg cgroup_rows 256)
	rs_dump /tmp/after/tasks /tmp/after/cgroups
	rs_expect_eq tasks_header "pid comm cgroup direct_stalls direct_ns memcg_stalls memcg_ns compact_stalls compact_ns throttled throttled_ns max_ns nr_reclaimed" \
		"$(head -n 1 /tmp/after/tasks)"
	rs_expect_eq cgroups_header "cgroup memcg_stalls memcg_ns memcg_reclaimed direct_stalls direct_ns compact_stalls compact_ns throttled throttled_ns max_ns" \
		"$(head -n 1 /tmp/after/cgroups)"
	rs_expect_eq tasks_other_last "- other -" "$(tail -n 1 /tmp/after/tasks | cut -d ' ' -f 1-3)"
	rs_expect_eq cgroups_other_last other "$(tail -n 1 /tmp/after/cgroups | cut -d ' ' -f 1)"

	# Rows plus other == the totals.
	rs_expect_eq tasks_memcg_stalls_sum_eq_total "$(rs_kv /tmp/after/memcg_reclaim stalls)" \
		"$(rs_col_sum /tmp/after/tasks memcg_stalls)"
	rs_expect_eq tasks_memcg_ns_sum_eq_total "$(rs_kv /tmp/after/memcg_reclaim total_ns)" \
		"$(rs_col_sum /tmp/after/tasks memcg_ns)"
	rs_expect_eq cgroups_memcg_stalls_sum_eq_total "$(rs_kv /tmp/after/memcg_reclaim stalls)" \
		"$(rs_col_sum /tmp/after/cgroups memcg_stalls)"
	rs_expect_eq cgroups_memcg_ns_sum_eq_total "$(rs_kv /tmp/after/memcg_reclaim total_ns)" \
		"$(rs_col_sum /tmp/after/cgroups memcg_ns)"
	rs_expect_eq cgroups_memcg_reclaimed_sum_eq_total "$(rs_kv /tmp/after/memcg_reclaim nr_reclaimed)" \
		"$(rs_col_sum /tmp/after/cgroups memcg_reclaimed)"

	# Each workload task: its own row, or (table full) other's.
	rows=$(memcg_rows /tmp/after/tasks)
	while read -r pid g; do
		want=$(memcg_pid_sum pid "$pid")
		ours=$((ours + want))
		ours_r=$((ours_r + $(memcg_pid_sum rpid "$pid")))
		got=$(rs_col /tmp/after/tasks pid "$pid" memcg_stalls)
		if [ "$got" = missing ]; then
			missing=$((missing + want))
			missing_r=$((missing_r + $(memcg_pid_sum rpid "$pid")))
			[ "$want" -eq 0 ] || [ "$rows" -ge "$task_rows" ] ||
				rs_fail "task_row_$pid" "pid $pid stalled $want times, no row, $rows of $task_rows rows used"
			continue
		fi
		rs_expect_eq "task_memcg_stalls_pid_$g" "$want" "$got"
		rs_expect_eq "task_cgroup_pid_$g" "$(memcg_cg "$g")" "$(rs_col /tmp/after/tasks pid "$pid" cgroup)"
		# No global reclaim: its pages are all memcg reclaim's.
		rs_expect_eq "task_direct_stalls_pid_$g" 0 "$(rs_col /tmp/after/tasks pid "$pid" direct_stalls)"
		rs_expect_eq "task_nr_reclaimed_pid_$g" "$(memcg_pid_sum rpid "$pid")" \
			"$(rs_col /tmp/after/tasks pid "$pid" nr_reclaimed)"
		# The shell that became dd may have stalled before its exec.
		case "$(rs_col /tmp/after/tasks pid "$pid" comm)" in
		dd|sh) rs_pass "task_comm_pid_$g" ;;
		*) rs_fail "task_comm_pid_$g" "$(rs_col /tmp/after/tasks pid "$pid" comm)" ;;
		esac
	done < /tmp/memcg.pids
	rs_expect_le tasks_rows_within_param "$rows" "$task_rows"
	# Other == the workload tasks without a row, plus any other task
	# without one (none can have been left out while rows were free).
	if [ "$rows" -lt "$task_rows" ]; then
		rs_expect_eq tasks_other_memcg_stalls_zero 0 "$(rs_col /tmp/after/tasks comm other memcg_stalls)"
	else
		rs_expect_ge tasks_other_holds_rowless "$(rs_col /tmp/after/tasks comm other memcg_stalls)" "$missing"
		rs_expect_gt tasks_other_used "$(rs_col /tmp/after/tasks comm other memcg_stalls)" 0
	fi

	# Each group: its row, or (table full) other's.
	rows=$(memcg_rows /tmp/after/cgroups)
	n=0
	for g in $MEMCG_GROUPS; do
		want=$(memcg_group_begins $g)
		got=$(rs_col /tmp/after/cgroups cgroup "$(memcg_cg "$g")" memcg_stalls)
		if [ "$got" = missing ]; then
			n=$((n + want))
			[ "$rows" -ge "$cgroup_rows" ] ||
				rs_fail "cgroup_row_$g" "no row for /$g, $rows of $cgroup_rows rows used"
			continue
		fi
		cgs=$((cgs + 1))
		rs_expect_eq "cgroup_memcg_stalls_$g" "$want" "$got"
		rs_expect_eq "cgroup_memcg_reclaimed_$g" "$(memcg_group_begins $g rpid)" \
			"$(rs_col /tmp/after/cgroups cgroup "$(memcg_cg "$g")" memcg_reclaimed)"
	done
	rs_expect_le cgroups_rows_within_param "$rows" "$cgroup_rows"
	if [ "$rows" -ge "$cgroup_rows" ]; then
		rs_expect_ge cgroups_other_holds_rowless "$(rs_col /tmp/after/cgroups cgroup other memcg_stalls)" "$n"
		rs_expect_gt cgroups_other_used "$(rs_col /tmp/after/cgroups cgroup other memcg_stalls)" 0
	else
		rs_expect_eq cgroups_all_groups_have_rows 3 "$cgs"
		rs_expect_eq cgroups_other_zero 0 "$(rs_col /tmp/after/cgroups cgroup other memcg_stalls)"
		# Every stall outside the groups is in another cgroup's row:
		# the created paths are the ones the scenario made.
		rs_expect_eq cgroups_rest_is_not_ours \
			"$(($(rs_kv /tmp/after/memcg_reclaim stalls) - ours))" \
			"$(awk -v ours=" $(for g in $MEMCG_GROUPS; do memcg_cg "$g"; done | paste -sd ' ') " \
				'NR > 1 && $1 != "other" && !index(ours, " " $1 " ") { t += $2 } END { printf "%.0f\n", t }' /tmp/after/cgroups)"
	fi
	echo "RS-INFO memcg_tables task_rows=$task_rows cgroup_rows=$cgroup_rows workload_begins=$ours workload_reclaimed=$ours_r rowless_begins=$missing rowless_reclaimed=$missing_r"
}

memcg_window() {
	local g ev wrong bad=
	memcg_setup || return
	wrong=$(rs_hooks_wrong | tr ' ' '\n' | grep memcg | paste -sd ' ')
	rs_expect_eq memcg_hooks_as_tracefs "" "$wrong"
	rs_has_keys $RS/memcg_reclaim stalls completed nr_reclaimed \
		total_ns max_ns in_flight untracked unpaired_ends \
		softlimit_calls softlimit_completed softlimit_nr_reclaimed \
		softlimit_total_ns softlimit_in_flight latency_us_le_1 \
		latency_us_le_1048576 latency_us_gt_1048576
	rs_expect_eq keys_memcg_reclaim "" "$bad"

	rs_quiesce
	# The tables have no snapshot delta: they start empty here.
	rs_write 1 $RS/reset || rs_fail memcg_window_reset
	rs_snapshot /tmp/before
	set --
	for ev in $MEMCG_EVENTS; do
		set -- "$@" "vmscan/$ev"
	done
	rs_trace_start "$@"
	memcg_workload
	# Every workload task has exited: none is in memcg reclaim, and no
	# task is left in a limited group to start one.  The module agrees.
	rs_expect_eq memcg_in_flight_after_workload "0 0" \
		"$(rs_kv $RS/memcg_reclaim in_flight) $(rs_kv $RS/memcg_reclaim softlimit_in_flight)"
	rs_wait_kswapd_asleep
	rs_trace_stop
	rs_snapshot /tmp/after

	memcg_trace_sums
	sed 's/^/RS-INFO memcg_trace /' /tmp/memcg-sums
	rs_expect_eq memcg_stalls_eq_tracefs \
		"$(memcg_sum mm_vmscan_memcg_reclaim_begin count)" \
		"$(rs_delta memcg_reclaim stalls)"
	rs_expect_gt memcg_stalls_nonzero "$(rs_delta memcg_reclaim stalls)" 0
	rs_expect_eq memcg_completed_eq_tracefs_ends \
		"$(memcg_sum mm_vmscan_memcg_reclaim_end count)" \
		"$(rs_delta memcg_reclaim completed)"
	rs_expect_eq memcg_nr_reclaimed_eq_tracefs \
		"$(memcg_sum mm_vmscan_memcg_reclaim_end nr_reclaimed)" \
		"$(rs_delta memcg_reclaim nr_reclaimed)"
	rs_expect_eq memcg_softlimit_calls_eq_tracefs \
		"$(memcg_sum mm_vmscan_memcg_softlimit_reclaim_begin count)" \
		"$(rs_delta memcg_reclaim softlimit_calls)"
	rs_expect_eq memcg_softlimit_completed_eq_tracefs_ends \
		"$(memcg_sum mm_vmscan_memcg_softlimit_reclaim_end count)" \
		"$(rs_delta memcg_reclaim softlimit_completed)"
	rs_expect_eq memcg_softlimit_nr_reclaimed_eq_tracefs \
		"$(memcg_sum mm_vmscan_memcg_softlimit_reclaim_end nr_reclaimed)" \
		"$(rs_delta memcg_reclaim softlimit_nr_reclaimed)"
	rs_expect_eq memcg_in_flight_idle "0 0" \
		"$(rs_kv /tmp/after/memcg_reclaim in_flight) $(rs_kv /tmp/after/memcg_reclaim softlimit_in_flight)"
	rs_expect_eq memcg_untracked_unpaired "0 0 0 0" \
		"$(rs_delta memcg_reclaim untracked) $(rs_delta memcg_reclaim unpaired_ends) $(rs_delta memcg_reclaim softlimit_untracked) $(rs_delta memcg_reclaim softlimit_unpaired_ends)"
	rs_expect_eq memcg_hist_eq_completed \
		"$(rs_kv /tmp/after/memcg_reclaim completed)" \
		"$(rs_hist_total /tmp/after/memcg_reclaim)"
	rs_expect_eq memcg_hook_hits_eq_stalls \
		"$(rs_kv /tmp/after/memcg_reclaim stalls)" \
		"$(awk '$1 == "mm_vmscan_memcg_reclaim_begin" { print $4 }' /tmp/after/hooks)"
	for g in $MEMCG_GROUPS; do
		rs_expect_gt "memcg_stalls_in_$g" "$(memcg_group_begins $g)" 0
		echo "RS-INFO memcg_events $g $(tr '\n' ' ' < $CG/$g/memory.events)"
		rs_expect_eq "memcg_no_oom_kill_$g" 0 "$(rs_kv $CG/$g/memory.events oom_kill)"
	done
	# No global pressure: for the record only.
	echo "RS-INFO memcg_window direct_stalls $(rs_delta direct_reclaim stalls) pgscan_kswapd $(rs_delta vmstat pgscan_kswapd)"
	rs_dump $RS/memcg_reclaim
	memcg_tables
	rs_export memcg
}

# memcg_kswapd_pid NID: the pid of kswapd<NID>.
memcg_kswapd_pid() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(cat "$p/comm" 2>/dev/null)" = "kswapd$1" ] && { echo "${p#/proc/}"; return; }
	done
}

# cpu_ns against /proc/<pid>/schedstat, each kswapd asleep.  The module
# is read between two schedstat reads: when those are equal, the
# runtime did not move in between (it only grows), so the module's read
# must be that value.
memcg_kswapd_cpu() {
	local n pid s1 s2 c i
	rs_wait_kswapd_asleep
	for n in $(rs_nodes); do
		pid=$(memcg_kswapd_pid $n)
		if [ -z "$pid" ]; then
			rs_fail "kswapd_cpu_ns_node$n" "no kswapd$n"
			continue
		fi
		i=0
		while [ $i -lt 20 ]; do
			read -r s1 _ < /proc/$pid/schedstat
			c=$(rs_kv $RS/node$n/kswapd cpu_ns)
			read -r s2 _ < /proc/$pid/schedstat
			[ "$s1" = "$s2" ] && break
			i=$((i + 1))
			sleep 0.5
		done
		[ "$s1" = "$s2" ] || rs_fail "kswapd_schedstat_still_node$n" "kswapd$n ran through 20 reads"
		rs_expect_eq "kswapd_cpu_ns_eq_schedstat_node$n" "$s1" "$c"
		rs_expect_gt "kswapd_cpu_ns_nonzero_node$n" "$c" 0
	done
}

memcg_reset() {
	if echo 1 > $RS/reset; then rs_pass memcg_reset_accepts_1; else rs_fail memcg_reset_accepts_1; fi
	rs_expect_eq memcg_reset_zeroes "0 0 0 0 0 0" \
		"$(rs_kv $RS/memcg_reclaim stalls) $(rs_kv $RS/memcg_reclaim completed) $(rs_kv $RS/memcg_reclaim nr_reclaimed) $(rs_kv $RS/memcg_reclaim total_ns) $(rs_kv $RS/memcg_reclaim max_ns) $(rs_hist_total $RS/memcg_reclaim)"
	rs_expect_eq memcg_reset_empties_tables "2 2 - other - 0 0 0 0 0 0 0 0 0 0 other 0 0 0 0 0 0 0 0 0 0" \
		"$(wc -l < $RS/tasks) $(wc -l < $RS/cgroups) $(tail -n 1 $RS/tasks) $(tail -n 1 $RS/cgroups)"
	rs_expect_eq memcg_reset_keeps_gauges "0 0" \
		"$(rs_kv $RS/memcg_reclaim in_flight) $(rs_kv $RS/memcg_reclaim softlimit_in_flight)"
}

memcg_cleanup() {
	local g
	for g in $MEMCG_GROUPS; do
		rmdir $CG/$g 2>/dev/null
	done
	rs_quiesce
}

# shellcheck disable=SC2046 # one word per parameter, or none
if rs_insmod $(for p in task_rows cgroup_rows; do
	v=$(rs_cmdline_arg $p)
	[ -z "$v" ] || echo "$p=$v"
done); then
	rs_pass insmod loaded
	memcg_window
	memcg_kswapd_cpu
	memcg_reset
	memcg_cleanup
	rmmod reclaimscope && rs_pass rmmod || rs_fail rmmod
else
	rs_fail insmod "insmod failed"
fi
