# SPDX-License-Identifier: GPL-2.0
"""diagnose judges a window, not totals since boot or load (issue 16,
defect 2), and its text (defect 10): findings worst first, each advice
once, a zone named once."""
import json
import os
import re
import shutil
import tempfile
import unittest
from unittest import mock

from common import fixture, node_dirs, raw, rs, run_cli, series

DAY = 86400


def diagnose(*argv):
    status, out, err = run_cli('diagnose', '--json', *argv)
    assert status in (0, 1), err
    return status, json.loads(out)


def vmstat(root):
    return raw(root, 'proc/vmstat')


def uptime(root):
    with open(os.path.join(root, 'proc', 'uptime')) as f:
        return float(f.read().split()[0])


class Copy(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='rs-test.')
        self.addCleanup(shutil.rmtree, self.tmp)

    def copy(self, src, name='tree'):
        root = os.path.join(self.tmp, name)
        shutil.copytree(src, root)
        return root

    def set_uptime(self, root, seconds):
        with open(os.path.join(root, 'proc', 'uptime'), 'w') as f:
            f.write('%.2f %.2f\n' % (seconds, seconds))


class QuietLongRunningHost(Copy):
    def test_old_totals_are_not_findings(self):
        """The counters of a pressure capture, read as if the host had been
        up 100 days: rare events, no finding (the issue's allocstall
        example), and exit 0."""
        root = self.copy(fixture('6.1', 'pressure'))
        status, rep = diagnose('--root', root)
        self.assertTrue(rep['findings'], 'the capture itself shows pressure')
        self.set_uptime(root, 100 * DAY)
        status, rep = diagnose('--root', root)
        self.assertEqual((status, rep['findings']), (rs.EXIT_OK, []))
        self.assertEqual(rep['window']['kind'], 'since-load')
        self.assertFalse(rep['window']['exact'])
        self.assertAlmostEqual(rep['window']['seconds'], 100 * DAY)
        self.assertGreaterEqual(sum(v for k, v in vmstat(root).items()
                                    if k.startswith('allocstall_')), 12)

    def test_live_default_is_two_readings(self):
        """Live, diagnose reads twice (-i) and judges the interval: a tree
        that does not change finds nothing, whatever its totals."""
        debugfs = os.path.join(self.tmp, 'debug')
        root = os.path.join(debugfs, 'reclaimscope')
        shutil.copytree(fixture('6.1', 'pressure'), root)
        mounts = os.path.join(self.tmp, 'mounts')
        with open(mounts, 'w') as f:
            f.write('debugfs %s debugfs rw 0 0\n' % debugfs)
        sleeps = []
        with mock.patch.object(rs, 'DEBUGFS_DIR', debugfs), \
                mock.patch.object(rs, 'DEFAULT_ROOT', root), \
                mock.patch.object(rs, 'PROC_MOUNTS', mounts), \
                mock.patch.object(rs.time, 'sleep', sleeps.append):
            status, rep = diagnose()
            self.assertEqual(sleeps, [rs.DIAGNOSE_INTERVAL])
            self.assertEqual(rep['window']['kind'], 'interval')
            self.assertEqual(rep['findings'], [])
            self.assertEqual(status, rs.EXIT_OK)
            status, rep = diagnose('-i', '0.5')
            self.assertEqual(sleeps[-1], 0.5)
            status, rep = diagnose('--since-load')
            self.assertEqual(rep['window']['kind'], 'since-load')
            self.assertTrue(rep['window']['exact'], 'live: the directory dates the load')
            self.assertTrue(rep['findings'])


class TwoReadings(Copy):
    def test_before_and_root(self):
        """--before A --root B judges B - A over their uptimes."""
        trees = series('6.1')
        a, b = trees[3], trees[7]
        status, rep = diagnose('--before', a, '--root', b)
        up = [uptime(r) for r in (a, b)]
        self.assertEqual(rep['window']['kind'], 'interval')
        self.assertAlmostEqual(rep['window']['seconds'], up[1] - up[0])
        stalls = [f for f in rep['findings'] if f['rule'] == 'allocstall']
        delta = sum(v for k, v in vmstat(b).items() if k.startswith('allocstall_')) - \
            sum(v for k, v in vmstat(a).items() if k.startswith('allocstall_'))
        self.assertTrue(stalls)
        self.assertIn('%d times' % delta, stalls[0]['summary'])

    def test_same_copy_twice_finds_no_event(self):
        root = fixture('6.1', 'pressure')
        status, rep = diagnose('-i', '0.01', '--root', root)
        self.assertEqual(rep['window']['kind'], 'interval')
        self.assertEqual([f for f in rep['findings'] if f['window']['kind'] != 'now'], [])

    def test_state_rules_judge_now(self):
        root = fixture('6.1', 'hopeless')
        status, rep = diagnose('-i', '0.01', '--root', root)
        hopeless = [f for f in rep['findings'] if f['rule'] == 'hopeless-node']
        self.assertTrue(hopeless)
        self.assertEqual(hopeless[0]['window']['kind'], 'now')

    def test_before_needs_uptime(self):
        a = self.copy(series('6.1')[3], 'a')
        os.unlink(os.path.join(a, 'proc', 'uptime'))
        status, out, err = run_cli('diagnose', '--before', a, '--root', series('6.1')[7])
        self.assertEqual(status, rs.EXIT_BAD_DATA)
        self.assertIn('proc/uptime', err)


class EveryFindingShowsItsWindow(unittest.TestCase):
    def test_json_and_text(self):
        root = fixture('6.1', 'hopeless')
        status, rep = diagnose('--root', root)
        self.assertEqual(rep['schema_version'], 2)
        for f in rep['findings']:
            self.assertIn(f['window']['kind'], ('since-load', 'now'))
            self.assertTrue(f['window']['text'])
        status, out, _ = run_cli('diagnose', '--root', root)
        self.assertTrue(out.startswith('diagnose: since load, at most '), out[:80])
        self.assertIn('window: now', out)


class Text(unittest.TestCase):
    def text(self, root):
        status, out, _ = run_cli('diagnose', '--root', root)
        return status, out

    def test_worst_first(self):
        for kernel in ('6.1', '6.12'):
            root = fixture(kernel, 'hopeless')
            status, rep = diagnose('--root', root)
            sev = [f['severity'] for f in rep['findings']]
            self.assertIn('critical', sev)
            self.assertEqual(sev, sorted(sev, key=lambda s: s != 'critical'))
            status, out = self.text(root)
            heads = re.findall(r'^\[(\w+)\]', out, re.M)
            self.assertEqual(heads, sev)

    def test_each_advice_once(self):
        root = fixture('6.1', 'pressure')
        status, rep = diagnose('--root', root)
        wsf = [f for f in rep['findings'] if 'watermark_scale_factor' in f['advice']]
        self.assertGreaterEqual(len(wsf), 3)
        status, out = self.text(root)
        flat = ' '.join(out.split())
        self.assertEqual(flat.count('so kswapd wakes earlier and sleeps later'), 1)
        self.assertEqual(out.count('next step: '), len(rep['findings']))

    def test_zone_named_once(self):
        root = series('6.1')[7]
        status, rep = diagnose('--root', root)
        below = [f for f in rep['findings'] if f['rule'] == 'zone-below-min']
        self.assertTrue(below)
        status, out = self.text(root)
        for f in below:
            self.assertNotIn('%s %s' % (f['zone'], f['zone']), out)
            self.assertIn('node %d %s: ' % (f['node'], f['zone']), out)
            self.assertNotIn(f['zone'], f['summary'])


if __name__ == '__main__':
    unittest.main()
