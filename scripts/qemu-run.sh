#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# qemu-run.sh KERNEL INITRD SCENARIO LOG [TIMEOUT]
#
# Boots a reclaimscope guest under TCG with 2 vCPUs on 2 NUMA nodes (one
# socket each, so the scheduler topology is sane), 768 MiB split evenly,
# a 1.5 GiB sparse read-only virtio disk for page-cache pressure
# (/dev/vda), and an empty 1 GiB scratch disk (/dev/vdb) the guest may
# write to, made for this run and removed after it; its writes are
# throttled to 16 MiB/s, so written-back page cache stays dirty and under
# writeback long enough for reclaim to meet it.
# Multi-threaded TCG (one host thread per vCPU): the two vCPUs really run
# in parallel, as on a multi-core machine, so SMP races are possible.
# RS_QEMU_TCG=single runs them one at a time, for comparison only.
# The serial console goes to LOG.  Exits with QEMU's status, or 124 on
# timeout.  $RS_QEMU_APPEND is added to the kernel command line.
#
# For make bench only (unset, nothing above changes):
# RS_QEMU_ACCEL=kvm runs the guest on KVM instead of TCG (a real CPU's
# speed; RS_QEMU_TCG and RS_QEMU_ICOUNT do not apply);
# RS_QEMU_SMP=1 boots one vCPU, with all the memory on one NUMA node;
# RS_QEMU_ICOUNT=<options> adds -icount <options> (TCG only; make bench
# uses shift=0,sleep=off: the guest's clock then advances 1 ns per
# instruction executed, and jumps over idle time to the next timer).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

kernel=$1 initrd=$2 scenario=$3 log=$4 tmo=${5:-900}

case ${RS_QEMU_ACCEL:-tcg} in
tcg)
	accel=(-accel "tcg${RS_QEMU_TCG:+,thread=$RS_QEMU_TCG}")
	[ -z "${RS_QEMU_ICOUNT:-}" ] || accel+=(-icount "$RS_QEMU_ICOUNT")
	;;
kvm)
	[ -z "${RS_QEMU_ICOUNT:-}" ] || rs_die "RS_QEMU_ICOUNT needs TCG"
	accel=(-accel kvm)
	;;
*) rs_die "RS_QEMU_ACCEL=$RS_QEMU_ACCEL: tcg or kvm" ;;
esac
case ${RS_QEMU_SMP:-2} in
1) topology=(-smp 1 -m 768) ;;
2)
	topology=(-smp "2,sockets=2,cores=1,threads=1" -m 768
		-object "memory-backend-ram,id=m0,size=384M"
		-object "memory-backend-ram,id=m1,size=384M"
		-numa "node,nodeid=0,cpus=0,memdev=m0"
		-numa "node,nodeid=1,cpus=1,memdev=m1")
	;;
*) rs_die "RS_QEMU_SMP=$RS_QEMU_SMP: 1 or 2" ;;
esac

disk=$RS_CACHE/disk.img
if [ ! -e "$disk" ]; then
	truncate -s 1536M "$disk.tmp" && mv "$disk.tmp" "$disk"
fi

scratch=$(mktemp --suffix=.img "$RS_CACHE/scratch.XXXXXX")
trap 'rm -f "$scratch"' EXIT
truncate -s 1G "$scratch"

qemu=${RS_QEMU:-qemu-system-x86_64}
data=${RS_QEMU_DATA:-/usr/share/qemu}
bios=()
[ -e "$data/qboot.rom" ] && bios=(-L "$data" -bios "$data/qboot.rom")

timeout --foreground -k 10 "$tmo" "$qemu" \
	"${accel[@]}" -cpu max "${bios[@]}" "${topology[@]}" \
	-drive file="$disk",if=virtio,format=raw,readonly=on \
	-drive file="$scratch",if=virtio,format=raw,throttling.bps-write=16777216 \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 rs.scenario=$scenario ${RS_QEMU_APPEND:-}" \
	-display none -serial "file:$log" -monitor none \
	-no-reboot -nodefaults < /dev/null
