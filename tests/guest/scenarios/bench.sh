# SPDX-License-Identifier: GPL-2.0
# make bench: what the probes cost.  The same page-cache workload runs
# with the module unloaded and loaded, alternately; the extra time per
# probe hit is printed.  Under TCG every instruction is emulated, so the
# absolute numbers are far above what hardware shows; compare runs with
# each other, not with published figures.

bench_uptime_cs() { awk '{ split($1, a, "."); print a[1] * 100 + a[2] }' /proc/uptime; }

bench_once() {
	local t0 t1
	sync
	echo 3 > /proc/sys/vm/drop_caches
	t0=$(bench_uptime_cs)
	rs_fill_cache
	dd if=/dev/zero of=/dev/null bs=200M count=1 2>/dev/null
	t1=$(bench_uptime_cs)
	echo $((t1 - t0))
}

off=0 on=0 hits=0
for i in 1 2 3; do
	t=$(bench_once)
	off=$((off + t))
	echo "RS-BENCH run $i unloaded ${t}0 ms"
	rs_insmod
	t=$(bench_once)
	on=$((on + t))
	h=$(awk 'NR > 1 { s += $4 } END { print s + 0 }' $RS/hooks)
	hits=$((hits + h))
	echo "RS-BENCH run $i loaded ${t}0 ms, $h probe hits"
	rmmod reclaimscope
done
echo "RS-BENCH total unloaded ${off}0 ms, loaded ${on}0 ms, $hits hits"
if [ "$hits" -gt 0 ]; then
	echo "RS-BENCH extra time per hit: $(( (on - off) * 10000000 / hits )) ns (negative: below noise)"
fi
rs_pass bench_ran "$hits hits"
