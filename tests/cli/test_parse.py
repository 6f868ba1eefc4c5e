# SPDX-License-Identifier: GPL-2.0
"""The data layer: parsing of each file format, and read_tree against the
raw files of every captured tree."""
import os
import unittest

from common import captured_trees, node_dirs, raw, raw_table, rs, zones_of


class Parsers(unittest.TestCase):
    def test_kv(self):
        self.assertEqual(rs.parse_kv('a 1\nb -2\n\n', 'f'), {'a': 1, 'b': -2})
        self.assertEqual(rs.parse_kv('version 0.1.0\nabi 1\n', 'v', numeric=False),
                         {'version': '0.1.0', 'abi': 1})

    def test_kv_rejects(self):
        for text in ('lonely\n', 'a x\n'):
            with self.assertRaises(rs.RSError) as cm:
                rs.parse_kv(text, 'f')
            self.assertEqual(cm.exception.status, rs.EXIT_BAD_DATA)

    def test_table(self):
        rows = rs.parse_table('name calls\nsb-ext4 3\nother 1\n', 't')
        self.assertEqual(rows, [{'name': 'sb-ext4', 'calls': 3}, {'name': 'other', 'calls': 1}])
        self.assertEqual(rs.parse_table('name calls\n', 't'), [])
        with self.assertRaises(rs.RSError):
            rs.parse_table('name calls\nx 1 2\n', 't')
        with self.assertRaises(rs.RSError):
            rs.parse_table('', 't')

    def test_split_file(self):
        kv = {'calls': 3, 'DMA32.free': 10, 'Normal.free': 20, 'DMA32.min': 1}
        kv.update({k: i for i, k in enumerate(rs.HIST_KEYS)})
        f = rs.split_file(kv)
        self.assertEqual(f['calls'], 3)
        self.assertEqual(f['zones'], {'DMA32': {'free': 10, 'min': 1}, 'Normal': {'free': 20}})
        self.assertEqual(list(f['zones']), ['DMA32', 'Normal'])
        self.assertEqual(f['latency_us'], list(range(22)))
        self.assertIsNone(rs.split_file({'calls': 1})['latency_us'])

    def test_split_file_partial_histogram(self):
        kv = {k: 0 for k in rs.HIST_KEYS[:-1]}
        with self.assertRaises(rs.RSError):
            rs.split_file(kv)

    def test_zoneinfo(self):
        text = ('Node 0, zone    DMA32\n  per-node stats\n      nr_dirty 5\n'
                '  pages free     76407\n        boost    3\n        min      3933\n'
                '        low      4916\n        high     5899\n'
                '  pagesets\n    cpu: 0\n              high:  4916\n'
                '  node_unreclaimable:  1\n'
                'Node 1, zone   Normal\n  pages free     0\n        min      0\n')
        z = rs.parse_zoneinfo(text)
        self.assertEqual(z[0], {'node': 0, 'zone': 'DMA32', 'free': 76407, 'boost': 3,
                                'min': 3933, 'low': 4916, 'high': 5899,
                                'node_unreclaimable': 1})
        self.assertEqual(z[1], {'node': 1, 'zone': 'Normal', 'free': 0, 'min': 0})


class TreesAgainstRawFiles(unittest.TestCase):
    """read_tree keeps every number of every file of every capture."""

    def test_every_tree(self):
        for name, root in captured_trees():
            with self.subTest(tree=name):
                self.check_tree(root)

    def check_tree(self, root):
        tree = rs.read_tree(rs.open_source(root))
        self.assertEqual([n['node'] for n in tree['nodes']], node_dirs(root))
        for node in tree['nodes']:
            for fname in rs.NODE_FILES:
                kv = raw(root, 'node%d/%s' % (node['node'], fname))
                f = node[fname]
                for key, value in kv.items():
                    if '.' in key:
                        zone, field = key.split('.')
                        self.assertEqual(f['zones'][zone][field], value, key)
                    elif key.startswith('latency_us_'):
                        self.assertEqual(f['latency_us'][rs.HIST_KEYS.index(key)], value)
                    else:
                        self.assertEqual(f[key], value, '%s %s' % (fname, key))
                if f['latency_us'] is not None:
                    self.assertEqual(sum(f['latency_us']),
                                     sum(v for k, v in kv.items() if k.startswith('latency_us_')))
            free = zones_of(raw(root, 'node%d/watermarks' % node['node']), 'free')
            self.assertEqual({z: v['free'] for z, v in node['watermarks']['zones'].items()}, free)
        for want, got in zip(raw_table(root, 'shrinkers'), tree['shrinkers']):
            self.assertEqual({k: str(v) for k, v in got.items()}, want)
        self.assertEqual(len(tree['shrinkers']), len(raw_table(root, 'shrinkers')))
        self.assertEqual(len(tree['hooks']), len(raw_table(root, 'hooks')))
        if os.path.exists(os.path.join(root, 'proc/vmstat')):
            self.assertEqual(tree['proc']['vmstat'], raw(root, 'proc/vmstat'))
        else:
            self.assertIsNone(tree['proc']['vmstat'])


if __name__ == '__main__':
    unittest.main()
