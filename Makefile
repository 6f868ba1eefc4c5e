# SPDX-License-Identifier: GPL-2.0
#
# make                 build reclaimscope.ko for KDIR (default: running kernel)
# make KDIR=<tree>     build for another kernel
# make cli             build scripts/reclaimscope from the modules in reclaimscope/
# make demo            boot Debian 6.12 in QEMU, load the module, show its files
# make check           static checks, KUnit suites and QEMU scenarios
# make torture         load/unload cycles under pressure, fuzzing (long)
# make bench           probe overhead, measured in QEMU (not a test)
# make clean

KDIR ?= /lib/modules/$(shell uname -r)/build

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

sparse:
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || \
		find . -name '*.o' -o -name '*.ko' -o -name '*.mod*' -o -name '.*.cmd' \
		-o -name Module.symvers -o -name modules.order | xargs rm -f

cli:
	python3 reclaimscope/build.py scripts/reclaimscope

demo:
	scripts/demo.sh

check:
	scripts/check.sh

torture:
	scripts/torture.sh

bench:
	scripts/bench.sh

.PHONY: all modules sparse clean cli demo check torture bench
