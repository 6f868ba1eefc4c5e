#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: boot Debian's stock 6.12 kernel in QEMU (2 vCPUs, 2 NUMA
# nodes), load reclaimscope, make memory pressure and print what its
# debugfs files say.  Needs no test kernel.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

rs_need_pkgs $RS_BENCH_PKGS
read -r _ rel root kdir < <("$RS_TOP/scripts/kernels.sh" 6.12)
rs_use_qemu
rs_log "building reclaimscope for $rel"
dir=$(rs_build_module demo "$kdir")
out=$RS_CACHE/runs/demo
mkdir -p "$out"
"$RS_TOP/scripts/mkinitramfs.sh" "$out/initrd.gz" "$root" "$rel" \
	"virtio_pci virtio_blk" "$dir/reclaimscope.ko=rs/reclaimscope.ko"
rs_log "booting Debian $rel under QEMU (TCG, about a minute)"
"$RS_TOP/scripts/qemu-run.sh" "$root/boot/vmlinuz-$rel" "$out/initrd.gz" demo \
	"$out/serial.log" 600 || true
sed -n 's/^RS-DEMO \{0,1\}//p' "$out/serial.log"
if grep -q '^RS-CHECK FAIL' "$out/serial.log" || ! grep -q '^RS-DONE' "$out/serial.log"; then
	rs_die "the demo guest did not finish cleanly; log: $out/serial.log"
fi

# The same data through the command-line tool, as a user on a
# production machine would read it (there: no --root).
rm -rf "$out/trees"
python3 "$RS_TOP/tests/check/trees.py" "$out/serial.log" "$out/trees" demo > /dev/null ||
	rs_die "the guest printed no tree; log: $out/serial.log"
echo
echo "\$ reclaimscope snapshot      (scripts/reclaimscope snapshot --root $out/trees/demo)"
"$RS_TOP/scripts/reclaimscope" snapshot --root "$out/trees/demo"
echo
echo "\$ reclaimscope diagnose"
st=0
"$RS_TOP/scripts/reclaimscope" diagnose --root "$out/trees/demo" || st=$?
# diagnose exits 1 when it found something: that is a result, not an error.
[ "$st" -le 1 ] || rs_die "reclaimscope diagnose failed ($st)"
