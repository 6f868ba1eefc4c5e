/* SPDX-License-Identifier: GPL-2.0 */
/*
 * boost.h - what boost.c gives other features.
 *
 * kswapd.c's balance_pgdat() kretprobe calls the two balance hooks at
 * the start and end of every pass.  That is safe because the core sets
 * up every feature (boost's counters and state included) before it
 * attaches any hook, and detaches every hook before any feature exits.
 */
#ifndef _RECLAIMSCOPE_BOOST_H
#define _RECLAIMSCOPE_BOOST_H

#include <linux/mmzone.h>

/* Look at @pgdat's zones at the start of a pass; count a boosted start. */
void rs_boost_balance_entry(pg_data_t *pgdat);
/* ... and at its end, when balance_pgdat() has usually reset the boost. */
void rs_boost_balance_return(pg_data_t *pgdat);
/* Zones of @pgdat whose watermark is boosted now. */
unsigned int rs_boosted_zones(pg_data_t *pgdat);

#endif /* _RECLAIMSCOPE_BOOST_H */
