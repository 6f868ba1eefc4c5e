# SPDX-License-Identifier: GPL-2.0
"""snapshot --json against the raw files and /proc/zoneinfo."""
import json
import os
import shutil
import tempfile
import unittest

from common import captured_trees, node_dirs, raw, raw_table, rs, run_cli, zones_of


def naive_zoneinfo(root):
    """{(node, zone): {field: value}} of the watermark lines of zoneinfo."""
    out, cur = {}, None
    with open(os.path.join(root, 'proc', 'zoneinfo')) as f:
        for line in f:
            words = line.replace(',', ' ').split()
            if words[:1] == ['Node']:
                cur = out.setdefault((int(words[1]), words[3]), {})
            elif words[:2] == ['pages', 'free']:
                cur['free'] = int(words[2])
            elif len(words) == 2 and words[0] in ('min', 'low', 'high', 'boost'):
                cur.setdefault(words[0], int(words[1]))
    return out


class SnapshotJson(unittest.TestCase):
    def snapshot(self, root):
        status, out, err = run_cli('snapshot', '--json', '--root', root)
        self.assertEqual(status, rs.EXIT_OK, err)
        rep = json.loads(out)
        self.assertEqual((rep['schema'], rep['schema_version']), ('reclaimscope.snapshot', 1))
        return rep

    def test_agrees_with_raw_files(self):
        for name, root in captured_trees():
            with self.subTest(tree=name):
                rep = self.snapshot(root)
                self.assertEqual([n['node'] for n in rep['nodes']], node_dirs(root))
                for n in rep['nodes']:
                    self.check_node(root, n)
                top = raw(root, 'direct_reclaim')
                self.assertEqual(rep['direct_reclaim']['stalls'], top['stalls'])
                rows = raw_table(root, 'shrinkers')
                self.assertEqual([s['name'] for s in rep['shrinkers']],
                                 [r['name'] for r in rows[:rs.TOP_SHRINKERS]])

    def check_node(self, root, n):
        nid = n['node']
        w = raw(root, 'node%d/watermarks' % nid)
        self.assertEqual([z['zone'] for z in n['zones']], list(zones_of(w, 'free')))
        for z in n['zones']:
            for field in ('free', 'min', 'low', 'high', 'boost'):
                self.assertEqual(z[field], w['%s.%s' % (z['zone'], field)], field)
            below_min = w[z['zone'] + '.ok_min'] == 0
            self.assertEqual(z['level'] == '<min', below_min)
            self.assertEqual(z['level'] == 'ok', w[z['zone'] + '.ok_high'] == 1)
        k = raw(root, 'node%d/kswapd' % nid)
        for key in ('failures', 'hopeless', 'wakes', 'sleeps', 'awake'):
            self.assertEqual(n['kswapd'][key], k[key], key)
        b = raw(root, 'node%d/balance_pgdat' % nid)
        self.assertEqual(n['balance_pgdat']['calls'], b['calls'])
        self.assertEqual(n['balance_pgdat']['order_fallbacks'], b['order_fallbacks'])
        d = raw(root, 'node%d/direct_reclaim' % nid)
        self.assertEqual(n['direct_reclaim']['stalls'], d['stalls'])
        lat = n['direct_reclaim']['latency']
        self.assertEqual(lat['count'], sum(v for key, v in d.items()
                                           if key.startswith('latency_us_')))
        self.assertEqual(lat['max_ns'], d['max_ns'])
        hist = [d[key] for key in rs.HIST_KEYS]
        if any(hist):
            # The highest non-empty bucket holds the longest stall: when
            # max_ns lies in it, max is max_ns itself, else the bucket bound.
            top = max(i for i, c in enumerate(hist) if c)
            lower = 0 if top == 0 else 2 ** (top - 1)
            upper = 2 ** top if top < 21 else None
            max_us = d['max_ns'] / 1000
            if lower < max_us and (upper is None or max_us <= upper):
                self.assertEqual(lat['max'], {'le_us': max_us, 'exact': True})
            elif upper is not None:
                self.assertEqual(lat['max'], {'le_us': upper})
            self.assertLessEqual(lat['p50'].get('le_us', 0), lat['max'].get('le_us', 0))
        s = raw(root, 'node%d/shrink_list' % nid)
        sl = n['shrink_list']
        self.assertEqual(sl['counts']['reclaimed'], s['nr_reclaimed'])
        self.assertEqual(sl['counts']['activated'], s['nr_activate_anon'] + s['nr_activate_file'])
        if sl['base']:
            self.assertAlmostEqual(sl['percent']['reclaimed'],
                                   100 * s['nr_reclaimed'] / sl['base'], places=1)

    def test_watermarks_agree_with_zoneinfo(self):
        """zoneinfo prints min/low/high with its boost added; watermarks
        does not.  The two files are read at different moments and a boost
        may come or go in between, so zoneinfo's own boost is taken off."""
        checked = 0
        for name, root in captured_trees():
            if not os.path.exists(os.path.join(root, 'proc', 'zoneinfo')):
                continue
            zi = naive_zoneinfo(root)
            for n in self.snapshot(root)['nodes']:
                for z in n['zones']:
                    with self.subTest(tree=name, node=n['node'], zone=z['zone']):
                        info = zi[(n['node'], z['zone'])]
                        for mark in ('min', 'low', 'high'):
                            self.assertEqual(info[mark] - info['boost'], z[mark], mark)
                        checked += 1
        if not checked:
            self.skipTest('no tree with proc/zoneinfo')

    def test_text_report_names_every_node_and_zone(self):
        for name, root in captured_trees():
            with self.subTest(tree=name):
                status, out, _ = run_cli('snapshot', '--root', root)
                self.assertEqual(status, rs.EXIT_OK)
                for nid in node_dirs(root):
                    self.assertIn('node %d:' % nid, out)
                    for zone in zones_of(raw(root, 'node%d/watermarks' % nid), 'free'):
                        self.assertIn('  %s ' % zone, out)


class Lockdown(unittest.TestCase):
    """security/lockdown in a copy: the mode in brackets decides whether
    snapshot and diagnose say that reset is unavailable."""

    def tree_with(self, content):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        root = os.path.join(tmp, 'tree')
        shutil.copytree(captured_trees()[0][1], root)
        if content is not None:
            os.makedirs(os.path.join(root, 'security'), exist_ok=True)
            with open(os.path.join(root, 'security', 'lockdown'), 'w') as f:
                f.write(content)
        return root

    def snapshot(self, root):
        status, out, _ = run_cli('snapshot', '--json', '--root', root)
        self.assertEqual(status, rs.EXIT_OK)
        return json.loads(out)

    def test_modes(self):
        for content, mode, available in (
                (None, None, True),
                ('[none] integrity confidentiality\n', 'none', True),
                ('none [integrity] confidentiality\n', 'integrity', False),
                ('none integrity [confidentiality]\n', 'confidentiality', False),
                ('garbage\n', None, True)):
            snap = self.snapshot(self.tree_with(content))
            self.assertEqual((snap['lockdown'], snap['reset_available']),
                             (mode, available), content)

    def test_text_says_reset_unavailable(self):
        root = self.tree_with('none [integrity] confidentiality\n')
        status, out, _ = run_cli('snapshot', '--root', root)
        self.assertEqual(status, rs.EXIT_OK)
        head = ' '.join(out.split('\n\n')[0].split())     # before the first node
        self.assertIn('kernel lockdown (integrity)', head)
        self.assertIn('reset', head)
        self.assertIn('unavailable', head)
        status, out, _ = run_cli('diagnose', '--root', root)
        self.assertIn(status, (rs.EXIT_OK, rs.EXIT_FINDINGS))
        self.assertTrue(any(l.startswith('note: kernel lockdown (integrity)')
                            for l in out.splitlines()), out)
        status, out, _ = run_cli('snapshot', '--root', self.tree_with(None))
        self.assertNotIn('lockdown', out)


class ExportJson(unittest.TestCase):
    def test_shape_and_numbers(self):
        name, root = captured_trees()[0]
        status, out, _ = run_cli('export', '--json', '--root', root)
        self.assertEqual(status, rs.EXIT_OK)
        tree = json.loads(out)
        self.assertEqual(set(tree), {'version', 'hooks', 'shrinkers', 'direct_reclaim',
                                     'demo_shrinker', 'nodes', 'proc', 'lockdown',
                                     'since_load', 'memcg_reclaim', 'direct_compaction',
                                     'tasks', 'cgroups', 'cgroup_paths', 'cgroup_files',
                                     'thp'})
        for key in ('memcg_reclaim', 'direct_compaction', 'tasks', 'cgroups'):
            self.assertIsNone(tree[key], 'captures predate the %s file' % key)
        self.assertEqual(tree['version']['abi'], 1)
        for n in tree['nodes']:
            self.assertEqual(set(n), {'node', 'vmstat'} | set(rs.NODE_FILES))
            self.assertIsNone(n['vmstat'], 'captures have no node vmstat yet')
            k = raw(root, 'node%d/kswapd' % n['node'])
            self.assertEqual(n['kswapd']['wakes'], k['wakes'])
            b = raw(root, 'node%d/balance_pgdat' % n['node'])
            self.assertEqual(n['balance_pgdat']['latency_us'],
                             [b[key] for key in rs.HIST_KEYS])
            self.assertIsNone(n['kswapd']['latency_us'])
        if os.path.exists(os.path.join(root, 'proc', 'zoneinfo')):
            zones = {(z['node'], z['zone']) for z in tree['proc']['zoneinfo']}
            self.assertEqual(zones, set(naive_zoneinfo(root)))


if __name__ == '__main__':
    unittest.main()
