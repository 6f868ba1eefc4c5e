# SPDX-License-Identifier: GPL-2.0
"""Issue 16's additions: PSI (/proc/pressure/memory) in snapshot, watch
and diagnose; refaults per node (node<N>/vmstat) as rates with a
thrashing rule; --version; the worst finding at the top of snapshot."""
import json
import os
import shutil
import tempfile
import unittest
from unittest import mock

from common import derived, fixture, raw, rs, run_cli, series

PSI = ('some avg10=%.2f avg60=%.2f avg300=1.00 total=%d\n'
       'full avg10=0.50 avg60=0.40 avg300=0.10 total=%d\n')


class Tmp(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='rs-test.')
        self.addCleanup(shutil.rmtree, self.tmp)

    def copy(self, src, name):
        root = os.path.join(self.tmp, name)
        shutil.copytree(src, root)
        return root

    def psi(self, root, some10, some60, total, full_total=0):
        os.makedirs(os.path.join(root, 'proc', 'pressure'), exist_ok=True)
        with open(os.path.join(root, 'proc', 'pressure', 'memory'), 'w') as f:
            f.write(PSI % (some10, some60, total, full_total))


class Pressure(Tmp):
    def test_parse(self):
        psi = rs.parse_psi(PSI % (1.5, 2.5, 1234, 56))
        self.assertEqual(psi['some'], {'avg10': 1.5, 'avg60': 2.5, 'avg300': 1.0,
                                       'total_us': 1234})
        self.assertEqual(psi['full']['total_us'], 56)
        self.assertIsNone(rs.parse_psi('some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n')
                          ['full'])
        for bad in ('', 'some avg10=x avg60=0 avg300=0 total=0\n', 'other 1 2 3 4\n',
                    'some avg10=1 avg60=1 avg300=1\n'):
            with self.assertRaises(rs.RSError) as cm:
                rs.parse_psi(bad, 'p')
            self.assertEqual(cm.exception.status, rs.EXIT_BAD_DATA)

    def test_absent_or_disabled_is_none(self):
        root = self.copy(fixture('6.1', 'idle'), 'a')
        self.assertIsNone(rs.read_tree(rs.open_source(root))['proc']['pressure'])
        source = rs.open_source(root)
        real_open = open

        def eopnotsupp(path, *a, **k):
            if path.endswith('pressure/memory'):
                raise OSError(95, 'Operation not supported')
            return real_open(path, *a, **k)
        self.psi(root, 0, 0, 0)
        with mock.patch('builtins.open', eopnotsupp):
            self.assertIsNone(rs.read_tree(source)['proc']['pressure'])

    def test_snapshot_shows_it(self):
        root = derived('memory-stall')
        status, out, _ = run_cli('snapshot', '--root', root)
        self.assertIn('memory pressure (PSI, last 10 s, 1 min, 5 min): some 31.2% 24.8% '
                      '9.1%, full 12.4% 9.7% 3.5%', ' '.join(out.split()))
        rep = json.loads(run_cli('snapshot', '--json', '--root', root)[1])
        self.assertEqual(rep['pressure']['some']['avg60'], 24.8)

    def test_share_over_an_interval(self):
        """watch and diagnose: PSI's total grew 1.5 s in 10 s of uptime: 15%."""
        a = self.copy(series('6.1')[5], 'a')
        b = self.copy(series('6.1')[5], 'b')
        for root, up in ((a, 100.0), (b, 110.0)):
            with open(os.path.join(root, 'proc', 'uptime'), 'w') as f:
                f.write('%.2f 0\n' % up)
        self.psi(a, 0, 0, 5000000, 0)
        self.psi(b, 0, 0, 6500000, 300000)
        sa, sb = rs.sample(rs.open_source(a)), rs.sample(rs.open_source(b))
        r = rs.rates(sa, sb, sb['t'] - sa['t'])
        self.assertAlmostEqual(r['psi_some'], 0.15)
        self.assertAlmostEqual(r['psi_full'], 0.03)
        self.assertIn('memory pressure (PSI) some 15% full 3% of the interval',
                      ' '.join(rs.render_watch(sb, r, 10.0, width=80)))
        status, out, _ = run_cli('diagnose', '--json', '--before', a, '--root', b)
        stall = [f for f in json.loads(out)['findings'] if f['rule'] == 'memory-stall']
        self.assertEqual(len(stall), 1)
        self.assertIn('15% of the time', stall[0]['summary'])
        self.assertEqual(stall[0]['window']['kind'], 'interval')
        self.assertIn('module, same window: direct reclaim', ' '.join(stall[0]['evidence']))

    def test_stall_tied_to_direct_reclaim(self):
        """When the module's direct reclaim time accounts for the stall, the
        finding says so."""
        trees = series('6.1')
        a = self.copy(trees[3], 'a')
        b = self.copy(trees[7], 'b')
        dr = sum(raw(r, 'node%d/direct_reclaim' % n)['total_ns'] * (1 if r == b else -1)
                 for r in (a, b) for n in (0, 1))
        self.assertGreater(dr, 0)
        # PSI some = the module's direct reclaim time: all of it explained.
        self.psi(a, 0, 0, 1000000)
        self.psi(b, 0, 0, 1000000 + dr // 1000)
        status, out, _ = run_cli('diagnose', '--json', '--psi-some-pct', '0.1',
                                 '--before', a, '--root', b)
        stall = [f for f in json.loads(out)['findings'] if f['rule'] == 'memory-stall']
        self.assertIn('mostly direct reclaim', stall[0]['summary'])


class Refaults(Tmp):
    def test_node_vmstat_from_a_copy_and_live(self):
        root = derived('thrashing')
        tree = rs.read_tree(rs.open_source(root))
        for n in tree['nodes']:
            self.assertIn('workingset_refault_file', n['vmstat'])
        live = self.copy(fixture('6.1', 'idle'), 'reclaimscope')
        nodes = os.path.join(self.tmp, 'sysnode')
        shutil.copytree(os.path.join(root, 'sys', 'devices', 'system', 'node'), nodes)
        with mock.patch.object(rs, 'NODE_SYSFS', nodes):
            source = rs.Source(live, None, False, rs.NODE_SYSFS)
            tree = rs.read_tree(source)
        self.assertEqual(tree['nodes'][1]['vmstat']['workingset_refault_anon'], 0)

    def test_thrashing_per_node(self):
        status, out, _ = run_cli('diagnose', '--json', '--root', derived('thrashing'))
        found = [f for f in json.loads(out)['findings'] if f['rule'] == 'thrashing']
        self.assertEqual(sorted(f['node'] for f in found), [0, 1])
        self.assertIn('40% of what reclaim freed', found[0]['summary'])

    def test_thrashing_from_global_vmstat(self):
        """Without node vmstat, /proc/vmstat's counters judge all nodes."""
        root = self.copy(fixture('6.1', 'pressure'), 't')
        path = os.path.join(root, 'proc', 'vmstat')
        with open(path) as f:
            lines = f.read().splitlines()
        lines = ['workingset_refault_file 150000' if l.startswith('workingset_refault_file ')
                 else l for l in lines]
        with open(path, 'w') as f:
            f.write('\n'.join(lines) + '\n')
        status, out, _ = run_cli('diagnose', '--json', '--root', root)
        found = [f for f in json.loads(out)['findings'] if f['rule'] == 'thrashing']
        self.assertEqual([f['node'] for f in found], [None])

    def test_rates_in_watch_and_snapshot(self):
        root = derived('thrashing')
        a, b = rs.sample(rs.open_source(root)), rs.sample(rs.open_source(root))
        for n in b['nodes']:
            n['vmstat']['workingset_refault_file'] += 500
        r = rs.rates(a, b, 5.0)
        self.assertEqual([n['refaults_per_s'] for n in r['nodes']], [100.0, 100.0])
        rep = json.loads(run_cli('snapshot', '--json', '--root', root)[1])
        with open(os.path.join(root, 'proc', 'uptime')) as f:
            up = float(f.read().split()[0])
        n0 = rep['nodes'][0]['refaults']
        self.assertAlmostEqual(n0['refaults_per_s'], n0['workingset_refault_file'] / up)
        self.assertIn('refaults: ', run_cli('snapshot', '--root', root)[1])


class VersionAndHeadline(unittest.TestCase):
    def test_version(self):
        status, out, err = run_cli('--version')
        self.assertEqual(status, 0)
        self.assertIn('reclaimscope %s' % rs.TOOL_VERSION, out + err)
        self.assertIn('abi 1', out + err)

    def test_worst_first_line(self):
        status, out, _ = run_cli('snapshot', '--root', fixture('6.1', 'hopeless'))
        self.assertTrue(out.startswith('worst: [critical] node 1: kswapd gave up'), out[:100])
        status, out, _ = run_cli('snapshot', '--root', fixture('6.1', 'idle'))
        self.assertTrue(out.startswith('worst: nothing found'), out[:100])
        rep = json.loads(run_cli('snapshot', '--json', '--root', fixture('6.1', 'hopeless'))[1])
        self.assertEqual(rep['worst']['rule'], 'hopeless-node')


if __name__ == '__main__':
    unittest.main()
