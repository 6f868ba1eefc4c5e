# SPDX-License-Identifier: GPL-2.0
# make demo: load the module, make memory pressure, show what it says.
# Lines starting with RS-DEMO are shown to the user by scripts/demo.sh.

demo_say() { echo "RS-DEMO $*"; }
demo_file() {
	demo_say ""
	demo_say "## $1: $2"
	grep -v '^latency_us_\|^[A-Za-z0-9]*\.latency' "$RS/$1" | sed 's/^/RS-DEMO     /'
}

rs_insmod || { rs_fail demo_insmod "insmod failed"; return; }
demo_say "reclaimscope loaded on $(uname -r), $(rs_nodes | wc -l) NUMA nodes."
echo 4096 > $RS/demo_shrinker/grow
demo_say "Grew the demo shrinker's pool to $(rs_kv $RS/demo_shrinker/stats objects) pages."
demo_say "Running page-cache and anonymous memory pressure, with direct reclaim..."
rs_direct_pressure
demo_file summary "one line per node: zones against watermarks, kswapd, boost, kcompactd"
demo_file hooks "every hook the module tried to attach: state, hits, missed (kretprobes)"
demo_file direct_reclaim "allocating tasks that stalled to reclaim, all nodes (histogram keys left out here)"
for n in $(rs_nodes); do
	demo_file node$n/kswapd "kswapd of node $n: wake requests, wakes, sleeps, awake time; order, failures, hopeless read live"
	demo_file node$n/balance_pgdat "kswapd's reclaim passes on node $n: count, duration, orders asked and achieved"
	demo_file node$n/shrink_list "what shrink_folio_list decided on node $n: reclaimed, dirty, writeback, activated, kept"
done
demo_file node0/watermarks "node 0's zones: free pages against min/low/high and boost"
demo_file node0/compaction "node 0: kcompactd and compaction runs, results, deferral per zone"
demo_file shrinkers "every shrinker the kernel called, slowest first"
demo_file demo_shrinker/stats "the demo shrinker: what the kernel asked of it and what it freed"
# The whole tree, for scripts/reclaimscope on the host.
rs_export demo
rmmod reclaimscope
