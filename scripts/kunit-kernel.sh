#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kunit-kernel.sh
#
# Builds (once) the KUnit test kernel from Debian's linux-source-6.12 with
# tests/kunit/.kunitconfig, in $RECLAIMSCOPE_CACHE/kunit-build.  The build
# is reused while the source package version and the config fragment are
# unchanged.  Prints: <source tree> <build dir>
set -euo pipefail
. "$(dirname "$0")/lib.sh"

rs_need_pkgs linux-source-6.12 flex bison bc libelf-dev libssl-dev dwarves \
	rsync kmod python3 xz-utils

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
src=$RS_CACHE/linux-source-6.12
build=$RS_CACHE/kunit-build
frag=$RS_TOP/tests/kunit/.kunitconfig
stamp="$srcver $(sha256sum < "$frag" | cut -d' ' -f1)"

if [ "$(cat "$src/.rs-version" 2>/dev/null)" != "$srcver" ]; then
	rs_log "unpacking linux-source-6.12 $srcver"
	rm -rf "$src" "$build"
	tar -C "$RS_CACHE" -xf /usr/src/linux-source-6.12.tar.xz
	echo "$srcver" > "$src/.rs-version"
fi

if [ "$(cat "$build/.rs-stamp" 2>/dev/null)" != "$stamp" ] ||
   [ ! -e "$build/arch/x86/boot/bzImage" ] || [ ! -e "$build/Module.symvers" ]; then
	rs_log "building the KUnit kernel (several minutes on 2 cores)"
	start=$(date +%s)
	(cd "$src" && python3 tools/testing/kunit/kunit.py build --arch=x86_64 \
		--kunitconfig="$frag" --build_dir="$build" \
		--make_options=-j"$(nproc)") > "$RS_CACHE/kunit-build.log" 2>&1 ||
		{ tail -n 40 "$RS_CACHE/kunit-build.log" >&2; rs_die "KUnit kernel build failed"; }
	echo "$stamp" > "$build/.rs-stamp"
	rs_log "KUnit kernel built in $(( $(date +%s) - start )) s"
fi
echo "$src $build"
