// SPDX-License-Identifier: GPL-2.0
/*
 * The module code under test, compiled into the test module.  The test
 * module is a separate .ko, so it carries its own copy rather than
 * needing the main module to export anything.  hooks.c defines pr_fmt,
 * so it comes first.
 */
#include "../../module/hooks.c"
#include "../../module/counters.c"
#include "../../module/pairs.c"
#include "../../module/zones.c"
#include "../../module/shrinker_table.c"
#include "../../module/table.c"
#include "../../module/cgroup_path.c"
#include "../../module/demo_pool.c"

#include <linux/module.h>

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for reclaimscope");
