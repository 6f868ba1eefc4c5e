# SPDX-License-Identifier: GPL-2.0
#
# make                 build reclaimscope.ko for KDIR (default: running kernel)
# make KDIR=<tree>     build for another kernel
# make cli             build scripts/reclaimscope from the modules in reclaimscope/
# make demo            boot Debian 6.12 in QEMU, load the module, show its files
# make check           static checks, KUnit suites and QEMU scenarios
# make torture         load/unload cycles under pressure, fuzzing (long)
# make bench           probe overhead against tracefs, and a whole reclaim
#                      workload with and without it, in QEMU (not a test)
# make clean
#
# Installing (Documentation/packaging.rst):
# make deb             Debian packages reclaimscope-dkms and reclaimscope in dist/
# make install         the module for KDIR (modules_install, updates/), the
#                      command-line tool, its man page and systemd units
# make dkms-install    the module through DKMS for KVER (default: running
#                      kernel), and the command-line tool
# make uninstall       undo install and dkms-install
# make dkms-test       build the packages from git and install, build and
#                      purge them in clean chroots (PASS/FAIL lines)
# PREFIX (/usr/local), BINDIR, MANDIR, UNITDIR and DESTDIR say where.

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

# Installing (scripts/install.sh, scripts/deb.sh, scripts/dkms-test.sh).
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system
KVER ?= $(shell uname -r)
RS_INSTALL = DESTDIR='$(DESTDIR)' PREFIX='$(PREFIX)' BINDIR='$(BINDIR)' \
	MANDIR='$(MANDIR)' UNITDIR='$(UNITDIR)' KDIR='$(KDIR)' KVER='$(KVER)' \
	scripts/install.sh

install: modules
	$(RS_INSTALL) module cli

dkms-install:
	$(RS_INSTALL) dkms cli

uninstall:
	$(RS_INSTALL) uninstall

install-cli:
	$(RS_INSTALL) cli

install-dkms-src:
	$(RS_INSTALL) dkms-src

deb:
	scripts/deb.sh

dkms-test:
	scripts/dkms-test.sh

.PHONY: all modules sparse clean cli demo check torture bench
.PHONY: install dkms-install uninstall install-cli install-dkms-src deb dkms-test
