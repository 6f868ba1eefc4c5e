# SPDX-License-Identifier: GPL-2.0
"""Percentiles of log2 histograms, against values worked out by hand."""
import unittest

from common import rs


def hist(**buckets):
    """A 22-bucket histogram from le_<us>=count / gt=count keywords."""
    out = [0] * len(rs.HIST_KEYS)
    for key, n in buckets.items():
        out[rs.HIST_KEYS.index('latency_us_' + key)] = n
    return out


# 1 sample <=1us, 1 in (1,2], 2 in (2,4], 6 in (8,16]: 10 samples.
# Cumulative counts: 1, 2, 4, 4, 10.
SMALL = hist(le_1=1, le_2=1, le_4=2, le_16=6)


class Percentile(unittest.TestCase):
    def test_nearest_rank_by_hand(self):
        # rank = ceil(p * 10 / 100): p10 -> 1, p20 -> 2, p30 -> 3, p40 -> 4,
        # p50 -> 5, p90 -> 9, p99 -> 10, p100 -> 10.
        expected = {10: 1, 20: 2, 30: 4, 40: 4, 50: 16, 90: 16, 99: 16, 100: 16}
        for p, us in expected.items():
            self.assertEqual(rs.percentile(SMALL, p), {'le_us': us}, 'p%d' % p)

    def test_rank_boundary(self):
        # 100 samples, 50 <=1us and 50 in (1,2]: p50 is rank 50, the last
        # of the first bucket; p51 is rank 51, the first of the second.
        h = hist(le_1=50, le_2=50)
        self.assertEqual(rs.percentile(h, 50), {'le_us': 1})
        self.assertEqual(rs.percentile(h, 51), {'le_us': 2})

    def test_max_inside_bucket_caps(self):
        # max 12.5us lies in (8,16]: the tighter bound for ranks there.
        self.assertEqual(rs.percentile(SMALL, 50, max_ns=12500), {'le_us': 12.5})
        # The 100th percentile is max_ns itself: exact, not a bound.
        self.assertEqual(rs.percentile(SMALL, 100, max_ns=12500), {'le_us': 12.5, 'exact': True})
        # ...but not for ranks in lower buckets.
        self.assertEqual(rs.percentile(SMALL, 30, max_ns=12500), {'le_us': 4})

    def test_max_outside_bucket_ignored(self):
        # A max below the bucket's lower bound (a racy read) or above it
        # says nothing tighter: the bucket bound stands.
        self.assertEqual(rs.percentile(SMALL, 50, max_ns=3000), {'le_us': 16})
        self.assertEqual(rs.percentile(SMALL, 50, max_ns=20000), {'le_us': 16})

    def test_sub_microsecond_max(self):
        self.assertEqual(rs.percentile(hist(le_1=1), 50, max_ns=400), {'le_us': 0.4})

    def test_empty(self):
        empty = hist()
        for _, p in rs.PERCENTILES:
            self.assertIsNone(rs.percentile(empty, p))
        summary = rs.latency_summary({'latency_us': empty, 'total_ns': 0, 'max_ns': 0})
        self.assertEqual(summary['count'], 0)
        self.assertIsNone(summary['mean_us'])
        self.assertEqual(rs.fmt_pct(summary['p99']), '-')

    def test_all_in_overflow(self):
        h = hist(gt_1048576=5)
        self.assertEqual(rs.percentile(h, 50), {'gt_us': 1048576})
        self.assertEqual(rs.fmt_pct(rs.percentile(h, 50)), '>1.05s')
        # A max beyond 2^20 us bounds the overflow bucket.
        self.assertEqual(rs.percentile(h, 99, max_ns=3 * 10**9), {'le_us': 3000000})
        # One that is not (inconsistent read) does not.
        self.assertEqual(rs.percentile(h, 99, max_ns=10**6), {'gt_us': 1048576})

    def test_summary_mean_and_count(self):
        s = rs.latency_summary({'latency_us': SMALL, 'total_ns': 55000, 'max_ns': 12500})
        self.assertEqual(s['count'], 10)
        self.assertEqual(s['mean_us'], 5.5)
        self.assertEqual(s['p50'], {'le_us': 12.5})
        self.assertEqual(rs.fmt_pct(s['p50']), '<=12.5us')
        self.assertEqual(rs.fmt_pct({'le_us': 16384}), '<=16.4ms')
        self.assertEqual(rs.fmt_pct(s['max'], exact=True), '12.5us')
        self.assertEqual(rs.fmt_pct(s['p50'], exact=True), '<=12.5us')

    def test_bucket_bounds(self):
        self.assertEqual(rs.bucket_bounds(0), (0, 1))
        self.assertEqual(rs.bucket_bounds(1), (1, 2))
        self.assertEqual(rs.bucket_bounds(20), (524288, 1048576))
        self.assertEqual(rs.bucket_bounds(21), (1048576, None))
        self.assertEqual(rs.HIST_KEYS[0], 'latency_us_le_1')
        self.assertEqual(rs.HIST_KEYS[20], 'latency_us_le_1048576')
        self.assertEqual(rs.HIST_KEYS[21], 'latency_us_gt_1048576')


if __name__ == '__main__':
    unittest.main()
