# SPDX-License-Identifier: GPL-2.0
# make demo: load the module, make memory pressure, show what it says.
# Lines starting with RS-DEMO are shown to the user by scripts/demo.sh.

demo_say() { echo "RS-DEMO $*"; }
demo_file() {
	demo_say ""
	demo_say "## $1: $2"
	sed 's/^/RS-DEMO     /' "$RS/$1"
}

rs_insmod || { rs_fail demo_insmod "insmod failed"; return; }
demo_say "reclaimscope loaded on $(uname -r), $(rs_nodes | wc -l) NUMA nodes."
demo_say "Running page-cache and anonymous memory pressure, with direct reclaim..."
rs_direct_pressure
rs_quiesce
demo_file version "module version, debugfs ABI number, kernel release and online nodes"
demo_file hooks "every hook the module tried to attach: state, hits, missed (kretprobes)"
demo_file direct_reclaim "allocating tasks that stalled to reclaim, all nodes: count, time, histogram"
for n in $(rs_nodes); do
	demo_file node$n/kswapd "kswapd of node $n: wake requests, wakes, sleeps, awake time; order, failures, hopeless read live"
	demo_file node$n/balance_pgdat "kswapd's reclaim passes on node $n: count, duration, orders asked and achieved"
	demo_file node$n/shrink_list "what shrink_folio_list decided on node $n: reclaimed, dirty, writeback, activated, kept"
done
rmmod reclaimscope
