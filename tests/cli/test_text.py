# SPDX-License-Identifier: GPL-2.0
"""The text a person reads (issue 16): 80 columns by default and wider
only when the terminal is (defect 3), kswapd's time (defect 4), and the
smaller defects of 10: plurals, MiB, an exact maximum, "n/a" for what a
hook that did not attach would have counted."""
import json
import os
import re
import shutil
import tempfile
import unittest
from unittest import mock

from common import captured_trees, fixture, node_dirs, raw, rs, run_cli

NUMBER = re.compile(r'\d+(?:\.\d+)?')
PLURALS = ('wakes', 'sleeps', 'stalls', 'passes', 'failures', 'runs', 'calls', 'skips',
           'order fallbacks', 'wakeup requests', 'folios', 'findings', 'samples',
           'boosted zones', 'shrinker rows')


def text(*argv, columns=80):
    with mock.patch.dict(os.environ, {'COLUMNS': str(columns)}):
        status, out, err = run_cli(*argv)
    assert status in (0, 1), err
    return out


def without_who_pays(out):
    """snapshot's text without its who-pays tables (a heading line
    starting 'who pays:' to the next blank line)."""
    keep, skip = [], False
    for line in out.split('\n'):
        skip = (skip or line.startswith('who pays:')) and line != ''
        if not skip:
            keep.append(line)
    return '\n'.join(keep)


class Width(unittest.TestCase):
    def test_snapshot_fits_80_columns(self):
        for name, root in captured_trees():
            with self.subTest(tree=name):
                out = text('snapshot', '--root', root)
                long = [l for l in out.splitlines() if len(l) > 80]
                self.assertEqual(long, [], '%d lines over 80' % len(long))

    def test_diagnose_fits_80_columns(self):
        for name, root in captured_trees():
            with self.subTest(tree=name):
                out = text('diagnose', '--root', root)
                long = [l for l in out.splitlines() if len(l) > 80]
                self.assertEqual(long, [], '%d lines over 80' % len(long))

    def test_wider_terminal_is_used_and_no_number_is_cut(self):
        """At 200 columns lines are longer; at 80 the same numbers appear,
        in the same order: wrapping never splits one.  (The who-pays
        tables fit by leaving columns out and cutting names instead:
        test_who.py.)"""
        for name, root in captured_trees():
            with self.subTest(tree=name):
                narrow = without_who_pays(text('snapshot', '--root', root))
                wide = without_who_pays(text('snapshot', '--root', root, columns=200))
                self.assertGreater(max(map(len, wide.splitlines())), 80)
                self.assertEqual(NUMBER.findall(narrow), NUMBER.findall(wide))
                words = [w for w in narrow.split() if not w.startswith('[')]
                self.assertEqual(words, [w for w in wide.split() if not w.startswith('[')],
                                 'words differ (zone bars aside)')

    def test_narrow_terminal_still_gets_80(self):
        out = text('snapshot', '--root', captured_trees()[0][1], columns=40)
        self.assertGreater(max(map(len, out.splitlines())), 40)
        self.assertLessEqual(max(map(len, out.splitlines())), 80)


class KswapdTime(unittest.TestCase):
    def test_awake_seconds_and_share(self):
        """Per node: seconds awake since load and the share of the time
        since load (a copy's uptime bounds it, so the share is a lower
        bound)."""
        for label in ('pressure', 'hopeless'):
            root = fixture('6.1', label)
            with open(os.path.join(root, 'proc', 'uptime')) as f:
                uptime = float(f.read().split()[0])
            rep = json.loads(text('snapshot', '--json', '--root', root))
            out = text('snapshot', '--root', root)
            for n in rep['nodes']:
                ns = raw(root, 'node%d/kswapd' % n['node'])['awake_ns_total']
                self.assertAlmostEqual(n['kswapd']['awake_s'], ns / 1e9)
                self.assertAlmostEqual(n['kswapd']['awake_share'], ns / 1e9 / uptime)
                self.assertEqual(n['kswapd']['awake_share_bound'], 'at least')
                line = 'awake %s since load, at least %s of the time' % (
                    rs.fmt_seconds(ns / 1e9), rs.fmt_share(ns / 1e9 / uptime))
                self.assertIn(line, out.replace('\n    ', ' ').replace('\n  ', ' '))

    def test_live_since_load_is_the_directory_age(self):
        tmp = tempfile.mkdtemp(prefix='rs-test.')
        self.addCleanup(shutil.rmtree, tmp)
        root = os.path.join(tmp, 'reclaimscope')
        shutil.copytree(fixture('6.1', 'pressure'), root)
        source = rs.Source(root, None, False)
        ago = rs.time.time() - os.stat(root).st_mtime
        got = source.since_load(None)
        self.assertTrue(got['exact'])
        self.assertAlmostEqual(got['seconds'], ago, delta=5)


class Smaller(unittest.TestCase):
    def test_plurals(self):
        for name, root in captured_trees():
            with self.subTest(tree=name):
                out = text('snapshot', '--root', root) + text('diagnose', '--root', root)
                flat = ' '.join(out.split())
                for word in PLURALS:
                    self.assertNotRegex(flat, r'(^|[^\d.])1 %s\b' % word)

    def test_pages_as_mib(self):
        root = fixture('6.12', 'pressure')
        out = text('snapshot', '--root', root)
        self.assertIn('free MiB', out)
        w = raw(root, 'node0/watermarks')
        row = [l for l in out.splitlines() if l.split()[:1] == ['DMA32']][0]
        self.assertEqual(row.split()[1], rs.fmt_mib(w['DMA32.free'], False))
        self.assertEqual(rs.fmt_mib(76833 * 4096 // 4096, False) if rs.PAGE_SIZE == 4096
                         else '300', '300')

    def test_exact_maximum_has_no_bound_sign(self):
        """max is max_ns itself when the file is consistent: no '<='."""
        for name, root in captured_trees():
            with self.subTest(tree=name):
                out = ' '.join(text('snapshot', '--root', root, columns=400).split())
                self.assertNotIn('max <=', out)
        root = fixture('6.12', 'pressure')
        ns = raw(root, 'node0/balance_pgdat')['max_ns']
        self.assertIn('max %s' % rs.fmt_us(ns / 1000), text('snapshot', '--root', root))

    def test_hook_not_attached_is_na_not_zero(self):
        tmp = tempfile.mkdtemp(prefix='rs-test.')
        self.addCleanup(shutil.rmtree, tmp)
        root = os.path.join(tmp, 'tree')
        shutil.copytree(fixture('6.1', 'idle'), root)
        path = os.path.join(root, 'hooks')
        with open(path) as f:
            lines = f.read().splitlines()
        for i, l in enumerate(lines):
            w = l.split()
            if w[0] in ('mm_vmscan_direct_reclaim_begin', 'balance_pgdat'):
                w[2], w[3], w[5] = ('missing' if w[0] != 'balance_pgdat'
                                    else 'failed:EINVAL'), '0', '-'
                lines[i] = ' '.join(w)
        with open(path, 'w') as f:
            f.write('\n'.join(lines) + '\n')
        out = text('snapshot', '--root', root)
        self.assertIn('direct reclaim: n/a', out)
        self.assertIn('balance_pgdat: n/a', out)
        self.assertNotIn('0 stalls', out)
        self.assertIn('mm_vmscan_direct_reclaim_begin missing', out)
        rep = json.loads(text('snapshot', '--json', '--root', root))
        self.assertIn('direct_reclaim', rep['unavailable'])

    def test_hook_on_standby_still_counts(self):
        """7.x times balance_pgdat() with two tracepoints and leaves its
        kretprobe on standby: the numbers are counted, not n/a."""
        tmp = tempfile.mkdtemp(prefix='rs-test.')
        self.addCleanup(shutil.rmtree, tmp)
        root = os.path.join(tmp, 'tree')
        shutil.copytree(fixture('6.12', 'pressure'), root)
        path = os.path.join(root, 'hooks')
        with open(path) as f:
            lines = f.read().splitlines()
        for i, l in enumerate(lines):
            w = l.split()
            if w[0] == 'balance_pgdat':
                w[2], w[5] = 'standby', '-'
                lines[i] = ' '.join(w)
        lines += ['mm_vmscan_balance_pgdat_begin tracepoint attached 5 0 '
                  'mm_vmscan_balance_pgdat_begin',
                  'mm_vmscan_balance_pgdat_end tracepoint attached 5 0 '
                  'mm_vmscan_balance_pgdat_end']
        with open(path, 'w') as f:
            f.write('\n'.join(lines) + '\n')
        out = text('snapshot', '--root', root)
        self.assertNotIn('balance_pgdat: n/a', out)
        self.assertNotIn('standby', out)
        rep = json.loads(text('snapshot', '--json', '--root', root))
        self.assertNotIn('balance_pgdat', rep['unavailable'])


if __name__ == '__main__':
    unittest.main()
