# SPDX-License-Identifier: GPL-2.0
# Feature probes, included by ../Kbuild and ../tests/Kbuild.
#
# For what C cannot test by itself: whether a struct has a member.  They
# read the headers of the kernel being built for, never a version number;
# include/reclaimscope/compat.h turns them into code.
comma := ,
rs_header_has = $(if $(shell grep -s -E '$(2)' $(srctree)/include/$(1)),$(3))
ccflags-y += $(call rs_header_has,linux/vmstat.h,unsigned( int)? nr_pageout;,-DRS_HAVE_STAT_NR_PAGEOUT)
ccflags-y += $(call rs_header_has,linux/vmstat.h,unsigned( int)? nr_demoted;,-DRS_HAVE_STAT_NR_DEMOTED)
ccflags-y += $(call rs_header_has,linux/mmzone.h,^[[:space:]]*PGDAT_DIRTY[[:space:]]*$(comma),-DRS_HAVE_PGDAT_DIRTY)
