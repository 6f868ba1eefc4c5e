# SPDX-License-Identifier: GPL-2.0
# KUnit kernel scenario: clear kmemleak, run the KUnit suites, then the
# integration scenario, then look for leaks that point into the module.

[ -f /sys/kernel/debug/kmemleak ] && echo clear > /sys/kernel/debug/kmemleak

if insmod /rs/reclaimscope_kunit.ko; then
	for d in /sys/kernel/debug/kunit/reclaimscope_*; do
		echo "RS-KTAP-BEGIN ${d##*/}"
		cat "$d/results"
		echo "RS-KTAP-END"
	done
	rmmod reclaimscope_kunit
else
	rs_fail kunit_insmod "insmod reclaimscope_kunit.ko failed"
fi

# shellcheck disable=SC2034 # read by integration.sh
(RS_NO_DIRECT=1; . /rs/scenarios/integration.sh)
(. /rs/scenarios/shrinker.sh)

if [ -f /sys/kernel/debug/kmemleak ]; then
	# kmemleak reports objects unreferenced for 5 s or more.
	sleep 6
	echo scan > /sys/kernel/debug/kmemleak
	echo scan > /sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak > /tmp/leaks
	# Our allocations have backtraces in reclaimscope, or in module text
	# that can no longer be named once the module is gone.
	leaks=$(grep -cE 'reclaimscope|\] 0xffffffffc' /tmp/leaks)
	rs_expect_eq kmemleak_module_leaks 0 "$leaks"
	[ "$leaks" = 0 ] || sed 's/^/RS-LEAK /' /tmp/leaks
else
	rs_fail kmemleak "no /sys/kernel/debug/kmemleak on the KUnit kernel"
fi
