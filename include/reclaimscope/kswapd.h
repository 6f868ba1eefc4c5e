/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kswapd.h - what kswapd.c gives other features.
 */
#ifndef _RECLAIMSCOPE_KSWAPD_H
#define _RECLAIMSCOPE_KSWAPD_H

#include <linux/types.h>

/* Node @nid's kswapd is awake as the hooks saw it (woken, not asleep). */
bool rs_kswapd_awake(int nid);

#endif /* _RECLAIMSCOPE_KSWAPD_H */
